"""The JSONL reader's chunked fast path against its line-by-line reference.

For generated files of valid event records mixed with hostile lines (repeated keys, also
spelt with escapes or nested; lone and paired surrogate escapes; NaN and Infinity; numbers,
booleans and objects in text fields; integers past 2**53, past int64 and past float
range; bytes that are not UTF-8; values nested past the depth limit; lines past the
length limit; blank lines; a byte-order mark; CRLF line ends), `read_jsonl`, cut into
chunks of any size, gives exactly what `read_jsonl_exact` gives: the same rows with the
same typed values, the same issues, the same unparsed lines and reasons, or the same
refusal of the whole file.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curate.disk.atomic import jsonl_bytes
from curate.errors import CurateError
from curate.readers.batch import Batch
from curate.readers.jsonl import read_jsonl, read_jsonl_exact
from curate.readers.limits import Limits
from curate.schema.loader import load_schema
from curate.testing.strategies import rows

TABLE = load_schema().table("events")
MAX_LINE = 4096
HOSTILE: list[bytes] = [
    b'{"event_id":"e1","event_id":"e2"}',
    b'{"event_id":"e1","\\u0065vent_id":"e2"}',
    b'{"event_id" :"e1", "event_id":"e2"}',
    b'{"event_id":"e1","extra":{"a":1,"a":2}}',
    b'{"event_id":"e1","extra":{"\\u0061":1,"a":2}}',
    b'{"event_id":"\\ud800"}',
    b'{"notes":"a\\udc00b"}',
    b'{"notes":"\\ud83d\\ude00 paired"}',
    b'{"notes":"\\\\ud800 an escaped backslash"}',
    b'{"latitude":NaN}',
    b'{"latitude":Infinity,"longitude":-Infinity}',
    b'{"latitude":1e400}',
    b'{"latitude":-0,"longitude":-0.0}',
    b'{"notes":1}',
    b'{"event_id":12,"notes":true}',
    b'{"notes":{"a":1}}',
    b'{"notes":[1,2]}',
    b'{"revision":9007199254740993}',
    b'{"revision":9223372036854775808}',
    b'{"revision":-9223372036854775809}',
    b'{"revision":1.5}',
    b'{"revision":1e2}',
    b'{"revision":"1"}',
    b'{"latitude":9007199254740993}',
    b'{"latitude":123456789012345678901234567890}',
    b'{"latitude":' + b"9" * 400 + b"}",
    b'{"civilian_targeting":1}',
    b'{"civilian_targeting":"true"}',
    b'{"notes":"\xff"}',
    b'{"notes":"\xed\xa0\x80"}',
    b'{"notes":"\xc0\xaf"}',
    b'{"notes":"caf\xc3\xa9 \\u00e9 \\" \\\\"}',
    b'{"notes":"\\u0000"}',
    b'{"notes":"raw\ttab"}',
    b'{"extra":' + b"[" * 70 + b"]" * 70 + b"}",
    b'{"extra":' + b'{"a":' * 70 + b"1" + b"}" * 70 + b"}",
    b'{"notes":"' + b"x" * MAX_LINE + b'"}',
    b"",
    b"   ",
    b"[1]",
    b'"text"',
    b"1",
    b"null",
    b'{"event_id":',
    b'{"event_id":"e1"} {"event_id":"e2"}',
    b'{"event_id":"e1",}',
    b'{"revision":01}',
    b'{"zzz":1}',
    b'  {"event_id":"e1"}  ',
    b"{}",
]


def _line(row: dict[str, Any]) -> bytes:
    return jsonl_bytes([row]).rstrip(b"\n")


@st.composite
def _files(draw: st.DrawFn) -> bytes:
    valid = st.builds(_line, rows("events"))
    lines = draw(st.lists(st.one_of(valid, valid, st.sampled_from(HOSTILE)), max_size=14))
    ends = draw(st.lists(st.sampled_from([b"\n", b"\n", b"\r\n"]), min_size=len(lines)))
    data = b"".join(line + end for line, end in zip(lines, ends, strict=False))
    unterminated, marked = draw(st.tuples(st.booleans(), st.booleans()))
    if lines and unterminated:
        data = data.rstrip(b"\r\n")  # no newline after the last line
    return (b"\xef\xbb\xbf" if marked else b"") + data


def _cell(value: Any) -> Any:
    """A cell as compared: its type with its value, floats bit for bit."""
    if isinstance(value, float):
        return "float", value.hex() if math.isfinite(value) else repr(value)
    return type(value).__name__, value


def _verdict(batches: Iterator[Batch]) -> Any:
    """Rows (number and non-null cells), issues, unparsed lines and reasons of a read; or
    the refusal of the file."""
    try:
        read = list(batches)
    except CurateError as exc:
        return "refused", str(exc)
    cells = {}
    for batch in read:
        for number, record in zip(batch.rows.to_list(), batch.frame.to_dicts(), strict=True):
            cells[number] = {k: _cell(v) for k, v in record.items() if v is not None}
    issues = sorted(
        (issue.row or 0, issue.code, issue.field or "", issue.message, issue.value or "")
        for batch in read
        for issue in batch.issues
    )
    unparsed = {n: raw for batch in read for n, raw in batch.unparsed.items()}
    reasons = {n: reason for batch in read for n, reason in batch.reasons.items()}
    return cells, issues, unparsed, reasons


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=_files(), chunk=st.integers(64, 8192), batch=st.integers(1, 9))
def test_the_fast_reader_gives_the_exact_readers_verdict(
    tmp_path_factory: Any, data: bytes, chunk: int, batch: int
) -> None:
    path: Path = tmp_path_factory.mktemp("jsonl") / "events.jsonl"
    path.write_bytes(data)
    limits = Limits(chunk_bytes=chunk, batch_rows=batch, max_line_bytes=MAX_LINE)
    reference = _verdict(read_jsonl_exact(path, TABLE, Limits(max_line_bytes=MAX_LINE)))
    assert _verdict(read_jsonl(path, TABLE, limits)) == reference
    assert _verdict(read_jsonl(path, TABLE, Limits(max_line_bytes=MAX_LINE))) == reference


def test_every_hostile_line_alone_gets_the_exact_readers_verdict(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    for line in HOSTILE:
        path.write_bytes(line + b"\n")
        limits = Limits(max_line_bytes=MAX_LINE)
        reference = _verdict(read_jsonl_exact(path, TABLE, limits))
        assert _verdict(read_jsonl(path, TABLE, limits)) == reference, line


def test_a_first_line_past_the_limit_after_a_byte_order_mark_is_one_parse_error(
    tmp_path: Path,
) -> None:
    """The mark is not part of the line's length, and a line past the limit is never cut
    into two lines, read line by line or by chunks."""
    path = tmp_path / "events.jsonl"
    line = b'{"notes":"' + b"x" * 20 + b'"}'  # 32 bytes
    path.write_bytes(b"\xef\xbb\xbf" + line + b"\n{}\n")
    for limits in (Limits(max_line_bytes=31), Limits(max_line_bytes=31, chunk_bytes=64)):
        for read in (read_jsonl, read_jsonl_exact):
            _, issues, unparsed, reasons = _verdict(read(path, TABLE, limits))
            assert [issue[:2] for issue in issues] == [(1, "parse-error")]
            assert reasons == {1: "line-too-long"}
            assert list(unparsed) == [1]
    path.write_bytes(b"\xef\xbb\xbf" + line + b"\n")
    for read in (read_jsonl, read_jsonl_exact):
        cells, issues, _, _ = _verdict(read(path, TABLE, Limits(max_line_bytes=32)))
        assert list(cells) == [1]
        assert cells[1]["notes"] == ("str", "x" * 20)
        assert issues == []
