"""The tamper suite: self-consistent forgeries of the shipped release 1.1.0.

Each forgery changes a copy of the release and then recomputes everything a forger can:
the descriptor's resource hashes, the logical content hash, datapackage.json and
SHA256SUMS. So no hash inside the release catches it; only the binding does (`verify`
compares every file with what curate writes), or, for what no file of a release can
confirm, the release digest published outside it (`verify --digest`).

What only the digest catches, by design: a new value of a free descriptor member
(licence, title, description, citation, created), a new text of CHANGES.md under its
title, and records changed or dropped so that they stay valid. Everything else is
refused by `verify` alone.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curate.disk.atomic import sha256_file
from curate.errors import InvalidDataError
from curate.generate.arrow import arrow_schema
from curate.release.package import (
    DESCRIPTOR,
    SUMS,
    descriptor_bytes,
    parquet_bytes,
    parquet_extent,
    release_digest,
    sums_text,
    write_parquet,
)
from curate.release.read import content_hash, read_tables
from curate.release.verify import read_release, verify_release
from curate.schema.loader import load_schema
from tests.helpers import run_cli
from tests.summary import record_summary

SCHEMA = load_schema()
RELEASE = Path(__file__).resolve().parents[1] / "datasets" / "raqqa-airstrikes-2015" / "releases"
ORIGINAL = RELEASE / "1.1.0"
DIGEST = release_digest(ORIGINAL)


@dataclass
class Forgery:
    """A copy of the release being forged: the case edits its files and `document`
    (the descriptor), then `reseal` recomputes every hash."""

    path: Path
    document: dict[str, Any]
    keep_content_hash: bool = False
    descriptor_edit: Callable[[bytes], bytes] | None = None
    sums_edit: Callable[[str], str] | None = None
    resources: list[dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.resources = self.document["resources"]

    def resource(self, name: str) -> dict[str, Any]:
        return next(r for r in self.resources if r["name"] == name)

    def fields(self, table: str) -> list[dict[str, Any]]:
        fields: list[dict[str, Any]] = self.resource(table)["schema"]["fields"]
        return fields

    def field(self, table: str, name: str) -> dict[str, Any]:
        return next(f for f in self.fields(table) if f["name"] == name)

    def table(self, name: str) -> pa.Table:
        return pq.read_table(self.path / f"{name}.parquet")

    def write(self, name: str, table: pa.Table, file: str | None = None) -> None:
        write_parquet(table, self.path / (file or f"{name}.parquet"))

    def reseal(self) -> None:
        """Recompute the content hash, every resource hash, the descriptor, SHA256SUMS."""
        if not self.keep_content_hash:
            try:
                tables = read_tables(self.path, SCHEMA)
                self.document["curate:content_hash"] = content_hash(tables, SCHEMA)
            except Exception:  # a table curate cannot read keeps the old hash
                pass
        for resource in self.resources:
            target = self.path / str(resource.get("path"))
            if isinstance(resource, dict) and target.is_file():
                resource["hash"] = f"sha256:{sha256_file(target)}"
        data = descriptor_bytes(self.document)
        (self.path / DESCRIPTOR).write_bytes(
            self.descriptor_edit(data) if self.descriptor_edit else data
        )
        hashes = {p.name: sha256_file(p) for p in self.path.iterdir() if p.name != SUMS}
        sums = sums_text(hashes)
        (self.path / SUMS).write_text(self.sums_edit(sums) if self.sums_edit else sums, "utf-8")


def _column(table: pa.Table, name: str, values: pa.Array, nullable: bool | None = None) -> pa.Table:
    """`table` with column `name` replaced by `values` (its field metadata kept)."""
    index = table.schema.get_field_index(name)
    old = table.schema.field(index)
    new = pa.field(name, values.type, old.nullable if nullable is None else nullable, old.metadata)
    return table.set_column(index, new, values)


def _retype(table: str, column: str, to: pa.DataType) -> Callable[[Forgery], None]:
    def forge(f: Forgery) -> None:
        data = f.table(table)
        f.write(table, _column(data, column, data[column].combine_chunks().cast(to)))

    return forge


def _rows(table: str, change: Callable[[pa.Table], pa.Table]) -> Callable[[Forgery], None]:
    return lambda f: f.write(table, change(f.table(table)))


def _set(table: str, column: str, row: int, value: Any) -> Callable[[Forgery], None]:
    def change(data: pa.Table) -> pa.Table:
        values = data[column].to_pylist()
        values[row] = value
        return _column(data, column, pa.array(values, data.schema.field(column).type))

    return _rows(table, change)


def _footer(table: str, metadata: dict[bytes, bytes]) -> Callable[[Forgery], None]:
    def forge(f: Forgery) -> None:
        data = f.table(table)
        f.write(table, data.replace_schema_metadata({**(data.schema.metadata or {}), **metadata}))

    return forge


def _point_claims_at_a_copy(f: Forgery) -> None:
    data = f.table("claims")
    f.write("claims", data.slice(0, 3), "claims-copy.parquet")
    f.resource("claims")["path"] = "claims-copy.parquet"


def _extra_resource(f: Forgery) -> None:
    shutil.copyfile(f.path / "sources.parquet", f.path / "extra.parquet")
    f.resources.append({**f.resource("sources"), "name": "extra", "path": "extra.parquet"})


def _extra_file(f: Forgery) -> None:
    (f.path / "NOTICE.txt").write_text("Also see https://example.org/\n", "utf-8")


def _duplicate_key(data: bytes) -> bytes:
    return data.replace(b'  "name": "raqqa', b'  "name": "forged",\n  "name": "raqqa', 1)


def _schema_version_everywhere(f: Forgery) -> None:
    f.document["curate:schema"]["version"] = "1.1.0"
    for name in SCHEMA.table_names:
        _footer(name, {b"curate.schema_version": b"1.1.0"})(f)


def _rename_version(f: Forgery) -> None:
    """Release 1.1.0 presented as 1.1.1 throughout: directory, descriptor, CHANGES.md."""
    f.document["version"] = "1.1.1"
    changes = f.path / "CHANGES.md"
    changes.write_text(
        changes.read_text("utf-8").replace("Changes in 1.1.0", "Changes in 1.1.1", 1), "utf-8"
    )


def _drop_source(data: pa.Table) -> pa.Table:
    return data.slice(1)


def _drop_claim(data: pa.Table) -> pa.Table:
    return data.slice(0, data.num_rows - 1)


def _reverse(data: pa.Table) -> pa.Table:
    return data.take(pa.array(range(data.num_rows - 1, -1, -1)))


def _rewrite_changes(f: Forgery) -> None:
    changes = f.path / "CHANGES.md"
    title = changes.read_text("utf-8").splitlines()[0]
    changes.write_text(f"{title}\n\nNo records changed.\n", "utf-8")


def _dictionary(f: Forgery) -> None:
    data = f.table("events")
    status = pc.dictionary_encode(data["status"].combine_chunks())
    f.write("events", _column(data, "status", status))


def _extra_column(f: Forgery) -> None:
    data = f.table("sources")
    f.write("sources", data.append_column("mirror", pa.array(["x"] * data.num_rows)))


def _missing_column(f: Forgery) -> None:
    data = f.table("sources")
    f.write("sources", data.drop_columns([data.schema.names[-1]]))


def _reordered_columns(f: Forgery) -> None:
    data = f.table("sources")
    names = data.schema.names
    f.write("sources", data.select([names[1], names[0], *names[2:]]))


def _nullable(f: Forgery) -> None:
    data = f.table("events")
    f.write("events", _column(data, "status", data["status"].combine_chunks(), nullable=True))


def _layout(table: str, **options: Any) -> Callable[[Forgery], None]:
    """Rewrite `table` with the same records and Arrow schema but another Parquet layout."""

    def forge(f: Forgery) -> None:
        settings = {"compression": "zstd", "store_schema": True, **options}
        pq.write_table(f.table(table), f.path / f"{table}.parquet", **settings)

    return forge


def _patch_footer(table: str, old: bytes, new: bytes) -> Callable[[Forgery], None]:
    """Replace `old` by `new` (as long) in the Thrift footer of `table`'s file only."""

    def forge(f: Forgery) -> None:
        path = f.path / f"{table}.parquet"
        data = path.read_bytes()
        start = len(data) - 8 - int.from_bytes(data[-8:-4], "little")
        assert len(old) == len(new)
        assert old in data[start:]
        path.write_bytes(data[:start] + data[start:].replace(old, new))

    return forge


# The smallest claim_id of the release: its row group's statistics are forged to start
# after it, so readers that skip row groups by statistics (DuckDB, polars, pyarrow's
# dataset filters) find no such claim, while a full read finds every record.
_FIRST_CLAIM = b"aj-activists-perpetrator"


def _an_older_pyarrow(f: Forgery) -> None:
    """The descriptor and every footer name pyarrow 26.0.0 as the writer."""
    f.document["curate:pyarrow"] = "26.0.0"
    for name in SCHEMA.table_names:
        _patch_footer(name, b"arrow version 26.0.1", b"arrow version 26.0.0")(f)


def _an_older_pyarrow_and(change: Callable[[Forgery], None]) -> Callable[[Forgery], None]:
    def forge(f: Forgery) -> None:
        change(f)
        _an_older_pyarrow(f)

    return forge


def _every_table_emptied(f: Forgery) -> None:
    """No records at all: valid, and its files (an empty boolean column has a chunk of no
    pages) must verify as curate writes them."""
    for name in SCHEMA.table_names:
        f.write(name, f.table(name).slice(0, 0))


def _bomb(f: Forgery) -> None:
    """A claims file of half a million copies of one row: 35 KB on disk, 14 columns of half
    a million values each once read (5 million rows took 2.2 GB before verify refused)."""
    data = f.table("claims")
    f.write("claims", data.take(pa.array([0] * 500_000)))


Caught = Literal["verify", "digest"]


@dataclass(frozen=True)
class Case:
    name: str
    forge: Callable[[Forgery], object]
    caught_by: Caught = "verify"
    directory: str = "1.1.0"
    keep_content_hash: bool = False
    descriptor_edit: Callable[[bytes], bytes] | None = None
    sums_edit: Callable[[str], str] | None = None


def _nothing(f: Forgery) -> None:
    return None


def _doc(change: Callable[[dict[str, Any]], object]) -> Callable[[Forgery], object]:
    return lambda f: change(f.document)


CASES = [
    # The descriptor's resources.
    Case("resources emptied", _doc(lambda d: d["resources"].clear())),
    Case("resources reordered", _doc(lambda d: d["resources"].reverse())),
    Case("a resource duplicated", _doc(lambda d: d["resources"].append(dict(d["resources"][0])))),
    Case("claims pointed at a copy", _point_claims_at_a_copy),
    Case("an extra resource and its file", _extra_resource),
    Case("a resource's format", lambda f: f.resource("events").update(format="csv")),
    Case("a resource member added", lambda f: f.resource("events").update(encoding="utf-8")),
    # Table schemas.
    Case("a field's type", lambda f: f.field("events", "revision").update(type="number")),
    Case(
        "a constraint",
        lambda f: f.field("events", "revision")["constraints"].update(minimum=0),
    ),
    Case(
        "an enum widened",
        lambda f: f.field("events", "status")["constraints"]["enum"].append("deleted"),
    ),
    Case(
        "a pattern loosened",
        lambda f: f.field("events", "event_id")["constraints"].update(pattern=".*"),
    ),
    Case("a field dropped", lambda f: f.fields("sources").pop()),
    Case(
        "the primary key",
        lambda f: f.resource("claims")["schema"].update(primaryKey=["claim_id", "event_id"]),
    ),
    Case("foreign keys removed", lambda f: f.resource("claims")["schema"].pop("foreignKeys")),
    Case(
        "missing values widened",
        lambda f: f.resource("events")["schema"].update(missingValues=["", "nan", "n/a"]),
    ),
    # Top-level members.
    Case("a licence of another form", _doc(lambda d: d.update(licenses=[{"name": 4}]))),
    Case("a member added", _doc(lambda d: d.update({"curate:signed": True}))),
    Case("a member removed", _doc(lambda d: d.pop("citation"))),
    Case("a name emptied", _doc(lambda d: d.update(name=""))),
    Case("the version in the descriptor only", _doc(lambda d: d.update(version="1.1.1"))),
    Case("the schema version", _doc(lambda d: d["curate:schema"].update(version="1.1.0"))),
    Case("the schema version in the descriptor and footers", _schema_version_everywhere),
    Case(
        "the content hash edited",
        _doc(lambda d: d.update({"curate:content_hash": "sha256:" + "0" * 64})),
        keep_content_hash=True,
    ),
    Case("a repeated key", _nothing, descriptor_edit=_duplicate_key),
    Case("a descriptor cut short", _nothing, descriptor_edit=lambda b: b[: len(b) // 2]),
    Case(
        "a descriptor nested too deep",
        _nothing,
        descriptor_edit=lambda b: b[:-2] + b', "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n",
    ),
    Case(
        "NaN in the descriptor",
        _nothing,
        descriptor_edit=lambda b: b.replace(b'"minimum": 1', b'"minimum": NaN', 1),
    ),
    Case(
        "the descriptor laid out otherwise",
        _nothing,
        descriptor_edit=lambda b: json.dumps(json.loads(b), indent=4).encode() + b"\n",
    ),
    # Parquet files.
    Case(
        "a table that is not Parquet",
        lambda f: (f.path / "sources.parquet").write_bytes(b"source_id,title\ns1,forged\n"),
    ),
    Case("integers as float64", _retype("events", "revision", pa.float64())),
    Case("millisecond timestamps", _retype("events", "extracted_at", pa.timestamp("ms", "UTC"))),
    Case("another time zone", _retype("events", "extracted_at", pa.timestamp("us", "+01:00"))),
    Case("a zone written +00:00", _retype("events", "extracted_at", pa.timestamp("us", "+00:00"))),
    Case("large strings", _retype("claims", "quote", pa.large_string())),
    Case("a dictionary column", _dictionary),
    Case("an extra column", _extra_column),
    Case("a missing column", _missing_column),
    Case("columns reordered", _reordered_columns),
    Case("a required column nullable", _nullable),
    # The same records and Arrow schema in another Parquet layout: readers that trust the
    # footer (statistics, sort order, bloom filters, page indexes) may read other records.
    Case("another compression", _layout("claims", compression="snappy")),
    Case("one row group per row", _layout("claims", row_group_size=1)),
    Case("no statistics", _layout("claims", write_statistics=False)),
    Case("plain encoding", _layout("claims", use_dictionary=False)),
    Case("a page index", _layout("claims", write_page_index=True)),
    Case("a bloom filter", _layout("claims", bloom_filter_options={"claim_id": {"ndv": 99}})),
    Case("page checksums", _layout("claims", write_page_checksum=True)),
    Case(
        "a false sort order",
        _layout("claims", sorting_columns=[pq.SortingColumn(1, descending=True)]),
    ),
    Case(
        "statistics forged to hide a claim",
        _patch_footer("claims", _FIRST_CLAIM, b"ak" + _FIRST_CLAIM[2:]),
    ),
    Case("a footer's writer renamed", _patch_footer("claims", b"26.0.1", b"26.0.0")),
    Case(
        "an older pyarrow in the descriptor only",
        _doc(lambda d: d.update({"curate:pyarrow": "26.0.0"})),
    ),
    Case(
        "an older pyarrow named throughout, and another layout",
        _an_older_pyarrow_and(_layout("claims", row_group_size=1)),
    ),
    Case("a decompression bomb", _bomb),
    Case("footer schema version", _footer("claims", {b"curate.schema_version": b"1.1.0"})),
    Case("footer metadata added", _footer("claims", {b"curate.signed": b"yes"})),
    Case("a row made invalid", _set("events", "revision", 0, 0)),
    Case("a source dropped under its claims", _rows("sources", _drop_source)),
    Case("rows out of key order", _rows("claims", _reverse)),
    # SHA256SUMS and the file set.
    Case(
        "a SHA256SUMS line repeated",
        _nothing,
        sums_edit=lambda s: s + s.splitlines(keepends=True)[0],
    ),
    Case("a malformed SHA256SUMS line", _nothing, sums_edit=lambda s: s + "forged line\n"),
    Case(
        "SHA256SUMS out of order",
        _nothing,
        sums_edit=lambda s: "".join(reversed(s.splitlines(True))),
    ),
    Case("an extra file listed", _extra_file),
    Case(
        "CODEBOOK.md rewritten",
        lambda f: (f.path / "CODEBOOK.md").write_text("# Codebook\n\nAnything goes.\n", "utf-8"),
    ),
    Case(
        "CHANGES.md titled for another release",
        lambda f: (f.path / "CHANGES.md").write_text("# Changes in 2.0.0 (since 1.0.0)\n", "utf-8"),
    ),
    # What no file of a release can confirm: only the published digest tells these apart.
    Case(
        "another licence",
        _doc(lambda d: d.update(licenses=[{"name": "CC0-1.0", "path": "https://example.org/"}])),
        caught_by="digest",
    ),
    Case("another title", _doc(lambda d: d.update(title="Raqqa: no strikes")), caught_by="digest"),
    Case(
        "another creation time",
        _doc(lambda d: d.update(created="2030-01-01T00:00:00Z")),
        caught_by="digest",
    ),
    Case("another name", _doc(lambda d: d.update(name="raqqa-forged")), caught_by="digest"),
    Case(
        "a record changed and still valid",
        _set("claims", "quote", 0, "Nothing happened."),
        caught_by="digest",
    ),
    Case("a record dropped and still valid", _rows("claims", _drop_claim), caught_by="digest"),
    Case("every table emptied", _every_table_emptied, caught_by="digest"),
    Case("CHANGES.md rewritten under its title", _rewrite_changes, caught_by="digest"),
    Case("the version renamed throughout", _rename_version, caught_by="digest", directory="1.1.1"),
    Case("an older pyarrow named throughout", _an_older_pyarrow, caught_by="digest"),
]


def forge(release: Path, change: Callable[[Forgery], object], **options: Any) -> None:
    """Forge `release` in place: `change` it, then recompute every hash (`options` are
    Forgery's: keep_content_hash, descriptor_edit, sums_edit)."""
    document = json.loads((release / DESCRIPTOR).read_text("utf-8"))
    forgery = Forgery(release, document, **options)
    change(forgery)
    forgery.reseal()


def _forged(case: Case, base: Path) -> Path:
    path = base / case.directory
    shutil.copytree(ORIGINAL, path)
    forge(
        path,
        case.forge,
        keep_content_hash=case.keep_content_hash,
        descriptor_edit=case.descriptor_edit,
        sums_edit=case.sums_edit,
    )
    return path


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_self_consistent_forgery_is_refused(case: Case, tmp_path: Path) -> None:
    forged = _forged(case, tmp_path)
    assert release_digest(forged) != DIGEST
    given_digest = verify_release(forged, schema=SCHEMA, digest=DIGEST)
    assert not given_digest.ok
    assert "is not the published" in given_digest.problems[0]
    if case.caught_by == "verify":
        assert not verify_release(forged, schema=SCHEMA).ok
        result = run_cli("verify", str(forged))
        assert result.returncode == 1, result.stdout
        assert f"release digest {release_digest(forged)}" in result.stderr
    else:
        # Consistent with everything inside the release: only the published digest tells.
        assert verify_release(forged, schema=SCHEMA).ok
        result = run_cli("verify", str(forged), "--digest", DIGEST)
        assert result.returncode == 1
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "is not the published" in result.stderr
    assert "Traceback" not in result.stderr


def _many_row_groups(f: Forgery) -> None:
    """2,000 row groups of a claim each: every row group costs its metadata to read."""
    data = f.table("claims")
    pq.write_table(data.take(pa.array([0] * 2_000)), f.path / "claims.parquet", row_group_size=1)


def _a_huge_footer(f: Forgery) -> None:
    """17 MB of footer metadata, parsed whole before anything can be compared."""
    _footer("claims", {b"curate.note": b"x" * (17 << 20)})(f)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (_bomb, "declares 500000 rows in"),
        (_many_row_groups, "2000 row groups for 2000 rows, where curate writes 1"),
        (_a_huge_footer, "declares a Parquet footer of"),
    ],
    ids=["more rows than bytes", "more row groups", "a huge footer"],
)
def test_a_table_too_large_for_its_file_is_refused_from_its_footer(
    change: Callable[[Forgery], None], says: str, tmp_path: Path
) -> None:
    forged = _forged(Case("too large", change), tmp_path)
    result = run_cli("verify", str(forged))
    assert result.returncode == 1
    assert says in result.stderr
    assert "refused before reading it" in result.stderr
    with pytest.raises(InvalidDataError, match="refused before reading it"):
        read_release(forged)


@pytest.mark.parametrize("name", SCHEMA.table_names)
def test_every_table_curate_writes_is_all_accounted_for(name: str) -> None:
    """The footer accounts for every byte of a table curate writes, empty or not (an
    empty boolean column has a chunk without pages)."""
    empty = parquet_bytes(arrow_schema(SCHEMA, SCHEMA.table(name)).empty_table())
    for data in (empty, (ORIGINAL / f"{name}.parquet").read_bytes()):
        assert parquet_extent(pq.ParquetFile(pa.BufferReader(data)).metadata) == len(data)


def test_the_original_verifies_with_its_digest() -> None:
    import hashlib

    import curate

    sums = hashlib.sha256((ORIGINAL / SUMS).read_bytes()).hexdigest()
    assert curate.release_digest(ORIGINAL) == DIGEST == f"sha256:{sums}"
    result = run_cli(
        "verify", str(ORIGINAL), "--digest", DIGEST.upper().replace("SHA256", "sha256")
    )
    assert result.returncode == 0, result.stderr
    assert DIGEST in result.stdout
    assert verify_release(ORIGINAL, schema=SCHEMA, digest=DIGEST).ok


RELEASE_FILES = sorted(p.name for p in ORIGINAL.iterdir())


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(RELEASE_FILES),
    where=st.floats(0, 1),
    value=st.integers(1, 255),
)
def test_any_changed_byte_with_sums_recomputed_is_refused_given_the_digest(
    tmp_path_factory: pytest.TempPathFactory, name: str, where: float, value: int
) -> None:
    path = tmp_path_factory.mktemp("byte") / "1.1.0"
    shutil.copytree(ORIGINAL, path)
    target = path / name
    data = bytearray(target.read_bytes())
    data[min(int(where * len(data)), len(data) - 1)] ^= value
    target.write_bytes(bytes(data))
    if name != SUMS:
        hashes = {p.name: sha256_file(p) for p in path.iterdir() if p.name != SUMS}
        (path / SUMS).write_text(sums_text(hashes), "utf-8")
    verification = verify_release(path, schema=SCHEMA, revalidate=False, digest=DIGEST)
    assert not verification.ok
    assert "is not the published" in verification.problems[0]


def test_the_suite_is_counted() -> None:
    record_summary("tamper_cases", len(CASES))
    assert len(CASES) >= 25
    assert {c.caught_by for c in CASES} == {"verify", "digest"}
