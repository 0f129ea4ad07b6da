"""Pieces the benchmark generators share (benchmarks/generate.py, the easy synthetic
rows, and benchmarks/realistic.py, the realistic ones): typed frames in curate's
schema, ids, unknown counts as nulls, and Parquet written by row groups."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from curate.schema.dtypes import polars_schema
from curate.schema.loader import load_schema

__all__ = [
    "COUNTS",
    "ROW_GROUP",
    "ids",
    "label",
    "null_where_negative",
    "typed",
    "write_parquet_groups",
]

ROW_GROUP = 100_000
COUNTS = tuple(f"{p}_{b}" for p in ("fatalities", "injuries") for b in ("low", "best", "high"))


def typed(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """`frame` in `table`'s column order, cast to the dtypes curate reads it as."""
    dtypes = dict(polars_schema(load_schema().table(table)))
    return frame.select(list(dtypes)).cast(dtypes)  # type: ignore[arg-type]


def ids(prefix: str, first: int, count: int, width: int) -> pl.Series:
    """`count` ids `prefix` + a zero-padded number from `first` (vectorised)."""
    numbers = pl.int_range(first, first + count, eager=True, dtype=pl.Int64)
    return (prefix + numbers.cast(pl.String).str.zfill(width)).rename("id")


def null_where_negative(columns: Iterable[str]) -> list[pl.Expr]:
    """A negative number stands for "unknown" while the arrays are built: make it null."""
    return [pl.when(pl.col(c) >= 0).then(pl.col(c)).alias(c) for c in columns]


def label(rows: int) -> str:
    """1000000 -> "1m", 20000 -> "20k", 1234 -> "1234" (file names)."""
    for unit, size in (("m", 1_000_000), ("k", 1_000)):
        if rows % size == 0:
            return f"{rows // size}{unit}"
    return str(rows)


def write_parquet_groups(
    path: Path, rows: int, chunk: int, make: Callable[[int, int], pl.DataFrame]
) -> None:
    """`rows` rows written as Parquet (zstd, 100k-row groups) chunk by chunk:
    `make(first_row, count)` builds each chunk, so memory stays that of one chunk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer: pq.ParquetWriter | None = None
    try:
        for first in range(0, rows, chunk):
            table = make(first, min(chunk, rows - first)).to_arrow()
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="zstd")
            writer.write_table(table, row_group_size=ROW_GROUP)
    finally:
        if writer is not None:
            writer.close()
