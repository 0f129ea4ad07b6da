"""Read a dataset's export (an ACLED or UCDP CSV file) as text columns, never trusting it.

The records are parsed by curate's own CSV reader (`curate.readers.csv`: pyarrow on all
cores, and an exact reader that numbers every record when a record is ragged, not UTF-8
or holds a field over the limit). A record that cannot be parsed is not dropped: it comes
back in `unreadable` with its reason and raw text. Header names are normalised (lower
case, spaces as underscores) so that the upper-case headers of older ACLED files match.
Cells are stripped of surrounding blanks; cells that are then empty or a missing-value
marker (`NA`, `N/A`, `NULL`, `nan`, ...) are missing (null). A file that ends inside a
quoted field has a truncated last record, which is unreadable too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from curate.errors import InputError
from curate.readers.batch import Batch, ParseReason
from curate.readers.csv import CsvFastPathError
from curate.readers.files import read_batches
from curate.readers.limits import Limits
from curate.schema.model import Table

__all__ = [
    "FILE",
    "MISSING_MARKERS",
    "RECORD",
    "ROW",
    "UNREADABLE_REASONS",
    "ExportFile",
    "missing_as_null",
    "normalise_header",
    "read_csv_export",
    "unreadable_frame",
    "unreadable_records",
]

ROW = "__export_row"  # the record's number in its file, counting the header as 1
FILE = "__export_file"  # the file's index among the inputs of one import
RECORD = "__export_record"  # the raw record, as JSON text (rejected and merged rows only)

# Cells that exports write for a missing value (ACLED writes `NA`; these are also the
# null markers of pyarrow and pandas), read as missing whichever CSV reader parsed them.
MISSING_MARKERS = (
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "n/a",
    "nan",
    "null",
)

TRUNCATED = "the record is truncated: the file ends inside a quoted field"
UNREADABLE_REASONS = {
    ParseReason.CELL_COUNT: "the record has the wrong number of cells",
    ParseReason.NOT_UTF8: "the record is not valid UTF-8",
    ParseReason.FIELD_TOO_LONG: "a field is longer than the limit",
    ParseReason.CUT_SHORT: TRUNCATED,
}
"""The reason an import gives for each way the CSV reader can fail to parse a record,
by the reader's code (`curate.readers.batch.ParseReason`), never by its message."""


@dataclass(frozen=True)
class ExportFile:
    """One export file: its normalised header, its records as text (with `ROW`), the
    records that could not be parsed (`ROW`, reason, message, raw text), and whether
    the last record lacks its line break (it may have been cut short)."""

    path: Path
    header: tuple[str, ...]
    rows: pl.DataFrame
    unreadable: pl.DataFrame
    unterminated_last_row: int | None


def normalise_header(name: str) -> str:
    """`EVENT_ID_CNTY` and `Source Scale` as `event_id_cnty` and `source_scale`."""
    return re.sub(r"\s+", "_", name.strip().lower())


def missing_as_null(columns: list[str]) -> list[pl.Expr]:
    """Each column stripped of surrounding blanks, with blank cells and missing-value
    markers as null."""
    return [
        pl.col(name).str.strip_chars().replace(list(MISSING_MARKERS), None).alias(name)
        for name in columns
    ]


def unreadable_frame(records: list[tuple[int, str, str, str]]) -> pl.DataFrame:
    """Records that could not be taken (row, reason, message, raw text) as a frame."""
    return pl.DataFrame(
        records,
        schema={ROW: pl.Int64, "reason": pl.String, "message": pl.String, RECORD: pl.String},
        orient="row",
    )


def _batches(path: Path, limits: Limits) -> list[Batch]:
    """Every batch of the file: the fast reader first, the exact one if the fast one
    gives up (a ragged record, bytes that are not UTF-8, a file cut short)."""
    table = Table("export", "export", "a dataset export", (), ())
    try:
        return list(read_batches(path, table, limits))
    except CsvFastPathError:
        return list(read_batches(path, table, limits, exact_csv=True))


def _ends_with_line_break(path: Path) -> bool:
    """Whether the file's last byte is a line break."""
    try:
        with path.open("rb") as handle:
            if handle.seek(0, 2) == 0:
                return False
            handle.seek(-1, 2)
            return handle.read(1) in (b"\n", b"\r")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc


def _header_problem(batches: list[Batch]) -> str | None:
    for batch in batches:
        for issue in batch.issues:
            if issue.row == 1:
                return issue.message
    return None


def _rows(batches: list[Batch], columns: list[str], header: tuple[str, ...]) -> pl.DataFrame:
    """The parsed records under the normalised header, blanks and markers as null,
    with their record numbers (`ROW`)."""
    parsed = [b for b in batches if b.frame.width]
    if not parsed:
        return pl.DataFrame(schema={**dict.fromkeys(header, pl.String), ROW: pl.Int64})
    renamed = dict(zip(columns, header, strict=True))
    rows = pl.concat([b.frame.rename(renamed) for b in parsed])
    numbers = pl.concat([b.rows for b in parsed]).alias(ROW)
    return rows.with_columns(missing_as_null(list(header))).with_columns(numbers)


def unreadable_records(batches: list[Batch]) -> pl.DataFrame:
    """The records the reader could not parse (row, reason, message, raw text), each
    reason mapped from the reader's code (`UNREADABLE_REASONS`); an issue the reader
    gave no code for (none is expected of a CSV file) keeps its message as the reason."""
    records = []
    for batch in batches:
        for issue in batch.issues:
            row = issue.row or 0
            code = batch.reasons.get(row)
            reason = issue.message if code is None else UNREADABLE_REASONS.get(code, issue.message)
            records.append((row, reason, issue.message, batch.unparsed.get(row, "")))
    return unreadable_frame(records)


def read_csv_export(path: Path, what: str, limits: Limits | None = None) -> ExportFile:
    """The file's records as text columns; an unusable file raises InputError (exit 2).

    `what` names the export in messages ("ACLED export")."""
    if path.suffix.lower() != ".csv":
        raise InputError(f"{path}: an {what} is read from a .csv file")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    batches = _batches(path, limits or Limits())
    problem = _header_problem(batches)
    if problem is not None:
        raise InputError(f"{path}: not an {what}: {problem}")
    columns = batches[0].frame.columns if batches else []
    header = tuple(normalise_header(name) for name in columns)
    if any("\x00" in name or "\ufffd" in name for name in header):
        raise InputError(f"{path}: not an {what}: the header is not UTF-8 text (a binary file?)")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise InputError(f"{path}: the header repeats {', '.join(repeated)}")
    rows, unreadable = _rows(batches, columns, header), unreadable_records(batches)
    last_row = max(
        [*rows.get_column(ROW).tail(1).to_list(), *unreadable.get_column(ROW)], default=None
    )
    unterminated = None if _ends_with_line_break(path) else last_row
    return ExportFile(path, header, rows, unreadable, unterminated)
