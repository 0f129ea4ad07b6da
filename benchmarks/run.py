"""Benchmarks of curate, each figure beside a peer measured in the same run.

Run with `make bench`; results go to benchmarks/results.json and a table is printed.
Measured so far: `curate --help` start-up, and in-memory validation of events by
`curate.validate` against frictionless-py validating the same rows as CSV.
"""

from __future__ import annotations

import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl

from curate.rows import rows_to_frame
from curate.samples import sample_dataset
from curate.schema import load_schema
from curate.validation import validate

RESULTS = Path(__file__).with_name("results.json")
CURATE_ROWS = 1_000_000
FRICTIONLESS_ROWS = 20_000


def events_frame(rows: int) -> pl.DataFrame:
    """`rows` valid events: the sample's events repeated, each with its own id (vectorised)."""
    schema = load_schema()
    table = schema.table("events")
    frame, _ = rows_to_frame(sample_dataset(schema, seed_value=2015)["events"], table)
    frame = frame.with_columns(
        pl.lit("active").alias("status"), pl.lit(None, pl.String).alias("superseded_by")
    )
    repeats = -(-rows // frame.height)
    big = pl.concat([frame] * repeats).head(rows).rechunk()
    return big.with_columns(pl.format("ev-{}", pl.int_range(pl.len())).alias("event_id"))


def time_help(runs: int = 5) -> float:
    """Median wall time of `curate --help` in a fresh process."""
    command = [sys.executable, "-c", "from curate.cli import main; main()", "--help"]
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def time_curate(frame: pl.DataFrame) -> float:
    start = time.perf_counter()
    report = validate(frame, "events", max_issues=100)
    elapsed = time.perf_counter() - start
    assert report.valid, report.issues[:3]
    return elapsed


def time_frictionless(frame: pl.DataFrame) -> float:
    from frictionless import Resource, Schema
    from frictionless import validate as frictionless_validate

    from curate.export.frictionless import table_schema

    descriptor = table_schema(load_schema().table("events"))
    descriptor.pop("foreignKeys")  # a single resource: the self-reference needs the package
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "events.csv"
        frame.with_columns(pl.col(pl.Datetime).dt.strftime("%Y-%m-%dT%H:%M:%SZ")).write_csv(path)
        resource = Resource(
            path=path.name, basepath=directory, schema=Schema.from_descriptor(descriptor)
        )
        start = time.perf_counter()
        report = frictionless_validate(resource)
        elapsed = time.perf_counter() - start
    assert report.valid, report.flatten(["rowNumber", "fieldName", "note"])[:3]
    return elapsed


def main() -> None:
    results: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
    }
    results["help_seconds"] = time_help()
    big = events_frame(CURATE_ROWS)
    curate_seconds = time_curate(big)
    frictionless_seconds = time_frictionless(big.head(FRICTIONLESS_ROWS))
    curate_rate = CURATE_ROWS / curate_seconds
    frictionless_rate = FRICTIONLESS_ROWS / frictionless_seconds
    results["validate_in_memory_events"] = {
        "curate_rows": CURATE_ROWS,
        "curate_seconds": round(curate_seconds, 3),
        "curate_rows_per_second": round(curate_rate),
        "frictionless_rows": FRICTIONLESS_ROWS,
        "frictionless_seconds": round(frictionless_seconds, 3),
        "frictionless_rows_per_second": round(frictionless_rate),
        "speed_ratio": round(curate_rate / frictionless_rate, 1),
    }
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"{'benchmark':<40}{'figure':>28}")
    print(f"{'curate --help (median of 5)':<40}{results['help_seconds']:>26.3f} s")
    print(f"{'curate.validate, events in memory':<40}{curate_rate:>22,.0f} rows/s")
    print(f"{'frictionless validate, same rows (CSV)':<40}{frictionless_rate:>22,.0f} rows/s")
    print(f"{'ratio curate / frictionless':<40}{curate_rate / frictionless_rate:>25.1f} x")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
