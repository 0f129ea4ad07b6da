"""How each schema field type is stored in Arrow/Parquet and in polars.

Parquet and polars use exact types: nullable integers stay int64, dates are date32,
datetimes are timestamp[us, UTC] (DESIGN.md "The record").
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from curate.schema.model import FieldType, Table

__all__ = ["ARROW_TYPES", "POLARS_TYPES", "polars_schema"]

ARROW_TYPES: dict[FieldType, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us", tz="UTC"),
}

POLARS_TYPES: dict[FieldType, pl.DataType] = {
    "string": pl.String(),
    "integer": pl.Int64(),
    "number": pl.Float64(),
    "boolean": pl.Boolean(),
    "date": pl.Date(),
    "datetime": pl.Datetime("us", "UTC"),
}


def polars_schema(table: Table) -> pl.Schema:
    """The polars column types of a table, in schema order."""
    return pl.Schema({f.name: POLARS_TYPES[f.type] for f in table.fields})
