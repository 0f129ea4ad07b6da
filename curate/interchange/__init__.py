"""Importers of existing conflict-event datasets (ACLED, UCDP GED) into curate's records.

Each importer reads a dataset's export files, tells their layout from the header, maps
every row with polars expressions, and returns `Imported`: the events, claims and
sources as typed polars frames, the rejected rows with their reasons, and a summary in
which rows read = events written + rows merged + rows rejected. docs/importers.md holds
the mapping, column by column. The importers' public names are `curate.import_acled` and
`curate.import_ucdp` (the package's lazy API), so that this package imports none of its
modules.
"""
