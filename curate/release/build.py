"""Immutable, reproducible, semver'd releases of a dataset.

`releases/<version>/` holds events/claims/sources.parquet (zstd, rows sorted by key, the
schema version in the file metadata), datapackage.json (a Frictionless Data Package with
each file's `sha256:` hash), CODEBOOK.md, CHANGES.md (record by record since the previous
release) and SHA256SUMS. It is built in a temp directory and renamed into place; an
existing version is never overwritten. Same records and same SOURCE_DATE_EPOCH give
byte-identical files; the logical content hash does not depend on the Parquet writer.

Each release has one release digest, the SHA-256 of its SHA256SUMS (`curate.release.package`):
it cannot live inside the release, whose every file SHA256SUMS covers, so `release`
prints it and writes it, with a citation line, into the dataset's CHANGELOG.md entry.
A release is made only on top of a previous one that verifies, and only when every
entry of releases/ is a complete release.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from curate.disk.atomic import sha256_file, sync_written
from curate.disk.journal import JOURNAL, Transaction
from curate.disk.locks import dataset_lock
from curate.errors import InputError, not_written
from curate.generate.arrow import arrow_schema
from curate.generate.codebook import codebook
from curate.markup import markdown_text
from curate.release.changes import TableDiff, diff_table, render_changes
from curate.release.clock import reproducible_now
from curate.release.package import (
    DESCRIPTOR,
    SUMS,
    descriptor_bytes,
    package_descriptor,
    release_digest,
    sums_text,
    table_file,
    write_parquet,
)
from curate.release.read import hash_table, read_table
from curate.release.versions import (
    Bump,
    latest_release,
    next_version,
    schema_change,
    schema_of,
)
from curate.schema import semver
from curate.schema.loader import load_schema
from curate.schema.model import Schema
from curate.store.load import check_unchanged, commit_outcome, invalid_store, stamps_of
from curate.store.records import Store, empty_table, in_key_order, open_store
from curate.validation.paths import validate_paths

__all__ = ["Bump", "ReleaseResult", "release"]


@dataclass(frozen=True)
class ReleaseResult:
    """Where the release went, and what changed since the previous one."""

    version: str
    path: Path
    previous: str | None
    changes: dict[str, TableDiff]
    digest: str


def _created(epoch: int | None = None) -> str:
    """The release time: `epoch` if given, else SOURCE_DATE_EPOCH, else now (UTC)."""
    moment = dt.datetime.fromtimestamp(epoch, dt.UTC) if epoch is not None else reproducible_now()
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _write_parquet(frame: pl.DataFrame, name: str, schema: Schema, path: Path) -> None:
    ordered = in_key_order(frame, name, schema)
    write_parquet(ordered.to_arrow().cast(arrow_schema(schema, schema.table(name))), path)


def _release_descriptor(
    store: Store, schema: Schema, version: str, directory: Path, digest: str, created: str
) -> dict[str, Any]:
    """The release's datapackage.json: the dataset's metadata, the release's version and
    time, each table file's hash (`curate.release.package.package_descriptor`)."""
    meta = store.metadata
    about = {
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
        "curate:pyarrow": pa.__version__,
    }
    hashes = {
        name: f"sha256:{sha256_file(directory / table_file(name))}" for name in schema.table_names
    }
    return package_descriptor(about, schema, hashes, digest)


def release(
    dataset: Path,
    *,
    version: str | None = None,
    bump: Bump | None = None,
    schema: Schema | None = None,
    epoch: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> ReleaseResult:
    """Build `releases/<version>/` from the current store and append to CHANGELOG.md.

    The release is dated `epoch` (seconds since 1970, UTC) if given, else by
    SOURCE_DATE_EPOCH, else now. `progress`, if given, is told each stage as it starts."""
    stage = progress or (lambda _: None)
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
        if previous is not None:
            stage(f"releasing: verifying the previous release, {previous}")
            _check_previous(store, previous, schema)
        store.releases.mkdir(exist_ok=True)
        transaction = Transaction(store.root)
        building = transaction.temp_directory(store.releases, "release")
        # A records file edited by hand while it is read would make a release of neither
        # the old records nor the new: the release is refused instead.
        stamps = stamps_of(store, schema)
        try:
            stage("releasing: writing the tables")
            changes, digest = _write_tables(store, schema, previous, building)
            if previous is not None and all(d.empty for d in changes.values()):
                raise InputError(f"nothing changed since release {previous}; no release made")
            chosen = version or next_version(
                previous,
                bump or "auto",
                changes,
                schema_change(schema_of(store, previous), schema),
            )
            _check_new(store, chosen, previous)
            stage(f"releasing {chosen}: writing the package")
            _write_package(store, schema, changes, chosen, previous, building, digest, created)
            # The release directory and the changelog entry are committed together.
            digest = release_digest(building)
            transaction.stage_directory(store.releases / chosen, building)
            _stage_changelog(transaction, store, chosen, previous, changes, created, digest)
            check_unchanged(store, schema, stamps, "releasing from")
        except BaseException as exc:
            transaction.abandon()
            if isinstance(exc, OSError):  # a full disk, a read-only file system
                where = Path(exc.filename) if isinstance(exc.filename, str) else store.releases
                raise not_written(where, exc) from exc
            raise
        try:
            transaction.commit()
        except OSError as exc:
            changed = (store.root / JOURNAL).exists()
            if not changed:
                transaction.abandon()
            where = Path(exc.filename) if isinstance(exc.filename, str) else store.releases
            raise not_written(where, exc, commit_outcome(changed)) from exc
        return ReleaseResult(chosen, store.releases / chosen, previous, changes, digest)


def _check_previous(store: Store, previous: str, schema: Schema) -> None:
    """Refuse to build on a previous release that does not verify as `curate verify` does."""
    from curate.release.verify import verify_release

    where = store.releases / previous
    verification = verify_release(where, schema=schema)
    if not verification.ok:
        raise InputError(
            f"{where}: the previous release does not verify ({verification.problems[0]}); "
            f"a release is built only on one that does (run `curate verify {where}`)"
        )


def _check_new(store: Store, version: str, previous: str | None) -> None:
    """Refuse a version that is malformed, exists already, or is not newer than `previous`."""
    semver.parse(version)
    if (store.releases / version).exists():
        raise InputError(f"release {version} exists already; releases are never overwritten")
    if previous is not None and semver.parse(version) <= semver.parse(previous):
        raise InputError(f"release {version} is not newer than {previous}")


def _write_tables(
    store: Store, schema: Schema, previous: str | None, directory: Path
) -> tuple[dict[str, TableDiff], str]:
    """Validate the store and write its tables as Parquet, one table at a time (so that
    memory holds one whole table, not three); return the changes since `previous` and
    the content hash. An invalid store raises InvalidDataError."""
    digest = hashlib.sha256()
    changes: dict[str, TableDiff] = {}

    def publish(name: str, records: pl.DataFrame) -> None:
        old = (
            read_table(store.releases / previous, name, schema)
            if previous
            else empty_table(name, schema)
        )
        changes[name] = diff_table(name, old, records, schema)
        del old
        _write_parquet(records, name, schema, directory / table_file(name))
        hash_table(digest, name, records, schema)

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
    descriptor = _release_descriptor(store, schema, version, directory, digest, created)
    (directory / DESCRIPTOR).write_bytes(descriptor_bytes(descriptor))
    sums = sums_text({p.name: sha256_file(p) for p in directory.iterdir()})
    (directory / SUMS).write_text(sums, encoding="utf-8")
    for path in directory.iterdir():
        sync_written(path)


def _stage_changelog(
    transaction: Transaction,
    store: Store,
    version: str,
    previous: str | None,
    changes: dict[str, TableDiff],
    created: str,
    digest: str,
) -> None:
    """Stage CHANGELOG.md with the release's summary, its release digest and a citation
    line above the previous ones."""
    counts = []
    for name, diff in changes.items():
        parts = [f"{len(diff.added)} added", f"{len(diff.revised)} revised"]
        if name == "events":
            parts.append(f"{len(diff.retracted)} retracted")
        counts.append(f"- {name}: " + ", ".join(parts))
    since = f" (since {previous})" if previous else ""
    entry = (
        f"## {version} - {created[:10]}{since}\n\n"
        + "\n".join(counts)
        + "\n\n"
        + _trust_lines(store, version, digest)
    )
    path = store.root / "CHANGELOG.md"
    text = (
        path.read_text(encoding="utf-8")
        if path.exists()
        else f"# Changelog of {markdown_text(store.root.name)}\n"
    )
    # Newest first: the entry goes above the previous releases, below the introduction.
    first = text.find("\n## ")
    head, rest = (text, "") if first < 0 else (text[: first + 1], text[first + 1 :])
    updated = head.rstrip("\n") + "\n\n" + entry + rest
    transaction.stage(path, (updated.rstrip("\n") + "\n").encode())


def _trust_lines(store: Store, version: str, digest: str) -> str:
    """The release digest and citation lines of a CHANGELOG.md entry."""
    citation = " ".join(str(store.metadata.get("citation", "")).split())
    cite = f"{citation} " if citation else ""
    return (
        f"Release digest: `{digest}` (the SHA-256 of releases/{version}/SHA256SUMS; check "
        "a copy with `curate verify RELEASE --digest` and this digest)\n\n"
        f"Cite as: {cite}Release {version}, release digest `{digest}`.\n\n"
    )
