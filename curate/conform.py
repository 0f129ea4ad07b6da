"""Bring a frame to the schema's exact column types, cell by cell.

A lossless conversion (int to float, an ISO date string to a date) is applied; a cell that
cannot be converted becomes a `type-error` issue on its row and is set to null, so the
other checks see the column with its proper type. Columns the schema lacks are left for
the `unknown-field` check; missing columns are added as nulls (a missing required column
is reported once, not on every row).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from curate.report import Issue, truncate
from curate.schema import Field, Table
from curate.types import POLARS_TYPES

__all__ = ["Conformed", "conform"]

_TRUE = ("true", "True", "TRUE", "1")
_FALSE = ("false", "False", "FALSE", "0")


@dataclass
class Conformed:
    """The typed frame, the cell-level type errors and the required columns that were absent."""

    frame: pl.DataFrame
    issues: list[Issue] = field(default_factory=list)
    missing_required: set[str] = field(default_factory=set)


def _from_string(column: pl.Expr, f: Field) -> pl.Expr:
    stripped = column.str.strip_chars()
    if f.type == "integer":
        return stripped.cast(pl.Int64, strict=False)
    if f.type == "number":
        return stripped.cast(pl.Float64, strict=False)
    if f.type == "boolean":
        return (
            pl.when(stripped.is_in(_TRUE))
            .then(True)
            .when(stripped.is_in(_FALSE))
            .then(False)
            .otherwise(None)
        )
    if f.type == "date":
        return stripped.str.to_date("%Y-%m-%d", strict=False)
    if f.type == "datetime":
        return (
            stripped.str.replace(r"Z$", "+00:00")
            .str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", strict=False, time_unit="us")
            .dt.convert_time_zone("UTC")
        )
    return stripped


def _converted(column: pl.Series, f: Field) -> pl.Series:
    """`column` converted to the field's type; cells that do not convert become null."""
    target = POLARS_TYPES[f.type]
    source = column.dtype
    expr = pl.col(column.name)
    if source == pl.String and f.type != "string":
        expr = _from_string(expr, f)
    elif f.type == "integer" and source.is_float():
        expr = pl.when(expr == expr.round(0)).then(expr.cast(pl.Int64, strict=False))
    elif f.type in ("integer", "number") and source.is_numeric() and source != pl.Boolean:
        expr = expr.cast(target, strict=False)
    elif f.type == "datetime" and isinstance(source, pl.Datetime) and source.time_zone is not None:
        expr = expr.dt.convert_time_zone("UTC").dt.cast_time_unit("us")
    elif source == pl.Null:
        expr = expr.cast(target)
    else:
        # Anything else (a naive datetime, a list, a struct, a number where text belongs)
        # is a type error: no silent conversion.
        expr = pl.lit(None, dtype=target)
    return column.to_frame().select(expr.cast(target, strict=False).alias(column.name)).to_series()


def conform(frame: pl.DataFrame, table: Table, row_numbers: pl.Series | None = None) -> Conformed:
    """Cast `frame` to `table`'s types; report each cell that does not convert."""
    result = Conformed(frame=frame)
    columns: list[pl.Series] = []
    height = frame.height
    for f in table.fields:
        target = POLARS_TYPES[f.type]
        if f.name not in frame.columns:
            if f.required:
                result.missing_required.add(f.name)
                result.issues.append(
                    Issue(
                        "required",
                        "error",
                        table.name,
                        None,
                        f.name,
                        None,
                        f"required column {f.name!r} is missing",
                    )
                )
            columns.append(pl.Series(f.name, [None] * height, dtype=target))
            continue
        column = frame.get_column(f.name)
        if column.dtype == target:
            columns.append(column)
            continue
        converted = _converted(column, f)
        failed = (converted.is_null() & column.is_not_null()).arg_true()
        for index in failed.to_list():
            row = int(row_numbers[index]) if row_numbers is not None else index + 1
            result.issues.append(
                Issue(
                    "type-error",
                    "error",
                    table.name,
                    row,
                    f.name,
                    truncate(column[index]),
                    f"{f.name} must be {_describe(f)}",
                )
            )
        columns.append(converted)
    extras = [
        frame.get_column(name) for name in frame.columns if name not in set(table.field_names)
    ]
    result.frame = pl.DataFrame([*columns, *extras])
    return result


def _describe(f: Field) -> str:
    return {
        "string": "text",
        "integer": "a whole number",
        "number": "a number",
        "boolean": "true or false",
        "date": "a date (YYYY-MM-DD)",
        "datetime": "a datetime with offset (YYYY-MM-DDTHH:MM:SSZ)",
    }[f.type]
