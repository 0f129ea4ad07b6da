"""Verify a published release byte for byte, and read it only when it verifies.

Checks that datapackage.json names only plain files inside the release (no absolute,
`../`, `file:` or `http(s)` paths, no symlinks leading out), that every resource's
`sha256:` hash and every line of SHA256SUMS match the files, that SHA256SUMS covers
every file, that the records re-validate, and that the logical content hash matches.
Nothing is fetched and no link is followed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from curate.errors import InputError, InvalidDataError
from curate.io import sha256_file
from curate.schema import Schema, load_schema

__all__ = ["Verification", "read_release", "verify_release"]

_HASH = re.compile(r"^sha256:([0-9a-f]{64})$")


@dataclass
class Verification:
    """The problems found, each naming its file; none means the release verifies."""

    path: Path
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _safe_member(directory: Path, name: str) -> Path | None:
    """The file `name` inside `directory`, or None when the name leads anywhere else."""
    if (
        not name
        or "://" in name
        or name.startswith(("file:", "/", "\\"))
        or ":" in name.split("/")[0]
    ):
        return None
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts:
        return None
    candidate = directory / relative
    if candidate.is_symlink():
        return None
    resolved = candidate.resolve()
    if not resolved.is_relative_to(directory.resolve()):
        return None
    return candidate


def _descriptor(directory: Path, result: Verification) -> dict[str, Any] | None:
    path = directory / "datapackage.json"
    if path.is_symlink() or not path.is_file():
        result.problems.append("datapackage.json: missing (or a link)")
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        result.problems.append(f"datapackage.json: unreadable ({exc})")
        return None
    if not isinstance(document, dict) or not isinstance(document.get("resources"), list):
        result.problems.append("datapackage.json: not a data package with resources")
        return None
    return document


def verify_release(
    directory: Path, *, schema: Schema | None = None, revalidate: bool = True
) -> Verification:
    """Every check above; the problems name the file they concern."""
    schema = schema or load_schema()
    if not directory.is_dir():
        raise InputError(f"{directory}: no such release directory")
    result = Verification(directory)
    sums_path = directory / "SHA256SUMS"
    listed: dict[str, str] = {}
    mismatched: list[str] = []
    if sums_path.is_symlink() or not sums_path.is_file():
        result.problems.append("SHA256SUMS: missing (or a link)")
    else:
        for number, line in enumerate(
            sums_path.read_text(encoding="utf-8", errors="replace").splitlines(), 1
        ):
            match = re.match(r"^([0-9a-f]{64})  (\S.*)$", line)
            if match is None:
                result.problems.append(f"SHA256SUMS: line {number} is not '<sha256>  <file>'")
                continue
            listed[match.group(2)] = match.group(1)
    present = {p.name for p in directory.iterdir() if p.name != "SHA256SUMS"}
    for name in sorted(present - set(listed)):
        result.problems.append(f"{name}: not listed in SHA256SUMS")
    for name, expected in sorted(listed.items()):
        member = _safe_member(directory, name)
        if member is None:
            result.problems.append(f"SHA256SUMS: {name!r} is not a plain file inside the release")
        elif not member.is_file():
            result.problems.append(f"{name}: listed in SHA256SUMS but missing")
        elif sha256_file(member) != expected:
            mismatched.append(name)
    document = _descriptor(directory, result)
    _name_the_changed(mismatched, document, directory, result)
    if document is None:
        return result
    for resource in document["resources"]:
        name = str(resource.get("path", ""))
        member = _safe_member(directory, name)
        if member is None:
            result.problems.append(
                f"datapackage.json: resource path {name!r} is not a plain file inside the release"
            )
            continue
        match = _HASH.match(str(resource.get("hash", "")))
        if match is None:
            result.problems.append(f"datapackage.json: {name}: hash must be 'sha256:<64 hex>'")
        elif not member.is_file():
            result.problems.append(f"{name}: missing")
        elif sha256_file(member) != match.group(1):
            result.problems.append(f"{name}: sha256 differs from datapackage.json")
    if result.ok and revalidate:
        _revalidate(directory, document, schema, result)
    return result


def _name_the_changed(
    mismatched: list[str],
    document: dict[str, Any] | None,
    directory: Path,
    result: Verification,
) -> None:
    """Files whose sha256 differs from SHA256SUMS. Either changed; a table whose file still
    matches datapackage.json's hash tells that SHA256SUMS is the one that changed."""
    described = {
        str(r.get("path")): str(r.get("hash", ""))
        for r in (document or {}).get("resources", [])
        if isinstance(r, dict)
    }
    for name in mismatched:
        actual = f"sha256:{sha256_file(directory / name)}"
        if described.get(name) == actual:
            result.problems.append(
                f"SHA256SUMS: its line for {name} is wrong ({name} matches datapackage.json)"
            )
        else:
            result.problems.append(
                f"{name}: sha256 differs from SHA256SUMS ({name} or SHA256SUMS was changed)"
            )


def _revalidate(
    directory: Path, document: dict[str, Any], schema: Schema, result: Verification
) -> None:
    from curate.release import content_hash, read_tables
    from curate.validation import validate

    try:
        tables = read_tables(directory, schema)
    except Exception as exc:  # any unreadable table is a finding, not a crash
        result.problems.append(f"tables: cannot be read ({exc})")
        return
    report = validate(tables, schema=schema, max_issues=5)
    if not report.valid:
        first = report.issues[0]
        result.problems.append(
            f"{first.table}.parquet: invalid records ({first.code} at row {first.row})"
        )
    if document.get("curate:content_hash") != content_hash(tables, schema):
        result.problems.append("datapackage.json: curate:content_hash differs from the records")


Engine = Literal["polars", "pandas", "arrow"]


def read_release(
    path: Path | str, engine: Engine = "polars", *, verify: bool = True
) -> dict[str, Any]:
    """The release's tables as polars or pandas frames or Arrow tables, after checking
    every hash (`verify=False` reads without checking)."""
    import pyarrow.parquet as pq

    directory = Path(path)
    schema = load_schema()
    if verify:
        verification = verify_release(directory, schema=schema, revalidate=False)
        if not verification.ok:
            raise InvalidDataError(
                f"{directory} does not verify: " + "; ".join(verification.problems)
            )
    tables: dict[str, Any] = {}
    for name in schema.table_names:
        member = _safe_member(directory, f"{name}.parquet")
        if member is None:
            raise InputError(f"{directory}: {name}.parquet is not a plain file inside the release")
        arrow = pq.read_table(member)
        if engine == "arrow":
            tables[name] = arrow
        elif engine == "pandas":
            import pandas as pd

            tables[name] = arrow.to_pandas(types_mapper=pd.ArrowDtype)
        else:
            import polars as pl

            tables[name] = pl.from_arrow(arrow)
    return tables
