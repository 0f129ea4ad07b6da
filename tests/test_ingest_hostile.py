"""Hostile ingests: columns missing or unknown, inputs whose names clash, a hand edit
made while curate writes, a full disk. Through the real command and the Python API,
with and without a quarantine: no row is ever lost (rows in = rows stored + rows
quarantined, counted on the files on disk), no invalid row is ever stored or sealed,
and the store still validates and releases afterwards."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curate.errors import CurateError, InputError
from curate.generate.arrow import arrow_schema
from curate.readers.limits import Limits
from curate.release.build import release
from curate.schema.loader import load_schema
from curate.store.ingest import ingest
from curate.store.load import load_store
from curate.store.records import new_dataset, open_store
from curate.store.retract import retract
from curate.testing.samples import sample_dataset
from curate.validation.paths import validate_paths
from tests.helpers import run_cli, write_csv, write_jsonl
from tests.summary import record_summary

SCHEMA = load_schema()
Rows = list[dict[str, Any]]
CASES_RUN: set[str] = set()


def _write_parquet(path: Path, rows: Rows, table: str, columns: list[str]) -> Path:
    """Rows as Parquet with the table's Arrow types (text for a column it does not know)."""
    exact = arrow_schema(SCHEMA, SCHEMA.table(table))
    fields = [
        exact.field(c).with_nullable(True) if c in exact.names else pa.field(c, pa.string())
        for c in columns
    ]
    data = [{c: row.get(c) for c in columns} for row in rows]
    pq.write_table(pa.Table.from_pylist(data, schema=pa.schema(fields)), path)
    return path


def _write(path: Path, rows: Rows, table: str, columns: list[str]) -> Path:
    """`rows` with exactly `columns`, in the format `path`'s suffix names."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        return write_csv(path, rows, table, columns)
    if path.suffix == ".parquet":
        return _write_parquet(path, rows, table, columns)
    return write_jsonl(path, [{c: row.get(c) for c in columns if c in row} for row in rows])


def _jsonl(path: Path, rows: Rows) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_jsonl(path, rows)


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "records").iterdir())}


def _retractable(dataset: dict[str, Rows]) -> str:
    """An active event (a superseded one keeps its `superseded_by`, which a retracted
    event must not have, so retracting it is refused)."""
    return next(str(e["event_id"]) for e in dataset["events"] if e["status"] == "active")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Rows]]:
    """A valid, sealed store of the sample dataset, to copy for each case."""
    directory = tmp_path_factory.mktemp("hostile-ingest")
    root = directory / "datasets" / "base"
    new_dataset(root)
    dataset = sample_dataset(SCHEMA, seed_value=11)
    # The retraction cases need an active event, and what a seeded draw holds can change
    # with Hypothesis' state: an event that is not superseded is made active.
    if not any(event["status"] == "active" for event in dataset["events"]):
        chosen = next(e for e in dataset["events"] if e["status"] != "superseded")
        chosen["status"] = "active"
    (directory / "in").mkdir()
    inputs = [
        _jsonl(directory / "in" / f"{name}.jsonl", rows) for name, rows in dataset.items() if rows
    ]
    assert ingest(root, inputs).written
    return root, dataset


def _copy(base: tuple[Path, dict[str, Rows]], tmp_path: Path) -> tuple[Path, dict[str, Rows]]:
    root = tmp_path / "datasets" / "copy"
    shutil.copytree(base[0], root)
    return root, copy.deepcopy(base[1])


def _new_sources(prefix: str, count: int) -> Rows:
    return [
        {"source_id": f"{prefix}{i}", "publisher": f"Publisher {i}", "title": f"Title {i}"}
        for i in range(count)
    ]


# --- Problems of an input as a whole: missing and unknown columns ----------------------


@dataclass(frozen=True)
class ColumnCase:
    """An input whose columns are wrong: every row of it must be rejected with `code`."""

    name: str
    table: str
    file: str
    drop: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    code: str = "required"


COLUMN_CASES = [
    ColumnCase("sources-csv-no-publisher", "sources", "sources.csv", drop=("publisher",)),
    ColumnCase("sources-parquet-no-publisher", "sources", "sources.parquet", drop=("publisher",)),
    ColumnCase(
        "events-csv-no-dates", "events", "events.csv", drop=("date_start", "date_end", "actor1")
    ),
    ColumnCase("events-parquet-no-status", "events", "events.parquet", drop=("status",)),
    ColumnCase("claims-csv-no-claimant", "claims", "claims.csv", drop=("claimant", "hedge")),
    ColumnCase("claims-parquet-no-source", "claims", "claims.parquet", drop=("source_id",)),
    ColumnCase(
        "sources-csv-titel", "sources", "sources.csv", extra=("titel",), code="unknown-field"
    ),
    ColumnCase(
        "sources-jsonl-titel", "sources", "sources.jsonl", extra=("titel",), code="unknown-field"
    ),
    ColumnCase(
        "events-parquet-notez", "events", "events.parquet", extra=("notez",), code="unknown-field"
    ),
    ColumnCase(
        "claims-csv-quoet",
        "claims",
        "claims.csv",
        drop=("quote",),
        extra=("quoet",),
        code="unknown-field",
    ),
    ColumnCase(
        "sources-csv-both",
        "sources",
        "sources.csv",
        drop=("publisher",),
        extra=("publsher",),
        code="required",
    ),
]


def _column_input(case: ColumnCase, dataset: dict[str, Rows], directory: Path) -> tuple[Path, int]:
    """The case's input: new records of its table (revisions of stored ones for events
    and claims, which need each other), with the columns changed."""
    table = SCHEMA.table(case.table)
    if case.table == "sources":
        rows = _new_sources(f"{case.name}-", 3)
    else:
        rows = [dict(row, notes="changed") for row in dataset[case.table]]
        rows = [dict(row, quote="changed") if case.table == "claims" else row for row in rows]
    for row in rows:
        for column in case.extra:
            row[column] = f"a {column} value"
    columns = [c for c in table.field_names if c not in case.drop] + list(case.extra)
    return _write(directory / case.file, rows, case.table, columns), len(rows)


def _ingest_both_ways(
    via: str, root: Path, inputs: list[Path], quarantine: Path | None, *options: str
) -> tuple[int, str]:
    """Ingest through the command (its exit code and stderr) or the API (the exit code
    the command gives for its result, and the error's text)."""
    if via == "cli":
        extra = ["--quarantine", str(quarantine)] if quarantine else []
        result = run_cli("ingest", str(root), *map(str, inputs), *extra, *options)
        return result.returncode, result.stderr
    table = options[options.index("--table") + 1] if "--table" in options else None
    try:
        outcome = ingest(root, inputs, quarantine=quarantine, table=table)
    except CurateError as exc:
        return exc.exit_code, str(exc)
    return (0 if outcome.accepted else 1), ""


def _quarantined(directory: Path) -> tuple[list[dict[str, Any]], int]:
    """Every rejected line in a quarantine directory, and the number of valid lines."""
    rejected = [
        json.loads(line)
        for path in sorted(directory.glob("*.rejected.jsonl"))
        for line in path.read_text("utf-8").splitlines()
    ]
    return rejected, sum(_lines(path) for path in directory.glob("*.valid.jsonl"))


def _store_is_valid(root: Path) -> None:
    assert validate_paths([root / "records"]).report.valid
    loaded = load_store(open_store(root), SCHEMA)
    assert loaded.tables["sources"].height == _lines(root / "records" / "sources.jsonl")


@pytest.mark.parametrize("quarantined", [False, True], ids=["refused", "quarantine"])
@pytest.mark.parametrize("via", ["cli", "api"])
@pytest.mark.parametrize("case", COLUMN_CASES, ids=[c.name for c in COLUMN_CASES])
def test_a_column_problem_rejects_every_row_of_its_input(
    base: tuple[Path, dict[str, Rows]],
    tmp_path: Path,
    case: ColumnCase,
    via: str,
    quarantined: bool,
) -> None:
    CASES_RUN.add(f"column:{case.name}:{via}:{quarantined}")
    root, dataset = _copy(base, tmp_path)
    bad, rows = _column_input(case, dataset, tmp_path / "in")
    good = _jsonl(tmp_path / "in" / "more-sources.jsonl", _new_sources("fine-", 2))
    before = _snapshot(root)
    quarantine = tmp_path / "q" if quarantined else None
    code, message = _ingest_both_ways(via, root, [bad, good], quarantine)
    if not quarantined:
        assert code == 1, message
        assert _snapshot(root) == before
        return
    assert code == 0, message
    rejected, valid = _quarantined(tmp_path / "q")
    assert len(rejected) == rows
    assert valid == 2
    assert all(case.code in line["codes"] for line in rejected)
    assert all(any(case.code in p for p in line["input_problems"]) for line in rejected)
    for column in case.extra:  # the unknown column's value is kept in the quarantine
        assert all(f"a {column} value" in json.dumps(line) for line in rejected)
    after = _snapshot(root)
    for name in SCHEMA.table_names:
        if name != "sources":
            assert after[f"{name}.jsonl"] == before[f"{name}.jsonl"]
    added = _lines(root / "records" / "sources.jsonl") - before["sources.jsonl"].count(b"\n")
    assert added == 2  # only the good input's rows
    _store_is_valid(root)


def test_the_sealed_store_stays_valid_after_a_quarantined_missing_column(
    base: tuple[Path, dict[str, Rows]], tmp_path: Path
) -> None:
    """The example of the report: `source_id,title` as a sources CSV, with a quarantine;
    then another ingest (trusting the seal) and a release."""
    CASES_RUN.add("column:example")
    root, _ = _copy(base, tmp_path)
    path = write_csv(
        tmp_path / "sources.csv", _new_sources("t", 2), "sources", ["source_id", "title"]
    )
    first = run_cli("ingest", str(root), str(path), "--quarantine", str(tmp_path / "q"))
    assert first.returncode == 0, first.stderr
    assert b'"t0"' not in (root / "records" / "sources.jsonl").read_bytes()
    more = _jsonl(tmp_path / "more" / "sources.jsonl", _new_sources("m", 1))
    assert run_cli("ingest", str(root), str(more)).returncode == 0
    checked = run_cli("validate", str(root))
    assert checked.returncode == 0, checked.stdout
    released = run_cli("release", str(root), "--version", "1.0.0")
    assert released.returncode == 0, released.stderr


def test_an_unknown_key_first_seen_in_a_later_batch_rejects_the_input(tmp_path: Path) -> None:
    """Each batch's columns are looked at (a JSONL file's keys may change after the first
    batch), and the input's every row is rejected, across batches."""
    CASES_RUN.add("column:later-batch")
    rows = _new_sources("b", 7)
    rows[5]["titel"] = "lost?"
    path = _jsonl(tmp_path / "sources.jsonl", rows)
    run = validate_paths([path], limits=Limits(batch_rows=2))
    assert run.report.counts["unknown-field"] == 1
    assert run.report.rejected["sources"] == 7
    codes = run.validators["sources"].rejected_codes()
    assert codes.get_column("__row").to_list() == list(range(1, 8))


# --- Inputs whose names clash --------------------------------------------------------


CLASHES = {
    "two-directories": ["a/sources.jsonl", "b/sources.jsonl"],
    "three-formats": ["sources.jsonl", "sources.csv", "x/sources.parquet"],
    "letter-case": ["A/Sources.jsonl", "b/sources.jsonl", "c/SOURCES.csv"],
    "same-stem": ["sources.2024.jsonl", "sources.2025.jsonl"],
    "numbered-look-alike": ["a/sources.jsonl", "b/sources.jsonl", "1-sources.jsonl"],
}


@pytest.mark.parametrize("via", ["cli", "api"])
@pytest.mark.parametrize("clash", sorted(CLASHES))
def test_inputs_with_clashing_names_each_get_their_own_quarantine_files(
    base: tuple[Path, dict[str, Rows]], tmp_path: Path, clash: str, via: str
) -> None:
    CASES_RUN.add(f"clash:{clash}:{via}")
    root, _ = _copy(base, tmp_path)
    names = CLASHES[clash]
    inputs = []
    for index, name in enumerate(names):
        rows = _new_sources(f"c{index}-", 3)
        rows[1]["source_id"] = f"bad id {index}!"  # a pattern error, in every input
        inputs.append(
            _write(
                tmp_path / "in" / name, rows, "sources", list(SCHEMA.table("sources").field_names)
            )
        )
    before = _lines(root / "records" / "sources.jsonl")
    code, message = _ingest_both_ways(via, root, inputs, tmp_path / "q")
    assert code == 0, message
    rejected, valid = _quarantined(tmp_path / "q")
    # The second record of each: line 2 of JSONL, record 3 of CSV (the header is 1).
    expected = sorted(3 if name.endswith(".csv") else 2 for name in names)
    assert sorted(line["row"] for line in rejected) == expected
    assert len(list((tmp_path / "q").glob("*.rejected.jsonl"))) == len(names)
    stored = _lines(root / "records" / "sources.jsonl") - before
    assert stored == valid == 2 * len(names)
    assert stored + len(rejected) == 3 * len(names)  # rows in = stored + quarantined
    _store_is_valid(root)


@pytest.mark.parametrize("via", ["cli", "api"])
def test_an_existing_quarantine_file_is_never_overwritten(
    base: tuple[Path, dict[str, Rows]], tmp_path: Path, via: str
) -> None:
    CASES_RUN.add(f"clash:existing:{via}")
    root, _ = _copy(base, tmp_path)
    rows = _new_sources("e", 2)
    rows[0]["source_id"] = "bad id!"
    path = _jsonl(tmp_path / "in" / "sources.jsonl", rows)
    (tmp_path / "q").mkdir()
    (tmp_path / "q" / "sources.rejected.jsonl").write_text("kept\n")
    before = _snapshot(root)
    code, message = _ingest_both_ways(via, root, [path], tmp_path / "q")
    assert code == 2
    assert "exists already" in message
    assert "sources.rejected.jsonl" in message
    assert (tmp_path / "q" / "sources.rejected.jsonl").read_text() == "kept\n"
    assert sorted(p.name for p in (tmp_path / "q").iterdir()) == ["sources.rejected.jsonl"]
    assert _snapshot(root) == before


# --- --table ---------------------------------------------------------------------------


@pytest.mark.parametrize("via", ["cli", "api"])
def test_ingest_takes_the_table_from_the_option(
    base: tuple[Path, dict[str, Rows]], tmp_path: Path, via: str
) -> None:
    CASES_RUN.add(f"table:{via}")
    root, dataset = _copy(base, tmp_path)
    corrections = _jsonl(tmp_path / "corrections.jsonl", _new_sources("k", 2))
    assert run_cli("ingest", str(root), str(corrections)).returncode == 2  # cannot tell
    code, message = _ingest_both_ways(via, root, [corrections], None, "--table", "sources")
    assert code == 0, message
    assert b'"k1"' in (root / "records" / "sources.jsonl").read_bytes()
    claims = [dict(c, quote="Corrected.") for c in dataset["claims"]]
    fixes = _jsonl(tmp_path / "fixes.jsonl", claims)
    code, message = _ingest_both_ways(via, root, [fixes], None, "--table", "claims")
    assert code == 0, message
    assert b"Corrected." in (root / "records" / "claims.jsonl").read_bytes()
    code, message = _ingest_both_ways(via, root, [fixes], None, "--table", "nosuch")
    assert code == 2
    assert "nosuch" in message


def test_ingest_help_explains_the_table_option() -> None:
    result = run_cli("ingest", "--help")
    assert "--table" in result.stdout
    assert "events, claims or sources" in result.stdout


# --- A hand edit while curate writes ---------------------------------------------------

# The real command, with a hand edit (a line appended to a records file, as another
# program would) at its N-th fsync, rename or link; every step is logged with its file.
_EDITING = r"""
import os, sys, threading
edit_at, log, target, line = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
lock, steps = threading.Lock(), []
def counted(name, real):
    def wrapper(*args, **kwargs):
        what = args[0]
        if isinstance(what, int):
            try:
                what = os.readlink(f"/proc/self/fd/{what}")
            except OSError:
                what = str(what)
        with lock:
            steps.append(f"{name} {os.fspath(what)}")
            with open(log, "a") as handle:
                handle.write(steps[-1] + "\n")
            if len(steps) == edit_at:
                with open(target, "ab") as handle:
                    handle.write(line.encode() + b"\n")
        return real(*args, **kwargs)
    return wrapper
for name in ("fsync", "replace", "link"):
    setattr(os, name, counted(name, getattr(os, name)))
sys.argv = ["curate", *sys.argv[5:]]
from curate.cli.app import main
main()
"""


def _edited_run(step: int, log: Path, target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    line = '{"source_id":"by-hand","publisher":"Edited by hand"}'
    command = [sys.executable, "-c", _EDITING, str(step), str(log), str(target), line, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def _steps_before_commit(log: Path) -> int:
    """How many steps come before the journal is written (the commit begins)."""
    steps = log.read_text().splitlines()
    return next(i for i, step in enumerate(steps) if ".curate-journal" in step)


def _edit_scenarios() -> Iterator[tuple[str, str]]:
    for command in ("ingest", "ingest-quarantine", "retract"):
        for store in ("sealed", "unsealed"):
            yield command, store


@pytest.mark.parametrize(("command", "store"), list(_edit_scenarios()))
def test_a_hand_edit_during_a_write_stops_it_and_is_kept(
    base: tuple[Path, dict[str, Rows]], tmp_path: Path, command: str, store: str
) -> None:
    """At every step before the commit, a line appended to the records file being
    rewritten: the command stops (exit 2, one line) and the edit is still there."""
    template, dataset = _copy(base, tmp_path)
    rows = [dict(s, title="Revised title") for s in dataset["sources"]]
    if command == "ingest-quarantine":
        rows.append({"source_id": "bad id!", "publisher": "P"})
    batch = _jsonl(tmp_path / "batch" / "sources.jsonl", rows)
    event = _retractable(dataset)
    target = "events" if command == "retract" else "sources"
    seal_input = _jsonl(tmp_path / "sources-again.jsonl", dataset["sources"][:1])

    def args(root: Path, step: int) -> list[str]:
        if command == "retract":
            return ["retract", str(root), event, "--reason", "A duplicate."]
        if command == "ingest":
            return ["ingest", str(root), str(batch)]
        return ["ingest", str(root), str(batch), "--quarantine", str(tmp_path / f"q{step}")]

    def prepared_root(step: int) -> Path:
        root = tmp_path / f"step{step}" / "datasets" / "copy"
        shutil.copytree(template, root)
        if store == "sealed":  # the same records again: the copy is checked and sealed
            assert ingest(root, [seal_input]).accepted
            assert load_store(open_store(root), SCHEMA).trusted
        return root

    log = tmp_path / "log"
    root = prepared_root(0)
    done = _edited_run(10_000, log, tmp_path / "nowhere", *args(root, 0))
    assert done.returncode == 0, done.stderr
    before_commit = _steps_before_commit(log)
    assert before_commit >= 1
    for step in range(1, before_commit + 1):
        CASES_RUN.add(f"edit:{command}:{store}:{step}")
        root = prepared_root(step)
        path = root / "records" / f"{target}.jsonl"
        log.unlink()
        stopped = _edited_run(step, log, path, *args(root, step))
        assert stopped.returncode == 2, (step, stopped.stdout, stopped.stderr)
        assert "changed while curate was" in stopped.stderr, (step, stopped.stderr)
        assert len(stopped.stderr.strip().splitlines()) == 1, stopped.stderr
        assert b"Edited by hand" in path.read_bytes(), step  # the edit is kept
        assert b"Revised title" not in (root / "records" / "sources.jsonl").read_bytes()
        quarantine = tmp_path / f"q{step}"
        assert not quarantine.exists() or not list(quarantine.iterdir())
        assert not list(root.rglob(".curate-tmp-*"))


def test_a_hand_edit_during_a_release_stops_it(
    base: tuple[Path, dict[str, Rows]], tmp_path: Path
) -> None:
    """A records file edited while a release reads it and builds its files: the release
    would be of neither the old records nor the new, so it is refused (exit 2, one line),
    the edit is kept, and no release, changelog entry or temp file is left. The first,
    a middle and the last step before the commit."""
    template, _ = _copy(base, tmp_path)
    log = tmp_path / "log"
    args = ["release", "--version", "1.0.0"]
    probe = tmp_path / "probe" / "datasets" / "copy"
    shutil.copytree(template, probe)
    done = _edited_run(10_000, log, tmp_path / "nowhere", args[0], str(probe), *args[1:])
    assert done.returncode == 0, done.stderr
    before_commit = _steps_before_commit(log)
    for step in sorted({1, max(before_commit // 2, 1), before_commit}):
        CASES_RUN.add(f"edit:release:{step}")
        root = tmp_path / f"step{step}" / "datasets" / "copy"
        shutil.copytree(template, root)
        changelog = (root / "CHANGELOG.md").read_bytes()
        path = root / "records" / "sources.jsonl"
        log.unlink()
        stopped = _edited_run(step, log, path, args[0], str(root), *args[1:])
        assert stopped.returncode == 2, (step, stopped.stdout, stopped.stderr)
        assert "changed while curate was releasing from" in stopped.stderr, stopped.stderr
        assert len(stopped.stderr.strip().splitlines()) == 1, stopped.stderr
        assert b"Edited by hand" in path.read_bytes(), step
        assert not (root / "releases" / "1.0.0").exists()
        assert (root / "CHANGELOG.md").read_bytes() == changelog
        assert not list(root.rglob(".curate-tmp-*"))


def test_a_hand_edit_during_an_ingest_through_the_api(
    base: tuple[Path, dict[str, Rows]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store that is not sealed (checked in full, every file rewritten whole) is
    checked just before the commit too."""
    CASES_RUN.add("edit:api")
    import os

    root, dataset = _copy(base, tmp_path)
    assert not load_store(open_store(root), SCHEMA).trusted  # a copy: no seal
    path = root / "records" / "sources.jsonl"
    real_fsync = os.fsync
    edited: list[bool] = []

    def fsync_and_edit(descriptor: int) -> None:
        if not edited:
            edited.append(True)
            with path.open("ab") as handle:
                handle.write(b'{"source_id":"by-hand","publisher":"Edited by hand"}\n')
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", fsync_and_edit)
    rows = [dict(s, title="Revised title") for s in dataset["sources"]]
    batch = _jsonl(tmp_path / "sources.jsonl", rows)
    with pytest.raises(InputError, match="changed while curate was ingesting into it"):
        ingest(root, [batch])
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert b"Edited by hand" in path.read_bytes()
    with pytest.raises(InputError, match="changed while curate"):
        retract_with_edit(root, _retractable(dataset), monkeypatch)


def retract_with_edit(root: Path, event_id: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """`retract`, with an event appended to events.jsonl by hand while it stages."""
    import os

    real_fsync = os.fsync
    path = root / "records" / "events.jsonl"

    def fsync_and_edit(descriptor: int) -> None:
        monkeypatch.setattr(os, "fsync", real_fsync)
        with path.open("ab") as handle:
            handle.write(b"\n")
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", fsync_and_edit)
    return retract(root, event_id, "A duplicate.")


# --- A full disk ---------------------------------------------------------------------

CRASHPOINTS = Path(__file__).with_name("crashpoints.py")


def test_a_full_disk_names_the_file_and_changes_nothing(
    base: tuple[Path, dict[str, Rows]], tmp_path: Path
) -> None:
    """ENOSPC at every write, fsync and rename of an ingest with a quarantine: one line
    naming the file; before the commit the store and the quarantine are as they were,
    after it the next command completes the write."""
    template, dataset = _copy(base, tmp_path)
    rows = [dict(s, title="Revised title") for s in dataset["sources"]]
    batch = _jsonl(tmp_path / "batch" / "sources.jsonl", [*rows, {"source_id": "bad id!"}])
    old = _snapshot(template)
    count = tmp_path / "count"

    def run(step: int) -> tuple[Path, subprocess.CompletedProcess[str]]:
        root = tmp_path / f"step{step}" / "datasets" / "copy"
        shutil.copytree(template, root)
        quarantine = tmp_path / f"step{step}" / "q"
        args = ["ingest", str(root), str(batch), "--quarantine", str(quarantine)]
        command = [sys.executable, str(CRASHPOINTS), "oserror", str(step), str(count), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        return root, done

    root, done = run(10_000)
    assert done.returncode == 0, done.stderr
    new = _snapshot(root)
    total = int(count.read_text())
    outcomes = set()
    for step in range(1, total + 1):
        CASES_RUN.add(f"full-disk:{step}")
        root, stopped = run(step)
        assert stopped.returncode == 2, (step, stopped.stderr)
        lines = stopped.stderr.strip().splitlines()
        assert len(lines) == 1, stopped.stderr
        assert "Traceback" not in stopped.stderr
        assert "No space left on device" in lines[0], lines
        assert "cannot write " in lines[0], lines
        assert "unexpected error" not in lines[0]
        quarantine = tmp_path / f"step{step}" / "q"
        if "nothing was changed" in lines[0]:
            outcomes.add("old")
            assert _snapshot(root) == old, (step, lines)
            assert not quarantine.exists() or not list(quarantine.iterdir()), step
        else:
            outcomes.add("new")
            assert "completes it" in lines[0], lines
            open_store(root)  # the next command finishes the write
            assert _snapshot(root) == new
            assert _lines(next(quarantine.glob("*.rejected.jsonl"))) == 1
        open_store(root)  # the next command removes whatever temp file is left
        assert not list(root.rglob(".curate-tmp-*"))
    assert "old" in outcomes


# --- The property: rows in = rows stored + rows quarantined ----------------------------

_NAMES = ["a/sources", "b/sources", "sources", "c/Sources", "sources.more"]
_FORMATS = [".jsonl", ".csv", ".parquet"]


@st.composite
def _batches(draw: st.DrawFn) -> list[tuple[str, str, list[str], bool, bool]]:
    """Inputs: (name, format, row kinds, columns dropped?, unknown column?)."""
    inputs = []
    for _ in range(draw(st.integers(1, 4))):
        name = draw(st.sampled_from(_NAMES))
        suffix = draw(st.sampled_from(_FORMATS))
        kinds = draw(st.lists(st.sampled_from(["good", "bad-id", "no-publisher"]), max_size=5))
        missing = draw(st.booleans()) and suffix != ".jsonl"
        unknown = draw(st.booleans())
        inputs.append((name, suffix, kinds, missing, unknown))
    return inputs


_EXAMPLES = {"count": 0}


@settings(max_examples=30, deadline=None)
@given(batch=_batches())
def test_no_row_is_ever_lost_across_clashing_inputs(
    base: tuple[Path, dict[str, Rows]],
    tmp_path_factory: pytest.TempPathFactory,
    batch: list[tuple[str, str, list[str], bool, bool]],
) -> None:
    """Random good and bad rows over inputs whose names clash, in every format, some
    missing a required column or carrying an unknown one: rows in = rows stored + rows
    quarantined, counted on the files on disk; the store still validates in full and
    releases."""
    _EXAMPLES["count"] += 1
    CASES_RUN.add(f"property:{_EXAMPLES['count']}")
    directory = tmp_path_factory.mktemp("property")
    root = directory / "datasets" / "copy"
    shutil.copytree(base[0], root)
    inputs, rows_in, expected_stored = [], 0, 0
    fields = list(SCHEMA.table("sources").field_names)
    for index, (name, suffix, kinds, missing, unknown) in enumerate(batch):
        rows: Rows = []
        for number, kind in enumerate(kinds):
            row: dict[str, Any] = {"source_id": f"p{index}-{number}", "publisher": "P"}
            if kind == "bad-id":
                row["source_id"] = f"bad id {index} {number}"
            elif kind == "no-publisher":
                row["publisher"] = None
            if unknown:
                row["titel"] = "typo"
            rows.append(row)
        columns = [c for c in fields if not (missing and c == "publisher")]
        columns += ["titel"] if unknown else []
        path = directory / f"in{index}" / f"{name}{suffix}"
        inputs.append(_write(path, rows, "sources", columns))
        rows_in += len(rows)
        if not missing and not unknown:
            expected_stored += kinds.count("good")
    before = _lines(root / "records" / "sources.jsonl")
    result = ingest(root, inputs, quarantine=directory / "q")
    assert result.accepted
    quarantine = directory / "q"
    rejected = sum(_lines(p) for p in quarantine.glob("*.rejected.jsonl"))
    valid = sum(_lines(p) for p in quarantine.glob("*.valid.jsonl"))
    stored = _lines(root / "records" / "sources.jsonl") - before
    assert stored == expected_stored
    assert rows_in == stored + rejected
    if quarantine.exists():
        assert valid == stored
        assert len(list(quarantine.glob("*.rejected.jsonl"))) == len(inputs)
    assert validate_paths([root]).report.valid
    assert load_store(open_store(root), SCHEMA).trusted  # sealed, and trusted rightly
    if stored:
        assert release(root, version="1.0.0", epoch=1_700_000_000).version == "1.0.0"
    shutil.rmtree(directory)


def _records_a_file(root: Path) -> str:
    shutil.rmtree(root / "records")
    (root / "records").write_text("{}\n", encoding="utf-8")
    return "not a directory"


def _records_file_a_fifo(root: Path) -> str:
    (root / "records" / "claims.jsonl").unlink()
    os.mkfifo(root / "records" / "claims.jsonl")
    return "not a regular file"


def _records_file_a_directory(root: Path) -> str:
    (root / "records" / "events.jsonl").unlink()
    (root / "records" / "events.jsonl").mkdir()
    return "not a regular file"


HOSTILE_STORES = {
    "records is a file": _records_a_file,
    "a records file is a FIFO": _records_file_a_fifo,
    "a records file is a directory": _records_file_a_directory,
}
STORE_COMMANDS: dict[str, Callable[[Path, Path], list[str]]] = {
    "ingest": lambda root, batch: ["ingest", str(root), str(batch)],
    "ingest --dry-run": lambda root, batch: ["ingest", str(root), str(batch), "--dry-run"],
    "retract": lambda root, _: ["retract", str(root), "EVENT", "--reason", "a test"],
    "release": lambda root, _: ["release", str(root), "--bump", "auto"],
    "show": lambda root, _: ["show", str(root)],
    "diff": lambda root, _: ["diff", str(root), str(root)],
}


@pytest.mark.parametrize("command", sorted(STORE_COMMANDS))
@pytest.mark.parametrize("layout", sorted(HOSTILE_STORES))
def test_a_store_of_the_wrong_kinds_of_file_is_a_clear_refusal(
    layout: str, command: str, base: tuple[Path, dict[str, Rows]], tmp_path: Path
) -> None:
    """records/ as a file was "unknown file type ''"; a FIFO or a directory in the
    place of a records file: one line naming what is wrong, exit 2, nothing written."""
    root, _ = _copy(base, tmp_path)
    batch = _jsonl(tmp_path / "in" / "sources.jsonl", _new_sources("kind", 2))
    why = HOSTILE_STORES[layout](root)
    before = sorted(str(p.relative_to(root)) for p in root.rglob("*"))
    result = run_cli(*STORE_COMMANDS[command](root, batch))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "unexpected" not in result.stderr
    assert why in result.stderr, result.stderr
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*")) == before
    CASES_RUN.add(f"store layout: {layout}, {command}")


def test_zz_record_the_number_of_hostile_ingest_cases() -> None:
    """Runs last in this file: the figure for docs/security.md."""
    assert len(CASES_RUN) > 0
    record_summary("hostile_ingest", len(CASES_RUN))
