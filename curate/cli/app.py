"""The `curate` command line: the root command, its groups, and `main`, the entry point.

The commands live in `curate.cli.commands`, one module per command group; shared options
in `curate.cli.options`, what they write in `curate.cli.output`. Heavy libraries (polars,
pandera, pyarrow) are imported inside the commands, so that `curate --help` stays fast.
Every `CurateError` becomes a one-line message and its exit code (0 done, 1 invalid data,
2 could not run); a traceback only with `--debug`.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from curate.cli.commands import dataset, interchange, release, schema, validate
from curate.cli.output import say

__all__ = ["app", "main"]

app = typer.Typer(
    name="curate",
    help="Validate, curate and publish conflict-event records against one canonical schema.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
app.add_typer(schema.app, name="schema")
validate.register(app)
dataset.register(app)
release.register(app)
app.add_typer(interchange.import_app, name="import")
app.add_typer(interchange.export_app, name="export")

_state = {"debug": False}


def _print_version(asked: bool) -> None:
    """`--version`: print `curate X.Y.Z` and stop."""
    if asked:
        from curate import __version__

        say(f"curate {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print curate's version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Validate, curate and publish conflict-event records against one canonical schema.

    Example: curate validate datasets/raqqa-airstrikes-2015
    """
    _state["debug"] = debug


def _first_line(exc: BaseException) -> str:
    """The first line of an unexpected exception's text (the rest is for --debug)."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else ""


def main() -> None:
    """Entry point of the console script. Every error is one line on stderr, escaped
    (`say`): a line break or a control in a path, value or exception text is shown as
    an escape, never written to the terminal."""
    from curate.errors import CurateError

    try:
        # standalone: usage errors exit 2 with Typer's message, --help exits 0
        app(prog_name="curate")
    except CurateError as exc:
        if _state["debug"]:
            raise
        say(f"curate: {str(exc).strip()}", err=True)
        sys.exit(exc.exit_code)
    except BaseException as exc:
        # A Rust panic in polars arrives as pyo3's PanicException, a BaseException.
        panic = type(exc).__module__ == "pyo3_runtime" and type(exc).__name__ == "PanicException"
        if _state["debug"] or not (isinstance(exc, Exception) or panic):
            raise
        say(
            f"curate: unexpected error: {type(exc).__name__}: {_first_line(exc)} "
            "(run with --debug for details)",
            err=True,
        )
        sys.exit(2)
