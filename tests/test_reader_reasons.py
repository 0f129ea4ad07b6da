"""The readers say why a record could not be parsed as a code (`ParseReason`), and the
importers give their reasons from that code, never from the English of a message."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from curate.interchange.reading import ROW, UNREADABLE_REASONS, read_csv_export, unreadable_records
from curate.readers.batch import Batch, ParseReason
from curate.readers.csv import CsvFastPathError
from curate.readers.files import read_batches
from curate.readers.limits import Limits
from curate.report import Issue
from curate.schema.loader import load_schema

EVENTS = load_schema().table("events")
LIMITS = Limits(max_field_chars=8, max_line_bytes=400, max_columns=40, max_depth=4)


def _reasons(path: Path) -> dict[int, ParseReason]:
    """The reasons the reader gives, by record number (the exact CSV reader if need be)."""
    try:
        batches = list(read_batches(path, EVENTS, LIMITS))
    except CsvFastPathError:
        batches = list(read_batches(path, EVENTS, LIMITS, exact_csv=True))
    found: dict[int, ParseReason] = {}
    for batch in batches:
        assert set(batch.reasons) == set(batch.unparsed)
        found.update(batch.reasons)
    return found


CSV_RECORDS = {
    "a,b\n1,2\n1,2,3\n": (3, ParseReason.CELL_COUNT, "the record has the wrong number of cells"),
    "a,b\n1,2\n1,\xff\n": (3, ParseReason.NOT_UTF8, "the record is not valid UTF-8"),
    "a,b\n1,123456789\n": (2, ParseReason.FIELD_TOO_LONG, "a field is longer than the limit"),
    'a,b\n1,2\n1,"cut': (
        3,
        ParseReason.CUT_SHORT,
        "the record is truncated: the file ends inside a quoted field",
    ),
}


@pytest.mark.parametrize("text", sorted(CSV_RECORDS))
def test_each_malformed_csv_record_has_its_code_and_the_import_its_reason(
    text: str, tmp_path: Path
) -> None:
    row, code, reason = CSV_RECORDS[text]
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode("latin-1"))
    assert _reasons(path) == {row: code}
    unreadable = read_csv_export(path, "export", LIMITS).unreadable
    assert unreadable.select(ROW, "reason").rows() == [(row, reason)]
    assert UNREADABLE_REASONS[code] == reason


@pytest.mark.parametrize("column", ["not valid UTF-8", "cells, the header has"])
def test_a_column_named_like_another_reason_does_not_change_the_reason(
    column: str, tmp_path: Path
) -> None:
    """The message names the column; a reason matched on the message's words took the
    column's name for the reason."""
    path = tmp_path / "export.csv"
    path.write_text(f'id,"{column}"\n1,123456789\n', encoding="utf-8")
    unreadable = read_csv_export(path, "export", LIMITS).unreadable
    assert column in unreadable.get_column("message")[0]
    assert unreadable.get_column("reason").to_list() == ["a field is longer than the limit"]


def test_the_reason_comes_from_the_code_whatever_the_message_says() -> None:
    misleading = "record 2 has 3 cells, the header has 2 (not valid UTF-8)"
    issue = Issue("parse-error", "error", "export", 2, None, "raw", misleading)
    batch = Batch(
        pl.DataFrame(),
        pl.Series("row", [], dtype=pl.Int64),
        [issue],
        {2: "raw"},
        reasons={2: ParseReason.CUT_SHORT},
    )
    (record,) = unreadable_records([batch]).rows()
    assert record == (2, UNREADABLE_REASONS[ParseReason.CUT_SHORT], misleading, "raw")


JSONL_LINES = {
    b"{": ParseReason.NOT_JSON,
    b"[1, 2]": ParseReason.NOT_AN_OBJECT,
    b'{"a": 1, "a": 2}': ParseReason.REPEATED_KEY,
    b'{"a": [[[[[1]]]]]}': ParseReason.TOO_DEEP,
    b"{" + b", ".join(b'"k%d": 1' % n for n in range(41)) + b"}": ParseReason.TOO_MANY_KEYS,
    b'{"a": "' + b"x" * 500 + b'"}': ParseReason.LINE_TOO_LONG,
}


@pytest.mark.parametrize("line", sorted(JSONL_LINES))
def test_each_refused_jsonl_line_has_its_code(line: bytes, tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b'{"event_id": "E1"}\n' + line + b"\n")
    assert _reasons(path) == {2: JSONL_LINES[line]}
