"""Figures the tests produce for the README's security summary (hostile cases, crash
points, state-machine steps): each test records its own in build/test-summary.json, and
`python -m tests.summary` writes them into the README between its markers."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = ROOT / "build" / "test-summary.json"
README = ROOT / "README.md"
START, END = "<!-- test-summary:start -->", "<!-- test-summary:end -->"


def record_summary(key: str, value: int) -> None:
    """Record one figure (the file is rewritten whole, keys sorted)."""
    SUMMARY.parent.mkdir(exist_ok=True)
    figures = json.loads(SUMMARY.read_text("utf-8")) if SUMMARY.exists() else {}
    figures[key] = value
    SUMMARY.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")


_MODES = {"kill": "SIGKILL", "oserror": "disk full", "readonly": "read-only"}


def render(figures: dict[str, int]) -> str:
    crash = {
        tuple(key.removeprefix("crash_points_").split("_", 1)): value
        for key, value in figures.items()
        if key.startswith("crash_points_")
    }
    stops = ", ".join(
        f"{command} {_MODES.get(mode, mode)}: {value}"
        for (command, mode), value in sorted(crash.items())
    )
    lines = [
        f"- Hostile inputs: {figures.get('hostile_cases', 0)} cases (the files of "
        "`tests/hostile/cases.py`, unsafe descriptor paths, a symlink out of a release), "
        "through the CLI and the Python API.",
        f"- Crash points: {sum(crash.values())} stops per run ({stops}).",
        f"- State machine: {figures.get('state_machine_steps', 0)} steps per CI run "
        "(ingest, revise, retract, release, tamper), checked against a model after each.",
    ]
    return "\n".join(lines)


def main() -> None:
    figures = json.loads(SUMMARY.read_text("utf-8"))
    text = README.read_text("utf-8")
    block = f"{START}\n{render(figures)}\n{END}"
    updated, found = re.subn(re.escape(START) + ".*?" + re.escape(END), block, text, flags=re.S)
    if not found:
        sys.exit(f"{README}: no {START} ... {END} block")
    README.write_text(updated, encoding="utf-8")


if __name__ == "__main__":
    main()
