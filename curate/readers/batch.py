"""Readers of untrusted input files, in batches, so memory does not grow with the file.

JSONL (one object per line), CSV (UTF-8, header row) and Parquet. Each batch carries the
rows as read (a polars frame, values as the format gives them), each row's number in the
input, and the records that could not be parsed (`parse-error`, with their raw text so
that a quarantine loses nothing). Row numbers: the line number in JSONL; the record number
in CSV, counting the header as 1 (blank lines hold no record; the line number when none
comes before and no field holds a newline); the 1-based row index in Parquet.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import stat
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from curate.errors import InputError
from curate.readers.conform import Conformed, conform_arrow
from curate.readers.rows import rows_to_frame
from curate.report import Issue, truncate
from curate.schema.model import Table

__all__ = [
    "FORMATS",
    "OPEN_QUOTE",
    "Batch",
    "CsvFastPathError",
    "Limits",
    "detect_format",
    "jsonl_lines",
    "read_batches",
    "require_file",
]

FORMATS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_BOM = b"\xef\xbb\xbf"
_NOT_UTF8 = re.compile(
    "[\udc80-\udcff]"
)  # bytes that did not decode, as surrogateescape keeps them


@dataclass(frozen=True)
class Limits:
    """Bounds applied to untrusted input; each is configurable."""

    batch_rows: int = 100_000
    max_line_bytes: int = 1 << 20
    max_row_group_bytes: int = 1 << 30
    chunk_bytes: int = 32 << 20
    max_rows: int = 1 << 40
    # A Parquet file is read in batches that span row groups, so time grows with rows, not
    # with row groups; each row group still costs its metadata, so more than this many
    # are refused (exit 2) before any is read.
    max_row_groups: int = 100_000
    max_field_chars: int = 131_072
    # A table has a few dozen fields: a CSV header, or the objects of a JSONL file
    # together, naming more columns than this are refused (exit 2) before the records are
    # checked; a JSONL line holding more keys is a parse error of its own.
    max_columns: int = 1_000
    # JSON values nested deeper than this (the line's object is level 1) are a parse
    # error of their line.
    max_depth: int = 64


@dataclass
class Batch:
    """Rows as read, their numbers in the input, and the records that did not parse."""

    frame: pl.DataFrame
    rows: pl.Series
    issues: list[Issue] = field(default_factory=list)
    unparsed: dict[int, str] = field(default_factory=dict)
    # A typed file's batch comes conformed to the schema by its declared types (then
    # `frame` holds the values as read, for reports and quarantines).
    conformed: Conformed | None = None

    @property
    def count(self) -> int:
        """Records in this batch, parsed or not."""
        return self.frame.height + len(self.unparsed)


def detect_format(path: Path) -> str:
    """The input format from the file's extension."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"{path}: unknown file type {suffix!r}; use .jsonl, .csv or .parquet")
    return FORMATS[suffix]


# Why the last record of a CSV file is refused when the file ends inside a quoted field
# (the file was cut short: the rest of the file would otherwise be read as one cell).
OPEN_QUOTE = "the file ends inside a quoted field: the record is cut short"


class CsvFastPathError(Exception):
    """The fast CSV reader met a record it cannot number (ragged, or not UTF-8): read the
    file again with `exact_csv=True`, which numbers every record."""


def read_batches(
    path: Path, table: Table, limits: Limits | None = None, *, exact_csv: bool = False
) -> Iterator[Batch]:
    """Batches of `path`'s records; an unreadable file raises InputError (exit 2).

    CSV is read fast with pyarrow; where that reader meets a record it cannot number it
    raises `CsvFastPathError` and the caller starts again with `exact_csv=True`."""
    limits = limits or Limits()
    require_file(path)
    kind = detect_format(path)
    if kind == "jsonl":
        return _jsonl(path, table, limits)
    if kind == "csv":
        return _csv(path, table, limits, exact_csv)
    return _parquet(path, table, limits)


_NOT_REGULAR = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def require_file(path: Path) -> None:
    """Refuse (InputError) a path that is not a regular file (after symlinks): missing,
    or a directory, pipe, device or socket, which are never opened (a pipe would block
    until written to, a device may never end)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _NOT_REGULAR if test(mode)), "special")
        raise InputError(f"{path}: {kind}, not a regular file; curate reads only regular files")


def _open(path: Path) -> io.BufferedReader:
    try:
        return path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc


def _parse_error(table: Table, row: int | None, message: str, raw: str | None = None) -> Issue:
    return Issue("parse-error", "error", table.name, row, None, truncate(raw), message)


# --- JSONL --------------------------------------------------------------------------------


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


def _object_problem(line: bytes, parsed: dict[str, Any], limits: Limits) -> str | None:
    """Why a line that parsed as a JSON object cannot be taken: too many keys, values
    nested too deep, or a key repeated at any depth (orjson keeps the last one silently).

    Cheap tests first: a line nests no deeper than it has brackets, and every key is
    followed by a colon, so a line with no more colons than the object has keys repeats
    none and holds no nested object; only other lines are scanned without their strings."""
    if len(parsed) > limits.max_columns:
        return f"has {len(parsed)} keys, more than the limit of {limits.max_columns}"
    brackets = line.count(b"{") + line.count(b"[")
    if brackets <= limits.max_depth and line.count(b":") <= len(parsed):
        return None
    structure = _JSON_STRING.sub(b"", line)
    if brackets > limits.max_depth and _depth(structure) > limits.max_depth:
        return f"nests values more than {limits.max_depth} levels deep"
    if structure.count(b":") > len(parsed) and _repeats_a_key(line):
        return "repeats a key"
    return None


def _decode_line(line: bytes, number: int, table: Table, limits: Limits) -> dict[str, Any] | Issue:
    def refused(problem: str) -> Issue:
        raw = line.decode("utf-8", "replace")
        return _parse_error(table, number, f"line {number} {problem}", raw)

    try:
        parsed = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return refused(f"is not valid JSON: {exc}")
    if not isinstance(parsed, dict):
        return refused("is not a JSON object")
    try:
        problem = _object_problem(line, parsed, limits)
    except (ValueError, RecursionError) as exc:  # not expected of a line orjson read
        problem = f"is not valid JSON: {exc}"
    return parsed if problem is None else refused(problem)


def jsonl_lines(path: Path, limits: Limits, start: int = 0) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line without its newline) for every non-blank line; None for a line
    over the length limit, which is skipped without being held in memory. `start` is a
    byte offset at the beginning of a line, from which reading resumes."""
    with _open(path) as handle:
        number = 0
        if start:
            number = _lines_before(path, start)
            handle.seek(start)
        while True:
            line = handle.readline(limits.max_line_bytes + 1)
            if not line:
                return
            number += 1
            if number == 1 and not start and line.startswith(_BOM):
                line = line[len(_BOM) :]
            if len(line) > limits.max_line_bytes and not line.endswith(b"\n"):
                rest = line
                while rest and not rest.endswith(b"\n"):
                    rest = handle.readline(1 << 20)
                yield number, None
            elif line.strip():
                yield number, line.rstrip(b"\r\n")


def _jsonl(path: Path, table: Table, limits: Limits) -> Iterator[Batch]:
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
    """Whole lines of about `chunk_bytes` at a time, read straight into each chunk's own
    buffer; stops early at a line longer than a chunk, which `jsonl_lines` then reads
    without holding it."""
    with _open(path) as handle:
        offset = len(_BOM) if handle.read(len(_BOM)) == _BOM else 0
        handle.seek(offset)
        line = 1
        carry = b""
        while True:
            data = bytearray(len(carry) + limits.chunk_bytes)
            data[: len(carry)] = carry
            size = len(carry) + handle.readinto(memoryview(data)[len(carry) :])
            if size == len(carry):  # end of file
                if size:
                    view = memoryview(data)[:size]
                    yield _Chunk(offset, line, view, *_line_stats(view, limits.max_line_bytes))
                return
            end = data.rfind(b"\n", 0, size) + 1
            if not end:
                if size > limits.max_line_bytes:
                    return
                carry = bytes(data[:size])
                continue
            view = memoryview(data)[:end]
            chunk = _Chunk(offset, line, view, *_line_stats(view, limits.max_line_bytes))
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
    first = chunk.first
    return Batch(frame, pl.Series("row", range(first, first + chunk.lines), dtype=pl.Int64))


def _may_nest_deeper(chunk: _Chunk, limit: int) -> bool:
    """Whether a line of the chunk may nest values more than `limit` levels deep: it
    holds more opening brackets (those inside strings counted too). Every line of a plain
    chunk opens with one, so when all the chunk's brackets but one per line would fit on
    one line, none is measured."""
    import numpy as np

    text = np.frombuffer(chunk.data, dtype=np.uint8)
    opening = np.flatnonzero((text == ord("{")) | (text == ord("[")))
    if len(opening) - chunk.lines + 1 <= limit:
        return False
    ends = np.flatnonzero(text == ord("\n"))
    per_line = np.bincount(np.searchsorted(ends, opening))
    return bool(per_line.max() > limit)


def _finite(parsed: Any) -> bool:
    """Whether no number parsed is NaN or infinite (JSON has neither; the exact reader
    reports the line). Unknown fields holding numbers inside lists or objects are left to
    the exact reader too."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for column in parsed.columns:
        kind = column.type
        if pa.types.is_floating(kind):
            if column.null_count < len(column) and pc.any(pc.invert(pc.is_finite(column))).as_py():
                return False
        elif pa.types.is_nested(kind):
            return False
    return True


def _line_stats(chunk: memoryview, limit: int) -> tuple[int, int, bool]:
    """How many lines the chunk holds, the longest one's length (newline excluded) when a
    line may be longer than `limit` (else 0: the lengths are not measured), and whether
    every line starts with `{` (then a reader that found as many objects as lines found
    one on each line: none holds two, with a blank line elsewhere making up the count)."""
    import numpy as np

    text = np.frombuffer(chunk, dtype=np.uint8)
    newlines = text == ord("\n")
    unterminated = len(chunk) > 0 and chunk[-1] != ord("\n")
    lines = int(np.count_nonzero(newlines)) + unterminated
    opening = text[1:][newlines[:-1]] == ord("{")
    plain = bool(len(chunk) == 0 or (text[0] == ord("{") and opening.all()))
    if not _may_exceed(chunk, limit):
        return lines, 0, plain
    ends = np.flatnonzero(newlines)
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
    issues: list[Issue] = []
    unparsed: dict[int, str] = {}
    for number, line in numbered:
        if line is None:
            message = f"line {number} is longer than {limits.max_line_bytes} bytes"
            issues.append(_parse_error(table, number, message))
            unparsed[number] = ""
        else:
            decoded = _decode_line(line, number, table, limits)
            if isinstance(decoded, Issue):
                issues.append(decoded)
                unparsed[number] = line.decode("utf-8", "replace")
            else:
                columns.add(decoded, number)
                records.append(decoded)
                numbers.append(number)
        if len(records) + len(unparsed) >= limits.batch_rows:
            yield _jsonl_batch(records, numbers, issues, unparsed, table)
            records, numbers, issues, unparsed = [], [], [], {}
    if records or unparsed:
        yield _jsonl_batch(records, numbers, issues, unparsed, table)


def _lines_before(path: Path, offset: int) -> int:
    """How many lines end before byte `offset`."""
    count = 0
    with _open(path) as handle:
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
    issues: list[Issue],
    unparsed: dict[int, str],
    table: Table,
) -> Batch:
    rows = pl.Series("row", numbers, dtype=pl.Int64)
    frame, type_issues = rows_to_frame(records, table, row_numbers=numbers)
    return Batch(frame, rows, [*issues, *type_issues], unparsed)


# --- CSV ----------------------------------------------------------------------------------


_MAX_HEADER_BYTES = 1 << 20


# Excel's hint line naming the delimiter, written before the header.
_EXCEL_SEPARATOR = re.compile(r"sep=.?\r?\n?", re.IGNORECASE)


def _header(path: Path, limits: Limits) -> list[str]:
    """The names of the header row; a file whose first line cannot name its columns
    raises InputError (exit 2): none of its records could be read as the table's."""
    with _open(path) as handle:
        first = handle.readline(_MAX_HEADER_BYTES + 1)
    if len(first) > _MAX_HEADER_BYTES:
        raise InputError(f"{path}: the header row is longer than 1 MiB; is it a CSV file?")
    if b"\n" not in first and b"\r" in first.rstrip(b"\r"):
        raise InputError(
            f"{path}: lines end with a carriage return alone (classic Mac OS); "
            "convert the file to LF or CRLF line endings"
        )
    text = first.removeprefix(_BOM).decode("utf-8", "replace")
    if _EXCEL_SEPARATOR.fullmatch(text):
        raise InputError(
            f"{path}: the first line is Excel's {text.strip()!r} hint, not a header row; "
            "remove that line"
        )
    # The csv module's field limit is global (the exact reader raises it): a header
    # that fits in 1 MiB is read whatever it is now.
    csv.field_size_limit(max(csv.field_size_limit(), _MAX_HEADER_BYTES))
    try:
        # Strict: a header that runs on past its line would take records with it.
        header = next(csv.reader([text], strict=True), [])
    except csv.Error as exc:
        raise InputError(
            f"{path}: the header row is not one line of CSV (a quote left open, or text "
            f"after a closing quote): {exc}"
        ) from exc
    problem = _header_problem(header, limits.max_columns)
    if problem is not None:
        raise InputError(f"{path}: {problem}")
    return header


def _header_problem(header: list[str], max_columns: int) -> str | None:
    """Why a header cannot name the table's columns (linear in its length)."""
    if not header:
        return "the file has no header row (it is empty, or its first line is blank)"
    if len(header) > max_columns:
        return f"the header has {len(header)} columns, more than the limit of {max_columns}"
    for position, name in enumerate(header, start=1):
        if not name.strip():
            return f"column {position} of the header has no name"
        if name.startswith("\ufeff"):
            return f"column {position} of the header starts with a byte-order mark"
    repeated = sorted(name for name, count in Counter(header).items() if count > 1)
    if repeated:
        more = f" and {len(repeated) - 3} more" if len(repeated) > 3 else ""
        return f"the header repeats {', '.join(repeated[:3])}{more}"
    return None


def _csv(path: Path, table: Table, limits: Limits, exact: bool) -> Iterator[Batch]:
    header = _header(path, limits)
    any_batch = False
    batches = (
        _csv_exact(path, header, table, limits)
        if exact
        else _csv_fast_checked(path, header, limits)
    )
    for batch in batches:
        any_batch = True
        yield batch
    if not any_batch:  # a header and no records: the columns are still checked
        columns = {name: pl.Series(name, [], dtype=pl.String) for name in header}
        yield Batch(pl.DataFrame(columns), pl.Series("row", [], dtype=pl.Int64))


def _csv_fast_checked(path: Path, header: list[str], limits: Limits) -> Iterator[Batch]:
    try:
        yield from _csv_fast(path, header, limits)
    except (UnicodeDecodeError, ValueError) as exc:
        # pyarrow cannot say which record is ragged or undecodable.
        raise CsvFastPathError(str(exc)) from exc


def _record_end(data: bytes) -> int:
    """Where the last complete CSV record in `data` ends (0 if none), for data that starts
    at a record boundary: a newline ends a record when the quotes before it are paired."""
    position = data.rfind(b"\n")
    if b'"' not in data:
        return position + 1
    quotes = data.count(b'"', 0, position) if position >= 0 else 0
    while position >= 0:
        if quotes % 2 == 0:
            return position + 1
        previous = data.rfind(b"\n", 0, position)
        quotes -= data.count(b'"', max(previous, 0), position)
        position = previous
    return 0


def _may_end_inside_quotes(records: memoryview, last_cell: str | None) -> bool:
    """Whether the last record of a chunk may be cut short inside a quoted field, which
    pyarrow (like the csv module) then fills with the rest of the chunk: the chunk ends
    with an opening quote and the last cell. (Cut short in another column, the record
    is ragged.) Quote parity cannot tell: a stray quote in an unquoted cell can pair
    with the opening one. A false alarm only hands the file to the exact reader."""
    if last_cell is None:  # an empty cell: cut right after its quote, or `""`
        tail = bytes(records[-2:])
        return tail.endswith(b'"') and tail != b'""'
    opened = b'"' + last_cell.replace('"', '""').encode("utf-8")
    return len(records) >= len(opened) and bytes(records[-len(opened) :]) == opened


def _csv_chunks(path: Path, chunk_bytes: int) -> Iterator[tuple[memoryview, bool]]:
    """The records after the header, in pieces of about `chunk_bytes` cut between records
    (views of the bytes read, not copies), each with whether it holds a quote."""
    with _open(path) as handle:
        handle.readline()
        carry = b""
        while True:
            block = handle.read(chunk_bytes)
            data = carry + block if carry else block
            if not block:
                if data:  # a last record without its line break (blank: ragged)
                    yield memoryview(data), b'"' in data
                return
            end = _record_end(data)
            if end:
                yield memoryview(data)[:end], data.find(b'"', 0, end) >= 0
            carry = data[end:]


# pyarrow decodes a ragged record's text before it calls the invalid-row handler and
# prints the UnicodeDecodeError of a record that is not UTF-8 as "Exception ignored"
# (it then fails the read, and the exact reader takes over). While any fast read runs,
# `sys.unraisablehook` drops the unraisable errors of its handlers and passes on the rest.
_QUIET_LOCK = threading.Lock()
_quiet_handlers: set[int] = set()
_hook_before: list[Callable[[Any], object]] = []


def _drop_handler_errors(unraisable: Any) -> None:
    if id(unraisable.object) not in _quiet_handlers:
        (_hook_before[-1] if _hook_before else sys.__unraisablehook__)(unraisable)


@contextmanager
def _quiet_handler(handler: Callable[..., object]) -> Iterator[None]:
    """`handler`'s unraisable errors are not printed while the block runs (thread-safe:
    the hook is installed by the first reader and restored by the last)."""
    with _QUIET_LOCK:
        if not _quiet_handlers:
            _hook_before.append(sys.unraisablehook)
            sys.unraisablehook = _drop_handler_errors
        _quiet_handlers.add(id(handler))
    try:
        yield
    finally:
        with _QUIET_LOCK:
            _quiet_handlers.discard(id(handler))
            if not _quiet_handlers:
                if sys.unraisablehook is _drop_handler_errors:
                    sys.unraisablehook = _hook_before[-1]
                _hook_before.pop()


def _csv_fast(path: Path, header: list[str], limits: Limits) -> Iterator[Batch]:
    """Records parsed by pyarrow, a chunk at a time on all cores; every cell as text."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    ragged: list[int] = []

    def note_ragged(_row: Any) -> str:
        ragged.append(1)  # pyarrow cannot number the record: the exact reader will
        return "skip"

    convert = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in header},
        # Only an empty cell is missing, as in the exact reader: "NA" and "null" are text.
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
    )
    first = 2
    for records, quoted in _csv_chunks(path, limits.chunk_bytes):
        parse = pacsv.ParseOptions(newlines_in_values=quoted, invalid_row_handler=note_ragged)
        try:
            with _quiet_handler(note_ragged):
                table = pacsv.read_csv(
                    pa.py_buffer(records),
                    read_options=pacsv.ReadOptions(
                        use_threads=True, block_size=8 << 20, column_names=header
                    ),
                    parse_options=parse,
                    convert_options=convert,
                )
        except pa.ArrowInvalid as exc:
            raise CsvFastPathError(str(exc)) from exc
        if ragged:
            raise CsvFastPathError("a record has the wrong number of cells")
        frame = pl.from_arrow(table, rechunk=False)
        assert isinstance(frame, pl.DataFrame)
        if frame.height and _may_end_inside_quotes(records, frame.get_column(header[-1])[-1]):
            raise CsvFastPathError(OPEN_QUOTE)
        longest = frame.select(pl.all().str.len_bytes().max()).row(0) if frame.height else ()
        if any(n is not None and n > limits.max_field_chars for n in longest):
            raise CsvFastPathError("a cell is longer than the field limit")
        rows = pl.Series("row", range(first, first + frame.height), dtype=pl.Int64)
        first += frame.height
        yield Batch(frame, rows)


def _record_problem(record: list[str], header: list[str], number: int, limit: int) -> str | None:
    """Why a CSV record cannot be taken as it is: its cell count, bytes that are not UTF-8
    (read as lone surrogates), or a cell longer than the field limit."""
    if len(record) != len(header):
        return f"record {number} has {len(record)} cells, the header has {len(header)}"
    for name, cell in zip(header, record, strict=True):
        if _NOT_UTF8.search(cell):
            return f"record {number} is not valid UTF-8 (field {name})"
        if len(cell) > limit:
            return f"record {number}: field {name} is longer than {limit} characters"
    return None


def _raw_record(record: list[str]) -> str:
    """A record's cells as text for a quarantine, undecodable bytes replaced."""
    return ",".join(record).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _csv_exact(path: Path, header: list[str], table: Table, limits: Limits) -> Iterator[Batch]:
    try:
        handle = path.open("r", encoding="utf-8-sig", newline="", errors="surrogateescape")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
    # A cell past the field limit is a parse error of its record (below); far past it,
    # reading stops, so that memory stays bounded.
    csv.field_size_limit(16 * limits.max_field_chars)
    with handle:
        # The csv module asks for a line past the file's end only to finish a record
        # inside a quoted field: that record was cut short.
        ended: list[bool] = []
        reader = csv.reader(itertools.chain(handle, _noting_the_end(ended)))
        columns: list[list[str | None]] = [[] for _ in header]
        numbers: list[int] = []
        issues: list[Issue] = []
        unparsed: dict[int, str] = {}
        number = 0
        try:
            for record in reader:
                if not record:  # a blank line holds no record (pyarrow skips it too)
                    continue
                number += 1
                if number == 1:
                    continue
                # A record cut short is that first, whatever else it then looks like.
                problem = (
                    f"record {number}: {OPEN_QUOTE}"
                    if ended
                    else _record_problem(record, header, number, limits.max_field_chars)
                )
                if problem is not None:
                    issues.append(_parse_error(table, number, problem, _raw_record(record)))
                    unparsed[number] = _raw_record(record)
                else:
                    for column, cell in zip(columns, record, strict=True):
                        column.append(cell if cell != "" else None)
                    numbers.append(number)
                if len(numbers) + len(unparsed) >= limits.batch_rows:
                    yield _csv_batch(header, columns, numbers, issues, unparsed)
                    columns, numbers, issues, unparsed = [[] for _ in header], [], [], {}
        except csv.Error as exc:
            raise InputError(f"{path}: malformed CSV at record {number}: {exc}") from exc
        if numbers or unparsed:
            yield _csv_batch(header, columns, numbers, issues, unparsed)


def _noting_the_end(ended: list[bool]) -> Iterator[str]:
    """No line, noting that the lines before it ran out (chained after a file)."""
    ended.append(True)
    yield from ()


def _csv_batch(
    header: list[str],
    columns: list[list[str | None]],
    numbers: list[int],
    issues: list[Issue],
    unparsed: dict[int, str],
) -> Batch:
    frame = pl.DataFrame(
        {
            name: pl.Series(name, cells, dtype=pl.String)
            for name, cells in zip(header, columns, strict=True)
        }
    )
    return Batch(frame, pl.Series("row", numbers, dtype=pl.Int64), issues, unparsed)


# --- Parquet ------------------------------------------------------------------------------


def _parquet(path: Path, table: Table, limits: Limits) -> Iterator[Batch]:
    """Batches of a Parquet file, each conformed by its columns' declared types
    (`curate.readers.conform.ACCEPTS`): a value stored in a type the schema does not take, or
    out of what the store can hold, is a type-error of its row, never cast or a panic."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(str(path))
        names = parquet.schema_arrow.names
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        yield _parquet_problem(table, None, f"not a readable Parquet file: {exc}")
        return
    _check_parquet_size(path, parquet.metadata, len(names), limits)
    if not names:
        yield _parquet_problem(table, None, "the Parquet file has no columns")
        return
    first = 1
    issues = _repeated_columns(names, table)
    try:
        for part in _parquet_parts(parquet, limits):
            declared = conform_arrow(part, table)
            rows = pl.Series("row", range(first, first + part.num_rows), dtype=pl.Int64)
            first += part.num_rows
            yield Batch(declared.raw, rows, issues, conformed=declared.conformed)
            issues = []
    except (pa.ArrowInvalid, pa.ArrowException, OSError) as exc:
        message = f"the Parquet data after row {first - 1} cannot be read: {exc}"
        yield _parquet_problem(table, first, message)
        return
    declared_rows = parquet.metadata.num_rows
    if first - 1 != declared_rows:  # a damaged column chunk can hold fewer rows, silently
        message = f"the file declares {declared_rows} rows but holds {first - 1}"
        yield _parquet_problem(table, first, message)


def _parquet_problem(table: Table, row: int | None, message: str) -> Batch:
    """A batch that only carries a problem of the file (no rows read)."""
    return Batch(
        pl.DataFrame(), pl.Series("row", [], dtype=pl.Int64), [_parse_error(table, row, message)]
    )


def _check_parquet_size(path: Path, metadata: Any, columns: int, limits: Limits) -> None:
    """Refuse (exit 2) a file past the limits on rows, columns, row groups, or a row
    group's uncompressed size, from its footer alone, before anything is decompressed."""
    counts = (
        (metadata.num_rows, limits.max_rows, "rows"),
        (columns, limits.max_columns, "columns"),
        (metadata.num_row_groups, limits.max_row_groups, "row groups"),
    )
    for count, limit, what in counts:
        if count > limit:
            raise InputError(f"{path}: {count} {what} is more than the limit of {limit}")
    for index in range(metadata.num_row_groups):
        size = metadata.row_group(index).total_byte_size
        if size > limits.max_row_group_bytes:
            raise InputError(
                f"{path}: row group {index} declares {size} bytes uncompressed, more than the "
                f"limit of {limits.max_row_group_bytes}; refused before decompressing"
            )


def _repeated_columns(names: list[str], table: Table) -> list[Issue]:
    """A parse error for each column name the file repeats (the repeats are read as
    `name#2`, ..., so that no value is lost, and reported as unknown fields)."""
    repeated = sorted({name for name in names if names.count(name) > 1})
    return [
        _parse_error(table, None, f"the file repeats the column {name!r} (kept as {name}#2)")
        for name in repeated
    ]


def _parquet_parts(parquet: Any, limits: Limits) -> Iterator[Any]:
    """Arrow tables of at most `batch_rows` rows, each spanning as many row groups as it
    takes (so that time grows with rows, not with row groups)."""
    import pyarrow as pa

    for batch in parquet.iter_batches(
        batch_size=limits.batch_rows, use_threads=True, use_pandas_metadata=False
    ):
        yield pa.Table.from_batches([batch])
