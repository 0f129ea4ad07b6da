"""The shipped dataset: the Syrian air strikes on Raqqa of 17 September 2015.

It must be what its reports say (and no more), replay byte for byte from its inputs,
verify, pass frictionless, and read as a person expects."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from curate.release.read import read_tables
from curate.schema.loader import load_schema
from tests.helpers import frictionless_report, run_cli

SCHEMA = load_schema()
ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "datasets" / "raqqa-airstrikes-2015"
RELEASES = DATASET / "releases"
SOURCES = ROOT.parent / "shared" / "sources"  # the reports, beside the project (not shipped)
EVENT = "syr-raqqa-2015-09-17-air-strikes"


def _release(version: str) -> dict[str, pl.DataFrame]:
    return read_tables(RELEASES / version, SCHEMA)


def _event(version: str) -> dict[str, Any]:
    events = _release(version)["events"]
    assert events["event_id"].to_list() == [EVENT]
    return events.row(0, named=True)


def test_both_releases_are_published() -> None:
    assert sorted(p.name for p in RELEASES.iterdir()) == ["1.0.0", "1.1.0"]


def test_the_date_is_the_thursday_of_publication_not_the_one_before() -> None:
    event = _event("1.1.0")
    assert event["date_text"] == "on Thursday"
    assert event["date_anchor"] == dt.date(2015, 9, 17)
    assert event["date_anchor"].strftime("%A") == "Thursday"
    assert event["date_start"] == event["date_end"] == dt.date(2015, 9, 17)
    assert event["date_start"] != dt.date(2015, 9, 10)  # the naive "last Thursday"
    assert event["date_precision"] == "day"


def test_the_event_claims_only_what_the_evidence_carries() -> None:
    event = _event("1.1.0")
    assert (event["event_type"], event["sub_event_type"]) == (
        "Explosions/Remote violence",
        "Air/drone strike",
    )
    assert (event["country_iso3"], event["admin1"], event["geo_precision"]) == (
        "SYR",
        "Ar-Raqqa",
        "locality",
    )
    assert 35.9 < event["latitude"] < 36.0
    assert 38.9 < event["longitude"] < 39.1
    assert event["actor1_type"] == "state_forces"
    assert event["attribution"] == "alleged"
    assert "Islamic State" in event["actor2"]
    # The only fatality figure is partisan: the event leaves fatalities unknown.
    assert (event["fatalities_low"], event["fatalities_best"], event["fatalities_high"]) == (
        None,
        None,
        None,
    )
    assert event["injuries_best"] is None
    assert event["injuries_high"] is None


def test_partisan_claims_are_kept_and_not_adopted() -> None:
    claims = _release("1.1.0")["claims"]
    isil = claims.filter(pl.col("claimant").str.contains("ISIL"))
    assert sorted(isil["subject"].to_list()) == ["fatalities", "injuries"]
    assert isil["partisan"].all()
    assert not isil["adopted"].any()
    killed = isil.filter(pl.col("subject") == "fatalities").row(0, named=True)
    assert (killed["qualifier"], killed["value_low"], killed["hedge"]) == (
        "at_least",
        30,
        "claimed",
    )
    # Every adopted casualty claim is non-partisan.
    casualties = claims.filter(pl.col("subject").is_in(["fatalities", "injuries"]))
    assert not casualties.filter(pl.col("adopted"))["partisan"].any()


def test_the_monitors_counts_and_hedges_are_kept() -> None:
    claims = _release("1.1.0")["claims"]
    rbss = claims.filter(
        pl.col("claimant").str.starts_with("Raqqa is Being") & (pl.col("subject") == "strike_count")
    ).row(0, named=True)
    assert (rbss["qualifier"], rbss["value_low"]) == ("at_least", 13)  # "more than 12"
    sohr = claims.filter(pl.col("claimant").str.starts_with("Syrian Observatory"))
    by_subject = {row["subject"]: row for row in sohr.iter_rows(named=True)}
    assert by_subject["strike_count"]["value_low"] == 11
    assert by_subject["perpetrator"]["hedge"] == "unverified"
    assert "believed to belong" in by_subject["perpetrator"]["quote"]


def test_1_1_0_adds_reuters_and_revises_exactly_the_event() -> None:
    before, after = _release("1.0.0"), _release("1.1.0")
    assert before["sources"]["publisher"].to_list() == ["Al Jazeera"]
    assert sorted(after["sources"]["publisher"].to_list()) == ["Al Jazeera", "Reuters"]
    old, new = _event("1.0.0"), _event("1.1.0")
    changed = sorted(name for name in old if old[name] != new[name])
    assert changed == ["confidence", "notes", "revision", "source_count"]
    assert (old["source_count"], new["source_count"]) == (1, 2)
    assert old["confidence"] < new["confidence"]
    changes = (RELEASES / "1.1.0" / "CHANGES.md").read_text(encoding="utf-8")
    assert f"`{EVENT}`" in changes
    assert "source_count: 1 → 2" in changes
    assert "Added (1): `reuters-2015-09-17-raqqa`" in changes
    assert before["claims"].height + 8 == after["claims"].height


def test_quotes_are_verbatim_from_the_reports() -> None:
    if not SOURCES.is_dir():
        pytest.skip("the reports are not beside this checkout")
    text = "\n".join(
        p.read_text(encoding="utf-8").replace('\\"', '"') for p in sorted(SOURCES.iterdir())
    )
    claims = _release("1.1.0")["claims"]
    missing = [q for q in claims["quote"].to_list() if q not in text]
    assert not missing


def test_the_releases_replay_verify_and_pass_frictionless(tmp_path: Path) -> None:
    replayed = run_cli("replay", str(DATASET), "--into", str(tmp_path))
    assert replayed.returncode == 0, replayed.stderr
    assert "byte-identical" in replayed.stdout
    for version in ("1.0.0", "1.1.0"):
        assert run_cli("verify", str(RELEASES / version)).returncode == 0
        report = frictionless_report(RELEASES / version / "datapackage.json")
        assert report["valid"] is True, str(report)[-2000:]


def test_a_changed_input_breaks_the_replay(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "raqqa-airstrikes-2015"
    shutil.copytree(DATASET, copy)
    events = copy / "inputs" / "1.1.0" / "events.jsonl"
    events.write_text(events.read_text("utf-8").replace('"confidence": 0.9', '"confidence": 0.85'))
    replayed = run_cli("replay", str(copy))
    assert replayed.returncode == 1
    assert "1.1.0/events.parquet: differs" in replayed.stderr


def test_show_prints_the_event_its_claims_and_the_parquet_files() -> None:
    shown = run_cli("show", str(RELEASES / "1.1.0"))
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert EVENT in out
    assert "at least 30" in out
    assert "partisan" in out
    assert "unknown" in out  # killed: unknown
    assert out.rstrip().endswith("sources.parquet")
    missing = run_cli("show", str(RELEASES / "1.1.0"), "--event", "no-such-event")
    assert missing.returncode == 2
    assert "no event" in missing.stderr


def test_a_release_without_its_inputs_cannot_be_replayed(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "raqqa-airstrikes-2015"
    shutil.copytree(DATASET, copy)
    shutil.rmtree(copy / "inputs" / "1.0.0")
    replayed = run_cli("replay", str(copy))
    assert replayed.returncode == 2
    assert "no inputs for release 1.0.0" in replayed.stderr
    assert "Traceback" not in replayed.stderr
