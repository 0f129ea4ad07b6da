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

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

import polars as pl

from curate.generate.checks import Check, table_checks
from curate.readers.conform import Conformed, conform, describe_type
from curate.readers.rows import cell_text
from curate.report import Issue, Report, truncate
from curate.schema.dtypes import polars_schema
from curate.schema.model import Schema, Severity, Table
from curate.validation.internal import FILE, ROW
from curate.validation.keys import (
    Keys,
    folded_key,
    key_hash,
    repeated_positions,
    report_key_conflicts,
)

__all__ = ["TableValidator", "rule_values"]


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
            verdicts = _verdicts(typed, plan)
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
        self.hashes.append(key.select(key_hash(self.table)).to_series())
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
        candidates = repeated_positions(pl.concat(self.hashes))
        values = keys[candidates]
        present = pl.all_horizontal(pl.col(primary).is_not_null())
        exact = values.select(pl.struct(primary).is_duplicated() & present).to_series()
        folded = pl.struct(folded_key(self.table)).is_duplicated() & present
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

    def row_codes(self) -> pl.DataFrame:
        """The row number (as fed) and sorted error codes of every rejected row of a run
        over one input, in row order, as a clean table (`row`, `codes`) for callers that
        number their own rows (an importer's mapped events)."""
        return self.rejected_codes().select(pl.col(ROW).alias("row"), "codes")

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


def _verdicts(typed: pl.DataFrame, plan: Sequence[tuple[Check, pl.Expr]]) -> pl.DataFrame:
    """One boolean column per check of the plan, in its order, True where the row
    passes: the expressions in one select, beside the columns of the checks that have a
    faster test of their field's column alone (`Check.column_ok`)."""
    return typed.select(
        ok.alias(str(i))
        if check.column_ok is None
        else check.column_ok(typed.get_column(check.field)).alias(str(i))
        for i, (check, ok) in enumerate(plan)
    )


def _refused_cells(prior: Sequence[Issue], rows: pl.Series) -> dict[str, pl.Series]:
    """Per field, which rows of the batch a reader refused for their type."""
    refused: dict[str, set[int]] = {}
    for issue in prior:
        if issue.code == "type-error" and issue.field is not None and issue.row is not None:
            refused.setdefault(issue.field, set()).add(issue.row)
    return {name: rows.is_in(sorted(numbers)) for name, numbers in refused.items()}
