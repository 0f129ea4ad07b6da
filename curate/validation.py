"""Validate records against the canonical schema and return a `Report`.

Field checks and the error rules run through the generated pandera-polars schema;
warning rules, foreign keys and dataset rules run as polars expressions and SQL. Input may
be a polars DataFrame or LazyFrame (collected, so the data is checked and not only the
schema), a pandas DataFrame or an Arrow table; a mapping of table name to frame validates
a whole dataset, keys across tables included.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl
from pandera.errors import SchemaErrors

from curate.conform import conform
from curate.errors import InputError
from curate.export.pandera import code_of_check, polars_schema, rule_expression
from curate.report import Issue, Report, truncate
from curate.rows import rows_to_frame
from curate.schema import Schema, Table, load_schema

__all__ = ["check_dataset", "check_table", "to_polars", "validate"]

Frame = Any  # polars DataFrame/LazyFrame, pandas DataFrame, pyarrow Table or a list of dicts


def to_polars(data: Frame) -> pl.DataFrame:
    """A polars DataFrame from any supported in-memory frame."""
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, pl.LazyFrame):
        return data.collect()
    try:
        converted = pl.from_pandas(data) if _is_pandas(data) else pl.from_arrow(data)
    except (TypeError, ValueError) as exc:
        raise InputError(f"cannot validate an object of type {type(data).__name__}: {exc}") from exc
    if not isinstance(converted, pl.DataFrame):
        raise InputError(f"cannot validate an object of type {type(data).__name__}")
    return converted


def _is_pandas(data: object) -> bool:
    return type(data).__module__.startswith("pandas")


def _row(index: int | None, row_numbers: pl.Series | None) -> int | None:
    if index is None:
        return None
    return int(row_numbers[index]) if row_numbers is not None else index + 1


def _rule_value(frame: pl.DataFrame, index: int, fields: tuple[str, ...]) -> str | None:
    return truncate(", ".join(f"{name}={frame[index, name]}" for name in fields))


def check_table(
    frame: pl.DataFrame,
    table: Table,
    schema: Schema,
    row_numbers: pl.Series | None = None,
    prior: Sequence[Issue] = (),
) -> tuple[list[Issue], pl.DataFrame]:
    """Every row-level issue of one table's frame (field checks, row rules, keys within it),
    and the frame conformed to the schema's types (for the checks across tables).

    `prior` holds type errors a reader already found; their cells are null in `frame` and
    are not reported again as missing."""
    conformed = conform(frame, table, row_numbers)
    typed = conformed.frame
    issues = [*prior, *conformed.issues]
    flagged = {(issue.row, issue.field) for issue in issues}
    try:
        polars_schema(schema, table).validate(typed, lazy=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases
        for case in cases.iter_rows(named=True):
            issue = _issue_from_case(case, typed, table, schema, row_numbers)
            if issue.field in conformed.missing_required and issue.code == "required":
                continue
            if issue.code == "required" and (issue.row, issue.field) in flagged:
                continue  # a cell that failed its type is already reported as type-error
            issues.append(issue)
    for rule in schema.row_rules_for(table.name):
        if rule.severity != "warning":
            continue
        failing = typed.select(rule_expression(rule).not_().arg_true()).to_series()
        for index in failing.to_list():
            issues.append(
                Issue(
                    rule.code,
                    rule.severity,
                    table.name,
                    _row(index, row_numbers),
                    ",".join(rule.fields),
                    _rule_value(typed, index, rule.fields),
                    rule.message,
                )
            )
    return issues, typed.select(table.field_names)


def _issue_from_case(
    case: dict[str, Any],
    frame: pl.DataFrame,
    table: Table,
    schema: Schema,
    row_numbers: pl.Series | None,
) -> Issue:
    check = str(case["check"])
    code = code_of_check(check)
    index = case["index"]
    row = _row(index, row_numbers)
    if code.startswith("rule:"):
        rule = next(r for r in schema.row_rules_for(table.name) if r.code == code)
        value = None if index is None else _rule_value(frame, index, rule.fields)
        return Issue(code, "error", table.name, row, ",".join(rule.fields), value, rule.message)
    if code == "unknown-field":
        name = str(case["failure_case"])
        return Issue(
            code, "error", table.name, None, name, None, f"{name!r} is not a field of {table.name}"
        )
    column = case["column"]
    if code == "required" and check == "column_in_dataframe":
        name = str(case["failure_case"])
        return Issue(
            code, "error", table.name, None, name, None, f"required column {name!r} is missing"
        )
    if code == "required":
        return Issue(code, "error", table.name, row, column, None, f"{column} is required")
    if code == "unique":
        return Issue(
            code,
            "error",
            table.name,
            row,
            column,
            truncate(case["failure_case"]),
            f"{column} is not unique",
        )
    detail = check.partition(": ")[2] or check
    return Issue(
        code, "error", table.name, row, column, truncate(case["failure_case"]), f"{column} {detail}"
    )


def check_dataset(frames: Mapping[str, pl.DataFrame], schema: Schema) -> list[Issue]:
    """Issues across tables: foreign keys and dataset rules. Frames must be conformed."""
    issues: list[Issue] = []
    indexed = {name: frame.with_row_index("__row", offset=1) for name, frame in frames.items()}
    for name, frame in indexed.items():
        table = schema.table(name)
        for fk in table.foreign_keys:
            if fk.table not in indexed:
                continue
            parent = indexed[fk.table].select(
                [pl.col(p).alias(c) for c, p in zip(fk.fields, fk.reference_fields, strict=True)]
            )
            present = frame.drop_nulls(list(fk.fields))
            dangling = present.join(parent, on=list(fk.fields), how="anti", nulls_equal=False)
            for record in dangling.select("__row", *fk.fields).iter_rows(named=True):
                field = ",".join(fk.fields)
                value = truncate(",".join(str(record[c]) for c in fk.fields))
                issues.append(
                    Issue(
                        "foreign-key",
                        "error",
                        name,
                        record["__row"],
                        field,
                        value,
                        f"{field} {value!r} does not match any "
                        f"{fk.table}.{','.join(fk.reference_fields)}",
                    )
                )
    if set(frames) >= set(schema.table_names):
        context = pl.SQLContext(frames=dict(frames.items()))
        for rule in schema.dataset_rules:
            table = schema.table(rule.table)
            keys = context.execute(rule.query, eager=True)
            keys.columns = list(table.primary_key)
            offending = indexed[rule.table].join(keys, on=list(table.primary_key), how="semi")
            for record in offending.select("__row", *table.primary_key).iter_rows(named=True):
                key = ",".join(str(record[k]) for k in table.primary_key)
                issues.append(
                    Issue(
                        rule.code,
                        rule.severity,
                        rule.table,
                        record["__row"],
                        None,
                        truncate(key),
                        rule.message,
                    )
                )
    return issues


def validate(
    data: Frame | Mapping[str, Frame],
    table: str | None = None,
    *,
    schema: Schema | None = None,
    max_issues: int | None = None,
) -> Report:
    """Validate one table's frame (`table` names it) or a mapping of table name to frame."""
    schema = schema or load_schema()
    report = Report(max_issues=max_issues)
    if isinstance(data, Mapping):
        inputs = {schema.table(name).name: frame for name, frame in data.items()}
    else:
        if table is None:
            raise InputError("name the table to validate (events, claims or sources)")
        inputs = {schema.table(table).name: data}
    typed: dict[str, pl.DataFrame] = {}
    for name, given in inputs.items():
        if isinstance(given, list):
            frame, prior = rows_to_frame(given, schema.table(name))
        else:
            frame, prior = to_polars(given), []
        report.count_rows(name, frame.height)
        issues, typed[name] = check_table(frame, schema.table(name), schema, prior=prior)
        report.extend(issues)
    report.extend(check_dataset(typed, schema))
    return report
