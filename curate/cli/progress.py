"""Progress of the long commands on stderr, for people: only when stderr is a terminal,
never in JSON mode, so that what a pipe or a file receives stays clean."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

from curate.cli.options import OutputFormat

__all__ = ["rows_progress", "stages"]


def _shown(output_format: OutputFormat) -> bool:
    return output_format is not OutputFormat.json and sys.stderr.isatty()


@contextlib.contextmanager
def rows_progress(output_format: OutputFormat) -> Iterator[Callable[[int], None] | None]:
    """A live count of rows read, on stderr when it is a terminal (never in JSON mode)."""
    if not _shown(output_format):
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from curate.cli.render import rich_console

    with Progress(
        SpinnerColumn(),
        TextColumn("validating: {task.completed:,} rows"),
        TimeElapsedColumn(),
        console=rich_console(stderr=True),  # never stdout, which holds the report
        transient=True,
    ) as bar:
        task = bar.add_task("rows", total=None)
        yield lambda rows: bar.advance(task, rows)


@contextlib.contextmanager
def stages(output_format: OutputFormat, first: str) -> Iterator[Callable[[str], None]]:
    """What a long command is doing, from its `first` stage, as a spinner on stderr when
    it is a terminal (never in JSON mode); the callable names the next stage, drawn at
    once (a short stage is shown too)."""
    if not _shown(output_format):
        yield lambda _: None
        return
    from rich.live import Live
    from rich.spinner import Spinner

    from curate.cli.render import rich_console, visible

    spinner = Spinner("dots", text=visible(first))
    with Live(spinner, console=rich_console(stderr=True), transient=True) as live:

        def show(stage: str) -> None:
            spinner.update(text=visible(stage))
            live.refresh()

        yield show
