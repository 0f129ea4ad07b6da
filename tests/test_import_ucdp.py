"""`curate import ucdp`: the GED CSV and GeoJSON, UCDP's own inconsistencies kept and
reported (low <= best <= high broken, number_of_sources = -1), hostile files refused."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import curate
from curate.errors import InputError
from curate.interchange.summary import Imported
from curate.interchange.ucdp.importer import import_ucdp
from tests.helpers import run_cli
from tests.importing import FIXTURES

CSV = FIXTURES / "GEDEvent_v24_1.csv"
GEOJSON = FIXTURES / "GEDEvent_v24_1.geojson"
REPAIRED = "UCDP's low <= best <= high does not hold: range widened"


@pytest.fixture(autouse=True)
def _reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


@pytest.fixture(scope="module")
def imported() -> Imported:
    return import_ucdp([CSV])


def _event(imported: Imported, event_id: str) -> dict[str, object]:
    rows = imported.events.filter(pl.col("event_id") == event_id).to_dicts()
    assert len(rows) == 1, event_id
    return rows[0]


def _kept(event: dict[str, object]) -> dict[str, str]:
    found: dict[str, str] = json.loads(str(event["notes"]).rsplit("UCDP fields: ", 1)[1])
    return found


def test_the_csv_is_imported_and_validates(imported: Imported) -> None:
    summary = imported.summary
    assert summary.layouts == {str(CSV): "GED CSV"}
    assert (summary.rows_read, summary.events_written, summary.merged, summary.rejected) == (
        8,
        6,
        0,
        2,
    )
    assert summary.balanced
    assert summary.rejected_reasons == {
        "date_end is before date_start": 1,
        "type_of_violence is not 1, 2 or 3": 1,
    }
    assert "(UCDP GED 24.1, GED CSV)" in imported.events.get_column("extractor")[0]
    report = curate.validate(imported.tables)
    assert report.error_count == 0, [i.to_dict() for i in report.issues]


def test_a_state_based_event_with_two_sources(imported: Imported) -> None:
    raqqa = _event(imported, "ged-244657")
    assert (raqqa["event_type"], raqqa["sub_event_type"]) == ("Battles", None)
    assert (raqqa["actor1_type"], raqqa["actor2_type"]) == ("state_forces", "rebel_group")
    assert (raqqa["fatalities_low"], raqqa["fatalities_best"], raqqa["fatalities_high"]) == (
        9,
        11,
        14,
    )
    assert (raqqa["date_precision"], raqqa["geo_precision"]) == ("day", "point")
    assert (raqqa["admin1"], raqqa["location"]) == ("Ar Raqqah governorate", "Raqqa town")
    assert raqqa["source_count"] == 2
    assert raqqa["confidence"] == 0.7
    kept = _kept(raqqa)
    assert kept["dyad_name"] == "Government of Syria - Syrian insurgents"
    assert kept["deaths_civilians"] == "11"
    assert "best" not in kept
    sources = imported.sources.filter(pl.col("publisher") == "Agence France Presse").to_dicts()
    assert sources[0]["title"] == "Syria: air strikes kill 11"
    assert sources[0]["published_on"] == dt.date(2015, 9, 17)
    fatalities = imported.claims.filter(
        (pl.col("event_id") == "ged-244657") & (pl.col("subject") == "fatalities")
    )
    assert fatalities.height == 2
    assert fatalities.select("qualifier", "value_low", "value_high").unique().rows() == [
        ("between", 9.0, 14.0)
    ]
    assert fatalities.get_column("value_text")[0] == "UCDP best 11 (low 9, high 14)"


def test_ordering_violations_are_kept_widened_and_reported(imported: Imported) -> None:
    assert imported.summary.warning_reasons[REPAIRED] == 2
    one_sided = _event(imported, "ged-244658")  # low 5, best 3, high 2
    assert (
        one_sided["fatalities_low"],
        one_sided["fatalities_best"],
        one_sided["fatalities_high"],
    ) == (
        2,
        3,
        5,
    )
    assert str(one_sided["notes"]).startswith("UCDP publishes low 5, best 3, high 2")
    assert {k: _kept(one_sided)[k] for k in ("low", "best", "high")} == {
        "low": "5",
        "best": "3",
        "high": "2",
    }
    yemen = _event(imported, "ged-244659")  # low 2, best 4, high 3
    assert (yemen["fatalities_low"], yemen["fatalities_best"], yemen["fatalities_high"]) == (
        2,
        4,
        4,
    )


def test_number_of_sources_minus_one_and_no_office(imported: Imported) -> None:
    one_sided = _event(imported, "ged-244658")
    assert _kept(one_sided)["number_of_sources"] == "-1"
    assert one_sided["source_count"] == 1
    claims = imported.claims.filter(pl.col("event_id") == "ged-244658")
    assert claims.get_column("claimant").unique().to_list() == ["UCDP GED"]
    assert (one_sided["event_type"], one_sided["civilian_targeting"]) == (
        "Violence against civilians",
        True,
    )
    assert (one_sided["actor1_type"], one_sided["actor2_type"]) == ("unknown", "civilians")
    assert (one_sided["date_start"], one_sided["date_end"]) == (
        dt.date(2015, 9, 1),
        dt.date(2015, 9, 30),
    )
    assert (one_sided["date_precision"], one_sided["confidence"]) == ("month", 0.5)


def test_source_lists_of_different_lengths_are_not_matched(imported: Imported) -> None:
    yemen = _event(imported, "ged-244659")
    assert yemen["country_iso3"] == "YEM"
    assert yemen["source_count"] == 2
    kept = _kept(yemen)
    assert kept["source_headline"] == "Clashes in Sanaa;Two tribes fight;Casualties"
    titles = imported.sources.filter(pl.col("publisher").is_in(["Xinhua", "AFP"]))
    assert titles.get_column("title").null_count() == 2
    assert (yemen["actor1_type"], yemen["actor2_type"]) == ("unknown", "unknown")


def test_country_names_pycountry_does_not_know(imported: Imported) -> None:
    assert _event(imported, "ged-244660")["country_iso3"] == "COD"
    assert _event(imported, "ged-244661")["country_iso3"] == "XKX"
    russia = _event(imported, "ged-244664")
    assert russia["country_iso3"] == "RUS"
    assert (russia["date_precision"], russia["geo_precision"]) == ("year", "country")


def test_the_geojson_gives_the_same_records() -> None:
    from_csv, from_geojson = import_ucdp([CSV]), import_ucdp([GEOJSON])
    assert from_geojson.summary.layouts == {str(GEOJSON): "GED GeoJSON"}
    for name in ("events", "claims", "sources"):
        a, b = from_csv.tables[name], from_geojson.tables[name]
        if name == "events":
            a, b = a.drop("extractor"), b.drop("extractor")
        assert a.equals(b), name


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a UCDP GED GeoJSON file"),
        (b"[1, 2]", "not a UCDP GED GeoJSON file"),
        (b'{"type": "FeatureCollection", "features": []}', "it has no features"),
        (bytes(range(256)), "not a UCDP GED GeoJSON file"),
        (
            b'{"type": "FeatureCollection", "features": '
            b'[{"type": "Feature", "properties": {"id": 1}}]}',
            "lacks the columns",
        ),
    ],
    ids=["empty", "array", "no features", "binary", "unknown layout"],
)
def test_hostile_geojson_exits_2(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "ged.geojson"
    path.write_bytes(content)
    result = run_cli("import", "ucdp", str(path), "-o", str(tmp_path / "out"))
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_csv_that_is_not_ged_names_the_missing_columns(tmp_path: Path) -> None:
    result = run_cli("import", "ucdp", str(FIXTURES / "acled-current.csv"), "-o", str(tmp_path))
    assert result.returncode == 2
    assert "not a known UCDP GED layout" in result.stderr
    assert "type_of_violence" in result.stderr


def test_import_through_the_cli_validates_and_ingests(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("import", "ucdp", str(GEOJSON), "-o", str(out), "--format", "json")
    assert result.returncode == 1  # two rows rejected
    summary = json.loads(result.stdout)["summary"]
    assert summary["warned"] == 2
    assert summary["balanced"]
    assert run_cli("validate", str(out)).returncode == 0
    dataset = tmp_path / "datasets" / "ged"
    run_cli("new", str(dataset))
    ingested = run_cli("import", "ucdp", str(CSV), "--into", str(dataset))
    assert ingested.returncode == 1
    assert "store updated" in ingested.stdout
    assert "rejected rows (give -o DIR to keep them)" in ingested.stdout
    assert run_cli("validate", str(dataset)).returncode == 0


def test_the_version_comes_from_the_file_name_or_the_option(tmp_path: Path) -> None:
    renamed = tmp_path / "ged.csv"
    renamed.write_bytes(CSV.read_bytes())
    assert "version unknown" in import_ucdp([renamed]).events.get_column("extractor")[0]
    given = import_ucdp([renamed], source_version="25.0.1").events.get_column("extractor")[0]
    assert "(UCDP GED 25.0.1, GED CSV)" in given


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        import_ucdp([tmp_path / "GEDEvent_v24_1.csv"])


@given(figures=st.lists(st.tuples(*[st.integers(0, 1000)] * 3), min_size=1, max_size=10))
def test_any_figures_are_kept_ordered_and_reported(
    tmp_path_factory: pytest.TempPathFactory, figures: list[tuple[int, int, int]]
) -> None:
    with CSV.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        template, header = next(reader), list(reader.fieldnames or [])
    path = tmp_path_factory.mktemp("ged") / "ged.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for number, (low, best, high) in enumerate(figures, start=1):
            writer.writerow({**template, "id": number, "low": low, "best": best, "high": high})
    imported = import_ucdp([path])
    events = imported.events.sort(pl.col("event_id").str.slice(4).cast(pl.Int64))
    broken = [not (low <= best <= high) for low, best, high in figures]
    assert imported.summary.warning_reasons.get(REPAIRED, 0) == sum(broken)
    for event, (low, best, high), was_broken in zip(
        events.to_dicts(), figures, broken, strict=True
    ):
        assert event["fatalities_best"] == best
        assert (event["fatalities_low"], event["fatalities_high"]) == (
            min(low, best, high),
            max(low, best, high),
        )
        if was_broken:
            assert f"UCDP publishes low {low}, best {best}, high {high}" in str(event["notes"])
    assert curate.validate(imported.tables).error_count == 0
