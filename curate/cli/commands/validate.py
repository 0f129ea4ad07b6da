"""`curate validate`: check records against the schema, as files or dataset directories."""

from pathlib import Path
from typing import Annotated

import typer

from curate.cli.options import FormatOption, MaxErrorsOption, OutputFormat, TableOption
from curate.cli.output import emit_json
from curate.cli.progress import rows_progress

__all__ = ["register"]


def validate_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="JSONL, CSV or Parquet files (the table from --table or the file name), "
            "or dataset directories (all three tables, keys checked across them).",
            show_default=False,
        ),
    ],
    table: TableOption = None,
    output_format: FormatOption = OutputFormat.text,
    max_errors: MaxErrorsOption = 50,
    quarantine: Annotated[
        Path | None,
        typer.Option(
            "--quarantine",
            help="Write each input's valid rows to NAME.valid.jsonl and rejected rows, with "
            "their codes, to NAME.rejected.jsonl in DIR.",
        ),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Warnings make the data invalid too.")
    ] = False,
) -> None:
    """Check records against the schema: exit 0 valid, 1 invalid, 2 could not run.

    Examples:

      $ curate validate datasets/raqqa-airstrikes-2015
      $ curate validate new-events.csv --table events --format json
      $ curate validate batch/ --quarantine checked/
    """
    from curate.cli.documents import validate_document
    from curate.errors import EXIT_INVALID
    from curate.validation.paths import validate_paths

    with rows_progress(output_format) as progress:
        run = validate_paths(paths, table, max_issues=max_errors, progress=progress)
    report = run.report
    placed = None
    if quarantine is not None:
        from curate.validation.quarantine import write_quarantine

        placed = write_quarantine(run, quarantine)
    if output_format is OutputFormat.json:
        emit_json(validate_document(report, placed))
    else:
        from curate.cli.render import print_quarantine, print_report

        print_report(report, title=", ".join(str(p) for p in paths), max_rows=max_errors)
        if placed:
            print_quarantine(placed)
    if not report.valid or (strict and report.warning_count):
        raise typer.Exit(EXIT_INVALID)


def register(app: typer.Typer) -> None:
    """Add `validate` to the root command."""
    app.command("validate")(validate_command)
