"""The help text of every command, option and argument, shown as written: the one place
where it is prepared for the terminal.

Typer reads help in rich markup, where `[word]` is a style and lost; Markdown would lose
`<version>`, `*`, `_` and backticks. Here every help string of the app is escaped with
`curate.markup.visible` (rich markup that renders as the text itself) and its
paragraphs reflowed, once, when the app is built: a new command gets the same treatment
without anyone remembering to."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Any

import typer
from typer.models import ParameterInfo

from curate.markup import visible

__all__ = ["as_written", "show_help_as_written"]


def as_written(text: str) -> str:
    """`text` (a docstring or a help string) as rich markup that shows it as written:
    indentation removed, each paragraph one line (the terminal wraps it) unless its
    lines are commands, `$ curate ...` (examples, kept line by line)."""
    paragraphs = inspect.cleandoc(text).split("\n\n")
    shown = []
    for paragraph in paragraphs:
        lines = [line.strip() for line in paragraph.split("\n")]
        if not any(line.startswith("$ ") for line in lines):
            lines = [" ".join(lines)]
        shown.append("\n".join(visible(line) for line in lines))
    return "\n\n".join(shown)


def _parameters(callback: Callable[..., Any]) -> list[ParameterInfo]:
    """The typer.Option and typer.Argument declarations of a command's parameters."""
    hints = typing.get_type_hints(callback, include_extras=True)
    found = [
        meta
        for hint in hints.values()
        for meta in getattr(hint, "__metadata__", ())
        if isinstance(meta, ParameterInfo)
    ]
    defaults = [
        p.default
        for p in inspect.signature(callback).parameters.values()
        if isinstance(p.default, ParameterInfo)
    ]
    return found + defaults


def show_help_as_written(app: typer.Typer) -> None:
    """Escape every help string of `app`, its groups, commands and their parameters
    (`as_written`), each once: options shared by several commands are one object."""
    done: set[int] = set()

    def escape(holder: Any, doc: str | None = None) -> None:
        if id(holder) in done:
            return
        done.add(id(holder))
        text = holder.help or doc
        if text:
            holder.help = as_written(text)

    def walk(group: typer.Typer) -> None:
        escape(group.info)
        callback = group.registered_callback
        if callback is not None and callback.callback is not None:
            escape(callback, callback.callback.__doc__)
            for parameter in _parameters(callback.callback):
                escape(parameter)
        for command in group.registered_commands:
            if command.callback is None:
                continue
            escape(command, command.callback.__doc__)
            for parameter in _parameters(command.callback):
                escape(parameter)
        for sub in group.registered_groups:
            escape(sub)
            if sub.typer_instance is not None:
                walk(sub.typer_instance)

    walk(app)
