"""JSON Schema (draft 2020-12) of each table, and of a whole extraction (all three tables).

Usable by extractors and as the structured-output schema of an LLM: with
`structured_output=True` every property is listed in `required` (optional ones are
nullable) and no other property is allowed, as strict structured-output modes demand.
Field-level constraints only: cross-field rules (rules.yaml) need `curate validate`.
"""

from __future__ import annotations

import json
from typing import Any

from curate.schema.model import Field, FieldType, Schema, Table

__all__ = ["DRAFT", "dataset_json_schema", "render", "table_json_schema"]

DRAFT = "https://json-schema.org/draft/2020-12/schema"

_BASE: dict[FieldType, dict[str, Any]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
    "datetime": {
        "type": "string",
        "format": "date-time",
        "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$",
    },
}


def _property(f: Field) -> dict[str, Any]:
    prop: dict[str, Any] = {"description": f.description, **_BASE[f.type]}
    if f.string_format == "uri":
        prop["format"] = "uri"
    prop.update(f.value_constraints())
    if f.enum is not None:
        prop["enum"] = list(f.enum) + ([] if f.required else [None])
    if not f.required:
        prop["type"] = [prop["type"], "null"]
    return prop


def table_json_schema(
    schema: Schema, table: Table, *, structured_output: bool = False
) -> dict[str, Any]:
    """JSON Schema of one row of `table`."""
    required = [f.name for f in table.fields if f.required or structured_output]
    return {
        "$schema": DRAFT,
        "title": f"{schema.name} {schema.version}: {table.name}",
        "description": table.description,
        "type": "object",
        "properties": {f.name: _property(f) for f in table.fields},
        "required": required,
        "additionalProperties": False,
    }


def dataset_json_schema(schema: Schema, *, structured_output: bool = False) -> dict[str, Any]:
    """JSON Schema of a whole extraction: an object holding a list of rows per table."""
    definitions = {}
    for table in schema.tables.values():
        row = table_json_schema(schema, table, structured_output=structured_output)
        del row["$schema"]
        definitions[table.name] = row
    return {
        "$schema": DRAFT,
        "title": f"{schema.name} {schema.version}",
        "description": schema.description,
        "type": "object",
        "properties": {
            name: {"type": "array", "items": {"$ref": f"#/$defs/{name}"}} for name in schema.tables
        },
        "required": list(schema.tables),
        "additionalProperties": False,
        "$defs": definitions,
    }


def render(schema: Schema, tables: tuple[Table, ...], *, structured_output: bool = False) -> str:
    """One table's JSON Schema, or the whole extraction's when several tables are asked for."""
    if len(tables) == 1:
        document = table_json_schema(schema, tables[0], structured_output=structured_output)
    else:
        document = dataset_json_schema(schema, structured_output=structured_output)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
