"""Verify a published release, and read it only when it verifies.

Hashes inside a release only prove that its files agree with each other: anyone can
recompute all of them. So `verify_release` also binds every file to what curate writes:

- the release holds exactly a release's files, no link, and SHA256SUMS lists each of them
  once, in name order, with its SHA-256;
- datapackage.json is strict JSON (no repeated key, no NaN) and equals, byte for byte,
  the descriptor curate builds from the files: exactly the three tables at their
  canonical paths with their hashes, each table schema the one of the schema version it
  names (a version this curate does not have is a problem), only curate's members, and
  the free members (name, title, licences, ...) of curate's form;
- each Parquet file has exactly the Arrow types, column order, nullability and footer
  metadata (schema version included) that curate writes, holds no more rows than bytes
  (a decompression bomb is refused from its footer) and nothing its footer does not
  describe; with `revalidate`, it is the very file curate writes for its records (byte
  for byte under the pyarrow that wrote it, else the same row groups, encodings,
  compression and statistics), so no reader that trusts statistics, sort order, bloom
  filters or page indexes reads other records than a full read does;
- CODEBOOK.md is the codebook of that schema version; CHANGES.md is titled for the
  release's version; a release in a directory named like a version is that version;
- with `revalidate`, the records re-validate, are in key order, and give the descriptor's
  logical content hash.

What no file of a release can confirm (the free members' values, CHANGES.md's text, the
records when they stay valid) only the **release digest** binds: the SHA-256 of
SHA256SUMS, published outside the release and checked with `digest=` (`curate verify
--digest`). Nothing is fetched and no link is followed; an unreadable piece is a problem,
never an exception.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from curate.disk.atomic import sha256_file
from curate.errors import CurateError, InputError, InvalidDataError
from curate.release.package import (
    DESCRIPTOR,
    DIGEST_PATTERN,
    FREE_MEMBERS,
    MAX_FOOTER_BYTES,
    SUMS,
    descriptor_bytes,
    expected_footer,
    package_descriptor,
    parquet_bytes,
    parquet_extent,
    parquet_layout,
    release_digest,
    release_files,
    row_groups,
    table_file,
)
from curate.schema import semver
from curate.schema.loader import load_schema
from curate.schema.model import Schema

__all__ = [
    "Verification",
    "read_release",
    "release_digest",
    "require_verified",
    "verified_tables",
    "verify_release",
]

_HASH = re.compile(r"^sha256:([0-9a-f]{64})$")
_DIGEST = re.compile(DIGEST_PATTERN)
_CREATED = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
_SUMS_LINE = re.compile(r"^([0-9a-f]{64})  (\S.*)$")


@dataclass
class Verification:
    """The problems found, each naming its file; none means the release verifies.
    `digest` is the release digest computed from the files (None without SHA256SUMS)."""

    path: Path
    problems: list[str] = field(default_factory=list)
    digest: str | None = None

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


def check_digest(text: str) -> str:
    """A published release digest as given by a user, normalised; InputError otherwise."""
    digest = text.strip().lower()
    if not _DIGEST.fullmatch(digest):
        raise InputError(f"{text!r} is not a release digest: expected sha256:<64 hex digits>")
    return digest


class _Release:
    """One verification in progress: the directory, the schema, the problems found."""

    def __init__(self, directory: Path, schema: Schema) -> None:
        self.directory = directory
        self.schema = schema
        self.result = Verification(directory)
        self.hashes: dict[str, str] = {}  # hex SHA-256 of each regular file of the release
        self.changed: list[str] = []  # files whose SHA-256 differs from SHA256SUMS
        self.present: set[str] = set()  # every entry of the directory

    def problem(self, text: str) -> None:
        self.result.problems.append(text)

    # -- the files and SHA256SUMS -------------------------------------------------------

    def files(self) -> None:
        """Exactly a release's files, each a regular file; their hashes."""
        expected = release_files(self.schema)
        present = {}
        for entry in sorted(self.directory.iterdir()):
            present[entry.name] = entry
            self.present.add(entry.name)
            if entry.is_symlink() or not entry.is_file():
                self.problem(f"{entry.name}: not a regular file (a link or a directory)")
            elif entry.name not in expected:
                self.problem(f"{entry.name}: not a file of a curate release")
            else:
                try:
                    self.hashes[entry.name] = sha256_file(entry)
                except OSError as exc:
                    self.problem(f"{entry.name}: unreadable ({exc.strerror})")
        for name in sorted(expected - set(present)):
            self.problem(f"{name}: missing")

    def sums(self) -> None:
        """SHA256SUMS: one line per other file, in name order, each hash right."""
        path = self.directory / SUMS
        if SUMS not in self.hashes:
            return
        try:
            data = path.read_bytes()
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.problem(f"{SUMS}: unreadable ({exc})")
            return
        self.result.digest = f"sha256:{hashlib.sha256(data).hexdigest()}"
        listed: dict[str, str] = {}
        order: list[str] = []
        lines = text.split("\n")
        if lines[-1] != "":
            self.problem(f"{SUMS}: does not end with a newline")
        else:
            lines.pop()
        for number, line in enumerate(lines, 1):
            match = _SUMS_LINE.fullmatch(line)
            if match is None:
                self.problem(f"{SUMS}: line {number} is not '<sha256>  <file>'")
                continue
            name = match.group(2)
            if name in listed:
                self.problem(f"{SUMS}: {name!r} is listed twice (line {number} again)")
                continue
            listed[name] = match.group(1)
            order.append(name)
        if order != sorted(order):
            self.problem(f"{SUMS}: lines are not in file-name order")
        others = {name for name in self.hashes if name != SUMS}
        for name in sorted(others - set(listed)):
            self.problem(f"{name}: not listed in {SUMS}")
        for name, expected in sorted(listed.items()):
            if name == SUMS:
                self.problem(f"{SUMS}: lists itself")
            elif _safe_member(self.directory, name) is None:
                self.problem(f"{SUMS}: {name!r} is not a plain file inside the release")
            elif name not in self.present:
                self.problem(f"{name}: listed in {SUMS} but missing")
            elif name not in self.hashes:
                continue  # not a file of a release: named already
            elif self.hashes[name] != expected:
                self.changed.append(name)

    # -- datapackage.json ---------------------------------------------------------------

    def descriptor(self) -> dict[str, Any] | None:
        """The descriptor as strict JSON; None (a problem) when it cannot be read."""
        path = self.directory / DESCRIPTOR
        if DESCRIPTOR not in self.hashes:
            return None
        try:
            document = json.loads(
                path.read_bytes().decode("utf-8"),
                object_pairs_hook=_unique_keys,
                parse_constant=_no_constant,
            )
        except (OSError, ValueError, RecursionError) as exc:
            self.problem(f"{DESCRIPTOR}: unreadable ({_first_line(exc)})")
            return None
        if not isinstance(document, dict) or not isinstance(document.get("resources"), list):
            self.problem(f"{DESCRIPTOR}: not a data package with resources")
            return None
        return document

    def name_the_changed(self, document: dict[str, Any] | None) -> None:
        """Files whose sha256 differs from SHA256SUMS. Either changed; a table whose file
        still matches datapackage.json's hash tells that SHA256SUMS is the one that changed."""
        resources = document.get("resources", []) if document else []
        described = {
            str(r.get("path")): str(r.get("hash", "")) for r in resources if isinstance(r, dict)
        }
        for name in self.changed:
            if described.get(name) == f"sha256:{self.hashes[name]}":
                self.problem(f"{SUMS}: its line for {name} is wrong ({name} matches {DESCRIPTOR})")
            else:
                self.problem(f"{name}: sha256 differs from {SUMS} ({name} or {SUMS} was changed)")

    def resources(self, document: dict[str, Any]) -> None:
        """Exactly the three tables, in order, at their canonical paths, hashes right."""
        resources = document["resources"]
        names = self.schema.table_names
        for index, resource in enumerate(resources):
            if not isinstance(resource, dict):
                self.problem(f"{DESCRIPTOR}: resource {index + 1} is not an object")
                continue
            path = str(resource.get("path", ""))
            wanted = names[index] if index < len(names) else None
            if _safe_member(self.directory, path) is None:
                self.problem(
                    f"{DESCRIPTOR}: resource path {path!r} is not a plain file inside the release"
                )
            elif wanted is None:
                self.problem(
                    f"{DESCRIPTOR}: resource {index + 1} ({path!r}) is not a table of a "
                    f"curate release, which has exactly {', '.join(names)}"
                )
            elif resource.get("name") != wanted or path != table_file(wanted):
                self.problem(
                    f"{DESCRIPTOR}: resource {index + 1} must be {wanted!r} at "
                    f"{table_file(wanted)!r}, not {resource.get('name')!r} at {path!r}"
                )
            match = _HASH.fullmatch(str(resource.get("hash", "")))
            if match is None:
                self.problem(f"{DESCRIPTOR}: {path}: hash must be 'sha256:<64 hex>'")
            elif path in self.hashes and self.hashes[path] != match.group(1):
                self.problem(f"{path}: sha256 differs from {DESCRIPTOR}")
        if len(resources) < len(names):
            missing = ", ".join(names[len(resources) :])
            self.problem(f"{DESCRIPTOR}: the resources {missing} are missing")

    def members(self, document: dict[str, Any]) -> None:
        """The free members are of curate's form, and the whole descriptor is the one curate
        builds from them and from the files: same members, same tables, same bytes."""
        schema_member = document.get("curate:schema")
        named = (
            (schema_member.get("name"), schema_member.get("version"))
            if isinstance(schema_member, dict)
            else None
        )
        if named != (self.schema.name, self.schema.version):
            self.problem(
                f"{DESCRIPTOR}: curate:schema names {_shown(schema_member)}, but this curate "
                f"has schema {self.schema.name} {self.schema.version} only; the release cannot "
                "be checked against the schema it names"
            )
            return
        for member, check, form in _FORMS:
            if member not in document:
                self.problem(f"{DESCRIPTOR}: member {member!r} is missing")
            elif not check(document[member]):
                self.problem(f"{DESCRIPTOR}: {member} must be {form}")
        if not _HASH.fullmatch(str(document.get("curate:content_hash", ""))):
            self.problem(f"{DESCRIPTOR}: curate:content_hash must be 'sha256:<64 hex>'")
        version = document.get("version")
        if semver.is_version(self.directory.name) and version != self.directory.name:
            self.problem(
                f"{DESCRIPTOR}: version {_shown(version)} is not the release directory's "
                f"{self.directory.name}"
            )
        if not self.result.ok:
            return
        hashes = {
            name: f"sha256:{self.hashes[table_file(name)]}" for name in self.schema.table_names
        }
        rebuilt = package_descriptor(
            document, self.schema, hashes, str(document["curate:content_hash"])
        )
        for member in [*rebuilt, *(k for k in document if k not in rebuilt)]:
            if member not in rebuilt:
                self.problem(f"{DESCRIPTOR}: {member!r} is not a member curate writes")
            elif member not in document:
                self.problem(f"{DESCRIPTOR}: member {member!r} is missing")
            elif member == "resources":
                self._resources_as_built(document[member], rebuilt[member])
            elif document[member] != rebuilt[member]:
                self.problem(f"{DESCRIPTOR}: {member} is not what curate writes")
        if self.result.ok:
            written = (self.directory / DESCRIPTOR).read_bytes()
            if written != descriptor_bytes(rebuilt) or list(document) != list(rebuilt):
                self.problem(
                    f"{DESCRIPTOR}: not laid out as curate writes it (member order, "
                    "spacing or escaping)"
                )

    def _resources_as_built(self, resources: list[Any], rebuilt: list[dict[str, Any]]) -> None:
        for resource, expected in zip(resources, rebuilt, strict=False):
            name = expected["name"]
            for key in [*expected, *(k for k in resource if k not in expected)]:
                if key not in expected:
                    self.problem(
                        f"{DESCRIPTOR}: resource {name}: {key!r} is not a member curate writes"
                    )
                elif resource.get(key) != expected[key]:
                    if key == "schema":
                        self._table_schema(name, resource.get(key), expected[key])
                    else:
                        self.problem(
                            f"{DESCRIPTOR}: resource {name}: {key} must be {expected[key]!r}"
                        )

    def _table_schema(self, name: str, given: Any, expected: dict[str, Any]) -> None:
        where = f"{DESCRIPTOR}: resource {name}: schema"
        if not isinstance(given, dict):
            self.problem(f"{where} is not an object")
            return
        version = self.schema.version
        for key in [*expected, *(k for k in given if k not in expected)]:
            if given.get(key) == expected.get(key):
                continue
            if key == "fields" and isinstance(given.get(key), list):
                self._fields(where, given[key], expected[key])
            elif key not in expected:
                self.problem(f"{where}: {key!r} is not part of the table schema")
            else:
                self.problem(f"{where}: {key} differs from schema {version}")

    def _fields(self, where: str, given: list[Any], expected: list[dict[str, Any]]) -> None:
        names = [f.get("name") if isinstance(f, dict) else None for f in given]
        wanted = [f["name"] for f in expected]
        if names != wanted:
            self.problem(
                f"{where}: fields are not those of schema {self.schema.version} "
                f"(in order: {', '.join(wanted)})"
            )
            return
        for actual, field_ in zip(given, expected, strict=True):
            if actual != field_:
                self.problem(
                    f"{where}: field {field_['name']} differs from schema {self.schema.version}"
                )

    # -- the other files ----------------------------------------------------------------

    def parquet(self) -> None:
        """Each table's Parquet schema and footer exactly as curate writes them."""
        import pyarrow.parquet as pq

        from curate.generate.arrow import arrow_schema

        for name in self.schema.table_names:
            file = table_file(name)
            if file not in self.hashes:
                continue
            try:
                with (self.directory / file).open("rb") as handle:
                    magic, size = handle.read(4), os.fstat(handle.fileno()).st_size
                    handle.seek(max(size - 8, 0))
                    footer_bytes = int.from_bytes(handle.read(4), "little")
                if footer_bytes > MAX_FOOTER_BYTES:
                    self.problem(
                        f"{file}: declares a Parquet footer of {footer_bytes} bytes, more than "
                        f"a table curate writes has ({MAX_FOOTER_BYTES}); refused before reading it"
                    )
                    continue
                parquet = pq.ParquetFile(self.directory / file)
                columns, arrow = parquet.schema, parquet.schema_arrow
                footer = dict(parquet.metadata.metadata or {})
                extent = parquet_extent(parquet.metadata)
            except Exception as exc:  # an unreadable footer is a finding, never a crash
                self.problem(f"{file}: not a readable Parquet file ({_first_line(exc)})")
                continue
            rows, groups = parquet.metadata.num_rows, parquet.metadata.num_row_groups
            if groups != row_groups(rows):
                self.problem(
                    f"{file}: {groups} row groups for {rows} rows, where curate writes "
                    f"{row_groups(rows)}; refused before reading it"
                )
                continue
            if rows > size:
                # Every row of a release has its own key, so its file spends more than a
                # byte on it: more rows than bytes is a decompression bomb, never read.
                self.problem(
                    f"{file}: declares {rows} rows in {size} bytes, more than a table "
                    "curate writes holds; refused before reading it"
                )
                continue
            if magic != b"PAR1" or extent != size:
                self.problem(
                    f"{file}: holds bytes its Parquet footer does not account for as "
                    "curate writes it (a page index, bloom filter, gap or extra data)"
                )
            expected_columns, expected_footer_metadata = expected_footer(self.schema, name)
            expected_arrow = arrow_schema(self.schema, self.schema.table(name))
            found = _arrow_differences(arrow, expected_arrow)
            for difference in found:
                self.problem(f"{file}: {difference}")
            version = footer.get(b"curate.schema_version", b"").decode("utf-8", "replace")
            if version != self.schema.version:
                self.problem(
                    f"{file}: its footer names schema version {version or 'none'!r}, "
                    f"{DESCRIPTOR} {self.schema.version}"
                )
            elif found:
                continue
            elif footer != expected_footer_metadata:
                self.problem(f"{file}: footer metadata is not what curate writes")
            elif not columns.equals(expected_columns):
                self.problem(f"{file}: Parquet column types are not those curate writes")

    def encoding(self, document: dict[str, Any]) -> None:
        """Each table's file is the one curate writes for its records: byte for byte when
        this curate runs the pyarrow that wrote the release, else the same layout (row
        groups, encodings, compression, statistics, no page index or bloom filter) by the
        pyarrow the descriptor names. So every Parquet reader reads the same records,
        including those that skip row groups by their statistics."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        writer = str(document.get("curate:pyarrow"))
        for name in self.schema.table_names:
            file = table_file(name)
            try:
                written = (self.directory / file).read_bytes()
                rewritten = parquet_bytes(pq.read_table(pa.BufferReader(written)))
                metadata = pq.ParquetFile(pa.BufferReader(written)).metadata
            except Exception as exc:  # an unreadable table is a finding, never a crash
                self.problem(f"{file}: cannot be read ({_first_line(exc)})")
                continue
            if writer == pa.__version__:
                same = written == rewritten
            else:
                expected = pq.ParquetFile(pa.BufferReader(rewritten)).metadata
                same = metadata.created_by == f"parquet-cpp-arrow version {writer}" and (
                    parquet_layout(metadata) == parquet_layout(expected)
                )
            if not same:
                self.problem(
                    f"{file}: not the file curate writes for its records with pyarrow "
                    f"{writer} (row groups, encodings, compression, statistics or pages differ)"
                )

    def texts(self, document: dict[str, Any]) -> None:
        """CODEBOOK.md is the schema's codebook; CHANGES.md is titled for this version."""
        from curate.generate.codebook import codebook

        codebook_file = self.directory / "CODEBOOK.md"
        if "CODEBOOK.md" in self.hashes and codebook_file.read_bytes() != codebook(
            self.schema
        ).encode("utf-8"):
            self.problem(f"CODEBOOK.md: not the codebook of schema {self.schema.version}")
        if "CHANGES.md" in self.hashes:
            with (self.directory / "CHANGES.md").open("rb") as handle:
                first = handle.readline().decode("utf-8", "replace").rstrip("\n")
            version = str(document.get("version"))
            title = re.fullmatch(rf"^# Changes in {re.escape(version)} \((.*)\)$", first)
            since = title.group(1) if title else ""
            previous = since.removeprefix("since ")
            if title is None or not (since == "first release" or _is_older(previous, version)):
                self.problem(f"CHANGES.md: its title does not name release {version}")

    def records(self, document: dict[str, Any]) -> dict[str, Any] | None:
        """Re-validate the records, in key order, against the content hash; the tables."""
        from curate.release.read import content_hash, read_tables
        from curate.store.records import key_text
        from curate.validation.api import validate

        try:
            tables = read_tables(self.directory, self.schema)
        except Exception as exc:  # any unreadable table is a finding, not a crash
            self.problem(f"tables: cannot be read ({_first_line(exc)})")
            return None
        report = validate(tables, schema=self.schema, max_issues=5)
        if not report.valid:
            first = report.issues[0]
            self.problem(
                f"{first.table}.parquet: invalid records ({first.code} at row {first.row})"
            )
        for name, frame in tables.items():
            primary = list(self.schema.table(name).primary_key)
            keys = frame.select(key_text(primary)).to_series()
            if not keys.equals(keys.sort()):
                self.problem(f"{table_file(name)}: rows are not in key order")
        if document.get("curate:content_hash") != content_hash(tables, self.schema):
            self.problem(f"{DESCRIPTOR}: curate:content_hash differs from the records")
        return tables


_FORMS: list[tuple[str, Callable[[Any], bool], str]] = [
    ("profile", lambda v: v == "tabular-data-package", "'tabular-data-package'"),
    ("name", lambda v: isinstance(v, str) and bool(v), "a non-empty string"),
    ("title", lambda v: isinstance(v, str), "a string"),
    ("description", lambda v: isinstance(v, str), "a string"),
    ("version", semver.is_version, semver.FORM),
    (
        "created",
        lambda v: isinstance(v, str) and bool(_CREATED.fullmatch(v)),
        "a UTC time, YYYY-MM-DDTHH:MM:SSZ",
    ),
    (
        "licenses",
        lambda v: (
            isinstance(v, list)
            and all(
                isinstance(x, dict) and x and all(isinstance(y, str) for y in x.values()) for x in v
            )
        ),
        "a list of licence objects of strings",
    ),
    (
        "contributors",
        lambda v: (
            isinstance(v, list)
            and all(
                isinstance(x, dict)
                and set(x) == {"title", "role"}
                and isinstance(x["title"], str)
                and x["role"] == "maintainer"
                for x in v
            )
        ),
        "a list of {title, role: maintainer}",
    ),
    ("citation", lambda v: isinstance(v, str), "a string"),
    (
        "curate:pyarrow",
        lambda v: isinstance(v, str) and bool(re.fullmatch(r"\d+\.\d+\.\d+\S*", v)),
        "a pyarrow version",
    ),
]
assert {member for member, _, _ in _FORMS} >= set(FREE_MEMBERS)


def _is_older(previous: str, version: str) -> bool:
    """Whether both are versions and `previous` comes before `version`."""
    both = semver.is_version(previous) and semver.is_version(version)
    return both and semver.parse(previous) < semver.parse(version)


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if value is not None else "nothing"
    return text if len(text) <= 80 else text[:77] + "..."


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise ValueError(f"key {key!r} appears twice in one object")
        document[key] = value
    return document


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _arrow_differences(actual: Any, expected: Any) -> list[str]:
    """How an Arrow schema read from a file differs from the one curate writes."""
    if actual.names != expected.names:
        extra = [n for n in actual.names if n not in expected.names]
        missing = [n for n in expected.names if n not in actual.names]
        if len(set(actual.names)) != len(actual.names):
            return ["a column name appears twice"]
        if extra or missing:
            parts = [
                *(["extra " + ", ".join(extra)] if extra else []),
                *(["missing " + ", ".join(missing)] if missing else []),
            ]
            return [f"columns are not the schema's ({'; '.join(parts)})"]
        return ["columns are not in the schema's order"]
    differences = []
    for got, wanted in zip(actual, expected, strict=True):
        if not got.type.equals(wanted.type):
            differences.append(
                f"column {got.name} is {got.type}, the schema's type is {wanted.type}"
            )
        elif got.nullable != wanted.nullable:
            state = "nullable" if got.nullable else "not nullable"
            differences.append(f"column {got.name} is {state}, unlike the schema")
        elif got.metadata != wanted.metadata:
            differences.append(f"column {got.name}: field metadata is not what curate writes")
    if not differences and actual.metadata != expected.metadata:
        differences.append("schema metadata is not what curate writes")
    return differences


def _verify(
    directory: Path, schema: Schema, *, revalidate: bool, digest: str | None
) -> tuple[Verification, dict[str, Any] | None]:
    if not directory.is_dir():
        raise InputError(f"{directory}: no such release directory")
    state = _Release(directory, schema)
    try:
        state.files()
    except OSError as exc:
        raise InputError(f"{directory}: cannot be read ({exc.strerror})") from exc
    state.sums()
    result = state.result
    if digest is not None and result.digest != digest:
        result.problems.insert(
            0,
            f"release digest {result.digest or 'none (no SHA256SUMS)'} is not the published "
            f"{digest}: this is not the published release",
        )
    document = state.descriptor()
    state.name_the_changed(document)
    if document is None:
        return result, None
    state.resources(document)
    state.members(document)
    state.parquet()
    if not result.ok:
        return result, None
    state.texts(document)
    if result.ok and revalidate:
        state.encoding(document)
    if result.ok and revalidate:
        tables = state.records(document)
        return result, tables if result.ok else None
    return result, None


def verify_release(
    directory: Path,
    *,
    schema: Schema | None = None,
    revalidate: bool = True,
    digest: str | None = None,
) -> Verification:
    """Every check above; the problems name the file they concern. `digest`, the
    published release digest (`sha256:<hex>`), is compared with the computed one."""
    verification, _ = _verify(
        directory, schema or load_schema(), revalidate=revalidate, digest=digest
    )
    return verification


def verified_tables(
    directory: Path,
    schema: Schema | None = None,
    *,
    error: type[CurateError] = InputError,
) -> dict[str, Any]:
    """The tables (polars) of a release that verifies in full; `error` naming the first
    problem otherwise."""
    verification, tables = _verify(directory, schema or load_schema(), revalidate=True, digest=None)
    if not verification.ok or tables is None:
        raise error(_refusal(directory, verification))
    return tables


def require_verified(
    directory: Path, schema: Schema | None = None, *, error: type[CurateError] = InputError
) -> None:
    """Nothing when the release verifies in full; `error` naming the first problem
    otherwise."""
    verification = verify_release(directory, schema=schema)
    if not verification.ok:
        raise error(_refusal(directory, verification))


def _refusal(directory: Path, verification: Verification) -> str:
    problems = verification.problems
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{directory} does not verify: {problems[0]}{more}; run `curate verify {directory}`"


FrameLibrary = Literal["polars", "pandas", "arrow"]
"""The libraries whose tables `read_release` can give."""


def read_release(
    path: Path | str, library: FrameLibrary = "polars", *, verify: bool = True
) -> dict[str, Any]:
    """The release's tables as polars or pandas frames or Arrow tables (`library`), after
    verifying it in full as `curate verify` does (`verify=False` reads without checking)."""
    import pyarrow.parquet as pq

    directory = Path(path)
    schema = load_schema()
    if verify:
        verification = verify_release(directory, schema=schema)
        if not verification.ok:
            raise InvalidDataError(
                f"{directory} does not verify: " + "; ".join(verification.problems)
            )
    tables: dict[str, Any] = {}
    for name in schema.table_names:
        member = _safe_member(directory, table_file(name))
        if member is None:
            raise InputError(
                f"{directory}: {table_file(name)} is not a plain file inside the release"
            )
        arrow = pq.read_table(member)
        if library == "arrow":
            tables[name] = arrow
        elif library == "pandas":
            import pandas as pd

            tables[name] = arrow.to_pandas(types_mapper=pd.ArrowDtype)
        else:
            import polars as pl

            tables[name] = pl.from_arrow(arrow)
    return tables
