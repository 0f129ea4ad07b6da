"""In-memory inputs of `curate.validate`: polars, pandas and Arrow frames and lists of
records, each made one typed batch judged as a file of the same types would be."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import polars as pl

from curate.errors import InputError
from curate.readers.conform import Conformed, conform_arrow
from curate.readers.rows import python_column, rows_to_frame
from curate.report import Issue
from curate.schema.model import Table

__all__ = ["to_polars"]


Frame = Any  # polars DataFrame/LazyFrame, pandas DataFrame, pyarrow Table or a list of dicts


def to_polars(data: Frame) -> pl.DataFrame:
    """A polars DataFrame from any supported in-memory frame (a LazyFrame is collected)."""
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, pl.LazyFrame):
        return data.collect()
    converted: pl.DataFrame | pl.Series
    try:
        if type(data).__module__.startswith("pandas"):
            converted = pl.from_pandas(data)
        else:
            converted = pl.from_arrow(data)
    except (TypeError, ValueError) as exc:
        raise InputError(f"cannot validate an object of type {type(data).__name__}: {exc}") from exc
    if not isinstance(converted, pl.DataFrame):
        raise InputError(f"cannot validate an object of type {type(data).__name__}")
    return converted


_Batch = tuple[pl.DataFrame, list[Issue], Conformed | None]


def in_memory_batches(data: Frame, table: Table) -> Iterator[_Batch]:
    """The one batch of an in-memory input: the values as given, the type errors found
    building it, and the frame conformed to the table (None: `feed` conforms it).

    An Arrow table declares its types, as a Parquet file does, and is judged exactly as
    one (`conform.conform_arrow`). A polars or pandas frame is made Arrow column by
    column and judged by the same table of accepted types, except that its text columns
    are parsed and a whole-number float is an integer; a column of Python objects that
    Arrow cannot type (mixed kinds, opaque objects) is checked value by value, as
    records are (`rows.python_column`)."""
    if isinstance(data, list):
        if not all(isinstance(row, Mapping) for row in data):
            raise InputError("a list to validate must hold records (mappings of names to values)")
        frame, issues = rows_to_frame(data, table)
        yield frame, issues, None
        return
    arrow, issues, in_memory = _as_arrow(data, table)
    declared = conform_arrow(arrow, table, in_memory=in_memory)
    yield declared.raw, issues, declared.conformed


def _as_arrow(data: Frame, table: Table) -> tuple[Any, list[Issue], bool]:
    """An in-memory input as an Arrow table, the type errors of its Python-object
    columns, and whether it is a polars or pandas frame (else it is Arrow's own)."""
    import pyarrow as pa

    if isinstance(data, pl.LazyFrame):
        try:
            data = data.collect()
        except pl.exceptions.PolarsError as exc:
            raise InputError(f"cannot collect the LazyFrame to validate: {exc}") from exc
    if isinstance(data, pl.DataFrame):
        return (*_column_by_column(data.columns, data.get_columns(), table, _polars_arrow), True)
    if type(data).__module__.startswith("pandas") and hasattr(data, "iloc"):
        if getattr(data, "ndim", 0) != 2:
            raise InputError(f"cannot validate a pandas {type(data).__name__}: give a DataFrame")
        columns = [data.iloc[:, i] for i in range(data.shape[1])]
        names = [str(name) for name in data.columns]
        return (*_column_by_column(names, columns, table, _pandas_arrow), True)
    if isinstance(data, pa.Table | pa.RecordBatch) or hasattr(data, "__arrow_c_stream__"):
        try:
            return pa.table(data), [], False
        except (pa.ArrowException, TypeError, ValueError) as exc:
            raise InputError(f"cannot read the {type(data).__name__} to validate: {exc}") from exc
    raise InputError(f"cannot validate an object of type {type(data).__name__}")


def _column_by_column(
    names: list[str],
    columns: Sequence[Any],
    table: Table,
    to_arrow: Callable[[Any], tuple[Any | None, list[Any]]],
) -> tuple[Any, list[Issue]]:
    """An Arrow table of the columns; a column that `to_arrow` cannot type (it gives its
    Python values instead) is built value by value, each misfit a type error."""
    import pyarrow as pa

    arrays: list[Any] = []
    issues: list[Issue] = []
    for name, column in zip(names, columns, strict=True):
        array, values = to_arrow(column)
        if array is None:
            array = python_column(name, values, table, issues).to_arrow()
        arrays.append(array)
    return pa.Table.from_arrays(arrays, names=names), issues


def _polars_arrow(column: pl.Series) -> tuple[Any | None, list[Any]]:
    if column.dtype != pl.Object:
        try:
            return column.to_arrow(), []
        except (pl.exceptions.PolarsError, ValueError, TypeError):
            pass
    return None, column.to_list()


def _pandas_arrow(column: Any) -> tuple[Any | None, list[Any]]:
    import pyarrow as pa

    try:
        return pa.array(column, from_pandas=True), []
    except Exception:  # an object column's values may be anything, their methods too
        return None, [None if _missing(v) else v for v in column.tolist()]


def _missing(value: object) -> bool:
    """A pandas missing value (None, NaN, NA, NaT) in an object column."""
    if isinstance(value, float):
        return value != value
    return value is None or type(value).__name__ in ("NAType", "NaTType")
