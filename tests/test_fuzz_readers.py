"""Every reader (JSONL, CSV, Parquet) on arbitrary bytes and on mutations of valid files
(bytes flipped, cut, inserted): only a `CurateError` ever escapes (exit 2, one line),
never a traceback, a segfault or a Rust panic; the verdict does not depend on how the
file is cut into chunks and batches; and rows in = rows out: every non-blank line of a
JSONL file, every record of a CSV file, every row of a Parquet file is counted, and
every issue names one of them. Gzip input is not supported (an unknown file type).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curate.errors import CurateError
from curate.readers.limits import Limits
from curate.report import Report
from curate.validation.paths import validate_paths
from tests.helpers import run_cli, write_csv, write_jsonl, write_parquet

TABLE = "sources"
ROWS: list[dict[str, Any]] = [
    {"source_id": "s1", "publisher": "Reuters", "title": 'a "quoted", title'},
    {"source_id": "s2", "publisher": "AFP", "published_on": "2015-09-17"},
    {"source_id": "s3", "publisher": "AP", "title": "two\nlines", "language": "en"},
    {"source_id": "s4", "publisher": "Enab", "retrieved_at": "2015-09-18T10:00:00Z"},
    {"source_id": "s5", "publisher": "SOHR", "url": "https://example.org/a?b=c"},
]
WRITERS = {"jsonl": write_jsonl, "csv": write_csv, "parquet": write_parquet}


def _valid(kind: str, directory: Path) -> bytes:
    path = directory / f"valid.{kind}"
    if kind == "jsonl":
        write_jsonl(path, ROWS)
    elif kind == "csv":
        write_csv(path, ROWS, TABLE)
    else:
        import datetime as dt

        typed = [
            {
                **row,
                "published_on": dt.date(2015, 9, 17) if "published_on" in row else None,
                "retrieved_at": dt.datetime(2015, 9, 18, 10, tzinfo=dt.UTC)
                if "retrieved_at" in row
                else None,
            }
            for row in ROWS
        ]
        write_parquet(path, typed, TABLE)
    return path.read_bytes()


# Bytes that matter to some reader: line and record ends, quotes, brackets, escapes,
# bytes that are not UTF-8, a BOM, a NUL, and deep nesting.
_PIECES = st.sampled_from(
    [b"\n", b"\r\n", b"\r", b'"', b",", b"{", b"}", b"[" * 70, b":", b"\\", b"\\u0061", b"\xff",
     b"\xef\xbb\xbf", b"\x00", b" ", b"\t", b"NaN", b"1e400", b"9223372036854775808",
     b'"source_id": "s1", ', b"PAR1", b"sep=,\n"]
)  # fmt: skip


@st.composite
def _mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """`data` with a few bytes flipped, pieces inserted, stretches removed, or cut short."""
    result = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(result)))
        action = draw(st.sampled_from(["flip", "insert", "delete", "cut"]))
        if action == "flip" and where < len(result):
            result[where] ^= 1 << draw(st.integers(0, 7))
        elif action == "insert":
            result[where:where] = draw(st.one_of(_PIECES, st.binary(max_size=8)))
        elif action == "delete":
            del result[where : where + draw(st.integers(1, 16))]
        elif action == "cut":
            del result[where:]
    return bytes(result)


Outcome = tuple[str, Any]


def _outcome(path: Path, limits: Limits | None = None) -> Outcome:
    """What the API makes of the file: a refusal (a CurateError, exit 2), or the report's
    counts and issues. Any other exception fails the test."""
    try:
        report = validate_paths([path], table=TABLE, limits=limits, max_issues=None).report
    except CurateError as exc:
        refusal = (exc.exit_code, str(exc))
    else:
        return "report", _verdict(report)
    code, message = refusal
    assert code == 2
    assert message.strip()  # the command shows it on one line, line breaks escaped
    return "refused", code


def _verdict(report: Report) -> tuple[Any, ...]:
    issues = sorted((i.code, i.row or 0, i.field or "") for i in report.issues)
    return dict(report.rows), dict(report.rejected), issues


def _jsonl_lines(data: bytes) -> set[int]:
    """The numbers of the lines that hold a record (not blank)."""
    lines = data.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    return {number for number, line in enumerate(lines, start=1) if line.strip()}


def _csv_records(data: bytes) -> set[int]:
    """The numbers of the records after the header, as the csv module reads them."""
    text = data.decode("utf-8-sig", "surrogateescape")
    records = [r for r in csv.reader(io.StringIO(text, newline="")) if r]
    return set(range(2, len(records) + 1))


def _rows_in(kind: str, data: bytes) -> set[int] | None:
    """Which row numbers the file holds (None for Parquet the reader cannot open)."""
    if kind == "jsonl":
        return _jsonl_lines(data)
    if kind == "csv":
        try:
            return _csv_records(data)
        except csv.Error:
            return None
    try:
        rows = pq.ParquetFile(pa.py_buffer(data)).metadata.num_rows
    except Exception:  # any failure: the file is not readable Parquet
        return None
    return set(range(1, rows + 1))


def _check_rows_in_rows_out(kind: str, data: bytes, outcome: Outcome) -> None:
    """Every record is counted once, and every issue with a row names one of them."""
    status, detail = outcome
    if status == "refused":
        return
    rows, rejected, issues = detail
    expected = _rows_in(kind, data)
    named = {row for _, row, _ in issues if row}
    if kind == "parquet" and any(code == "parse-error" for code, _, _ in issues):
        # Parquet data that cannot be decoded ends the file with one parse error (at the
        # first row not read, or for the whole file): the rows after it are not counted
        # one by one (the Parquet reader's own contract, not checked here).
        assert expected is None or named <= expected
        return
    assert rejected[TABLE] <= rows[TABLE]
    if expected is None:
        return
    assert rows[TABLE] == len(expected), (rows, sorted(expected))
    assert named <= expected, (named, sorted(expected))


def _write(directory: Path, kind: str, data: bytes) -> Path:
    path = directory / f"{TABLE}.{kind}"
    path.write_bytes(data)
    return path


_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.parametrize("kind", sorted(WRITERS))
@_SETTINGS
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_are_a_verdict_or_a_clear_refusal(
    tmp_path_factory: pytest.TempPathFactory, kind: str, data: bytes
) -> None:
    path = _write(tmp_path_factory.mktemp("bytes"), kind, data)
    _check_rows_in_rows_out(kind, data, _outcome(path))


@pytest.mark.parametrize("kind", sorted(WRITERS))
@_SETTINGS
@given(data=st.data(), chunk=st.integers(16, 512), batch=st.integers(1, 7))
def test_mutated_files_are_a_verdict_whatever_the_chunks(
    tmp_path_factory: pytest.TempPathFactory, kind: str, data: st.DataObject, chunk: int, batch: int
) -> None:
    """A valid file changed a little: rows in = rows out, and the same verdict in one
    chunk and batch as in many small ones."""
    directory = tmp_path_factory.mktemp("mutated")
    content = data.draw(_mutated(_valid(kind, directory)))
    path = _write(directory, kind, content)
    whole = _outcome(path)
    _check_rows_in_rows_out(kind, content, whole)
    assert _outcome(path, Limits(chunk_bytes=chunk, batch_rows=batch)) == whole


@pytest.mark.parametrize("kind", sorted(WRITERS))
@settings(max_examples=4, deadline=None)
@given(data=st.data())
def test_the_command_gives_the_apis_verdict_on_mutated_files(
    tmp_path_factory: pytest.TempPathFactory, kind: str, data: st.DataObject
) -> None:
    """A sample through the real command: exit 0, 1 or 2, never a traceback or a panic;
    on exit 2 one line on stderr; otherwise the API's counts."""
    directory = tmp_path_factory.mktemp("cli")
    content = data.draw(_mutated(_valid(kind, directory)))
    path = _write(directory, kind, content)
    result = run_cli("validate", str(path), "--format", "json", "--max-errors", "100000")
    assert result.returncode in (0, 1, 2), result.stderr
    assert "Traceback" not in result.stderr
    assert "panicked" not in result.stderr
    status, detail = _outcome(path)
    if result.returncode == 2:
        assert status == "refused"
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        return
    document = json.loads(result.stdout)
    assert status == "report"
    assert (document["rows"], document["rejected_rows"]) == (detail[0], detail[1])
    assert (result.returncode == 0) == document["valid"]


def test_gzip_input_is_refused_as_an_unknown_file_type(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "sources.jsonl.gz"
    path.write_bytes(gzip.compress(json.dumps(ROWS[0]).encode()))
    result = run_cli("validate", str(path), "--table", TABLE)
    assert result.returncode == 2
    assert "unknown file type '.gz'" in result.stderr
