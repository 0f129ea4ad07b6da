"""Benchmarks of `curate validate`, each beside a peer measured in the same run.

`make bench` runs this: it generates seeded synthetic events (benchmarks/generate.py),
times the real CLI end to end (process wall time of `curate validate --format json`)
with its peak memory, runs frictionless-py on the same CSV, and writes
benchmarks/results.json and a table. Data goes to benchmarks/data/ (git-ignored).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RESULTS = HERE / "results.json"
CURATE = [sys.executable, "-c", "from curate.cli.app import main; main()"]
INVALID_FRACTION = 0.001


def measure(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MiB and exit code of one child process."""
    if "polars" in sys.modules:  # it sets _RJEM_MALLOC_CONF, which children inherit
        raise SystemExit("benchmarks/run.py must not import polars: generate data in a child")
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, process.returncode


def figures(path: Path, rows: int, seconds: float, peak: float) -> dict[str, Any]:
    return {
        "file": path.name,
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_second": round(rows / seconds),
        "peak_rss_mib": round(peak),
    }


def curate_validate(path: Path, rows: int) -> dict[str, Any]:
    seconds, peak, code = measure([*CURATE, "validate", str(path), "--format", "json"])
    if code not in (0, 1):
        raise SystemExit(f"curate validate {path} could not run (exit {code})")
    return figures(path, rows, seconds, peak)


GENERATE = f"""
import sys
from pathlib import Path
sys.path.insert(0, {str(HERE)!r})
from generate import events, write_all
data = Path(sys.argv[1])
write_all(events(1_000_000, invalid_fraction={INVALID_FRACTION}), data, "events-1m")
ten = data / "events-10m.parquet"
if not ten.exists():
    events(10_000_000, invalid_fraction={INVALID_FRACTION}).write_parquet(
        ten, compression="zstd", row_group_size=100_000
    )
"""

FRICTIONLESS = """
import sys
from frictionless import Resource, Schema, validate
from curate.generate.frictionless import table_schema
from curate.schema import load_schema
descriptor = table_schema(load_schema().table("events"))
descriptor.pop("foreignKeys")  # one resource alone: the self-reference needs the package
path = sys.argv[1]
resource = Resource(path=path.rsplit("/", 1)[1], basepath=path.rsplit("/", 1)[0],
                    schema=Schema.from_descriptor(descriptor))
# Every row is read: no error limit, as curate counts every problem too.
report = validate(resource, limit_errors=10**9)
print(report.valid, report.stats)
"""


def frictionless_validate(path: Path, rows: int) -> dict[str, Any]:
    seconds, peak, code = measure([sys.executable, "-c", FRICTIONLESS, str(path)])
    if code != 0:
        raise SystemExit(f"frictionless could not validate {path} (exit {code})")
    return figures(path, rows, seconds, peak)


def timed(command: list[str]) -> dict[str, Any]:
    """Wall time and peak memory of a command that must succeed."""
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1442448000")
    seconds, peak, code = measure(command)
    if code != 0:
        raise SystemExit(f"{' '.join(command[3:])} failed (exit {code})")
    return {"seconds": round(seconds, 3), "peak_rss_mib": round(peak)}


def acled_import(rows: int = 100_000) -> dict[str, Any]:
    """`curate import acled` of `rows` synthetic ACLED rows (benchmarks/imports.py)."""
    source = DATA / f"acled-{rows // 1000}k.csv"
    if not source.exists():
        subprocess.run(
            [sys.executable, str(HERE / "imports.py"), str(source), str(rows)], check=True
        )
    output = DATA / "acled-import"
    shutil.rmtree(output, ignore_errors=True)
    seconds, peak, code = measure([*CURATE, "import", "acled", str(source), "-o", str(output)])
    if code != 0:
        raise SystemExit(f"curate import acled {source} failed (exit {code})")
    written = sum(path.stat().st_size for path in output.iterdir())
    return {**figures(source, rows, seconds, peak), "bytes_written": written}


# The same import through the Python API (frames in memory, nothing written): the
# seconds inside the process, without interpreter start-up and module imports.
ACLED_API = """
import sys, time
from pathlib import Path
from curate.interchange.acled.importer import import_acled
start = time.perf_counter()
imported = import_acled([Path(sys.argv[1])])
Path(sys.argv[2]).write_text(str(time.perf_counter() - start))
"""
# The peer: the cheapest conversion of the same file, polars reading every cell as text
# and writing it back as JSON lines, with no mapping and no checks (a child, like curate).
POLARS_CONVERSION = """
import sys
import polars as pl
pl.read_csv(sys.argv[1], infer_schema=False).write_ndjson(sys.argv[2])
"""


def acled_api_import(source: Path, rows: int) -> dict[str, Any]:
    """`curate.import_acled` of the same file, timed inside its process."""
    seconds_file = DATA / "acled-api-seconds.txt"
    _, peak, code = measure([sys.executable, "-c", ACLED_API, str(source), str(seconds_file)])
    if code != 0:
        raise SystemExit(f"import_acled({source}) failed (exit {code})")
    return figures(source, rows, float(seconds_file.read_text()), peak)


def polars_conversion(source: Path, rows: int) -> dict[str, Any]:
    """The peer of the import: polars turning the same CSV into JSON lines."""
    target = DATA / "acled-as-read.jsonl"
    seconds, peak, code = measure(
        [sys.executable, "-c", POLARS_CONVERSION, str(source), str(target)]
    )
    if code != 0:
        raise SystemExit(f"polars could not convert {source} (exit {code})")
    written = target.stat().st_size
    target.unlink()
    return {**figures(source, rows, seconds, peak), "bytes_written": written}


def help_time(runs: int = 7) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([*CURATE, "--help"], check=True, capture_output=True)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    DATA.mkdir(exist_ok=True)
    print("generating 1M and 10M synthetic events ...", flush=True)
    # In a child process: a child forked from a parent holding the generated rows would
    # start with the parent's memory counted in its peak RSS.
    subprocess.run([sys.executable, "-c", GENERATE, str(DATA)], check=True)
    one = {kind: DATA / f"events-1m.{kind}" for kind in ("parquet", "csv", "jsonl")}
    ten = DATA / "events-10m.parquet"
    results: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "invalid_fraction": INVALID_FRACTION,
    }
    print("timing curate --help ...", flush=True)
    results["help_seconds"] = round(help_time(), 3)
    runs = {
        "parquet_1m": (one["parquet"], 1_000_000),
        "parquet_10m": (ten, 10_000_000),
        "csv_1m": (one["csv"], 1_000_000),
        "jsonl_1m": (one["jsonl"], 1_000_000),
    }
    for name, (path, rows) in runs.items():
        print(f"curate validate {path.name} ...", flush=True)
        results[name] = curate_validate(path, rows)
    print("curate import acled of 100k synthetic ACLED rows, API and peer ...", flush=True)
    results["import_acled_100k"] = acled_import()
    acled_source = DATA / "acled-100k.csv"
    results["import_acled_api_100k"] = acled_api_import(acled_source, 100_000)
    results["polars_csv_to_jsonl_acled_100k"] = polars_conversion(acled_source, 100_000)
    results["import_over_polars_conversion"] = round(
        results["import_acled_100k"]["seconds"]
        / results["polars_csv_to_jsonl_acled_100k"]["seconds"],
        2,
    )
    print("building a store of 1M events, 2M claims, 1M sources ...", flush=True)
    lifecycle = DATA / "lifecycle"
    shutil.rmtree(lifecycle, ignore_errors=True)
    os.environ["XDG_STATE_HOME"] = str(lifecycle / "state")  # its seals, not the user's
    store, batch = lifecycle / "datasets" / "big", lifecycle / "new"
    subprocess.run([sys.executable, str(HERE / "lifecycle.py"), str(store), str(batch)], check=True)
    print("curate release of that store ...", flush=True)
    release = [*CURATE, "release", str(store), "--version", "1.0.0"]
    results["release_1m_events_2m_claims_1m_sources"] = timed(release)
    # A store curate has not written (this one was generated) is checked in full by the
    # first ingest, which then seals it (curate.store.seal); every later ingest trusts it.
    print("curate ingest of nothing into it: a full check that seals the store ...", flush=True)
    nothing = batch / "nothing" / "events.jsonl"
    nothing.parent.mkdir(parents=True, exist_ok=True)
    nothing.write_bytes(b"")
    results["first_ingest_checks_1m_in_full"] = timed([*CURATE, "ingest", str(store), str(nothing)])
    print("curate ingest of 100k new events (200k claims) into the sealed store ...", flush=True)
    new_files = [str(batch / "events.jsonl"), str(batch / "claims.jsonl")]
    results["ingest_100k_events_into_1m"] = timed([*CURATE, "ingest", str(store), *new_files])
    shutil.rmtree(lifecycle, ignore_errors=True)
    print(
        "frictionless validate on the same 1M-row CSV (about a minute and a half) ...", flush=True
    )
    results["frictionless_csv_1m"] = frictionless_validate(one["csv"], 1_000_000)
    results["csv_speedup_over_frictionless"] = round(
        results["frictionless_csv_1m"]["seconds"] / results["csv_1m"]["seconds"], 1
    )
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print()
    print(f"{'measure':<44}{'wall s':>9}{'rows/s':>12}{'peak MiB':>10}")
    imports = ("import_acled_100k", "import_acled_api_100k", "polars_csv_to_jsonl_acled_100k")
    for name in (*runs, *imports, "frictionless_csv_1m"):
        r = results[name]
        print(f"{name:<44}{r['seconds']:>9.2f}{r['rows_per_second']:>12,}{r['peak_rss_mib']:>10,}")
    lifecycle_runs = (
        "release_1m_events_2m_claims_1m_sources",
        "first_ingest_checks_1m_in_full",
        "ingest_100k_events_into_1m",
    )
    for name in lifecycle_runs:
        timing = results[name]
        print(f"{name:<44}{timing['seconds']:>9.2f}{'':>12}{timing['peak_rss_mib']:>10,}")
    print(f"{'curate --help (median of 7)':<44}{results['help_seconds']:>9.3f}")
    speedup = results["csv_speedup_over_frictionless"]
    print(f"{'CSV: curate vs frictionless-py, same file':<44}{speedup:>8.1f}x")
    ratio = results["import_over_polars_conversion"]
    print(f"{'import acled vs polars CSV->JSONL, same file':<44}{ratio:>8.2f}x")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
