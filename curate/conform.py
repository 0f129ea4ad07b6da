"""Bring a frame to the schema's exact column types, cell by cell, without a Python loop.

A lossless conversion (int to float, ISO date text to a date, "true" to a boolean) is
applied; a cell that cannot be converted is nulled and marked in `type_failed`, so the
engine reports it as a `type-error` on its row and the other checks see the column with
its proper type. Missing columns are added as nulls; a missing required column is listed
in `missing_required` so that it is reported once, not on every row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from curate.schema import Field, Table
from curate.types import POLARS_TYPES

__all__ = ["Conformed", "conform", "describe_type"]

_TRUE = ("true", "True", "TRUE")
_FALSE = ("false", "False", "FALSE")


@dataclass
class Conformed:
    """The typed frame (schema fields first, unknown columns after), and what did not fit."""

    frame: pl.DataFrame
    type_failed: dict[str, pl.Series] = field(default_factory=dict)
    missing_required: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()


def _from_string(column: pl.Expr, f: Field) -> pl.Expr:
    if f.type == "integer":
        return column.str.strip_chars().cast(pl.Int64, strict=False)
    if f.type == "number":
        return column.str.strip_chars().cast(pl.Float64, strict=False)
    if f.type == "boolean":
        stripped = column.str.strip_chars()
        return pl.when(stripped.is_in(_TRUE)).then(True).when(stripped.is_in(_FALSE)).then(False)
    if f.type == "date":
        exact = column.str.contains(f"^{_DATE}$")
        return pl.when(exact).then(column.str.to_date("%Y-%m-%d", strict=False))
    if f.type == "datetime":
        exact = column.str.contains(f"^{_DATE}T{_TIME}$")
        parsed = column.str.replace(r"Z$", "+00:00").str.to_datetime(
            "%Y-%m-%dT%H:%M:%S%.f%:z", strict=False, time_unit="us", time_zone="UTC"
        )
        # In UTC too, the year stays within 0001-9999 (an offset can move it out).
        return pl.when(exact & parsed.dt.year().is_between(1, 9999)).then(parsed)
    return column


# The only text taken as a date or a datetime, before the calendar is checked: the
# RFC 3339 forms DESIGN.md names, nothing lax. Four-digit years 0001-9999 (no sign, no
# year 0, which Python's dates cannot hold), two-digit months and days, `T`, seconds
# 00-59 (a leap second is refused, not shifted into the next minute), at most the six
# decimals the store keeps (more are refused, not cut), and an offset: `Z` or +-HH:MM
# (a time without one is refused). ASCII digits only: `\d` would take any script's.
_DATE = r"(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-[0-9]{2}-[0-9]{2}"
_HOUR = r"(?:[01][0-9]|2[0-3])"
_TIME = rf"{_HOUR}:[0-5][0-9]:[0-5][0-9](?:\.[0-9]{{1,6}})?(?:Z|[+-]{_HOUR}:[0-5][0-9])"


def _conversion(source: pl.DataType, f: Field) -> pl.Expr | None:
    """How to convert a column of `source` type to the field's type; None when not allowed."""
    expr = pl.col(f.name)
    if source == pl.Null:
        return expr
    if source == pl.String:
        return _from_string(expr, f) if f.type != "string" else expr
    if f.type == "integer" and source.is_integer():
        return expr
    if f.type == "integer" and source.is_float():
        return pl.when(expr == expr.round(0)).then(expr)
    if f.type == "number" and (source.is_integer() or source.is_float()):
        return expr
    if f.type == "datetime" and isinstance(source, pl.Datetime) and source.time_zone is not None:
        return expr.dt.convert_time_zone("UTC").dt.cast_time_unit("us")
    return None  # a naive datetime, a list, a struct, a number where text belongs


def conform(frame: pl.DataFrame, table: Table) -> Conformed:
    """Cast `frame` to `table`'s types; mark each cell that does not convert."""
    present = set(frame.columns)
    known = set(table.field_names)
    expressions: list[pl.Expr] = []
    failed_masks: list[pl.Expr] = []
    missing: list[str] = []
    for f in table.fields:
        target = POLARS_TYPES[f.type]
        if f.name not in present:
            if f.required:
                missing.append(f.name)
            expressions.append(pl.lit(None, dtype=target).alias(f.name))
            continue
        source = frame.schema[f.name]
        if source == target:
            expressions.append(pl.col(f.name))
            continue
        conversion = _conversion(source, f)
        converted = (
            pl.lit(None, dtype=target)
            if conversion is None
            else conversion.cast(target, strict=False)
        )
        expressions.append(converted.alias(f.name))
        failed_masks.append((converted.is_null() & pl.col(f.name).is_not_null()).alias(f.name))
    unknown = tuple(name for name in frame.columns if name not in known)
    typed = frame.select(*expressions, *(pl.col(name) for name in unknown))
    type_failed: dict[str, pl.Series] = {}
    if failed_masks:
        for mask in frame.select(failed_masks).iter_columns():
            if mask.any():
                type_failed[mask.name] = mask
    return Conformed(typed, type_failed, tuple(missing), unknown)


def describe_type(f: Field) -> str:
    """The field's type as a person would say it, for messages."""
    return {
        "string": "text",
        "integer": "a whole number",
        "number": "a number",
        "boolean": "true or false",
        "date": "a date (YYYY-MM-DD)",
        "datetime": "a datetime with offset (YYYY-MM-DDTHH:MM:SSZ)",
    }[f.type]
