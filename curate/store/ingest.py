"""Ingest records into a dataset's store: validate, upsert by primary key, write atomically.

Incoming rows are checked on their own first (fields, row rules, keys unique within the
batch); rejected rows make the command fail, or go to a quarantine directory with their
codes. Accepted rows are merged into the stored tables by primary key: an identical
record is left alone, a record whose content changed replaces the stored one (an event's
`revision` goes up by one), a new key is added. How, by whom and when a record was
extracted (`EXTRACTION_FIELDS`) is not its content: the same record from a new
extraction (re-importing an ACLED file, re-running an extractor) is left alone, keeping
the extraction that first gave it, and is counted as `reextracted`. The merged dataset
must then be valid as a whole (foreign keys, dataset rules), and the rows it adds or
replaces are checked once more on their own; if anything fails, nothing is written. A
problem of an input as a whole (a missing required column, an unknown one) rejects
every row of that input. The changed table files are replaced together
(`curate.disk.journal`), and only if every records file is still the one loaded (a hand edit
meanwhile stops the ingest). Rows in = rows stored + rows quarantined, always, counted
on the files written before the store is committed.

`ingest` reads files; `ingest_frames` takes typed tables held in memory whose rows were
checked already (an importer's), and merges, checks and commits them the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from curate.disk.locks import dataset_lock, reading
from curate.errors import CurateError, InputError
from curate.report import Issue, Report, truncate
from curate.schema.dtypes import polars_schema
from curate.schema.loader import load_schema
from curate.schema.model import Schema
from curate.store.commit import StagedFiles, UpsertedTable, commit_staged, stage_tables
from curate.store.load import (
    StoredTables,
    load_store,
    seal_store,
)
from curate.store.records import Store, in_key_order, key_text, open_store
from curate.validation.across import check_across_tables, check_rows
from curate.validation.paths import ValidationRun, validate_paths
from curate.validation.quarantine import (
    QuarantineCounts,
    remove_quarantine,
    write_quarantine,
)

__all__ = [
    "EXTRACTION_FIELDS",
    "IngestResult",
    "TableChanges",
    "ingest",
    "ingest_frames",
]

# The fields that say how a record was produced rather than what it records.
EXTRACTION_FIELDS = ("extraction_method", "extractor", "extracted_at")


@dataclass
class TableChanges:
    """What an ingest did to one table (keys as text). `reextracted` counts the unchanged
    records that came again from another extraction (`EXTRACTION_FIELDS` differ)."""

    added: list[str] = field(default_factory=list)
    revised: list[str] = field(default_factory=list)
    unchanged: int = 0
    rejected: int = 0
    reextracted: int = 0


@dataclass
class IngestResult:
    """The changes per table, the validation report, and any quarantine files.

    `accepted` is False when the ingest was refused: then nothing was written, neither
    to the store nor to a quarantine."""

    changes: dict[str, TableChanges]
    report: Report
    accepted: bool
    written: bool = False
    quarantine: list[QuarantineCounts] = field(default_factory=list)


def _check_every_row_placed(run: ValidationRun, placed: Sequence[QuarantineCounts]) -> None:
    """Rows in = rows taken into the store + rows quarantined, for every input, with the
    quarantined rows counted on the files written (and a quarantine's valid rows being
    exactly those taken). Raises before anything is committed when they disagree."""
    for position, item in enumerate(run.inputs):
        rows_in = run.rows_of(position)
        stored = run.accepted_of(position)
        rejected = placed[position].rejected if placed else rows_in - stored
        valid = placed[position].valid if placed else stored
        if rows_in != stored + rejected or valid != stored or (not placed and rejected):
            raise CurateError(
                f"{item.path}: {rows_in} rows in, but {stored} to be stored and {rejected} "
                "quarantined; nothing was changed"
            )


def _in_nfc(rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows with their text in NFC (text is stored so, and the same words in another
    normal form are no change), and those of them that NFC changed."""
    text = rows.select(pl.col(pl.String)).columns
    normalised = rows.with_columns(pl.col(text).str.normalize("NFC"))
    same = pl.all_horizontal(
        [pl.col(c).eq_missing(rows.get_column(c)) for c in text] or [pl.lit(True)]
    )
    return normalised, normalised.filter(~same)


def _equal_to_stored(columns: Sequence[str]) -> pl.Expr:
    """Whether a row's `columns` equal those of the stored record beside it (suffix
    `__stored`), missing values equal to each other."""
    return pl.all_horizontal([pl.col(c).eq_missing(pl.col(f"{c}__stored")) for c in columns])


def _merge(
    stored: pl.DataFrame, incoming: pl.DataFrame, table: str, schema: Schema, changes: TableChanges
) -> UpsertedTable:
    """Upsert `incoming` into `stored` by primary key, counting what changed."""
    primary = list(schema.table(table).primary_key)
    names = stored.columns
    content = [
        c for c in names if c not in primary and c != "revision" and c not in EXTRACTION_FIELDS
    ]
    extraction = [c for c in names if c in EXTRACTION_FIELDS]
    incoming = incoming.unique(subset=primary, keep="last", maintain_order=True)
    # Only the stored records the batch touches take part in the comparison.
    existing = stored.join(incoming.select(primary), on=primary, how="semi")
    marked = existing.with_columns(pl.lit(True).alias("__exists"))
    matched = incoming.join(marked, on=primary, how="left", suffix="__stored", coalesce=True)
    same = _equal_to_stored(content)
    matched = matched.with_columns(pl.col("__exists").fill_null(False), same.alias("__same"))
    new = matched.filter(~pl.col("__exists"))
    revised = matched.filter(pl.col("__exists") & ~pl.col("__same"))
    changes.added += new.select(key_text(primary)).to_series().to_list()
    changes.revised += revised.select(key_text(primary)).to_series().to_list()
    unchanged = matched.filter(pl.col("__exists") & pl.col("__same"))
    changes.unchanged += unchanged.height
    if extraction:
        changes.reextracted += unchanged.filter(~_equal_to_stored(extraction)).height
    if "revision" in names:
        revised = revised.with_columns((pl.col("revision__stored") + 1).alias("revision"))
    replacements = pl.concat([new.select(names), revised.select(names)]).sort(primary)
    kept = (
        stored.join(revised.select(primary), on=primary, how="anti") if revised.height else stored
    )
    # New keys usually sort after the stored ones: then nothing needs sorting.
    merged = in_key_order(pl.concat([kept, replacements]), table, schema)
    return UpsertedTable(merged, replacements)


def _check_replacements(
    results: Mapping[str, UpsertedTable], schema: Schema, max_issues: int
) -> Report | None:
    """The row checks on every row about to be added or replaced (they passed them once
    already: this keeps an invalid row out of a store that is then sealed, whatever let
    it through). The failing report, or None."""
    for name, result in results.items():
        if result.replacements.height:
            report = check_rows(result.replacements, name, schema, max_issues, errors_only=True)
            if not report.valid:
                return report
    return None


def _abandon(staging: Future[StagedFiles] | None) -> None:
    """Wait for files staged in the background, and remove them."""
    if staging is not None and staging.exception() is None:
        staging.result().transaction.abandon()


def ingest(
    dataset: Path,
    inputs: Sequence[Path],
    *,
    table: str | None = None,
    dry_run: bool = False,
    quarantine: Path | None = None,
    max_issues: int = 50,
    schema: Schema | None = None,
    progress: Callable[[str], None] | None = None,
) -> IngestResult:
    """Validate `inputs` with the stored records and write the merged store. `table`
    is the table of every input (else each file's name says it). `progress`, if given,
    is told each stage as it starts."""
    stage = progress or (lambda _: None)
    schema = schema or load_schema()
    store = open_store(dataset)
    # A dry run only reads (a read-only dataset too); a write excludes other writers.
    with reading(store.root) if dry_run else dataset_lock(store.root):
        stage("ingesting: reading the store")
        loaded = load_store(store, schema, across_tables=False)
        stage("ingesting: validating the inputs")
        run = validate_paths(
            inputs,
            table,
            schema=schema,
            max_issues=max_issues,
            keep_tables=True,
            across_tables=False,
        )
        changes = {name: TableChanges() for name in schema.table_names}
        for name, count in run.report.rejected.items():
            changes[name].rejected = count
        if not run.report.valid and (quarantine is None or "unique" in run.report.counts):
            # Without a quarantine, or when the batch repeats a key (which of the rows is
            # right cannot be told), the whole batch is refused.
            return IngestResult(changes, run.report, accepted=False)

        def place() -> list[QuarantineCounts]:
            if quarantine is None or run.report.valid:
                return []
            return write_quarantine(run, quarantine)

        stage("ingesting: merging with the stored records")
        return _upsert(
            store,
            loaded,
            schema,
            _Batch(run.report, list(run.validators), run.accepted, changes),
            dry_run=dry_run,
            max_issues=max_issues,
            place=place,
            check_placed=lambda placed: _check_every_row_placed(run, placed),
        )


def ingest_frames(
    dataset: Path,
    tables: Mapping[str, pl.DataFrame],
    *,
    dry_run: bool = False,
    max_issues: int = 50,
    schema: Schema | None = None,
) -> IngestResult:
    """Ingest tables held in memory whose rows were checked one by one already (an
    importer's `Imported.tables`), without writing them as files to read back.

    Each table has exactly its fields, in schema order, with the schema's types
    (`curate.schema.dtypes.polars_schema`), else InputError. Its rows are not checked
    one by one again before the merge; everything else is as `ingest` does it: a key
    repeated within a table refuses the batch, the merged store must be valid as a whole
    (keys, foreign keys and dataset rules, with the stored records), the rows it adds or
    replaces are checked once more on their own, revisions go up, the changed files are
    committed together through the journal and only if no records file was edited
    meanwhile, and rows in = rows stored. No row is rejected on its own, so there is no
    quarantine: the tables go in whole or not at all."""
    schema = schema or load_schema()
    for name, frame in tables.items():
        _check_typed(name, frame, schema)
    store = open_store(dataset)
    with reading(store.root) if dry_run else dataset_lock(store.root):
        loaded = load_store(store, schema, across_tables=False)
        report = _repeated_keys(tables, schema, max_issues)
        changes = {name: TableChanges() for name in schema.table_names}
        for name, count in report.rejected.items():
            changes[name].rejected = count
        if not report.valid:
            return IngestResult(changes, report, accepted=False)
        return _upsert(
            store,
            loaded,
            schema,
            _Batch(report, list(tables), lambda name: tables[name], changes),
            dry_run=dry_run,
            max_issues=max_issues,
            place=lambda: [],
            check_placed=lambda _: _check_every_row_stored(tables, changes),
        )


def _check_typed(name: str, frame: pl.DataFrame, schema: Schema) -> None:
    """Refuse a table that is not exactly the schema's: its fields in order, its types."""
    expected = polars_schema(schema.table(name))
    if frame.schema == expected:
        return
    found = frame.schema
    wrong = [
        f"{field} is {found[field]}, not {kind}"
        for field, kind in expected.items()
        if field in found and found[field] != kind
    ]
    missing = [field for field in expected if field not in found]
    extra = [field for field in found if field not in expected]
    problems = [
        *([f"missing {', '.join(missing)}"] if missing else []),
        *([f"unexpected {', '.join(extra)}"] if extra else []),
        *wrong,
    ] or ["its fields are not in schema order"]
    raise InputError(
        f"the {name} table to ingest is not typed as the schema's ({'; '.join(problems)}); "
        "check it with curate.validate first"
    )


def _repeated_keys(tables: Mapping[str, pl.DataFrame], schema: Schema, max_issues: int) -> Report:
    """The rows of each table whose primary key another of its rows repeats exactly
    (`unique` errors, rows numbered from 1): which of them is right cannot be told.
    Keys that differ only in letter case are found on the merged store."""
    report = Report(max_issues=max_issues)
    for name, frame in tables.items():
        report.count_rows(name, frame.height)
        primary = list(schema.table(name).primary_key)
        positions = frame.select(pl.struct(primary).is_duplicated()).to_series().arg_true()
        keys = frame[positions].select(key_text(primary)).to_series()
        message = f"{','.join(primary)} is not unique"
        issues = (
            Issue("unique", "error", name, position + 1, ",".join(primary), truncate(key), message)
            for position, key in zip(positions.head(report.room), keys, strict=False)
        )
        if positions.len():
            report.tally("unique", "error", positions.len(), issues)
            report.rejected[name] = positions.len()
    return report


def _check_every_row_stored(
    tables: Mapping[str, pl.DataFrame], changes: Mapping[str, TableChanges]
) -> None:
    """Rows in = rows added + revised + unchanged, for every table (none is rejected on
    its own). Raises before anything is committed when they disagree."""
    for name, frame in tables.items():
        counted = changes[name]
        stored = len(counted.added) + len(counted.revised) + counted.unchanged
        if frame.height != stored:
            raise CurateError(
                f"{name}: {frame.height} rows in, but {stored} to be stored; nothing was changed"
            )


@dataclass(frozen=True)
class _Batch:
    """What comes in: the report that judged its rows, its tables, and per table the rows
    that passed the row checks (no internal columns; made when asked for, one table at a
    time), and the changes counted so far (the rows rejected)."""

    report: Report
    tables: Sequence[str]
    accepted: Callable[[str], pl.DataFrame]
    changes: dict[str, TableChanges]


def _upsert(
    store: Store,
    loaded: StoredTables,
    schema: Schema,
    batch: _Batch,
    *,
    dry_run: bool,
    max_issues: int,
    place: Callable[[], list[QuarantineCounts]],
    check_placed: Callable[[Sequence[QuarantineCounts]], None],
) -> IngestResult:
    """Merge `batch` into the `loaded` store by primary key, check the merged store as a
    whole and the rows it adds or replaces once more, and commit (unless `dry_run`).
    Once all of it holds, `place` writes the quarantine (if any) and `check_placed`
    refuses the commit unless every incoming row is placed; nothing is written when
    any of it fails."""
    stored = loaded.tables
    merged = dict(stored)
    results: dict[str, UpsertedTable] = {}
    for name in batch.tables:
        incoming, changed = _in_nfc(batch.accepted(name))
        if changed.height:  # NFC can change a text's length: check those rows again
            normalised = check_rows(changed, name, schema, max_issues)
            if not normalised.valid:
                return IngestResult(batch.changes, normalised, accepted=False)
        results[name] = _merge(stored[name], incoming, name, schema, batch.changes[name])
        merged[name] = results[name].table
    # A trusted store was valid as a whole: only the batch's rows need key checks.
    edited = None
    if loaded.trusted:
        edited = {
            name: result.replacements.select(schema.table(name).primary_key)
            for name, result in results.items()
        }
    touched = {n: results[n] for n, c in batch.changes.items() if c.added or c.revised}
    with ThreadPoolExecutor(max_workers=2) as background:
        # The new files are staged, and the new rows checked again, while the merged
        # store is checked: nothing is committed unless all of it holds.
        staging = None
        if touched and not dry_run:
            staging = background.submit(stage_tables, store, loaded, touched, schema)
        rechecking = background.submit(_check_replacements, results, schema, max_issues)
        placed: list[QuarantineCounts] = []
        try:
            whole = check_across_tables(
                merged, schema, max_issues, changed=edited, errors_only=True
            )
            if whole.valid:
                whole = rechecking.result() or whole
            if not whole.valid:
                # Refused whole: rows that only fail across tables cannot be told
                # apart from the stored rows they conflict with, so none is taken.
                _abandon(staging)
                return IngestResult(batch.changes, whole, accepted=False)
            if not dry_run:
                placed = place()
                check_placed(placed)
            committing = staging.result() if staging is not None else None
        except BaseException:
            _abandon(staging)
            remove_quarantine(placed)
            raise
        if committing is not None:
            commit_staged(store, schema, loaded, committing, placed)
        elif not dry_run and not loaded.trusted:
            seal_store(store, schema, loaded, {})  # checked in full, and unchanged
    written = bool(touched) and not dry_run
    return IngestResult(
        batch.changes, batch.report, accepted=True, written=written, quarantine=placed
    )
