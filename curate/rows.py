"""Build a typed polars frame from rows of Python values (parsed JSON, generated records).

Each cell is checked against its field's type: a value of the wrong kind (a number where
text belongs, text that is not a date) becomes a `type-error` issue on its row and a null
cell, so one bad cell never hides the rest of the batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from curate.report import Issue, truncate
from curate.schema import Field, FieldType, Table
from curate.types import POLARS_TYPES

__all__ = ["rows_to_frame"]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_ACCEPTS: dict[FieldType, Any] = {
    "string": lambda v: isinstance(v, str),
    "integer": _is_int,
    "number": lambda v: _is_int(v) or isinstance(v, float),
    "boolean": lambda v: isinstance(v, bool),
    "date": lambda v: (
        isinstance(v, str) or (isinstance(v, dt.date) and not isinstance(v, dt.datetime))
    ),
    "datetime": lambda v: (
        isinstance(v, str) or (isinstance(v, dt.datetime) and v.tzinfo is not None)
    ),
}


def _column(f: Field, values: list[Any]) -> pl.Series:
    """A column of the field's type; date and datetime text is parsed later by `conform`."""
    if f.type in ("date", "datetime") and any(isinstance(v, str) for v in values):
        text = [v if v is None or isinstance(v, str) else v.isoformat() for v in values]
        return pl.Series(f.name, text, dtype=pl.String)
    if f.type == "number":
        values = [float(v) if v is not None else None for v in values]
    return pl.Series(f.name, values, dtype=POLARS_TYPES[f.type], strict=True)


def rows_to_frame(
    rows: Iterable[Mapping[str, Any]], table: Table, first_row: int = 1
) -> tuple[pl.DataFrame, list[Issue]]:
    """A frame of `table`'s fields (plus any unknown keys, as text) and the type errors found."""
    materialised = list(rows)
    issues: list[Issue] = []
    known = set(table.field_names)
    columns: list[pl.Series] = []
    for f in table.fields:
        accepts = _ACCEPTS[f.type]
        values: list[Any] = []
        for offset, row in enumerate(materialised):
            value = row.get(f.name)
            if value is not None and not accepts(value):
                issues.append(
                    Issue(
                        "type-error",
                        "error",
                        table.name,
                        first_row + offset,
                        f.name,
                        truncate(value),
                        f"{f.name} must be of type {f.type}, not {type(value).__name__}",
                    )
                )
                value = None
            values.append(value)
        columns.append(_column(f, values))
    extra = sorted({key for row in materialised for key in row} - known)
    for name in extra:
        columns.append(
            pl.Series(name, [truncate(row.get(name)) for row in materialised], dtype=pl.String)
        )
    return pl.DataFrame(columns), issues
