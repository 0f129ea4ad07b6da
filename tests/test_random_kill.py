"""Random kills: the real `curate ingest`, `release` and `retract` killed with SIGKILL at
random moments (not only at the write, fsync and rename steps of tests/test_crash.py),
each followed by the next command: the dataset is exactly the old state or the new one,
the store validates, every release verifies, and no temp file is left.

The old and the new state of each command are checked in full once (the store
validates, every release verifies); after each kill the dataset must be byte for byte
one of them. A seeded random loop within a fixed time budget
(`CURATE_RANDOM_KILL_SECONDS`, 90 s by default, and at least 12 kills): half the kills
come at a uniform moment of the command's whole run, half at a uniform moment after its
first temp file appeared (during its writes). The next command is, in turn, `curate
validate DATASET` (a reader: it must finish an interrupted commit and find the store
valid) or the same command again (it must reach exactly the new state). The number of
kills is recorded for docs/security.md.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from curate.store.records import open_store
from tests.summary import record_summary
from tests.test_crash import assert_sound, crash_scenarios, snapshot

SEED = 20261203
BUDGET = float(os.environ.get("CURATE_RANDOM_KILL_SECONDS", "90"))
MIN_KILLS = 12
_ENVIRONMENT = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}  # the same release twice


def _command(args: list[str]) -> list[str]:
    return [sys.executable, "-c", "from curate.cli.app import main; main()", *args]


def _staging(root: Path) -> bool:
    """Whether a temp file or directory of curate's is in the dataset."""
    for directory in (root, root / "records", root / "releases"):
        try:
            with os.scandir(directory) as entries:
                if any(entry.name.startswith(".curate-tmp-") for entry in entries):
                    return True
        except OSError:
            continue
    return False


def _run_and_kill(args: list[str], root: Path, rng: random.Random, timing: dict[str, float]) -> str:
    """Start the command, kill it at a random moment; how it ended."""
    started = time.monotonic()
    process = subprocess.Popen(
        _command(args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_ENVIRONMENT
    )
    if rng.random() < 0.5:
        deadline = started + rng.uniform(0, timing["total"])
    else:  # during its writes: from its first temp file on
        while process.poll() is None and not _staging(root):
            time.sleep(0.001)
        deadline = time.monotonic() + rng.uniform(0, timing["writing"])
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    _, err = process.communicate(timeout=120)
    if process.returncode == -signal.SIGKILL:
        return "killed"
    assert process.returncode == 0, err.decode(errors="replace")
    return "finished"


def _timing(args: list[str], root: Path) -> dict[str, float]:
    """How long a whole run takes, and how long it writes (from its first temp file)."""
    started = time.monotonic()
    process = subprocess.Popen(
        _command(args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_ENVIRONMENT
    )
    first_temp = None
    while process.poll() is None:
        if first_temp is None and _staging(root):
            first_temp = time.monotonic()
        time.sleep(0.001)
    ended = time.monotonic()
    assert process.returncode == 0, process.stderr.read() if process.stderr else b""
    return {"total": ended - started, "writing": ended - (first_temp or started)}


def test_random_kills_leave_the_old_state_or_the_new(tmp_path: Path) -> None:
    scenarios = crash_scenarios(tmp_path / "templates")
    rng = random.Random(SEED)
    root = tmp_path / "work" / "sample"  # one path for every run
    states: dict[str, tuple[dict[str, bytes], dict[str, bytes]]] = {}
    timings: dict[str, dict[str, float]] = {}
    arguments: dict[str, list[str]] = {}
    for name, scenario in scenarios.items():
        template: Path = scenario["template"]
        arguments[name] = [a.replace("{root}", str(root)) for a in scenario["args"]]
        _fresh(template, root)
        old = snapshot(root)
        assert assert_sound(root, (old, old)) == "old"  # valid, verified
        timings[name] = _timing(arguments[name], root)
        states[name] = (old, snapshot(root))
        assert assert_sound(root, states[name]) == "new"
    started = time.monotonic()
    kills = 0
    while kills < MIN_KILLS or time.monotonic() - started < BUDGET:
        name = rng.choice(sorted(scenarios))
        _fresh(scenarios[name]["template"], root)
        ended = _run_and_kill(arguments[name], root, rng, timings[name])
        kills += ended == "killed"
        if rng.random() < 0.5:
            reader = subprocess.run(
                _command(["validate", str(root)]), capture_output=True, text=True, check=False
            )
            assert reader.returncode == 0, (name, reader.stdout[-1000:], reader.stderr)
            _settled(root, states[name])
        else:
            again = subprocess.run(
                _command(arguments[name]),
                capture_output=True,
                text=True,
                env=_ENVIRONMENT,
                check=False,
            )
            assert "Traceback" not in again.stderr, again.stderr
            assert _settled(root, states[name]) == "new", (name, again.stderr)
    assert kills >= MIN_KILLS
    record_summary("random_kills", kills)


def _settled(root: Path, states: tuple[dict[str, bytes], dict[str, bytes]]) -> str:
    """`assert_sound`, once the next command has run: the dataset is byte for byte the
    old state or the new (each found valid and verified at the start, so the same bytes
    are too) and no temp file is left."""
    open_store(root)  # what every command that touches a store does first
    now = snapshot(root)
    assert now in states, sorted(set(now) ^ set(states[0]))
    assert not list(root.rglob(".curate-tmp-*"))
    return "old" if now == states[0] else "new"


def _fresh(template: Path, root: Path) -> None:
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(template, root)
