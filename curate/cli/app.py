"""The `curate` command line: the root command, its groups, and `main`, the entry point.

The commands live in `curate.cli.commands`, one module per command group; shared options
in `curate.cli.options`, what they write in `curate.cli.output`. Heavy libraries (polars,
pandera, pyarrow) are imported inside the commands, so that `curate --help` stays fast.
Every `CurateError` becomes a one-line message and its exit code (0 done, 1 invalid data,
2 could not run); a traceback only with `--debug`.
"""

import gc
import sys
from typing import Annotated

import typer

from curate.cli.coercion import use_fast_coercion
from curate.cli.commands import dataset, interchange, release, schema, validate
from curate.cli.helptext import show_help_as_written
from curate.cli.output import say
from curate.cli.richhelp import install as lean_rich_help

__all__ = ["app", "main"]

app = typer.Typer(
    name="curate",
    help="Validate, curate and publish conflict-event records against one canonical schema.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
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

    Example:

      $ curate validate datasets/raqqa-airstrikes-2015
    """
    _state["debug"] = debug


show_help_as_written(app)
use_fast_coercion(app)
lean_rich_help()


def _first_line(exc: BaseException) -> str:
    """The first line of an unexpected exception's text (the rest is for --debug)."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else ""


def _asks_for_json(arguments: list[str]) -> bool:
    """Whether the command line asks for `--format json` (`-f json`, `--format=json`):
    read before parsing, so that a usage error can be reported as JSON too. `--format`
    means text|json on every command that has it (`schema export` names its target
    with `--target`), so the flag alone tells."""
    for index, argument in enumerate(arguments):
        if argument == "--":
            break
        if argument in ("--format=json", "-fjson"):
            return True
        if argument in ("--format", "-f") and arguments[index + 1 : index + 2] == ["json"]:
            return True
    return False


def _run_app_then_collect(as_json: bool) -> None:
    """Run the command, then collect garbage while pyarrow and polars are still whole:
    a reader left in a reference cycle would otherwise be freed during the interpreter's
    teardown, where pyarrow's thread pools can abort the process after its work is done
    ("terminate called without an active exception", apache/arrow#34314)."""
    try:
        _run_app(as_json)
    finally:
        gc.collect()


def _run_app(as_json: bool) -> None:
    """Run the command. Without JSON mode Typer reports usage errors itself (exit 2)
    and `--help` exits 0; in JSON mode a usage error is a `UsageError` for `main`."""
    if not as_json:
        app(prog_name="curate")
        return
    code = app(prog_name="curate", standalone_mode=False)
    if isinstance(code, int) and code:
        sys.exit(code)


def main() -> None:
    """Entry point of the console script. Every error is one line on stderr, escaped
    (`curate.cli.output.say`): a line break or a control in a path, value or exception
    text is shown as an escape, never written to the terminal. With `--format json` the
    error is also a JSON document on stdout (curate/cli/schemas/error.schema.json)."""
    from curate.cli.memory import arrow_on_jemalloc
    from curate.cli.output import emit_error, set_json_mode
    from curate.errors import CurateError

    arrow_on_jemalloc()
    as_json = _asks_for_json(sys.argv[1:])
    set_json_mode(as_json)
    try:
        _run_app_then_collect(as_json)
    except typer.TyperException as exc:  # only in JSON mode: a usage error
        emit_error(exc.format_message(), exc.exit_code)
        sys.exit(exc.exit_code)
    except typer.Abort:
        emit_error("aborted", 1)
        sys.exit(1)
    except CurateError as exc:
        if _state["debug"]:
            raise
        emit_error(str(exc), exc.exit_code)
        sys.exit(exc.exit_code)
    except BaseException as exc:
        # A Rust panic in polars arrives as pyo3's PanicException, a BaseException.
        panic = type(exc).__module__ == "pyo3_runtime" and type(exc).__name__ == "PanicException"
        if _state["debug"] or not (isinstance(exc, Exception) or panic):
            raise
        emit_error(
            f"unexpected error: {type(exc).__name__}: {_first_line(exc)} "
            "(run with --debug for details)",
            2,
        )
        sys.exit(2)
