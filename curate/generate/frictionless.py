"""Frictionless Table Schemas (with primary and foreign keys) and a Data Package fragment."""

from __future__ import annotations

import json
from typing import Any

from curate.schema.model import Field, Schema, Table

__all__ = ["package_fragment", "render", "table_schema"]


def _field(f: Field) -> dict[str, Any]:
    descriptor: dict[str, Any] = {"name": f.name, "type": f.type}
    if f.string_format is not None:
        descriptor["format"] = f.string_format
    descriptor["description"] = f.description
    constraints: dict[str, Any] = {}
    if f.required:
        constraints["required"] = True
    if f.unique:
        constraints["unique"] = True
    constraints.update(f.value_constraints())
    if f.enum is not None:
        constraints["enum"] = list(f.enum)
    if constraints:
        descriptor["constraints"] = constraints
    return descriptor


def table_schema(table: Table) -> dict[str, Any]:
    """The Frictionless Table Schema of `table`; a self-reference uses resource ""."""
    descriptor: dict[str, Any] = {
        "fields": [_field(f) for f in table.fields],
        "missingValues": [""],
        "primaryKey": list(table.primary_key),
    }
    if table.foreign_keys:
        descriptor["foreignKeys"] = [
            {
                "fields": list(fk.fields),
                "reference": {
                    "resource": "" if fk.table == table.name else fk.table,
                    "fields": list(fk.reference_fields),
                },
            }
            for fk in table.foreign_keys
        ]
    return descriptor


def package_fragment(schema: Schema, tables: tuple[Table, ...] | None = None) -> dict[str, Any]:
    """The resources part of a Data Package (no paths: a release adds them)."""
    chosen = tables if tables is not None else tuple(schema.tables.values())
    return {
        "profile": "tabular-data-package",
        "curate:schema": {"name": schema.name, "version": schema.version},
        "resources": [
            {
                "name": table.name,
                "title": table.title,
                "description": table.description,
                "profile": "tabular-data-resource",
                "schema": table_schema(table),
            }
            for table in chosen
        ],
    }


def render(schema: Schema, tables: tuple[Table, ...]) -> str:
    """One table's Table Schema, or the Data Package fragment for several."""
    document = table_schema(tables[0]) if len(tables) == 1 else package_fragment(schema, tables)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
