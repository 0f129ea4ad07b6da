"""Build a typed polars frame from rows of Python values (parsed JSON, generated records).

Each cell is checked against its field's type: a value of the wrong kind (a number where
text belongs, a list where a date belongs) becomes a `type-error` issue on its row and a
null cell, so one bad cell never hides the rest of the batch. Columns whose values all fit
are built in one call; only a column holding a misfit is checked cell by cell.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import polars as pl

from curate.report import Issue, truncate
from curate.schema.dtypes import POLARS_TYPES
from curate.schema.model import Field, FieldType, Table

__all__ = ["cell_text", "python_column", "rows_to_frame"]


def cell_text(value: object) -> str | None:
    """Any value as short text for a report (None stays None), even one that has none:
    an integer past Python's limit for writing one out, an object whose `str` fails."""
    if value is None:
        return None
    try:
        return truncate(value)
    except Exception:  # any object's __str__ may raise anything
        if isinstance(value, int):
            return f"an integer of {value.bit_length()} bits"
        return f"a value of type {type(value).__name__}"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_int64(value: object) -> bool:
    """A whole number an integer field can hold (JSON itself sets no bound)."""
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63


def _is_number(value: object) -> bool:
    """A number a number field can hold: a float, or a whole number within float range."""
    if isinstance(value, float):
        return True
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) <= _FLOAT_MAX


_FLOAT_MAX = sys.float_info.max


_ACCEPTS: dict[FieldType, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": _is_int64,
    "number": _is_number,
    "boolean": lambda v: isinstance(v, bool),
    "date": lambda v: (
        isinstance(v, str) or (isinstance(v, dt.date) and not isinstance(v, dt.datetime))
    ),
    "datetime": lambda v: (
        isinstance(v, str) or (isinstance(v, dt.datetime) and v.tzinfo is not None)
    ),
}

# Python types whose values build a column of the field's type in one call.
_NATIVE: dict[FieldType, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (float, int),
    "boolean": (bool,),
    "date": (str,),  # date and datetime objects are checked one by one (naive times)
    "datetime": (str,),
}


def _fast_column(f: Field, values: list[Any]) -> pl.Series | None:
    """The column in one call when every value is of a native type; else None."""
    kinds = {type(v) for v in values} - {type(None)}
    if not kinds:
        return pl.Series(f.name, values, dtype=POLARS_TYPES[f.type])
    if not kinds <= set(_NATIVE[f.type]):
        return None
    if f.type in ("integer", "number") and bool in kinds:
        return None
    if f.type in ("date", "datetime"):
        return pl.Series(f.name, values, dtype=pl.String)  # text, parsed by conform
    try:
        column = pl.Series(f.name, values, dtype=POLARS_TYPES[f.type], strict=f.type != "number")
    except (TypeError, OverflowError, pl.exceptions.PolarsError):
        return None
    # A value the cast turned into null (an integer past float range) is checked one by one.
    return column if column.null_count() == values.count(None) else None


def _misfit_message(f: Field, value: object) -> str:
    if _is_int(value) and f.type in ("integer", "number"):
        return f"{f.name} is a whole number outside the range of type {f.type}"
    return f"{f.name} must be of type {f.type}, not {type(value).__name__}"


def _as_text(value: dt.date) -> str | None:
    """A date as ISO text, a datetime as ISO text in UTC (None when UTC is past year
    1-9999: no such datetime is taken), for conform to parse in a column that also holds
    text, with the verdict of the typed column the objects alone would make."""
    if not isinstance(value, dt.datetime):
        return value.isoformat()
    try:
        return value.astimezone(dt.UTC).isoformat()
    except OverflowError:
        return None


def _checked_column(
    f: Field, values: list[Any], numbers: Sequence[int], table: Table, issues: list[Issue]
) -> pl.Series:
    accepts = _ACCEPTS[f.type]
    cleaned: list[Any] = []
    temporal = f.type in ("date", "datetime")
    for value, number in zip(values, numbers, strict=True):
        fits = value is None or accepts(value)
        if fits and temporal and not isinstance(value, str | None):
            fits = _as_text(value) is not None
        if not fits:
            message = _misfit_message(f, value)
            issues.append(
                Issue("type-error", "error", table.name, number, f.name, cell_text(value), message)
            )
            value = None
        cleaned.append(value)
    if temporal:
        if not any(isinstance(v, str) for v in cleaned):
            return pl.Series(f.name, cleaned, dtype=POLARS_TYPES[f.type])
        text = [v if v is None or isinstance(v, str) else _as_text(v) for v in cleaned]
        return pl.Series(f.name, text, dtype=pl.String)
    if f.type == "number":
        cleaned = [None if v is None else float(v) for v in cleaned]
    return pl.Series(f.name, cleaned, dtype=POLARS_TYPES[f.type], strict=True)


def rows_to_frame(
    rows: Sequence[Mapping[str, Any]], table: Table, row_numbers: Sequence[int] | None = None
) -> tuple[pl.DataFrame, list[Issue]]:
    """A frame of `table`'s fields (plus any unknown keys, as text) and the type errors found.

    `row_numbers` gives each row's number in the input (1, 2, ... by default)."""
    numbers = row_numbers if row_numbers is not None else range(1, len(rows) + 1)
    issues: list[Issue] = []
    columns: list[pl.Series] = []
    for f in table.fields:
        columns.append(
            python_column(f.name, [row.get(f.name) for row in rows], table, issues, numbers)
        )
    known = set(table.field_names)
    unusual = [row for row in rows if not row.keys() <= known]
    extra = sorted({key for row in unusual for key in row} - known)
    for name in extra:
        columns.append(_text_column(name, [row.get(name) for row in rows]))
    return pl.DataFrame(columns, height=len(rows)) if columns else pl.DataFrame(
        height=len(rows)
    ), issues


def _text_column(name: str, values: list[Any]) -> pl.Series:
    return pl.Series(name, [cell_text(v) for v in values], dtype=pl.String)


def python_column(
    name: str,
    values: list[Any],
    table: Table,
    issues: list[Issue],
    numbers: Sequence[int] | None = None,
) -> pl.Series:
    """One column of Python values of any kinds (of records, a pandas object column, a
    polars Object column): a field's column typed, each misfit a null and a `type-error`
    in `issues` on its row (`numbers`, 1, 2, ... by default); any other column as text."""
    if name not in table.field_names:
        return _text_column(name, values)
    f = table.field(name)
    column = _fast_column(f, values)
    if column is None:
        rows = numbers if numbers is not None else range(1, len(values) + 1)
        column = _checked_column(f, values, rows, table, issues)
    return column
