"""The Parquet reader: batches of rows spanning row groups, each conformed to the table
by its columns' declared types, numbered by their 1-based index in the file. A file past
the limits is refused from its footer alone, before anything is decompressed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from curate.errors import InputError
from curate.readers.ahead import read_ahead
from curate.readers.batch import Batch, parse_error
from curate.readers.conform import conform_arrow
from curate.readers.limits import Limits
from curate.report import Issue
from curate.schema.model import Table

__all__ = ["read_parquet"]


def read_parquet(path: Path, table: Table, limits: Limits) -> Iterator[Batch]:
    """Batches of a Parquet file, each conformed by its columns' declared types
    (`curate.readers.conform.ACCEPTS`): a value stored in a type the schema does not take, or
    out of what the store can hold, is a type-error of its row, never cast or a panic."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        # pre_buffer (pyarrow's default) keeps every column chunk read: memory would grow
        # with the file (2.5 GiB for 10M realistic events), not with a batch.
        parquet = pq.ParquetFile(str(path), pre_buffer=False)
        names = parquet.schema_arrow.names
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        yield _parquet_problem(table, None, f"not a readable Parquet file: {exc}")
        return
    _check_parquet_size(path, parquet.metadata, len(names), limits)
    if not names:
        yield _parquet_problem(table, None, "the Parquet file has no columns")
        return
    first = 1
    issues = _repeated_columns(names, table)
    try:
        conformed = ((part, conform_arrow(part, table)) for part in _parquet_parts(parquet, limits))
        for part, declared in read_ahead(conformed, "curate-parquet"):
            rows = pl.Series("row", range(first, first + part.num_rows), dtype=pl.Int64)
            first += part.num_rows
            yield Batch(declared.raw, rows, issues, conformed=declared.conformed)
            issues = []
    except (pa.ArrowInvalid, pa.ArrowException, OSError) as exc:
        message = f"the Parquet data after row {first - 1} cannot be read: {exc}"
        yield _parquet_problem(table, first, message)
        return
    declared_rows = parquet.metadata.num_rows
    if first - 1 != declared_rows:  # a damaged column chunk can hold fewer rows, silently
        message = f"the file declares {declared_rows} rows but holds {first - 1}"
        yield _parquet_problem(table, first, message)


def _parquet_problem(table: Table, row: int | None, message: str) -> Batch:
    """A batch that only carries a problem of the file (no rows read)."""
    return Batch(
        pl.DataFrame(), pl.Series("row", [], dtype=pl.Int64), [parse_error(table, row, message)]
    )


def _check_parquet_size(path: Path, metadata: Any, columns: int, limits: Limits) -> None:
    """Refuse (exit 2) a file past the limits on rows, columns, row groups, or a row
    group's uncompressed size, from its footer alone, before anything is decompressed."""
    counts = (
        (metadata.num_rows, limits.max_rows, "rows"),
        (columns, limits.max_columns, "columns"),
        (metadata.num_row_groups, limits.max_row_groups, "row groups"),
    )
    for count, limit, what in counts:
        if count > limit:
            raise InputError(f"{path}: {count} {what} is more than the limit of {limit}")
    for index in range(metadata.num_row_groups):
        size = metadata.row_group(index).total_byte_size
        if size > limits.max_row_group_bytes:
            raise InputError(
                f"{path}: row group {index} declares {size} bytes uncompressed, more than the "
                f"limit of {limits.max_row_group_bytes}; refused before decompressing"
            )


def _repeated_columns(names: list[str], table: Table) -> list[Issue]:
    """A parse error for each column name the file repeats (the repeats are read as
    `name#2`, ..., so that no value is lost, and reported as unknown fields)."""
    repeated = sorted({name for name in names if names.count(name) > 1})
    return [
        parse_error(table, None, f"the file repeats the column {name!r} (kept as {name}#2)")
        for name in repeated
    ]


def _parquet_parts(parquet: Any, limits: Limits) -> Iterator[Any]:
    """Arrow tables of at most `batch_rows` rows, each spanning as many row groups as it
    takes (so that time grows with rows, not with row groups). One thread decodes: the
    caller reads ahead (`read_ahead`) and checks a batch on the other core meanwhile."""
    import pyarrow as pa

    for batch in parquet.iter_batches(
        batch_size=limits.batch_rows, use_threads=False, use_pandas_metadata=False
    ):
        yield pa.Table.from_batches([batch])
