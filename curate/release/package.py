"""What a curate release is made of, written in one place for `release` and `verify`.

A release directory holds exactly `RELEASE_FILES`. Its tables are Parquet files written
by `write_parquet` (so `verify` can compare a file's footer with the footer curate would
write), its descriptor is `package_descriptor` serialised by `descriptor_bytes`, and its
SHA256SUMS is `sums_text`. The **release digest** is the SHA-256 of SHA256SUMS: since
SHA256SUMS covers every other file, the digest covers the whole release, and for the same
reason it cannot be stored inside the release. It is published outside it (the dataset's
CHANGELOG.md, the citation, a DOI record) and checked by `curate verify --digest`.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curate.generate.frictionless import table_schema
from curate.schema.model import Schema

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq

__all__ = [
    "DESCRIPTOR",
    "DIGEST_PATTERN",
    "FREE_MEMBERS",
    "MAX_FOOTER_BYTES",
    "RESOURCE_FORM",
    "SUMS",
    "descriptor_bytes",
    "expected_footer",
    "package_descriptor",
    "parquet_bytes",
    "parquet_extent",
    "parquet_layout",
    "release_digest",
    "release_files",
    "resource_schema",
    "row_groups",
    "sums_text",
    "table_file",
    "write_parquet",
]

DESCRIPTOR = "datapackage.json"
SUMS = "SHA256SUMS"
DIGEST_PATTERN = r"^sha256:[0-9a-f]{64}$"

# Every member of a resource but its name, path, hash and schema.
RESOURCE_FORM: dict[str, str] = {
    "profile": "tabular-data-resource",
    "format": "parquet",
    "mediatype": "application/vnd.apache.parquet",
}

# The descriptor members taken from dataset.yaml and the release's moment, which no file
# of the release can confirm: only the release digest binds them.
FREE_MEMBERS = (
    "name",
    "title",
    "description",
    "version",
    "created",
    "licenses",
    "contributors",
    "citation",
    "curate:pyarrow",
)


def table_file(name: str) -> str:
    """The canonical file name of table `name` in a release."""
    return f"{name}.parquet"


def release_files(schema: Schema) -> frozenset[str]:
    """Every file of a release, SHA256SUMS included; nothing else belongs in one."""
    tables = {table_file(name) for name in schema.table_names}
    return frozenset({*tables, "CODEBOOK.md", "CHANGES.md", DESCRIPTOR, SUMS})


# Why "nan" is a missing value in a release's descriptor: frictionless-py reads Parquet
# through pandas, which turns a null in a number column into NaN. curate refuses NaN in
# every number field, so in a curate release "nan" can only be such a null.


def resource_schema(schema: Schema, name: str) -> dict[str, Any]:
    """The Table Schema a release gives table `name`."""
    return {**table_schema(schema.table(name)), "missingValues": ["", "nan"]}


def package_descriptor(
    about: Mapping[str, Any], schema: Schema, hashes: Mapping[str, str], content_digest: str
) -> dict[str, Any]:
    """The descriptor of a release: `about` gives the `FREE_MEMBERS`, `hashes` each
    table's `sha256:<hex>`, `content_digest` the logical content hash."""
    resources = [
        {
            "name": name,
            "path": table_file(name),
            **RESOURCE_FORM,
            "hash": hashes[name],
            "schema": resource_schema(schema, name),
        }
        for name in schema.table_names
    ]
    return {
        "profile": "tabular-data-package",
        **{member: about[member] for member in FREE_MEMBERS[:-1]},
        "curate:schema": {"name": schema.name, "version": schema.version},
        "curate:content_hash": content_digest,
        "curate:pyarrow": about["curate:pyarrow"],
        "resources": resources,
    }


def descriptor_bytes(descriptor: Mapping[str, Any]) -> bytes:
    """datapackage.json exactly as a release holds it."""
    return (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def sums_text(hashes: Mapping[str, str]) -> str:
    """SHA256SUMS from each file's hex SHA-256: one line per file, in name order."""
    return "".join(f"{hashes[name]}  {name}\n" for name in sorted(hashes))


def release_digest(directory: Path | str) -> str:
    """The release digest, `sha256:<hex>` of the release's SHA256SUMS (see the module
    docstring). OSError when SHA256SUMS cannot be read."""
    return f"sha256:{hashlib.sha256((Path(directory) / SUMS).read_bytes()).hexdigest()}"


# The rows of each row group of a release's Parquet file but the last (pyarrow's default).
ROW_GROUP_ROWS = 1024 * 1024

# The largest Parquet footer a release's table has: a few KB per row group of a million
# rows. A larger one is refused before it is parsed.
MAX_FOOTER_BYTES = 16 << 20


def row_groups(rows: int) -> int:
    """How many row groups `write_parquet` writes for `rows` rows."""
    return max(1, -(-rows // ROW_GROUP_ROWS))


def write_parquet(table: pa.Table, where: Any) -> None:
    """Write an Arrow table (already of `arrow_schema`) as a release's Parquet file."""
    import pyarrow.parquet as pq

    pq.write_table(
        table,
        where,
        row_group_size=ROW_GROUP_ROWS,
        compression="zstd",
        write_statistics=True,
        store_schema=True,
    )


def parquet_bytes(table: pa.Table) -> bytes:
    """The bytes `write_parquet` gives `table`."""
    import pyarrow as pa

    buffer = pa.BufferOutputStream()
    write_parquet(table, buffer)
    return bytes(buffer.getvalue().to_pybytes())


# The members of a Parquet footer's description that depend on the bytes the compressor
# produced (so on the library versions), not on the records or on how they are laid out.
_COMPRESSED_BYTES = frozenset(
    {
        "created_by",
        "serialized_size",
        "file_offset",
        "dictionary_page_offset",
        "data_page_offset",
        "total_compressed_size",
    }
)


def parquet_layout(metadata: pq.FileMetaData) -> Any:
    """How a Parquet file lays out its records, from its footer: row groups, and per
    column chunk its encodings, compression, statistics, dictionary, bloom filter and
    page index; everything but what depends on the compressed bytes."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in _COMPRESSED_BYTES}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    indexes = [
        (column.has_column_index, column.has_offset_index)
        for group in range(metadata.num_row_groups)
        for column in (
            metadata.row_group(group).column(index)
            for index in range(metadata.row_group(group).num_columns)
        )
    ]
    return {"footer": strip(metadata.to_dict()), "page indexes": indexes}


def parquet_extent(metadata: pq.FileMetaData) -> int | None:
    """The length of a file that holds nothing but what this footer describes: the magic,
    the column chunks one after the other, the footer, its length and the magic again.
    None when the chunks do not follow each other so."""
    position = 4
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        for index in range(row_group.num_columns):
            column = row_group.column(index)
            if column.total_compressed_size == 0:
                continue  # a chunk without pages (an empty boolean column) takes no bytes
            start = (
                column.dictionary_page_offset
                if column.has_dictionary_page
                else column.data_page_offset
            )
            if start != position or column.file_path:
                return None
            position = start + column.total_compressed_size
    return int(position + metadata.serialized_size + 8)


@functools.cache
def expected_footer(schema: Schema, name: str) -> tuple[pq.ParquetSchema, dict[bytes, bytes]]:
    """The Parquet schema and key-value metadata `write_parquet` gives table `name`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from curate.generate.arrow import arrow_schema

    buffer = pa.BufferOutputStream()
    write_parquet(arrow_schema(schema, schema.table(name)).empty_table(), buffer)
    written = pq.ParquetFile(pa.BufferReader(buffer.getvalue()))
    return written.schema, dict(written.metadata.metadata or {})
