"""Parquet inputs by their declared types (curate.readers.conform.ACCEPTS): `validate` and
`ingest` agree on every hostile Parquet file, through the real CLI; batches span row
groups; the limits hold; and a property over the Arrow type zoo: never a traceback, every
row counted, and the verdict of validating the same values converted to plain types."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curate.errors import InputError
from curate.readers.files import read_batches
from curate.readers.limits import Limits
from curate.schema.dtypes import ARROW_TYPES
from curate.schema.loader import load_schema
from curate.validation.paths import validate_paths
from tests.helpers import run_cli
from tests.hostile.cases import PARQUET_CASES, Case

SCHEMA = load_schema()
Found = set[tuple[str, int | None, str | None]]


def _cli_errors(path: Path) -> tuple[int, Found]:
    result = run_cli("validate", str(path), "--format", "json", "--max-errors", "1000")
    assert "Traceback" not in result.stderr, result.stderr
    assert "panicked" not in result.stderr, result.stderr
    issues = json.loads(result.stdout)["issues"]
    return result.returncode, {
        (i["code"], i["row"], i["field"]) for i in issues if i["severity"] == "error"
    }


def _stored(dataset: Path, table: str) -> list[dict[str, Any]]:
    path = dataset / "records" / f"{table}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]


def _new_dataset(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    assert run_cli("new", str(root)).returncode == 0
    return root


SOURCES_CASES = [c for c in PARQUET_CASES if c.file == "sources.parquet"]
# The classes of the issue, each once through the real command (all of them through the API).
CLI_CASES = [
    c
    for c in SOURCES_CASES
    if c.name
    in {
        "timestamp[s] of year 300000",
        "date32 at 2^31-1",
        "decimal256",
        "binary that is not UTF-8",
        "duration",
        "dictionary-encoded text (pandas category)",
        "a repeated column name",
        "a fixed-offset time zone (+02:00)",
    }
]


def _lines(path: Path) -> list[str]:
    return path.read_text("utf-8").splitlines() if path.exists() else []


def _check_agreement(
    errors: Found, rows: int, quarantine: Path, stored: list[dict[str, Any]]
) -> None:
    """The rows quarantined as rejected are exactly those `validate` reports (every row
    when the file as a whole is at fault); the others are stored; none is lost."""
    whole_file = any(row is None for _, row, _ in errors)
    bad = {row for _, row, _ in errors if row is not None}
    expected = set(range(1, rows + 1)) if whole_file else bad
    assert len(stored) == rows - len(expected)
    if not quarantine.exists():  # nothing rejected: no quarantine is needed
        assert not expected
        return
    rejected = [json.loads(line) for line in _lines(quarantine / "sources.rejected.jsonl")]
    valid = _lines(quarantine / "sources.valid.jsonl")
    assert len(valid) + len(rejected) == rows
    assert {r["row"] for r in rejected} == expected


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.name for c in CLI_CASES])
def test_ingest_agrees_with_validate_through_the_cli(case: Case, tmp_path: Path) -> None:
    """Same verdict from `validate`, `ingest` and `ingest --quarantine`."""
    path = tmp_path / case.file
    case.write(path)
    code, errors = _cli_errors(path)
    assert code == case.exit_code
    plain = run_cli("ingest", str(_new_dataset(tmp_path, "plain")), str(path))
    assert plain.returncode == code, plain.stderr
    assert "Traceback" not in plain.stderr
    dataset = _new_dataset(tmp_path, "quarantined")
    quarantine = tmp_path / "quarantine"
    result = run_cli("ingest", str(dataset), str(path), "--quarantine", str(quarantine))
    assert result.returncode == 0, result.stderr
    rows = pq.ParquetFile(path).metadata.num_rows
    _check_agreement(errors, rows, quarantine, _stored(dataset, "sources"))


@pytest.mark.parametrize("case", SOURCES_CASES, ids=[c.name for c in SOURCES_CASES])
def test_ingest_agrees_with_validate_through_the_api(case: Case, tmp_path: Path) -> None:
    from curate.store.ingest import ingest
    from curate.store.records import new_dataset

    path = tmp_path / case.file
    case.write(path)
    report = validate_paths([path]).report
    errors = {(i.code, i.row, i.field) for i in report.issues if i.severity == "error"}
    plain = tmp_path / "plain"
    new_dataset(plain)
    assert ingest(plain, [path]).accepted == report.valid
    dataset = tmp_path / "quarantined"
    new_dataset(dataset)
    quarantine = tmp_path / "quarantine"
    result = ingest(dataset, [path], quarantine=quarantine)
    if any(code == "unique" for code, _, _ in errors):  # a key conflict is never quarantined
        assert not result.accepted
        assert not _stored(dataset, "sources")
        return
    assert result.accepted
    rows = pq.ParquetFile(path).metadata.num_rows
    _check_agreement(errors, rows, quarantine, _stored(dataset, "sources"))


def test_a_time_zone_is_an_instant_stored_in_utc(tmp_path: Path) -> None:
    path = tmp_path / "sources.parquet"
    moments = [dt.datetime(2015, 9, 7, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))]
    zoned = pa.array(moments, pa.timestamp("ns", tz="+02:00"))
    pq.write_table(pa.table({"source_id": ["s1"], "publisher": ["P"], "retrieved_at": zoned}), path)
    dataset = _new_dataset(tmp_path, "zoned")
    assert run_cli("ingest", str(dataset), str(path)).returncode == 0
    [stored] = _stored(dataset, "sources")
    assert stored["retrieved_at"] == "2015-09-07T12:30:00.000000Z"


def test_batches_span_row_groups(tmp_path: Path) -> None:
    """20,000 rows in 20,000 row groups are one batch, not 20,000."""
    path = tmp_path / "sources.parquet"
    ids = [f"s{i}" for i in range(20_000)]
    pq.write_table(
        pa.table({"source_id": ids, "publisher": ["P"] * 20_000}), path, row_group_size=1
    )
    assert pq.ParquetFile(path).metadata.num_row_groups == 20_000
    batches = list(read_batches(path, SCHEMA.table("sources")))
    assert [b.frame.height for b in batches] == [20_000]
    result = run_cli("validate", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rows"] == {"sources": 20_000}


def test_too_many_row_groups_or_columns_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "sources.parquet"
    pq.write_table(
        pa.table({"source_id": ["s1", "s2"], "publisher": ["P", "Q"]}), path, row_group_size=1
    )
    with pytest.raises(InputError, match="2 row groups is more than the limit of 1"):
        validate_paths([path], limits=Limits(max_row_groups=1))
    wide = tmp_path / "wide" / "sources.parquet"
    wide.parent.mkdir()
    pq.write_table(pa.table({f"c{i}": [1] for i in range(1_001)}), wide)
    result = run_cli("validate", str(wide))
    assert result.returncode == 2
    assert "1001 columns is more than the limit of 1000" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# --- the property ------------------------------------------------------------------------

EVENTS = SCHEMA.table("events")
_LIMIT = 1 << 63
_FIRST, _LAST = dt.date(1, 1, 1), dt.date(9999, 12, 31)
_EPOCH = dt.date(1970, 1, 1)
_US_PER = {"s": 10**6, "ms": 10**3, "us": 1}
Converter = Callable[[Any], Any]  # a stored value to the plain value, or _REFUSED


class _Refused:
    """A value that no exact plain value stands for."""


_REFUSED = _Refused()


def _in_days(days: int) -> Any:
    lo, hi = (_FIRST - _EPOCH).days, (_LAST - _EPOCH).days
    return _EPOCH + dt.timedelta(days=days) if lo <= days <= hi else _REFUSED


def _instant(unit: str) -> Converter:
    def convert(count: int) -> Any:
        if unit == "ns":
            if count % 1000:
                return _REFUSED
            micros = count // 1000
        else:
            micros = count * _US_PER[unit]
        try:
            moment = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=micros)
        except OverflowError:
            return _REFUSED
        return moment

    return convert


def _keep(value: Any) -> Any:
    return value


def _as_float(value: int) -> Any:
    return float(value) if abs(value) <= 1 << 53 else _REFUSED


def _as_int(value: int) -> Any:
    return value if value < _LIMIT else _REFUSED


# (Arrow type, values, converter to each accepted schema type) for each stored type; a
# schema type not listed refuses every value. Temporal values are drawn as their counts.
_INTS = st.integers(-(1 << 63), (1 << 63) - 1)
_TEXT = st.text(alphabet=st.sampled_from("abAB09._- é"), max_size=6)


def _zoo() -> list[tuple[Any, st.SearchStrategy[Any], dict[str, Converter]]]:
    number = {"number": _as_float}
    return [
        (pa.string(), _TEXT, {"string": _keep}),
        (pa.large_string(), _TEXT, {"string": _keep}),
        (pa.string_view(), _TEXT, {"string": _keep}),
        (pa.dictionary(pa.int8(), pa.string()), _TEXT, {"string": _keep}),
        (pa.int8(), st.integers(-128, 127), {"integer": _keep, **number}),
        (pa.int32(), st.integers(-(1 << 31), (1 << 31) - 1), {"integer": _keep, **number}),
        (pa.int64(), _INTS, {"integer": _keep, **number}),
        (pa.uint32(), st.integers(0, (1 << 32) - 1), {"integer": _keep, **number}),
        (pa.uint64(), st.integers(0, (1 << 64) - 1), {"integer": _as_int, **number}),
        (pa.float32(), st.floats(width=32), {"number": _keep}),
        (pa.float64(), st.floats(), {"number": _keep}),
        (pa.bool_(), st.booleans(), {"boolean": _keep}),
        (pa.date32(), st.integers(-(1 << 31), (1 << 31) - 1), {"date": _in_days}),
        *(
            (pa.timestamp(unit, tz=tz), _INTS, {"datetime": _instant(unit)})
            for unit in ("ms", "us", "ns")
            for tz in ("UTC", "+02:00", "America/New_York")
        ),
        (pa.timestamp("us"), _INTS, {}),
        (pa.binary(), st.binary(max_size=4), {}),
        (pa.decimal128(12, 2), st.decimals(-(10**9), 10**9, places=2), {}),
        (pa.decimal256(40, 0), st.decimals(-(10**39) + 1, 10**39 - 1, places=0), {}),
        (pa.duration("s"), st.integers(-(1 << 40), 1 << 40), {}),
        (pa.list_(pa.int64()), st.lists(st.integers(-5, 5), max_size=2), {}),
        (pa.struct([("a", pa.string())]), st.fixed_dictionaries({"a": _TEXT}), {}),
    ]


ZOO = _zoo()


def _arrow_values(arrow_type: Any, values: list[Any]) -> Any:
    """Drawn values as an Arrow array of `arrow_type` (temporal ones from their counts)."""
    if pa.types.is_timestamp(arrow_type) or pa.types.is_date32(arrow_type):
        storage = pa.int32() if pa.types.is_date32(arrow_type) else pa.int64()
        return pa.array(values, storage).view(arrow_type)
    if pa.types.is_duration(arrow_type):
        return pa.array(values, pa.int64()).cast(arrow_type)
    if pa.types.is_dictionary(arrow_type):
        return pa.array(values, pa.string()).dictionary_encode()
    if pa.types.is_decimal(arrow_type):
        return pa.array([None if v is None else decimal.Decimal(v) for v in values], arrow_type)
    return pa.array(values, arrow_type)


@st.composite
def arrow_tables(draw: st.DrawFn) -> tuple[pa.Table, pa.Table, Found]:
    """A table of random stored types named as events fields; the same values in plain
    types (refused cells null); the (row, field) cells refused."""
    rows = draw(st.integers(0, 4))
    names = draw(st.lists(st.sampled_from(EVENTS.field_names), min_size=1, max_size=4, unique=True))
    stored: dict[str, pa.Array] = {}
    plain: dict[str, pa.Array] = {}
    refused: Found = set()
    for name in names:
        arrow_type, values, converters = draw(st.sampled_from(ZOO))
        cells = draw(st.lists(st.none() | values, min_size=rows, max_size=rows))
        converter = converters.get(EVENTS.field(name).type)
        converted = []
        for row, cell in enumerate(cells, start=1):
            value = None if cell is None else _REFUSED if converter is None else converter(cell)
            if value is _REFUSED:
                refused.add(("type-error", row, name))
                value = None
            converted.append(value)
        stored[name] = _arrow_values(arrow_type, cells)
        plain[name] = pa.array(converted, ARROW_TYPES[EVENTS.field(name).type])
    return pa.table(stored), pa.table(plain), refused


def _api_errors(path: Path) -> tuple[Found, dict[str, int]]:
    report = validate_paths([path], "events", max_issues=10_000).report
    errors = {(i.code, i.row, i.field) for i in report.issues if i.severity == "error"}
    return errors, dict(report.rows)


@settings(max_examples=60)
@given(arrow_tables())
def test_any_arrow_table_gets_the_verdict_of_its_plain_values(
    tmp_path_factory: pytest.TempPathFactory, drawn: tuple[pa.Table, pa.Table, Found]
) -> None:
    stored, plain, refused = drawn
    directory = tmp_path_factory.mktemp("zoo")
    pq.write_table(stored, directory / "stored.parquet")
    pq.write_table(plain, directory / "plain.parquet")
    errors, rows = _api_errors(directory / "stored.parquet")
    expected, plain_rows = _api_errors(directory / "plain.parquet")
    assert rows == plain_rows == {"events": stored.num_rows}
    # A refused cell is a type-error, and not also a missing required value.
    expected -= {("required", row, name) for _, row, name in refused}
    assert errors == expected | refused


@settings(max_examples=8)
@given(arrow_tables())
def test_any_arrow_table_through_the_cli_never_tracebacks(
    tmp_path_factory: pytest.TempPathFactory, drawn: tuple[pa.Table, pa.Table, Found]
) -> None:
    stored, _, refused = drawn
    path = tmp_path_factory.mktemp("zoo-cli") / "events.parquet"
    pq.write_table(stored, path)
    result = run_cli("validate", str(path), "--format", "json", "--max-errors", "1000")
    assert result.returncode in (0, 1, 2)
    assert "Traceback" not in result.stderr
    assert "panicked" not in result.stderr
    report = json.loads(result.stdout)
    assert report["rows"] == {"events": stored.num_rows}
    found = {(i["code"], i["row"], i["field"]) for i in report["issues"]}
    assert refused <= found
