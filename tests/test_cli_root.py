"""The root of the command line: `--version`, `python -m curate`, shell completion."""

from __future__ import annotations

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
