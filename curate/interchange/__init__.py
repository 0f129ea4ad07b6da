"""Importers of existing conflict-event datasets (ACLED, UCDP GED) into curate's records.

Each importer reads a dataset's export files, tells their layout from the header, maps
every row with polars expressions, and returns `Imported`: the events, claims and
sources as typed polars frames, the rejected rows with their reasons, and a summary in
which rows read = events written + rows merged + rows rejected. docs/importers.md holds
the mapping, column by column.
"""

from __future__ import annotations

from curate.interchange.acled.importer import import_acled
from curate.interchange.summary import Imported, ImportSummary
from curate.interchange.ucdp.importer import import_ucdp

__all__ = ["ImportSummary", "Imported", "import_acled", "import_ucdp"]
