"""Hostile inputs and what curate must make of them.

Each case builds one input file and states the outcome through `curate validate` and
`curate.validation.paths.validate_paths` alike: the exit code, and every error as (code, row,
field). Exit 1 is invalid data, exit 2 a file that cannot be read at all; never a
traceback, and nothing is ever executed or fetched.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from curate.generate.arrow import arrow_schema
from curate.schema.loader import load_schema

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
    message: str | None = None  # exit 2: what the one-line error says


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


# JSONL and CSV (issue 14): what the cases of that block are made of.

EVENT = {
    "event_id": "e1",
    "revision": 1,
    "status": "active",
    "date_start": "2015-09-17",
    "date_end": "2015-09-17",
    "date_precision": "day",
    "country_iso3": "SYR",
    "geo_precision": "admin1",
    "event_type": "Explosions/Remote violence",
    "actor1": "A",
    "actor1_type": "identity_militia",
    "attribution": "alleged",
    "confidence": 0.5,
    "source_count": 1,
    "extraction_method": "import",
    "extractor": "x",
    "extracted_at": "2015-09-18T00:00:00Z",
}


def _event(name: str, raw: bytes) -> Callable[[Path], None]:
    """An events JSONL file of one valid event whose field `name` holds the JSON `raw`."""
    others = {key: value for key, value in EVENT.items() if key != name}
    line = json.dumps(others).encode()[:-1] + b', "%s": %s}' % (name.encode(), raw)
    return _bytes(line + b"\n")


def _event_csv(name: str, cell: str) -> Callable[[Path], None]:
    """An events CSV file of one valid event whose field `name` holds `cell`."""
    fields = {**EVENT, name: cell}
    return _bytes(f"{','.join(fields)}\n{','.join(map(str, fields.values()))}\n".encode())


def _source(name: str, raw: bytes) -> Callable[[Path], None]:
    """A sources JSONL file whose second line's field `name` holds the JSON `raw`."""
    return _lines(b'{"source_id": "s2", "publisher": "P", "%s": %s}' % (name.encode(), raw))


def _source_csv(name: str, cell: str) -> Callable[[Path], None]:
    return _bytes(f"source_id,publisher,{name}\ns1,P,{cell}\n".encode())


def _nested(depth: int, opening: bytes = b"[", closing: bytes = b"]", inner: bytes = b"") -> bytes:
    """A JSON value of `depth` times `opening`, `inner`, then `depth` times `closing`."""
    return opening * depth + inner + closing * depth


def _many_keys(lines: int, keys: int) -> Callable[[Path], None]:
    """Sources JSONL whose lines each name `keys` keys no other line names."""
    rows = [
        json.dumps({f"k{line}_{key}": 1 for key in range(keys)}, separators=(",", ":"))
        for line in range(lines)
    ]
    return _bytes("".join(f"{row}\n" for row in rows).encode())


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _device(path: Path) -> None:
    path.symlink_to("/dev/zero")


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
        2,
        message="the header repeats publisher",
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
    # JSONL and CSV (issue 14)
    Case(
        "JSON arrays nested 1,000 deep in a field value",
        "sources.jsonl",
        _source("x", _nested(1000)),
        1,
        [("parse-error", 2, None)],
    ),
    Case(
        "JSON objects nested 1,000 deep in a field value",
        "sources.jsonl",
        _source("x", _nested(1000, b'{"a": ', b"}", b"1")),
        1,
        [("parse-error", 2, None)],
    ),
    Case(
        "JSON objects nested 1,000 deep at the top level",
        "sources.jsonl",
        _lines(_nested(999, b'{"a": ', b"}", b"{}")),
        1,
        [("parse-error", 2, None)],
    ),
    Case(
        "arrays and objects mixed 1,000 deep in a known field",
        "sources.jsonl",
        _source("title", _nested(500, b'[{"a": ', b"}]", b"1")),
        1,
        [("parse-error", 2, None)],
    ),
    Case(
        "JSON nested 30,000 deep in a field value (pyarrow's reader crashed)",
        "sources.jsonl",
        _source("x", _nested(30_000)),
        1,
        [("parse-error", 2, None)],
    ),
    Case(
        "JSON nested one level past the limit of 64",
        "sources.jsonl",
        _source("x", _nested(64)),
        1,
        [("parse-error", 2, None)],
    ),
    Case(
        "JSON nested 64 levels, the limit, is read",
        "sources.jsonl",
        _source("x", _nested(63)),
        1,
        [("unknown-field", None, "x")],
    ),
    Case(
        "brackets inside a string do not nest",
        "sources.jsonl",
        _source("title", b'"' + b"[{" * 300 + b'"'),
        0,
    ),
    Case(
        "a repeated key with a space before the colon",
        "sources.jsonl",
        _lines(b'{"source_id": "s2", "publisher" : "A", "publisher" : "B"}'),
        1,
        [("parse-error", 2, None)],
    ),
    Case(
        "a repeated key with a tab before the colon",
        "sources.jsonl",
        _lines(b'{"source_id": "s2", "publisher"\t: "A", "publisher"\t: "B"}'),
        1,
        [("parse-error", 2, None)],
    ),
    Case(
        "a repeated key with carriage returns around the colon",
        "sources.jsonl",
        _lines(b'{"source_id": "s2", "publisher"\r : "A", "publisher" :\r "B"}'),
        1,
        [("parse-error", 2, None)],
    ),
    Case(
        "a repeated key spelt with an escape",
        "sources.jsonl",
        _lines(b'{"source_id": "s2", "publisher": "A", "\\u0070ublisher": "B"}'),
        1,
        [("parse-error", 2, None)],
    ),
    Case(
        "a repeated key inside a nested object",
        "sources.jsonl",
        _lines(b'{"source_id": "s2", "publisher": "P", "x": [{"a": 1}, {"b": {"c": 1, "c" : 2}}]}'),
        1,
        [("parse-error", 2, None)],
    ),
    Case(
        "the same key in two nested objects is no repeat",
        "sources.jsonl",
        _lines(b'{"source_id": "s2", "publisher": "P", "x": [{"a": 1}, {"a": 2}]}'),
        1,
        [("unknown-field", None, "x")],
    ),
    Case(
        "a repeated key on a file's only line",
        "sources.jsonl",
        _bytes(b'{"source_id": "s1", "publisher" : "A", "publisher"\t: "B"}\n'),
        1,
        [("parse-error", 1, None)],
    ),
    Case(
        "an object of 80,000 keys",
        "sources.jsonl",
        _many_keys(1, 80_000),
        1,
        [("parse-error", 1, None)],
    ),
    Case(
        "a nested object of 60,000 keys, its last one repeated (a linear check)",
        "sources.jsonl",
        _source("x", ("{" + "".join(f'"k{i}": 1, ' for i in range(60_000)) + '"k0": 2}').encode()),
        1,
        [("parse-error", 2, None)],
    ),
    Case(
        "objects naming 1,200 distinct keys between them",
        "sources.jsonl",
        _many_keys(2, 600),
        2,
        message="distinct keys (the limit on columns)",
    ),
    Case(
        "2^63 in an integer field",
        "events.jsonl",
        _event("fatalities_best", b"9223372036854775808"),
        1,
        [("type-error", 1, "fatalities_best")],
    ),
    Case(
        "-2^63-1 in an integer field",
        "events.jsonl",
        _event("fatalities_best", b"-9223372036854775809"),
        1,
        [("type-error", 1, "fatalities_best")],
    ),
    Case(
        "-2^63 in an integer field is a 64-bit integer, below the minimum",
        "events.jsonl",
        _event("fatalities_best", b"-9223372036854775808"),
        1,
        [("range", 1, "fatalities_best")],
    ),
    Case(
        "2^63-1 in an integer field",
        "events.jsonl",
        _event("revision", b"9223372036854775807"),
        0,
    ),
    Case(
        "2^63 in an integer field of a CSV file",
        "events.csv",
        _event_csv("fatalities_best", "9223372036854775808"),
        1,
        [("type-error", 2, "fatalities_best")],
    ),
    Case(
        "1e400 in a number field",
        "events.jsonl",
        _event("latitude", b"1e400"),
        1,
        [("parse-error", 1, None)],
    ),
    Case(
        "9007199254740993 in a number field is a number, out of range",
        "events.jsonl",
        _event("latitude", b"9007199254740993"),
        1,
        [("range", 1, "latitude"), ("rule:coordinates-paired", 1, "latitude,longitude")],
    ),
    Case(
        "a date without leading zeros",
        "sources.jsonl",
        _source("published_on", b'"2015-9-7"'),
        1,
        [("type-error", 2, "published_on")],
    ),
    Case(
        "a date with a sign",
        "sources.csv",
        _source_csv("published_on", "+2015-09-17"),
        1,
        [("type-error", 2, "published_on")],
    ),
    Case(
        "a date after a space",
        "sources.csv",
        _source_csv("published_on", " 2015-09-17"),
        1,
        [("type-error", 2, "published_on")],
    ),
    Case(
        "a date before a space",
        "sources.jsonl",
        _source("published_on", b'"2015-09-17 "'),
        1,
        [("type-error", 2, "published_on")],
    ),
    Case(
        "a basic-format date",
        "sources.csv",
        _source_csv("published_on", "20150917"),
        1,
        [("type-error", 2, "published_on")],
    ),
    Case(
        "a week date",
        "sources.jsonl",
        _source("published_on", b'"2015-W38-4"'),
        1,
        [("type-error", 2, "published_on")],
    ),
    Case(
        "year 0000",
        "sources.jsonl",
        _source("published_on", b'"0000-01-01"'),
        1,
        [("type-error", 2, "published_on")],
    ),
    Case(
        "a leap second, refused rather than shifted",
        "sources.jsonl",
        _source("retrieved_at", b'"2016-12-31T23:59:60Z"'),
        1,
        [("type-error", 2, "retrieved_at")],
    ),
    Case(
        "a datetime without an offset",
        "sources.csv",
        _source_csv("retrieved_at", "2015-09-17T10:00:00"),
        1,
        [("type-error", 2, "retrieved_at")],
    ),
    Case(
        "a datetime with nanoseconds, refused rather than cut",
        "sources.jsonl",
        _source("retrieved_at", b'"2015-09-17T10:00:00.123456789Z"'),
        1,
        [("type-error", 2, "retrieved_at")],
    ),
    Case(
        "an offset that moves a datetime before year 1",
        "sources.jsonl",
        _source("retrieved_at", b'"0001-01-01T00:00:00+01:00"'),
        1,
        [("type-error", 2, "retrieved_at")],
    ),
    Case(
        "a datetime with an offset and microseconds",
        "sources.csv",
        _source_csv("retrieved_at", "2015-09-17T10:00:00.123456+02:00"),
        0,
    ),
    Case(
        "a CSV header with an empty name",
        "sources.csv",
        _bytes(b"source_id,,publisher\ns1,x,P\n"),
        2,
        message="column 2 of the header has no name",
    ),
    Case(
        "a CSV header ending in a comma",
        "sources.csv",
        _bytes(b"source_id,publisher,\ns1,P,\n"),
        2,
        message="column 3 of the header has no name",
    ),
    Case(
        "a CSV header with a blank name",
        "sources.csv",
        _bytes(b"source_id, \t,publisher\ns1,x,P\n"),
        2,
        message="column 2 of the header has no name",
    ),
    Case(
        "Excel's sep=, line",
        "sources.csv",
        _bytes(b"sep=,\nsource_id,publisher\ns1,P\n"),
        2,
        message="remove that line",
    ),
    Case(
        "a BOM and Excel's sep=; line",
        "sources.csv",
        _bytes(b"\xef\xbb\xbfSEP=;\r\nsource_id;publisher\r\ns1;P\r\n"),
        2,
        message="remove that line",
    ),
    Case(
        "a CSV BOM",
        "sources.csv",
        _bytes(b"\xef\xbb\xbfsource_id,publisher\ns1,P\n"),
        0,
    ),
    Case(
        "a second BOM in a CSV header",
        "sources.csv",
        _bytes(b"\xef\xbb\xbf\xef\xbb\xbfsource_id,publisher\ns1,P\n"),
        2,
        message="column 1 of the header starts with a byte-order mark",
    ),
    Case(
        "a CSV header of 100,000 columns",
        "sources.csv",
        _bytes(
            ",".join(f"c{i}" for i in range(100_000)).encode() + b"\n" + b"1," * 99_999 + b"1\n"
        ),
        2,
        message="the header has 100000 columns, more than the limit of 1000",
    ),
    Case(
        "a CSV header of 1,001 columns",
        "sources.csv",
        _bytes(b"source_id,publisher," + ",".join(f"c{i}" for i in range(999)).encode() + b"\n"),
        2,
        message="the header has 1001 columns",
    ),
    Case("an empty CSV file", "sources.csv", _bytes(b""), 2, message="no header row"),
    Case(
        "a CSV file whose first line is blank",
        "sources.csv",
        _bytes(b"\nsource_id,publisher\ns1,P\n"),
        2,
        message="no header row",
    ),
    Case("a FIFO", "sources.jsonl", _fifo, 2, message="a named pipe (FIFO), not a regular file"),
    Case("a FIFO named as CSV", "sources.csv", _fifo, 2, message="not a regular file"),
    Case(
        "a link to a device",
        "sources.jsonl",
        _device,
        2,
        message="a character device, not a regular file",
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


# Parquet (issue 14): columns of every Arrow type, as a file declares them. Each file holds
# three sources (s1, s2, s3, publisher P) and the column under test, hostile in row 2.


def _pq(*, group_size: int | None = None, **columns: pa.Array) -> Callable[[Path], None]:
    """Three sources with the given extra columns (or replacing the plain ones)."""
    base: dict[str, pa.Array] = {
        "source_id": pa.array(["s1", "s2", "s3"]),
        "publisher": pa.array(["P"] * 3),
    }
    base.update(columns)

    def write(path: Path) -> None:
        pq.write_table(pa.table(base), path, row_group_size=group_size)

    return write


def _pq_typed(table: str, key: str, name: str, values: pa.Array) -> Callable[[Path], None]:
    """Three rows of `table` that hold only their key and the column under test."""

    def write(path: Path) -> None:
        keys = pa.array([f"{key[0]}{i}" for i in (1, 2, 3)])
        pq.write_table(pa.table({key: keys, name: values}), path)

    return write


def _pq_repeated(path: Path) -> None:
    columns = [pa.array(["s1", "s2", "s3"]), pa.array(["P"] * 3), pa.array(["Q"] * 3)]
    pq.write_table(pa.Table.from_arrays(columns, ["source_id", "publisher", "publisher"]), path)


def _pq_no_columns(path: Path) -> None:
    pq.write_table(pa.table({"source_id": ["s1"]}).drop(["source_id"]), path)


def _ts(unit: str, values: list[int | None], tz: str | None = "UTC") -> pa.Array:
    return pa.array(values, pa.timestamp(unit, tz=tz))


_US = 1_000_000
_SOME_DAY = 16_685  # 2015-09-07
_RETRIEVED = "retrieved_at"
_PUBLISHED = "published_on"


def _refused(name: str, file_field: str, values: pa.Array, rows: tuple[int, ...] = (2,)) -> Case:
    """A sources file whose column `file_field` holds values that are type errors on `rows`."""
    return Case(
        name,
        "sources.parquet",
        _pq(**{file_field: values}),
        1,
        [("type-error", row, file_field) for row in rows],
    )


def _accepted(name: str, **columns: pa.Array) -> Case:
    return Case(name, "sources.parquet", _pq(**columns), 0)


def _decimal(text: str) -> object:
    import decimal

    return decimal.Decimal(text)


PARQUET_CASES = [
    _refused(
        "timestamp[ns] near the int64 limit (not a whole microsecond)",
        _RETRIEVED,
        _ts("ns", [0, (1 << 63) - 1, 0]),
    ),
    _refused(
        "timestamp[ns] at the int64 minimum",
        _RETRIEVED,
        _ts("ns", [0, -(1 << 63) + 1, 0]),
    ),
    _refused(
        "timestamp[s] of year 300000",
        _RETRIEVED,
        _ts("s", [0, 300_000 * 365 * 86_400, 0]),
    ),
    _refused(
        "timestamp[ms] before year 1", _RETRIEVED, _ts("ms", [0, -(70_000 * 365 * 86_400_000), 0])
    ),
    _refused("timestamp[us] at the int64 maximum", _RETRIEVED, _ts("us", [0, (1 << 63) - 1, 0])),
    _refused(
        "timestamp[us] of year 10000",
        _RETRIEVED,
        _ts("us", [0, 253_402_300_800 * _US, 0]),
    ),
    _refused(
        "a timestamp without a time zone",
        _RETRIEVED,
        _ts("us", [0, None, 5], tz=None),
        rows=(1, 3),
    ),
    _accepted(
        "a fixed-offset time zone (+02:00)",
        retrieved_at=_ts("us", [0, 7_200 * _US, None], "+02:00"),
    ),
    _accepted(
        "a named time zone, nanoseconds in whole microseconds",
        retrieved_at=_ts("ns", [1_441_584_000 * 10**9, 1_000, None], "Europe/Berlin"),
    ),
    _accepted(
        "a time zone name no database knows",
        retrieved_at=_ts("ms", [1_441_584_000_000, 0, None], "Mars/Olympus_Mons"),
    ),
    _refused(
        "date32 at 2^31-1", _PUBLISHED, pa.array([_SOME_DAY, (1 << 31) - 1, None], pa.date32())
    ),
    _refused("date32 at -2^31", _PUBLISHED, pa.array([_SOME_DAY, -(1 << 31), None], pa.date32())),
    _refused(
        "date32 of year 10000", _PUBLISHED, pa.array([_SOME_DAY, 2_932_897, None], pa.date32())
    ),
    _accepted(
        "date64 (stored as a date)",
        published_on=pa.array([_SOME_DAY * 86_400_000, None, 0], pa.date64()),
    ),
    _refused(
        "decimal256",
        "title",
        pa.array([None, _decimal("1.5"), None], pa.decimal256(40, 2)),
    ),
    _refused("decimal128", "title", pa.array([None, _decimal("1.5"), None], pa.decimal128(10, 2))),
    _refused("binary that is not UTF-8", "title", pa.array([None, b"\xff\xfe", None], pa.binary())),
    _refused("large_binary", "title", pa.array([None, b"text", None], pa.large_binary())),
    _refused("fixed_size_binary", "title", pa.array([None, b"ab", None], pa.binary(2))),
    _refused("duration", "title", pa.array([None, 5, None], pa.duration("s"))),
    _refused("time of day", "title", pa.array([None, 5, None], pa.time64("us"))),
    _refused("float16 where text belongs", "title", pa.array([None, 1.5, None], pa.float16())),
    _refused(
        "a list of strings", "title", pa.array([None, ["a", "b"], None], pa.list_(pa.string()))
    ),
    _refused("a struct", "title", pa.array([None, {"a": 1}, None], pa.struct([("a", pa.int64())]))),
    _refused(
        "a map", "title", pa.array([None, [("k", 1)], None], pa.map_(pa.string(), pa.int64()))
    ),
    _refused(
        "a list of timestamps out of range",
        "title",
        pa.array([None, [1 << 62], None], pa.list_(pa.timestamp("ms"))),
    ),
    _refused("a date stored as text", _PUBLISHED, pa.array([None, "2015-09-07", None])),
    _refused(
        "a datetime stored as text", _RETRIEVED, pa.array([None, "2015-09-07T00:00:00Z", None])
    ),
    _refused("an integer where text belongs", "title", pa.array([None, 12, None])),
    _accepted("large_string", source_id=pa.array(["s1", "s2", "s3"], pa.large_string())),
    _accepted("string_view", publisher=pa.array(["P", "Q", "R"], pa.string_view())),
    _accepted(
        "dictionary-encoded text (pandas category)",
        publisher=pa.array(["P", "Q", "P"]).dictionary_encode(),
        language=pa.array(["en", None, "en"]).dictionary_encode(),
    ),
    Case(
        "a dictionary-encoded id checked like a plain one",
        "sources.parquet",
        _pq(source_id=pa.array(["s1", "s 2", "s1"]).dictionary_encode()),
        1,
        [("pattern", 2, "source_id"), ("unique", 1, "source_id"), ("unique", 3, "source_id")],
    ),
    _accepted("a dictionary of timestamps", retrieved_at=_ts("us", [0, 0, 5]).dictionary_encode()),
    _accepted("a null-type column", title=pa.nulls(3)),
    Case(
        "a required column of the null type",
        "sources.parquet",
        _pq(publisher=pa.nulls(3)),
        1,
        [("required", row, "publisher") for row in (1, 2, 3)],
    ),
    Case("no columns", "sources.parquet", _pq_no_columns, 1, [("parse-error", None, None)]),
    Case(
        "no rows",
        "sources.parquet",
        _pq(source_id=pa.array([], pa.string()), publisher=pa.array([], pa.string())),
        0,
    ),
    Case(
        "a repeated column name",
        "sources.parquet",
        _pq_repeated,
        1,
        [("parse-error", None, None), ("unknown-field", None, "publisher#2")],
    ),
    Case(
        "an unknown column of decimal256",
        "sources.parquet",
        _pq(extra=pa.array([_decimal("1"), None, None], pa.decimal256(50, 0))),
        1,
        [("unknown-field", None, "extra")],
    ),
    Case("one row per row group", "sources.parquet", _pq(group_size=1), 0),
    Case(
        "a number stored as text",
        "events.parquet",
        _pq_typed("events", "event_id", "latitude", pa.array(["1.5", None, "2"])),
        1,
        [("type-error", 1, "latitude"), ("type-error", 3, "latitude")],
        only=False,
    ),
    Case(
        "an integer stored as float64",
        "events.parquet",
        _pq_typed("events", "event_id", "revision", pa.array([1.0, 2.0, None])),
        1,
        [("type-error", 1, "revision"), ("type-error", 2, "revision")],
        only=False,
    ),
    Case(
        "a boolean stored as an integer",
        "claims.parquet",
        _pq_typed("claims", "claim_id", "partisan", pa.array([1, 0, None], pa.int8())),
        1,
        [("type-error", 1, "partisan"), ("type-error", 2, "partisan")],
        only=False,
    ),
    Case(
        "uint64 over 2^63-1",
        "events.parquet",
        _pq_typed("events", "event_id", "revision", pa.array([1, 1 << 63, None], pa.uint64())),
        1,
        [("type-error", 2, "revision")],
        only=False,
    ),
    Case(
        "an int64 too large for a float64 to hold exactly",
        "claims.parquet",
        _pq_typed("claims", "claim_id", "value_low", pa.array([1, (1 << 53) + 1, None])),
        1,
        [("type-error", 2, "value_low")],
        only=False,
    ),
]
CASES += PARQUET_CASES
