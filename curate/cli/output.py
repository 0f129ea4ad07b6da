"""What the command line writes: plain lines, one JSON document, or a generated text.

Every plain line reaches the terminal through `curate.markup.plain` and every JSON
document through `curate.markup.json_text`, here: the one escaping point of the command
line (rich output for people goes through `curate.cli.render`, which uses
`curate.markup.visible`). In JSON mode (`--format json`) a command writes exactly one
document on stdout, its result or `{"error": ..., "exit_code": ...}`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

__all__ = [
    "emit",
    "emit_error",
    "emit_json",
    "json_mode",
    "say",
    "set_json_mode",
    "terminal_text",
]

_mode = {"json": False}


def set_json_mode(on: bool) -> None:
    """Remember that the running command was asked for `--format json`."""
    _mode["json"] = on


def json_mode() -> bool:
    """Whether the running command was asked for `--format json`."""
    return _mode["json"]


def say(line: str, *, err: bool = False) -> None:
    """Print one line without markup, escaped by `curate.markup.plain` (curate's own
    words are printable, so a whole line passes through it): how every plain message
    of the command line, data in it or not, reaches the terminal."""
    from curate.markup import plain

    typer.echo(plain(line), err=err)


def emit_json(document: Any) -> None:
    """`document` as one indented JSON document on stdout, its unprintable characters
    escaped (`curate.markup.json_text`), with a final line end."""
    import orjson

    from curate.markup import json_text

    serialised = orjson.dumps(document, option=orjson.OPT_INDENT_2).decode()
    sys.stdout.write(json_text(serialised) + "\n")


def emit_error(message: str, exit_code: int) -> None:
    """An error that stopped a command: one line on stderr, and in JSON mode also the
    document `{"error": line, "exit_code": exit_code}` on stdout
    (curate/cli/schemas/error.schema.json). Both carry the same line: the whole
    message through `curate.markup.plain`, so that a line break in it is `\\x0a`."""
    from curate.markup import plain

    line = plain(message.strip() or "error")
    typer.echo(f"curate: {line}", err=True)
    if json_mode():
        emit_json({"error": line, "exit_code": exit_code})


def terminal_text(text: str) -> str:
    """`text` safe for a terminal, line by line: each line through `curate.markup.plain`
    (an ESC, BEL or other control in data shown as an escape), its line end kept."""
    from curate.markup import plain

    lines = []
    for line in text.split("\n"):
        body, end = (line[:-1], "\r") if line.endswith("\r") else (line, "")
        lines.append(plain(body) + end)
    return "\n".join(lines)


def emit(text: str, output: Path | None) -> None:
    """Print `text`, or write it atomically to `output`. A pipe or a file gets `text`
    byte for byte; a terminal gets it through `terminal_text`, so that a control
    sequence in the data (a title change, a colour, a cursor move) is shown, not run."""
    if output is None:
        sys.stdout.write(terminal_text(text) if sys.stdout.isatty() else text)
        return
    from curate.disk.atomic import write_atomic
    from curate.errors import InputError

    if not output.parent.is_dir():
        raise InputError(f"cannot write {output}: directory {output.parent} does not exist")
    try:
        write_atomic(output, text.encode("utf-8"))
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc.strerror}") from exc
    say(f"wrote {output}", err=True)
