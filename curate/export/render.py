"""Dispatch `curate schema export --format F` to the module that generates F."""

from __future__ import annotations

from curate.errors import InputError
from curate.export import FORMATS
from curate.schema import Schema, Table

__all__ = ["render_export"]


def render_export(
    schema: Schema, format: str, tables: tuple[Table, ...], *, structured_output: bool = False
) -> str:
    """The text of one export; `structured_output` applies to jsonschema only."""
    if format == "jsonschema":
        from curate.export import jsonschema

        return jsonschema.render(schema, tables, structured_output=structured_output)
    if structured_output:
        raise InputError("--structured-output applies to --format jsonschema only")
    if format == "pandera":
        from curate.export import pandera

        return pandera.render(schema, tables)
    if format == "arrow":
        from curate.export import arrow

        return arrow.render(schema, tables)
    if format == "frictionless":
        from curate.export import frictionless

        return frictionless.render(schema, tables)
    if format == "codebook":
        from curate.export import codebook

        return codebook.render(schema, tables)
    raise InputError(f"unknown export format {format!r}; choose one of: {', '.join(FORMATS)}")
