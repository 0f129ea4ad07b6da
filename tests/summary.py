"""Figures the tests produce for the security summary in docs/security.md (hostile cases,
crash points, state-machine steps): each test records its own in build/test-summary.json,
and `python -m tests.summary` (`make summary`) writes them there between its markers."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = ROOT / "build" / "test-summary.json"
SECURITY_DOC = ROOT / "docs" / "security.md"
START, END = "<!-- test-summary:start -->", "<!-- test-summary:end -->"


def record_summary(key: str, value: int) -> None:
    """Record one figure (the file is rewritten whole, keys sorted), under a lock, so
    that test processes running side by side keep each other's figures."""
    import fcntl

    SUMMARY.parent.mkdir(exist_ok=True)
    with (SUMMARY.parent / "test-summary.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        figures = json.loads(SUMMARY.read_text("utf-8")) if SUMMARY.exists() else {}
        figures[key] = value
        text = json.dumps(figures, indent=2, sort_keys=True) + "\n"
        SUMMARY.write_text(text, encoding="utf-8")


# Figures of the other hostile suites, in the order docs/security.md lists them.
_OTHER_FIGURES = {
    "hostile_ingest": "- Hostile ingests: {} cases (missing and unknown columns, clashing input "
    "names, hand edits during an ingest, a full disk), rows in = rows stored + rows "
    "quarantined counted on the files written.",
    "hostile_journal": "- Hostile dataset state: {} cases (journals, temp names, locks and "
    "YAML files shipped inside a dataset).",
    "tamper_cases": "- Forged releases: {} self-consistent forgeries (descriptor, SHA256SUMS "
    "and files changed together), each refused by `curate verify` or by `--digest`.",
    "random_kills": "- Random kills: {} SIGKILLs at random moments of ingest, release and "
    "retract, each followed by the next command and a full check.",
    "concurrent_read_steps": "- Concurrent reads: {} reads of a store while a real writer "
    "was paused inside its commit, each seeing the old state or the new.",
}

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
    lines += [text.format(figures[key]) for key, text in _OTHER_FIGURES.items() if key in figures]
    return "\n".join(lines)


def main() -> None:
    figures = json.loads(SUMMARY.read_text("utf-8"))
    text = SECURITY_DOC.read_text("utf-8")
    block = f"{START}\n{render(figures)}\n{END}"
    updated, found = re.subn(re.escape(START) + ".*?" + re.escape(END), block, text, flags=re.S)
    if not found:
        sys.exit(f"{SECURITY_DOC}: no {START} ... {END} block")
    SECURITY_DOC.write_text(updated, encoding="utf-8")


if __name__ == "__main__":
    main()
