"""The CSV reader: UTF-8 with a header row, every cell as text, numbered by record.

Records are parsed fast by pyarrow, a chunk at a time on all cores; where that reader
meets a record it cannot number (ragged, not UTF-8, a cell over the limit, a file cut
short inside a quoted field) it raises `CsvFastPathError`, and the caller reads the file
again with the exact reader, which numbers every record and makes each such record a
parse error of its own. A header that cannot name the table's columns refuses the file.
"""

from __future__ import annotations

import csv
import itertools
import re
import sys
import threading
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from curate.errors import InputError
from curate.readers.ahead import read_ahead
from curate.readers.batch import UTF8_BOM, Batch, ParseReason, Refused, open_input
from curate.readers.limits import Limits
from curate.schema.model import Table

__all__ = ["OPEN_QUOTE", "CsvFastPathError", "read_csv"]

_NOT_UTF8 = re.compile(
    "[\udc80-\udcff]"
)  # bytes that did not decode, as surrogateescape keeps them

# Why the last record of a CSV file is refused when the file ends inside a quoted field
# (the file was cut short: the rest of the file would otherwise be read as one cell).
OPEN_QUOTE = "the file ends inside a quoted field: the record is cut short"


class CsvFastPathError(Exception):
    """The fast CSV reader met a record it cannot number (ragged, or not UTF-8): read the
    file again with `exact_csv=True`, which numbers every record."""


_MAX_HEADER_BYTES = 1 << 20


# Excel's hint line naming the delimiter, written before the header.
_EXCEL_SEPARATOR = re.compile(r"sep=.?\r?\n?", re.IGNORECASE)


def _read_header(path: Path, limits: Limits) -> list[str]:
    """The names of the header row; a file whose first line cannot name its columns
    raises InputError (exit 2): none of its records could be read as the table's."""
    with open_input(path) as handle:
        first = handle.readline(_MAX_HEADER_BYTES + 1)
    if len(first) > _MAX_HEADER_BYTES:
        raise InputError(f"{path}: the header row is longer than 1 MiB; is it a CSV file?")
    if b"\n" not in first and b"\r" in first.rstrip(b"\r"):
        raise InputError(
            f"{path}: lines end with a carriage return alone (classic Mac OS); "
            "convert the file to LF or CRLF line endings"
        )
    text = first.removeprefix(UTF8_BOM).decode("utf-8", "replace")
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


def read_csv(path: Path, table: Table, limits: Limits, *, exact: bool) -> Iterator[Batch]:
    """Batches of the CSV file's records: by the fast reader, or by the exact one with
    `exact` (see the module's docstring)."""
    header = _read_header(path, limits)
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


def _record_end(data: bytearray, size: int) -> int:
    """Where the last complete CSV record in `data[:size]` ends (0 if none), for data that
    starts at a record boundary: a newline ends a record when the quotes before it are
    paired."""
    position = data.rfind(b"\n", 0, size)
    if data.find(b'"', 0, size) < 0:
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


def _csv_chunks(
    path: Path, chunk_bytes: int, max_record_bytes: int
) -> Generator[tuple[memoryview, bool]]:
    """The records after the header, in pieces of about `chunk_bytes` cut between records,
    each with whether it holds a quote. Each piece is a view of one buffer that the next
    piece reuses (a reader copies what it keeps): the file is read into it, with no new
    memory per piece and no joining of the part record carried over. A record longer
    than `max_record_bytes` (a quote never closed holds the rest of the file) is left to
    the exact reader (`CsvFastPathError`), so the buffer never grows with the file."""
    with open_input(path) as handle:
        handle.readline()
        buffer = bytearray(chunk_bytes)
        held = 0  # bytes at the start of the buffer: the part record carried over
        while True:
            if held > max_record_bytes:
                raise CsvFastPathError("a record is longer than its cells can be")
            if len(buffer) - held < max(chunk_bytes // 2, 1):  # a record outgrew it
                grown = bytearray(2 * len(buffer))
                grown[:held] = buffer[:held]
                buffer = grown
            read = handle.readinto(memoryview(buffer)[held:])
            size = held + read
            view = memoryview(buffer)[:size]
            if not read:
                if size:  # a last record without its line break (blank: ragged)
                    yield view, buffer.find(b'"', 0, size) >= 0
                return
            end = _record_end(buffer, size)
            if end:
                yield view[:end], buffer.find(b'"', 0, end) >= 0
            held = size - end
            buffer[:held] = buffer[end:size]


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
    """Records parsed by pyarrow, a chunk at a time on all cores; every cell as text.
    The next chunk is read and parsed in a second thread while the caller checks this
    one's batch (`read_ahead`: one chunk in flight, so memory stays bounded; the chunk
    buffer is only touched by that thread, and each batch is a copy)."""
    return read_ahead(_csv_batches(path, header, limits), "curate-csv")


def _csv_batches(path: Path, header: list[str], limits: Limits) -> Iterator[Batch]:
    first = 2
    # Every cell at the field limit, four bytes a character, quoted and doubled quotes.
    longest = 8 * limits.max_field_chars * len(header) + 2 * len(header)
    for records, quoted in _csv_chunks(path, limits.chunk_bytes, longest):
        frame = _parse_chunk(records, quoted, header, limits)
        rows = pl.Series("row", range(first, first + frame.height), dtype=pl.Int64)
        first += frame.height
        yield Batch(frame, rows)


def _parse_chunk(
    records: memoryview, quoted: bool, header: list[str], limits: Limits
) -> pl.DataFrame:
    """One chunk's records as text, by pyarrow; `CsvFastPathError` where a record cannot
    be numbered (see the module's docstring)."""
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
    return frame


def _record_problem(
    record: list[str], header: list[str], number: int, limit: int
) -> tuple[ParseReason, str] | None:
    """Why a CSV record cannot be taken as it is: its cell count, bytes that are not UTF-8
    (read as lone surrogates), or a cell longer than the field limit."""
    if len(record) != len(header):
        cells = f"record {number} has {len(record)} cells, the header has {len(header)}"
        return ParseReason.CELL_COUNT, cells
    for name, cell in zip(header, record, strict=True):
        if _NOT_UTF8.search(cell):
            return ParseReason.NOT_UTF8, f"record {number} is not valid UTF-8 (field {name})"
        if len(cell) > limit:
            too_long = f"record {number}: field {name} is longer than {limit} characters"
            return ParseReason.FIELD_TOO_LONG, too_long
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
        refused = Refused()
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
                    (ParseReason.CUT_SHORT, f"record {number}: {OPEN_QUOTE}")
                    if ended
                    else _record_problem(record, header, number, limits.max_field_chars)
                )
                if problem is not None:
                    refused.add(table, number, *problem, _raw_record(record))
                else:
                    for column, cell in zip(columns, record, strict=True):
                        column.append(cell if cell != "" else None)
                    numbers.append(number)
                if len(numbers) + len(refused.unparsed) >= limits.batch_rows:
                    yield _csv_batch(header, columns, numbers, refused)
                    columns, numbers, refused = [[] for _ in header], [], Refused()
        except csv.Error as exc:
            raise InputError(f"{path}: malformed CSV at record {number}: {exc}") from exc
        if numbers or refused.unparsed:
            yield _csv_batch(header, columns, numbers, refused)


def _noting_the_end(ended: list[bool]) -> Iterator[str]:
    """No line, noting that the lines before it ran out (chained after a file)."""
    ended.append(True)
    yield from ()


def _csv_batch(
    header: list[str],
    columns: list[list[str | None]],
    numbers: list[int],
    refused: Refused,
) -> Batch:
    frame = pl.DataFrame(
        {
            name: pl.Series(name, cells, dtype=pl.String)
            for name, cells in zip(header, columns, strict=True)
        }
    )
    rows = pl.Series("row", numbers, dtype=pl.Int64)
    return Batch(frame, rows, refused.issues, refused.unparsed, reasons=refused.reasons)
