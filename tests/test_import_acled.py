"""`curate import acled`: every layout, the awkward rows of real exports, hostile files.

Every row read is accounted for (rows read = events written + merged + rejected), and
what is written validates."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given

import curate
from curate.errors import InputError
from curate.interchange.acled.importer import import_acled
from curate.interchange.dates import parse_dates
from curate.interchange.layouts import UnknownLayoutError
from curate.interchange.summary import Imported
from curate.readers.limits import Limits
from tests.helpers import run_cli, run_cli_in_terminal
from tests.importing import FIXTURES, acled_row, messy_acled_rows, write_acled_csv

EPOCH = "1700000000"  # 2023-11-14T22:13:20Z


@pytest.fixture(autouse=True)
def _reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def _imported(name: str) -> Imported:
    return import_acled([FIXTURES / name])


def _event(imported: Imported, event_id: str) -> dict[str, object]:
    rows = imported.events.filter(pl.col("event_id") == event_id).to_dicts()
    assert len(rows) == 1, event_id
    return rows[0]


def _kept(event: dict[str, object]) -> dict[str, Any]:
    """The notes' `ACLED fields` line, as a dict (merged rows under `merged_rows`)."""
    notes = str(event["notes"])
    line = notes.rsplit("ACLED fields: ", 1)[1]
    found: dict[str, Any] = json.loads(line)
    return found


def _valid(imported: Imported) -> None:
    report = curate.validate(imported.tables)
    assert report.error_count == 0, [i.to_dict() for i in report.issues]


@pytest.mark.parametrize(
    ("name", "layout"),
    [
        ("acled-31-column.csv", "31-column layout"),
        ("acled-current.csv", "current layout"),
        ("acled-current-no-actor2.csv", "current layout"),
        ("acled-before-2019.csv", "layout before 2019"),
    ],
)
def test_each_layout_is_told_from_its_header_and_validates(name: str, layout: str) -> None:
    imported = _imported(name)
    summary = imported.summary
    assert summary.layouts == {str(FIXTURES / name): layout}
    assert summary.balanced
    assert summary.events_written > 0
    _valid(imported)
    assert imported.events.get_column("extraction_method").unique().to_list() == ["import"]
    assert f"ACLED {layout}" in imported.events.get_column("extractor")[0]


def test_the_31_column_fixture_row_by_row() -> None:
    imported = _imported("acled-31-column.csv")
    summary = imported.summary
    assert (summary.rows_read, summary.events_written, summary.merged, summary.rejected) == (
        10,
        6,
        1,
        3,
    )
    # A date in words, a quoted newline kept, NA as missing, ACLED's 0 as unknown.
    raqqa = _event(imported, "SYR1001")
    assert raqqa["date_start"] == raqqa["date_end"] == dt.date(2020, 3, 21)
    assert str(raqqa["notes"]).startswith("On 21 March 2020, regime jets struck Raqqa.\nActivists")
    assert raqqa["fatalities_best"] is None
    assert raqqa["fatalities_low"] is None
    assert _kept(raqqa)["fatalities"] == "0"
    assert "admin3" not in _kept(raqqa)
    assert raqqa["source_count"] == 2
    assert (raqqa["actor1_type"], raqqa["actor2_type"]) == ("state_forces", "civilians")
    assert (raqqa["geo_precision"], raqqa["attribution"]) == ("locality", "alleged")
    # A two-digit year; week precision spans the 7 days around ACLED's date.
    palmyra = _event(imported, "SYR1002")
    assert (palmyra["date_start"], palmyra["date_end"]) == (
        dt.date(2020, 5, 6),
        dt.date(2020, 5, 12),
    )
    assert (palmyra["date_precision"], palmyra["geo_precision"]) == ("week", "admin2")
    assert palmyra["notes"] is not None
    assert "NA" not in str(palmyra["notes"])
    assert (palmyra["fatalities_low"], palmyra["fatalities_best"], palmyra["fatalities_high"]) == (
        7,
        7,
        None,
    )
    # Kosovo, with a two-digit year of the 1990s and month precision.
    kosovo = _event(imported, "XKX1")
    assert kosovo["country_iso3"] == "XKX"
    assert (kosovo["date_start"], kosovo["date_end"]) == (dt.date(1999, 1, 1), dt.date(1999, 1, 31))
    assert _kept(kosovo)["event_date"] == "1999-01-15"
    assert kosovo["actor2"] is None
    assert kosovo["actor2_type"] is None
    # "Unidentified ..." actors are not attributed.
    assert _event(imported, "MEX77")["attribution"] == "unknown"
    _valid(imported)


def test_rows_repeating_an_event_id_are_merged_and_kept() -> None:
    imported = _imported("acled-31-column.csv")
    ariha = _event(imported, "SYR1003")
    assert ariha["actor2"] == "Hayat Tahrir al-Sham"  # the first row gives the fields
    assert ariha["source_count"] == 2  # Reuters, and Al Jazeera from the second row
    merged = _kept(ariha)["merged_rows"]
    assert isinstance(merged, list)
    assert len(merged) == 1
    assert merged[0]["actor2"] == "Civilians (Syria)"
    assert merged[0]["data_id"] == "8004"
    claims = imported.claims.filter(pl.col("event_id") == "SYR1003")
    assert sorted(claims.get_column("claimant").unique().to_list()) == ["Al Jazeera", "Reuters"]


def test_claims_and_sources_of_an_event() -> None:
    imported = _imported("acled-31-column.csv")
    claims = imported.claims.filter(pl.col("event_id") == "SYR1002").to_dicts()
    occurrence, fatalities = (
        next(c for c in claims if c["subject"] == subject)
        for subject in ("occurrence", "fatalities")
    )
    assert occurrence["claim_id"] == "SYR1002.o001"
    assert fatalities["claim_id"] == "SYR1002.f001"
    assert (occurrence["claimant"], occurrence["claimant_type"]) == ("SOHR", "unknown")
    assert (occurrence["hedge"], occurrence["adopted"], occurrence["partisan"]) == (
        "reported",
        True,
        False,
    )
    # ACLED's figure is its most conservative estimate: at least 7.
    assert (fatalities["qualifier"], fatalities["value_low"], fatalities["value_high"]) == (
        "at_least",
        7.0,
        None,
    )
    # ACLED's 0 is no figure: no fatality claim, the 0 kept in the notes.
    assert imported.claims.filter(
        (pl.col("event_id") == "SYR1001") & (pl.col("subject") == "fatalities")
    ).is_empty()
    sources = imported.sources
    assert sources.get_column("url").null_count() == sources.height
    assert sources.get_column("source_id").str.contains(r"^acled-[0-9a-f]{16}$").all()
    ukraine = imported.claims.filter(pl.col("event_id") == "UKR1")
    assert set(ukraine.get_column("claimant")) == {"Ukrainska Pravda", "Kyiv Independent"}


def test_rejected_rows_carry_their_reason_and_record() -> None:
    rejected = _imported("acled-31-column.csv").rejected
    reasons = dict(zip(rejected.get_column("row"), rejected.get_column("reason"), strict=True))
    assert reasons == {
        8: "event_type and sub_event_type are not an ACLED type and its sub-type",
        9: "the country cannot be resolved from iso3, iso or country",
        10: "latitude or longitude is not a number in range",
    }
    record = json.loads(rejected.filter(pl.col("row") == 9).get_column("record")[0])
    assert record["country"] == "Narnia"


def test_the_current_layout_labels_targeting_and_warnings() -> None:
    imported = _imported("acled-current.csv")
    sudan = _event(imported, "SDN20001")
    assert (sudan["actor1_type"], sudan["actor2_type"]) == ("political_militia", "civilians")
    assert sudan["civilian_targeting"] is True
    assert _kept(sudan)["interaction"] == "Political militia-Civilians"
    chile = _event(imported, "CHL3001")
    assert chile["civilian_targeting"] is False
    assert chile["actor2"] is None
    assert _kept(chile)["tags"] == "crowd size=around 200"
    assert _event(imported, "IND4001")["sub_event_type"] == "Excessive force against protesters"
    assert _event(imported, "YEM5001")["actor1_type"] == "unknown"
    assert imported.summary.warning_reasons == {
        "inter1 or inter2 is neither an ACLED code nor a label: actor type unknown": 1,
        "no source named: ACLED itself is cited": 1,
    }
    assert imported.summary.warned == 2
    no_source = imported.claims.filter(pl.col("event_id") == "IND4001")
    assert no_source.get_column("claimant").unique().to_list() == ["ACLED"]


def test_exports_without_the_actor2_columns() -> None:
    imported = _imported("acled-current-no-actor2.csv")
    assert imported.events.get_column("actor2").null_count() == imported.events.height
    assert imported.events.get_column("actor2_type").null_count() == imported.events.height


def test_the_layout_before_2019() -> None:
    imported = _imported("acled-before-2019.csv")
    assert imported.summary.rejected == 0
    types = {
        row["event_id"]: (row["event_type"], row["sub_event_type"])
        for row in imported.events.iter_rows(named=True)
    }
    assert types == {
        "DRC101": ("Battles", "Armed clash"),
        "CDI202": ("Riots", None),
        "CDI203": ("Protests", None),
        "SOM304": ("Explosions/Remote violence", None),
        "SOM305": ("Strategic developments", None),
    }
    goma = _event(imported, "DRC101")
    assert goma["country_iso3"] == "COD"
    assert goma["date_start"] == dt.date(1998, 3, 12)
    assert _event(imported, "CDI202")["date_start"] == dt.date(1997, 1, 14)
    assert _kept(goma)["gwno"] == "490"


def test_an_unknown_layout_names_the_missing_columns() -> None:
    with pytest.raises(UnknownLayoutError, match=r"lacks the columns: .*event_type"):
        _imported("acled-unknown-layout.csv")


def test_a_truncated_last_row_and_a_ragged_row_are_rejected() -> None:
    imported = _imported("acled-truncated.csv")
    summary = imported.summary
    assert (summary.rows_read, summary.events_written, summary.rejected) == (4, 2, 2)
    reasons = dict(
        zip(
            imported.rejected.get_column("row"), imported.rejected.get_column("reason"), strict=True
        )
    )
    assert reasons == {
        4: "the record has the wrong number of cells",
        5: "the record is truncated: the file ends inside a quoted field",
    }
    assert "Gunmen attacked a family" in str(imported.rejected.get_column("raw")[1])


def test_a_complete_last_row_without_a_line_break_is_kept_with_a_warning(tmp_path: Path) -> None:
    path = write_acled_csv(tmp_path / "a.csv", [])
    body = (FIXTURES / "acled-31-column.csv").read_bytes().split(b"\r\n")[1]
    path.write_bytes(path.read_bytes() + body)
    imported = import_acled([path])
    assert imported.summary.events_written == 1
    assert list(imported.summary.warning_reasons) == [
        "the last record has no line break after it: check that it is complete"
    ]


def test_extracted_at_honours_source_date_epoch() -> None:
    stamps = _imported("acled-current.csv").events.get_column("extracted_at").unique()
    assert stamps.to_list() == [dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)]


def test_the_extractor_names_the_version_given() -> None:
    imported = import_acled([FIXTURES / "acled-current.csv"], source_version="2024-03-15")
    assert imported.events.get_column("extractor")[0] == (
        f"curate import acled {curate.__version__} (ACLED current layout, 2024-03-15)"
    )


# Hostile files: a clear error (exit 2) or rejected rows (exit 1), never a traceback.


def _header() -> bytes:
    return (FIXTURES / "acled-31-column.csv").read_bytes().split(b"\r\n")[0] + b"\r\n"


def _row() -> bytes:
    return (FIXTURES / "acled-31-column.csv").read_bytes().split(b"\r\n")[1] + b"\r\n"


@pytest.mark.parametrize(
    ("content", "exit_code", "message"),
    [
        (b"", 2, "no header row"),
        (bytes(range(256)) * 8, 2, "not an ACLED export"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), 2, "not an ACLED export"),
        (_header(), 0, None),
        (_header() + _row().replace(b"Raqqa", b"Raq\xffqa", 1), 1, None),
        (_header() + _row().replace(b"SOHR", b"S" * 200_000, 1), 1, None),
        (_header() + _row().replace(b"SOHR", b"S" * 3_000_000, 1), 2, "malformed CSV"),
    ],
    ids=["empty", "binary", "png", "header only", "not UTF-8", "huge field", "enormous field"],
)
def test_hostile_files_through_the_cli(
    tmp_path: Path, content: bytes, exit_code: int, message: str | None
) -> None:
    path = tmp_path / "acled.csv"
    path.write_bytes(content)
    result = run_cli("import", "acled", str(path), "-o", str(tmp_path / "out"))
    assert result.returncode == exit_code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    if message is not None:
        assert message in result.stderr
    if exit_code == 1:
        rejected = (tmp_path / "out" / "rejected.jsonl").read_text("utf-8").splitlines()
        assert len(rejected) == 1
        assert json.loads(rejected[0])["raw"]
    if exit_code in (0, 1):
        assert run_cli("validate", str(tmp_path / "out")).returncode == 0


def test_an_unknown_layout_exits_2_naming_the_missing_columns(tmp_path: Path) -> None:
    result = run_cli(
        "import", "acled", str(FIXTURES / "acled-unknown-layout.csv"), "-o", str(tmp_path)
    )
    assert result.returncode == 2
    assert "lacks the columns: " in result.stderr
    assert "geo_precision" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_that_is_not_csv_or_missing_exits_2(tmp_path: Path) -> None:
    for path in (tmp_path / "acled.xlsx", tmp_path / "missing.csv"):
        result = run_cli("import", "acled", str(path), "-o", str(tmp_path / "out"))
        assert result.returncode == 2
        assert "curate: " in result.stderr


# End to end through the real CLI.


def test_import_writes_jsonl_that_validates_and_reports(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli(
        "import", "acled", str(FIXTURES / "acled-31-column.csv"), "-o", str(out), "-f", "json"
    )
    assert result.returncode == 1, result.stderr  # three rows rejected
    document = json.loads(result.stdout)
    summary = document["summary"]
    assert summary["rows_read"] == 10
    assert summary["balanced"]
    assert (
        summary["rejected_reasons"]["the country cannot be resolved from iso3, iso or country"] == 1
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "claims.jsonl",
        "events.jsonl",
        "rejected.jsonl",
        "sources.jsonl",
    ]
    events = [json.loads(line) for line in (out / "events.jsonl").read_text("utf-8").splitlines()]
    assert [e["event_id"] for e in events] == sorted(e["event_id"] for e in events)
    assert events[0]["extracted_at"] == "2023-11-14T22:13:20.000000Z"
    assert len((out / "rejected.jsonl").read_text("utf-8").splitlines()) == 3
    validated = run_cli("validate", str(out), "--format", "json")
    assert validated.returncode == 0, validated.stdout


def test_import_text_summary(tmp_path: Path) -> None:
    result = run_cli("import", "acled", str(FIXTURES / "acled-current.csv"), "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "ACLED current layout" in result.stdout
    assert "4 rows read = 4 events written + 0 merged + 0 rejected; 2 rows with warnings" in (
        result.stdout
    )


def test_import_into_a_dataset(tmp_path: Path) -> None:
    dataset = tmp_path / "datasets" / "acled"
    assert run_cli("new", str(dataset)).returncode == 0
    fixture = str(FIXTURES / "acled-before-2019.csv")
    first = run_cli("import", "acled", fixture, "--into", str(dataset))
    assert first.returncode == 0, first.stderr
    assert "store updated" in first.stdout
    assert run_cli("validate", str(dataset)).returncode == 0
    again = run_cli("import", "acled", fixture, "--into", str(dataset))
    assert again.returncode == 0
    assert "nothing changed" in again.stdout


def test_importing_the_same_file_later_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later import of the same rows (a new extraction time, another source version)
    is the same records again: no revision, nothing written, each counted as re-extracted."""
    dataset = tmp_path / "datasets" / "acled"
    assert run_cli("new", str(dataset)).returncode == 0
    fixture = str(FIXTURES / "acled-before-2019.csv")
    assert run_cli("import", "acled", fixture, "--into", str(dataset)).returncode == 0
    records = {p.name: p.read_bytes() for p in (dataset / "records").iterdir()}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 86_400))
    again = run_cli(
        "import",
        "acled",
        fixture,
        "--into",
        str(dataset),
        "--source-version",
        "later",
        "-f",
        "json",
    )
    assert again.returncode == 0, again.stderr
    events = json.loads(again.stdout)["ingest"]["tables"]["events"]
    written = json.loads(again.stdout)["summary"]["events_written"]
    assert events == {
        "added": 0,
        "revised": 0,
        "unchanged": written,
        "rejected": 0,
        "reextracted": written,
    }
    assert {p.name: p.read_bytes() for p in (dataset / "records").iterdir()} == records
    text = run_cli("import", "acled", fixture, "--into", str(dataset), "--source-version", "v2")
    assert f"{written} unchanged events came from another extraction" in text.stdout
    assert "nothing changed" in text.stdout


def test_a_terminal_sees_what_the_import_is_doing(tmp_path: Path) -> None:
    code, written = run_cli_in_terminal(
        "import", "acled", str(FIXTURES / "acled-current.csv"), "-o", str(tmp_path)
    )
    assert code == 0
    assert "importing: " in written
    assert "4 rows read = 4 events written" in written
    _, quiet = run_cli_in_terminal(
        "import", "acled", str(FIXTURES / "acled-current.csv"), "-o", str(tmp_path), "-f", "json"
    )
    assert "importing: " not in quiet


def test_import_needs_somewhere_to_write(tmp_path: Path) -> None:
    result = run_cli("import", "acled", str(FIXTURES / "acled-current.csv"))
    assert result.returncode == 2
    assert "-o OUT_DIR" in result.stderr
    missing = run_cli(
        "import", "acled", str(FIXTURES / "acled-current.csv"), "--into", str(tmp_path)
    )
    assert missing.returncode == 2
    assert "not a dataset" in missing.stderr


def test_rejected_rows_are_listed_when_there_is_no_output_directory(tmp_path: Path) -> None:
    dataset = tmp_path / "ds"
    run_cli("new", str(dataset))
    result = run_cli(
        "import",
        "acled",
        str(FIXTURES / "acled-31-column.csv"),
        "--into",
        str(dataset),
        "-f",
        "json",
    )
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert [r["row"] for r in document["rejected"]] == [8, 9, 10]
    assert document["ingest"]["accepted"] is True


# Invariants on random ACLED-like rows.


@given(rows=messy_acled_rows())
def test_every_row_is_accounted_for_and_the_output_validates(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, str]]
) -> None:
    path = write_acled_csv(tmp_path_factory.mktemp("acled") / "messy.csv", rows)
    imported = import_acled([path])
    summary = imported.summary
    assert summary.rows_read == len(rows)
    assert summary.rows_read == summary.events_written + summary.merged + summary.rejected
    assert imported.rejected.get_column("reason").null_count() == 0
    assert summary.events_written == imported.events.get_column("event_id").n_unique()
    _valid(imported)


def test_a_field_over_the_limit_is_a_rejected_row(tmp_path: Path) -> None:
    path = tmp_path / "acled.csv"
    path.write_bytes(_header() + _row().replace(b"SOHR", b"S" * 200_000, 1) + _row())
    from curate.interchange.reading import read_csv_export

    export = read_csv_export(path, "ACLED export", Limits())
    assert export.rows.height == 1
    assert export.unreadable.get_column("reason").to_list() == ["a field is longer than the limit"]


def test_a_directory_is_not_an_export(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        import_acled([tmp_path])


def test_several_files_and_layouts_in_one_import() -> None:
    names = ["acled-current.csv", "acled-before-2019.csv", "acled-current-no-actor2.csv"]
    imported = import_acled([FIXTURES / name for name in names])
    summary = imported.summary
    assert summary.layouts == {
        str(FIXTURES / "acled-current.csv"): "current layout",
        str(FIXTURES / "acled-before-2019.csv"): "layout before 2019",
        str(FIXTURES / "acled-current-no-actor2.csv"): "current layout",
    }
    # The third file repeats two events of the first: merged across files.
    assert (summary.rows_read, summary.events_written, summary.merged) == (11, 9, 2)
    _valid(imported)


def _fatality_claims(imported: Imported) -> dict[str, float]:
    """Each fatality claim's source and value_low."""
    claims = imported.claims.filter(pl.col("subject") == "fatalities")
    return dict(zip(claims.get_column("claimant"), claims.get_column("value_low"), strict=True))


def _disagreements(imported: Imported) -> dict[str, int]:
    return {
        reason: count
        for reason, count in imported.summary.warning_reasons.items()
        if "disagree" in reason
    }


@pytest.mark.parametrize(
    ("first", "claims"), [("0", {"Reuters": 5.0}), ("3", {"SOHR": 3.0, "Reuters": 5.0})]
)
def test_each_merged_source_claims_its_own_rows_figure(
    tmp_path: Path, first: str, claims: dict[str, float]
) -> None:
    # Same timestamp: the later row is not newer, but the first row's 0 is unknown.
    rows = [
        acled_row(fatalities=first, source="SOHR"),
        acled_row(fatalities="5", source="Reuters"),
    ]
    imported = import_acled([write_acled_csv(tmp_path / "a.csv", rows)])
    assert _fatality_claims(imported) == claims
    assert _disagreements(imported) == {
        "rows merged under this event id disagree on the fatalities: the event has"
        " those of the latest row by timestamp (else the first)": 1
    }
    assert imported.summary.warned == 1
    # The timestamps tie: the first row gives the event's figure (0: unknown).
    assert _event(imported, "SYR1001")["fatalities_best"] == (int(first) or None)


def test_the_latest_row_by_timestamp_gives_the_event_across_files(tmp_path: Path) -> None:
    old = write_acled_csv(tmp_path / "old.csv", [acled_row(fatalities="0", timestamp="100")])
    new = write_acled_csv(
        tmp_path / "new.csv", [acled_row(fatalities="12", timestamp="200", actor2="")]
    )
    for paths in ([old, new], [new, old]):
        imported = import_acled(paths)
        event = _event(imported, "SYR1001")
        assert event["fatalities_best"] == 12
        assert event["actor2"] is None
        assert imported.summary.merged == 1
        assert _disagreements(imported) == {
            "rows merged under this event id disagree on the fatalities: the event has"
            " those of the latest row by timestamp (else the first)": 1,
            "rows merged under this event id disagree on the actors: the event has"
            " those of the latest row by timestamp (else the first)": 1,
        }
        assert _kept(event)["merged_rows"][0]["fatalities"] == "0"


def test_merged_rows_that_agree_give_no_warning(tmp_path: Path) -> None:
    rows = [acled_row(fatalities="4", source="SOHR"), acled_row(fatalities="4", source="AFP")]
    imported = import_acled([write_acled_csv(tmp_path / "a.csv", rows)])
    assert _fatality_claims(imported) == {"SOHR": 4.0, "AFP": 4.0}
    assert _disagreements(imported) == {}


@pytest.mark.parametrize(
    ("event_date", "year", "start", "reason"),
    [
        ("1/2/03", "2003", dt.date(2003, 2, 1), None),
        ("01/02/2003", "2003", dt.date(2003, 2, 1), None),
        ("9-May-68", "1968", dt.date(1968, 5, 9), None),
        ("9-May-20", "1920", dt.date(1920, 5, 9), None),
        ("1/2/3", "2003", None, "event_date is missing or not a date"),
        ("1/2/0003", "2003", None, "event_date is not in the year that year gives"),
        ("9-May-68", "2020", None, "event_date is not in the year that year gives"),
        ("2020-03-21", "2019", None, "event_date is not in the year that year gives"),
    ],
)
def test_the_date_must_be_in_the_year_column(
    tmp_path: Path, event_date: str, year: str, start: dt.date | None, reason: str | None
) -> None:
    row = acled_row(event_date=event_date, year=year, time_precision="1")
    imported = import_acled([write_acled_csv(tmp_path / "a.csv", [row])])
    assert imported.rejected.get_column("reason").to_list() == ([reason] if reason else [])
    if start:
        assert _event(imported, "SYR1001")["date_start"] == start


def test_two_digit_years_without_a_year_column_follow_polars() -> None:
    texts = pl.Series(["9-May-69", "9-May-70", "1/2/03", "1/2/3", "21/03/2020"])
    assert parse_dates(texts).to_list() == [
        dt.date(2069, 5, 9),
        dt.date(1970, 5, 9),
        dt.date(2003, 2, 1),
        None,
        dt.date(2020, 3, 21),
    ]
