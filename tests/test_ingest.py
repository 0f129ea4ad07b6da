"""The store and ingest: upserts by key, revisions, atomic writes, nothing ever lost."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curate.disk import journal
from curate.disk.journal import JOURNAL, Transaction
from curate.disk.locks import dataset_lock
from curate.errors import InputError
from curate.schema.loader import load_schema
from curate.store.ingest import ingest
from curate.store.load import load_tables
from curate.store.records import new_dataset, open_store
from curate.store.retract import retract
from curate.testing import strategies as cs
from curate.testing.samples import sample_dataset
from tests.helpers import run_cli, write_dataset

SCHEMA = load_schema()


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "records").iterdir())}


def _stored_event(root: Path, event_id: str) -> dict[str, Any]:
    stored = load_tables(open_store(root), SCHEMA)["events"]
    return stored.filter(stored["event_id"] == event_id).row(0, named=True)


@pytest.fixture(scope="module")
def sample() -> dict[str, list[dict[str, Any]]]:
    """The sample dataset every seeded store starts from (drawn once, by Hypothesis,
    which must not run inside a property test)."""
    dataset = sample_dataset(SCHEMA, seed_value=11)
    dataset["events"][0].update(status="active", superseded_by=None)
    return dataset


@pytest.fixture
def seeded(
    tmp_path: Path, sample: dict[str, list[dict[str, Any]]]
) -> tuple[Path, dict[str, list[dict[str, Any]]]]:
    root = tmp_path / "datasets" / "sample"
    new_dataset(root)
    dataset = copy.deepcopy(sample)
    result = ingest(root, write_dataset(tmp_path / "in", dataset))
    assert result.written
    return root, dataset


def test_ingest_stores_sorted_rows_in_schema_order(seeded: tuple[Path, Any]) -> None:
    root, dataset = seeded
    for name, rows in dataset.items():
        stored = [
            json.loads(line)
            for line in (root / "records" / f"{name}.jsonl").read_text("utf-8").splitlines()
        ]
        key = SCHEMA.table(name).primary_key[0]
        assert [r[key] for r in stored] == sorted(r[key] for r in rows)
        assert all(list(r) == list(SCHEMA.table(name).field_names) for r in stored)


def test_the_same_records_again_change_nothing(seeded: tuple[Path, Any], tmp_path: Path) -> None:
    root, dataset = seeded
    before = _snapshot(root)
    result = ingest(root, write_dataset(tmp_path / "again", dataset))
    assert not result.written
    assert all(not c.added and not c.revised for c in result.changes.values())
    assert sum(c.unchanged for c in result.changes.values()) == sum(
        len(r) for r in dataset.values()
    )
    assert _snapshot(root) == before


def test_changed_content_bumps_the_revision(seeded: tuple[Path, Any], tmp_path: Path) -> None:
    root, dataset = seeded
    event = dict(dataset["events"][0])
    old_revision = event["revision"]
    event["notes"] = "Re-read the sources: the date stands."
    event["revision"] = 1  # what the input says is ignored: the store counts revisions
    result = ingest(root, write_dataset(tmp_path / "fix", {"events": [event]}))
    assert result.changes["events"].revised == [event["event_id"]]
    row = _stored_event(root, event["event_id"])
    assert row["revision"] == old_revision + 1
    assert row["notes"] == event["notes"]


@settings(max_examples=15, deadline=None)
@given(
    picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=5),
    extractor=st.text(st.characters(codec="utf-8"), min_size=1, max_size=80),
    shift=st.integers(1, 10**9),
    method=st.sampled_from(["manual", "rule", "model", "import"]),
)
def test_a_new_extraction_of_the_same_records_changes_nothing(
    tmp_path_factory: pytest.TempPathFactory,
    sample: dict[str, list[dict[str, Any]]],
    picks: list[int],
    extractor: str,
    shift: int,
    method: str,
) -> None:
    """Records that differ from the stored ones only in how, by whom and when they were
    extracted are the same records: nothing is revised or written, each is counted as
    re-extracted, and the stored extraction stands."""
    base = tmp_path_factory.mktemp("reextracted")
    root = base / "datasets" / "sample"
    new_dataset(root)
    assert ingest(root, write_dataset(base / "in", sample)).written
    before = _snapshot(root)
    events = sample["events"]
    chosen = {events[i % len(events)]["event_id"]: events[i % len(events)] for i in picks}
    later = dt.datetime(2031, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=shift)
    again = [
        dict(e, extractor=extractor, extracted_at=later, extraction_method=method)
        for e in chosen.values()
    ]
    result = ingest(root, write_dataset(base / "again", {"events": again}))
    assert result.accepted
    assert not result.written
    changes = result.changes["events"]
    assert (changes.added, changes.revised, changes.unchanged) == ([], [], len(again))
    assert changes.reextracted == sum(
        (e["extractor"], e["extraction_method"], e["extracted_at"]) != (extractor, method, later)
        for e in chosen.values()
    )
    assert _snapshot(root) == before


def test_changed_content_from_a_new_extraction_takes_that_extraction(
    seeded: tuple[Path, Any], tmp_path: Path
) -> None:
    root, dataset = seeded
    event = dict(dataset["events"][0], notes="Revised after a second reading.")
    event.update(extractor="reviewer-b", extracted_at=dt.datetime(2031, 1, 1, tzinfo=dt.UTC))
    result = ingest(root, write_dataset(tmp_path / "fix", {"events": [event]}))
    assert result.changes["events"].revised == [event["event_id"]]
    assert result.changes["events"].reextracted == 0
    row = _stored_event(root, event["event_id"])
    assert (row["extractor"], row["notes"]) == ("reviewer-b", event["notes"])
    assert row["extracted_at"] == dt.datetime(2031, 1, 1, tzinfo=dt.UTC)


def test_invalid_rows_refuse_the_ingest_and_nothing_is_written(
    seeded: tuple[Path, Any], tmp_path: Path
) -> None:
    root, dataset = seeded
    before = _snapshot(root)
    bad = dict(dataset["sources"][0], source_id="new-source", url="ftp://nope")
    result = ingest(root, write_dataset(tmp_path / "bad", {"sources": [bad]}))
    assert not result.written
    assert not result.accepted
    assert not result.report.valid
    assert _snapshot(root) == before


def test_a_dangling_reference_refuses_the_merged_store(
    seeded: tuple[Path, Any], tmp_path: Path
) -> None:
    root, dataset = seeded
    before = _snapshot(root)
    claim = dict(dataset["claims"][0], claim_id="orphan", event_id="no-such-event")
    result = ingest(root, write_dataset(tmp_path / "orphan", {"claims": [claim]}))
    assert not result.written
    assert not result.accepted
    assert "foreign-key" in result.report.counts
    assert _snapshot(root) == before
    # With a quarantine too, a batch that fails across tables is refused whole: no row
    # of it goes anywhere, so none is lost.
    quarantine = tmp_path / "q"
    bad_source = dict(dataset["sources"][0], source_id="bad id")
    paths = write_dataset(tmp_path / "both", {"claims": [claim], "sources": [bad_source]})
    refused = ingest(root, paths, quarantine=quarantine)
    assert not refused.accepted
    assert not refused.quarantine
    assert not quarantine.exists()
    assert _snapshot(root) == before


def test_quarantine_takes_rejected_rows_and_the_rest_is_stored(
    seeded: tuple[Path, Any], tmp_path: Path
) -> None:
    root, dataset = seeded
    good = dict(dataset["sources"][0], source_id="extra-source")
    bad = dict(dataset["sources"][0], source_id="bad source id")
    result = ingest(
        root, write_dataset(tmp_path / "mix", {"sources": [good, bad]}), quarantine=tmp_path / "q"
    )
    assert result.written
    assert result.changes["sources"].added == ["extra-source"]
    (placed,) = result.quarantine
    assert (placed.rows, placed.valid, placed.rejected) == (2, 1, 1)


def test_a_batch_repeating_a_key_is_refused_whole_even_with_a_quarantine(
    seeded: tuple[Path, Any], tmp_path: Path
) -> None:
    root, dataset = seeded
    before = _snapshot(root)
    first = dict(dataset["sources"][0], source_id="twice", publisher="Reuters")
    second = dict(first, publisher="Al Jazeera")  # which one is right cannot be told
    other = dict(first, source_id="once")
    batch = write_dataset(tmp_path / "dup", {"sources": [first, second, other]})
    result = ingest(root, batch, quarantine=tmp_path / "q")
    assert not result.accepted
    assert result.report.counts["unique"] == 2
    assert _snapshot(root) == before
    assert not (tmp_path / "q").exists()


def test_a_key_differing_from_a_stored_one_only_in_case_is_refused(
    seeded: tuple[Path, Any], tmp_path: Path
) -> None:
    root, dataset = seeded
    before = _snapshot(root)
    stored_id = dataset["sources"][0]["source_id"]
    clash = dict(dataset["sources"][0], source_id=stored_id.swapcase())
    if clash["source_id"] == stored_id:  # no letters to swap
        clash["source_id"] = "X" + stored_id
        ingest(root, write_dataset(tmp_path / "x", {"sources": [dict(clash)]}))
        before = _snapshot(root)
        clash["source_id"] = "x" + stored_id
    result = ingest(root, write_dataset(tmp_path / "case", {"sources": [clash]}))
    assert not result.accepted
    assert [i.message for i in result.report.issues if i.severity == "error"] == [
        "source_id differs from another only in letter case"
    ] * 2
    assert _snapshot(root) == before


def test_text_in_another_normal_form_is_no_change(seeded: tuple[Path, Any], tmp_path: Path) -> None:
    import unicodedata

    root, dataset = seeded
    source = dict(dataset["sources"][0], title="Raqqa: café, Ḍayr az-Zawr")
    decomposed = dict(source, title=unicodedata.normalize("NFD", source["title"]))
    assert decomposed["title"] != source["title"]
    first = ingest(root, write_dataset(tmp_path / "nfd", {"sources": [decomposed]}))
    assert first.written
    stored = load_tables(open_store(root), SCHEMA)["sources"]
    title = stored.filter(stored["source_id"] == source["source_id"])["title"][0]
    assert title == unicodedata.normalize("NFC", source["title"])
    before = _snapshot(root)
    for form in (source, decomposed):
        again = ingest(root, write_dataset(tmp_path / f"again-{id(form)}", {"sources": [form]}))
        assert again.accepted
        assert not again.written
    assert _snapshot(root) == before


def test_retract_keeps_the_record(seeded: tuple[Path, Any]) -> None:
    root, dataset = seeded
    event = next(e for e in dataset["events"] if e["status"] == "active")
    revision = retract(root, event["event_id"], "duplicate of a better-sourced event")
    row = _stored_event(root, event["event_id"])
    assert (row["status"], row["revision"]) == ("retracted", revision)
    assert row["notes"].endswith("Retracted: duplicate of a better-sourced event")
    with pytest.raises(InputError, match="already retracted"):
        retract(root, event["event_id"], "again")
    with pytest.raises(InputError, match="no event"):
        retract(root, "never-existed", "x")


def test_an_interrupted_commit_is_finished_and_strays_are_removed(
    seeded: tuple[Path, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _ = seeded
    target = root / "records" / "sources.jsonl"
    transaction = Transaction(root)
    transaction.stage(target, b"")

    def crash(*_: object) -> None:
        raise RuntimeError("killed between the journal and the renames")

    monkeypatch.setattr(journal, "_roll_forward", crash)
    with pytest.raises(RuntimeError):
        transaction.commit()
    monkeypatch.undo()
    assert (root / JOURNAL).exists()
    assert target.read_bytes() != b""
    open_store(root)  # every command opens the store first: the commit is finished
    assert target.read_bytes() == b""
    assert not (root / JOURNAL).exists()
    # A crash before the journal is written: the temp file goes, the old state stays.
    claims = root / "records" / "claims.jsonl"
    before = claims.read_bytes()
    Transaction(root).stage(claims, b"garbage")
    open_store(root)
    assert claims.read_bytes() == before
    assert not list(root.rglob(".curate-tmp-*"))


def test_a_disk_full_while_writing_leaves_the_store_and_no_temp_file(
    seeded: tuple[Path, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tables are written in threads; one failing abandons them all."""
    root, dataset = seeded
    before = _snapshot(root)
    events = [dict(e, notes="Revised after a second reading.") for e in dataset["events"]]
    claims = [dict(c, quote="A revised quote.") for c in dataset["claims"]]
    batch = write_dataset(tmp_path / "revisions", {"events": events, "claims": claims})
    from curate.store import commit as commit_module
    from curate.store.records import write_store_rows as real_write
    from curate.store.splice import splice_rows as real_splice

    def disk_full(table: str) -> None:
        if table == "claims":
            raise OSError(28, "No space left on device")

    def write_store_rows(frame: Any, name: str, schema: Any, write: Any) -> None:
        write(b"{partial")
        disk_full(name)
        real_write(frame, name, schema, write)

    def splice_rows(old: Path, keys: Any, rows: Any, name: str, schema: Any, target: int) -> Any:
        os.write(target, b"{partial")
        disk_full(name)
        return real_splice(old, keys, rows, name, schema, target)

    # The sealed store is spliced; a store checked in full is written whole: both fail.
    monkeypatch.setattr(commit_module, "write_store_rows", write_store_rows)
    monkeypatch.setattr(commit_module, "splice_rows", splice_rows)
    with pytest.raises(InputError, match=r"cannot write .*claims\.jsonl: No space left.*nothing"):
        ingest(root, batch)
    assert _snapshot(root) == before
    assert not list(root.rglob(".curate-tmp-*"))


def test_a_second_writer_fails_cleanly_on_the_lock(
    seeded: tuple[Path, Any], tmp_path: Path
) -> None:
    root, dataset = seeded
    with dataset_lock(root), pytest.raises(InputError, match="being changed by another"):
        ingest(root, write_dataset(tmp_path / "locked", dataset))


@settings(max_examples=15, deadline=None)
@given(
    batches=st.lists(
        st.tuples(cs.datasets(max_events=2, max_sources=2), st.booleans()), min_size=1, max_size=3
    )
)
def test_no_row_is_ever_lost(
    batches: list[tuple[dict[str, list[dict[str, Any]]], bool]],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Every row submitted is in the store or in a quarantine file, after any sequence."""
    base = tmp_path_factory.mktemp("lost")
    root = base / "datasets" / "prop"
    new_dataset(root)
    submitted: dict[str, set[str]] = {name: set() for name in SCHEMA.table_names}
    quarantined: dict[str, set[str]] = {name: set() for name in SCHEMA.table_names}
    for number, (dataset, spoil) in enumerate(batches):
        if spoil:
            dataset["sources"].append(dict(dataset["sources"][0], source_id=f"bad id {number}"))
        paths = write_dataset(base / f"in{number}", dataset)
        result = ingest(root, paths, quarantine=base / f"q{number}")
        if not result.accepted:
            assert not result.quarantine
            continue  # refused whole: nothing from this batch was taken, nothing written
        for name, rows in dataset.items():
            key = SCHEMA.table(name).primary_key[0]
            submitted[name] |= {r[key] for r in rows}
        for placed in result.quarantine:
            name = placed.path.name.split(".")[0]
            for line in placed.rejected_file.read_text("utf-8").splitlines():
                record = json.loads(json.loads(line)["raw"])
                quarantined[name].add(record[SCHEMA.table(name).primary_key[0]])
        stored = load_tables(open_store(root), SCHEMA)
        for name in SCHEMA.table_names:
            key = SCHEMA.table(name).primary_key[0]
            kept = set(stored[name].get_column(key).to_list())
            assert submitted[name] <= kept | quarantined[name], name


def test_cli_new_ingest_retract(tmp_path: Path) -> None:
    root = tmp_path / "datasets" / "cli"
    assert run_cli("new", str(root)).returncode == 0
    assert run_cli("new", str(root)).returncode == 2  # exists
    dataset = sample_dataset(SCHEMA, seed_value=3)
    dataset["events"][0].update(status="active", superseded_by=None)
    paths = write_dataset(tmp_path / "in", dataset)
    first = run_cli("ingest", str(root), *map(str, paths))
    assert first.returncode == 0, first.stderr
    assert "store updated" in first.stdout
    again = run_cli("ingest", str(root), *map(str, paths))
    assert "nothing changed" in again.stdout
    event = dataset["events"][0]["event_id"]
    assert run_cli("retract", str(root), event, "--reason", "a test").returncode == 0
    missing = run_cli("ingest", str(tmp_path / "nowhere"), *map(str, paths))
    assert missing.returncode == 2
    assert "not a dataset" in missing.stderr


def test_a_superseded_event_can_be_revised_alone(seeded: tuple[Path, Any], tmp_path: Path) -> None:
    """Found by the state machine: its superseded_by points to a stored event, not to one
    in the batch, and a revision must still be taken."""
    root, dataset = seeded
    events = dataset["events"]
    old, new = events[0], events[1]
    old.update(status="superseded", superseded_by=new["event_id"])
    assert ingest(root, write_dataset(tmp_path / "supersede", {"events": [old]})).written
    revised = dict(old, notes="Superseded by a better-sourced record.")
    result = ingest(root, write_dataset(tmp_path / "revise", {"events": [revised]}))
    assert result.accepted, [i.message for i in result.report.issues]
    assert result.changes["events"].revised == [old["event_id"]]


def test_a_reader_never_removes_a_writers_staged_files(seeded: tuple[Path, Any]) -> None:
    """Found in review: opening a store (as `curate show` does) while a writer holds the
    lock must not take the writer's temp files for a crash's leftovers."""
    root, _ = seeded
    target = root / "records" / "sources.jsonl"
    with dataset_lock(root):
        transaction = Transaction(root)
        transaction.stage(target, b"")
        open_store(root)  # another command, reading
        transaction.commit()
    assert target.read_bytes() == b""
    assert not list(root.rglob(".curate-tmp-*"))


def test_text_that_nfc_makes_too_long_is_refused(seeded: tuple[Path, Any], tmp_path: Path) -> None:
    """U+0958 is excluded from composition: NFC writes it as two characters, so a quote of
    500 of them (the limit) becomes 1,000 once normalised, and cannot be stored."""
    root, dataset = seeded
    before = _snapshot(root)
    claim = dict(dataset["claims"][0], quote="\u0958" * 500)
    result = ingest(root, write_dataset(tmp_path / "long", {"claims": [claim]}))
    assert not result.accepted
    assert [(i.code, i.field) for i in result.report.issues] == [("range", "quote")]
    assert _snapshot(root) == before


@pytest.mark.parametrize("name", ["raqqa\n", "raqqa\r\n", "\nraqqa", "Raqqa", "raqqa 2015"])
def test_a_dataset_name_is_the_whole_name_never_a_prefix(tmp_path: Path, name: str) -> None:
    """A name pattern matched with `$` lets a trailing newline through; every pattern of
    curate matches the whole value, so `curate new` refuses the name and creates nothing."""
    with pytest.raises(InputError, match="a dataset name is lower-case"):
        new_dataset(tmp_path / name)
    result = run_cli("new", str(tmp_path / name))
    assert result.returncode == 2
    assert "a dataset name is lower-case" in result.stderr
    assert list(tmp_path.iterdir()) == []
