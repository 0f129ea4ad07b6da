"""The help of the command line: every command and subcommand answers `--help` with a
description and an example, help text is shown as written (placeholders such as
`<version>` kept), and docs/cli.md is exactly what the app generates."""

from __future__ import annotations

import inspect
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text

from curate.cli.app import app
from curate.cli.helptext import as_written
from curate.cli.reference import REGENERATE, command_paths, help_text, reference
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
PATHS = list(command_paths())


@pytest.fixture(scope="module")
def helps() -> dict[tuple[str, ...], subprocess.CompletedProcess[str]]:
    """`curate PATH --help` of every command, through the real command line."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = pool.map(lambda path: run_cli(*path, "--help"), PATHS)
        return dict(zip(PATHS, results, strict=True))


def test_the_walk_finds_every_command_and_group() -> None:
    names = {" ".join(path) for path in PATHS}
    expected = {"", "validate", "new", "ingest", "retract", "release", "diff", "verify"}
    expected |= {"replay", "show", "schema", "schema export", "schema diff", "schema sample"}
    expected |= {"import", "import acled", "import ucdp", "export", "export acled"}
    assert names == expected


@pytest.mark.parametrize("path", PATHS, ids=lambda path: " ".join(path) or "curate")
def test_help_exits_0_with_a_description_and_an_example(
    path: tuple[str, ...], helps: dict[tuple[str, ...], subprocess.CompletedProcess[str]]
) -> None:
    result = helps[path]
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = [line.strip() for line in result.stdout.splitlines()]
    usage = next(i for i, line in enumerate(lines) if line.startswith("Usage: curate"))
    assert " ".join(("curate", *path)) in lines[usage]
    description = next(line for line in lines[usage + 1 :] if line)
    assert len(description) > 20, description
    assert not description.startswith(("╭", "Example")), description
    examples = [line for line in lines if line.startswith("$ curate ")]
    assert examples, f"curate {' '.join(path)} --help shows no example"
    assert any(line.startswith(" ".join(("$ curate", *path))) for line in examples), examples


def test_placeholders_and_markup_characters_are_shown_as_written() -> None:
    release = help_text(("release",))
    assert "releases/<version>/" in release
    assert "`curate verify RELEASE --digest`" in release
    assert "inputs/<version>/" in help_text(("replay",))
    assert "sha256:<hex>" in help_text(("verify",))
    assert "low <= best <= high" in help_text(("import", "ucdp"))


def _docstrings() -> dict[tuple[str, ...], str]:
    """The docstring of every command, by its path."""
    found: dict[tuple[str, ...], str] = {}

    def walk(group: object, path: tuple[str, ...]) -> None:
        for command in getattr(group, "registered_commands", []):
            name = command.name or command.callback.__name__
            found[(*path, name)] = inspect.getdoc(command.callback) or ""
        for sub in getattr(group, "registered_groups", []):
            walk(sub.typer_instance, (*path, sub.name))

    walk(app, ())
    return found


@pytest.mark.parametrize("path", list(_docstrings()), ids=" ".join)
def test_every_word_of_a_docstring_reaches_the_help(path: tuple[str, ...]) -> None:
    """Words with characters rich markup or Markdown would eat (`<`, `[`, `*`, `_`,
    backticks) are in the help exactly as in the docstring."""
    shown = " ".join(help_text(path).replace("│", " ").split())
    words = _docstrings()[path].split()
    special = [word for word in words if re.search(r"[<>\[\]*_`]", word)]
    for word in special:
        assert word in shown, (path, word)


@given(
    st.lists(
        st.text(
            st.characters(
                blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"),
                blacklist_characters="\\:",
            ),
            min_size=1,
        ),
        min_size=1,
        max_size=8,
    )
)
def test_as_written_renders_as_the_text_itself(words: list[str]) -> None:
    """Any printable help (no backslash; `:` would let rich read an emoji code) renders
    as itself in rich markup, whatever brackets, tags or Markdown it holds."""
    text = " ".join(words)
    assert Text.from_markup(as_written(text)).plain == text


def test_docs_cli_md_is_generated_from_the_app() -> None:
    written = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert written == reference(), f"docs/cli.md is out of date: run `{REGENERATE}`"


def test_the_reference_check_fails_on_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "cli.md"
    stale.write_text("# old\n", encoding="utf-8")
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "curate.cli.reference", "--check", str(stale)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 1
    assert REGENERATE in result.stderr


def test_the_reference_does_not_depend_on_the_terminal() -> None:
    """CI (GITHUB_ACTIONS forces colours in Typer), a set width or FORCE_COLOR: the
    generated text is the same."""
    import os
    import sys

    environment = {**os.environ, "GITHUB_ACTIONS": "true", "TERMINAL_WIDTH": "60"}
    environment |= {"FORCE_COLOR": "1", "COLUMNS": "40"}
    result = subprocess.run(
        [sys.executable, "-m", "curate.cli.reference", "--check", str(ROOT / "docs" / "cli.md")],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
