"""The hostile-input corpus (tests/hostile/cases.py) through the real CLI and the Python
API, hostile release descriptors through `curate verify` and `read_release`, and
non-finite numbers through every in-memory path."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import curate
from curate.errors import InputError, InvalidDataError
from curate.release.verify import read_release, verify_release
from curate.report import Report
from curate.validation.paths import validate_paths
from tests.helpers import run_cli
from tests.hostile.cases import CASES, Case
from tests.summary import record_summary

RAQQA = Path(__file__).resolve().parents[1] / "datasets" / "raqqa-airstrikes-2015"
RELEASE = RAQQA / "releases" / "1.1.0"


def _errors(issues: list[dict[str, Any]]) -> set[tuple[str, int | None, str | None]]:
    return {(i["code"], i["row"], i["field"]) for i in issues if i["severity"] == "error"}


def _check(case: Case, found: set[tuple[str, int | None, str | None]]) -> None:
    expected = set(case.errors)
    assert expected <= found, found
    if case.only:
        assert found == expected


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_hostile_file_gets_its_exact_verdict_from_the_cli(case: Case, tmp_path: Path) -> None:
    path = tmp_path / case.file
    case.write(path)
    result = run_cli("validate", str(path), "--format", "json", "--max-errors", "1000")
    assert result.returncode == case.exit_code, result.stderr
    assert "Traceback" not in result.stderr
    assert "Exception ignored" not in result.stderr
    if case.exit_code == 2:  # the file cannot be read: one line says why
        assert case.message is not None
        assert case.message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        return
    _check(case, _errors(json.loads(result.stdout)["issues"]))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_hostile_file_gets_the_same_verdict_from_the_api(case: Case, tmp_path: Path) -> None:
    path = tmp_path / case.file
    case.write(path)
    if case.exit_code == 2:
        with pytest.raises(InputError, match=re.escape(case.message or "")):
            validate_paths([path])
        return
    report = validate_paths([path]).report
    assert report.valid == (case.exit_code == 0)
    _check(case, _errors([i.to_dict() for i in report.issues]))


def _tampered_descriptor(tmp_path: Path, path: str) -> Path:
    release = tmp_path / "1.1.0"
    shutil.copytree(RELEASE, release)
    descriptor = release / "datapackage.json"
    document = json.loads(descriptor.read_text("utf-8"))
    document["resources"][0]["path"] = path
    descriptor.write_text(json.dumps(document), encoding="utf-8")
    return release


UNSAFE_PATHS = [
    "/etc/passwd",
    "../../records/events.jsonl",
    "file:///etc/passwd",
    "http://127.0.0.1:9/events.parquet",
    "https://example.org/events.parquet",
    "C:events.parquet",
]


@pytest.mark.parametrize("unsafe", UNSAFE_PATHS)
def test_a_descriptor_pointing_outside_is_refused_without_reading_it(
    tmp_path: Path, unsafe: str
) -> None:
    release = _tampered_descriptor(tmp_path, unsafe)
    result = run_cli("verify", str(release))
    assert result.returncode == 1
    assert "is not a plain file inside the release" in result.stderr
    with pytest.raises(InvalidDataError, match="not a plain file inside the release"):
        read_release(release)


def test_a_symlink_leading_out_of_the_release_is_not_followed(tmp_path: Path) -> None:
    release = tmp_path / "1.1.0"
    shutil.copytree(RELEASE, release)
    outside = tmp_path / "outside.parquet"
    shutil.copyfile(release / "events.parquet", outside)  # same bytes: only the link differs
    (release / "events.parquet").unlink()
    (release / "events.parquet").symlink_to(outside)
    verification = verify_release(release)
    assert not verification.ok
    assert any("events.parquet" in p for p in verification.problems)
    with pytest.raises((InvalidDataError, InputError)):
        read_release(release)


@pytest.mark.parametrize("kind", ["DataFrame", "LazyFrame", "pandas", "arrow", "rows"])
def test_non_finite_numbers_are_range_errors_on_every_in_memory_path(kind: str) -> None:
    frame = pl.DataFrame(
        {
            "event_id": ["e1", "e2", "e3"],
            "latitude": [float("nan"), 10.0, 10.0],
            "longitude": [10.0, float("inf"), 10.0],
            "confidence": [0.5, 0.5, float("-inf")],
        }
    )
    given: Any = {
        "DataFrame": frame,
        "LazyFrame": frame.lazy(),
        "pandas": frame.to_pandas(),
        "arrow": frame.to_arrow(),
        "rows": frame.to_dicts(),
    }[kind]
    report: Report = curate.validate(given, table="events")
    found = {(i.code, i.row, i.field) for i in report.issues if i.code == "range"}
    expected = {("range", 1, "latitude"), ("range", 2, "longitude"), ("range", 3, "confidence")}
    if kind == "pandas":  # NaN is pandas' own missing value: it arrives as null
        expected.discard(("range", 1, "latitude"))
    assert found == expected


def test_the_corpus_is_counted() -> None:
    cases = len(CASES) + len(UNSAFE_PATHS) + 1  # files, descriptors, the symlink
    record_summary("hostile_cases", cases)
    assert cases >= 100  # issue 14: the corpus grows past 100 cases


def test_controls_in_free_text_are_flagged_and_shown_escaped(tmp_path: Path) -> None:
    path = tmp_path / "sources.jsonl"
    path.write_text(
        '{"source_id": "s1", "publisher": "Reu\\u202eters", "title": "a\\u200bb [bold]x"}\n',
        encoding="utf-8",
    )
    result = run_cli("validate", str(path))
    assert result.returncode == 0  # warnings: worth a look, still valid
    assert "Reu\\u202eters" in result.stdout
    assert "\u202e" not in result.stdout
    assert "[bold]x" in result.stdout  # markup in a value is shown, not applied
    strict = run_cli("validate", str(path), "--strict", "--format", "json")
    assert strict.returncode == 1
    flagged = {(i["code"], i["field"]) for i in json.loads(strict.stdout)["issues"]}
    assert flagged == {("text-control", "publisher"), ("text-control", "title")}


@pytest.fixture(scope="module")
def small_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from curate.schema.loader import load_schema
    from curate.store.ingest import ingest
    from curate.store.records import new_dataset
    from curate.testing.samples import sample_dataset
    from tests.helpers import write_dataset

    base = tmp_path_factory.mktemp("store")
    root = base / "sample"
    new_dataset(root)
    dataset = sample_dataset(load_schema(), seed_value=21)
    for event in dataset["events"]:
        event.update(status="active", superseded_by=None)
    assert ingest(root, write_dataset(base / "in", dataset)).written
    return root


@pytest.mark.parametrize("case", [c for c in CASES if c.exit_code], ids=lambda c: c.name)
def test_a_hostile_file_never_reaches_the_store(
    case: Case, small_dataset: Path, tmp_path: Path
) -> None:
    from curate.store.ingest import ingest

    root = tmp_path / "sample"
    shutil.copytree(small_dataset, root)
    before = {p.name: p.read_bytes() for p in (root / "records").iterdir()}
    path = tmp_path / case.file
    case.write(path)
    try:
        result = ingest(root, [path])
        assert not result.accepted
    except InputError:
        pass  # a file that cannot be read at all: exit 2
    assert {p.name: p.read_bytes() for p in (root / "records").iterdir()} == before
    assert not list(root.rglob(".curate-tmp-*"))


def test_a_header_row_too_long_to_read_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "sources.csv"
    path.write_bytes(b"a" * (5 << 20) + b"\n")
    result = run_cli("validate", str(path))
    assert result.returncode == 2
    assert "the header row is longer than 1 MiB" in result.stderr
    assert "Traceback" not in result.stderr
    with pytest.raises(InputError, match="header row"):
        validate_paths([path])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'source_id,"publisher\ns1,P\n', "the header row is not one line of CSV"),
        (b"source_id,publisher\rs1,P\rs2,Q\r", "carriage return alone"),
        (b'"source_id"x","publisher\ns1,P\ns2,"Q\n', "the header row is not one line of CSV"),
    ],
    ids=[
        "a quote left open in the header",
        "classic Mac OS line endings",
        "a header that runs on into the records",
    ],
)
def test_a_header_row_that_is_not_one_csv_line_is_refused_clearly(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "sources.csv"
    path.write_bytes(content)
    result = run_cli("validate", str(path))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    with pytest.raises(InputError, match=message):
        validate_paths([path])
