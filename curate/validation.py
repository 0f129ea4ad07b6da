"""The validation engine: typed batches, one polars pass of checks, keys across batches.

Each batch of a table is conformed to the schema's types (`conform`), then every check of
the table's plan (`checks.table_checks`: field constraints and SQL row rules) is
evaluated in a single `select`. Every failure is counted; issues are materialised only
up to the report's limit. Primary keys and foreign-key values are collected per batch
(keys only, with their file and row numbers) and checked when the input is done, so
uniqueness and references hold across batches, files and tables. Dataset rules (SQL
across tables) run on whole tables when a dataset is validated.

`engine="pandera"` validates in-memory frames with the generated pandera-polars schema
instead; property tests keep the two engines in agreement.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath
from typing import Any, Literal

import polars as pl

from curate.checks import Check, table_checks
from curate.conform import Conformed, conform, conform_arrow, describe_type
from curate.errors import InputError
from curate.report import Issue, Report, truncate
from curate.rows import cell_text, python_column, rows_to_frame
from curate.schema import Schema, Severity, Table, load_schema
from curate.types import polars_schema

__all__ = [
    "FILE",
    "ROW",
    "Engine",
    "Keys",
    "TableValidator",
    "case_conflicts",
    "check_across_tables",
    "check_dataset_rules",
    "check_references",
    "check_rows",
    "dataset_rule_columns",
    "finish_tables",
    "report_key_conflicts",
    "rule_values",
    "to_polars",
    "validate",
]

Frame = Any  # polars DataFrame/LazyFrame, pandas DataFrame, pyarrow Table or a list of dicts
Engine = Literal["polars", "pandera"]
ROW = "__row"
FILE = "__file"
Offending = dict[str, list[pl.DataFrame]]  # per table: frames of __row, __file, code


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
    return [cell_text(v) for v in frame.get_column(column).gather(indices).to_list()]


def rule_values(
    frame: pl.DataFrame, fields: tuple[str, ...], indices: list[int]
) -> list[str | None]:
    """The fields a rule reads, as "name=value, ..." for each row at `indices`."""
    columns = [frame.get_column(name).gather(indices).to_list() for name in fields]
    return [
        truncate(", ".join(f"{name}={value}" for name, value in zip(fields, values, strict=True)))
        for values in zip(*columns, strict=True)
    ]


def _key_text(record: Mapping[str, Any], names: Sequence[str]) -> str | None:
    return truncate(",".join(str(record[name]) for name in names))


@dataclass(frozen=True)
class Keys:
    """A table's distinct primary-key values, and its rows holding foreign-key values
    (the foreign-key fields with __row and __file), for the checks across tables."""

    primary: pl.DataFrame
    references: Mapping[str, pl.DataFrame]

    @classmethod
    def of(cls, typed: pl.DataFrame, table: Table, primary: pl.DataFrame | None = None) -> Keys:
        """The keys of a whole typed table that carries __row and __file (the primary
        keys of `primary` instead, when only some rows' references are to be checked)."""
        fields = {c for fk in table.foreign_keys for c in fk.fields}
        references = typed.select(*sorted(fields), ROW, FILE) if fields else pl.DataFrame()
        return cls(
            (typed if primary is None else primary).select(table.primary_key), {"": references}
        )


@dataclass
class TableValidator:
    """Validates one table's batches in input order and keeps the keys for later checks.

    Call `start_file` before the batches of each input file (issues then name it), `feed`
    for each batch, and `finish_tables` when all inputs are read."""

    schema: Schema
    table: Table
    report: Report
    errors_only: bool = False  # skip warnings (a store loaded for a write needs no more)
    primary: list[pl.DataFrame] = field(default_factory=list)
    hashes: list[pl.Series] = field(default_factory=list)
    positions: list[tuple[int, int | pl.Series]] = field(default_factory=list)
    references: list[pl.DataFrame] = field(default_factory=list)
    rejections: list[pl.DataFrame] = field(default_factory=list)
    paths: list[str | None] = field(default_factory=lambda: [None])
    # Per file index: the errors of the input as a whole (a missing or unknown column, an
    # unreadable file), which reject every row of it, and the row numbers fed from it.
    input_problems: dict[int, list[Issue]] = field(default_factory=dict)
    spans: list[tuple[int, int | pl.Series, int]] = field(default_factory=list)
    _columns_reported: set[tuple[int, str, str]] = field(default_factory=set)

    def start_file(self, path: str) -> None:
        """Number the rows that follow as rows of `path`."""
        if self.paths == [None] and not self.primary:
            self.paths = []
        self.paths.append(path)
        self.report.count_rows(self.table.name, 0, path)  # an empty file is still reported

    @property
    def file_index(self) -> int:
        return len(self.paths) - 1

    def _issue(
        self,
        code: str,
        severity: Severity,
        row: int | None,
        field_name: str | None,
        value: str | None,
        message: str,
        file: int | None = None,
    ) -> Issue:
        path = self.paths[self.file_index if file is None else file]
        return Issue(code, severity, self.table.name, row, field_name, value, message, path)

    def feed(
        self,
        frame: pl.DataFrame,
        rows: pl.Series,
        prior: Sequence[Issue] = (),
        conformed: Conformed | None = None,
    ) -> pl.DataFrame:
        """Check one batch; `rows` holds each row's number in the input; `prior` holds
        what the reader already found (type and parse errors); `conformed` is the batch
        already conformed by a reader of typed files (`frame` then holds the values as
        read). Returns the typed batch (schema fields, row and file number), for checks
        across tables."""
        has_columns = frame.width > 0
        if not has_columns:  # a batch that only carries what the reader could not parse
            frame = pl.DataFrame(schema=polars_schema(self.table))
            conformed = None
        if conformed is None:
            conformed = conform(frame, self.table)
        if has_columns:
            self._report_columns(conformed)
        located = [i for i in prior if i.row is not None]
        for issue in prior:
            placed = replace(issue, path=self.paths[self.file_index])
            if issue.row is None:
                self._input_problem(placed)
            else:
                self.report.add(placed)
        self._reject([i.row for i in located if i.row is not None], [i.code for i in located])
        self._span(rows)
        plan = self._plan(conformed, _refused_cells(located, rows))
        typed = conformed.frame
        if plan:
            verdicts = typed.select([ok.alias(str(i)) for i, (_, ok) in enumerate(plan)])
            failures = verdicts.select(pl.all().not_().sum()).row(0)
            for index, ((check, _), count) in enumerate(zip(plan, failures, strict=True)):
                if not count:
                    continue
                failing = verdicts.get_column(str(index)).not_()
                self._tally(check, failing, int(count), typed, frame, rows)
                if check.severity == "error":
                    self._reject(rows.filter(failing), check.code)
        self.report.count_rows(self.table.name, frame.height, self.paths[self.file_index])
        file = pl.lit(self.file_index, dtype=pl.UInt32).alias(FILE)
        self._keep_keys(typed, rows, file)
        return typed.select(self.table.field_names).with_columns(rows.alias(ROW), file).rechunk()

    def count_unparsed(self, numbers: Collection[int]) -> None:
        """Records that could not be parsed (their row numbers) still count as rows in
        (their parse-error issues, fed as `prior`, reject them)."""
        self.report.count_rows(self.table.name, len(numbers), self.paths[self.file_index])
        self._span(pl.Series(ROW, sorted(numbers), dtype=pl.Int64))

    def _reject(self, rows: pl.Series | list[int], codes: str | list[str]) -> None:
        """Remember which rows failed with which error code (for counts and quarantine)."""
        if len(rows):
            piece = pl.DataFrame(
                {ROW: rows, "code": codes}, schema={ROW: pl.Int64, "code": pl.String}
            )
            self.rejections.append(
                piece.with_columns(pl.lit(self.file_index, dtype=pl.UInt32).alias(FILE))
            )

    def _report_columns(self, conformed: Conformed) -> None:
        """Missing and unknown columns, looked for in every batch (a JSONL file's keys
        may change from one batch to the next) and reported once per file."""
        found = [
            *(
                ("required", c, f"required column {c!r} is missing")
                for c in conformed.missing_required
            ),
            *(
                ("unknown-field", c, f"{c!r} is not a field of {self.table.name}")
                for c in conformed.unknown
            ),
        ]
        for code, column, message in found:
            if (self.file_index, code, column) in self._columns_reported:
                continue
            self._columns_reported.add((self.file_index, code, column))
            self._input_problem(self._issue(code, "error", None, column, None, message))

    def _input_problem(self, issue: Issue) -> None:
        """Report a problem of the current input that no one row carries; an error
        rejects every row of that input (`rejected_codes`)."""
        self.report.add(issue)
        if issue.severity == "error":
            self.input_problems.setdefault(self.file_index, []).append(issue)

    def _span(self, rows: pl.Series) -> None:
        """Remember the row numbers of the current input that a batch held: (file, first,
        count) when they run on without a gap, else (file, numbers, count)."""
        if rows.len() and int(rows[-1]) - int(rows[0]) + 1 == rows.len():
            self.spans.append((self.file_index, int(rows[0]), rows.len()))
        elif rows.len():
            self.spans.append((self.file_index, rows, rows.len()))

    def rows_of(self, file: int) -> int:
        """How many rows (records, parsed or not) were read from the input `file`."""
        return sum(count for index, _, count in self.spans if index == file)

    def _input_rejections(self) -> list[pl.DataFrame]:
        """Every row of each input with an error of its own, with those errors' codes."""
        pieces = []
        for file, problems in self.input_problems.items():
            numbers = [
                pl.int_range(s, s + n, dtype=pl.Int64, eager=True) if isinstance(s, int) else s
                for index, s, n in self.spans
                if index == file
            ]
            if not numbers:
                continue
            rows = pl.concat(numbers).unique().alias(ROW).to_frame()
            codes = pl.DataFrame({"code": sorted({p.code for p in problems})})
            pieces.append(
                rows.join(codes, how="cross").with_columns(
                    pl.lit(file, dtype=pl.UInt32).alias(FILE)
                )
            )
        return pieces

    def _plan(
        self, conformed: Conformed, refused: Mapping[str, pl.Series]
    ) -> list[tuple[Check, pl.Expr]]:
        """The table's checks adapted to this batch: type errors first, and no `required`
        failure where a cell was refused for its type (here, or by the reader: `refused`)
        or a whole column is missing."""
        plan: list[tuple[Check, pl.Expr]] = []
        masks = conformed.type_failed
        for name, mask in masks.items():
            message = f"{name} must be {describe_type(self.table.field(name))}"
            check = Check("type-error", "error", name, (name,), message, pl.lit(True))
            plan.append((check, pl.lit(~mask)))
        for check in table_checks(self.schema, self.table):
            if self.errors_only and check.severity != "error":
                continue
            if check.code == "required" and check.field in conformed.missing_required:
                continue
            ok = check.ok
            if check.code == "required":
                for source in (masks, refused):
                    if check.field in source:
                        ok = ok | pl.lit(source[check.field])
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
            values = rule_values(typed, check.fields, indices)
        numbers = rows.gather(indices).to_list()
        issues = (
            self._issue(check.code, check.severity, row, check.field, value, check.message)
            for row, value in zip(numbers, values, strict=True)
        )
        self.report.tally(check.code, check.severity, count, issues)

    def _keep_keys(self, typed: pl.DataFrame, rows: pl.Series, file: pl.Expr) -> None:
        """Keep what the checks across batches need, compactly: the primary key values,
        the batch's row numbers (only its first when they run on without a gap), and the
        rows that hold a foreign-key value."""
        key = typed.select(self.table.primary_key)
        self.primary.append(key)
        self.hashes.append(key.select(_key_hash(self.table)).to_series())
        contiguous = rows.len() == 0 or int(rows[-1]) - int(rows[0]) + 1 == rows.len()
        self.positions.append(
            (self.file_index, int(rows[0]) if contiguous and rows.len() else rows)
        )
        for fk in self.table.foreign_keys:
            present = (
                typed.select(*fk.fields).with_columns(rows.alias(ROW), file).drop_nulls(fk.fields)
            )
            if present.height:
                self.references.append(present)

    def _locate(self, indices: pl.Series) -> pl.DataFrame:
        """File and row number of positions in the concatenation of all batches' keys."""
        import numpy as np

        sizes = [frame.height for frame in self.primary]
        starts = np.cumsum([0, *sizes[:-1]])
        wanted = indices.to_numpy()
        batch = np.searchsorted(starts, wanted, side="right") - 1
        files, rows = [], []
        for position, index in zip(batch.tolist(), wanted.tolist(), strict=True):
            file, numbers = self.positions[position]
            local = index - int(starts[position])
            files.append(file)
            rows.append(numbers + local if isinstance(numbers, int) else int(numbers[local]))
        return pl.DataFrame({FILE: files, ROW: rows}, schema={FILE: pl.UInt32, ROW: pl.Int64})

    def finish(self) -> Keys:
        """Check the primary key's uniqueness across all batches; return the keys seen."""
        primary = list(self.table.primary_key)
        if not self.primary:
            empty = pl.DataFrame(schema={name: polars_schema(self.table)[name] for name in primary})
            return Keys(empty, {"": pl.DataFrame()})
        keys = pl.concat(self.primary, rechunk=False)
        # Repeated 64-bit hashes are candidates (a small hash table, not one of strings);
        # the candidates' values are then compared exactly.
        candidates = _repeated(pl.concat(self.hashes))
        values = keys[candidates]
        present = pl.all_horizontal(pl.col(primary).is_not_null())
        exact = values.select(pl.struct(primary).is_duplicated() & present).to_series()
        folded = pl.struct(_folded_key(self.table)).is_duplicated() & present
        by_case = values.select(folded).to_series() & ~exact
        name = ",".join(primary)
        for mask, message in (
            (exact, f"{name} is not unique"),
            (by_case, f"{name} differs from another only in letter case"),
        ):
            found = candidates.filter(mask)
            located = pl.concat([self._locate(found), keys[found]], how="horizontal")
            self._report_keys(located.sort(FILE, ROW), message)
        references = (
            pl.concat(self.references, how="diagonal") if self.references else pl.DataFrame()
        )
        self.primary, self.hashes, self.positions, self.references = [], [], [], []
        return Keys(keys, {"": references})

    def _report_keys(self, conflicting: pl.DataFrame, message: str) -> None:
        """Rows (__file, __row, key fields) whose keys conflict: `unique` errors."""
        if conflicting.height:
            report_key_conflicts(self.report, self.table, conflicting, message, self.paths)
            self.reject_found(conflicting.with_columns(code=pl.lit("unique")))

    def reject_found(self, offending: pl.DataFrame) -> None:
        """Add rows found by checks across batches or tables (__row, __file, code)."""
        self.rejections.append(offending.select(ROW, "code", FILE))

    def rejected_codes(self) -> pl.DataFrame:
        """File index, row number and sorted error codes of every rejected row."""
        pieces = [piece.select(FILE, ROW, "code") for piece in self.rejections]
        pieces += [piece.select(FILE, ROW, "code") for piece in self._input_rejections()]
        if not pieces:
            empty: dict[str, pl.DataType] = {
                FILE: pl.UInt32(),
                ROW: pl.Int64(),
                "codes": pl.List(pl.String()),
            }
            return pl.DataFrame(schema=empty)
        return (
            pl.concat(pieces)
            .group_by(FILE, ROW)
            .agg(pl.col("code").unique().sort().alias("codes"))
            .sort(FILE, ROW)
        )


def _repeated(hashes: pl.Series) -> pl.Series:
    """Positions of the hashes that occur more than once. Sorting needs a copy of the
    hashes; `is_duplicated` would build a hash table several times their size."""
    ordered = hashes.sort()
    repeated = ordered.filter(ordered == ordered.shift(1)).unique()
    if repeated.is_empty():
        return pl.Series(dtype=pl.UInt32)
    return hashes.is_in(repeated.implode()).arg_true()


def report_key_conflicts(
    report: Report,
    table: Table,
    conflicting: pl.DataFrame,
    message: str,
    paths: Sequence[str | None] = (None,),
) -> None:
    """`unique` errors for rows (__file, __row, key fields) whose keys conflict."""
    primary = table.primary_key
    name = ",".join(primary)
    issues = (
        Issue(
            "unique",
            "error",
            table.name,
            record[ROW],
            name,
            _key_text(record, primary),
            message,
            paths[record[FILE]],
        )
        for record in conflicting.head(report.room).iter_rows(named=True)
    )
    report.tally("unique", "error", conflicting.height, issues)


def case_conflicts(typed: pl.DataFrame, table: Table) -> pl.DataFrame:
    """The rows of a whole table (with __row and __file) whose primary key differs from
    another row's only in letter case (exactly equal keys are not looked for here)."""
    candidates = _repeated(typed.select(_key_hash(table)).to_series())
    values = typed[candidates]
    folded = values.select(pl.struct(_folded_key(table)).is_duplicated()).to_series()
    exact = values.select(pl.struct(table.primary_key).is_duplicated()).to_series()
    return values.filter(folded & ~exact).select(FILE, ROW, *table.primary_key).sort(FILE, ROW)


def _folded_key(table: Table) -> list[pl.Expr]:
    """The primary key with text in lower case: keys equal this way are one key to a
    person (and to a case-insensitive file system), so they must not both exist."""
    return [
        pl.col(name).str.to_lowercase() if table.field(name).type == "string" else pl.col(name)
        for name in table.primary_key
    ]


def _key_hash(table: Table) -> pl.Expr:
    """A 64-bit hash of the case-folded primary key (nulls hash alike; candidates are
    compared exactly)."""
    folded = _folded_key(table)
    return folded[0].hash(seed=0) if len(folded) == 1 else pl.struct(folded).hash(seed=0)


def _refused_cells(prior: Sequence[Issue], rows: pl.Series) -> dict[str, pl.Series]:
    """Per field, which rows of the batch a reader refused for their type."""
    refused: dict[str, set[int]] = {}
    for issue in prior:
        if issue.code == "type-error" and issue.field is not None and issue.row is not None:
            refused.setdefault(issue.field, set()).add(issue.row)
    return {name: rows.is_in(sorted(numbers)) for name, numbers in refused.items()}


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
                    _key_text(record, fk.fields),
                    f"{name_text} {_key_text(record, fk.fields)!r} does not match any {target}",
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
                _key_text(record, primary),
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
    hashes = frame.select(_key_hash(table)).to_series()
    touched = frame.join(changed, on=list(table.primary_key), how="semi")
    return frame.filter(hashes.is_in(touched.select(_key_hash(table)).to_series().implode()))


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


_Batch = tuple[pl.DataFrame, list[Issue], Conformed | None]


def _batches(data: Frame, table: Table) -> Iterator[_Batch]:
    """The one batch of an in-memory input: the values as given, the type errors found
    building it, and the frame conformed to the table (None: `feed` conforms it).

    An Arrow table declares its types, as a Parquet file does, and is judged exactly as
    one (`conform.conform_arrow`). A polars or pandas frame is made Arrow column by
    column and judged by the same table of accepted types, except that its text columns
    are parsed and a whole-number float is an integer; a column of Python objects that
    Arrow cannot type (mixed kinds, opaque objects) is checked value by value, as
    records are (`rows.python_column`)."""
    if isinstance(data, list):
        if not all(isinstance(row, Mapping) for row in data):
            raise InputError("a list to validate must hold records (mappings of names to values)")
        frame, issues = rows_to_frame(data, table)
        yield frame, issues, None
        return
    arrow, issues, in_memory = _as_arrow(data, table)
    declared = conform_arrow(arrow, table, in_memory=in_memory)
    yield declared.raw, issues, declared.conformed


def _as_arrow(data: Frame, table: Table) -> tuple[Any, list[Issue], bool]:
    """An in-memory input as an Arrow table, the type errors of its Python-object
    columns, and whether it is a polars or pandas frame (else it is Arrow's own)."""
    import pyarrow as pa

    if isinstance(data, pl.LazyFrame):
        try:
            data = data.collect()
        except pl.exceptions.PolarsError as exc:
            raise InputError(f"cannot collect the LazyFrame to validate: {exc}") from exc
    if isinstance(data, pl.DataFrame):
        return (*_column_by_column(data.columns, data.get_columns(), table, _polars_arrow), True)
    if type(data).__module__.startswith("pandas") and hasattr(data, "iloc"):
        if getattr(data, "ndim", 0) != 2:
            raise InputError(f"cannot validate a pandas {type(data).__name__}: give a DataFrame")
        columns = [data.iloc[:, i] for i in range(data.shape[1])]
        names = [str(name) for name in data.columns]
        return (*_column_by_column(names, columns, table, _pandas_arrow), True)
    if isinstance(data, pa.Table | pa.RecordBatch) or hasattr(data, "__arrow_c_stream__"):
        try:
            return pa.table(data), [], False
        except (pa.ArrowException, TypeError, ValueError) as exc:
            raise InputError(f"cannot read the {type(data).__name__} to validate: {exc}") from exc
    raise InputError(f"cannot validate an object of type {type(data).__name__}")


def _column_by_column(
    names: list[str],
    columns: Sequence[Any],
    table: Table,
    to_arrow: Callable[[Any], tuple[Any | None, list[Any]]],
) -> tuple[Any, list[Issue]]:
    """An Arrow table of the columns; a column that `to_arrow` cannot type (it gives its
    Python values instead) is built value by value, each misfit a type error."""
    import pyarrow as pa

    arrays: list[Any] = []
    issues: list[Issue] = []
    for name, column in zip(names, columns, strict=True):
        array, values = to_arrow(column)
        if array is None:
            array = python_column(name, values, table, issues).to_arrow()
        arrays.append(array)
    return pa.Table.from_arrays(arrays, names=names), issues


def _polars_arrow(column: pl.Series) -> tuple[Any | None, list[Any]]:
    if column.dtype != pl.Object:
        try:
            return column.to_arrow(), []
        except (pl.exceptions.PolarsError, ValueError, TypeError):
            pass
    return None, column.to_list()


def _pandas_arrow(column: Any) -> tuple[Any | None, list[Any]]:
    import pyarrow as pa

    try:
        return pa.array(column, from_pandas=True), []
    except Exception:  # an object column's values may be anything, their methods too
        return None, [None if _missing(v) else v for v in column.tolist()]


def _missing(value: object) -> bool:
    """A pandas missing value (None, NaN, NA, NaT) in an object column."""
    if isinstance(value, float):
        return value != value
    return value is None or type(value).__name__ in ("NAType", "NaTType")


def validate(
    data: Frame | Mapping[str, Frame],
    table: str | None = None,
    *,
    schema: Schema | None = None,
    max_issues: int | None = None,
    engine: Engine = "polars",
) -> Report:
    """Validate one table's frame (`table` names it), a mapping of table name to frame,
    or a file or dataset directory (a path: read in batches, see `curate.files`).

    Rows of frames are numbered from 1 in the order given. With a mapping, foreign keys and the
    dataset rules are checked across the tables too. Files: `curate.files.validate_paths`."""
    schema = schema or load_schema()
    if isinstance(data, str | PurePath):
        from curate.files import validate_paths

        return validate_paths([Path(data)], table, schema=schema, max_issues=max_issues).report
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
        for frame, prior, conformed in _batches(given, schema.table(name)):
            rows = pl.Series(ROW, range(1, frame.height + 1), dtype=pl.Int64)
            typed[name] = validators[name].feed(frame, rows, prior, conformed)
    finish_tables(validators, schema, report, typed)
    return report
