"""Polars expressions the importers share: a column as read, a value looked up once per
distinct value, a whole number parsed, and a row's rejection reason and warnings from
named checks."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import polars as pl

__all__ = [
    "UNTERMINATED",
    "as_read",
    "coded",
    "column_as_read",
    "coordinate_checks",
    "coordinates",
    "first_reason",
    "flagged",
    "on_distinct",
    "per_distinct",
    "unterminated_row",
    "whole_number",
]

UNTERMINATED = "the last record has no line break after it: check that it is complete"


def as_read(name: str, header: Sequence[str], prefix: str) -> pl.Expr:
    """Column `name` of the export (stored as `prefix + name`); null where the file has
    no such column."""
    if name in header:
        return pl.col(prefix + name)
    return pl.lit(None, dtype=pl.String)


def column_as_read(frame: pl.DataFrame, name: str, header: Sequence[str], prefix: str) -> pl.Series:
    """`as_read` as a series of `frame` (all null where the file has no such column)."""
    if name in header:
        return frame.get_column(prefix + name)
    return pl.Series(name, [None] * frame.height, dtype=pl.String)


def per_distinct(values: pl.Series, resolve: Callable[[str], str | None]) -> pl.Series:
    """`resolve` applied once to each distinct value (exports repeat their codes, names
    and dates a great deal); null stays null."""
    mapping = {value: resolve(value) for value in values.drop_nulls().unique().to_list()}
    return values.replace_strict(mapping, default=None, return_dtype=pl.String)


def coded(values: pl.Series, mapping: Mapping[str, str | None]) -> pl.Series:
    """`values` looked up in `mapping` in lower case (null where not a key)."""
    return per_distinct(values, lambda value: mapping.get(value.strip().lower()))


def on_distinct(frame: pl.DataFrame, column: str, exprs: Mapping[str, pl.Expr]) -> pl.DataFrame:
    """`exprs` (over `column`) computed once per distinct value of `column`, as columns
    aligned with `frame`'s rows."""
    computed = frame.select(pl.col(column).unique()).with_columns(**exprs)
    return (
        frame.select(column)
        .join(computed, on=column, how="left", nulls_equal=True, maintain_order="left")
        .drop(column)
    )


def whole_number(text: pl.Expr) -> pl.Expr:
    """A whole number written as text ("7", "7.0"), null where the text is anything else."""
    number = text.cast(pl.Float64, strict=False)
    whole = number.is_finite() & (number == number.round(0)) & (number.abs() < 2.0**53)
    return pl.when(whole).then(number.cast(pl.Int64))


def first_reason(checks: Sequence[tuple[pl.Expr, str]]) -> pl.Expr:
    """The text of the first check that fails (its expression is true), or null."""
    return pl.coalesce(
        [pl.when(failed.fill_null(False)).then(pl.lit(reason)) for failed, reason in checks]
    )


def flagged(checks: Sequence[tuple[pl.Expr, str]]) -> pl.Expr:
    """The texts of every check whose expression is true, as a list (empty if none)."""
    return pl.concat_list(
        [pl.when(hit.fill_null(False)).then(pl.lit(text)) for hit, text in checks]
    ).list.drop_nulls()


def coordinates(latitude: pl.Expr, longitude: pl.Expr) -> list[pl.Expr]:
    """`latitude` and `longitude` as numbers (null where the text is not one)."""
    return [
        latitude.cast(pl.Float64, strict=False).alias("latitude"),
        longitude.cast(pl.Float64, strict=False).alias("longitude"),
    ]


def coordinate_checks(latitude: pl.Expr, longitude: pl.Expr) -> list[tuple[pl.Expr, str]]:
    """The rejection checks of the coordinates as read, against the `latitude` and
    `longitude` columns that `coordinates` made of them."""
    number_lat, number_lon = pl.col("latitude"), pl.col("longitude")
    in_range = number_lat.is_between(-90, 90) & number_lon.is_between(-180, 180)
    unreadable = (latitude.is_not_null() & number_lat.is_null()) | (
        longitude.is_not_null() & number_lon.is_null()
    )
    return [
        (unreadable | ~in_range.fill_null(True), "latitude or longitude is not a number in range"),
        (
            number_lat.is_null() != number_lon.is_null(),
            "latitude and longitude must be given together",
        ),
    ]


def unterminated_row(row: pl.Expr, last: int | None) -> tuple[pl.Expr, str]:
    """The warning check of a last record `last` that has no line break after it."""
    return pl.lit(last is not None) & (row == (last or 0)), UNTERMINATED
