"""Pandera schemas generated from the canonical schema: polars first, pandas too.

Every check carries its report code at the start of its error text (`"<code>: <what>"`),
so a failure case maps back to DESIGN.md's stable codes without guessing. Row rules from
rules.yaml become DataFrame-level checks evaluated with `pl.sql_expr`, on both backends,
so the SQL text runs unchanged. Pandera's own failures map to codes in `PANDERA_CODES`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import Any

import pandas as pd
import pandera.pandas as pap
import pandera.polars as pap_polars
import polars as pl
import pyarrow as pa
from pandera.api.polars.types import PolarsData

from curate.generate.checks import rule_expression
from curate.schema.dtypes import ARROW_TYPES, POLARS_TYPES
from curate.schema.model import Field, RowRule, Schema, Table

# Importing pandera sets PYARROW_IGNORE_TIMEZONE=1 (for its pyspark backend): pyarrow would
# then drop time zones in this process and in every command it starts, so that a Parquet
# instant read after a pandera import is its wall-clock time. curate's values must not
# depend on which library was imported first.
os.environ.pop("PYARROW_IGNORE_TIMEZONE", None)

__all__ = [
    "FINITE_ERROR",
    "PANDERA_CODES",
    "code_of_check",
    "pandera_pandas_schema",
    "pandera_polars_schema",
    "render",
]

# Pandera's built-in failure names and the report codes they stand for.
PANDERA_CODES: dict[str, str] = {
    "not_nullable": "required",
    "column_in_dataframe": "required",
    "field_uniqueness": "unique",
    "column_in_schema": "unknown-field",
}


def code_of_check(check: str) -> str:
    """The report code of a pandera failure-case `check` text."""
    if check in PANDERA_CODES:
        return PANDERA_CODES[check]
    if check.startswith("dtype("):
        return "type-error"
    code, separator, _ = check.partition(": ")
    return code if separator else "type-error"


def _portable_checks(f: Field) -> list[Any]:
    """Checks that pandera implements for both backends."""
    checks: list[Any] = []
    if f.type == "string":
        empty = (
            "required: must not be empty"
            if f.required
            else "range: must not be empty (leave it out when unknown)"
        )
        checks.append(pap.Check.str_length(min_value=1, error=empty))
    if f.enum is not None:
        checks.append(
            pap.Check.isin(
                list(f.enum), error=f"enum: must be one of the {f.vocabulary} vocabulary"
            )
        )
    if f.pattern is not None:
        checks.append(pap.Check.str_matches(f.pattern, error=f"pattern: must match {f.pattern}"))
    if f.max_length is not None:
        checks.append(
            pap.Check.str_length(
                max_value=f.max_length, error=f"range: longer than {f.max_length} characters"
            )
        )
    if f.minimum is not None or f.maximum is not None:
        if f.minimum is not None and f.maximum is not None:
            checks.append(
                pap.Check.in_range(f.minimum, f.maximum, error=f"range: {f.range_text()}")
            )
        elif f.minimum is not None:
            checks.append(pap.Check.ge(f.minimum, error=f"range: {f.range_text()}"))
        else:
            checks.append(pap.Check.le(f.maximum, error=f"range: {f.range_text()}"))
    return checks


FINITE_ERROR = "range: must be a finite number (NaN and infinity are refused)"


def pandera_polars_schema(schema: Schema, table: Table) -> pap_polars.DataFrameSchema:
    """Pandera-polars schema of `table`, with its row rules as DataFrame checks."""

    def present(data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).is_not_null())

    def finite(data: PolarsData) -> pl.LazyFrame:
        column = pl.col(data.key)
        return data.lazyframe.select(column.is_finite() | column.is_null())

    def rule_check(rule: RowRule) -> Callable[[PolarsData], pl.LazyFrame]:
        return lambda data: data.lazyframe.select(rule_expression(rule))

    columns = {}
    for f in table.fields:
        checks = _portable_checks(f)
        nullable = not f.required
        if f.type == "number":
            checks.insert(0, pap_polars.Check(finite, error=FINITE_ERROR))
            if f.required:
                # pandera-polars counts NaN as null; NaN is a bad value (range), not a
                # missing one, so "required" is checked here on true nulls only.
                checks.insert(0, pap_polars.Check(present, error=f"required: {f.name} is required"))
                nullable = True
        columns[f.name] = pap_polars.Column(
            POLARS_TYPES[f.type],
            nullable=nullable,
            unique=f.unique,
            required=True,
            checks=checks,
        )
    rules = [
        pap_polars.Check(rule_check(rule), error=f"{rule.code}: {rule.message}", name=rule.code)
        for rule in schema.row_rules_for(table.name)
        if rule.severity == "error"
    ]
    return pap_polars.DataFrameSchema(columns, checks=rules, strict=True, name=table.name)


def pandas_dtype(f: Field) -> pd.ArrowDtype:
    """pandas dtype of a field: Arrow-backed, so nullable integers stay integers."""
    arrow_type: pa.DataType = ARROW_TYPES[f.type]
    return pd.ArrowDtype(arrow_type)


def pandera_pandas_schema(schema: Schema, table: Table) -> pap.DataFrameSchema:
    """Pandera-pandas schema of `table` for Arrow-backed frames (`dtype_backend="pyarrow"`)."""

    def finite(series: pd.Series[Any]) -> pd.Series[bool]:
        values = pl.from_pandas(series.rename("value"))
        ok = values.is_finite() | values.is_null()
        return pd.Series(ok.to_list(), index=series.index, dtype=bool)

    def rule_check(rule: RowRule) -> Callable[[pd.DataFrame], pd.Series[bool]]:
        def check(frame: pd.DataFrame) -> pd.Series[bool]:
            ok = pl.from_pandas(frame).select(rule_expression(rule)).to_series()
            return pd.Series(ok.to_list(), index=frame.index, dtype=bool)

        return check

    columns = {}
    for f in table.fields:
        checks = _portable_checks(f)
        if f.type == "number":
            checks.insert(0, pap.Check(finite, error=FINITE_ERROR))
        columns[f.name] = pap.Column(
            pandas_dtype(f), nullable=not f.required, unique=f.unique, checks=checks
        )
    rules = [
        pap.Check(rule_check(rule), error=f"{rule.code}: {rule.message}", name=rule.code)
        for rule in schema.row_rules_for(table.name)
        if rule.severity == "error"
    ]
    return pap.DataFrameSchema(columns, checks=rules, strict=True, name=table.name)


def render(schema: Schema, tables: tuple[Table, ...]) -> str:
    """The pandera-polars schemas in pandera's YAML form, with what YAML cannot carry."""
    blocks = []
    for table in tables:
        custom = [
            f"#   {rule.code}: {rule.check}"
            for rule in schema.row_rules_for(table.name)
            if rule.severity == "error"
        ]
        numbers = [f.name for f in table.fields if f.type == "number"]
        header = [
            f"# {table.name} (schema {schema.name} {schema.version})",
            "# Pandera's YAML cannot carry custom checks;",
            "# curate.generate.pandera.pandera_polars_schema() builds the full schema, which adds:",
            f"#   finiteness (no NaN or infinity) of: {', '.join(numbers) or 'none'}",
            *custom,
        ]
        with warnings.catch_warnings():
            # pandera warns about each custom check it cannot serialise; the header says so.
            warnings.simplefilter("ignore", UserWarning)
            text = pandera_polars_schema(schema, table).to_yaml() or ""
        blocks.append("\n".join(header) + "\n" + text)
    return "\n".join(blocks)
