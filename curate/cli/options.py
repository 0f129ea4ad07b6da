"""Options several commands share, declared once: the output format, the table of the
inputs, how many problems to list. Each is an `Annotated` type to put on a parameter."""

from __future__ import annotations

import enum
from typing import Annotated

import typer

from curate.cli.output import set_json_mode

__all__ = ["FormatOption", "MaxErrorsOption", "OutputFormat", "TableOption"]


class OutputFormat(enum.StrEnum):
    """How a command reports: text for people, one JSON document for machines."""

    text = "text"
    json = "json"


def _remember_format(value: OutputFormat | None) -> OutputFormat | None:
    """Note JSON mode as soon as the option is read, so that an error the command
    raises is reported as a JSON document too."""
    set_json_mode(value is OutputFormat.json)
    return value


FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        help="text for people, json for machines (one JSON document on stdout).",
        callback=_remember_format,
    ),
]
TableOption = Annotated[
    str | None,
    typer.Option(
        "--table",
        "-t",
        help="The table every input holds: events, claims or sources (else each file's "
        "name says it).",
    ),
]
MaxErrorsOption = Annotated[
    int,
    typer.Option("--max-errors", min=0, help="List at most N problems (all are counted)."),
]
