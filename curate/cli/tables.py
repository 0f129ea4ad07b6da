"""What a path argument names, loaded: a schema directory, or the tables of a release
or of a dataset's store. Heavy libraries are imported only when a command calls these."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from curate.schema.model import Schema

__all__ = ["schema_at", "tables_at"]


def schema_at(path: Path) -> Schema:
    """The schema in directory `path` (or the schema.yaml `path` names)."""
    from curate.errors import InputError
    from curate.schema.loader import load_schema

    target = path / "schema.yaml" if path.is_dir() else path
    if not target.is_file():
        raise InputError(f"no schema at {path}: expected a directory with schema.yaml")
    return load_schema(path)


def tables_at(path: Path, schema: Schema) -> dict[str, Any]:
    """The tables of a release directory (verified first) or of a dataset's store."""
    from curate.errors import InputError

    if (path / "datapackage.json").is_file():
        from curate.release.verify import verified_tables

        return verified_tables(path, schema)
    if (path / "dataset.yaml").is_file():
        from curate.store.load import load_tables
        from curate.store.records import open_store

        return load_tables(open_store(path), schema)
    raise InputError(f"{path}: neither a release (datapackage.json) nor a dataset (dataset.yaml)")
