"""The JSONL reader: one JSON object per line, numbered by line.

Chunks of whole lines go through pyarrow's strict JSON reader on all cores; a chunk it
cannot take exactly is read line by line (`read_jsonl_exact` reads a whole file so),
where each line that cannot be taken (not JSON, not an object, over a limit, a key
repeated) is a parse error of its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from curate.errors import InputError
from curate.readers.batch import UTF8_BOM, Batch, ParseReason, Refused, open_input
from curate.readers.limits import Limits
from curate.readers.rows import rows_to_frame
from curate.schema.model import Table

__all__ = ["jsonl_lines", "line_stats", "read_jsonl", "read_jsonl_exact"]

# A JSON string, for a text that is valid JSON (scanning from its start, every match
# begins at an opening quote).
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')


def _ignore(_text: str) -> None:
    """A number parser that keeps nothing (only the keys are looked at)."""


def _repeats_a_key(line: bytes) -> bool:
    """Whether any object of the line, at any depth, names a key twice (after escapes
    are decoded: `"\\u0061"` is `"a"`); linear in the line's length."""
    repeated = False

    def pairs(items: list[tuple[str, Any]]) -> None:
        nonlocal repeated
        repeated = repeated or len({name for name, _ in items}) != len(items)

    json.loads(
        line,
        object_pairs_hook=pairs,
        parse_int=_ignore,
        parse_float=_ignore,
        parse_constant=_ignore,
    )
    return repeated


def _depth(structure: bytes) -> int:
    """How deep the arrays and objects of a JSON text without its strings nest."""
    import numpy as np

    text = np.frombuffer(structure, dtype=np.uint8)
    steps = np.isin(text, _OPENING).astype(np.int32) - np.isin(text, _CLOSING)
    return int(np.cumsum(steps).max(initial=0))


_OPENING = (ord("{"), ord("["))
_CLOSING = (ord("}"), ord("]"))


# Why a line cannot be taken: its reason's code and the words that follow "line N".
_Refusal = tuple[ParseReason, str]


def _object_problem(line: bytes, parsed: dict[str, Any], limits: Limits) -> _Refusal | None:
    """Why a line that parsed as a JSON object cannot be taken: too many keys, values
    nested too deep, or a key repeated at any depth (orjson keeps the last one silently).

    Cheap tests first: a line nests no deeper than it has brackets, and every key is
    followed by a colon, so a line with no more colons than the object has keys repeats
    none and holds no nested object; only other lines are scanned without their strings."""
    if len(parsed) > limits.max_columns:
        keys = f"has {len(parsed)} keys, more than the limit of {limits.max_columns}"
        return ParseReason.TOO_MANY_KEYS, keys
    brackets = line.count(b"{") + line.count(b"[")
    if brackets <= limits.max_depth and line.count(b":") <= len(parsed):
        return None
    structure = _JSON_STRING.sub(b"", line)
    if brackets > limits.max_depth and _depth(structure) > limits.max_depth:
        return ParseReason.TOO_DEEP, f"nests values more than {limits.max_depth} levels deep"
    if structure.count(b":") > len(parsed) and _repeats_a_key(line):
        return ParseReason.REPEATED_KEY, "repeats a key"
    return None


def _decode_line(line: bytes, limits: Limits) -> dict[str, Any] | _Refusal:
    """The line's object, or why it cannot be taken."""
    try:
        parsed = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return ParseReason.NOT_JSON, f"is not valid JSON: {exc}"
    if not isinstance(parsed, dict):
        return ParseReason.NOT_AN_OBJECT, "is not a JSON object"
    try:
        problem = _object_problem(line, parsed, limits)
    except (ValueError, RecursionError) as exc:  # not expected of a line orjson read
        problem = ParseReason.NOT_JSON, f"is not valid JSON: {exc}"
    return parsed if problem is None else problem


def jsonl_lines(path: Path, limits: Limits, start: int = 0) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line without its newline) for every non-blank line; None for a line
    over the length limit, which is skipped without being held in memory. `start` is a
    byte offset at the beginning of a line, from which reading resumes."""
    with open_input(path) as handle:
        number = 0
        if start:
            number = _lines_before(path, start)
            handle.seek(start)
        while True:
            # The first line may open with a byte-order mark, which its length leaves out.
            bom = len(UTF8_BOM) if number == 0 and not start else 0
            line = handle.readline(limits.max_line_bytes + 1 + bom)
            if not line:
                return
            number += 1
            if bom and line.startswith(UTF8_BOM):
                line = line[len(UTF8_BOM) :]
            if len(line) - line.endswith(b"\n") > limits.max_line_bytes:
                rest = line
                while rest and not rest.endswith(b"\n"):
                    rest = handle.readline(1 << 20)
                yield number, None
            elif line.strip():
                yield number, line.rstrip(b"\r\n")


def read_jsonl(path: Path, table: Table, limits: Limits) -> Iterator[Batch]:
    """Chunks of whole lines through pyarrow's strict JSON reader; a chunk it cannot
    take exactly (a malformed line, NaN, a blank or over-long line, a key the table does
    not know) is read line by line."""
    position = 0
    columns = _Columns(path, table, limits.max_columns)
    for chunk in _line_chunks(path, limits):
        position = chunk.offset + len(chunk.data)
        batch = _jsonl_fast(chunk, table, limits)
        if batch is None:
            numbered = _numbered_lines(bytes(chunk.data), chunk.first, limits)
            yield from _jsonl_exact(numbered, table, limits, columns)
        else:
            yield batch
    if position < path.stat().st_size:  # a line longer than a chunk: the rest, exactly
        numbered = jsonl_lines(path, limits, start=position)
        yield from _jsonl_exact(numbered, table, limits, columns)


def read_jsonl_exact(path: Path, table: Table, limits: Limits) -> Iterator[Batch]:
    """The file read line by line only: the reference whose verdicts `read_jsonl` gives
    however its chunks are read."""
    columns = _Columns(path, table, limits.max_columns)
    yield from _jsonl_exact(jsonl_lines(path, limits), table, limits, columns)


@dataclass
class _Columns:
    """The distinct keys the objects of one JSONL file name: the file is refused (exit 2)
    once they are more than `limit` columns, the table's fields counted in."""

    path: Path
    table: Table
    limit: int
    unknown: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.known = frozenset(self.table.field_names)

    def add(self, record: dict[str, Any], number: int) -> None:
        """Count the keys of `record` (line `number`) that are not fields of the table."""
        if record.keys() <= self.known:
            return
        self.unknown.update(name for name in record if name not in self.known)
        if len(self.known) + len(self.unknown) > self.limit:
            raise InputError(
                f"{self.path}: by line {number} its objects name more than {self.limit} "
                f"distinct keys (the limit on columns); {self.table.name} has "
                f"{len(self.known)} fields"
            )


@dataclass(frozen=True)
class _Chunk:
    """Whole lines of a JSONL file: where they start (byte offset and line number), how
    many there are, the longest one's length (newline excluded) when a line may be over
    the limit (0 when none can be), and whether every line starts with `{`."""

    offset: int
    first: int
    data: memoryview
    lines: int
    longest: int
    plain: bool


def _line_chunks(path: Path, limits: Limits) -> Iterator[_Chunk]:
    """Whole lines of about `chunk_bytes` at a time, read straight into one buffer that
    each chunk reuses (a chunk is read in full before the next is asked for, and neither
    reader keeps a reference to it); stops early at a line longer than a chunk, which
    `jsonl_lines` then reads without holding it."""
    with open_input(path) as handle:
        offset = len(UTF8_BOM) if handle.read(len(UTF8_BOM)) == UTF8_BOM else 0
        handle.seek(offset)
        line = 1
        carry = b""
        data = bytearray()
        while True:
            wanted = len(carry) + limits.chunk_bytes
            if len(data) < wanted:  # room for a carried line up to the limit, once
                data = bytearray(wanted + limits.max_line_bytes)
            data[: len(carry)] = carry
            size = len(carry) + handle.readinto(memoryview(data)[len(carry) : wanted])
            if size == len(carry):  # end of file
                if size:
                    view = memoryview(data)[:size]
                    yield _Chunk(offset, line, view, *line_stats(view, limits.max_line_bytes))
                return
            end = data.rfind(b"\n", 0, size) + 1
            if not end:
                if size > limits.max_line_bytes:
                    return
                carry = bytes(data[:size])
                continue
            view = memoryview(data)[:end]
            chunk = _Chunk(offset, line, view, *line_stats(view, limits.max_line_bytes))
            yield chunk
            offset += end
            line += chunk.lines
            carry = bytes(data[end:size])


def _numbered_lines(chunk: bytes, first: int, limits: Limits) -> Iterator[tuple[int, bytes | None]]:
    for number, line in enumerate(chunk.split(b"\n"), start=first):
        if len(line) > limits.max_line_bytes:
            yield number, None
        elif line.strip():
            yield number, line.rstrip(b"\r")


def _arrow_json_schema(table: Table) -> Any:
    import pyarrow as pa

    from curate.schema.dtypes import ARROW_TYPES

    text = ("string", "date", "datetime")  # dates are parsed by conform, as for CSV
    return pa.schema(
        [(f.name, pa.string() if f.type in text else ARROW_TYPES[f.type]) for f in table.fields]
    )


def _jsonl_fast(chunk: _Chunk, table: Table, limits: Limits) -> Batch | None:
    """The chunk as one batch, or None where pyarrow's reader would not be exact: it
    refuses repeated keys, lone surrogates and values of the wrong JSON type, but takes
    NaN and Infinity and bytes that are not UTF-8, skips blank lines, reads two objects
    on one line, knows no line-length limit, and crashes on values nested thousands of
    levels deep. Keys the table does not know are left to the exact reader, which
    bounds how many there are."""
    import pyarrow as pa
    import pyarrow.json as pajson

    if (
        chunk.longest > limits.max_line_bytes
        or not chunk.plain
        or _may_nest_deeper(chunk, limits.max_depth)
    ):
        return None
    try:
        parsed = pajson.read_json(
            pa.py_buffer(chunk.data),
            read_options=pajson.ReadOptions(use_threads=True, block_size=4 << 20),
            parse_options=pajson.ParseOptions(
                explicit_schema=_arrow_json_schema(table), unexpected_field_behavior="error"
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    if parsed.num_rows != chunk.lines or not _finite(parsed):
        return None
    try:
        parsed.validate(full=True)  # pyarrow's JSON reader lets bytes that are not UTF-8 through
    except pa.ArrowInvalid:
        return None
    frame = pl.from_arrow(parsed, rechunk=False)
    assert isinstance(frame, pl.DataFrame)
    if _negative_zero(frame):
        return None
    first = chunk.first
    return Batch(frame, pl.Series("row", range(first, first + chunk.lines), dtype=pl.Int64))


def _may_nest_deeper(chunk: _Chunk, limit: int) -> bool:
    """Whether a line of the chunk may nest values more than `limit` levels deep: it
    holds more opening brackets (those inside strings counted too). Every line of a plain
    chunk opens with one, so when all the chunk's brackets but one per line would fit on
    one line, none is measured."""
    import numpy as np

    text = np.frombuffer(chunk.data, dtype=np.uint8)
    # `{` and `[` are the only bytes that are `{` once bit 0x20 is set: one pass counts both.
    if np.count_nonzero((text | 0x20) == ord("{")) - chunk.lines + 1 <= limit:
        return False
    opening = np.flatnonzero((text == ord("{")) | (text == ord("[")))
    ends = np.flatnonzero(text == ord("\n"))
    per_line = np.bincount(np.searchsorted(ends, opening))
    return bool(per_line.max() > limit)


def _negative_zero(frame: pl.DataFrame) -> bool:
    """Whether a number read is -0.0: the exact reader reads `-0` as the integer 0, then
    0.0, and `-0.0` as -0.0, where pyarrow reads both as -0.0."""
    floats = [pl.col(name) for name, kind in frame.schema.items() if kind == pl.Float64]
    if not floats:
        return False
    negative = [((column == 0) & (1.0 / column < 0)).any() for column in floats]
    return any(frame.select(negative).row(0))


def _finite(parsed: Any) -> bool:
    """Whether no number parsed is NaN or infinite (JSON has neither; the exact reader
    reports the line). Unknown fields holding numbers inside lists or objects are left to
    the exact reader too."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for column in parsed.columns:
        kind = column.type
        if pa.types.is_floating(kind):
            if column.null_count == len(column):
                continue
            if pc.any(pc.invert(pc.is_finite(column))).as_py():
                return False
            if kind != pa.float64():
                return False
        elif pa.types.is_nested(kind):
            return False
    return True


def line_stats(chunk: memoryview, limit: int) -> tuple[int, int, bool]:
    """How many lines the chunk holds, the longest one's length (newline excluded) when a
    line may be longer than `limit` (else 0: the lengths are not measured), and whether
    every line starts with `{` (then a reader that found as many objects as lines found
    one on each line: none holds two, with a blank line elsewhere making up the count)."""
    import numpy as np

    text = np.frombuffer(chunk, dtype=np.uint8)
    ends = np.flatnonzero(text == ord("\n"))
    unterminated = len(chunk) > 0 and chunk[-1] != ord("\n")
    lines = len(ends) + unterminated
    opening = text[ends[ends + 1 < len(text)] + 1] == ord("{")
    plain = bool(len(chunk) == 0 or (text[0] == ord("{") and opening.all()))
    if not _may_exceed(chunk, limit):
        return lines, 0, plain
    if unterminated:
        ends = np.append(ends, len(chunk))
    return lines, int((np.diff(ends, prepend=-1) - 1).max()) if ends.size else 0, plain


def _may_exceed(chunk: memoryview, limit: int) -> bool:
    """Whether a line of the chunk may be longer than `limit` bytes: a run of more than
    `limit` bytes without a newline covers a whole aligned block of half that size."""
    block = max(limit // 2, 1)
    data = chunk.obj
    assert isinstance(data, bytes | bytearray)
    size = len(chunk)
    return any(
        data.find(b"\n", start, min(start + block, size)) < 0 for start in range(0, size, block)
    )


def _jsonl_exact(
    numbered: Iterable[tuple[int, bytes | None]], table: Table, limits: Limits, columns: _Columns
) -> Iterator[Batch]:
    records: list[dict[str, Any]] = []
    numbers: list[int] = []
    refused = Refused()
    for number, line in numbered:
        if line is None:
            message = f"line {number} is longer than {limits.max_line_bytes} bytes"
            refused.add(table, number, ParseReason.LINE_TOO_LONG, message, None)
        else:
            decoded = _decode_line(line, limits)
            if isinstance(decoded, dict):
                columns.add(decoded, number)
                records.append(decoded)
                numbers.append(number)
            else:
                reason, problem = decoded
                raw = line.decode("utf-8", "replace")
                refused.add(table, number, reason, f"line {number} {problem}", raw)
        if len(records) + len(refused.unparsed) >= limits.batch_rows:
            yield _jsonl_batch(records, numbers, refused, table)
            records, numbers, refused = [], [], Refused()
    if records or refused.unparsed:
        yield _jsonl_batch(records, numbers, refused, table)


def _lines_before(path: Path, offset: int) -> int:
    """How many lines end before byte `offset`."""
    count = 0
    with open_input(path) as handle:
        while offset > 0:
            block = handle.read(min(offset, 1 << 20))
            if not block:
                break
            count += block.count(b"\n")
            offset -= len(block)
    return count


def _jsonl_batch(
    records: list[dict[str, Any]],
    numbers: list[int],
    refused: Refused,
    table: Table,
) -> Batch:
    """The records parsed, as a frame, with the lines `refused` holds."""
    rows = pl.Series("row", numbers, dtype=pl.Int64)
    frame, type_issues = rows_to_frame(records, table, row_numbers=numbers)
    issues = [*refused.issues, *type_issues]
    return Batch(frame, rows, issues, refused.unparsed, reasons=refused.reasons)
