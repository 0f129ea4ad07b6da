"""The versions of a dataset's releases: which exist, the latest, and the next one.

`--bump auto` follows DESIGN.md "Release": a schema MAJOR change gives a MAJOR
release; records added or retracted, or a schema MINOR change, a MINOR one; only
revisions, a PATCH; nothing changed, no release.
"""

from __future__ import annotations

import json
from typing import Literal

from curate.errors import InputError
from curate.release.changes import TableDiff
from curate.release.package import (
    DESCRIPTOR,
    release_files,
)
from curate.schema import semver
from curate.schema.loader import load_schema
from curate.schema.model import Schema
from curate.store.records import Store

__all__ = [
    "Bump",
    "latest_release",
    "next_version",
    "release_versions",
    "schema_change",
    "schema_of",
]


Bump = Literal["auto", "major", "minor", "patch"]


# The prefix of the temp names curate's own transactions use (curate.disk.journal): a release
# being built, or left by a crash until the next command recovers it.
_BUILDING = ".curate-tmp-"


def release_versions(store: Store, schema: Schema | None = None) -> list[str]:
    """The released versions, oldest first. Anything else in releases/ (a file, a link, a
    directory not named MAJOR.MINOR.PATCH, or one without exactly a release's files) is
    refused with InputError naming it: what is there is never silently skipped."""
    if not store.releases.is_dir():
        return []
    expected = release_files(schema or load_schema())
    versions = []
    for entry in sorted(store.releases.iterdir()):
        if entry.name.startswith(_BUILDING):
            continue
        where = f"{store.releases.name}/{entry.name}"
        if entry.is_symlink() or not entry.is_dir() or not semver.is_version(entry.name):
            raise InputError(
                f"{store.root}: {where} is not a release (a directory named MAJOR.MINOR.PATCH); "
                "move it out of releases/"
            )
        names = {p.name for p in entry.iterdir()}
        if names != expected:
            missing, extra = sorted(expected - names), sorted(names - expected)
            detail = "; ".join(
                [
                    *([f"missing {', '.join(missing)}"] if missing else []),
                    *([f"unexpected {', '.join(extra)}"] if extra else []),
                ]
            )
            raise InputError(
                f"{store.root}: {where} is not a complete release ({detail}); "
                "restore it from its published copy or move it out of releases/"
            )
        versions.append(entry.name)
    return semver.sorted_versions(versions)


def latest_release(store: Store) -> str | None:
    """The highest released version, if any."""
    versions = release_versions(store)
    return versions[-1] if versions else None


def next_version(
    previous: str | None, bump: Bump, changes: dict[str, TableDiff], schema_change: str
) -> str:
    if previous is None:
        return "1.0.0"
    major, minor, patch = semver.parse(previous)
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


def schema_change(previous_schema: str | None, schema: Schema) -> str:
    if previous_schema is None:
        return "none"
    old, new = semver.parse(previous_schema), semver.parse(schema.version)
    if new[0] != old[0]:
        return "major"
    if new[1] != old[1]:
        return "minor"
    return "patch" if new != old else "none"


def schema_of(store: Store, release: str | None) -> str | None:
    """The schema version a release was made with."""
    if release is None:
        return None
    package = json.loads((store.releases / release / DESCRIPTOR).read_text("utf-8"))
    version = package.get("curate:schema", {}).get("version")
    return str(version) if version is not None else None
