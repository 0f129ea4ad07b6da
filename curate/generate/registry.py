"""The targets curate generates from the schema: a registry of name -> renderer.

`curate schema export --format NAME` looks the name up here. Each target's module is
imported only when it is rendered, so that the command line starts fast.
"""

from __future__ import annotations

import importlib

from curate.errors import InputError
from curate.schema.model import Schema, Table

__all__ = ["TARGETS", "render_export"]

TARGETS: dict[str, str] = {
    "pandera": "curate.generate.pandera",
    "arrow": "curate.generate.arrow",
    "jsonschema": "curate.generate.jsonschema",
    "frictionless": "curate.generate.frictionless",
    "codebook": "curate.generate.codebook",
}
"""Each target's name and the module whose `render(schema, tables)` writes it."""


def render_export(
    schema: Schema, target: str, tables: tuple[Table, ...], *, structured_output: bool = False
) -> str:
    """The text of one export; `structured_output` applies to jsonschema only."""
    if target not in TARGETS:
        known = ", ".join(TARGETS)
        raise InputError(f"unknown export format {target!r}; choose one of: {known}")
    module = importlib.import_module(TARGETS[target])
    if target == "jsonschema":
        text: str = module.render(schema, tables, structured_output=structured_output)
        return text
    if structured_output:
        raise InputError("--structured-output applies to --format jsonschema only")
    rendered: str = module.render(schema, tables)
    return rendered
