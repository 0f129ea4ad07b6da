"""The Arrow schema of each table: exact nullable types, descriptions in field metadata."""

from __future__ import annotations

import json

import pyarrow as pa

from curate.schema.dtypes import ARROW_TYPES
from curate.schema.model import Field, Schema, Table

__all__ = ["arrow_schema", "render"]


def _field_metadata(field: Field) -> dict[bytes, bytes]:
    metadata = {b"description": field.description.encode()}
    if field.vocabulary:
        metadata[b"vocabulary"] = field.vocabulary.encode()
    return metadata


def arrow_schema(schema: Schema, table: Table) -> pa.Schema:
    """Arrow schema of `table`; schema-level metadata names the schema and its version."""
    fields = [
        pa.field(f.name, ARROW_TYPES[f.type], nullable=not f.required, metadata=_field_metadata(f))
        for f in table.fields
    ]
    metadata = {
        b"curate.schema": schema.name.encode(),
        b"curate.schema_version": schema.version.encode(),
        b"curate.table": table.name.encode(),
        b"curate.primary_key": json.dumps(list(table.primary_key)).encode(),
    }
    return pa.schema(fields, metadata=metadata)


def render(schema: Schema, tables: tuple[Table, ...]) -> str:
    """Human-readable Arrow schemas, one block per table, with descriptions."""
    blocks = []
    for table in tables:
        lines = [f"# {table.name} (schema {schema.name} {schema.version})"]
        for f in arrow_schema(schema, table):
            null = "" if f.nullable else " not null"
            description = (f.metadata or {}).get(b"description", b"").decode()
            lines.append(f"{f.name}: {f.type}{null}  -- {description}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
