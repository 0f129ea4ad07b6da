"""Dates as dataset exports write them, parsed by polars on the distinct values only.

Accepted forms: ISO (`2020-03-21`, also with a time, as UCDP writes it), `21 March 2020`,
`21 Mar 2020`, `9-May-20`, `9-May-2020`, `21/03/2020` and `21/03/20` (day first, as
ACLED writes it) and `March 21, 2020`. A four-digit form needs all four digits of the
year (`1/2/03` is not `1/2/0003`), a two-digit form both (`1/2/3` is no date). A
two-digit year is read as polars reads it (00-69 are 2000-2069, 70-99 are 1970-1999);
`with_year` puts it in the century of a year column where there is one.
"""

from __future__ import annotations

import polars as pl

__all__ = ["DATE_FORMATS", "parse_dates", "with_year"]

_TWO_DIGIT_FORMATS = ("%d-%b-%y", "%d-%B-%y", "%d %b %y", "%d %B %y", "%d/%m/%y")
DATE_FORMATS = (
    *_TWO_DIGIT_FORMATS,
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.fZ",
    "%d %B %Y",
    "%d %b %Y",
    "%d-%b-%Y",
    "%d-%B-%Y",
    "%d/%m/%Y",
    "%B %d, %Y",
    "%b %d, %Y",
)
# The year's digits, as each kind of form must have them: polars would take fewer.
_FOUR_DIGITS = r"(?:^|\D)\d{4}(?:\D|$)"
_TWO_DIGITS = r"\D\d{2}$"  # every two-digit form ends with its year


def parse_dates(texts: pl.Series) -> pl.Series:
    """The dates of `texts` (null where a text is missing or not a date in a known form);
    each distinct text is parsed once."""
    distinct = texts.unique().drop_nulls().to_frame("text")
    text = pl.col("text").str.strip_chars()
    digits = {True: text.str.contains(_TWO_DIGITS), False: text.str.contains(_FOUR_DIGITS)}
    parsed = distinct.with_columns(
        pl.coalesce(
            [
                pl.when(digits[f in _TWO_DIGIT_FORMATS]).then(text.str.to_date(f, strict=False))
                for f in DATE_FORMATS
            ]
        ).alias("date")
    )
    return (
        texts.to_frame("text")
        .join(parsed, on="text", how="left", maintain_order="left")
        .get_column("date")
        .alias(texts.name)
    )


def with_year(date: pl.Expr, text: pl.Expr, year: pl.Expr) -> pl.Expr:
    """`date`, parsed from `text`, moved into the century of `year` where it was written
    with a two-digit year that `year` ends with; otherwise unchanged (a date whose year
    still differs from `year` is the caller's to refuse)."""
    shift = year.str.strip_chars().cast(pl.Int32, strict=False) - date.dt.year()
    two_digit = ~text.str.contains(_FOUR_DIGITS)
    wrong_century = two_digit & (shift % 100 == 0) & (shift != 0)
    moved = date.dt.offset_by(pl.concat_str(shift.cast(pl.String), pl.lit("y")))
    return pl.when(wrong_century.fill_null(False)).then(moved).otherwise(date)
