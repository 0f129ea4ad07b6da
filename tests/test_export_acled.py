"""`curate export acled`: ACLED -> curate -> ACLED keeps every field ACLED has, the CSV
is formula-safe, and a dataset or a release can be exported."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from curate.interchange.acled.codebook import COLUMNS_31
from curate.interchange.acled.exporter import acled_csv, acled_rows
from curate.interchange.acled.importer import import_acled
from curate.interchange.spreadsheet import (
    FORMULA_STARTS,
    csv_text,
    escape_formula,
    formula_safe,
    unescape_formula,
)
from tests.helpers import run_cli, run_cli_in_terminal
from tests.importing import (
    FIXTURES,
    acled_31_rows,
    acled_row,
    read_csv_rows,
    same_acled_value,
    write_acled_csv,
)

RAQQA = Path(__file__).resolve().parent.parent / "datasets" / "raqqa-airstrikes-2015"


@pytest.fixture(autouse=True)
def _reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def _read_fixture(name: str) -> dict[str, dict[str, str]]:
    with (FIXTURES / name).open(encoding="utf-8", newline="") as handle:
        return {row["event_id_cnty"]: row for row in csv.DictReader(handle)}


def _assert_round_trip(given: dict[str, dict[str, str]], written: list[dict[str, str]]) -> None:
    for row in written:
        original = given[row["event_id_cnty"]]
        for column in COLUMNS_31:
            assert same_acled_value(column, original[column], row[column]), (
                row["event_id_cnty"],
                column,
                original[column],
                row[column],
            )


def test_the_31_column_fixture_comes_back_field_by_field() -> None:
    imported = import_acled([FIXTURES / "acled-31-column.csv"])
    written = read_csv_rows(acled_csv(imported.tables))
    assert list(written[0]) == list(COLUMNS_31)
    # Every event written; the merged SYR1003 is its first row (checked apart below).
    given = _read_fixture("acled-31-column.csv")
    assert {r["event_id_cnty"] for r in written} == {
        "MEX77",
        "SYR1001",
        "SYR1002",
        "SYR1003",
        "UKR1",
        "XKX1",
    }
    _assert_round_trip(given, [r for r in written if r["event_id_cnty"] != "SYR1003"])
    ariha = next(r for r in written if r["event_id_cnty"] == "SYR1003")
    assert ariha["data_id"] == "8003"
    assert ariha["actor2"] == "Hayat Tahrir al-Sham"
    assert ariha["source"] == "Reuters; Al Jazeera"  # the sources of both rows


@given(rows=acled_31_rows())
def test_acled_to_curate_to_acled_keeps_every_field(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, str]]
) -> None:
    path = write_acled_csv(tmp_path_factory.mktemp("acled") / "acled.csv", rows)
    imported = import_acled([path])
    assert imported.summary.rejected == 0, imported.rejected.to_dicts()
    written = read_csv_rows(acled_csv(imported.tables))
    assert len(written) == len(rows)
    _assert_round_trip({row["event_id_cnty"]: row for row in rows}, written)


def test_the_export_of_a_dataset_curated_by_hand() -> None:
    run = run_cli("export", "acled", str(RAQQA))
    assert run.returncode == 0, run.stderr
    (row,) = read_csv_rows(run.stdout)
    assert row["event_id_cnty"] == "syr-raqqa-2015-09-17-air-strikes"
    assert (row["iso"], row["iso3"], row["country"]) == ("760", "SYR", "Syria")
    assert (row["event_date"], row["year"], row["time_precision"]) == ("2015-09-17", "2015", "1")
    assert (row["inter1"], row["inter2"], row["interaction"]) == ("1", "2", "12")
    assert row["geo_precision"] == "1"
    assert row["fatalities"] == "0"  # unknown, written as ACLED writes it
    assert row["source"] == "Al Jazeera; Reuters"
    assert row["data_id"] == row["region"] == ""


def test_export_from_a_release_and_to_a_file(tmp_path: Path) -> None:
    release = RAQQA / "releases" / "1.1.0"
    target = tmp_path / "raqqa.csv"
    run = run_cli("export", "acled", str(release), "-o", str(target))
    assert run.returncode == 0, run.stderr
    from_store = run_cli("export", "acled", str(RAQQA)).stdout
    assert target.read_text("utf-8") == from_store


def test_only_active_events_are_exported(tmp_path: Path) -> None:
    imported = import_acled([FIXTURES / "acled-current.csv"])
    tables = dict(imported.tables)
    tables["events"] = tables["events"].with_columns(
        pl.when(pl.col("event_id") == "CHL3001")
        .then(pl.lit("retracted"))
        .otherwise(pl.col("status"))
        .alias("status")
    )
    ids = acled_rows(tables).get_column("event_id_cnty").to_list()
    assert ids == ["IND4001", "SDN20001", "YEM5001"]


def test_import_export_through_the_cli(tmp_path: Path) -> None:
    dataset = tmp_path / "datasets" / "acled"
    run_cli("new", str(dataset))
    imported = run_cli(
        "import", "acled", str(FIXTURES / "acled-31-column.csv"), "--into", str(dataset)
    )
    assert imported.returncode == 1  # three rows rejected, the rest ingested
    assert run_cli("release", str(dataset), "--version", "1.0.0").returncode == 0
    target = tmp_path / "acled.csv"
    run = run_cli("export", "acled", str(dataset / "releases" / "1.0.0"), "-o", str(target))
    assert run.returncode == 0, run.stderr
    written = read_csv_rows(target.read_text("utf-8"))
    given = _read_fixture("acled-31-column.csv")
    _assert_round_trip(given, [r for r in written if r["event_id_cnty"] != "SYR1003"])
    # The hostile note reaches the file escaped, and reads back as it was.
    raw = target.read_text("utf-8")
    assert "'=HYPERLINK" in raw
    assert "'-5 dead?" in raw


def test_export_of_something_else_exits_2(tmp_path: Path) -> None:
    run = run_cli("export", "acled", str(tmp_path))
    assert run.returncode == 2
    assert "neither a release" in run.stderr


# Formula injection.

HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
    "''",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_cells_are_escaped_and_read_back(value: str) -> None:
    text = csv_text(pl.DataFrame({"notes": [value], "latitude": ["-33.4489"]}))
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["notes"].startswith("'")
    assert row["latitude"] == "-33.4489"  # a plain number is not a formula
    assert unescape_formula(row["notes"]) == value


_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "+1"),  # a plain number, not a formula (docs/importers.md)
        ("-1+cmd", "'-1+cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("'=1", "''=1"),
        ("-99.8237", "-99.8237"),
        ("plain", "plain"),
    ],
)
def test_formula_escaping_examples(value: str, written: str) -> None:
    assert escape_formula(value) == written
    (in_polars,) = pl.DataFrame({"v": [value]}).select(formula_safe(pl.col("v"))).to_series()
    assert in_polars == written
    assert unescape_formula(written) == value


@given(st.text() | st.sampled_from(HOSTILE).flatmap(lambda h: st.text().map(h.__add__)))
def test_formula_escaping_of_any_text(value: str) -> None:
    escaped = escape_formula(value)
    assert unescape_formula(escaped) == value
    plain_number = _NUMBER.fullmatch(value) is not None
    if value.startswith(FORMULA_STARTS) and not plain_number:
        assert escaped == "'" + value
    assert plain_number or not escaped.startswith(FORMULA_STARTS)
    (in_polars,) = pl.DataFrame({"v": [value]}).select(formula_safe(pl.col("v"))).to_series()
    assert in_polars == escaped


def test_a_fields_line_edited_by_hand_does_not_stop_the_export() -> None:
    imported = import_acled([FIXTURES / "acled-current.csv"])
    tables = dict(imported.tables)
    tables["events"] = tables["events"].with_columns(
        pl.when(pl.col("event_id") == "CHL3001")
        .then(pl.lit("Students marched.\n\nACLED fields: {not JSON}"))
        .otherwise(pl.col("notes"))
        .alias("notes")
    )
    rows = {r["event_id_cnty"]: r for r in read_csv_rows(acled_csv(tables))}
    assert rows["CHL3001"]["notes"] == "Students marched."
    assert rows["CHL3001"]["region"] == ""  # nothing kept could be read
    assert rows["SDN20001"]["region"] == "Northern Africa"


def test_an_edit_after_import_is_exported_not_the_kept_acled_value() -> None:
    imported = import_acled([FIXTURES / "acled-31-column.csv"])
    events = imported.tables["events"]
    syria, kosovo = pl.col("event_id") == "SYR1001", pl.col("event_id") == "XKX1"
    edited = events.with_columns(
        pl.when(syria).then(7).otherwise(pl.col(name)).alias(name)
        for name in ("fatalities_best", "fatalities_low")
    ).with_columns(
        pl.when(kosovo).then(pl.col("date_start")).otherwise(pl.col("date_end")).alias("date_end"),
        pl.when(kosovo)
        .then(pl.lit("day"))
        .otherwise(pl.col("date_precision"))
        .alias("date_precision"),
    )
    kosovo_start = str(edited.filter(kosovo).get_column("date_start").item())
    written = {
        r["event_id_cnty"]: r
        for r in read_csv_rows(acled_csv({**imported.tables, "events": edited}))
    }
    assert written["SYR1001"]["fatalities"] == "7"
    assert written["XKX1"]["event_date"] == kosovo_start
    assert written["XKX1"]["time_precision"] == "1"
    assert written["XKX1"]["year"] == kosovo_start[:4]
    # Unedited, the kept values still come back.
    assert written["SYR1002"]["event_date"] == "2020-05-09"


def test_unknown_fatalities_are_written_as_acleds_0(tmp_path: Path) -> None:
    rows = [acled_row(fatalities="NA"), acled_row(event_id_cnty="SYR9", fatalities="0")]
    imported = import_acled([write_acled_csv(tmp_path / "a.csv", rows)])
    written = read_csv_rows(acled_csv(imported.tables))
    assert [r["fatalities"] for r in written] == ["0", "0"]


TERMINAL_ATTACK = "\x1b]0;PWNED\x07\x1b[31m"


def test_hostile_bytes_reach_a_terminal_escaped_and_a_pipe_as_they_are(tmp_path: Path) -> None:
    source = write_acled_csv(tmp_path / "hostile.csv", [acled_row(location=TERMINAL_ATTACK)])
    dataset = tmp_path / "data"
    assert run_cli("new", str(dataset)).returncode == 0
    imported = run_cli("import", "acled", str(source), "--into", str(dataset))
    assert imported.returncode == 0, imported.stderr
    code, written = run_cli_in_terminal("export", "acled", str(dataset))
    assert code == 0, written
    assert "\x1b" not in written
    assert "\x07" not in written
    assert "\\x1b]0;PWNED\\x07\\x1b[31m" in written  # shown, not run
    piped = run_cli("export", "acled", str(dataset))
    assert piped.returncode == 0, piped.stderr
    (row,) = read_csv_rows(piped.stdout)
    assert row["location"] == TERMINAL_ATTACK  # a pipe gets the CSV byte for byte
    target = tmp_path / "hostile-out.csv"
    assert run_cli("export", "acled", str(dataset), "-o", str(target)).returncode == 0
    assert target.read_text("utf-8") == piped.stdout
