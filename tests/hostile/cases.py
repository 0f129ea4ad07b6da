"""Hostile inputs and what curate must make of them.

Each case builds one input file and states the outcome through `curate validate` and
`curate.files.validate_paths` alike: the exit code, and every error as (code, row,
field). Exit 1 is invalid data, exit 2 a file that cannot be read at all; never a
traceback, and nothing is ever executed or fetched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from curate.export.arrow import arrow_schema
from curate.schema import load_schema

SCHEMA = load_schema()
Error = tuple[str, int | None, str | None]  # code, row, field


@dataclass(frozen=True)
class Case:
    """One hostile input: a file name, how to write it, and the verdict it must get."""

    name: str
    file: str
    write: Callable[[Path], None]
    exit_code: int
    errors: list[Error] = field(default_factory=list)
    only: bool = True  # no error beyond `errors` (False: the row is partial on purpose)


GOOD = b'{"source_id": "s%d", "publisher": "Reuters"}'


def _lines(*middle: bytes) -> Callable[[Path], None]:
    """A sources JSONL file: a good line, the hostile line(s), a good line."""

    def write(path: Path) -> None:
        path.write_bytes(b"\n".join([GOOD % 1, *middle, GOOD % 9]) + b"\n")

    return write


def _bytes(data: bytes) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_bytes(data)

    return write


def _parquet(table: pa.Table) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        pq.write_table(table, path)

    return write


def _sources(rows: list[dict[str, object]]) -> pa.Table:
    exact = arrow_schema(SCHEMA, SCHEMA.table("sources"))
    loose = pa.schema([f.with_nullable(True) for f in exact])
    return pa.Table.from_pylist(rows, schema=loose)


def _truncated(path: Path) -> None:
    _parquet(_sources([{"source_id": "s1", "publisher": "P"}]))(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _bad_footer(path: Path) -> None:
    _parquet(_sources([{"source_id": "s1", "publisher": "P"}]))(path)
    data = bytearray(path.read_bytes())
    data[-8:-4] = b"\xff\xff\xff\x7f"  # footer length far past the file
    path.write_bytes(bytes(data))


class _Pickled(pa.ExtensionType):  # type: ignore[misc]  # pyarrow ships no stubs
    """An extension type whose name promises a pickle: reading must not unpickle it."""

    def __init__(self) -> None:
        super().__init__(pa.string(), "evil.pickle")

    def __arrow_ext_serialize__(self) -> bytes:
        return b"cos\nsystem\n(S'echo pwned'\ntR."

    @classmethod
    def __arrow_ext_deserialize__(cls, storage_type: pa.DataType, serialized: bytes) -> _Pickled:
        raise AssertionError("curate must not deserialise extension types it does not know")


def _extension(path: Path) -> None:
    storage = pa.array(["Reuters"], pa.string())
    column = pa.ExtensionArray.from_storage(_Pickled(), storage)
    table = pa.table({"source_id": pa.array(["s1"]), "publisher": column})
    pq.write_table(table, path)


CASES = [
    # JSON lines
    Case(
        "broken line",
        "sources.jsonl",
        _lines(b'{"source_id": "s2", "publ'),
        1,
        [("parse-error", 2, None)],
    ),
    Case(
        "nesting 100k deep",
        "sources.jsonl",
        _lines(b"[" * 100_000 + b"]" * 100_000),
        1,
        [("parse-error", 2, None)],
    ),
    Case(
        "a line over 1 MiB",
        "sources.jsonl",
        _lines(b'{"source_id": "s2", "title": "' + b"x" * (1 << 20) + b'"}'),
        1,
        [("parse-error", 2, None)],
    ),
    Case(
        "NaN literal",
        "sources.jsonl",
        _lines(b'{"source_id": "s2", "publisher": NaN}'),
        1,
        [("parse-error", 2, None)],
    ),
    Case(
        "Infinity literal",
        "events.jsonl",
        _bytes(b'{"event_id": "e1", "latitude": -Infinity}\n'),
        1,
        [("parse-error", 1, None)],
        only=False,
    ),
    Case(
        "integer of 4,301 digits",
        "sources.jsonl",
        _lines(b'{"source_id": "s2", "publisher": ' + b"9" * 4301 + b"}"),
        1,
        [("parse-error", 2, None)],
    ),
    Case(
        "repeated key",
        "sources.jsonl",
        _lines(b'{"source_id": "s2", "publisher": "A", "publisher": "B"}'),
        1,
        [("parse-error", 2, None)],
    ),
    Case(
        "lone surrogate",
        "sources.jsonl",
        _lines(b'{"source_id": "s2", "publisher": "\\ud800"}'),
        1,
        [("parse-error", 2, None)],
    ),
    Case(
        "NUL in an id",
        "sources.jsonl",
        _lines(b'{"source_id": "s\\u00002", "publisher": "P"}'),
        1,
        [("pattern", 2, "source_id")],
    ),
    Case(
        "invalid UTF-8",
        "sources.jsonl",
        _lines(b'{"source_id": "s2", "publisher": "\xff\xfe"}'),
        1,
        [("parse-error", 2, None)],
    ),
    Case("a BOM", "sources.jsonl", _bytes(b"\xef\xbb\xbf" + GOOD % 1 + b"\n"), 0),
    Case("a blank line", "sources.jsonl", _lines(b"", b"   "), 0),
    Case(
        "two objects on one line, a blank line making up the count",
        "sources.jsonl",
        _lines(GOOD % 2 + GOOD % 3, b""),
        1,
        [("parse-error", 2, None)],
    ),
    # CSV
    Case(
        "quoted newline and CRLF",
        "sources.csv",
        _bytes(b'source_id,publisher,title\r\ns1,P,"two\r\nlines"\r\ns2,Q,\r\n'),
        0,
    ),
    Case(
        "ragged record",
        "sources.csv",
        _bytes(b"source_id,publisher\ns1,P\ns2,Q,extra\ns3,R\n"),
        1,
        [("parse-error", 3, None)],
    ),
    Case(
        "a field over 131,072 characters",
        "sources.csv",
        _bytes(b"source_id,publisher\ns1," + b"x" * 131_073 + b"\ns2,P\n"),
        1,
        [("parse-error", 2, None)],
    ),
    Case(
        "unknown and missing columns",
        "sources.csv",
        _bytes(b"source_id,publisher_name\ns1,P\n"),
        1,
        [("required", None, "publisher"), ("unknown-field", None, "publisher_name")],
    ),
    Case(
        "a repeated header",
        "sources.csv",
        _bytes(b"source_id,publisher,publisher\ns1,P,Q\n"),
        1,
        [("parse-error", 1, None)],
    ),
    Case(
        "formula-like cells, kept as they are",
        "sources.csv",
        _bytes(b'source_id,publisher,title\ns1,=cmd|x,+1\ns2,@SUM(A1),-2\ns3,"\tTab","\rCR"\n'),
        0,
    ),
    Case(
        "CSV that is not UTF-8",
        "sources.csv",
        _bytes(b"source_id,publisher\ns1,P\ns2,\xff\xfe\n"),
        1,
        [("parse-error", 3, None)],
    ),
    Case(
        "a ragged record that is not UTF-8",
        "sources.csv",
        _bytes(b"source_id,publisher\ns1,P\ns2,\xff\xfe,extra\ns3,R\n"),
        1,
        [("parse-error", 3, None)],
    ),
    Case(
        "a CSV cut short inside a quoted field",
        "sources.csv",
        _bytes(b'source_id,publisher,title\ns1,P,T\ns2,Q,"the rest of the file\ns3,R,T\n'),
        1,
        [("parse-error", 3, None)],
    ),
    Case(
        "a CSV cut short just after a quoted line break",
        "sources.csv",
        _bytes(b'source_id,publisher,title\ns1,P,T\ns2,Q,"cut\n'),
        1,
        [("parse-error", 3, None)],
    ),
    Case(
        "a stray quote inside an unquoted cell is text",
        "sources.csv",
        _bytes(b'source_id,publisher,title\ns1,P,T\ns2,Q,5" shells\n'),
        0,
    ),
    Case(
        "blank lines hold no record, whichever reader reads the file",
        "sources.csv",
        _bytes(b"source_id,publisher\ns1,P\n\ns 2,Q\n\r\ns3,R,extra\n\n"),
        1,
        [("pattern", 3, "source_id"), ("parse-error", 4, None)],
    ),
    Case(
        "NA and null in a CSV are text, not missing",
        "sources.csv",
        _bytes(b"source_id,publisher,title\ns1,NA,null\ns2,N/A,NaN\n"),
        0,
    ),
    # Parquet
    Case("truncated Parquet", "sources.parquet", _truncated, 1, [("parse-error", None, None)]),
    Case("a bad footer", "sources.parquet", _bad_footer, 1, [("parse-error", None, None)]),
    Case(
        "wrong column types",
        "sources.parquet",
        _parquet(pa.table({"source_id": [1], "publisher": [2.5]})),
        1,
        [("type-error", 1, "publisher"), ("type-error", 1, "source_id")],
    ),
    Case(
        "extra and missing columns",
        "sources.parquet",
        _parquet(pa.table({"source_id": ["s1"], "extra": ["x"]})),
        1,
        [("required", None, "publisher"), ("unknown-field", None, "extra")],
    ),
    Case(
        "an extension type, refused as such",
        "sources.parquet",
        _extension,
        1,
        [("type-error", 1, "publisher")],
    ),
    # Values
    Case(
        "NaN and infinity in numbers",
        "events.parquet",
        _parquet(
            pa.table(
                {
                    "event_id": ["e1", "e2"],
                    "latitude": [float("nan"), 1.0],
                    "longitude": [1.0, float("inf")],
                    "confidence": [float("-inf"), 0.5],
                }
            )
        ),
        1,
        [("range", 1, "latitude"), ("range", 2, "longitude"), ("range", 1, "confidence")],
        only=False,
    ),
    Case(
        "bidi control in an id",
        "sources.jsonl",
        _lines('{"source_id": "s\u202e2", "publisher": "P"}'.encode()),
        1,
        [("pattern", 2, "source_id")],
    ),
    Case(
        "zero-width space in an enum",
        "claims.jsonl",
        _bytes('{"claim_id": "c1", "claimant_type": "monitor\u200b"}\n'.encode()),
        1,
        [("enum", 1, "claimant_type")],
        only=False,
    ),
    Case(
        "keys differing only in case",
        "sources.jsonl",
        _lines(b'{"source_id": "S1", "publisher": "P"}'),
        1,
        [("unique", 1, "source_id"), ("unique", 2, "source_id")],
    ),
]
