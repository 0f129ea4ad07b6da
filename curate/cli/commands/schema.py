"""`curate schema export|diff|sample`: the canonical schema for other tools, two schema
versions compared, a sample dataset generated from it."""

import enum
from pathlib import Path
from typing import Annotated

import typer

from curate.cli.options import FormatOption, OutputFormat
from curate.cli.output import emit, emit_json

__all__ = ["app"]

app = typer.Typer(
    help="Export the canonical schema to other tools, or compare two schema versions.\n\n"
    "Examples:\n\n"
    "$ curate schema export --target frictionless\n"
    "$ curate schema diff old-schema/ schema/",
    no_args_is_help=True,
)


class ExportTarget(enum.StrEnum):
    """What `curate schema export --target` generates: the names of
    `curate.generate.registry.TARGETS` (tests/test_cli.py checks they are the same)."""

    pandera = "pandera"
    arrow = "arrow"
    jsonschema = "jsonschema"
    frictionless = "frictionless"
    codebook = "codebook"


@app.command("export")
def schema_export(
    target: Annotated[ExportTarget, typer.Option("--target", help="What to generate.")],
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
    """Generate a Pandera, Arrow, JSON Schema, Frictionless or codebook export of the schema.

    Examples:

      $ curate schema export --target jsonschema --table events -o events.json
      $ curate schema export --target codebook
    """
    from curate.errors import InputError
    from curate.generate.registry import render_export
    from curate.schema.loader import load_schema

    if structured_output and target is not ExportTarget.jsonschema:
        raise InputError("--structured-output applies to --target jsonschema only")
    schema = load_schema()
    tables = (schema.table(table),) if table is not None else tuple(schema.tables.values())
    rendered = render_export(schema, target.value, tables, structured_output=structured_output)
    emit(rendered, output)


@app.command("diff")
def schema_diff(
    old: Annotated[Path, typer.Argument(help="The older schema directory (or its schema.yaml).")],
    new: Annotated[Path, typer.Argument(help="The newer schema directory (or its schema.yaml).")],
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Tell whether NEW is a MAJOR, MINOR or PATCH change of OLD, change by change.

    Exits 1 when NEW's version number is not raised enough for its changes.

    Example:

      $ curate schema diff old-schema/ schema/ --format json
    """
    from curate.cli.tables import schema_at
    from curate.errors import EXIT_INVALID
    from curate.schema.evolution import diff_schemas

    difference = diff_schemas(schema_at(old), schema_at(new))
    if output_format is OutputFormat.json:
        from curate.cli.documents import schema_diff_document

        emit_json(schema_diff_document(difference))
    else:
        from curate.cli.render import print_schema_diff

        print_schema_diff(difference)
    if not difference.required_version_bump_ok:
        raise typer.Exit(EXIT_INVALID)


@app.command("sample")
def schema_sample(
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Directory to write events/claims/sources JSONL to."),
    ],
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same records.")] = 0,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Generate a small consistent sample dataset, validate it and write it as JSONL.

    Example:

      $ curate schema sample -o sample/ --seed 7
    """
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
    if output_format is OutputFormat.json:
        from curate.cli.documents import validate_document

        emit_json(validate_document(report))  # as `curate validate` gives it
    else:
        print_report(report, title=f"sample dataset (seed {seed}) written to {output}")
    if not report.valid:
        raise typer.Exit(EXIT_INVALID)
