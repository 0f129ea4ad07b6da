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

from curate.errors import InputError, InvalidDataError
from curate.release.build import release
from curate.release.read import read_tables
from curate.release.verify import read_release
from curate.schema.dtypes import POLARS_TYPES
from curate.schema.loader import load_schema
from curate.store.ingest import ingest
from curate.store.load import load_tables
from curate.store.records import new_dataset, open_store
from curate.testing import strategies as cs
from curate.testing.samples import sample_dataset
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
    from curate.release.verify import verify_release

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


RAQQA = Path(__file__).resolve().parents[1] / "datasets" / "raqqa-airstrikes-2015"


def _dataset_copy(lifecycle: dict[str, Any], tmp_path: Path) -> Path:
    copy = tmp_path / "datasets" / "demo"
    shutil.copytree(lifecycle["root"], copy)
    return copy


def _more_records(root: Path, directory: Path) -> None:
    """One more event (and its claim and source) ingested, so that a release has news."""
    dataset = sample_dataset(SCHEMA, seed_value=33)
    event = dict(dataset["events"][0], event_id="late-1", status="active", superseded_by=None)
    claims = [
        dict(c, claim_id=f"late-{c['claim_id']}"[:60], event_id="late-1")
        for c in dataset["claims"]
        if c["event_id"] == dataset["events"][0]["event_id"]
    ]
    sources = {c["source_id"] for c in claims}
    extra = {
        "events": [event],
        "claims": claims,
        "sources": [s for s in dataset["sources"] if s["source_id"] in sources],
    }
    result = _cli("ingest", str(root), *_inputs(directory, extra))
    assert result.returncode == 0, result.stdout + result.stderr


def test_release_prints_its_digest_and_records_it_in_the_changelog(
    lifecycle: dict[str, Any], tmp_path: Path
) -> None:
    from curate.release.package import release_digest

    root = _dataset_copy(lifecycle, tmp_path)
    _more_records(root, tmp_path / "more")
    made = _cli("release", str(root), "--bump", "auto", "--format", "json")
    assert made.returncode == 0, made.stderr
    document = json.loads(made.stdout)
    release_dir = root / "releases" / document["version"]
    digest = release_digest(release_dir)
    assert document["digest"] == digest
    assert document["previous"] == "1.1.0"
    entry = (root / "CHANGELOG.md").read_text("utf-8").split("\n## ")[1]
    assert entry.startswith(document["version"])
    assert f"Release digest: `{digest}`" in entry
    cite = next(line for line in entry.splitlines() if line.startswith("Cite as:"))
    assert f"Release {document['version']}, release digest `{digest}`" in cite
    verified = run_cli("verify", str(release_dir), "--digest", digest)
    assert verified.returncode == 0, verified.stderr
    assert digest in verified.stdout
    other = run_cli("verify", str(root / "releases" / "1.1.0"), "--digest", digest)
    assert other.returncode == 1
    assert len(other.stderr.strip().splitlines()) == 1
    assert "not the published" in other.stderr
    malformed = run_cli("verify", str(release_dir), "--digest", "sha256:abc")
    assert malformed.returncode == 2
    assert "not a release digest" in malformed.stderr


def test_the_api_gives_the_digest_of_a_release(lifecycle: dict[str, Any], tmp_path: Path) -> None:
    from curate.release.package import release_digest
    from curate.release.verify import verify_release

    root = _dataset_copy(lifecycle, tmp_path)
    _more_records(root, tmp_path / "more")
    made = release(root, bump="auto", epoch=1442448000)
    assert made.digest == release_digest(made.path)
    assert verify_release(made.path, digest=made.digest).digest == made.digest
    assert not verify_release(made.path, digest="sha256:" + "0" * 64).ok


def test_the_shipped_changelog_records_each_shipped_release_digest() -> None:
    from curate.release.package import release_digest

    changelog = (RAQQA / "CHANGELOG.md").read_text("utf-8")
    for release_dir in sorted((RAQQA / "releases").iterdir()):
        digest = release_digest(release_dir)
        entry = changelog.split(f"## {release_dir.name} ")[1].split("\n## ")[0]
        assert f"Release digest: `{digest}`" in entry
        assert f"Release {release_dir.name}, release digest `{digest}`" in entry


def _half_written(releases: Path) -> str:
    (releases / "1.2.0").mkdir()
    shutil.copyfile(releases / "1.1.0" / "events.parquet", releases / "1.2.0" / "events.parquet")
    return "releases/1.2.0"


def _stray_directory(releases: Path) -> str:
    (releases / "latest").mkdir()
    return "releases/latest"


def _stray_file(releases: Path) -> str:
    (releases / "notes.txt").write_text("hand notes\n", "utf-8")
    return "releases/notes.txt"


def _linked(releases: Path) -> str:
    (releases / "1.3.0").symlink_to(releases / "1.1.0")
    return "releases/1.3.0"


def _partial_older(releases: Path) -> str:
    (releases / "1.0.1" / "CHANGES.md").unlink()
    return "releases/1.0.1"


@pytest.mark.parametrize(
    "stray", [_half_written, _stray_directory, _stray_file, _linked, _partial_older]
)
def test_a_stray_or_partial_entry_of_releases_is_refused_by_name(
    lifecycle: dict[str, Any], tmp_path: Path, stray: Any
) -> None:
    root = _dataset_copy(lifecycle, tmp_path)
    _more_records(root, tmp_path / "more")
    named = stray(root / "releases")
    before = _tree(root)
    for command in (["release", str(root), "--bump", "auto"], ["replay", str(root)]):
        result = _cli(*command)
        assert result.returncode == 2, result.stdout + result.stderr
        assert named in result.stderr
        assert "unexpected error" not in result.stderr
        assert "Traceback" not in result.stderr
    assert _tree(root) == before


def _forge_latest(root: Path) -> Path:
    from tests.test_tamper import forge

    latest = root / "releases" / "1.1.0"
    forge(latest, lambda f: f.field("events", "revision").update(type="number"))
    return latest


def test_a_release_is_not_built_on_a_previous_one_that_does_not_verify(
    lifecycle: dict[str, Any], tmp_path: Path
) -> None:
    root = _dataset_copy(lifecycle, tmp_path)
    _more_records(root, tmp_path / "more")
    latest = _forge_latest(root)
    before = _tree(root)
    result = _cli("release", str(root), "--bump", "auto")
    assert result.returncode == 2, result.stdout + result.stderr
    assert str(latest) in result.stderr
    assert "does not verify" in result.stderr
    assert _tree(root) == before
    with pytest.raises(InputError, match="does not verify"):
        release(root, bump="auto")


@pytest.mark.parametrize("command", ["diff", "show", "export", "replay"])
def test_commands_reading_a_release_read_only_one_that_verifies(
    lifecycle: dict[str, Any], tmp_path: Path, command: str
) -> None:
    root = _dataset_copy(lifecycle, tmp_path)
    latest = _forge_latest(root)
    arguments = {
        "diff": ["diff", str(root / "releases" / "1.0.0"), str(latest)],
        "show": ["show", str(latest)],
        "export": ["export", "acled", str(latest)],
        "replay": ["replay", str(root)],
    }[command]
    result = run_cli(*arguments)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "does not verify" in result.stderr
    assert "field revision differs" in result.stderr
    assert "Traceback" not in result.stderr
    with pytest.raises(InvalidDataError, match="does not verify"):
        read_release(latest)
