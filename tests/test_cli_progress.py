"""Progress of the long commands (ingest, release, replay): each stage shown on a
terminal, nothing on a stderr that is not one, nothing in JSON mode."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import run_cli, run_cli_in_terminal

ROOT = Path(__file__).resolve().parent.parent
RAQQA = ROOT / "datasets" / "raqqa-airstrikes-2015"
INGEST_STAGES = (
    "ingesting: reading the store",
    "ingesting: validating the inputs",
    "ingesting: merging with the stored records",
)


@pytest.fixture
def batch(tmp_path: Path) -> tuple[Path, list[str]]:
    """A new dataset and a sample batch for it."""
    assert run_cli("new", str(tmp_path / "data")).returncode == 0
    assert run_cli("schema", "sample", "-o", str(tmp_path / "sample")).returncode == 0
    inputs = [str(tmp_path / "sample" / f"{name}.jsonl") for name in ("events", "claims")]
    return tmp_path / "data", [*inputs, str(tmp_path / "sample" / "sources.jsonl")]


def test_ingest_and_release_show_their_stages_on_a_terminal(
    batch: tuple[Path, list[str]],
) -> None:
    dataset, inputs = batch
    code, written = run_cli_in_terminal("ingest", str(dataset), *inputs)
    assert code == 0, written
    for stage in INGEST_STAGES:
        assert stage in written
    assert "store updated" in written
    code, written = run_cli_in_terminal("release", str(dataset), "--version", "1.0.0")
    assert code == 0, written
    assert "releasing: writing the tables" in written
    assert "releasing 1.0.0: writing the package" in written
    assert "released 1.0.0" in written


def test_replay_shows_each_release_it_rebuilds(tmp_path: Path) -> None:
    shutil.copytree(RAQQA, tmp_path / "raqqa")
    code, written = run_cli_in_terminal("replay", str(tmp_path / "raqqa"))
    assert code == 0, written
    for version in ("1.0.0", "1.1.0"):
        assert f"replaying: verifying the published release {version}" in written
        assert f"replaying {version}: ingesting inputs/{version}/" in written
        assert f"replaying {version}: releasing and comparing" in written
    assert "byte-identical" in written


def test_no_progress_off_a_terminal(batch: tuple[Path, list[str]], tmp_path: Path) -> None:
    dataset, inputs = batch
    ingested = run_cli("ingest", str(dataset), *inputs)
    assert ingested.returncode == 0, ingested.stderr
    assert ingested.stderr == ""
    released = run_cli("release", str(dataset), "--version", "1.0.0")
    assert released.returncode == 0, released.stderr
    assert released.stderr == ""
    assert released.stdout.startswith("released 1.0.0")
    shutil.copytree(RAQQA, tmp_path / "raqqa")
    replayed = run_cli("replay", str(tmp_path / "raqqa"))
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stderr == ""


def test_no_progress_in_json_mode_even_on_a_terminal(batch: tuple[Path, list[str]]) -> None:
    dataset, inputs = batch
    code, written = run_cli_in_terminal("ingest", str(dataset), *inputs, "--format", "json")
    assert code == 0, written
    assert "ingesting:" not in written
    assert "\x1b" not in written  # no control sequence: only the document
    code, written = run_cli_in_terminal(
        "release", str(dataset), "--version", "1.0.0", "--format", "json"
    )
    assert code == 0, written
    assert "releasing" not in written
    assert written.lstrip().startswith("{")


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_validate_progress_stays_on_stderr(tmp_path: Path, output_format: str) -> None:
    """stderr a terminal, stdout a file: the file gets the report exactly, as a pipe does."""
    sample = tmp_path / "sample"
    assert run_cli("schema", "sample", "-o", str(sample)).returncode == 0
    args = ("validate", str(sample), "--format", output_format)
    report = tmp_path / "report.out"
    code, _ = run_cli_in_terminal(*args, stdout=report)
    piped = run_cli(*args)
    assert code == piped.returncode == 0, piped.stderr
    assert report.read_text("utf-8") == piped.stdout
