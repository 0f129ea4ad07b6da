"""The internal columns of validation: each row's number in its input and the index of
the file it came from. They stay inside validation: the store, the release and the
quarantine get clean tables (`without_internal`)."""

from __future__ import annotations

import polars as pl

__all__ = ["FILE", "ROW", "without_internal"]


ROW = "__row"


FILE = "__file"


def without_internal(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` without the internal columns it holds."""
    return frame.drop(ROW, FILE, strict=False)
