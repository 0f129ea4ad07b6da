"""Validation through the generated pandera-polars schema (`validate(..., engine="pandera")`).

The reference implementation: pandera runs each check as its own pass over the data, so
it is slower than the single-pass engine in `curate.validation`, and the property tests
require both to report the same codes on the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl
from pandera.errors import SchemaErrors

from curate.generate.checks import rule_expression, text_control_checks
from curate.generate.pandera import FINITE_ERROR, code_of_check, pandera_polars_schema
from curate.readers.conform import conform, describe_type
from curate.readers.rows import rows_to_frame
from curate.report import Issue, Report, truncate
from curate.schema.model import Schema, Table

__all__ = ["validate_with_pandera"]


def _row_value(frame: pl.DataFrame, index: int, fields: tuple[str, ...]) -> str | None:
    from curate.validation.table import rule_values

    return rule_values(frame, fields, [index])[0]


def _table_issues(
    frame: pl.DataFrame, table: Table, schema: Schema, prior: list[Issue]
) -> tuple[list[Issue], pl.DataFrame]:
    conformed = conform(frame, table)
    typed = conformed.frame
    issues = list(prior)
    for name, mask in conformed.type_failed.items():
        f = table.field(name)
        for index in mask.arg_true().to_list():
            issues.append(
                Issue(
                    "type-error",
                    "error",
                    table.name,
                    index + 1,
                    name,
                    truncate(frame[index, name]),
                    f"{name} must be {describe_type(f)}",
                )
            )
    skip = {(i.row, i.field) for i in issues}
    try:
        pandera_polars_schema(schema, table).validate(typed, lazy=True)
    except SchemaErrors as errors:
        cases = list(errors.failure_cases.iter_rows(named=True))
        # A NaN or infinite number is reported once, as not finite, by both engines;
        # pandera's bounds checks would report it again where NaN is out of bounds.
        non_finite = {(c["index"], c["column"]) for c in cases if str(c["check"]) == FINITE_ERROR}
        for case in cases:
            issue = _issue_from_case(case, typed, table, schema)
            if issue.code == "required" and (issue.row, issue.field) in skip:
                continue
            bounds = issue.code == "range" and str(case["check"]) != FINITE_ERROR
            if bounds and (case["index"], case["column"]) in non_finite:
                continue
            if (
                issue.code == "required"
                and issue.row is not None
                and issue.field in conformed.missing_required
            ):
                continue
            issues.append(issue)
    # Warnings never fail a pandera schema: the same expressions as the main engine.
    warnings = [
        (rule.code, rule.fields, rule.message, rule_expression(rule))
        for rule in schema.row_rules_for(table.name)
        if rule.severity == "warning"
    ] + [(c.code, c.fields, c.message, c.ok) for c in text_control_checks(table)]
    for code, fields, message, ok in warnings:
        for index in typed.select(ok.not_().arg_true()).to_series().to_list():
            one = len(fields) == 1  # as the main engine: a plain value for one field
            value = truncate(typed[index, fields[0]]) if one else _row_value(typed, index, fields)
            field = ",".join(fields)
            issues.append(Issue(code, "warning", table.name, index + 1, field, value, message))
    return issues, typed.select(table.field_names)


def _issue_from_case(
    case: dict[str, Any], frame: pl.DataFrame, table: Table, schema: Schema
) -> Issue:
    check = str(case["check"])
    code = code_of_check(check)
    index = case["index"]
    row = None if index is None else int(index) + 1
    if code.startswith("rule:"):
        rule = next(r for r in schema.row_rules_for(table.name) if r.code == code)
        value = None if index is None else _row_value(frame, int(index), rule.fields)
        return Issue(code, "error", table.name, row, ",".join(rule.fields), value, rule.message)
    if check in ("column_in_schema", "column_in_dataframe"):
        name = str(case["failure_case"])
        return Issue(code, "error", table.name, None, name, None, f"column {name!r}: {code}")
    column = case["column"]
    detail = check.partition(": ")[2] or check
    return Issue(
        code, "error", table.name, row, column, truncate(case["failure_case"]), f"{column} {detail}"
    )


def validate_with_pandera(
    inputs: Mapping[str, Any], schema: Schema, max_issues: int | None
) -> Report:
    """Validate in-memory tables with pandera; keys across tables as in the main engine."""
    from curate.validation.across import check_dataset_rules, check_references
    from curate.validation.frames import to_polars
    from curate.validation.internal import FILE, ROW
    from curate.validation.keys import Keys

    report = Report(max_issues=max_issues)
    rejected: dict[str, set[int]] = {}
    typed: dict[str, pl.DataFrame] = {}
    keys: dict[str, Keys] = {}
    for name, given in inputs.items():
        table = schema.table(name)
        frame, prior = (
            rows_to_frame(given, table) if isinstance(given, list) else (to_polars(given), [])
        )
        issues, typed[name] = _table_issues(frame, table, schema, prior)
        report.count_rows(name, frame.height)
        report.extend(issues)
        rejected[name] = {i.row for i in issues if i.severity == "error" and i.row is not None}
        typed[name] = (
            typed[name]
            .with_row_index(ROW, offset=1)
            .with_columns(pl.col(ROW).cast(pl.Int64), pl.lit(0, dtype=pl.UInt32).alias(FILE))
        )
        keys[name] = Keys.of(typed[name], table)
    offending = check_references(keys, schema, report)
    for table_name, pieces in check_dataset_rules(typed, schema, report).items():
        offending[table_name] += pieces
    for table_name, pieces in offending.items():
        for piece in pieces:
            rejected[table_name].update(piece.get_column(ROW).to_list())
        report.rejected[table_name] = len(rejected[table_name])
    return report
