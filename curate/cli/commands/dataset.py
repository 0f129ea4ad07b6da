"""`curate new|ingest|retract`: create a dataset and change its store."""

from pathlib import Path
from typing import Annotated

import typer

from curate.cli.memory import return_freed_memory
from curate.cli.options import FormatOption, MaxErrorsOption, OutputFormat, TableOption
from curate.cli.output import emit_json, say
from curate.cli.progress import stages

__all__ = ["register"]


def new_command(
    dataset: Annotated[
        Path, typer.Argument(help="The dataset directory to create, e.g. datasets/NAME.")
    ],
    title: Annotated[str | None, typer.Option(help="The dataset's title.")] = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Scaffold a dataset: dataset.yaml, empty records/, releases/ and CHANGELOG.md.

    Example:

      $ curate new datasets/raqqa --title "Airstrikes in Raqqa, 2015"
    """
    from curate.store.records import new_dataset

    store = new_dataset(dataset, title=title)
    if output_format is OutputFormat.json:
        from curate.cli.documents import new_document

        emit_json(new_document(store.root, title))
        return
    say(f"created {store.root}: edit dataset.yaml (licence, maintainers, citation)")


def ingest_command(
    dataset: Annotated[Path, typer.Argument(help="The dataset directory (with dataset.yaml).")],
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="JSONL, CSV or Parquet files of events, claims or sources.", show_default=False
        ),
    ],
    table: TableOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and report; write nothing.")
    ] = False,
    quarantine: Annotated[
        Path | None,
        typer.Option(
            "--quarantine",
            help="Put each input's valid and rejected rows (with their codes) in DIR "
            "instead of failing; files already there are never overwritten.",
        ),
    ] = None,
    max_errors: MaxErrorsOption = 50,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Validate records with the stored ones and upsert them by primary key.

    Identical records change nothing; changed content replaces the record (an event's
    revision + 1). The store is written atomically, or not at all.

    Examples:

      $ curate ingest datasets/raqqa events.jsonl claims.jsonl sources.jsonl
      $ curate ingest datasets/raqqa batch.csv --table events --dry-run
    """
    return_freed_memory()
    from curate.cli.render import print_ingest
    from curate.errors import EXIT_INVALID
    from curate.store.ingest import ingest

    with stages(output_format, "ingesting") as stage:
        result = ingest(
            dataset,
            inputs,
            table=table,
            dry_run=dry_run,
            quarantine=quarantine,
            max_issues=max_errors,
            progress=stage,
        )
    if output_format is OutputFormat.json:
        from curate.cli.documents import ingest_document

        emit_json(ingest_document(result, dataset, dry_run=dry_run))
    else:
        print_ingest(result, dry_run=dry_run)
    if not result.accepted:
        raise typer.Exit(EXIT_INVALID)


def retract_command(
    dataset: Annotated[Path, typer.Argument(help="The dataset directory.")],
    event_id: Annotated[str, typer.Argument(help="The event to retract.")],
    reason: Annotated[str, typer.Option("--reason", help="Why: kept in the event's notes.")],
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Mark an event retracted (revision + 1); records are never deleted.

    Example:

      $ curate retract datasets/raqqa evt-0042 --reason "a duplicate of evt-0017"
    """
    return_freed_memory()
    from curate.store.retract import retract

    revision = retract(dataset, event_id, reason)
    if output_format is OutputFormat.json:
        from curate.cli.documents import retract_document

        emit_json(retract_document(dataset, event_id, reason, revision))
        return
    say(f"{event_id} retracted (revision {revision})")


def register(app: typer.Typer) -> None:
    """Add `new`, `ingest` and `retract` to the root command."""
    app.command("new")(new_command)
    app.command("ingest")(ingest_command)
    app.command("retract")(retract_command)
