"""Start-up of the command line: what `curate --help`, every command's `--help` and
`curate validate FILE` import, read from `python -X importtime` and from `sys.modules`
at exit (never timed, so never flaky)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from curate.schema.loader import load_schema
from curate.testing.samples import sample_dataset
from tests.helpers import write_csv, write_jsonl

ROOT = Path(__file__).resolve().parents[1]

# Libraries that running some command needs, never showing help.
HEAVY = ("polars", "pyarrow", "numpy", "pandas", "pandera", "frictionless", "duckdb")
# Never needed to start: typer's pydantic conversion of values, rich's Markdown and
# traceback (curate's help is rich markup; typer's pretty tracebacks are off).
NEVER = ("pydantic", "pydantic_core", "rich.markdown", "rich.traceback", "markdown_it")
# The parts of curate that only running a command needs.
COMMAND_ONLY = (
    "curate.validation",
    "curate.readers",
    "curate.store",
    "curate.release",
    "curate.interchange",
    "curate.generate",
    "curate.schema.loader",
)


def _imported(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run `python -X importtime -m curate ARGS` (this checkout's curate): the result and
    every module it imported."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "curate", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"},
        timeout=300,
        check=False,
    )
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "imported package" not in line
    }
    return result, modules


def _among(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """The modules that are one of `names` or inside one of them."""
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.mark.parametrize("args", [["--help"], ["validate", "--help"]], ids=" ".join)
def test_help_imports_nothing_a_command_needs(args: list[str], tmp_path: Path) -> None:
    result, modules = _imported(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Usage: curate" in result.stdout
    assert "curate.cli.app" in modules
    assert "typer" in modules
    assert _among(modules, HEAVY + NEVER + COMMAND_ONLY) == []


def test_every_command_help_imports_nothing_a_command_needs(tmp_path: Path) -> None:
    """`--help` of every command and group, one after another in one process; what is
    in `sys.modules` at the end."""
    script = textwrap.dedent(
        """
        import sys
        import typer.main
        from curate.cli.app import app, main

        def paths(command, prefix):
            yield prefix
            for name, sub in sorted(getattr(command, "commands", {}).items()):
                yield from paths(sub, [*prefix, name])

        shown = []
        for path in paths(typer.main.get_command(app), []):
            sys.argv = ["curate", *path, "--help"]
            try:
                main()
            except SystemExit as exit:
                assert exit.code in (0, None), (path, exit.code)
            shown.append(" ".join(path))
        print("SHOWN", "|".join(shown), file=sys.stderr)
        print("MODULES", " ".join(sorted(sys.modules)), file=sys.stderr)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"},
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = dict(line.split(" ", 1) for line in result.stderr.splitlines() if " " in line)
    shown = lines["SHOWN"].split("|")
    assert {"validate", "ingest", "release", "schema export", "import acled"} <= set(shown)
    assert len(shown) >= 15
    modules = set(lines["MODULES"].split())
    assert _among(modules, HEAVY + NEVER + COMMAND_ONLY) == []


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, object]]:
    rows = sample_dataset(load_schema(), max_events=3)["events"]
    assert rows
    return rows


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_validate_imports_only_what_validating_needs(
    suffix: str, events: list[dict[str, object]], tmp_path: Path
) -> None:
    path = tmp_path / f"events{suffix}"
    if suffix == ".jsonl":
        write_jsonl(path, events)
    else:
        write_csv(path, events, "events")
    for output in ("text", "json"):
        result, modules = _imported(
            "validate",
            str(path),
            "--table",
            "events",
            "--max-errors",
            "5",
            "-f",
            output,
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        assert "polars" in modules
        assert "curate.validation.paths" in modules
        # The readers of today need pyarrow (and so numpy; the JSONL reader's
        # `ChunkedArray.to_numpy` imports pandas too); nothing else is heavy.
        assert _among(modules, ("pandera", "frictionless", "duckdb", *NEVER)) == []
        if suffix == ".csv":
            assert "pandas" not in modules
        assert _among(modules, ("curate.store", "curate.release", "curate.interchange")) == []


def test_a_refused_value_is_still_reported_by_typer(tmp_path: Path) -> None:
    """A value curate's own conversion does not take goes to typer's: its message."""
    result, modules = _imported("validate", str(tmp_path), "--max-errors", "-1", cwd=tmp_path)
    assert result.returncode == 2
    assert "Input should be greater than or equal to 0" in result.stderr
    assert "pydantic" in modules


def test_command_annotations_are_objects_not_strings() -> None:
    """typer reads the annotations of every command at start-up: as strings
    (`from __future__ import annotations`) each is compiled, about 0.1 s in all."""
    import importlib
    import pkgutil

    import curate.cli.commands

    names = ["curate.cli.app"] + [
        f"curate.cli.commands.{m.name}" for m in pkgutil.iter_modules(curate.cli.commands.__path__)
    ]
    assert len(names) >= 6
    for name in names:
        module = importlib.import_module(name)
        assert "annotations" not in vars(module), f"{name} imports annotations from __future__"


def test_the_cli_decodes_with_pyarrows_jemalloc_pool() -> None:
    """pyarrow's default pool (mimalloc) doubled validate's wall time on Parquet in page
    faults; the CLI picks jemalloc before pyarrow is imported, unless the user chose."""
    script = textwrap.dedent(
        """
        import sys
        from curate.cli.app import main
        sys.argv = ["curate", "--version"]
        try:
            main()
        except SystemExit:
            pass
        import pyarrow as pa
        print(pa.default_memory_pool().backend_name, file=sys.stderr)
        """
    )
    for chosen, expected in ((None, "jemalloc"), ("system", "system")):
        env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
        if chosen is not None:
            env["ARROW_DEFAULT_MEMORY_POOL"] = chosen
        result = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
        )
        assert result.stderr.strip() == expected
