"""The `curate` command line: a thin layer over the library.

Heavy libraries (polars, pandera, pyarrow) are imported inside the commands, so that
`curate --help` stays fast. Every `CurateError` becomes a one-line message and its exit
code (0 done, 1 invalid data, 2 could not run); a traceback only with `--debug`.
"""

from __future__ import annotations

import contextlib
import enum
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from curate.interchange import Imported
    from curate.schema.model import Schema

__all__ = ["app", "main"]

app = typer.Typer(
    name="curate",
    help="Validate, curate and publish conflict-event records against one canonical schema.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
schema_app = typer.Typer(
    help="Export the canonical schema to other tools, or compare two schema versions.",
    no_args_is_help=True,
)
app.add_typer(schema_app, name="schema")
import_app = typer.Typer(
    help="Import an existing dataset (ACLED, UCDP GED) as events, claims and sources.",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")
export_app = typer.Typer(
    help="Export records in another dataset's layout (ACLED), for interchange.",
    no_args_is_help=True,
)
app.add_typer(export_app, name="export")

_state = {"debug": False}


def _say(line: str, *, err: bool = False) -> None:
    """Print one line without markup, escaped by `curate.markup.plain` (curate's own
    words are printable, so a whole line passes through it): how every plain message
    of the command line, data in it or not, reaches the terminal."""
    from curate.markup import plain

    typer.echo(plain(line), err=err)


def _return_freed_memory() -> None:
    """For commands that hold whole tables, one after another: ask polars' allocator
    (jemalloc, which by default never returns "muzzy" pages) to give freed memory back at
    once, so that peak memory follows what is live. It costs streaming validation about
    15% of its speed and gains it nothing, so only these commands do it. Must run before
    polars is imported; a value the user set is kept (polars appends it to its own)."""
    import os

    os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")


class ExportFormat(enum.StrEnum):
    pandera = "pandera"
    arrow = "arrow"
    jsonschema = "jsonschema"
    frictionless = "frictionless"
    codebook = "codebook"


class OutputFormat(enum.StrEnum):
    text = "text"
    json = "json"


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="text for people, json for machines.")
]


@app.callback()
def _root(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")
    ] = False,
) -> None:
    _state["debug"] = debug


def _emit(text: str, output: Path | None) -> None:
    """Print `text`, or write it atomically to `output`."""
    if output is None:
        sys.stdout.write(text)
        return
    from curate.disk.atomic import write_atomic
    from curate.errors import InputError

    if not output.parent.is_dir():
        raise InputError(f"cannot write {output}: directory {output.parent} does not exist")
    try:
        write_atomic(output, text.encode("utf-8"))
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc.strerror}") from exc
    _say(f"wrote {output}", err=True)


@schema_app.command("export")
def schema_export(
    format: Annotated[ExportFormat, typer.Option("--format", "-f", help="What to generate.")],
    table: Annotated[
        str | None,
        typer.Option(
            "--table", "-t", help="Only this table (events, claims or sources); default all."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to FILE instead of stdout.")
    ] = None,
    structured_output: Annotated[
        bool,
        typer.Option(
            "--structured-output",
            help="jsonschema only: list every property as required (optional ones nullable), "
            "as LLM structured-output modes demand.",
        ),
    ] = False,
) -> None:
    """Generate a Pandera, Arrow, JSON Schema, Frictionless or codebook export of the schema."""
    from curate.generate.registry import render_export
    from curate.schema.loader import load_schema

    schema = load_schema()
    tables = (schema.table(table),) if table is not None else tuple(schema.tables.values())
    _emit(render_export(schema, format.value, tables, structured_output=structured_output), output)


@schema_app.command("diff")
def schema_diff(
    old: Annotated[Path, typer.Argument(help="The older schema directory (or its schema.yaml).")],
    new: Annotated[Path, typer.Argument(help="The newer schema directory (or its schema.yaml).")],
    format: FormatOption = OutputFormat.text,
) -> None:
    """Tell whether NEW is a MAJOR, MINOR or PATCH change of OLD, change by change.

    Exits 1 when NEW's version number is not raised enough for its changes.
    """
    from curate.errors import EXIT_INVALID
    from curate.schema.evolution import diff_schemas

    difference = diff_schemas(_schema_at(old), _schema_at(new))
    if format is OutputFormat.json:
        import json

        sys.stdout.write(json.dumps(difference.to_dict(), indent=2) + "\n")
    else:
        from curate.cli.render import print_schema_diff

        print_schema_diff(difference)
    if not difference.required_version_bump_ok:
        raise typer.Exit(EXIT_INVALID)


def _schema_at(path: Path) -> Schema:
    from curate.errors import InputError
    from curate.schema.loader import load_schema

    target = path / "schema.yaml" if path.is_dir() else path
    if not target.is_file():
        raise InputError(f"no schema at {path}: expected a directory with schema.yaml")
    return load_schema(path)


@schema_app.command("sample")
def schema_sample(
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Directory to write events/claims/sources JSONL to."),
    ],
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same records.")] = 0,
) -> None:
    """Generate a small consistent sample dataset, validate it and write it as JSONL."""
    from curate.cli.render import print_report
    from curate.disk.atomic import jsonl_bytes, write_atomic
    from curate.errors import EXIT_INVALID, InputError
    from curate.schema.loader import load_schema
    from curate.testing.samples import sample_dataset
    from curate.validation.api import validate

    schema = load_schema()
    dataset = sample_dataset(schema, seed_value=seed)
    report = validate(dataset, schema=schema)
    try:
        output.mkdir(parents=True, exist_ok=True)
        for name, rows in dataset.items():
            write_atomic(output / f"{name}.jsonl", jsonl_bytes(rows))
    except OSError as exc:
        raise InputError(f"cannot write to {output}: {exc.strerror}") from exc
    print_report(report, title=f"sample dataset (seed {seed}) written to {output}")
    if not report.valid:
        raise typer.Exit(EXIT_INVALID)


@app.command("validate")
def validate_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="JSONL, CSV or Parquet files (the table from --table or the file name), "
            "or dataset directories (all three tables, keys checked across them).",
            show_default=False,
        ),
    ],
    table: Annotated[
        str | None,
        typer.Option(
            "--table", "-t", help="The table every file holds: events, claims or sources."
        ),
    ] = None,
    format: FormatOption = OutputFormat.text,
    max_errors: Annotated[
        int,
        typer.Option("--max-errors", min=0, help="List at most N problems (all are counted)."),
    ] = 50,
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
    """Check records against the schema: exit 0 valid, 1 invalid, 2 could not run."""
    from curate.errors import EXIT_INVALID
    from curate.validation.paths import validate_paths

    with _progress(format) as progress:
        run = validate_paths(paths, table, max_issues=max_errors, progress=progress)
    report = run.report
    document = report.to_dict()
    placed = []
    if quarantine is not None:
        from curate.validation.quarantine import write_quarantine

        placed = write_quarantine(run, quarantine)
        document["quarantine"] = [
            {
                "path": str(c.path),
                "rows": c.rows,
                "valid": c.valid,
                "rejected": c.rejected,
                "valid_file": str(c.valid_file),
                "rejected_file": str(c.rejected_file),
            }
            for c in placed
        ]
    if format is OutputFormat.json:
        import orjson

        from curate.cli.render import print_json

        print_json(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())
    else:
        from curate.cli.render import print_quarantine, print_report

        print_report(report, title=", ".join(str(p) for p in paths), max_rows=max_errors)
        if placed:
            print_quarantine(placed)
    if not report.valid or (strict and report.warning_count):
        raise typer.Exit(EXIT_INVALID)


@app.command("new")
def new_command(
    dataset: Annotated[
        Path, typer.Argument(help="The dataset directory to create, e.g. datasets/NAME.")
    ],
    title: Annotated[str | None, typer.Option(help="The dataset's title.")] = None,
) -> None:
    """Scaffold a dataset: dataset.yaml, empty records/, releases/ and CHANGELOG.md."""
    from curate.store.records import new_dataset

    store = new_dataset(dataset, title=title)
    _say(f"created {store.root}: edit dataset.yaml (licence, maintainers, citation)")


@app.command("ingest")
def ingest_command(
    dataset: Annotated[Path, typer.Argument(help="The dataset directory (with dataset.yaml).")],
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="JSONL, CSV or Parquet files of events, claims or sources.", show_default=False
        ),
    ],
    table: Annotated[
        str | None,
        typer.Option(
            "--table",
            "-t",
            help="The table every input holds: events, claims or sources (else each "
            "file's name says it, as for validate).",
        ),
    ] = None,
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
    max_errors: Annotated[
        int, typer.Option("--max-errors", min=0, help="List at most N problems.")
    ] = 50,
) -> None:
    """Validate records with the stored ones and upsert them by primary key.

    Identical records change nothing; changed content replaces the record (an event's
    revision + 1). The store is written atomically, or not at all."""
    _return_freed_memory()
    from curate.cli.render import print_ingest
    from curate.errors import EXIT_INVALID
    from curate.store.ingest import ingest

    result = ingest(
        dataset,
        inputs,
        table=table,
        dry_run=dry_run,
        quarantine=quarantine,
        max_issues=max_errors,
    )
    print_ingest(result, dry_run=dry_run)
    if not result.accepted:
        raise typer.Exit(EXIT_INVALID)


@app.command("retract")
def retract_command(
    dataset: Annotated[Path, typer.Argument(help="The dataset directory.")],
    event_id: Annotated[str, typer.Argument(help="The event to retract.")],
    reason: Annotated[str, typer.Option("--reason", help="Why: kept in the event's notes.")],
) -> None:
    """Mark an event retracted (revision + 1); records are never deleted."""
    _return_freed_memory()
    from curate.store.ingest import retract

    revision = retract(dataset, event_id, reason)
    _say(f"{event_id} retracted (revision {revision})")


class BumpLevel(enum.StrEnum):
    auto = "auto"
    major = "major"
    minor = "minor"
    patch = "patch"


@app.command("release")
def release_command(
    dataset: Annotated[Path, typer.Argument(help="The dataset directory.")],
    version: Annotated[str | None, typer.Option("--version", help="The version, X.Y.Z.")] = None,
    bump: Annotated[
        BumpLevel | None,
        typer.Option(
            "--bump",
            help="auto: records added or retracted -> minor, only revisions -> patch, "
            "a schema major -> major.",
        ),
    ] = None,
    format: FormatOption = OutputFormat.text,
) -> None:
    """Publish releases/<version>/: Parquet, datapackage.json, CODEBOOK.md, CHANGES.md,
    SHA256SUMS. Honours SOURCE_DATE_EPOCH; never overwrites a version.

    Prints the release digest (the SHA-256 of SHA256SUMS), also written into the
    dataset's CHANGELOG.md: publish it, so that anyone can check a copy with
    `curate verify RELEASE --digest`."""
    _return_freed_memory()
    from curate.release.build import release

    result = release(dataset, version=version, bump=None if bump is None else bump.value)
    if format is OutputFormat.json:
        import json

        document = {
            "version": result.version,
            "path": str(result.path),
            "previous": result.previous,
            "digest": result.digest,
            "changes": {name: diff.to_dict() for name, diff in result.changes.items()},
        }
        from curate.cli.render import print_json

        print_json(json.dumps(document, indent=2, ensure_ascii=False))
        return
    since = f" (previous: {result.previous})" if result.previous else " (first release)"
    _say(f"released {result.version} in {result.path}{since}")
    _say(f"release digest: {result.digest}")


@app.command("diff")
def diff_command(
    old: Annotated[Path, typer.Argument(help="A release directory, or a dataset (its store).")],
    new: Annotated[Path, typer.Argument(help="A release directory, or a dataset (its store).")],
    format: FormatOption = OutputFormat.text,
) -> None:
    """Record-level differences: added, retracted and revised records, field by field."""
    _return_freed_memory()
    from curate.release.changes import diff_tables, render_changes
    from curate.schema.loader import load_schema

    schema = load_schema()
    diffs = diff_tables(_tables_at(old, schema), _tables_at(new, schema), schema)
    if format is OutputFormat.json:
        import json

        from curate.cli.render import print_json

        document = {name: diff.to_dict() for name, diff in diffs.items()}
        print_json(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(render_changes(diffs, f"{old} → {new}"))


def _tables_at(path: Path, schema: Schema) -> dict[str, Any]:
    from curate.errors import InputError

    if (path / "datapackage.json").is_file():
        from curate.release.verify import verified_tables

        return verified_tables(path, schema)
    if (path / "dataset.yaml").is_file():
        from curate.store.load import load_tables
        from curate.store.records import open_store

        return load_tables(open_store(path), schema)
    raise InputError(f"{path}: neither a release (datapackage.json) nor a dataset (dataset.yaml)")


@app.command("verify")
def verify_command(
    release_dir: Annotated[Path, typer.Argument(help="A release directory.")],
    digest: Annotated[
        str | None,
        typer.Option(
            "--digest",
            help="The published release digest, sha256:<hex> (from the dataset's CHANGELOG.md "
            "or citation): refuse the release unless it is exactly that one.",
        ),
    ] = None,
) -> None:
    """Check that the release is exactly what curate writes: every file's sha256, the
    descriptor, the Parquet types, the records re-validated.

    Prints the release digest it computed: compare it with the published one, or give
    that with --digest. Only the digest tells a self-consistent forgery (every hash
    recomputed) from the published release."""
    _return_freed_memory()
    from curate.errors import EXIT_INVALID
    from curate.release.verify import check_digest, verify_release

    expected = None if digest is None else check_digest(digest)
    result = verify_release(release_dir, digest=expected)
    if expected is not None and result.digest != expected:
        _say(f"{release_dir}: {result.problems[0]}", err=True)
        raise typer.Exit(EXIT_INVALID)
    computed = f"release digest {result.digest}" if result.digest else "no release digest"
    if result.ok:
        checked = " (the published one)" if expected else ""
        _say(f"{release_dir}: verified, {computed}{checked}")
        return
    for problem in result.problems:
        _say(f"{release_dir}: {problem}", err=True)
    _say(f"{release_dir}: {computed}", err=True)
    raise typer.Exit(EXIT_INVALID)


@app.command("replay")
def replay_command(
    dataset: Annotated[Path, typer.Argument(help="The dataset directory.")],
    into: Annotated[
        Path | None,
        typer.Option(help="Rebuild here and keep the result (default: a temp directory)."),
    ] = None,
) -> None:
    """Rebuild every release from inputs/<version>/ and check it is byte-identical."""
    _return_freed_memory()
    from curate.errors import EXIT_INVALID
    from curate.release.replay import replay

    result = replay(dataset, into=into)
    for difference in result.differences:
        _say(f"{dataset}: {difference}", err=True)
    if not result.identical:
        raise typer.Exit(EXIT_INVALID)
    _say(f"{dataset}: releases {', '.join(result.versions)} rebuilt from inputs/, byte-identical")


@app.command("show")
def show_command(
    path: Annotated[Path, typer.Argument(help="A release directory, or a dataset (its store).")],
    event: Annotated[str | None, typer.Option(help="Show only this event_id.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many events.")] = 10,
) -> None:
    """Events as a person reads them, each with the claims it rests on."""
    _return_freed_memory()
    from curate.cli.events import print_events
    from curate.cli.render import rich_console, visible
    from curate.errors import InputError
    from curate.schema.loader import load_schema

    out = rich_console()
    if not print_events(_tables_at(path, load_schema()), out, event_id=event, limit=limit):
        raise InputError(f"{path}: no event {event!r}" if event else f"{path}: no events")
    files = sorted(path.glob("*.parquet"))
    if files:
        out.print("Parquet files of this release:")
        for file in files:
            out.print(f"  {visible(str(file))}")


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
_SOURCE_VERSION_HELP = "The source dataset's version, named in every event's extractor."


def _run_import(
    load: Callable[[], Imported], output: Path | None, into: Path | None, format: OutputFormat
) -> None:
    """Import, write OUTPUT and/or ingest INTO, report; exit 1 if rows were rejected or
    the ingest refused the records."""
    import tempfile

    from curate.errors import EXIT_INVALID, InputError
    from curate.interchange.output import rejected_lines, write_imported
    from curate.schema.loader import load_schema

    if output is None and into is None:
        raise InputError("say where the records go: -o OUT_DIR, --into DATASET, or both")
    if into is not None and not (into / "dataset.yaml").is_file():
        raise InputError(f"{into} is not a dataset: no dataset.yaml (create one with `curate new`)")
    schema = load_schema()
    result = None
    with _stages(format, "importing: reading and mapping the rows") as stage:
        imported = load()
        if output is not None:
            stage(f"importing: writing {output}")
            paths = write_imported(imported, output, schema)
        if into is not None:
            from curate.store.ingest import ingest

            with tempfile.TemporaryDirectory(prefix="curate-import-") as staging:
                if output is None:
                    paths = write_imported(imported, Path(staging), schema)
                stage(f"importing: ingesting into {into}")
                result = ingest(into, paths, schema=schema)
    if format is OutputFormat.json:
        import orjson

        document: dict[str, Any] = {
            "summary": imported.summary.to_dict(),
            "output": None if output is None else str(output),
        }
        if output is None:  # nowhere else to keep them
            document["rejected"] = [
                orjson.loads(line) for line in rejected_lines(imported).splitlines()
            ]
        if result is not None:
            document["ingest"] = {
                "dataset": str(into),
                "accepted": result.accepted,
                "written": result.written,
                "tables": {
                    name: {
                        "added": len(c.added),
                        "revised": len(c.revised),
                        "unchanged": c.unchanged,
                        "reextracted": c.reextracted,
                        "rejected": c.rejected,
                    }
                    for name, c in result.changes.items()
                },
            }
        from curate.cli.render import print_json

        print_json(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())
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
        str | None,
        typer.Option(
            "--source-version",
            help=f"{_SOURCE_VERSION_HELP} Default: the date of the latest ACLED timestamp.",
        ),
    ] = None,
    format: FormatOption = OutputFormat.text,
) -> None:
    """Import ACLED exports: one event per row, a claim per source.

    Rows that repeat an event id are merged into one event. ACLED's fatalities of 0
    (none, or unknown) are imported as unknown, the 0 kept in the notes. Exit 0: every
    row imported; 1: rows rejected (the rest written); 2: could not run (an unreadable
    file, or an unknown layout: the missing columns are named). docs/importers.md maps
    every column."""
    from curate.interchange import import_acled

    _run_import(lambda: import_acled(files, source_version=source_version), output, into, format)


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
        str | None,
        typer.Option(
            "--source-version",
            help=f"{_SOURCE_VERSION_HELP} Default: read from the file name (GEDEvent_v24_1).",
        ),
    ] = None,
    format: FormatOption = OutputFormat.text,
) -> None:
    """Import UCDP GED events: low/best/high fatalities, a claim per source.

    A row breaking UCDP's low <= best <= high is kept, its range widened to hold all
    three figures, UCDP's figures kept in the notes, with a warning. Exit codes as for
    `curate import acled`."""
    from curate.interchange import import_ucdp

    _run_import(lambda: import_ucdp(files, source_version=source_version), output, into, format)


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
    from such cells to read the values back."""
    _return_freed_memory()
    from curate.interchange.acled.exporter import acled_csv
    from curate.schema.loader import load_schema

    _emit(acled_csv(_tables_at(path, load_schema())), output)


@contextlib.contextmanager
def _progress(format: OutputFormat) -> Iterator[Callable[[int], None] | None]:
    """A live count of rows read, on stderr when it is a terminal (never in JSON mode)."""
    if format is OutputFormat.json or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("validating: {task.completed:,} rows"),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task("rows", total=None)
        yield lambda rows: bar.advance(task, rows)


@contextlib.contextmanager
def _stages(format: OutputFormat, first: str) -> Iterator[Callable[[str], None]]:
    """What a long command is doing, from its `first` stage, as a spinner on stderr when
    it is a terminal (never in JSON mode); the callable names the next stage."""
    if format is OutputFormat.json or not sys.stderr.isatty():
        yield lambda _: None
        return
    from curate.cli.render import rich_console, visible

    with rich_console(stderr=True).status(visible(first)) as status:
        yield lambda stage: status.update(visible(stage))


def _first_line(exc: BaseException) -> str:
    """The first line of an unexpected exception's text (the rest is for --debug)."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else ""


def main() -> None:
    """Entry point of the console script. Every error is one line on stderr, escaped
    (`_say`): a line break or a control in a path, value or exception text is shown as
    an escape, never written to the terminal."""
    from curate.errors import CurateError

    try:
        app()  # standalone: usage errors exit 2 with Typer's message, --help exits 0
    except CurateError as exc:
        if _state["debug"]:
            raise
        _say(f"curate: {str(exc).strip()}", err=True)
        sys.exit(exc.exit_code)
    except BaseException as exc:
        # A Rust panic in polars arrives as pyo3's PanicException, a BaseException.
        panic = type(exc).__module__ == "pyo3_runtime" and type(exc).__name__ == "PanicException"
        if _state["debug"] or not (isinstance(exc, Exception) or panic):
            raise
        _say(
            f"curate: unexpected error: {type(exc).__name__}: {_first_line(exc)} "
            "(run with --debug for details)",
            err=True,
        )
        sys.exit(2)
