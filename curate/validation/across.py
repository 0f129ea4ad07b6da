"""The checks across tables: foreign keys, the dataset rules (SQL over whole tables),
and the finishing of a validation run once every batch has been fed."""

from __future__ import annotations

import re
from collections.abc import Mapping

import polars as pl

from curate.report import Issue, Report
from curate.schema.model import Schema, Table
from curate.validation.internal import FILE, ROW
from curate.validation.keys import Keys, case_conflicts, key_hash, report_key_conflicts, shown_key
from curate.validation.table import TableValidator

__all__ = [
    "check_across_tables",
    "check_dataset_rules",
    "check_references",
    "check_rows",
    "dataset_rule_columns",
    "finish_tables",
]


Offending = dict[str, list[pl.DataFrame]]  # per table: frames of __row, __file, code


def _files(paths: Mapping[str, list[str | None]] | None, table: str) -> list[str | None]:
    return (paths or {}).get(table, [None])


def check_references(
    keys: Mapping[str, Keys],
    schema: Schema,
    report: Report,
    paths: Mapping[str, list[str | None]] | None = None,
) -> Offending:
    """Foreign keys across the tables present in `keys` (from `TableValidator.finish`)."""
    offending: Offending = {name: [] for name in keys}
    for name, table_keys in keys.items():
        files = _files(paths, name)
        child = table_keys.references[""]
        for fk in schema.table(name).foreign_keys:
            parent_keys = keys.get(fk.table)
            if parent_keys is None or child.is_empty():
                continue
            parent = parent_keys.primary
            renamed = [
                pl.col(p).alias(c) for c, p in zip(fk.fields, fk.reference_fields, strict=True)
            ]
            targets = parent.select(renamed)
            dangling = (
                child.select(*fk.fields, ROW, FILE)
                .drop_nulls(list(fk.fields))
                .join(targets, on=list(fk.fields), how="anti")
                .sort(FILE, ROW)
            )
            name_text = ",".join(fk.fields)
            target = f"{fk.table}.{','.join(fk.reference_fields)}"
            issues = (
                Issue(
                    "foreign-key",
                    "error",
                    name,
                    record[ROW],
                    name_text,
                    shown_key(record, fk.fields),
                    f"{name_text} {shown_key(record, fk.fields)!r} does not match any {target}",
                    files[record[FILE]],
                )
                for record in dangling.head(report.room).iter_rows(named=True)
            )
            report.tally("foreign-key", "error", dangling.height, issues)
            offending[name].append(
                dangling.select(ROW, FILE).with_columns(code=pl.lit("foreign-key"))
            )
    return offending


def dataset_rule_columns(schema: Schema) -> dict[str, list[str]]:
    """Per table, the fields a dataset rule may read: the primary key and every field
    named in a rule's query (all fields if a query says `*`). Only these need to be kept
    of whole tables for `check_dataset_rules`."""
    words: set[str] = set()
    everything = False
    for rule in schema.dataset_rules:
        words |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", rule.query))
        everything = everything or "*" in rule.query
    return {
        table.name: [
            name
            for name in table.field_names
            if everything or name in words or name in table.primary_key
        ]
        for table in schema.tables.values()
    }


def check_dataset_rules(
    frames: Mapping[str, pl.DataFrame],
    schema: Schema,
    report: Report,
    paths: Mapping[str, list[str | None]] | None = None,
    *,
    errors_only: bool = False,
) -> Offending:
    """The SQL dataset rules over whole typed tables carrying __row and __file (all three
    tables must be present, with at least their `dataset_rule_columns`). Returns the rows
    that break an error rule. `errors_only` skips the warning rules."""
    offending: Offending = {name: [] for name in frames}
    if not set(schema.table_names) <= set(frames):
        return offending
    plain = {name: frame.drop(ROW, FILE, strict=False) for name, frame in frames.items()}
    context = pl.SQLContext(frames=plain)
    for rule in schema.dataset_rules:
        if errors_only and rule.severity != "error":
            continue
        primary = list(schema.table(rule.table).primary_key)
        keys = context.execute(rule.query, eager=True)
        keys.columns = primary
        found = (
            frames[rule.table]
            .select(*primary, ROW, FILE)
            .join(keys, on=primary, how="semi")
            .sort(FILE, ROW)
        )
        files = _files(paths, rule.table)
        issues = (
            Issue(
                rule.code,
                rule.severity,
                rule.table,
                record[ROW],
                None,
                shown_key(record, primary),
                rule.message,
                files[record[FILE]],
            )
            for record in found.head(report.room).iter_rows(named=True)
        )
        report.tally(rule.code, rule.severity, found.height, issues)
        if rule.severity == "error":
            offending[rule.table].append(
                found.select(ROW, FILE).with_columns(code=pl.lit(rule.code))
            )
    return offending


def finish_tables(
    validators: Mapping[str, TableValidator],
    schema: Schema,
    report: Report,
    typed: Mapping[str, pl.DataFrame] | None = None,
    *,
    across_tables: bool = True,
) -> None:
    """Keys across batches and tables, dataset rules (given whole typed tables), and the
    count of rejected rows per table. `across_tables=False` checks uniqueness only."""
    keys = {name: validator.finish() for name, validator in validators.items()}
    paths = {name: validator.paths for name, validator in validators.items()}
    offending: Offending = {name: [] for name in keys}
    if across_tables:
        offending = check_references(keys, schema, report, paths)
    if typed is not None and across_tables:
        errors_only = all(validator.errors_only for validator in validators.values())
        found = check_dataset_rules(typed, schema, report, paths, errors_only=errors_only)
        for name, pieces in found.items():
            offending[name] += pieces
    for name, validator in validators.items():
        for piece in offending[name]:
            validator.reject_found(piece)
        report.rejected[name] = validator.rejected_codes().height


def check_rows(
    frame: pl.DataFrame,
    table: str,
    schema: Schema,
    max_issues: int | None = None,
    *,
    errors_only: bool = False,
) -> Report:
    """The row-level checks of `table` (fields and row rules) on one frame: no keys, no
    references, which the caller judges elsewhere. `errors_only` skips warnings."""
    report = Report(max_issues=max_issues)
    rows = pl.Series(ROW, range(1, frame.height + 1), dtype=pl.Int64)
    TableValidator(schema, schema.table(table), report, errors_only).feed(frame, rows)
    return report


def _around_changes(frame: pl.DataFrame, changed: pl.DataFrame, table: Table) -> pl.DataFrame:
    """The rows whose case-folded key is also a changed row's: the only rows a key
    conflict can involve when the rest was valid as a whole."""
    hashes = frame.select(key_hash(table)).to_series()
    touched = frame.join(changed, on=list(table.primary_key), how="semi")
    return frame.filter(hashes.is_in(touched.select(key_hash(table)).to_series().implode()))


def check_across_tables(
    tables: Mapping[str, pl.DataFrame],
    schema: Schema,
    max_issues: int | None = None,
    *,
    changed: Mapping[str, pl.DataFrame] | None = None,
    errors_only: bool = False,
) -> Report:
    """Foreign keys and dataset rules over whole typed tables whose rows are already
    valid one by one and whose keys are unique (a merged store). Rows are numbered from
    1 in each table's order.

    `changed` names, per table, the primary keys of the rows that are new or replaced
    since the tables were last valid as a whole (a sealed store and an ingest; no key
    is ever removed). Then keys and references are checked only where those rows take
    part; the dataset rules, which may join anything, still run over whole tables
    (with `errors_only`, only those whose severity is error)."""
    report = Report(max_issues=max_issues)
    numbered = {
        name: frame.with_columns(
            pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(ROW),
            pl.lit(0, dtype=pl.UInt32).alias(FILE),
        )
        for name, frame in tables.items()
    }
    for name, frame in tables.items():
        report.count_rows(name, frame.height)
    keys = {}
    for name, frame in numbered.items():
        table = schema.table(name)
        referring = frame
        if changed is not None:
            edits = changed.get(name)
            if edits is None or edits.is_empty():
                referring = frame = frame.clear()
            else:
                referring = frame.join(edits, on=list(table.primary_key), how="semi")
                frame = _around_changes(frame, edits, table)
        keys[name] = Keys.of(referring, table, primary=numbered[name])
        conflicting = case_conflicts(frame, table)
        if conflicting.height:
            message = f"{','.join(table.primary_key)} differs from another only in letter case"
            report_key_conflicts(report, table, conflicting, message)
    check_references(keys, schema, report)
    check_dataset_rules(numbered, schema, report, errors_only=errors_only)
    return report
