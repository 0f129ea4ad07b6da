"""Store seals: a store curate wrote is trusted next time, anything else is checked in full,
and trusting it changes no verdict and no byte."""

from __future__ import annotations

import copy
import functools
import itertools
import json
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curate.errors import InputError, InvalidDataError
from curate.schema.loader import default_schema_dir, load_schema
from curate.store import commit as commit_module
from curate.store import seal
from curate.store.ingest import ingest
from curate.store.load import load_store
from curate.store.records import (
    empty_table,
    in_key_order,
    new_dataset,
    open_store,
    parse_store_rows,
    store_rows,
)
from curate.store.retract import retract
from curate.store.seal import BlockHasher, Digest, read_seal, seal_path
from curate.store.splice import splice_rows
from curate.testing import strategies as cs
from curate.testing.samples import sample_dataset
from tests.helpers import write_dataset

SCHEMA = load_schema()
Dataset = dict[str, list[dict[str, Any]]]


@functools.cache
def _sample(seed: int) -> Dataset:
    dataset = sample_dataset(SCHEMA, seed_value=seed)
    dataset["events"][0].update(status="active", superseded_by=None)
    return dataset


def _dataset(tmp_path: Path, seed: int = 11) -> tuple[Path, Dataset]:
    root = tmp_path / "datasets" / "sealed"
    new_dataset(root)
    dataset = copy.deepcopy(_sample(seed))
    assert ingest(root, write_dataset(tmp_path / "in", dataset)).written
    return root, dataset


def _canonical(root: Path) -> bool:
    """Whether every records file is exactly what a full write of its rows gives."""
    tables = load_store(open_store(root), SCHEMA).tables
    return all(
        (root / "records" / f"{name}.jsonl").read_bytes() == store_rows(frame, name, SCHEMA)
        for name, frame in tables.items()
    )


def test_a_store_curate_wrote_is_trusted_and_reads_as_checked(tmp_path: Path) -> None:
    root, _ = _dataset(tmp_path)
    trusted = load_store(open_store(root), SCHEMA)
    assert trusted.trusted
    seal_path(root).unlink()
    checked = load_store(open_store(root), SCHEMA)
    assert not checked.trusted
    for name in SCHEMA.table_names:
        assert trusted.tables[name].equals(checked.tables[name]), name
        assert trusted.tables[name].schema == checked.tables[name].schema


def test_an_edit_of_the_same_size_is_checked_in_full(tmp_path: Path) -> None:
    root, _ = _dataset(tmp_path)
    path = root / "records" / "events.jsonl"
    text = path.read_text("utf-8")
    assert '"status":"active"' in text
    path.write_text(text.replace('"status":"active"', '"status":"ACTIVE"', 1), "utf-8")
    with pytest.raises(InvalidDataError, match="is invalid"):
        load_store(open_store(root), SCHEMA)


def test_a_hand_edited_file_is_sealed_only_once_curate_rewrote_it(tmp_path: Path) -> None:
    """Valid, but not in curate's form: its lines could not be spliced as they are."""
    root, dataset = _dataset(tmp_path)
    path = root / "records" / "sources.jsonl"
    path.write_text(path.read_text("utf-8").replace('":', '": '), "utf-8")  # other spacing
    assert not load_store(open_store(root), SCHEMA).trusted
    event = dict(dataset["events"][0], notes="A second reading.")
    assert ingest(root, write_dataset(tmp_path / "fix", {"events": [event]})).written
    assert not load_store(open_store(root), SCHEMA).trusted  # sources.jsonl as edited
    assert ": " in path.read_text("utf-8")
    source = dict(dataset["sources"][0], title="A corrected title")
    assert ingest(root, write_dataset(tmp_path / "source", {"sources": [source]})).written
    assert load_store(open_store(root), SCHEMA).trusted
    assert _canonical(root)


def test_a_records_file_written_to_during_an_ingest_is_not_spliced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, dataset = _dataset(tmp_path)
    before = {p.name: p.read_bytes() for p in (root / "records").iterdir()}

    def meddling(old: Path, *args: Any) -> int | None:
        with old.open("ab") as handle:  # another program, not holding curate's lock
            handle.write(b'{"event_id":"sneaked-in"}\n')
        return splice_rows(old, *args)

    monkeypatch.setattr(commit_module, "splice_rows", meddling)
    event = dict(dataset["events"][0], notes="Revised.")
    with pytest.raises(InputError, match="changed while curate was"):
        ingest(root, write_dataset(tmp_path / "fix", {"events": [event]}))
    after = {p.name: p.read_bytes() for p in (root / "records").iterdir()}
    assert after["events.jsonl"].endswith(b'"sneaked-in"}\n')  # the meddler's, not curate's
    assert {n: b for n, b in after.items() if n != "events.jsonl"} == {
        n: b for n, b in before.items() if n != "events.jsonl"
    }
    assert not list(root.rglob(".curate-tmp-*"))
    with pytest.raises(InvalidDataError):  # and it is checked in full next time
        load_store(open_store(root), SCHEMA)


@settings(max_examples=50, deadline=None)
@given(
    data=st.binary(max_size=64),
    cuts=st.lists(st.integers(0, 64), max_size=6),
    block=st.integers(1, 9),
)
def test_block_digests_do_not_depend_on_how_the_bytes_arrive(
    data: bytes,
    cuts: list[int],
    block: int,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    path = tmp_path_factory.mktemp("digest") / "file"
    path.write_bytes(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(seal, "BLOCK", block)
        hasher = BlockHasher()
        edges = [0, *sorted(c for c in cuts if c <= len(data)), len(data)]
        for start, stop in itertools.pairwise(edges):
            hasher(data[start:stop])
        whole = Digest.of_file(path)
        assert hasher.digest() == whole
        for offset in range(len(data) + 1):
            known = whole.unchanged_blocks(offset)
            assert Digest.of_file(path, known) == whole
            assert len(known) * block <= offset


@settings(max_examples=30, deadline=None)
@given(dataset=cs.datasets(max_events=4, max_sources=3))
def test_what_curate_writes_parses_back_exactly(
    dataset: Dataset, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from curate.readers.rows import rows_to_frame

    base = tmp_path_factory.mktemp("parse")
    for name, rows in dataset.items():
        frame, problems = rows_to_frame(rows, SCHEMA.table(name))
        assert not problems
        path = base / f"{name}.jsonl"
        path.write_bytes(store_rows(frame, name, SCHEMA))
        parsed = parse_store_rows(path, name, SCHEMA)
        expected = in_key_order(frame, name, SCHEMA)
        assert parsed.schema == expected.schema
        assert parsed.equals(expected), name


def test_a_seal_of_another_schema_or_curate_is_not_used(tmp_path: Path) -> None:
    root, _ = _dataset(tmp_path)
    assert read_seal(root, SCHEMA) is not None
    seal = json.loads(seal_path(root).read_text("utf-8"))
    for part in ("curate", "code", "schema"):
        changed = json.loads(json.dumps(seal))
        changed["header"][part] = "something else"
        seal_path(root).write_text(json.dumps(changed), "utf-8")
        assert read_seal(root, SCHEMA) is None, part
        assert not load_store(open_store(root), SCHEMA).trusted
    seal_path(root).write_text("{not json", "utf-8")
    assert read_seal(root, SCHEMA) is None


def test_a_copied_dataset_is_checked_in_full(tmp_path: Path) -> None:
    root, _ = _dataset(tmp_path)
    copy = tmp_path / "elsewhere" / "sealed"
    shutil.copytree(root, copy)
    assert not load_store(open_store(copy), SCHEMA).trusted


def test_an_unwritable_state_directory_only_costs_speed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("", "utf-8")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocked))
    root, dataset = _dataset(tmp_path)
    assert not load_store(open_store(root), SCHEMA).trusted
    event = dict(dataset["events"][0], notes="Revised.")
    assert ingest(root, write_dataset(tmp_path / "fix", {"events": [event]})).written
    assert _canonical(root)


def test_retract_splices_one_line(tmp_path: Path) -> None:
    root, dataset = _dataset(tmp_path, seed=5)
    event_id = dataset["events"][0]["event_id"]  # active (`_dataset` makes it so)
    assert retract(root, event_id, "a duplicate") >= 2
    assert load_store(open_store(root), SCHEMA).trusted
    assert _canonical(root)


def _sources(rows: list[dict[str, str]]) -> pl.DataFrame:
    """Typed sources rows (a key and a publisher; the other fields empty)."""
    given = pl.DataFrame(rows, schema={"source_id": pl.String, "publisher": pl.String})
    return pl.concat([empty_table("sources", SCHEMA), given], how="diagonal_relaxed")


def _records_file(directory: Path, keys: list[str]) -> Path:
    path = directory / "sources.jsonl"
    rows = [{"source_id": k, "publisher": "A publisher"} for k in keys]
    path.write_bytes(store_rows(_sources(rows), "sources", SCHEMA))
    return path


@pytest.mark.parametrize(
    "text",
    [b'{"source_id":"a","publisher":"P"}', b'{"source_id":"a","publisher":"P"}\n\n'],
    ids=["no final newline", "a blank line"],
)
def test_a_file_whose_lines_are_not_its_rows_is_not_spliced(tmp_path: Path, text: bytes) -> None:
    path = tmp_path / "sources.jsonl"
    path.write_bytes(text)
    new = _sources([{"source_id": "0", "publisher": "Another"}])
    with (tmp_path / "out").open("wb") as out:
        keys = pl.Series("source_id", ["a"])
        assert splice_rows(path, keys, new, "sources", SCHEMA, out.fileno()) is None
    assert (tmp_path / "out").read_bytes() == b""


@settings(max_examples=40, deadline=None)
@given(
    stored=st.lists(st.from_regex(r"[a-m][a-z0-9]{0,4}", fullmatch=True), unique=True, max_size=8),
    added=st.lists(st.from_regex(r"[a-z][a-z0-9]{0,4}", fullmatch=True), unique=True, max_size=6),
    revised=st.sets(st.integers(0, 7), max_size=4),
)
def test_a_splice_gives_the_bytes_of_a_full_write(
    stored: list[str],
    added: list[str],
    revised: set[int],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """New keys before, between and after the stored ones, and revised lines anywhere."""
    base = tmp_path_factory.mktemp("splice")
    keys = sorted(stored)
    path = _records_file(base, keys)
    changed = [keys[i] for i in sorted(revised) if i < len(keys)]
    replacements = _sources(
        [{"source_id": k, "publisher": "New"} for k in added if k not in stored]
        + [{"source_id": k, "publisher": "Revised"} for k in changed]
    )
    kept = [{"source_id": k, "publisher": "A publisher"} for k in keys if k not in changed]
    expected = store_rows(pl.concat([_sources(kept), replacements]), "sources", SCHEMA)
    out = base / "out.jsonl"
    with out.open("wb") as handle:
        stored_keys = pl.Series("source_id", keys, dtype=pl.String)
        first = splice_rows(path, stored_keys, replacements, "sources", SCHEMA, handle.fileno())
    assert first is not None
    assert out.read_bytes() == expected
    assert expected[:first] == path.read_bytes()[:first]  # the digest's blocks before it hold


@settings(max_examples=20, deadline=None)
@given(
    first=cs.datasets(max_events=3, max_sources=2),
    batches=st.lists(
        st.tuples(
            cs.datasets(max_events=3, max_sources=2),
            st.sampled_from(["", "orphan", "case", "revise"]),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_trusting_the_seal_changes_no_verdict_and_no_byte(
    first: Dataset, batches: list[tuple[Dataset, str]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The same ingests into a sealed store and into one checked in full every time give
    the same verdicts, reports and files; the sealed one is spliced, never rewritten."""
    base = tmp_path_factory.mktemp("trust")
    sealed, checked = base / "a" / "store", base / "b" / "store"
    for root in (sealed, checked):
        new_dataset(root)
        assert ingest(root, write_dataset(base / "first", first)).accepted
    for number, (batch, spoil) in enumerate(batches):
        source = first["sources"][0]
        if spoil == "orphan":
            orphan = dict(batch["claims"][0], claim_id=f"orphan{number}", event_id="none")
            batch["claims"].append(orphan)
        elif spoil == "case" and source["source_id"].swapcase() != source["source_id"]:
            batch["sources"].append(dict(source, source_id=source["source_id"].swapcase()))
        elif spoil == "revise":
            batch["events"].append(dict(first["events"][0], notes=f"revision {number}"))
        paths = write_dataset(base / f"in{number}", batch)
        seal_path(checked).unlink(missing_ok=True)
        assert load_store(open_store(sealed), SCHEMA).trusted
        one, other = ingest(sealed, paths), ingest(checked, paths)
        assert (one.accepted, one.written) == (other.accepted, other.written)
        assert one.report.counts == other.report.counts
        assert [(i.code, i.table, i.value) for i in one.report.issues] == [
            (i.code, i.table, i.value) for i in other.report.issues
        ]
        for name in SCHEMA.table_names:
            assert (sealed / "records" / f"{name}.jsonl").read_bytes() == (
                checked / "records" / f"{name}.jsonl"
            ).read_bytes(), name
    assert _canonical(sealed)


def test_ingest_into_a_sealed_store_splices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, dataset = _dataset(tmp_path)
    spliced: list[int | None] = []

    def spy(*args: Any) -> int | None:
        spliced.append(splice_rows(*args))
        return spliced[-1]

    monkeypatch.setattr(commit_module, "splice_rows", spy)
    event = dict(dataset["events"][-1], notes="Revised.")
    assert ingest(root, write_dataset(tmp_path / "fix", {"events": [event]})).written
    assert len(spliced) == 1
    assert spliced[0] is not None
    assert _canonical(root)


def _package_copy(tmp_path: Path) -> Path:
    copied = tmp_path / "curate"
    shutil.copytree(seal.PACKAGE, copied, ignore=shutil.ignore_patterns("__pycache__"))
    return copied


@pytest.mark.parametrize(
    "changed",
    [
        "interchange/acled/importer.py",
        "generate/codebook.py",
        "report.schema.json",
        "store/seal.py",
    ],
)
def test_the_code_digest_covers_every_file_of_the_package(tmp_path: Path, changed: str) -> None:
    package = _package_copy(tmp_path)
    schema_dir = tmp_path / "schema"
    shutil.copytree(default_schema_dir(), schema_dir)
    before = seal.code_digest(package, schema_dir)
    assert before == seal.code_digest(package, schema_dir)  # stable
    with (package / changed).open("a", encoding="utf-8") as handle:
        handle.write("\n")
    assert seal.code_digest(package, schema_dir) != before
    (package / "__pycache__").mkdir(exist_ok=True)
    (package / "__pycache__" / "x.pyc").write_bytes(b"compiled")  # a cache is no code
    after = seal.code_digest(package, schema_dir)
    (schema_dir / "rules.yaml").write_text("# edited\n", encoding="utf-8")
    assert seal.code_digest(package, schema_dir) not in (before, after)


def test_a_seal_of_other_code_in_a_subpackage_is_not_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = _package_copy(tmp_path / "code")
    monkeypatch.setattr(seal, "PACKAGE", package)
    root, _ = _dataset(tmp_path)
    assert read_seal(root, SCHEMA) is not None
    assert load_store(open_store(root), SCHEMA).trusted
    with (package / "interchange" / "records.py").open("a", encoding="utf-8") as handle:
        handle.write("# another version of the importer\n")
    assert read_seal(root, SCHEMA) is None
    assert not load_store(open_store(root), SCHEMA).trusted
