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


def render(figures: dict[str, int]) -> str:
    crash = {k.removeprefix("crash_points_"): v for k, v in figures.items() if "crash" in k}
    lines = [
        f"- Hostile inputs: {figures.get('hostile_cases', 0)} cases in `tests/hostile/`, "
        "each run through the CLI and the Python API.",
        f"- Crash points: {sum(crash.values())} stops exercised per run ("
        + ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in sorted(crash.items()))
        + ").",
        f"- State machine: {figures.get('state_machine_steps', 0)} steps per CI run "
        "(ingest, retract, release, verify, tamper), checked against a model after each.",
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
