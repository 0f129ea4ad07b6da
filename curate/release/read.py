"""Read a release's tables, and the logical content hash that does not depend on the
Parquet writer (rows hashed in key order, value by value)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq

from curate.release.package import (
    table_file,
)
from curate.schema.dtypes import polars_schema
from curate.schema.model import Schema
from curate.store.records import write_store_rows

__all__ = ["content_hash", "read_table", "read_tables"]


def read_table(directory: Path, name: str, schema: Schema) -> pl.DataFrame:
    """One table of a release, typed exactly as the schema says."""
    frame = pl.from_arrow(pq.read_table(directory / table_file(name)))
    assert isinstance(frame, pl.DataFrame)
    return frame.cast(dict(polars_schema(schema.table(name))))  # type: ignore[arg-type]


def read_tables(directory: Path, schema: Schema) -> dict[str, pl.DataFrame]:
    """The three tables of a release, typed exactly as the schema says."""
    return {name: read_table(directory, name, schema) for name in schema.table_names}


def hash_table(digest: Any, name: str, frame: pl.DataFrame, schema: Schema) -> None:
    digest.update(f"{name}\n".encode())
    write_store_rows(frame, name, schema, digest.update)


def content_hash(tables: dict[str, pl.DataFrame], schema: Schema) -> str:
    """sha256 of the records as canonical JSON lines: independent of the Parquet writer."""
    digest = hashlib.sha256()
    for name in schema.table_names:
        hash_table(digest, name, tables[name], schema)
    return f"sha256:{digest.hexdigest()}"
