"""Validate files and dataset directories, streaming batch by batch.

`validate_paths` reads each input in batches (`curate.readers.files`), feeds them to one
`TableValidator` per table, and checks keys across batches, files and tables at the end.
A directory is a dataset: its events, claims and sources files (directly or under
`records/`) are validated together, dataset rules included.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from curate.disk.locks import reads_stores
from curate.errors import InputError
from curate.readers.csv import CsvFastPathError
from curate.readers.files import INPUT_SUFFIXES, detect_format, read_batches, require_file
from curate.readers.limits import Limits
from curate.report import Report
from curate.schema.dtypes import polars_schema
from curate.schema.loader import load_schema
from curate.schema.model import Schema
from curate.validation.across import dataset_rule_columns, finish_tables
from curate.validation.internal import FILE, ROW, without_internal
from curate.validation.table import TableValidator

__all__ = ["Input", "TableHandler", "ValidationRun", "resolve_inputs", "validate_paths"]

Progress = Callable[[int], None]
TableHandler = Callable[[str, pl.DataFrame], None]


@dataclass(frozen=True)
class Input:
    """One file to read as one table; `exact_csv` once the fast CSV reader gave up."""

    path: Path
    table: str
    dataset: bool = False
    exact_csv: bool = False


@dataclass
class ValidationRun:
    """The report, and what a quarantine needs to sort the rows afterwards.

    `typed` holds the typed tables (with `keep_tables`) with validation's internal
    columns, for validation's own use; callers take them clean, through `tables()` and
    `accepted()`."""

    report: Report
    inputs: list[Input]
    validators: dict[str, TableValidator]
    typed: dict[str, pl.DataFrame] | None = None

    def tables(self) -> dict[str, pl.DataFrame]:
        """The typed tables kept (`keep_tables`; else none), without internal columns."""
        return {name: without_internal(frame) for name, frame in (self.typed or {}).items()}

    def accepted(self, table: str) -> pl.DataFrame:
        """The typed rows of `table` that passed the row-level checks, in input order,
        without internal columns (`keep_tables` must have been given)."""
        return without_internal(self._accepted(table))

    def accepted_of(self, position: int) -> int:
        """How many rows of the input at `position` passed the row-level checks."""
        accepted = self._accepted(self.inputs[position].table)
        return accepted.filter(pl.col(FILE) == self.file_index(position)).height

    def _accepted(self, table: str) -> pl.DataFrame:
        if self.typed is None:
            raise ValueError("the typed tables were not kept: validate with keep_tables")
        rejected = self.validators[table].rejected_codes().select(FILE, ROW)
        return self.typed[table].join(rejected, on=[FILE, ROW], how="anti")

    def file_index(self, position: int) -> int:
        """The `FILE` number of the input at `position`: its place among the inputs of
        its table."""
        table = self.inputs[position].table
        return sum(1 for item in self.inputs[:position] if item.table == table)

    def rows_of(self, position: int) -> int:
        """How many rows (records, parsed or not) were read from the input at `position`."""
        validator = self.validators[self.inputs[position].table]
        return validator.rows_of(self.file_index(position))


def _table_from_name(path: Path, schema: Schema) -> str | None:
    stem = path.name.split(".")[0].lower()
    if stem in schema.tables:
        return stem
    words = set(re.split(r"[^a-z0-9]+", stem))
    found = [name for name in schema.table_names if name in words]
    return found[0] if len(found) == 1 else None


def _dataset_files(directory: Path, schema: Schema) -> list[Input]:
    base = directory / "records" if (directory / "records").is_dir() else directory
    inputs = []
    for name in schema.table_names:
        candidates = [base / f"{name}{suffix}" for suffix in INPUT_SUFFIXES]
        present = [path for path in candidates if path.exists()]  # read_batches refuses a pipe
        if len(present) > 1:
            raise InputError(
                f"{base}: more than one file for table {name}: {', '.join(p.name for p in present)}"
            )
        if present:
            inputs.append(Input(present[0], name, dataset=True))
    if not inputs:
        raise InputError(
            f"{directory}: no events, claims or sources file found (.jsonl, .csv, .parquet)"
        )
    return inputs


def resolve_inputs(paths: Sequence[Path], table: str | None, schema: Schema) -> list[Input]:
    """Which table each path holds: `table` if given, else the file's name; a directory
    is a dataset of all three tables."""
    if table is not None:
        schema.table(table)
    inputs: list[Input] = []
    for path in paths:
        if path.is_dir():
            if table is not None:
                raise InputError(f"{path}: --table applies to files, not to a dataset directory")
            inputs += _dataset_files(path, schema)
        elif not path.exists():
            raise InputError(f"{path}: no such file or directory")
        else:
            require_file(path)  # a pipe or a device is refused, never opened
            detect_format(path)
            name = table or _table_from_name(path, schema)
            if name is None:
                known = ", ".join(schema.table_names)
                raise InputError(f"{path}: cannot tell which table it holds ({known}); use --table")
            inputs.append(Input(path, name))
    return inputs


def _feed_file(
    item: Input,
    validator: TableValidator,
    limits: Limits,
    keep: Callable[[pl.DataFrame], None] | None,
    progress: Progress | None,
) -> None:
    validator.start_file(str(item.path))
    for batch in read_batches(item.path, validator.table, limits, exact_csv=item.exact_csv):
        validator.count_unparsed(batch.unparsed.keys())
        typed = validator.feed(batch.frame, batch.rows, batch.issues, batch.conformed)
        if keep is not None:
            keep(typed)
        if progress is not None:
            progress(batch.count)


@reads_stores  # each dataset is read in one state, never during a commit
def validate_paths(
    paths: Iterable[Path],
    table: str | None = None,
    *,
    schema: Schema | None = None,
    max_issues: int | None = None,
    limits: Limits | None = None,
    progress: Progress | None = None,
    keep_tables: bool = False,
    across_tables: bool = True,
    each_table: TableHandler | None = None,
    errors_only: bool = False,
) -> ValidationRun:
    """Validate files (one table each) or dataset directories; keys across all of them.

    `keep_tables` keeps the typed rows in the result (`ValidationRun.tables`);
    `across_tables=False` leaves foreign keys and dataset rules to the caller (ingest
    judges them on the merged store). `each_table` is handed each whole typed table as
    soon as its files are read (before the checks across tables, without internal
    columns), so that a caller can use it without all tables being held at once.
    `errors_only` skips the checks that can only warn."""
    schema = schema or load_schema()
    limits = limits or Limits()
    inputs = resolve_inputs(list(paths), table, schema)
    if each_table is not None:
        # A restart (below) would hand a table over twice: find the CSV files that need
        # the exact reader first.
        inputs = [_exact_if_needed(item, limits, schema) for item in inputs]
    while True:
        try:
            return _validate_inputs(
                inputs,
                schema,
                max_issues,
                limits,
                progress,
                keep_tables,
                across_tables,
                each_table,
                errors_only,
            )
        except CsvFastPathError:
            # Start over with the exact CSV reader for the file that needs it.
            inputs = [_exact_if_needed(item, limits, schema) for item in inputs]


def _validate_inputs(
    inputs: list[Input],
    schema: Schema,
    max_issues: int | None,
    limits: Limits,
    progress: Progress | None,
    keep_tables: bool,
    across_tables: bool,
    each_table: TableHandler | None,
    errors_only: bool,
) -> ValidationRun:
    report = Report(max_issues=max_issues)
    validators = {
        name: TableValidator(schema, schema.table(name), report, errors_only)
        for name in dict.fromkeys(i.table for i in inputs)
    }
    whole = keep_tables or each_table is not None
    rules = across_tables and set(schema.table_names) <= set(validators)
    narrow = {name: [*columns, ROW, FILE] for name, columns in dataset_rule_columns(schema).items()}
    typed: dict[str, list[pl.DataFrame]] = {name: [] for name in validators}
    last = {item.table: index for index, item in enumerate(inputs)}

    def keeper(name: str) -> Callable[[pl.DataFrame], None] | None:
        if whole:
            return typed[name].append
        if rules:
            return lambda frame: typed[name].append(frame.select(narrow[name]))
        return None

    for index, item in enumerate(inputs):
        _feed_file(item, validators[item.table], limits, keeper(item.table), progress)
        if each_table is not None and last[item.table] == index:
            frame = _whole(typed[item.table], item.table, schema)
            each_table(item.table, without_internal(frame))
            typed[item.table] = [frame if keep_tables else frame.select(narrow[item.table])]
    tables = (
        {name: _whole(frames, name, schema) for name, frames in typed.items()}
        if whole or rules
        else None
    )
    finish_tables(validators, schema, report, tables, across_tables=across_tables)
    return ValidationRun(report, inputs, validators, tables if keep_tables else None)


def _whole(frames: list[pl.DataFrame], table: str, schema: Schema) -> pl.DataFrame:
    """A table's typed batches as one frame (with no rows, the schema's empty table)."""
    if frames:
        return pl.concat(frames)
    empty = pl.DataFrame(schema=polars_schema(schema.table(table)))
    return empty.with_columns(
        pl.lit(None, pl.Int64).alias(ROW), pl.lit(None, pl.UInt32).alias(FILE)
    )


def _exact_if_needed(item: Input, limits: Limits, schema: Schema) -> Input:
    if item.exact_csv or item.path.suffix.lower() != ".csv":
        return item
    try:
        for _ in read_batches(item.path, schema.table(item.table), limits):
            pass
    except CsvFastPathError:
        return Input(item.path, item.table, item.dataset, exact_csv=True)
    return item
