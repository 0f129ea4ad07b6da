"""The root of the command line: `--version`, `python -m curate`, shell completion."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import curate
from tests.helpers import run_cli


def test_version_prints_the_package_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"curate {curate.__version__}\n"
    assert curate.__version__ == "0.1.0"
    assert result.stderr == ""


def test_python_dash_m_curate_is_the_same_command(tmp_path: Path) -> None:
    module = subprocess.run(
        [sys.executable, "-m", "curate", "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    assert module.returncode == 0, module.stderr
    assert module.stdout == run_cli("--version").stdout
    failing = subprocess.run(
        [sys.executable, "-m", "curate", "validate", str(tmp_path / "missing.jsonl")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert failing.returncode == 2
    assert failing.stderr.startswith("curate: ")
    assert "Traceback" not in failing.stderr


def test_completion_script_is_offered_for_bash() -> None:
    """`--show-completion` asked from a bash shell (Typer tells the shell from the
    processes above it; `; exit` keeps bash from replacing itself with the command)."""
    command = '"$0" -c "from curate.cli.app import main; main()" --show-completion; exit $?'
    result = subprocess.run(
        ["bash", "-c", command, sys.executable],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "_CURATE_COMPLETE=complete_bash" in result.stdout
    assert "complete " in result.stdout


def test_completion_completes_command_names() -> None:
    environment = {
        **os.environ,
        "_CURATE_COMPLETE": "complete_bash",
        "COMP_WORDS": "curate val",
        "COMP_CWORD": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", "from curate.cli.app import main; main()"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["validate"]


def test_option_values_are_read_as_typer_reads_them(tmp_path: Path) -> None:
    """curate converts command-line values itself (no pydantic at start-up) and hands
    what it is not sure of, or refuses, to typer: the same values are taken, the same
    messages given."""
    from curate.schema.loader import load_schema
    from curate.testing.samples import sample_dataset
    from tests.helpers import write_jsonl

    rows = sample_dataset(load_schema())["events"]
    path = write_jsonl(tmp_path / "events.jsonl", rows)
    for taken in ("7", "007", " 5", "+5", "1_000", "0"):
        result = run_cli("validate", str(path), "--max-errors", taken, "-f", "json")
        assert result.returncode == 0, (taken, result.stderr)
        assert json.loads(result.stdout)["valid"] is True
    refused = {
        ("--max-errors", "-1"): "Input should be greater than or equal to 0",
        ("--max-errors", "1.5"): "Input should be a valid integer",
        ("--format", "JSON"): "'JSON' is not one of 'text', 'json'.",
    }
    for (option, value), message in refused.items():
        result = run_cli("validate", str(path), option, value)
        assert result.returncode == 2, (option, value)
        shown = " ".join(result.stderr.replace("\u2502", " ").split())  # the panel unwrapped
        assert message in shown, result.stderr
        assert "Traceback" not in result.stderr
    listed = run_cli("validate", str(path), str(path), "--table", "events", "-f", "json")
    assert listed.returncode == 1  # the same file twice: its keys repeat
    assert json.loads(listed.stdout)["rows"] == {"events": 2 * len(rows)}
