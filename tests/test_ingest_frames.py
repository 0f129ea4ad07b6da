"""`ingest_frames`: tables held in memory (an importer's) go into a store exactly as the
same records written as files and ingested would, without being written or read back;
and `curate import --into` uses it."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curate.errors import InputError
from curate.schema.dtypes import polars_schema
from curate.schema.loader import load_schema
from curate.store.ingest import IngestResult, ingest, ingest_frames
from curate.store.records import new_dataset
from curate.testing import strategies as cs
from curate.testing.samples import sample_dataset
from tests.helpers import run_cli, write_dataset

SCHEMA = load_schema()
FIXTURES = Path(__file__).parent / "fixtures" / "importers"
TABLES = SCHEMA.table_names


def _records(root: Path) -> dict[str, bytes]:
    return {name: (root / "records" / f"{name}.jsonl").read_bytes() for name in TABLES}


def _frames(dataset: dict[str, list[dict[str, Any]]]) -> dict[str, pl.DataFrame]:
    """The dataset's non-empty tables as typed frames (as `write_dataset` writes files)."""
    return {
        name: pl.DataFrame(rows, schema=polars_schema(SCHEMA.table(name)))
        for name, rows in dataset.items()
        if rows
    }


def _counts(result: IngestResult) -> dict[str, tuple[list[str], list[str], int, int, int]]:
    return {
        name: (c.added, c.revised, c.unchanged, c.rejected, c.reextracted)
        for name, c in result.changes.items()
    }


# --- the same store as ingesting files ----------------------------------------------------


def _revised(dataset: dict[str, list[dict[str, Any]]], note: str) -> dict[str, list[Any]]:
    """The dataset with every other event's notes changed (a revision each)."""
    events = [dict(e, notes=note) if i % 2 == 0 else e for i, e in enumerate(dataset["events"])]
    return {**dataset, "events": events}


batches = st.lists(
    st.tuples(cs.datasets(max_events=3, max_sources=2), st.booleans()), min_size=1, max_size=3
)


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches)
def test_frames_give_the_store_that_files_give(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[dict[str, Any], bool]]
) -> None:
    """Batch after batch (new records, revisions, the same records again), the store and
    the counted changes are the same from frames as from files."""
    base = tmp_path_factory.mktemp("same")
    by_frames, by_files = base / "frames", base / "files"
    new_dataset(by_frames, schema=SCHEMA)
    new_dataset(by_files, schema=SCHEMA)
    for index, (dataset, revise) in enumerate(steps):
        for batch in (dataset, _revised(dataset, f"Revised {index}.")) if revise else (dataset,):
            from_frames = ingest_frames(by_frames, _frames(batch), schema=SCHEMA)
            paths = write_dataset(base / f"in-{index}-{revise}", batch)
            from_files = ingest(by_files, paths, schema=SCHEMA)
            assert from_frames.accepted == from_files.accepted
            assert _counts(from_frames) == _counts(from_files)
            assert from_frames.written == from_files.written
            assert _records(by_frames) == _records(by_files)


@pytest.mark.parametrize(
    ("command", "first", "then"),
    [
        ("acled", "acled-current.csv", "acled-31-column.csv"),
        ("acled", "acled-before-2019.csv", "acled-current-no-actor2.csv"),
        ("ucdp", "GEDEvent_v24_1.csv", "GEDEvent_v24_1.geojson"),
    ],
)
def test_import_into_gives_the_store_of_import_then_ingest(
    command: str, first: str, then: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`import --into` and `import -o DIR` + `curate ingest DIR's files` leave the same
    store bytes, for a first import and for one on top of it (an import of the same
    records at another time is unchanged; others are added)."""
    into, ingested = tmp_path / "into", tmp_path / "ingested"
    for root in (into, ingested):
        assert run_cli("new", str(root)).returncode == 0
    for step, (fixture, epoch) in enumerate([(first, "1700000000"), (then, "1700086400")]):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        export = str(FIXTURES / fixture)
        direct = run_cli("import", command, export, "--into", str(into), "--format", "json")
        out = tmp_path / f"out-{step}"
        written = run_cli("import", command, export, "-o", str(out))
        # 1 when the export has rows the importer rejects: the same either way.
        assert direct.returncode == written.returncode, direct.stderr
        assert direct.returncode in (0, 1), direct.stderr
        assert json.loads(direct.stdout)["ingest"]["accepted"]
        files = [str(out / f"{name}.jsonl") for name in TABLES]
        through_files = run_cli("ingest", str(ingested), *files)
        assert through_files.returncode == 0, through_files.stderr
        assert _records(into) == _records(ingested)
        assert _records(into)["events"]  # something was imported


# --- nothing is written to be read back ---------------------------------------------------

_opened: list[str] | None = None


def _watch(event: str, args: tuple[Any, ...]) -> None:
    """An audit hook: every file opened for writing while a test watches."""
    if _opened is None or event != "open" or not isinstance(args[0], str | bytes | Path):
        return
    mode, flags = args[1], args[2]
    writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
        isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) != 0
    )
    if writing:
        _opened.append(os.fsdecode(args[0]))


sys.addaudithook(_watch)


@pytest.fixture
def opened_for_writing() -> Iterator[list[str]]:
    global _opened
    _opened = []
    try:
        yield _opened
    finally:
        _opened = None


@pytest.mark.parametrize(("command", "fixture"), [("acled", "acled-current.csv")])
def test_import_into_writes_records_only_into_the_store(
    command: str,
    fixture: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    opened_for_writing: list[str],
) -> None:
    """The real command, in this process: the only records files written are the
    store's own (staged beside them in records/); no temporary JSONL of the import is
    written, so none is parsed and checked a second time."""
    from typer.testing import CliRunner

    from curate.cli.app import app

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    dataset = tmp_path / "demo"
    new_dataset(dataset, schema=SCHEMA)
    opened_for_writing.clear()
    result = CliRunner().invoke(
        app, ["import", command, str(FIXTURES / fixture), "--into", str(dataset)]
    )
    assert result.exit_code == 0, result.output
    records = [path for path in opened_for_writing if path.endswith(".jsonl")]
    assert records  # the hook sees the store's own writes
    outside = [p for p in records if Path(p).parent.resolve() != (dataset / "records").resolve()]
    assert outside == []


# --- what is refused ------------------------------------------------------------------------


def test_a_table_not_typed_as_the_schema_is_refused(tmp_path: Path) -> None:
    new_dataset(tmp_path / "demo", schema=SCHEMA)
    events = pl.DataFrame(schema=polars_schema(SCHEMA.table("events")))
    for frame, expected in [
        (events.drop("notes"), "missing notes"),
        (events.with_columns(pl.lit(1).alias("extra")), "unexpected extra"),
        (events.with_columns(pl.col("revision").cast(pl.Int32)), "revision is Int32, not Int64"),
        (events.select(reversed(events.columns)), "not in schema order"),
        (events.with_columns(pl.lit(1).alias("__row")), "unexpected __row"),
    ]:
        with pytest.raises(InputError, match=expected):
            ingest_frames(tmp_path / "demo", {"events": frame}, schema=SCHEMA)
    assert _records(tmp_path / "demo") == dict.fromkeys(TABLES, b"")


def _sample() -> dict[str, list[dict[str, Any]]]:
    dataset = sample_dataset(SCHEMA, seed_value=3)
    for event in dataset["events"]:
        event.update(status="active", superseded_by=None)
    return dataset


def test_a_repeated_key_refuses_the_batch(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    new_dataset(root, schema=SCHEMA)
    frames = _frames(_sample())
    frames["sources"] = pl.concat([frames["sources"], frames["sources"].head(1)])
    result = ingest_frames(root, frames, schema=SCHEMA)
    assert not result.accepted
    assert not result.written
    assert result.report.counts["unique"] == 2
    assert result.changes["sources"].rejected == 2
    assert {issue.table for issue in result.report.issues} == {"sources"}
    assert _records(root) == dict.fromkeys(TABLES, b"")


def test_a_reference_to_nothing_stored_refuses_the_batch(tmp_path: Path) -> None:
    """Checked across tables with what is stored: claims whose event is neither stored
    nor in the batch are refused, and nothing is written."""
    root = tmp_path / "demo"
    new_dataset(root, schema=SCHEMA)
    frames = _frames(_sample())
    assert ingest_frames(root, {"sources": frames["sources"]}, schema=SCHEMA).accepted
    before = _records(root)
    result = ingest_frames(root, {"claims": frames["claims"]}, schema=SCHEMA)
    assert not result.accepted
    assert "foreign-key" in result.report.counts
    assert _records(root) == before
    # With the events stored, the same claims go in; their events' source counts hold.
    assert ingest_frames(root, {"events": frames["events"], "claims": frames["claims"]}).accepted


def test_a_dry_run_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    new_dataset(root, schema=SCHEMA)
    result = ingest_frames(root, _frames(_sample()), dry_run=True, schema=SCHEMA)
    assert result.accepted
    assert not result.written
    assert len(result.changes["events"].added) == len(_sample()["events"])
    assert _records(root) == dict.fromkeys(TABLES, b"")
