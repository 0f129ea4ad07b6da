"""Immutable, reproducible, semver'd releases of a dataset.

`releases/<version>/` holds events/claims/sources.parquet (zstd, rows sorted by key, the
schema version in the file metadata), datapackage.json (a Frictionless Data Package with
each file's `sha256:` hash), CODEBOOK.md, CHANGES.md (record by record since the previous
release) and SHA256SUMS. It is built in a temp directory and renamed into place; an
existing version is never overwritten. Same records and same SOURCE_DATE_EPOCH give
byte-identical files; the logical content hash does not depend on the Parquet writer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from curate.diff import TableDiff, diff_table, render_changes
from curate.errors import InputError
from curate.export.arrow import arrow_schema
from curate.export.codebook import codebook
from curate.export.frictionless import table_schema
from curate.files import validate_paths
from curate.io import sha256_file
from curate.journal import Transaction, dataset_lock
from curate.schema import Schema, load_schema
from curate.store import Store, empty_table, in_key_order, open_store, write_store_rows
from curate.stored import invalid_store
from curate.types import polars_schema
from curate.validation import FILE, ROW

__all__ = [
    "Bump",
    "ReleaseResult",
    "content_hash",
    "latest_release",
    "read_table",
    "read_tables",
    "release",
    "release_versions",
]

Bump = Literal["auto", "major", "minor", "patch"]
_VERSION = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


@dataclass(frozen=True)
class ReleaseResult:
    """Where the release went, and what changed since the previous one."""

    version: str
    path: Path
    previous: str | None
    changes: dict[str, TableDiff]


def _parse(version: str) -> tuple[int, int, int]:
    match = _VERSION.match(version)
    if match is None:
        raise InputError(f"{version!r} is not a version of the form MAJOR.MINOR.PATCH")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def release_versions(store: Store) -> list[str]:
    """The released versions, oldest first."""
    versions = [p.name for p in store.releases.glob("*") if p.is_dir() and _VERSION.match(p.name)]
    return sorted(versions, key=_parse)


def latest_release(store: Store) -> str | None:
    """The highest released version, if any."""
    versions = release_versions(store)
    return versions[-1] if versions else None


def read_table(directory: Path, name: str, schema: Schema) -> pl.DataFrame:
    """One table of a release, typed exactly as the schema says."""
    frame = pl.from_arrow(pq.read_table(directory / f"{name}.parquet"))
    assert isinstance(frame, pl.DataFrame)
    return frame.cast(dict(polars_schema(schema.table(name))))  # type: ignore[arg-type]


def read_tables(directory: Path, schema: Schema) -> dict[str, pl.DataFrame]:
    """The three tables of a release, typed exactly as the schema says."""
    return {name: read_table(directory, name, schema) for name in schema.table_names}


def _hash_table(digest: Any, name: str, frame: pl.DataFrame, schema: Schema) -> None:
    digest.update(f"{name}\n".encode())
    write_store_rows(frame, name, schema, digest.update)


def content_hash(tables: dict[str, pl.DataFrame], schema: Schema) -> str:
    """sha256 of the records as canonical JSON lines: independent of the Parquet writer."""
    digest = hashlib.sha256()
    for name in schema.table_names:
        _hash_table(digest, name, tables[name], schema)
    return f"sha256:{digest.hexdigest()}"


def _next_version(
    previous: str | None, bump: Bump, changes: dict[str, TableDiff], schema_change: str
) -> str:
    if previous is None:
        return "1.0.0"
    major, minor, patch = _parse(previous)
    level = bump
    if bump == "auto":
        events = changes["events"]
        grew = any(d.added for d in changes.values()) or events.retracted
        if schema_change == "major":
            level = "major"
        elif grew or schema_change == "minor":
            level = "minor"
        else:
            level = "patch"
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def _schema_change(previous_schema: str | None, schema: Schema) -> str:
    if previous_schema is None:
        return "none"
    old, new = _parse(previous_schema), _parse(schema.version)
    if new[0] != old[0]:
        return "major"
    if new[1] != old[1]:
        return "minor"
    return "patch" if new != old else "none"


def _created(epoch: int | None = None) -> str:
    """The release time: `epoch` if given, else SOURCE_DATE_EPOCH, else now (UTC)."""
    if epoch is None and os.environ.get("SOURCE_DATE_EPOCH"):
        try:
            epoch = int(os.environ["SOURCE_DATE_EPOCH"])
        except ValueError:
            raise InputError("SOURCE_DATE_EPOCH must be a whole number of seconds") from None
    moment = (
        dt.datetime.fromtimestamp(epoch, dt.UTC) if epoch is not None else dt.datetime.now(dt.UTC)
    )
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _write_parquet(frame: pl.DataFrame, name: str, schema: Schema, path: Path) -> None:
    ordered = in_key_order(frame, name, schema)
    arrow = ordered.to_arrow().cast(arrow_schema(schema, schema.table(name)))
    pq.write_table(arrow, path, compression="zstd", write_statistics=True, store_schema=True)


# Why "nan" is a missing value in a release's descriptor: frictionless-py reads Parquet
# through pandas, which turns a null in a number column into NaN. curate refuses NaN in
# every number field, so in a curate release "nan" can only be such a null.


def _descriptor(
    store: Store, schema: Schema, version: str, directory: Path, digest: str, created: str
) -> dict[str, Any]:
    meta = store.metadata
    resources = []
    for name in schema.table_names:
        path = directory / f"{name}.parquet"
        resources.append(
            {
                "name": name,
                "path": path.name,
                "profile": "tabular-data-resource",
                "format": "parquet",
                "mediatype": "application/vnd.apache.parquet",
                "hash": f"sha256:{sha256_file(path)}",
                "schema": {**table_schema(schema.table(name)), "missingValues": ["", "nan"]},
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": str(meta.get("name", store.root.name)),
        "title": str(meta.get("title", store.root.name)),
        "description": str(meta.get("description", "")),
        "version": version,
        "created": created,
        "licenses": meta.get("licenses", []),
        "contributors": [
            {"title": m.get("name", ""), "role": "maintainer"} for m in meta.get("maintainers", [])
        ],
        "citation": meta.get("citation", ""),
        "curate:schema": {"name": schema.name, "version": schema.version},
        "curate:content_hash": digest,
        "curate:pyarrow": pa.__version__,
        "resources": resources,
    }


def release(
    dataset: Path,
    *,
    version: str | None = None,
    bump: Bump | None = None,
    schema: Schema | None = None,
    epoch: int | None = None,
) -> ReleaseResult:
    """Build `releases/<version>/` from the current store and append to CHANGELOG.md.

    The release is dated `epoch` (seconds since 1970, UTC) if given, else by
    SOURCE_DATE_EPOCH, else now."""
    schema = schema or load_schema()
    if (version is None) == (bump is None):
        raise InputError("give either --version X.Y.Z or --bump auto|major|minor|patch")
    created = _created(epoch)
    store = open_store(dataset)
    with dataset_lock(store.root):
        previous = latest_release(store)
        if version is not None:
            _check_new(store, version, previous)
        missing = [n for n in schema.table_names if not store.table_path(n).is_file()]
        if missing:
            raise InputError(f"{store.records}: no {', '.join(missing)} records file")
        store.releases.mkdir(exist_ok=True)
        transaction = Transaction(store.root)
        building = transaction.temp_directory(store.releases, "release")
        try:
            changes, digest = _write_tables(store, schema, previous, building)
            if previous is not None and all(d.empty for d in changes.values()):
                raise InputError(f"nothing changed since release {previous}; no release made")
            chosen = version or _next_version(
                previous,
                bump or "auto",
                changes,
                _schema_change(_schema_of(store, previous), schema),
            )
            _check_new(store, chosen, previous)
            _write_package(store, schema, changes, chosen, previous, building, digest, created)
            # The release directory and the changelog entry are committed together.
            transaction.stage_directory(store.releases / chosen, building)
            _stage_changelog(transaction, store, chosen, previous, changes, created)
        except BaseException:
            transaction.abandon()
            raise
        transaction.commit()
        return ReleaseResult(chosen, store.releases / chosen, previous, changes)


def _check_new(store: Store, version: str, previous: str | None) -> None:
    """Refuse a version that is malformed, exists already, or is not newer than `previous`."""
    _parse(version)
    if (store.releases / version).exists():
        raise InputError(f"release {version} exists already; releases are never overwritten")
    if previous is not None and _parse(version) <= _parse(previous):
        raise InputError(f"release {version} is not newer than {previous}")


def _schema_of(store: Store, release: str | None) -> str | None:
    """The schema version a release was made with."""
    if release is None:
        return None
    package = json.loads((store.releases / release / "datapackage.json").read_text("utf-8"))
    version = package.get("curate:schema", {}).get("version")
    return str(version) if version is not None else None


def _write_tables(
    store: Store, schema: Schema, previous: str | None, directory: Path
) -> tuple[dict[str, TableDiff], str]:
    """Validate the store and write its tables as Parquet, one table at a time (so that
    memory holds one whole table, not three); return the changes since `previous` and
    the content hash. An invalid store raises InvalidDataError."""
    digest = hashlib.sha256()
    changes: dict[str, TableDiff] = {}

    def publish(name: str, frame: pl.DataFrame) -> None:
        records = frame.drop(ROW, FILE)
        old = (
            read_table(store.releases / previous, name, schema)
            if previous
            else empty_table(name, schema)
        )
        changes[name] = diff_table(name, old, records, schema)
        del old
        _write_parquet(records, name, schema, directory / f"{name}.parquet")
        _hash_table(digest, name, records, schema)

    run = validate_paths(
        [store.records], schema=schema, max_issues=20, each_table=publish, errors_only=True
    )
    if not run.report.valid:
        raise invalid_store(store, run.report)
    return changes, f"sha256:{digest.hexdigest()}"


def _write_package(
    store: Store,
    schema: Schema,
    changes: dict[str, TableDiff],
    version: str,
    previous: str | None,
    directory: Path,
    digest: str,
    created: str,
) -> None:
    """Everything of a release beside its tables: codebook, changes, descriptor, sums."""
    (directory / "CODEBOOK.md").write_text(codebook(schema), encoding="utf-8")
    since = f"since {previous}" if previous else "first release"
    (directory / "CHANGES.md").write_text(
        render_changes(changes, f"Changes in {version} ({since})"), encoding="utf-8"
    )
    descriptor = _descriptor(store, schema, version, directory, digest, created)
    (directory / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    sums = "".join(
        f"{sha256_file(directory / n)}  {n}\n" for n in sorted(p.name for p in directory.iterdir())
    )
    (directory / "SHA256SUMS").write_text(sums, encoding="utf-8")
    for path in directory.iterdir():
        with path.open("rb") as handle:
            os.fsync(handle.fileno())


def _stage_changelog(
    transaction: Transaction,
    store: Store,
    version: str,
    previous: str | None,
    changes: dict[str, TableDiff],
    created: str,
) -> None:
    """Stage CHANGELOG.md with the release's summary above the previous ones."""
    counts = []
    for name, diff in changes.items():
        parts = [f"{len(diff.added)} added", f"{len(diff.revised)} revised"]
        if name == "events":
            parts.append(f"{len(diff.retracted)} retracted")
        counts.append(f"- {name}: " + ", ".join(parts))
    since = f" (since {previous})" if previous else ""
    entry = f"## {version} - {created[:10]}{since}\n\n" + "\n".join(counts) + "\n\n"
    path = store.root / "CHANGELOG.md"
    text = (
        path.read_text(encoding="utf-8") if path.exists() else f"# Changelog of {store.root.name}\n"
    )
    # Newest first: the entry goes above the previous releases, below the introduction.
    first = text.find("\n## ")
    head, rest = (text, "") if first < 0 else (text[: first + 1], text[first + 1 :])
    updated = head.rstrip("\n") + "\n\n" + entry + rest
    transaction.stage(path, (updated.rstrip("\n") + "\n").encode())
