"""Releases: the lifecycle end to end, reproducibility, tamper detection, interop."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curate import strategies as cs
from curate.errors import InvalidDataError
from curate.ingest import ingest
from curate.release import read_tables, release
from curate.samples import sample_dataset
from curate.schema import load_schema
from curate.store import new_dataset, open_store
from curate.stored import load_tables
from curate.types import POLARS_TYPES
from curate.verify import read_release
from tests.helpers import frictionless_report, run_cli, write_dataset

SCHEMA = load_schema()
EPOCH = "1442448000"  # 2015-09-17


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    return run_cli(*args)


def _inputs(directory: Path, dataset: dict[str, list[dict[str, Any]]]) -> list[str]:
    return [str(path) for path in write_dataset(directory, dataset)]


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".curate.lock"
    }


@pytest.fixture(scope="module")
def lifecycle(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """new -> ingest -> 1.0.0 -> corrections -> auto 1.0.1 -> new events -> auto 1.1.0."""
    base = tmp_path_factory.mktemp("lifecycle")
    root = base / "datasets" / "demo"
    dataset = sample_dataset(SCHEMA, seed_value=21)
    for event in dataset["events"]:
        event.update(status="active", superseded_by=None)
    assert _cli("new", str(root)).returncode == 0
    assert _cli("ingest", str(root), *_inputs(base / "first", dataset)).returncode == 0
    first = _cli("release", str(root), "--version", "1.0.0")
    assert first.returncode == 0, first.stderr
    corrected = dict(dataset["events"][0], notes="Corrected after review.")
    assert (
        _cli("ingest", str(root), *_inputs(base / "fix", {"events": [corrected]})).returncode == 0
    )
    second = _cli("release", str(root), "--bump", "auto")
    assert second.returncode == 0, second.stderr
    extra = sample_dataset(SCHEMA, seed_value=22)
    for name, rows in extra.items():
        key = SCHEMA.table(name).primary_key[0]
        for row in rows:
            row[key] = f"new-{row[key]}"[:60]
    for event in extra["events"]:
        event.update(status="active", superseded_by=None)
    for claim in extra["claims"]:
        claim["event_id"] = f"new-{claim['event_id']}"[:60]
        claim["source_id"] = f"new-{claim['source_id']}"[:60]
    added = _cli("ingest", str(root), *_inputs(base / "more", extra))
    assert added.returncode == 0, added.stdout + added.stderr
    third = _cli("release", str(root), "--bump", "auto")
    assert third.returncode == 0, third.stderr
    return {"root": root, "dataset": dataset, "corrected": corrected, "extra": extra, "base": base}


def test_versions_follow_the_changes(lifecycle: dict[str, Any]) -> None:
    releases = lifecycle["root"] / "releases"
    assert sorted(p.name for p in releases.iterdir()) == ["1.0.0", "1.0.1", "1.1.0"]
    changelog = (lifecycle["root"] / "CHANGELOG.md").read_text("utf-8")
    assert changelog.startswith("# Changelog of")  # newest first, under the introduction
    assert changelog.index("## 1.1.0") < changelog.index("## 1.0.1") < changelog.index("## 1.0.0")


def test_changes_and_diff_name_exactly_the_revision(lifecycle: dict[str, Any]) -> None:
    root, corrected = lifecycle["root"], lifecycle["corrected"]
    changes = (root / "releases" / "1.0.1" / "CHANGES.md").read_text("utf-8")
    assert f"`{corrected['event_id']}`" in changes
    assert "notes:" in changes
    assert "revision:" in changes
    result = run_cli(
        "diff",
        str(root / "releases" / "1.0.0"),
        str(root / "releases" / "1.0.1"),
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    diff = json.loads(result.stdout)
    assert list(diff["events"]["revised"]) == [corrected["event_id"]]
    fields = {c["field"] for c in diff["events"]["revised"][corrected["event_id"]]}
    assert fields == {"notes", "revision"}
    assert all(not d["added"] and not d["removed"] for d in diff.values())


def test_the_minor_release_lists_the_added_records(lifecycle: dict[str, Any]) -> None:
    root, extra = lifecycle["root"], lifecycle["extra"]
    diff = json.loads(
        run_cli(
            "diff",
            str(root / "releases" / "1.0.1"),
            str(root / "releases" / "1.1.0"),
            "--format",
            "json",
        ).stdout
    )
    for name, rows in extra.items():
        key = SCHEMA.table(name).primary_key[0]
        assert diff[name]["added"] == sorted(r[key] for r in rows)
    store_diff = json.loads(
        run_cli("diff", str(root / "releases" / "1.1.0"), str(root), "--format", "json").stdout
    )
    assert all(not d["added"] and not d["revised"] for d in store_diff.values())


def test_a_second_release_of_a_version_is_refused_and_nothing_changes(
    lifecycle: dict[str, Any],
) -> None:
    root = lifecycle["root"]
    before = _tree(root)
    again = _cli("release", str(root), "--version", "1.1.0")
    assert again.returncode == 2
    assert "Traceback" not in again.stderr
    assert _tree(root) == before


def test_every_release_verifies_and_passes_frictionless(lifecycle: dict[str, Any]) -> None:
    for published in sorted((lifecycle["root"] / "releases").iterdir()):
        assert run_cli("verify", str(published)).returncode == 0
        report = frictionless_report(published / "datapackage.json")
        assert report["valid"] is True, str(report)[-2000:]


def test_a_rebuild_from_the_same_store_is_byte_identical(
    lifecycle: dict[str, Any], tmp_path: Path
) -> None:
    root = lifecycle["root"]
    copy = tmp_path / "datasets" / "demo"
    shutil.copytree(root, copy)
    shutil.rmtree(copy / "releases" / "1.1.0")
    assert _cli("release", str(copy), "--version", "1.1.0").returncode == 0
    original = (root / "releases" / "1.1.0" / "SHA256SUMS").read_text("utf-8")
    assert (copy / "releases" / "1.1.0" / "SHA256SUMS").read_text("utf-8") == original


@pytest.mark.parametrize(
    "name",
    [
        "events.parquet",
        "claims.parquet",
        "sources.parquet",
        "datapackage.json",
        "CODEBOOK.md",
        "CHANGES.md",
        "SHA256SUMS",
    ],
)
def test_one_changed_byte_fails_verification_naming_the_file(
    lifecycle: dict[str, Any], tmp_path: Path, name: str
) -> None:
    release = tmp_path / "1.1.0"
    shutil.copytree(lifecycle["root"] / "releases" / "1.1.0", release)
    target = release / name
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    result = run_cli("verify", str(release))
    assert result.returncode == 1
    assert name in result.stderr
    if name.endswith(".parquet"):
        with pytest.raises(InvalidDataError, match=name):
            read_release(release)


def test_read_back_with_exact_types_everywhere(lifecycle: dict[str, Any]) -> None:
    release = lifecycle["root"] / "releases" / "1.1.0"
    expected = read_tables(release, SCHEMA)
    polars_tables = read_release(release, "polars")
    pandas_tables = read_release(release, "pandas")
    arrow_tables = read_release(release, "arrow")
    for name in SCHEMA.table_names:
        table = SCHEMA.table(name)
        assert dict(polars_tables[name].schema) == {
            f.name: POLARS_TYPES[f.type] for f in table.fields
        }
        assert polars_tables[name].equals(expected[name])
        from_arrow = pl.from_arrow(arrow_tables[name])
        assert isinstance(from_arrow, pl.DataFrame)
        assert from_arrow.equals(expected[name])
        frame = pandas_tables[name]
        for f in table.fields:
            if f.type == "integer":
                assert str(frame[f.name].dtype) == "int64[pyarrow]", f.name
        assert pl.from_pandas(frame).equals(expected[name])
        plain = pd.read_parquet(release / f"{name}.parquet", dtype_backend="numpy_nullable")
        for f in table.fields:
            if f.type == "integer":
                assert str(plain[f.name].dtype) == "Int64", f.name
        with duckdb.connect() as connection:
            described = connection.execute(
                f"DESCRIBE SELECT * FROM read_parquet('{release / name}.parquet')"
            ).fetchall()
            types = {row[0]: row[1] for row in described}
            duck_arrow = connection.sql(
                f"SELECT * FROM read_parquet('{release / name}.parquet')"
            ).to_arrow_table()
            duck = pl.from_arrow(duck_arrow)
            assert isinstance(duck, pl.DataFrame)
        wanted = {
            "integer": "BIGINT",
            "number": "DOUBLE",
            "date": "DATE",
            "boolean": "BOOLEAN",
            "string": "VARCHAR",
        }
        for f in table.fields:
            if f.type in wanted:
                assert types[f.name] == wanted[f.type], f.name
            else:
                assert types[f.name] == "TIMESTAMP WITH TIME ZONE", f.name
        assert (
            duck.select(table.field_names)
            .cast(dict(polars_tables[name].schema))
            .equals(expected[name])
        )
        assert (
            pq.read_metadata(release / f"{name}.parquet")
            .schema.to_arrow_schema()
            .metadata[b"curate.schema_version"]
            == SCHEMA.version.encode()
        )


@settings(max_examples=10, deadline=None)
@given(
    steps=st.lists(
        st.tuples(cs.datasets(max_events=2, max_sources=2), st.sampled_from(["patch", "minor"])),
        min_size=1,
        max_size=3,
    )
)
def test_every_release_reads_back_equal_to_the_store_at_its_time(
    steps: list[tuple[dict[str, list[dict[str, Any]]], str]],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    base = tmp_path_factory.mktemp("releases")
    root = base / "datasets" / "prop"
    new_dataset(root)
    published: dict[str, dict[str, pl.DataFrame]] = {}
    for number, (dataset, level) in enumerate(steps):
        result = ingest(root, write_dataset(base / f"in{number}", dataset))
        if not result.written:
            continue
        made = release(root, bump="auto" if number == 0 else level)  # type: ignore[arg-type]
        published[made.version] = load_tables(open_store(root), SCHEMA)
        for version, tables in published.items():
            back = read_release(root / "releases" / version)
            for name in SCHEMA.table_names:
                assert back[name].equals(tables[name].sort(list(SCHEMA.table(name).primary_key)))


RELEASE_FILES = [
    "CHANGES.md",
    "CODEBOOK.md",
    "SHA256SUMS",
    "claims.parquet",
    "datapackage.json",
    "events.parquet",
    "sources.parquet",
]


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(RELEASE_FILES), where=st.floats(0, 1), bit=st.integers(0, 7))
def test_any_flipped_bit_of_any_file_is_caught_and_the_file_named(
    lifecycle: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    where: float,
    bit: int,
) -> None:
    from curate.verify import verify_release

    release_dir = tmp_path_factory.mktemp("tampered") / "1.1.0"
    shutil.copytree(lifecycle["root"] / "releases" / "1.1.0", release_dir)
    target = release_dir / name
    data = bytearray(target.read_bytes())
    data[min(int(where * len(data)), len(data) - 1)] ^= 1 << bit
    target.write_bytes(bytes(data))
    verification = verify_release(release_dir, schema=SCHEMA)
    assert not verification.ok
    assert any(name in problem for problem in verification.problems), verification.problems


@pytest.mark.parametrize(
    "written", ["md5:{hex32}", "{hex64}", "sha512:{hex64}{hex64}", "SHA256:{hex64}"]
)
def test_hashes_of_another_form_or_algorithm_are_refused(
    lifecycle: dict[str, Any], tmp_path: Path, written: str
) -> None:
    release_dir = tmp_path / "1.1.0"
    shutil.copytree(lifecycle["root"] / "releases" / "1.1.0", release_dir)
    descriptor = release_dir / "datapackage.json"
    document = json.loads(descriptor.read_text("utf-8"))
    real = document["resources"][0]["hash"].removeprefix("sha256:")
    document["resources"][0]["hash"] = written.format(hex32=real[:32], hex64=real)
    descriptor.write_text(json.dumps(document), encoding="utf-8")
    result = run_cli("verify", str(release_dir))
    assert result.returncode == 1
    assert "hash must be 'sha256:<64 hex>'" in result.stderr
