"""A dataset's records on disk: `datasets/<name>/records/{events,claims,sources}.jsonl`.

One object per line, keys in schema order, rows sorted by primary key, so that git diffs
read record by record. `dataset.yaml` describes the dataset; `releases/` holds published
versions; `CHANGELOG.md` tells their story.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from curate.disk.journal import Transaction
from curate.disk.locks import STATE_FILES, recover_if_idle
from curate.errors import InputError
from curate.readers.files import require_file
from curate.schema.dtypes import polars_schema
from curate.schema.loader import load_schema
from curate.schema.model import Schema
from curate.schema.smallfiles import read_yaml_mapping
from curate.store.seal import Digest, write_seal

__all__ = [
    "Store",
    "check_metadata",
    "empty_table",
    "in_key_order",
    "new_dataset",
    "open_store",
    "parse_store_rows",
    "store_rows",
    "write_store_rows",
]

_GITIGNORE = "# curate's own state: its lock, an interrupted commit's journal, temp files\n" + (
    "".join(f"{name}\n" for name in STATE_FILES)
)
_SLICE = 20_000  # rows serialised at a time: a buffer the allocator can reuse
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@dataclass(frozen=True)
class Store:
    """An existing dataset directory."""

    root: Path
    metadata: dict[str, Any]

    @property
    def records(self) -> Path:
        return self.root / "records"

    @property
    def releases(self) -> Path:
        return self.root / "releases"

    def table_path(self, table: str) -> Path:
        return self.records / f"{table}.jsonl"


def new_dataset(root: Path, *, title: str | None = None, schema: Schema | None = None) -> Store:
    """Scaffold dataset.yaml, an empty records/ (three empty tables) and CHANGELOG.md."""
    schema = schema or load_schema()
    name = root.name
    if not _NAME.fullmatch(name):
        raise InputError(f"{root}: a dataset name is lower-case letters, digits and hyphens")
    if root.exists() and not root.is_dir():
        raise InputError(f"{root} already exists and is not a directory")
    try:
        if root.exists() and any(root.iterdir()):
            raise InputError(f"{root} already exists and is not empty")
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {root}: {exc.strerror}") from None
    metadata = {
        "name": name,
        "title": title or name.replace("-", " ").capitalize(),
        "description": "What the dataset covers, and how its records were curated.",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "maintainers": [{"name": "Your name", "email": "you@example.org"}],
        "citation": f"{name}. Conflict-event records curated with curate.",
        "schema": {"name": schema.name, "version": schema.version},
    }
    transaction = Transaction(root)
    transaction.stage(root / "dataset.yaml", yaml.safe_dump(metadata, sort_keys=False).encode())
    for table in schema.table_names:
        transaction.stage(root / "records" / f"{table}.jsonl", b"")
    changelog = f"# Changelog of {name}\n\nReleases of this dataset, newest first.\n"
    transaction.stage(root / "CHANGELOG.md", changelog.encode())
    transaction.stage(root / ".gitignore", _GITIGNORE.encode())
    transaction.commit()
    (root / "releases").mkdir(exist_ok=True)
    write_seal(root, schema, {table: Digest(0, ()) for table in schema.table_names})
    return open_store(root)


def open_store(root: Path) -> Store:
    """An existing dataset (after finishing any commit a crash interrupted, unless a
    writer holds the dataset's lock). Its dataset.yaml must be a mapping whose known
    keys have the right types (`check_metadata`)."""
    if not (root / "dataset.yaml").is_file():
        raise InputError(f"{root} is not a dataset: no dataset.yaml (create one with `curate new`)")
    recover_if_idle(root)
    path = root / "dataset.yaml"
    store = Store(root, check_metadata(read_yaml_mapping(path), path))
    _check_layout(store)
    return store


def _check_layout(store: Store) -> None:
    """records/ is a directory and each records file in it a regular file (a FIFO or a
    device is never opened): otherwise one clear InputError, before any command reads
    or writes the store."""
    if os.path.lexists(store.records) and not store.records.is_dir():
        raise InputError(
            f"{store.root} is not a dataset: {store.records} is not a directory (a dataset "
            "keeps its records files there)"
        )
    if store.records.is_dir():
        for path in sorted(store.records.glob("*.jsonl")):
            require_file(path)


_TEXT_KEYS = ("name", "title", "description", "citation")


def check_metadata(metadata: dict[str, Any], path: Path) -> dict[str, Any]:
    """`metadata` (a dataset.yaml), once its known keys have the types a release copies
    into its descriptor: text for the name, title, description and citation, lists of
    mappings of text for licences and maintainers, a mapping of text for the schema.
    Anything else (a number, NaN, a list where text belongs) is an InputError naming
    the file and the key."""

    def wrong(key: str, expected: str) -> InputError:
        value = repr(metadata[key])
        return InputError(f"{path}: {key!r} must be {expected}, not {value:.60}")

    def text_mapping(value: object) -> bool:
        return isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        )

    for key in _TEXT_KEYS:
        if key in metadata and not isinstance(metadata[key], str):
            raise wrong(key, "text")
    for key in ("licenses", "maintainers"):
        value = metadata.get(key, [])
        if not isinstance(value, list) or not all(map(text_mapping, value)):
            raise wrong(key, "a list of mappings of text (name: ..., path: ...)")
    if "schema" in metadata and not text_mapping(metadata["schema"]):
        raise wrong("schema", "a mapping of text (name: ..., version: ...)")
    return metadata


def write_store_rows(
    frame: pl.DataFrame, table: str, schema: Schema, write: Callable[[bytes], object]
) -> None:
    """A table as stored, handed to `write` a slice at a time (a file's write, a hash's
    update): sorted by primary key,
    keys in schema order, nulls kept, dates as YYYY-MM-DD and datetimes as
    YYYY-MM-DDTHH:MM:SS.ffffffZ (one canonical text: the same records, the same bytes)."""
    ordered = in_key_order(frame, table, schema)
    text = ordered.with_columns(pl.col(pl.Datetime).dt.strftime("%Y-%m-%dT%H:%M:%S%.6fZ"))
    for start in range(0, text.height, _SLICE):
        buffer = io.BytesIO()
        text.slice(start, _SLICE).write_ndjson(buffer)
        write(buffer.getvalue())


def parse_store_rows(path: Path, table: str, schema: Schema) -> pl.DataFrame:
    """A records file as a typed table, without any check: only for a file that curate
    has found valid (`curate.store.seal`). Dates and datetimes are read as text and converted
    after (polars' JSON reader is several times slower parsing them itself)."""
    types = polars_schema(schema.table(table))
    as_text = {name: pl.String() if kind.is_temporal() else kind for name, kind in types.items()}
    empty = path.stat().st_size == 0
    frame = pl.DataFrame(schema=as_text) if empty else pl.read_ndjson(path, schema=as_text)
    return frame.with_columns(
        pl.col(name).str.to_date("%Y-%m-%d")
        if kind == pl.Date
        else pl.col(name).str.to_datetime("%Y-%m-%dT%H:%M:%S%.fZ", time_unit="us", time_zone="UTC")
        for name, kind in types.items()
        if kind.is_temporal()
    )


def in_key_order(frame: pl.DataFrame, table: str, schema: Schema) -> pl.DataFrame:
    """The table's fields in schema order and its rows sorted by primary key (a table
    with a one-field key that is in that order already, as read from a store, is not
    copied)."""
    definition = schema.table(table)
    ordered = frame.select(definition.field_names)
    keys = list(definition.primary_key)
    if len(keys) == 1 and ordered.get_column(keys[0]).is_sorted():
        return ordered
    return ordered.sort(keys)


def store_rows(frame: pl.DataFrame, table: str, schema: Schema) -> bytes:
    """`write_store_rows` into bytes, for small tables."""
    buffer = io.BytesIO()
    write_store_rows(frame, table, schema, buffer.write)
    return buffer.getvalue()


def empty_table(table: str, schema: Schema) -> pl.DataFrame:
    """A table with no rows and the schema's exact column types."""
    return pl.DataFrame(schema=polars_schema(schema.table(table)))


def key_text(primary: list[str]) -> pl.Expr:
    """A record's primary key as text (fields joined by commas)."""
    return pl.concat_str([pl.col(k).cast(pl.String) for k in primary], separator=",").alias("__key")
