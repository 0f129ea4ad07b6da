"""The README and docs/ stay true to the project: every relative link reaches a file (and
a heading, for `#anchor` links), every `curate.…` name they mention imports, the README's
tour examples run through the real CLI on the shipped dataset, the Python example runs,
and the README stays short enough to read (the reference lives in docs/)."""

from __future__ import annotations

import importlib
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
README_AT_MOST = 12_000  # bytes

LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)
# `curate.x.y` or `curate.x.y(args)` in inline code.
DOTTED = re.compile(r"`(curate(?:\.[A-Za-z_][A-Za-z0-9_]*)+)[`(\[]")


def _slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to -."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text("utf-8"))
    return {_slug(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}


def _prose(path: Path) -> str:
    """The text outside code blocks and inline code, where links are."""
    return re.sub(r"`[^`\n]*`", "", FENCE.sub("", path.read_text("utf-8")))


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_reaches_a_file_and_heading(document: Path) -> None:
    broken = []
    for target in LINK.findall(_prose(document)):
        if re.match(r"[a-z]+:", target):
            continue  # an absolute URL
        name, _, anchor = target.partition("#")
        linked = (document.parent / name).resolve() if name else document
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
            broken.append(f"{target}: no heading #{anchor} in {linked.name}")
    assert broken == []


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            value: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        try:
            for attribute in parts[cut:]:
                value = getattr(value, attribute)
        except AttributeError:
            return False
        return True
    return False


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_python_name_the_docs_mention_imports(document: Path) -> None:
    names = set(DOTTED.findall(document.read_text("utf-8")))
    assert [name for name in sorted(names) if not _resolves(name)] == []


# A file of the project named by its path: `curate/interchange/countries.py`.
PROJECT_PATH = re.compile(r"`((?:curate|tests|benchmarks|schema)/[A-Za-z0-9_./-]+\.[a-z]+)`")


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_project_file_the_docs_name_exists(document: Path) -> None:
    named = set(PROJECT_PATH.findall(document.read_text("utf-8")))
    assert sorted(path for path in named if not (ROOT / path).exists()) == []


def test_the_python_names_check_catches_a_stale_path() -> None:
    assert _resolves("curate.validation.paths.validate_paths")
    assert not _resolves("curate.files.validate_paths")
    assert not _resolves("curate.readers.batch.NoSuchName")


def test_the_readme_stays_short_and_links_the_reference() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert len(readme.encode("utf-8")) <= README_AT_MOST
    for topic in ("architecture", "schema", "validation", "store", "releases", "importers"):
        assert f"(docs/{topic}.md)" in readme
    for topic in ("python-api", "performance", "security"):
        assert f"(docs/{topic}.md)" in readme


@pytest.mark.parametrize("document", DOCUMENTS[1:], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_doc_starts_with_its_title_and_purpose(document: Path) -> None:
    paragraphs = [p for p in document.read_text("utf-8").split("\n\n") if p.strip()]
    assert paragraphs[0].startswith("# ")
    assert not paragraphs[1].startswith(("#", "```", "|", "-"))


def _shell_examples(document: Path) -> list[list[str]]:
    """The `curate` commands of a document's ```sh blocks, comments dropped."""
    commands = []
    for block in re.findall(r"^```sh\n(.*?)^```", document.read_text("utf-8"), re.S | re.M):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words[:1] == ["curate"]:
                commands.append(words[1:])
    return commands


def test_the_readme_tour_examples_run_on_the_shipped_dataset(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "datasets", tmp_path / "datasets")
    examples = _shell_examples(ROOT / "README.md")
    assert len(examples) >= 8
    for words in examples:
        result = run_cli(*words, cwd=tmp_path)
        assert result.returncode == 0, (words, result.stderr)
        assert result.stdout.strip() or list(tmp_path.glob("*.csv")), words


def test_the_python_api_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    release = ROOT / "datasets" / "raqqa-airstrikes-2015" / "releases" / "1.1.0"
    shutil.copy(release / "events.parquet", tmp_path / "events.parquet")
    monkeypatch.chdir(tmp_path)
    text = (ROOT / "docs" / "python-api.md").read_text("utf-8")
    block = re.search(r"^```python\n(.*?)^```", text, re.S | re.M)
    assert block is not None
    namespace: dict[str, Any] = {}
    exec(compile(block.group(1), "docs/python-api.md", "exec"), namespace)
    assert namespace["report"].valid
