"""Validating files: readers, row numbers, batches, keys across batches, quarantine."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import curate
from curate.errors import InputError
from curate.readers.csv import OPEN_QUOTE
from curate.readers.limits import Limits
from curate.report import Report
from curate.testing import strategies as cs
from curate.validation.paths import validate_paths
from curate.validation.quarantine import write_quarantine
from tests.helpers import write_csv, write_jsonl, write_parquet

WRITERS = {
    "jsonl": lambda path, rows, table: write_jsonl(path, rows),
    "csv": write_csv,
    "parquet": write_parquet,
}


def _verdict(report: Report) -> tuple[dict[str, int], dict[str, int], dict[str, int], list[Any]]:
    return (
        dict(report.counts),
        dict(report.rows),
        dict(report.rejected),
        sorted((i.code, i.row, i.field) for i in report.issues),
    )


def _mix(data: st.DataObject, table: str, kind: str) -> list[dict[str, Any]]:
    """Valid rows of `table` mixed with labelled invalid cases (Parquet is typed, so it
    cannot carry a value of the wrong type)."""
    key = "event_id" if table == "events" else f"{table[:-1]}_id"
    rows: list[dict[str, Any]] = []
    cases = cs.invalid_rows(table)
    if kind == "parquet":
        cases = cases.filter(lambda case: case.code != "type-error")
    for case in data.draw(st.lists(cases, max_size=3)):
        rows += case.rows
    rows += data.draw(st.lists(cs.rows(table), max_size=6))
    for index, row in enumerate(rows):
        if row.get(key) is not None and data.draw(st.booleans()):
            row[key] = f"{row[key]}-{index}"  # keep a few duplicates, not all
    return data.draw(st.permutations(rows))


@settings(max_examples=30)
@given(data=st.data())
def test_one_batch_or_many_gives_the_same_report(
    data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    table = data.draw(st.sampled_from(["events", "claims", "sources"]))
    kind = data.draw(st.sampled_from(sorted(WRITERS)))
    rows = _mix(data, table, kind)
    if not rows:
        return
    path = WRITERS[kind](tmp_path_factory.mktemp("batches") / f"{table}.{kind}", rows, table)
    whole = validate_paths([path], max_issues=None).report
    batch_rows = data.draw(st.integers(1, max(len(rows), 1)))
    chunk_bytes = data.draw(st.integers(64, 1 << 16))
    limits = Limits(batch_rows=batch_rows, chunk_bytes=chunk_bytes)
    pieces = validate_paths([path], max_issues=None, limits=limits).report
    assert _verdict(whole) == _verdict(pieces)


@settings(max_examples=30)
@given(data=st.data())
def test_quarantine_keeps_every_row(
    data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """rows in = rows valid + rows rejected, and the rejected rows carry their codes."""
    table = data.draw(st.sampled_from(["events", "claims", "sources"]))
    kind = data.draw(st.sampled_from(sorted(WRITERS)))
    rows = _mix(data, table, kind)
    directory = tmp_path_factory.mktemp("quarantine")
    path = WRITERS[kind](directory / f"{table}.{kind}", copy.deepcopy(rows), table)
    run = validate_paths([path], limits=Limits(batch_rows=data.draw(st.integers(1, 8))))
    (counts,) = write_quarantine(run, directory / "out")
    valid_lines = counts.valid_file.read_bytes().splitlines()
    rejected_lines = counts.rejected_file.read_bytes().splitlines()
    assert counts.rows == len(rows) == counts.valid + counts.rejected
    assert (len(valid_lines), len(rejected_lines)) == (counts.valid, counts.rejected)
    assert counts.rejected == run.report.rejected[table]
    rejected = [json.loads(line) for line in rejected_lines]
    flagged = {i.row for i in run.report.issues if i.severity == "error" and i.row is not None}
    assert {r["row"] for r in rejected} == flagged
    assert all(r["codes"] for r in rejected)
    if run.report.valid:
        assert counts.rejected == 0


def test_row_numbers_are_the_inputs_own(tmp_path: Path) -> None:
    rows = [{"source_id": "s1", "publisher": "Reuters"}, {"source_id": "-bad", "publisher": "AFP"}]
    jsonl = tmp_path / "sources.jsonl"
    jsonl.write_text(json.dumps(rows[0]) + "\n\n" + json.dumps(rows[1]) + "\n", encoding="utf-8")
    (issue,) = validate_paths([jsonl]).report.issues
    assert (issue.code, issue.row, issue.field, issue.path) == (
        "pattern",
        3,
        "source_id",
        str(jsonl),
    )
    csv = tmp_path / "sources.csv"
    csv.write_text('source_id,publisher\ns1,"Reuters\nBeirut"\n-bad,AFP\n', encoding="utf-8")
    (issue,) = validate_paths([csv]).report.issues
    assert (issue.code, issue.row) == ("pattern", 3)  # the record number; the header is 1
    parquet = write_parquet(tmp_path / "sources.parquet", rows, "sources")
    (issue,) = validate_paths([parquet]).report.issues
    assert (issue.code, issue.row) == ("pattern", 2)


def test_ragged_csv_rows_are_parse_errors_with_their_record_number(tmp_path: Path) -> None:
    path = tmp_path / "sources.csv"
    path.write_text("source_id,publisher\ns1,Reuters\ns2\ns3,AFP,extra\ns4,AP\n", encoding="utf-8")
    report = validate_paths([path]).report
    assert [(i.code, i.row) for i in report.issues] == [("parse-error", 3), ("parse-error", 4)]
    assert report.rows["sources"] == 4
    assert report.rejected["sources"] == 2


def test_keys_are_unique_across_batches_and_files(tmp_path: Path) -> None:
    first = write_jsonl(
        tmp_path / "sources-a.jsonl", [{"source_id": f"s{i}", "publisher": "P"} for i in range(5)]
    )
    second = write_jsonl(tmp_path / "sources-b.jsonl", [{"source_id": "s3", "publisher": "Q"}])
    report = validate_paths([first, second], limits=Limits(batch_rows=2)).report
    found = sorted((Path(i.path or "").name, i.row) for i in report.issues if i.code == "unique")
    assert found == [("sources-a.jsonl", 4), ("sources-b.jsonl", 1)]


def test_foreign_keys_across_files(tmp_path: Path) -> None:
    dataset: dict[str, list[dict[str, Any]]] = {
        "sources": [{"source_id": "s1", "publisher": "Reuters"}],
        "claims": [
            {
                "claim_id": "c1",
                "event_id": "e1",
                "source_id": "s1",
                "claimant": "x",
                "claimant_type": "witness",
                "partisan": False,
                "subject": "occurrence",
                "qualifier": "unquantified",
                "hedge": "reported",
                "adopted": True,
            },
            {
                "claim_id": "c2",
                "event_id": "e1",
                "source_id": "s9",
                "claimant": "x",
                "claimant_type": "witness",
                "partisan": False,
                "subject": "occurrence",
                "qualifier": "unquantified",
                "hedge": "reported",
                "adopted": True,
            },
        ],
    }
    paths = [write_jsonl(tmp_path / f"{name}.jsonl", rows) for name, rows in dataset.items()]
    report = validate_paths(paths).report
    assert [(i.code, i.table, i.row, i.field, i.value) for i in report.issues] == [
        ("foreign-key", "claims", 2, "source_id", "s9")
    ]


def test_truncated_parquet_is_a_parse_error(tmp_path: Path) -> None:
    good = write_parquet(
        tmp_path / "whole.parquet", [{"source_id": "s1", "publisher": "P"}], "sources"
    )
    broken = tmp_path / "sources.parquet"
    broken.write_bytes(good.read_bytes()[:-20])
    report = validate_paths([broken]).report
    assert [i.code for i in report.issues] == ["parse-error"]
    assert not report.valid


def test_parquet_with_wrong_column_types_gives_type_errors(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "sources.parquet"
    pq.write_table(
        pa.table(
            {"source_id": ["s1", "s2"], "publisher": ["P", "Q"], "published_on": [20150917, None]}
        ),
        path,
    )
    report = validate_paths([path]).report
    assert [(i.code, i.row, i.field) for i in report.issues] == [("type-error", 1, "published_on")]


def test_a_declared_decompression_bomb_is_refused_before_reading(tmp_path: Path) -> None:
    path = write_parquet(
        tmp_path / "sources.parquet", [{"source_id": "s1", "publisher": "P" * 5000}], "sources"
    )
    with pytest.raises(InputError, match="refused before decompressing"):
        validate_paths([path], limits=Limits(max_row_group_bytes=1000))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.jsonl", "no such file"),
        ("events.txt", "unknown file type"),
        ("records.jsonl", "cannot tell which table"),
    ],
)
def test_inputs_that_cannot_be_read_raise_input_errors(
    tmp_path: Path, name: str, message: str
) -> None:
    path = tmp_path / name
    if name != "missing.jsonl":
        path.write_text("{}\n", encoding="utf-8")
    with pytest.raises(InputError, match=message):
        validate_paths([path])


def test_curate_validate_takes_a_path(tmp_path: Path) -> None:
    import curate

    path = write_jsonl(
        tmp_path / "sources.jsonl",
        [{"source_id": "s1", "publisher": "P"}, {"source_id": "s1", "publisher": "Q"}],
    )
    report = curate.validate(path)
    assert [(i.code, i.row) for i in report.issues] == [("unique", 1), ("unique", 2)]
    assert curate.validate(str(path), "sources").counts == report.counts


def test_hostile_json_lines_are_parse_errors_wherever_they_fall(tmp_path: Path) -> None:
    """The fast reader hands every chunk it cannot take exactly to the line reader."""
    good = '{"source_id": "s%d", "publisher": "P"}'
    hostile = [
        '{"source_id": "n1", "publisher": "P", "title": NaN}',
        '{"source_id": "i1", "publisher": "P", "extra": [1, -Infinity]}',
        '{"source_id": "d1", "publisher": "P", "publisher": "Q"}',
        '{"source_id": "u1", "publisher": "\\ud800"}',
        '{"source_id": "b1", "publisher": ',
        "[1, 2]",
        '{"source_id": "e1", "publisher": "P", "extra": 1e400}',
        '{"source_id": "x' + "x" * 300 + '", "publisher": "P"}',
    ]
    lines = [good % i for i in range(20)]
    for position, line in zip((3, 5, 7, 8, 12, 15, 16, 18), hostile, strict=True):
        lines[position] = line
    lines.insert(10, "")  # a blank line shifts the numbers after it
    path = tmp_path / "sources.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for limits in (Limits(), Limits(chunk_bytes=100), Limits(max_line_bytes=200)):
        report = validate_paths([path], limits=limits).report
        parse_errors = sorted(i.row or 0 for i in report.issues if i.code == "parse-error")
        too_long = limits.max_line_bytes < 300  # line 20: a parse error, or a bad id
        assert parse_errors == [4, 6, 8, 9, 14, 17, 18] + ([20] if too_long else []), limits
        patterns = [i.row for i in report.issues if i.code == "pattern"]
        assert patterns == ([] if too_long else [20])
        assert report.rows["sources"] == 20
        assert report.rejected["sources"] == 8


def test_a_csv_with_only_a_header_still_has_its_columns_checked(tmp_path: Path) -> None:
    path = tmp_path / "sources.csv"
    path.write_text("source_id,author\n", encoding="utf-8")
    report = validate_paths([path]).report
    assert sorted((i.code, i.field) for i in report.issues) == [
        ("required", "publisher"),
        ("unknown-field", "author"),
    ]
    assert report.rows["sources"] == 0


def test_nan_and_infinity_in_number_fields_are_parse_errors_on_the_fast_path(
    tmp_path: Path,
) -> None:
    """pyarrow's reader takes NaN and Infinity; such a chunk goes to the exact reader."""
    lines = [
        '{"event_id": "e1", "latitude": 1.5}',
        '{"event_id": "e2", "latitude": NaN}',
        '{"event_id": "e3", "confidence": -Infinity}',
        '{"event_id": "e4", "longitude": 2.5}',
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for limits in (Limits(), Limits(chunk_bytes=40)):
        report = validate_paths([path], limits=limits).report
        assert sorted(i.row or 0 for i in report.issues if i.code == "parse-error") == [2, 3]


@settings(max_examples=200)
@given(
    lengths=st.lists(st.integers(0, 40), max_size=30),
    terminated=st.booleans(),
    limit=st.integers(1, 50),
)
def test_line_stats_count_lines_and_find_every_line_over_the_limit(
    lengths: list[int], terminated: bool, limit: int
) -> None:
    from curate.readers.jsonl import line_stats

    text = b"\n".join(b"{" * n for n in lengths) + (b"\n" if terminated and lengths else b"")
    lines, longest, plain = line_stats(memoryview(bytearray(text)), limit)
    pieces = text.split(b"\n")
    if not pieces[-1]:  # after the last newline (or in an empty chunk): no line
        pieces = pieces[:-1]
    real = [len(p) for p in pieces]
    assert lines == len(real)
    assert plain == all(p.startswith(b"{") for p in pieces)
    if max(real, default=0) > limit:
        assert longest == max(real)
    else:
        assert longest <= limit


def _json_safe(case: cs.InvalidDataset) -> bool:
    """Whether JSON can carry the case (it has no NaN or infinity)."""
    return all(
        not (isinstance(v, float) and not math.isfinite(v))
        for rows in case.tables.values()
        for row in rows
        for v in row.values()
    )


@settings(max_examples=25)
@given(
    case=cs.invalid_datasets().filter(_json_safe),
    layout=st.sampled_from(["directory", "files"]),
)
def test_files_give_the_verdict_of_whole_tables_in_memory(
    tmp_path_factory: pytest.TempPathFactory, case: cs.InvalidDataset, layout: str
) -> None:
    """A dataset read from files keeps only the columns the dataset rules read; the
    verdict must be the one on whole in-memory tables, for a directory or three files."""
    directory = tmp_path_factory.mktemp("dataset")
    paths = [write_jsonl(directory / f"{name}.jsonl", rows) for name, rows in case.tables.items()]
    from_files = validate_paths([directory] if layout == "directory" else paths).report
    in_memory = curate.validate(case.tables)
    assert _verdict(from_files) == _verdict(in_memory)


def test_errors_only_skips_warnings_and_keeps_every_error(tmp_path: Path) -> None:
    """What a store loaded for a write is checked with: the same errors, no warnings."""
    path = tmp_path / "sources.jsonl"
    path.write_text(
        '{"source_id": "s1", "publisher": "Reu\\u202eters"}\n{"source_id": "bad id"}\n',
        encoding="utf-8",
    )
    full = validate_paths([path]).report
    lean = validate_paths([path], errors_only=True).report
    assert full.warning_count == 1
    assert lean.warning_count == 0
    assert [(i.code, i.row) for i in lean.issues] == [
        (i.code, i.row) for i in full.issues if i.severity == "error"
    ]


# The two CSV readers: pyarrow on all cores, and the exact one it falls back to.

_CELLS = st.one_of(
    st.sampled_from(["", "NA", "null", "N/A", "NaN", '"', '""', "a,b", "x\ny", "\r\n", " "]),
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12),
)


def _read(
    path: Path, *, exact: bool, chunk_bytes: int = Limits().chunk_bytes
) -> tuple[list[Any], list[tuple[int | None, str]]] | None:
    """The rows (with their record numbers) and parse errors the reader gives, or None
    where the fast reader hands the file over to the exact one."""
    from curate.readers.csv import CsvFastPathError
    from curate.readers.files import read_batches
    from curate.schema.model import Table

    table = Table("export", "export", "a CSV file", (), ())
    try:
        limits = Limits(chunk_bytes=chunk_bytes)
        batches = list(read_batches(path, table, limits, exact_csv=exact))
    except CsvFastPathError:
        return None
    rows = [
        (number, *row)
        for batch in batches
        for number, row in zip(batch.rows, batch.frame.rows(), strict=True)
    ]
    return rows, [(issue.row, issue.message) for batch in batches for issue in batch.issues]


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.lists(_CELLS, min_size=3, max_size=3), max_size=6),
    cut=st.integers(0, 10_000),
    crlf=st.booleans(),
    quote_all=st.booleans(),
    chunk_bytes=st.sampled_from([16, 100, Limits().chunk_bytes]),
)
def test_the_fast_csv_reader_agrees_with_the_exact_one_or_hands_over(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[list[str]],
    cut: int,
    crlf: bool,
    quote_all: bool,
    chunk_bytes: int,
) -> None:
    """Any CSV file, whole or cut short at any byte, read in chunks of any size: where
    pyarrow reads it, it reads the same cells (only an empty cell is missing) with the
    same record numbers as the exact reader; a record cut short inside a quoted field is
    a parse error."""
    import csv
    import io

    text = io.StringIO()
    ending = "\r\n" if crlf else "\n"
    if quote_all:
        writer = csv.writer(text, lineterminator=ending, quoting=csv.QUOTE_ALL)
    else:
        writer = csv.writer(text, lineterminator=ending)
    writer.writerow(["a", "b", "c"])
    writer.writerows(rows)
    data = text.getvalue().encode("utf-8")
    header = data.index(b"\n") + 1
    path = tmp_path_factory.mktemp("csv") / "cut.csv"
    path.write_bytes(data[: header + cut])
    exact = _read(path, exact=True)
    assert exact is not None
    fast = _read(path, exact=False, chunk_bytes=chunk_bytes)
    if fast is not None:
        assert fast == exact
    if data[: header + cut].count(b'"') % 2:  # cut inside a quoted field
        numbers = [row[0] for row in exact[0]] + [row for row, _ in exact[1]]
        assert (max(numbers), f"record {max(numbers)}: {OPEN_QUOTE}") in exact[1]
    # The csv module leaves a lone carriage return unquoted unless told to quote all:
    # such a file does not hold the rows it was given, only what it holds.
    faithful = quote_all or not any("\r" in cell for row in rows for cell in row)
    if header + cut >= len(data) and faithful:
        assert not exact[1]
        assert [row[1:] for row in exact[0]] == [
            tuple(cell if cell != "" else None for cell in row) for row in rows
        ]


# Cells as people and broken tools write them: stray quotes in unquoted text, quoted
# cells with line breaks and doubled quotes, a quote opened and never closed.
_RAW_CELLS = st.one_of(
    st.sampled_from(['5" of rain', 'a"b', '"q"', '"x\ny"', '"say ""hi"""', '"open', "", "ok"]),
    st.text(alphabet='ab" \n', max_size=6),
)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.lists(_RAW_CELLS, min_size=2, max_size=4), max_size=8),
    cut=st.integers(0, 300),
    chunk_bytes=st.sampled_from([8, 32, Limits().chunk_bytes]),
)
def test_the_csv_readers_agree_on_stray_quotes_anywhere(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], cut: int, chunk_bytes: int
) -> None:
    """Text written without any quoting rules (stray quotes, quotes that open a cell and
    never close, line breaks anywhere), cut at any byte: where pyarrow reads it, it reads
    what the exact reader reads."""
    data = ("a,b,c\n" + "".join(",".join(row) + "\n" for row in rows)).encode("utf-8")
    path = tmp_path_factory.mktemp("stray") / "stray.csv"
    path.write_bytes(data[: 6 + cut])
    exact = _read(path, exact=True)
    fast = _read(path, exact=False, chunk_bytes=chunk_bytes)
    assert exact is not None
    if fast is not None:
        assert fast == exact


# A row's verdict is its own: the same alone as among any other rows, whichever reader
# (pyarrow's on a clean chunk, the exact one on a chunk with a bad line) reads it.

_JSON_VALUES = [
    b"9223372036854775808",  # 2^63
    b"9223372036854775807",
    b"-9223372036854775808",
    b"-9223372036854775809",
    b"18446744073709551616",  # 2^64
    b"1" + b"0" * 30,
    b"1e400",
    b"1e308",
    b"9007199254740993",
    b"1.0",
    b"1E2",
    b"-0",
    b"0.5",
    b"true",
    b"null",
    b'"12"',
    b"[1]",
    b'{"a": 1}',
    b'"2015-09-17"',
    b'"2015-9-7"',
    b'" 2015-09-17"',
    b'"2016-12-31T23:59:60Z"',
    b'"2015-09-17T10:00:00+02:00"',
    b'"2015-09-17T10:00:00"',
    b"NaN",
]
# Fields of each type the schema has: integer, number, boolean, date, datetime.
_TYPED_FIELDS = ["fatalities_best", "revision", "latitude", "civilian_targeting", "date_anchor",
                 "extracted_at"]  # fmt: skip


def _event_json(index: int, values: dict[str, bytes]) -> bytes:
    from tests.hostile.cases import EVENT

    base = {k: v for k, v in EVENT.items() if k not in values} | {"event_id": f"e{index}"}
    extra = b"".join(b', "%s": %s' % (name.encode(), raw) for name, raw in values.items())
    return json.dumps(base).encode()[:-1] + extra + b"}"


def _event_csv(rows: list[dict[str, str]]) -> bytes:
    import csv
    import io

    from tests.hostile.cases import EVENT

    text = io.StringIO()
    writer = csv.DictWriter(
        text, fieldnames=list(dict.fromkeys([*EVENT, *_TYPED_FIELDS])), lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows({**EVENT, **row} for row in rows)
    return text.getvalue().encode()


def _row_verdicts(path: Path, limits: Limits) -> dict[int, set[tuple[str, str | None]]]:
    report = validate_paths([path], max_issues=None, limits=limits).report
    verdicts: dict[int, set[tuple[str, str | None]]] = {}
    for issue in report.issues:
        if issue.row is not None:
            verdicts.setdefault(issue.row, set()).add((issue.code, issue.field))
    return verdicts


_ROW_VALUES = st.dictionaries(st.sampled_from(_TYPED_FIELDS), st.sampled_from(_JSON_VALUES))


@settings(max_examples=60, deadline=None)
@given(
    target=_ROW_VALUES,
    others=st.lists(st.one_of(_ROW_VALUES, st.just(None)), max_size=6),
    position=st.integers(0, 6),
    chunk_bytes=st.sampled_from([64, 1 << 20]),
)
# 2^63 is a number and -2^63 an integer alone; a misfit elsewhere in the column (`true`)
# once made both type errors.
@example({"latitude": b"9223372036854775808"}, [{"latitude": b"true"}], 0, 1 << 20)
@example({"fatalities_best": b"-9223372036854775808"}, [{"fatalities_best": b'"1"'}], 1, 1 << 20)
def test_a_jsonl_rows_verdict_does_not_depend_on_the_other_rows(
    tmp_path_factory: pytest.TempPathFactory,
    target: dict[str, bytes],
    others: list[dict[str, bytes] | None],
    position: int,
    chunk_bytes: int,
) -> None:
    """2^63, -2^63-1, 1e400, 9007199254740993, lax dates ... in integer, number, boolean,
    date and datetime fields: the row's issues alone are its issues in any batch (None
    stands for a broken line, which sends the chunk to the exact reader)."""
    directory = tmp_path_factory.mktemp("row-local")
    limits = Limits(chunk_bytes=chunk_bytes)
    alone = directory / "alone" / "events.jsonl"
    alone.parent.mkdir()
    alone.write_bytes(_event_json(0, target) + b"\n")
    lines = [b'{"event_id": "broken' if row is None else _event_json(i + 1, row)
             for i, row in enumerate(others)]  # fmt: skip
    where = min(position, len(lines))
    lines.insert(where, _event_json(0, target))
    batch = directory / "events.jsonl"
    batch.write_bytes(b"\n".join(lines) + b"\n")
    expected = _row_verdicts(alone, limits).get(1, set())
    assert _row_verdicts(batch, limits).get(where + 1, set()) == expected


_CSV_CELLS = [
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "1e400",
    "9007199254740993",
    "1.0",
    " 5",
    "+5",
    "true",
    "True",
    "2015-09-17",
    "2015-9-7",
    "+2015-09-17",
    "20150917",
    "2016-12-31T23:59:60Z",
    "2015-09-17T10:00:00Z",
    "2015-09-17T10:00:00",
    "NaN",
    "",
]


@settings(max_examples=60, deadline=None)
@given(
    target=st.dictionaries(st.sampled_from(_TYPED_FIELDS), st.sampled_from(_CSV_CELLS)),
    others=st.lists(
        st.one_of(
            st.dictionaries(st.sampled_from(_TYPED_FIELDS), st.sampled_from(_CSV_CELLS)),
            st.just(None),
        ),
        max_size=6,
    ),
    position=st.integers(0, 6),
)
def test_a_csv_rows_verdict_does_not_depend_on_the_other_rows(
    tmp_path_factory: pytest.TempPathFactory,
    target: dict[str, str],
    others: list[dict[str, str] | None],
    position: int,
) -> None:
    """The same in CSV (None stands for a ragged record, which sends the file to the
    exact reader)."""
    directory = tmp_path_factory.mktemp("row-local-csv")
    alone = directory / "alone" / "events.csv"
    alone.parent.mkdir()
    alone.write_bytes(_event_csv([{"event_id": "e0", **target}]))
    rows = [
        None if row is None else {"event_id": f"e{i + 1}", **row} for i, row in enumerate(others)
    ]
    where = min(position, len(rows))
    rows.insert(where, {"event_id": "e0", **target})
    header, *records = _event_csv([row or {} for row in rows]).decode().splitlines()
    records = [
        "ragged" if row is None else record for row, record in zip(rows, records, strict=True)
    ]
    batch = directory / "events.csv"
    batch.write_text("\n".join([header, *records]) + "\n", encoding="utf-8")
    expected = _row_verdicts(alone, Limits()).get(2, set())
    assert _row_verdicts(batch, Limits()).get(where + 2, set()) == expected
