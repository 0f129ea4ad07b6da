"""Output that data cannot take over: on a terminal (controls, escape sequences, rich
markup), in Markdown (HTML, links, images, code, tables) and in a spreadsheet (formulas).

Each command that prints data runs on a pseudo-terminal with hostile values, field
names, file names and paths; none of the bytes that would move the cursor, set the
title, ring the bell, return the carriage or reorder text reaches it.
"""

from __future__ import annotations

import copy
import csv
import html
import io
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import orjson
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from rich.console import Console
from rich.text import Text

from curate.interchange.acled.exporter import acled_csv
from curate.interchange.spreadsheet import escape_formula, unescape_formula
from curate.markup import json_text, markdown_code, markdown_text, plain, visible
from curate.release.build import release
from curate.schema.loader import load_schema
from curate.store.ingest import ingest
from curate.store.load import load_tables
from curate.store.records import new_dataset, open_store
from curate.testing.samples import sample_dataset
from tests.helpers import run_cli, run_cli_in_terminal, write_csv, write_dataset

SCHEMA = load_schema()
EPOCH = "1442448000"

# What a hostile value tries: set the window title (OSC ... BEL), clear the line and
# write over it after a carriage return, ask the terminal to answer (DSR), reverse the
# rest of the line (RLO), a C1 CSI, a line break, and rich markup and emoji codes.
HOSTILE = (
    "x\r\x1b[2Kspoof: verified\x1b]0;pwned\x07\x1b[6n\u202egnp.exe\x9b31m\n[red]r[/red]:warning:"
)
FORBIDDEN = ("\x07", "\x1b]", "\x1b[6n", "\x1b[2Kspoof", "\rspoof", "\u202e", "\x9b", "\nspoof")


def _assert_inert(written: str) -> None:
    """No byte of HOSTILE's controls reached the terminal (rich's own styling aside)."""
    for sequence in FORBIDDEN:
        assert sequence not in written, (sequence, written)
    assert "⚠" not in written  # :warning: is text, not an emoji


def _dataset(base: Path, notes: str = HOSTILE) -> tuple[Path, dict[str, list[dict[str, Any]]]]:
    """A dataset whose first event's notes are `notes`, ingested through the API."""
    root = base / "datasets" / "hostile"
    new_dataset(root)
    data = sample_dataset(SCHEMA, seed_value=5)
    for event in data["events"]:
        event.update(status="active", superseded_by=None)
    data["events"][0]["notes"] = notes
    result = ingest(root, write_dataset(base / "in", data))
    assert result.accepted
    assert result.written
    return root, data


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """1.0.0 with benign notes, then 1.0.1 with the hostile value in them."""
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    base = tmp_path_factory.mktemp("escaping")
    root, data = _dataset(base, notes="Benign notes.")
    release(root, version="1.0.0")
    changed = copy.deepcopy(data["events"][0])
    changed["notes"] = HOSTILE + MARKDOWN
    assert ingest(root, write_dataset(base / "fix", {"events": [changed]})).written
    release(root, version="1.0.1")
    return {"root": root, "base": base, "event": changed["event_id"]}


# --- the escape functions -------------------------------------------------------------


def _decode(shown: str) -> str:
    """The inverse of `plain`: each escape back to its character."""
    out, index = [], 0
    while index < len(shown):
        char = shown[index]
        if char != "\\":
            out.append(char)
            index += 1
            continue
        after = shown[index + 1 : index + 2]
        width = {"x": 2, "u": 4, "U": 8}.get(after)
        if after == "\\":
            out.append("\\")
            index += 2
        elif width is not None:
            out.append(chr(int(shown[index + 2 : index + 2 + width], 16)))
            index += 2 + width
        else:
            out.append("\\")
            index += 1
    return "".join(out)


MARKUPISH = st.text(
    alphabet=st.sampled_from(list("[]\\/=#@ :abx\x1b\r\n\t\x07\x9b\u202e\u200b`*_<>&|!()")),
    max_size=30,
)


@settings(max_examples=300)
@given(st.one_of(st.text(), MARKUPISH))
def test_plain_shows_no_control_and_keeps_texts_apart(text: str) -> None:
    shown = plain(text)
    assert shown.isprintable()
    assert _decode(shown) == text  # injective: different texts show differently


@settings(max_examples=300)
@given(st.one_of(st.text(), MARKUPISH))
def test_rich_renders_visible_text_literally(text: str) -> None:
    rendered = Text.from_markup(visible(text), emoji=False)
    assert rendered.plain == plain(text)
    assert not rendered.spans  # no style came from the data
    console = Console(file=io.StringIO(), force_terminal=True, emoji=False, width=200)
    console.print(visible(text), end="")
    written = console.file.getvalue()  # type: ignore[attr-defined]
    assert "\x07" not in written
    assert "\x1b]" not in written


@settings(max_examples=200)
@given(st.dictionaries(st.text(max_size=8), st.text(), max_size=4))
def test_json_text_is_the_same_document_without_raw_controls(document: dict[str, str]) -> None:
    for serialised in (
        json.dumps(document, ensure_ascii=False, indent=2),
        orjson.dumps(document).decode(),
    ):
        safe = json_text(serialised)
        assert json.loads(safe) == document
        assert all(char.isprintable() or char in "\n" for char in safe)


# --- through the command, on a pseudo-terminal ----------------------------------------


def test_validate_escapes_file_names_column_names_and_values(tmp_path: Path) -> None:
    directory = tmp_path / f"in{HOSTILE.replace('/', '_')}"
    directory.mkdir()
    path = directory / "sources.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        header = HOSTILE.replace("\r", "").replace("\n", "")  # a header is one line
        writer.writerows([["source_id", "publisher", "title", header], [HOSTILE, "p", "t", "v"]])
    keyed = directory / "claims.jsonl"
    keyed.write_text(json.dumps({"claim_id": "c", HOSTILE: HOSTILE}) + "\n", encoding="utf-8")
    code, written = run_cli_in_terminal("validate", str(path), str(keyed))
    assert code == 1
    _assert_inert(written)
    assert "\\x1b]0;pwned" in written  # shown, as an escape
    result = run_cli("validate", str(path))
    assert "[red]r[_red]" in result.stdout  # markup from data is shown as written


def test_validate_json_escapes_non_ascii_controls(tmp_path: Path) -> None:
    value = "a\u202eb\x85c\u2028d"
    path = write_csv(tmp_path / "sources.csv", [{"source_id": "s1", "publisher": value}], "sources")
    result = run_cli("validate", "--format", "json", str(path))
    for char in "\u202e\x85\u2028":
        assert char not in result.stdout
    values = {i["value"] for i in json.loads(result.stdout)["issues"]}
    assert value in values  # the same value, escaped only in the serialisation


def test_verify_escapes_release_paths_and_file_names(
    released: dict[str, Any], tmp_path: Path
) -> None:
    release_dir = released["root"] / "releases" / "1.0.1"
    renamed = tmp_path / f"x\r\x1b[2Kspoof{chr(7)}"
    shutil.copytree(release_dir, renamed)
    code, written = run_cli_in_terminal("verify", str(renamed))
    assert code == 0, written
    _assert_inert(written)
    assert "\\x0d\\x1b[2Kspoof" in written
    forged = tmp_path / "forged"
    shutil.copytree(release_dir, forged)
    (forged / "x\r\x1b[2Kspoof: verified\n").write_bytes(b"")
    code, written = run_cli_in_terminal("verify", str(forged))
    assert code == 1
    _assert_inert(written)
    descriptor = json.loads((release_dir / "datapackage.json").read_text("utf-8"))
    descriptor["resources"][0]["path"] = "x\r\x1b[2Kspoof: verified\x1b]0;pwned\x07"
    bent = tmp_path / "bent"
    shutil.copytree(release_dir, bent)
    (bent / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    code, written = run_cli_in_terminal("verify", str(bent))
    assert code in (1, 2)
    _assert_inert(written)


def test_show_escapes_values_markup_and_paths(released: dict[str, Any], tmp_path: Path) -> None:
    event = released["event"]
    code, written = run_cli_in_terminal("show", str(released["root"]), "--event", event)
    assert code == 0, written
    _assert_inert(written)
    copied = tmp_path / HOSTILE.replace("/", "_")
    shutil.copytree(released["root"] / "releases" / "1.0.1", copied)
    code, written = run_cli_in_terminal("show", str(copied), "--event", event)
    assert code == 0, written
    _assert_inert(written)
    result = run_cli("show", str(copied), "--event", event)
    assert result.returncode == 0, result.stderr
    assert "\\x1b]0;pwned\\x07" in result.stdout
    assert "[red]r[/red]:warning:" in result.stdout
    assert "[red]r[_red]:warning:/events.parquet" in result.stdout


def test_diff_escapes_values_as_text_and_as_json(released: dict[str, Any]) -> None:
    releases = released["root"] / "releases"
    old, new = str(releases / "1.0.0"), str(releases / "1.0.1")
    code, written = run_cli_in_terminal("diff", old, new)
    assert code == 0, written
    _assert_inert(written)
    code, written = run_cli_in_terminal("diff", old, new, "--format", "json")
    assert code == 0, written
    _assert_inert(written)
    result = run_cli("diff", old, new, "--format", "json")
    notes = [c["new"] for c in json.loads(result.stdout)["events"]["revised"][released["event"]]]
    assert HOSTILE + MARKDOWN in notes


def test_ingest_and_import_escape_file_names(tmp_path: Path) -> None:
    root = tmp_path / "dataset"
    new_dataset(root)
    directory = tmp_path / HOSTILE.replace("/", "_")
    directory.mkdir()
    bad = write_csv(directory / "sources.csv", [{"source_id": "-bad", "publisher": "p"}], "sources")
    code, written = run_cli_in_terminal("ingest", str(root), str(bad))
    assert code == 1
    _assert_inert(written)
    acled = directory / "acled.csv"
    acled.write_text("event_id_cnty,event_date\nX1,2020-01-01\n", encoding="utf-8")
    code, written = run_cli_in_terminal("import", "acled", str(acled), "-o", str(tmp_path / "o"))
    assert code == 2
    _assert_inert(written)


def test_an_error_is_one_escaped_line(tmp_path: Path) -> None:
    missing = tmp_path / f"no\nsuch{HOSTILE.replace('/', '_')}" / "events.jsonl"
    result = run_cli("validate", str(missing))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("curate: ")
    assert "\\x0a" in result.stderr
    code, written = run_cli_in_terminal("validate", str(missing))
    assert code == 2
    _assert_inert(written)


# --- Markdown -------------------------------------------------------------------------

MARKDOWN = (
    ' <img src=x onerror="alert(1)"> ![](http://remote/x.png) [link](javascript:alert(1))'
    " <http://remote/auto> &lt;b&gt; &#x202e; `code` ``two`` | pipe | *em* _em_ ~~s~~"
    "\n\n# heading\n- item\n<script>alert(1)</script>"
)
OWN_TAGS = {"h1", "h2", "h3", "p", "ul", "li", "code", "table", "thead", "tbody", "tr", "th", "td"}


def _renderer() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _tags(rendered: str) -> set[str]:
    return {tag.lower() for tag in re.findall(r"</?([A-Za-z][A-Za-z0-9]*)", rendered)}


def _text_of(rendered: str) -> str:
    return html.unescape(re.sub("<[^>]*>", "", rendered))


@settings(max_examples=300)
@given(st.one_of(st.text(), MARKUPISH, st.just(MARKDOWN)))
def test_markdown_escapes_render_as_the_text(text: str) -> None:
    md = _renderer()
    for inline, expected in (
        (markdown_text(text), plain_markdown(text)),
        (markdown_code(text), plain_markdown(text)),
    ):
        rendered = md.render(f"v: {inline} .")
        assert _tags(rendered) <= {"p", "code"}, rendered
        if text.strip(" "):
            assert _text_of(rendered).strip() == f"v: {expected} .", rendered
    block = md.render(markdown_text(text, block=True) + "\n")
    assert _tags(block) <= {"p"}, block
    table = md.render(f"| a | b |\n| --- | --- |\n| {markdown_code(text, in_table=True)} | x |\n")
    assert _tags(table) <= OWN_TAGS, table
    assert table.count("<td>") == 2, table  # a pipe in the value did not add a cell


def plain_markdown(text: str) -> str:
    """What a Markdown escape shows: `text` with its unprintable characters escaped."""
    return "".join(char if char.isprintable() else plain(char) for char in text)


def test_changes_and_codebook_render_without_foreign_html(released: dict[str, Any]) -> None:
    release_dir = released["root"] / "releases" / "1.0.1"
    md = _renderer()
    for name in ("CHANGES.md", "CODEBOOK.md"):
        text = (release_dir / name).read_text("utf-8")
        assert "\x1b" not in text
        assert "\u202e" not in text
        assert "\x07" not in text
        rendered = md.render(text)
        assert _tags(rendered) <= OWN_TAGS | {"a"}, (name, _tags(rendered))
        links = re.findall(r'<a href="([^"]*)"', rendered)
        assert all(link.startswith("#vocabulary-") for link in links), links
    changes = md.render((release_dir / "CHANGES.md").read_text("utf-8"))
    assert "<img" not in changes
    assert "<script" not in changes
    assert "<a " not in changes
    assert 'onerror="alert(1)"' in html.unescape(changes)  # shown, as text


# --- spreadsheets ---------------------------------------------------------------------


@pytest.mark.parametrize("start", ["\x00", "\x00=", "\n", "\x0b", "\x1b", "\x7f", "=", "\t"])
def test_a_leading_control_or_formula_character_is_escaped(start: str) -> None:
    hostile = f'{start}=HYPERLINK("http://x")'
    assert escape_formula(hostile) == "'" + hostile
    assert unescape_formula(escape_formula(hostile)) == hostile


def test_acled_export_escapes_a_leading_nul(tmp_path: Path) -> None:
    hostile = '\x00=HYPERLINK("http://x")'
    root, data = _dataset(tmp_path, notes="n")
    tables = load_tables(open_store(root), SCHEMA)
    events = tables["events"].with_columns(actor1=pl.lit(hostile))
    rows = list(csv.DictReader(io.StringIO(acled_csv({**tables, "events": events}))))
    assert rows
    assert all(row["actor1"] == "'" + hostile for row in rows)
    edited = data["events"][0] | {"actor1": hostile}
    assert ingest(root, write_dataset(tmp_path / "edit", {"events": [edited]})).accepted
    out = tmp_path / "out.csv"
    result = run_cli("export", "acled", str(root), "-o", str(out))
    assert result.returncode == 0, result.stderr
    cells = [row["actor1"] for row in csv.DictReader(io.StringIO(out.read_text("utf-8")))]
    assert "'" + hostile in cells
