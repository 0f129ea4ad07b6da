"""`curate import acled|ucdp` and `curate export acled`: other datasets' layouts in and out.

`_run_import` is the one path every importer's records take: written to an output
directory, ingested into a dataset, or both, and reported. The import commands differ
only in their importer and their help."""

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Protocol

import typer

from curate.cli.memory import return_freed_memory
from curate.cli.options import FormatOption, OutputFormat
from curate.cli.output import emit, emit_json
from curate.cli.progress import stages
from curate.cli.tables import tables_at

if TYPE_CHECKING:
    from curate.interchange.summary import Imported
    from curate.schema.model import Schema

__all__ = ["export_app", "import_app"]

import_app = typer.Typer(
    help="Import an existing dataset (ACLED, UCDP GED) as events, claims and sources.\n\n"
    "Examples:\n\n"
    "$ curate import acled 2015-syria.csv -o imported/\n"
    "$ curate import ucdp GEDEvent_v24_1.geojson --into datasets/syria",
    no_args_is_help=True,
)
export_app = typer.Typer(
    help="Export records in another dataset's layout (ACLED), for interchange.\n\n"
    "Example:\n\n"
    "$ curate export acled datasets/raqqa -o raqqa-acled.csv",
    no_args_is_help=True,
)

ImportOutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write events.jsonl, claims.jsonl, sources.jsonl (store order, ready for "
        "`curate ingest`) and rejected.jsonl (each rejected row, its reason and the row as "
        "read) here.",
    ),
]
ImportIntoOption = Annotated[
    Path | None,
    typer.Option("--into", help="Also ingest the imported records into this dataset."),
]


def _source_version_option(default: str) -> Any:
    """`--source-version`, its default (what the importer reads instead) in its help."""
    return typer.Option(
        "--source-version",
        help=f"The source dataset's version, named in every event's extractor. Default: {default}",
    )


class Importer(Protocol):
    """What `import_acled` and `import_ucdp` are: export files in, `Imported` out."""

    def __call__(
        self,
        paths: Sequence[Path],
        *,
        source_version: str | None = ...,
        schema: "Schema | None" = ...,
    ) -> "Imported": ...


def _run_import(
    importer: Importer,
    files: list[Path],
    source_version: str | None,
    output: Path | None,
    into: Path | None,
    output_format: OutputFormat,
) -> None:
    """Import, write OUTPUT and/or ingest INTO, report; exit 1 if rows were rejected or
    the ingest refused the records. The records go to the dataset as the importer's
    frames (`ingest_frames`), never through files to read back."""
    from curate.errors import EXIT_INVALID, InputError
    from curate.interchange.output import write_imported
    from curate.schema.loader import load_schema

    if output is None and into is None:
        raise InputError("say where the records go: -o OUT_DIR, --into DATASET, or both")
    if into is not None and not (into / "dataset.yaml").is_file():
        raise InputError(f"{into} is not a dataset: no dataset.yaml (create one with `curate new`)")
    schema = load_schema()
    result = None
    with stages(output_format, "importing: reading and mapping the rows") as stage:
        imported = importer(files, source_version=source_version, schema=schema)
        if output is not None:
            stage(f"importing: writing {output}")
            write_imported(imported, output, schema)
        if into is not None:
            from curate.store.ingest import ingest_frames

            stage(f"importing: ingesting into {into}")
            result = ingest_frames(into, imported.tables, schema=schema)
    if output_format is OutputFormat.json:
        from curate.cli.documents import import_document

        emit_json(import_document(imported, output, result, into))
    else:
        from curate.cli.render import print_import, print_ingest

        print_import(imported, output)
        if result is not None:
            print_ingest(result, dry_run=False)
    if imported.summary.rejected or (result is not None and not result.accepted):
        raise typer.Exit(EXIT_INVALID)


@import_app.command("acled")
def import_acled_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="ACLED export files (CSV): the 31-column layout, the current layout "
            "(disorder_type, civilian_targeting, tags) or the layout before 2019.",
            show_default=False,
        ),
    ],
    output: ImportOutputOption = None,
    into: ImportIntoOption = None,
    source_version: Annotated[
        str | None, _source_version_option("the date of the latest ACLED timestamp.")
    ] = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Import ACLED exports: one event per row, a claim per source.

    Rows that repeat an event id are merged into one event. ACLED's fatalities of 0
    (none, or unknown) are imported as unknown, the 0 kept in the notes. Exit 0: every
    row imported; 1: rows rejected (the rest written); 2: could not run (an unreadable
    file, or an unknown layout: the missing columns are named). docs/importers.md maps
    every column.

    Examples:

      $ curate import acled 2015-syria.csv -o imported/
      $ curate import acled 2015-syria.csv --into datasets/syria --format json
    """
    from curate.interchange.acled.importer import import_acled

    _run_import(import_acled, files, source_version, output, into, output_format)


@import_app.command("ucdp")
def import_ucdp_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="UCDP GED files: the CSV (49 columns) or the GeoJSON (coordinates in the "
            "geometry).",
            show_default=False,
        ),
    ],
    output: ImportOutputOption = None,
    into: ImportIntoOption = None,
    source_version: Annotated[
        str | None, _source_version_option("read from the file name (GEDEvent_v24_1).")
    ] = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Import UCDP GED events: low/best/high fatalities, a claim per source.

    A row breaking UCDP's low <= best <= high is kept, its range widened to hold all
    three figures, UCDP's figures kept in the notes, with a warning. Exit codes as for
    `curate import acled`.

    Example:

      $ curate import ucdp GEDEvent_v24_1.csv -o imported/ --source-version 24.1
    """
    from curate.interchange.ucdp.importer import import_ucdp

    _run_import(import_ucdp, files, source_version, output, into, output_format)


@export_app.command("acled")
def export_acled_command(
    path: Annotated[
        Path, typer.Argument(help="A dataset directory (its store) or a release directory.")
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write FILE.csv instead of stdout.")
    ] = None,
) -> None:
    """Write the active events in ACLED's 31-column CSV layout.

    Values ACLED has and our schema does not (region, admin3, associated actors, ...)
    come back from the "ACLED fields" line of imported events' notes. Formula-safe: a
    cell starting with =, +, -, @ or a control character (unless it is a plain
    number such as -99.82) gets a leading apostrophe ('), as does a cell starting with
    an apostrophe and one of those or another apostrophe; remove one leading apostrophe
    from such cells to read the values back.

    Example:

      $ curate export acled datasets/raqqa/releases/1.1.0 -o raqqa-acled.csv
    """
    return_freed_memory()
    from curate.interchange.acled.exporter import acled_csv
    from curate.schema.loader import load_schema

    emit(acled_csv(tables_at(path, load_schema())), output)
