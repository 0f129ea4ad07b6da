"""In-memory inputs of `curate.validate` (Arrow tables, polars and pandas frames, a
LazyFrame, lists of dicts) are hostile too: every value the engines cannot represent is a
`type-error` on its row and field, never a panic or a traceback; an Arrow table gets
exactly the verdict of the same table written to Parquet; only CurateError escapes, and
only for an input that is not a table at all."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import assume, given, settings

import curate
from curate.errors import CurateError
from curate.report import Report
from curate.validation.paths import validate_paths
from tests.test_parquet_inputs import Found, arrow_tables

IDS = ["s1", "s2"]
PUBLISHERS = ["Reuters", "AP"]
_UTC = dt.UTC
_BIG = 10**5000  # past Python's limit for int-to-text conversion


def _errors(report: Report) -> Found:
    return {(i.code, i.row, i.field) for i in report.issues if i.severity == "error"}


def _bad(field: str, row: int = 1) -> Found:
    return {("type-error", row, field)}


def _arrow(column: str, values: Any) -> pa.Table:
    return pa.table({"source_id": IDS, "publisher": PUBLISHERS, column: values})


def _polars(column: str, values: pl.Series) -> pl.DataFrame:
    return pl.DataFrame({"source_id": IDS, "publisher": PUBLISHERS}).with_columns(
        values.alias(column)
    )


def _pandas(column: str, values: Any) -> pd.DataFrame:
    frame = pd.DataFrame({"source_id": IDS, "publisher": PUBLISHERS})
    frame[column] = values
    return frame


def _records(column: str, values: list[Any]) -> list[dict[str, Any]]:
    return [
        {"source_id": i, "publisher": p, column: v}
        for i, p, v in zip(IDS, PUBLISHERS, values, strict=True)
    ]


def _days(days: int) -> pl.Series:
    return pl.Series([days, None], dtype=pl.Int32).cast(pl.Date)


def _instants(count: int, unit: Any, zone: str | None = "UTC") -> pl.Series:
    return pl.Series([count, None], dtype=pl.Int64).cast(pl.Datetime(unit, zone))


class _Opaque:
    """An object whose text cannot be had."""

    def __str__(self) -> str:
        raise RuntimeError("no text")

    __repr__ = __str__


_TIMESTAMP_S = pa.array([300_000 * 366 * 86_400, None], pa.int64()).view(pa.timestamp("s", "UTC"))
_DECIMAL256 = pa.array([decimal.Decimal(10**39), None], pa.decimal256(40, 0))

# (name, the input, the errors it must get, and no others)
HOSTILE: list[tuple[str, Callable[[], Any], Found]] = [
    # Arrow tables
    ("arrow decimal256", lambda: _arrow("title", _DECIMAL256), _bad("title")),
    (
        "arrow timestamp[s] of year 300000",
        lambda: _arrow("retrieved_at", _TIMESTAMP_S),
        _bad("retrieved_at"),
    ),
    (
        "arrow date32 at 2^31-1",
        lambda: _arrow("published_on", pa.array([2**31 - 1, None], pa.int32()).view(pa.date32())),
        _bad("published_on"),
    ),
    (
        "arrow binary not UTF-8",
        lambda: _arrow("title", pa.array([b"\xff\xfe", None])),
        _bad("title"),
    ),
    (
        "arrow duration",
        lambda: _arrow("title", pa.array([5, None], pa.int64()).cast(pa.duration("s"))),
        _bad("title"),
    ),
    ("arrow list", lambda: _arrow("title", pa.array([[1, 2], None])), _bad("title")),
    ("arrow struct", lambda: _arrow("title", pa.array([{"a": "x"}, None])), _bad("title")),
    (
        "arrow dictionary text",
        lambda: _arrow("language", pa.array(["en", "fr"]).dictionary_encode()),
        set(),
    ),
    (
        "arrow text is not parsed",
        lambda: _arrow("published_on", ["2015-01-02", None]),
        _bad("published_on"),
    ),
    ("arrow record batch", lambda: _arrow("title", _DECIMAL256).to_batches()[0], _bad("title")),
    # polars frames
    (
        "polars Date of year 300000",
        lambda: _polars("published_on", _days(106_000_000)),
        _bad("published_on"),
    ),
    (
        "polars Datetime('ns') extreme",
        lambda: _polars("retrieved_at", _instants(2**63 - 1, "ns")),
        _bad("retrieved_at"),
    ),
    (
        "polars Datetime('ms') past year 9999",
        lambda: _polars("retrieved_at", _instants(2**62, "ms")),
        _bad("retrieved_at"),
    ),
    (
        "polars naive Datetime",
        lambda: _polars("retrieved_at", _instants(0, "us", None)),
        _bad("retrieved_at"),
    ),
    ("polars Date in a text field", lambda: _polars("title", _days(-(2**31))), _bad("title")),
    (
        "polars Date out of range unknown",
        lambda: _polars("extra", _days(2**31 - 1)),
        {("unknown-field", None, "extra")},
    ),
    (
        "polars Categorical",
        lambda: _polars("language", pl.Series(["en", None], dtype=pl.Categorical)),
        set(),
    ),
    (
        "polars Enum",
        lambda: _polars("language", pl.Series(["en", "fr"], dtype=pl.Enum(["en", "fr"]))),
        set(),
    ),
    (
        "polars text date parsed",
        lambda: _polars("published_on", pl.Series(["2015-01-02", "x"])),
        _bad("published_on", 2),
    ),
    (
        "polars Decimal",
        lambda: _polars("title", pl.Series([decimal.Decimal("1.5"), None])),
        _bad("title"),
    ),
    (
        "polars Duration",
        lambda: _polars("title", pl.Series([2**62, None]).cast(pl.Duration("ms"))),
        _bad("title"),
    ),
    ("polars Binary", lambda: _polars("title", pl.Series([b"\xff", None])), _bad("title")),
    (
        "polars List of Date",
        lambda: _polars(
            "title", pl.Series([[2**31 - 1], None]).cast(pl.List(pl.Int32)).cast(pl.List(pl.Date))
        ),
        _bad("title"),
    ),
    ("polars Struct", lambda: _polars("title", pl.Series([{"a": 1}, None])), _bad("title")),
    (
        "polars Object",
        lambda: _polars("title", pl.Series([_Opaque(), "ok"], dtype=pl.Object)),
        _bad("title"),
    ),
    (
        "polars Null required",
        lambda: _polars("publisher", pl.Series([None, None])),
        {("required", 1, "publisher"), ("required", 2, "publisher")},
    ),
    (
        "polars LazyFrame",
        lambda: _polars("published_on", _days(106_000_000)).lazy(),
        _bad("published_on"),
    ),
    # pandas frames
    ("pandas category", lambda: _pandas("language", pd.Categorical(["en", "fr"])), set()),
    (
        "pandas fixed-offset time zone",
        lambda: _pandas(
            "retrieved_at", pd.to_datetime(pd.Series(["2015-01-02T03:04:05+02:00", None]))
        ),
        set(),
    ),
    (
        "pandas mixed object",
        lambda: _pandas("title", pd.Series([1, "x"], dtype=object)),
        _bad("title"),
    ),
    (
        "pandas Decimal objects",
        lambda: _pandas("title", [decimal.Decimal("1.5"), None]),
        _bad("title"),
    ),
    ("pandas bytes", lambda: _pandas("title", [b"\xff", None]), _bad("title")),
    ("pandas opaque object", lambda: _pandas("title", [_Opaque(), None]), _bad("title")),
    (
        "pandas huge int",
        lambda: _pandas("title", pd.Series([_BIG, "x"], dtype=object)),
        _bad("title"),
    ),
    ("pandas text dates parsed", lambda: _pandas("published_on", ["2015-01-02", None]), set()),
    (
        "pandas naive datetimes",
        lambda: _pandas("retrieved_at", pd.to_datetime(pd.Series(["2015-01-02", None]))),
        _bad("retrieved_at"),
    ),
    # lists of dicts
    ("records bytes", lambda: _records("title", [b"\xff", None]), _bad("title")),
    ("records Decimal", lambda: _records("title", [decimal.Decimal("NaN"), None]), _bad("title")),
    (
        "records naive datetime",
        lambda: _records("retrieved_at", [dt.datetime(2015, 1, 2), None]),
        _bad("retrieved_at"),
    ),
    (
        "records aware datetime",
        lambda: _records("retrieved_at", [dt.datetime(2015, 1, 2, tzinfo=_UTC), None]),
        set(),
    ),
    ("records huge int", lambda: _records("title", [_BIG, None]), _bad("title")),
    ("records nested", lambda: _records("title", [{"a": [1, {"b": b"x"}]}, None]), _bad("title")),
    ("records opaque", lambda: _records("title", [_Opaque(), None]), _bad("title")),
    (
        "records huge int unknown",
        lambda: _records("extra", [_BIG, None]),
        {("unknown-field", None, "extra")},
    ),
]


@pytest.mark.parametrize(("name", "make", "expected"), HOSTILE, ids=[c[0] for c in HOSTILE])
def test_a_hostile_in_memory_value_is_an_error_on_its_row(
    name: str, make: Callable[[], Any], expected: Found
) -> None:
    report = curate.validate(make(), "sources")
    assert _errors(report) == expected
    assert dict(report.rows) == {"sources": 2}
    json.dumps([i.to_dict() for i in report.issues])  # every value is text
    for issue in report.issues:
        if issue.code == "type-error":
            assert issue.value is not None


NOT_TABLES = {
    "a number": 42,
    "an object": object(),
    "a list of numbers": [1, 2],
    "a row, then a number": [{"source_id": "s1"}, 3],
    "None": None,
}


# Named ids: a repr with an address would differ between test processes.
@pytest.mark.parametrize("data", list(NOT_TABLES.values()), ids=list(NOT_TABLES))
def test_something_that_is_not_a_table_is_a_curate_error(data: Any) -> None:
    with pytest.raises(CurateError):
        curate.validate(data, "sources")


def _file_errors(table: pa.Table, directory: Path) -> tuple[Found, dict[str, int]]:
    path = directory / "events.parquet"
    pq.write_table(table, path)
    report = validate_paths([path], "events", max_issues=10_000).report
    return _errors(report), dict(report.rows)


@settings(max_examples=60)
@given(arrow_tables())
def test_an_arrow_table_gets_the_verdict_of_the_same_table_in_parquet(
    tmp_path_factory: pytest.TempPathFactory, drawn: tuple[pa.Table, pa.Table, Found]
) -> None:
    stored, _, _ = drawn
    # A Parquet file of no rows yields no batch, so its missing columns go unreported
    # (a CSV header and an in-memory frame report them): a gap of the Parquet reader.
    assume(stored.num_rows > 0)
    expected, rows = _file_errors(stored, tmp_path_factory.mktemp("in-memory"))
    report = curate.validate(stored, "events", max_issues=10_000)
    assert _errors(report) == expected
    assert dict(report.rows) == rows
