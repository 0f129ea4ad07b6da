"""CSV that a spreadsheet opens without running anything (formula injection).

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula (and a
leading control character, such as a tab, a carriage return or a NUL that some
readers drop, can hide one), so a hostile value such as
`=HYPERLINK(...)` or `-2+3+cmd|' /C calc'!A0` in a record must not reach it as it is.
Such a cell is written with a leading apostrophe, which spreadsheets take as "text"
and do not show. Two exceptions keep the data exact:

- a cell that is a plain decimal number (`-99.8237`, `+3`, `1e-5`) is a number, not a
  formula, and is written as it is (a longitude must stay a number);
- a cell that already starts with an apostrophe followed by one of those characters or
  another apostrophe gets one more, so that removing one leading apostrophe
  (`unescape_formula`) always gives the value back.
"""

from __future__ import annotations

import re

import polars as pl

__all__ = ["FORMULA_STARTS", "csv_text", "escape_formula", "formula_safe", "unescape_formula"]

FORMULA_STARTS = ("=", "+", "-", "@", *map(chr, range(0x20)), "\x7f")
_STARTS = "=+\\-@\\x00-\\x1f\\x7f"
_RISKY = f"^[{_STARTS}]"
_ESCAPED = f"^'[{_STARTS}']"
_PLAIN_NUMBER = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"


def formula_safe(cell: pl.Expr) -> pl.Expr:
    """`cell` (text) with a leading apostrophe where a spreadsheet could run it."""
    risky = cell.str.contains(_RISKY) & ~cell.str.contains(_PLAIN_NUMBER)
    escape = risky | cell.str.contains(_ESCAPED)
    return pl.when(escape.fill_null(False)).then(pl.lit("'") + cell).otherwise(cell)


def escape_formula(text: str) -> str:
    """`formula_safe` for one value."""
    risky = re.match(_RISKY, text) is not None and re.fullmatch(_PLAIN_NUMBER, text) is None
    return "'" + text if risky or re.match(_ESCAPED, text) else text


def unescape_formula(text: str) -> str:
    """The value of a cell written by `formula_safe`: one leading apostrophe removed
    where it was added."""
    return text[1:] if re.match(_ESCAPED, text) else text


def csv_text(frame: pl.DataFrame) -> str:
    """`frame` (text columns) as formula-safe CSV: a header row, fields quoted where
    needed, missing values empty, lines ended by a line feed."""
    safe = frame.select(formula_safe(pl.col(name)).alias(name) for name in frame.columns)
    return safe.write_csv(null_value="")
