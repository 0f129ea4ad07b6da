"""What a batch of input records is, and the pieces every format's reader shares.

Each batch carries the rows as read (a polars frame, values as the format gives them),
each row's number in the input, and the records that could not be parsed (`parse-error`,
with their raw text so that a quarantine loses nothing, and the reason as a
`ParseReason` code, so that callers never match the English of a message). Row numbers:
the line number in JSONL; the record number in CSV, counting the header as 1 (blank
lines hold no record; the line number when none comes before and no field holds a
newline); the 1-based row index in Parquet.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import polars as pl

from curate.errors import InputError
from curate.readers.conform import Conformed
from curate.report import Issue, truncate
from curate.schema.model import Table

__all__ = ["UTF8_BOM", "Batch", "ParseReason", "Refused", "open_input", "parse_error"]

UTF8_BOM = b"\xef\xbb\xbf"


class ParseReason(StrEnum):
    """Why a record could not be parsed: a stable code beside its message's English."""

    LINE_TOO_LONG = "line-too-long"  # a JSONL line over `Limits.max_line_bytes`
    NOT_JSON = "not-json"  # a JSONL line that is not valid JSON
    NOT_AN_OBJECT = "not-an-object"  # a JSONL line holding JSON other than an object
    TOO_MANY_KEYS = "too-many-keys"  # more keys than `Limits.max_columns`
    TOO_DEEP = "too-deep"  # values nested deeper than `Limits.max_depth`
    REPEATED_KEY = "repeated-key"  # an object naming a key twice
    CELL_COUNT = "cell-count"  # a CSV record with more or fewer cells than the header
    NOT_UTF8 = "not-utf8"  # a CSV record holding bytes that are not UTF-8
    FIELD_TOO_LONG = "field-too-long"  # a CSV cell over `Limits.max_field_chars`
    CUT_SHORT = "cut-short"  # the file ends inside a quoted field of the record


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
    # Why each record of `unparsed` (by its number) could not be parsed.
    reasons: dict[int, ParseReason] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """Records in this batch, parsed or not."""
        return self.frame.height + len(self.unparsed)


def open_input(path: Path) -> io.BufferedReader:
    """`path` opened for reading bytes; a file that cannot be opened raises InputError."""
    try:
        return path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc


def parse_error(table: Table, row: int | None, message: str, raw: str | None = None) -> Issue:
    """The `parse-error` issue of record `row` (None: of the file as a whole)."""
    return Issue("parse-error", "error", table.name, row, None, truncate(raw), message)


@dataclass
class Refused:
    """The records of a batch being read that could not be parsed: their issues, raw
    text and reasons, as the batch will carry them."""

    issues: list[Issue] = field(default_factory=list)
    unparsed: dict[int, str] = field(default_factory=dict)
    reasons: dict[int, ParseReason] = field(default_factory=dict)

    def add(
        self, table: Table, number: int, reason: ParseReason, message: str, raw: str | None
    ) -> None:
        """Record `number` could not be parsed, for `reason`; `raw` is its text, if kept."""
        self.issues.append(parse_error(table, number, message, raw))
        self.unparsed[number] = raw or ""
        self.reasons[number] = reason
