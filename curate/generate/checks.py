"""The checks of a table as polars expressions, evaluated together in one pass.

Each `Check` is True where a row passes. The plan is built once per table from the
schema: field constraints (the same ones the pandera export carries), finiteness of
numbers, and the SQL row rules. The engine selects every check in a single polars pass,
so the cost per check is a column of booleans, not a pass over the data. Uniqueness and
foreign keys span batches and tables: the engine checks them on the keys it collects.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import polars as pl

from curate.schema.model import Field, RowRule, Schema, Severity, Table

__all__ = [
    "TEXT_CONTROLS",
    "Check",
    "rule_expression",
    "table_checks",
    "text_control_checks",
    "text_controls_absent",
]


@dataclass(frozen=True)
class Check:
    """One check: its report code, severity, the field(s) it names, and where rows pass
    (`ok`, an expression). `column_ok`, where given, computes the same verdict from the
    field's column alone, faster than `ok` in a select: the engine uses it, the pandera
    reference engine uses `ok`, and property tests keep the two in agreement."""

    code: str
    severity: Severity
    field: str
    fields: tuple[str, ...]
    message: str
    ok: pl.Expr
    column_ok: Callable[[pl.Series], pl.Series] | None = None


def rule_expression(rule: RowRule) -> pl.Expr:
    """A rule as a polars expression that is True where the row passes (NULL passes)."""
    return pl.sql_expr(rule.check).fill_null(True)


# Invisible characters that change how text reads or displays: C0 controls other than
# tab and newlines, DEL and the C1 controls, the Arabic letter mark, zero-width
# characters, line and paragraph separators, bidirectional embeddings, overrides and
# isolates, and the BOM. Ids and codes cannot hold them (patterns and vocabularies refuse
# them); free text that does is flagged for a person to look at.
TEXT_CONTROLS = (
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff]"
)


_Text = TypeVar("_Text", pl.Expr, pl.Series)

# The ASCII ones alone, in classes of at most nine bytes: polars' regular expressions
# find such a class as fast as a single byte (several gigabytes a second), a larger one
# at a tenth of that speed.
_ASCII_CONTROLS = ("[\x00-\x08]", "[\x0b\x0c\x0e-\x14]", "[\x15-\x1d]", "[\x1e\x1f\x7f]")
# Below this many bytes a cell on average, one pass of `TEXT_CONTROLS` costs less than
# the several passes of the split search.
_LONG_TEXT = 64


def _no_text_controls(column: _Text) -> _Text:
    """The check's verdict by one regular expression: True where `column` is null or
    holds none of `TEXT_CONTROLS`."""
    return column.is_null() | ~column.str.contains(TEXT_CONTROLS)


def text_controls_absent(column: pl.Series) -> pl.Series:
    """True where a text column holds none of `TEXT_CONTROLS` (and where it is null).

    One regular expression with every such character scans text at about half a
    gigabyte a second, and free text is most of a record's bytes. On long text the
    search is split: the ASCII controls in small classes (fast), and the whole
    expression only on the rows that hold any non-ASCII character."""
    if column.str.len_bytes().sum() < _LONG_TEXT * column.len():
        return _no_text_controls(column)
    found = functools.reduce(
        operator.or_, (column.str.contains(pattern) for pattern in _ASCII_CONTROLS)
    )
    non_ascii = (column.str.len_bytes() != column.str.len_chars()).fill_null(False)
    rows = non_ascii.arg_true()
    if rows.len():
        flagged = column.gather(rows).str.contains(TEXT_CONTROLS).fill_null(False)
        found = found.scatter(rows.filter(flagged), True)
    return found.fill_null(False).not_().alias(column.name)


def text_control_checks(table: Table) -> list[Check]:
    """A warning for each free-text field (no vocabulary, no pattern) holding
    `TEXT_CONTROLS`."""
    return [
        Check(
            "text-control",
            "warning",
            f.name,
            (f.name,),
            f"{f.name} holds invisible or bidirectional control characters",
            _no_text_controls(pl.col(f.name)),
            text_controls_absent,
        )
        for f in table.fields
        if f.type == "string" and f.enum is None and f.pattern is None
    ]


def _field_checks(f: Field) -> list[Check]:
    column = pl.col(f.name)
    absent = column.is_null()
    checks: list[Check] = []

    def add(code: str, message: str, ok: pl.Expr) -> None:
        checks.append(Check(code, "error", f.name, (f.name,), message, ok))

    if f.required:
        add("required", f"{f.name} is required", ~absent)
    if f.type == "string":
        code = "required" if f.required else "range"
        add(
            code,
            f"{f.name} must not be empty (leave it out when unknown)",
            absent | (column.str.len_bytes() > 0),
        )
    if f.type == "number":
        add(
            "range",
            f"{f.name} must be a finite number (NaN and infinity are refused)",
            absent | column.is_finite(),
        )
    if f.enum is not None:
        add(
            "enum",
            f"{f.name} must be one of the {f.vocabulary} vocabulary",
            absent | column.is_in(list(f.enum)),
        )
    if f.pattern is not None:
        add("pattern", f"{f.name} must match {f.pattern}", absent | column.str.contains(f.pattern))
    if f.max_length is not None:
        add(
            "range",
            f"{f.name} is longer than {f.max_length} characters",
            absent | (column.str.len_chars() <= f.max_length),
        )
    if f.minimum is not None or f.maximum is not None:
        bounded = pl.lit(True)
        if f.minimum is not None:
            bounded = bounded & (column >= f.minimum)
        if f.maximum is not None:
            bounded = bounded & (column <= f.maximum)
        # A NaN or infinite number is reported once, as not finite (above).
        add(
            "range",
            f"{f.name} {f.range_text()}",
            absent | bounded | column.is_finite().not_()
            if f.type == "number"
            else absent | bounded,
        )
    return checks  # `unique` is checked across batches by the engine's key index


@functools.cache
def _plan(schema: Schema, table_name: str) -> tuple[Check, ...]:
    table: Table = schema.table(table_name)
    checks = [check for f in table.fields for check in _field_checks(f)]
    checks += text_control_checks(table)
    for rule in schema.row_rules_for(table.name):
        ok = rule_expression(rule)
        checks.append(
            Check(rule.code, rule.severity, ",".join(rule.fields), rule.fields, rule.message, ok)
        )
    return tuple(checks)


def table_checks(schema: Schema, table: Table) -> tuple[Check, ...]:
    """Every row-level check of `table`, field checks first, then the rules."""
    return _plan(schema, table.name)
