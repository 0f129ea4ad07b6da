"""The validation engine: typed batches, one polars pass of checks, keys across batches.

Each batch of a table is conformed to the schema's types (`conform`), then every check of
the table's plan (`checks.table_checks`: field constraints and SQL row rules) is
evaluated in a single `select`. Only counts are computed for every failure; issues are
materialised up to the report's limit. Primary keys and foreign-key values are collected
per batch (keys only, with row numbers) and checked when the table or dataset is done, so
uniqueness and references hold across batches and tables. Dataset rules (SQL across
tables) run on whole tables when a dataset is validated.

`engine="pandera"` validates in-memory frames with the generated pandera-polars schema
instead; property tests keep the two engines in agreement.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from curate.checks import Check, table_checks
from curate.conform import Conformed, conform, describe_type
from curate.errors import InputError
from curate.report import Issue, Report, truncate
from curate.rows import rows_to_frame
from curate.schema import Schema, Table, load_schema

__all__ = [
    "ROW",
    "Engine",
    "TableValidator",
    "check_dataset_rules",
    "check_references",
    "finish_tables",
    "to_polars",
    "validate",
]

Frame = Any  # polars DataFrame/LazyFrame, pandas DataFrame, pyarrow Table or a list of dicts
Engine = Literal["polars", "pandera"]
ROW = "__row"


def to_polars(data: Frame) -> pl.DataFrame:
    """A polars DataFrame from any supported in-memory frame (a LazyFrame is collected)."""
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, pl.LazyFrame):
        return data.collect()
    converted: pl.DataFrame | pl.Series
    try:
        if type(data).__module__.startswith("pandas"):
            converted = pl.from_pandas(data)
        else:
            converted = pl.from_arrow(data)
    except (TypeError, ValueError) as exc:
        raise InputError(f"cannot validate an object of type {type(data).__name__}: {exc}") from exc
    if not isinstance(converted, pl.DataFrame):
        raise InputError(f"cannot validate an object of type {type(data).__name__}")
    return converted


def _values(frame: pl.DataFrame, column: str, indices: list[int]) -> list[str | None]:
    series = frame.get_column(column).gather(indices)
    return [truncate(v) for v in series.to_list()]


def _rule_values(
    frame: pl.DataFrame, fields: tuple[str, ...], indices: list[int]
) -> list[str | None]:
    columns = [frame.get_column(name).gather(indices).to_list() for name in fields]
    return [
        truncate(", ".join(f"{name}={value}" for name, value in zip(fields, values, strict=True)))
        for values in zip(*columns, strict=True)
    ]


@dataclass
class TableValidator:
    """Validates one table's batches in input order and keeps the keys for later checks."""

    schema: Schema
    table: Table
    report: Report
    keys: list[pl.DataFrame] = field(default_factory=list)
    rejections: list[pl.DataFrame] = field(default_factory=list)
    _columns_reported: bool = False

    def feed(
        self, frame: pl.DataFrame, rows: pl.Series, prior: Sequence[Issue] = ()
    ) -> pl.DataFrame:
        """Check one batch; `rows` holds each row's number in the input. Returns the typed
        batch (schema fields and the row number), for checks across tables."""
        conformed = conform(frame, self.table)
        self._report_columns(conformed)
        for issue in prior:
            self.report.add(issue)
        self._reject(
            [i.row for i in prior if i.row is not None],
            [i.code for i in prior if i.row is not None],
        )
        checks = self._plan(conformed)
        typed = conformed.frame
        if checks:
            verdicts = typed.select([ok.alias(str(i)) for i, (_, ok) in enumerate(checks)])
            failures = verdicts.select(pl.all().not_().sum()).row(0)
            for index, ((check, _), count) in enumerate(zip(checks, failures, strict=True)):
                if not count:
                    continue
                failing = verdicts.get_column(str(index)).not_()
                self._tally(check, failing, int(count), typed, frame, rows)
                if check.severity == "error":
                    self._reject(rows.filter(failing), check.code)
        self.report.count_rows(self.table.name, frame.height)
        self.keys.append(typed.select(*self._key_columns()).with_columns(rows.alias(ROW)))
        return typed.select(self.table.field_names).with_columns(rows.alias(ROW))

    def _reject(self, rows: pl.Series | list[int], codes: str | list[str]) -> None:
        """Remember which rows failed with which error code (for counts and quarantine)."""
        if len(rows):
            self.rejections.append(
                pl.DataFrame({ROW: rows, "code": codes}, schema={ROW: pl.Int64, "code": pl.String})
            )

    def _report_columns(self, conformed: Conformed) -> None:
        """Missing and unknown columns: reported once per table, not once per batch."""
        if self._columns_reported:
            return
        self._columns_reported = True
        name = self.table.name
        for column in conformed.missing_required:
            self.report.add(
                Issue(
                    "required",
                    "error",
                    name,
                    None,
                    column,
                    None,
                    f"required column {column!r} is missing",
                )
            )
        for column in conformed.unknown:
            self.report.add(
                Issue(
                    "unknown-field",
                    "error",
                    name,
                    None,
                    column,
                    None,
                    f"{column!r} is not a field of {name}",
                )
            )

    def _plan(self, conformed: Conformed) -> list[tuple[Check, pl.Expr]]:
        """The table's checks adapted to this batch: type errors first, and no `required`
        failure where a cell was refused for its type or a whole column is missing."""
        plan: list[tuple[Check, pl.Expr]] = []
        masks = conformed.type_failed
        for name, mask in masks.items():
            f = self.table.field(name)
            check = Check(
                "type-error",
                "error",
                name,
                (name,),
                f"{name} must be {describe_type(f)}",
                pl.lit(True),
            )
            plan.append((check, pl.lit(~mask)))
        for check in table_checks(self.schema, self.table):
            if check.code == "required" and check.field in conformed.missing_required:
                continue
            ok = check.ok
            if check.code == "required" and check.field in masks:
                ok = ok | pl.lit(masks[check.field])
            plan.append((check, ok))
        return plan

    def _tally(
        self,
        check: Check,
        failing: pl.Series,
        count: int,
        typed: pl.DataFrame,
        raw: pl.DataFrame,
        rows: pl.Series,
    ) -> None:
        room = self.report.room
        if not room:
            self.report.tally(check.code, check.severity, count)
            return
        indices = failing.arg_true().head(room).to_list()
        if check.code == "type-error":
            values = _values(raw, check.field, indices)
        elif len(check.fields) == 1:
            values = _values(typed, check.field, indices)
        else:
            values = _rule_values(typed, check.fields, indices)
        numbers = rows.gather(indices).to_list()
        issues = (
            Issue(
                check.code, check.severity, self.table.name, row, check.field, value, check.message
            )
            for row, value in zip(numbers, values, strict=True)
        )
        self.report.tally(check.code, check.severity, count, issues)

    def _key_columns(self) -> list[str]:
        names = list(self.table.primary_key)
        for fk in self.table.foreign_keys:
            names += [c for c in fk.fields if c not in names]
        return names

    def finish(self) -> pl.DataFrame:
        """Check uniqueness of the primary key across all batches; return the keys seen."""
        keys = pl.concat(self.keys) if self.keys else pl.DataFrame()
        self.keys = []
        if keys.is_empty():
            return keys
        primary = list(self.table.primary_key)
        present = keys.drop_nulls(primary)
        duplicated = present.filter(pl.struct(primary).is_duplicated()).sort(ROW)
        field_name = ",".join(primary)
        message = f"{field_name} is not unique"
        if duplicated.height:
            shown = duplicated.head(self.report.room)
            issues = (
                Issue(
                    "unique",
                    "error",
                    self.table.name,
                    record[ROW],
                    field_name,
                    truncate(",".join(str(record[k]) for k in primary)),
                    message,
                )
                for record in shown.iter_rows(named=True)
            )
            self.report.tally("unique", "error", duplicated.height, issues)
            self._reject(duplicated.get_column(ROW), "unique")
        return keys

    def rejected_codes(self) -> pl.DataFrame:
        """Row number and sorted error codes of every rejected row."""
        if not self.rejections:
            return pl.DataFrame(schema={ROW: pl.Int64, "codes": pl.List(pl.String)})
        return (
            pl.concat(self.rejections)
            .group_by(ROW)
            .agg(pl.col("code").unique().sort().alias("codes"))
            .sort(ROW)
        )


def check_references(
    keys: Mapping[str, pl.DataFrame], schema: Schema, report: Report
) -> dict[str, list[pl.DataFrame]]:
    """Foreign keys across the tables present in `keys` (from `TableValidator.finish`).
    Returns the offending rows and codes of each table."""
    offending: dict[str, list[pl.DataFrame]] = {name: [] for name in keys}
    for name, child in keys.items():
        table = schema.table(name)
        for fk in table.foreign_keys:
            parent = keys.get(fk.table)
            if parent is None or child.is_empty():
                continue
            targets = parent.select(
                [pl.col(p).alias(c) for c, p in zip(fk.fields, fk.reference_fields, strict=True)]
            ).unique()
            dangling = (
                child.drop_nulls(list(fk.fields))
                .join(targets, on=list(fk.fields), how="anti")
                .sort(ROW)
            )
            field_name = ",".join(fk.fields)
            target = f"{fk.table}.{','.join(fk.reference_fields)}"
            issues = (
                Issue(
                    "foreign-key",
                    "error",
                    name,
                    record[ROW],
                    field_name,
                    value,
                    f"{field_name} {value!r} does not match any {target}",
                )
                for record in dangling.head(report.room).iter_rows(named=True)
                for value in [truncate(",".join(str(record[c]) for c in fk.fields))]
            )
            report.tally("foreign-key", "error", dangling.height, issues)
            offending[name].append(dangling.select(ROW).with_columns(code=pl.lit("foreign-key")))
    return offending


def check_dataset_rules(
    frames: Mapping[str, pl.DataFrame], schema: Schema, report: Report
) -> dict[str, list[pl.DataFrame]]:
    """The SQL dataset rules over whole typed tables with their row numbers (all three
    tables must be present). Returns the rows that break an error rule, with its code."""
    offending_rows: dict[str, list[pl.DataFrame]] = {name: [] for name in frames}
    if not set(schema.table_names) <= set(frames):
        return offending_rows
    context = pl.SQLContext(frames={name: frame.drop(ROW) for name, frame in frames.items()})
    for rule in schema.dataset_rules:
        table = schema.table(rule.table)
        primary = list(table.primary_key)
        keys = context.execute(rule.query, eager=True)
        keys.columns = primary
        offending = (
            frames[rule.table].select(*primary, ROW).join(keys, on=primary, how="semi").sort(ROW)
        )
        issues = (
            Issue(
                rule.code,
                rule.severity,
                rule.table,
                record[ROW],
                None,
                truncate(",".join(str(record[k]) for k in primary)),
                rule.message,
            )
            for record in offending.head(report.room).iter_rows(named=True)
        )
        report.tally(rule.code, rule.severity, offending.height, issues)
        if rule.severity == "error":
            offending_rows[rule.table].append(
                offending.select(ROW).with_columns(code=pl.lit(rule.code))
            )
    return offending_rows


def _batches(data: Frame, table: Table) -> Iterator[tuple[pl.DataFrame, list[Issue]]]:
    if isinstance(data, list):
        yield rows_to_frame(data, table)
    else:
        yield to_polars(data), []


def validate(
    data: Frame | Mapping[str, Frame],
    table: str | None = None,
    *,
    schema: Schema | None = None,
    max_issues: int | None = None,
    engine: Engine = "polars",
) -> Report:
    """Validate one table's frame (`table` names it) or a mapping of table name to frame.

    Rows are numbered from 1 in the order given. With a mapping, foreign keys and the
    dataset rules are checked across the tables too."""
    schema = schema or load_schema()
    if isinstance(data, Mapping):
        inputs = {schema.table(name).name: given for name, given in data.items()}
    else:
        if table is None:
            raise InputError("name the table to validate (events, claims or sources)")
        inputs = {schema.table(table).name: data}
    if engine == "pandera":
        from curate.pandera_engine import validate_with_pandera

        return validate_with_pandera(inputs, schema, max_issues)
    report = Report(max_issues=max_issues)
    validators = {name: TableValidator(schema, schema.table(name), report) for name in inputs}
    typed: dict[str, pl.DataFrame] = {}
    for name, given in inputs.items():
        for frame, prior in _batches(given, schema.table(name)):
            rows = pl.Series(ROW, range(1, frame.height + 1), dtype=pl.Int64)
            typed[name] = validators[name].feed(frame, rows, prior)
    finish_tables(validators, schema, report, typed)
    return report


def finish_tables(
    validators: Mapping[str, TableValidator],
    schema: Schema,
    report: Report,
    typed: Mapping[str, pl.DataFrame] | None = None,
) -> None:
    """Keys across batches and tables, dataset rules (given whole typed tables), and the
    count of rejected rows per table."""
    keys = {name: validator.finish() for name, validator in validators.items()}
    extra = check_references(keys, schema, report)
    if typed is not None:
        for name, pieces in check_dataset_rules(typed, schema, report).items():
            extra[name] += pieces
    for name, validator in validators.items():
        validator.rejections.extend(extra[name])
        report.rejected[name] = validator.rejected_codes().height
