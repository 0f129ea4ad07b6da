"""Exporters of curate's records to other datasets' layouts (ACLED), for interchange.

Every CSV curate writes is formula-safe (`curate.exporters.spreadsheet`)."""

from __future__ import annotations

from curate.exporters.acled import acled_csv, acled_rows

__all__ = ["acled_csv", "acled_rows"]
