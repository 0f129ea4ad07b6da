"""Rich output for people: reports and schema diffs. The library never prints; the CLI does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from curate.markup import visible

if TYPE_CHECKING:
    from pathlib import Path

    from curate.interchange.summary import Imported
    from curate.report import Report
    from curate.schema.evolution import SchemaDiff
    from curate.store.ingest import IngestResult
    from curate.validation.quarantine import QuarantineCounts

__all__ = [
    "print_import",
    "print_ingest",
    "print_quarantine",
    "print_report",
    "print_schema_diff",
    "rich_console",
    "visible",
]


def rich_console(*, stderr: bool = False) -> Console:
    """A console for people: wide enough off a terminal, no syntax highlighting, and no
    emoji codes replaced (`:warning:` in data stays text). Text from data goes into its
    markup only through `visible`."""
    return Console(
        highlight=False,
        emoji=False,
        soft_wrap=True,
        stderr=stderr,
        width=None if _is_terminal(stderr=stderr) else 160,
    )


def _is_terminal(*, stderr: bool) -> bool:
    """Whether the stream a console writes to is a terminal (then it takes its width)."""
    import sys

    return (sys.stderr if stderr else sys.stdout).isatty()


def print_report(report: Report, *, title: str, max_rows: int = 20) -> None:
    """A verdict line, totals per code, and the first problems with their rows."""
    console = rich_console()
    rows = ", ".join(f"{n} {table}" for table, n in report.rows.items()) or "no rows"
    rows = visible(rows)
    verdict = "[green]valid[/green]" if report.valid else "[red]invalid[/red]"
    console.print(
        f"{visible(title)}: {verdict} "
        f"({rows}; {report.error_count} errors, {report.warning_count} warnings)"
    )
    if not report.counts:
        return
    totals = Table("code", "severity", "count", title="problems by code")
    for code, count in sorted(report.counts.items()):
        totals.add_row(visible(code), report.severities[code], str(count))
    console.print(totals)
    shown = report.issues[:max_rows]
    title = (
        f"first {len(shown)} problems" if len(shown) < sum(report.counts.values()) else "problems"
    )
    listed = Table("file", "table", "row", "field", "code", "value", "message", title=title)
    for issue in shown:
        listed.add_row(
            visible(issue.path or ""),
            visible(issue.table),
            "" if issue.row is None else str(issue.row),
            visible(issue.field or ""),
            visible(issue.code),
            visible(issue.value or ""),
            visible(issue.message),
        )
    console.print(listed)


def print_schema_diff(difference: SchemaDiff) -> None:
    """The overall level, whether the version number follows it, and each change."""
    console = rich_console()
    level = str(difference.level).upper()
    old, new = visible(str(difference.old_version)), visible(str(difference.new_version))
    console.print(f"schema {old} → {new}: {level} change")
    if not difference.required_version_bump_ok:
        console.print(f"[red]version {new} does not reflect a {level} change[/red]")
    if difference.changes:
        changes = Table("level", "where", "change")
        for change in difference.changes:
            changes.add_row(str(change.level).upper(), visible(change.where), visible(change.what))
        console.print(changes)


def print_quarantine(placed: list[QuarantineCounts]) -> None:
    """Where each input's rows went; rows in = valid + rejected."""
    console = rich_console()
    for counts in placed:
        console.print(
            f"{visible(str(counts.path))}: {counts.rows} rows in = {counts.valid} valid "
            f"({visible(str(counts.valid_file))}) + {counts.rejected} rejected "
            f"({visible(str(counts.rejected_file))})"
        )


def print_ingest(result: IngestResult, *, dry_run: bool) -> None:
    """Added, revised, unchanged and rejected rows per table, and the verdict."""
    console = rich_console()
    if not result.accepted:
        print_report(result.report, title="ingest refused, nothing written")
        return
    table = Table("table", "added", "revised", "unchanged", "rejected", title="ingest")
    for name, changes in result.changes.items():
        table.add_row(
            visible(name),
            str(len(changes.added)),
            str(len(changes.revised)),
            str(changes.unchanged),
            str(changes.rejected),
        )
    console.print(table)
    for name, changes in result.changes.items():
        if changes.reextracted:
            console.print(
                f"{changes.reextracted} unchanged {visible(name)} came from another extraction "
                "(extractor or time): kept as stored, with the extraction that first gave them"
            )
    if result.quarantine:
        print_quarantine(result.quarantine)
    if dry_run:
        console.print("dry run: nothing written")
    elif result.written:
        console.print("store updated")
    else:
        console.print("nothing changed")


def print_import(imported: Imported, output: Path | None, *, max_rows: int = 20) -> None:
    """The layout of each file, rows read = written + merged + rejected, the records
    written, the reasons for rejections and warnings, and where the rejected rows are
    (listed here when there is no output directory to keep them)."""
    from curate.interchange.output import REJECTED

    summary = imported.summary
    console = rich_console()
    for path, layout in summary.layouts.items():
        console.print(f"{visible(path)}: {visible(summary.dataset)} {visible(str(layout))}")
    console.print(
        f"{visible(summary.dataset)}: {summary.rows_read} rows read = "
        f"{summary.events_written} events written + {summary.merged} merged + "
        f"{summary.rejected} rejected; "
        f"{summary.warned} rows with warnings"
    )
    where = f" to {visible(str(output))}" if output is not None else ""
    console.print(
        f"{summary.events_written} events, {summary.claims_written} claims and "
        f"{summary.sources_written} sources{where}"
    )
    for title, reasons in (
        ("rejected rows", summary.rejected_reasons),
        ("warnings", summary.warning_reasons),
    ):
        if reasons:
            table = Table("reason", "rows", title=title)
            for reason, count in reasons.items():
                table.add_row(visible(reason), str(count))
            console.print(table)
    if not summary.rejected:
        return
    if output is not None:
        console.print(f"rejected rows, with their records: {visible(str(output / REJECTED))}")
        return
    shown = imported.rejected.head(max_rows)
    listed = Table("file", "row", "reason", title="rejected rows (give -o DIR to keep them)")
    for row in shown.iter_rows(named=True):
        listed.add_row(visible(str(row["file"])), str(row["row"]), visible(str(row["message"])))
    console.print(listed)
    if summary.rejected > shown.height:
        console.print(f"and {summary.rejected - shown.height} more")
