"""The benchmarks' realistic generator (benchmarks/realistic.py) makes what it promises
(seeded frames, exactly the planted problems, the distribution of real records), and
`benchmarks/run.py --quick` runs end to end and writes a well-formed results file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import realistic  # noqa: E402

from curate.validation.api import validate  # noqa: E402


def test_the_same_seed_gives_the_same_frame() -> None:
    first = realistic.events(3_000, invalid_fraction=0.01, seed=realistic.SEED)
    again = realistic.events(3_000, invalid_fraction=0.01, seed=realistic.SEED)
    assert first.equals(again)
    later = realistic.events(3_000, invalid_fraction=0.01, first_id=3_000)
    assert not first.get_column("notes").equals(later.get_column("notes"))
    assert later.get_column("event_id")[0] == "ev-000003000"


def test_a_cut_of_20k_rows_raises_exactly_the_planted_issues() -> None:
    rows, fraction = 20_000, 0.01
    frame = realistic.events(rows, invalid_fraction=fraction)
    plan = realistic.planted(rows, invalid_fraction=fraction)
    assert set(plan.kinds[plan.kinds >= 0].tolist()) == set(range(len(realistic.KINDS)))
    report = validate(frame, "events")
    assert dict(report.counts) == plan.counts()
    assert report.rejected["events"] == plan.rejected()
    assert report.warning_count == plan.rows("warning")
    # Every issue is on a planted row, or on the row a repeated id repeats.
    repeated = np.flatnonzero(plan.kinds == realistic.KINDS.index(_kind("repeated-id")))
    allowed = {int(i) + 1 for i in np.flatnonzero(plan.kinds >= 0)} | {int(i) for i in repeated}
    assert {issue.row for issue in report.issues} <= allowed
    assert not validate(realistic.events(2_000), "events").counts


def _kind(name: str) -> realistic.Kind:
    return next(kind for kind in realistic.KINDS if kind.name == name)


def test_the_dataset_validates_and_source_counts_match_the_claims() -> None:
    tables = realistic.dataset(4_000, 1_000)
    report = validate(tables)
    assert report.valid
    assert not report.counts
    claims, events = tables["claims"], tables["events"]
    distinct = claims.group_by("event_id").agg(pl.col("source_id").n_unique().alias("n"))
    joined = events.join(distinct, on="event_id", how="left")
    assert joined.get_column("n").null_count() == 0
    assert (joined.get_column("n") == joined.get_column("source_count")).all()
    quotes = claims.get_column("quote").drop_nulls().str.len_chars()
    assert quotes.min() >= 50  # type: ignore[operator]
    assert quotes.max() <= 400  # type: ignore[operator]
    non_ascii = claims.get_column("quote").str.contains(r"[^\x00-\x7f]").mean()
    assert 0.08 < non_ascii < 0.25  # type: ignore[operator]
    urls = tables["sources"].get_column("url")
    assert urls.str.contains(r"^https://[^/]+/.+/\d{4}/\d{2}/\d{2}/").all()
    assert urls.str.contains(r"\?").any()
    assert tables["sources"].get_column("language").n_unique() >= 5


def test_the_distribution_of_100k_rows_is_that_of_real_records() -> None:
    figures = realistic.distribution(realistic.events(100_000))
    assert 250 <= figures["notes_bytes_median"] <= 350
    assert 500 <= figures["notes_bytes_mean"] <= 700
    assert 0.005 <= figures["notes_over_3000_share"] <= 0.05
    assert figures["notes_unique_share"] == 1.0
    assert 0.10 <= figures["non_ascii_row_share"] <= 0.20
    assert 0.10 <= figures["non_ascii_notes_share"] <= 0.20
    assert 10_000 <= figures["distinct_location"] <= 50_000
    assert 200 <= figures["distinct_admin1"] <= 400
    assert 2_000 <= figures["distinct_admin2"] <= 10_000
    assert 2_000 <= figures["distinct_actors"] <= 5_000
    assert 0.3 <= figures["null_admin2"] <= 0.6
    assert 0.6 <= figures["null_actor2"] <= 0.72  # actor2 in about a third of rows
    assert figures["null_fatalities_low"] > 0.6
    assert figures["null_fatalities_high"] > 0.6
    assert 0.15 <= figures["null_fatalities_best"] <= 0.45
    assert 0.05 <= 1 - figures["null_date_text"] <= 0.25


@pytest.mark.slow
def test_run_quick_writes_a_well_formed_results_file(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "run.py"),
            "--quick",
            "--results",
            str(results),
            "--data",
            str(tmp_path / "data"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    written = json.loads(results.read_text(encoding="utf-8"))
    assert written["quick"] is True
    for run in ("parquet", "csv", "jsonl"):
        entry = written["realistic"][run]
        assert entry["curate"]["rows"] == written["rows"]
        assert entry["floor"]["seconds"] > 0
        assert entry["ratio"] == pytest.approx(
            entry["curate"]["seconds"] / entry["floor"]["seconds"], rel=0.01
        )
        assert len(entry["curate"]["runs"]) >= 2
        assert written["synthetic"][run]["ratio"] > 0
    assert isinstance(written["verdicts_exact"], bool)
    assert written["startup"]["curate --help"]["median_seconds"] > 0
    assert len(written["startup"]["imports"]) == 10
    targets = written["targets"]
    assert targets
    for target in targets:
        assert set(target) >= {"name", "figure", "bound", "met"}
        assert isinstance(target["met"], bool)
    assert "| Parquet" in done.stdout or "parquet" in done.stdout.lower()
