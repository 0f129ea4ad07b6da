"""Everything curate generates from the one schema, one module per target.

Each module exposes a function that builds the target object from the typed schema model,
and `render(schema, table)` returning the text that `curate schema export` prints.
"""

from __future__ import annotations

__all__ = ["FORMATS"]

FORMATS: tuple[str, ...] = ("pandera", "arrow", "jsonschema", "frictionless", "codebook")
