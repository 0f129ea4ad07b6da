"""Crash safety: `curate ingest` and `curate release` stopped at every write, fsync and
rename (SIGKILL, or a disk-full OSError), then the next command: the dataset is exactly
the old state or exactly the new one, the store validates, every published release
verifies, and no temp file is left.

The child processes run the real CLI through tests/crashpoints.py. The number of crash
points exercised is recorded in build/test-summary.json for docs/security.md.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from curate.release.build import release
from curate.release.verify import verify_release
from curate.release.versions import release_versions
from curate.schema.loader import load_schema
from curate.store.ingest import ingest
from curate.store.records import new_dataset, open_store
from curate.testing.samples import sample_dataset
from curate.validation.paths import validate_paths
from tests.helpers import write_dataset
from tests.summary import record_summary

SCHEMA = load_schema()
HARNESS = Path(__file__).with_name("crashpoints.py")
MAX_STEPS = 400


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of a dataset but its lock file (which the first command creates)."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".curate.lock"
    }


def _child(mode: str, step: int, count: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(HARNESS), mode, str(step), str(count), *args]
    environment = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}  # the same release twice
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False, env=environment
    )


def crash_scenarios(base: Path) -> dict[str, dict[str, Any]]:
    """A released dataset, a batch of revisions, and the same dataset with the batch
    already ingested (the starting point of a release or a retraction): each command's
    template dataset and its arguments ("{root}" stands for the dataset's path)."""
    root = base / "released" / "sample"
    new_dataset(root)
    dataset = sample_dataset(SCHEMA, seed_value=5)
    for event in dataset["events"]:
        event.update(status="active", superseded_by=None)
    assert ingest(root, write_dataset(base / "first", dataset)).accepted
    release(root, version="1.0.0", epoch=1_700_000_000)
    revised = {
        "events": [dict(e, notes="Re-read: the figures stand.") for e in dataset["events"]],
        "claims": [dict(c, quote="A revised quote.") for c in dataset["claims"]],
    }
    batch = write_dataset(base / "batch", revised)
    ingested = base / "ingested" / "sample"
    shutil.copytree(root, ingested)
    assert ingest(ingested, batch).written
    retracted = str(dataset["events"][0]["event_id"])
    return {
        "ingest": {"template": root, "args": ["ingest", "{root}", *map(str, batch)]},
        "release": {"template": ingested, "args": ["release", "{root}", "--bump", "auto"]},
        "retract": {
            "template": ingested,
            "args": ["retract", "{root}", retracted, "--reason", "a duplicate"],
        },
    }


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return crash_scenarios(tmp_path_factory.mktemp("crash"))


def assert_sound(root: Path, states: tuple[dict[str, bytes], dict[str, bytes]]) -> str:
    """After the next command has opened the store: old or new, valid, verified, clean."""
    open_store(root)  # what every command that touches a store does first
    now = snapshot(root)
    assert now in states, sorted(set(now) ^ set(states[0]))
    assert not list(root.rglob(".curate-tmp-*"))
    assert validate_paths([root / "records"]).report.valid
    for version in release_versions(open_store(root)):
        verification = verify_release(root / "releases" / version)
        assert verification.ok, verification.problems
    return "old" if now == states[0] else "new"


@pytest.mark.parametrize("command", ["ingest", "release"])
@pytest.mark.parametrize("mode", ["kill", "oserror", "readonly"])
def test_a_stop_at_any_step_leaves_the_old_state_or_the_new(
    scenarios: dict[str, dict[str, Any]], tmp_path: Path, command: str, mode: str
) -> None:
    scenario = scenarios[command]
    template: Path = scenario["template"]
    old = snapshot(template)
    finished = tmp_path / "finished" / template.name
    shutil.copytree(template, finished)
    args = [a.replace("{root}", str(finished)) for a in scenario["args"]]
    done = _child(mode, MAX_STEPS + 1, tmp_path / "count", *args)
    assert done.returncode == 0, done.stderr
    new = snapshot(finished)
    assert new != old
    total = int((tmp_path / "count").read_text())
    outcomes = []
    for step in range(1, total + 1):
        root = tmp_path / f"step-{step}" / template.name
        shutil.copytree(template, root)
        args = [a.replace("{root}", str(root)) for a in scenario["args"]]
        stopped = _child(mode, step, tmp_path / "count", *args)
        if mode == "kill":
            assert stopped.returncode == -9, (step, stopped.stderr)
        else:
            assert stopped.returncode == 2, (step, stopped.stderr)
            reason = "Read-only file system" if mode == "readonly" else "No space left on device"
            assert reason in stopped.stderr
            # One line that names what could not be written and what that left.
            assert len(stopped.stderr.strip().splitlines()) == 1, (step, stopped.stderr)
            assert "unexpected error" not in stopped.stderr, (step, stopped.stderr)
            assert "cannot write" in stopped.stderr, (step, stopped.stderr)
        outcomes.append(assert_sound(root, (old, new)))
        shutil.rmtree(root.parent)
    assert "old" in outcomes  # the first steps come before the commit
    assert outcomes[-1] == "new" or mode != "kill"
    record_summary(f"crash_points_{command}_{mode}", total)
