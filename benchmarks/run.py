"""Benchmarks of `curate validate`, each figure beside a floor measured in the same run.

`make bench` runs this. benchmarks/prepare.py (a child process) makes the inputs once:
realistic events (benchmarks/realistic.py, the default for every figure) and the easy
synthetic ones (benchmarks/generate.py, the labelled second row). For each of Parquet,
CSV and JSONL this times the real CLI end to end (`curate validate FILE --format json`:
wall, user+sys CPU and peak RSS of the process, the median of several runs, every run
kept) and, in the same rounds, the floor: a child that only reads the same file (polars
`read_parquet`; polars `read_csv` with every column as text; pyarrow `read_json`), and
reports curate's time as a multiple of it. It checks that each run reports exactly the
planted issues, then times 10M realistic rows of Parquet, frictionless-py and curate on
the same cut of realistic rows, start-up beside `python -c pass` and `import polars`
(with `python -X importtime`'s largest imports), an ACLED import and a store's release
and ingests. Every target of issue 16 becomes an entry with its figure, its bound and
whether it is met. Results go to benchmarks/results.json, data to benchmarks/data/
(git-ignored). `--quick` (20k rows; no frictionless, 10M, import or store figures) shows
that all of it runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RESULTS = HERE / "results.json"
PYTHON = sys.executable
_SCRIPT = Path(PYTHON).with_name("curate")
# The installed console script, as a user runs it.
CURATE = [PYTHON, str(_SCRIPT)] if _SCRIPT.exists() else [PYTHON, "-m", "curate"]
INVALID_FRACTION = 0.001
FORMATS = ("parquet", "csv", "jsonl")

# The floors: a child that only reads the file, with the fastest reader at hand.
FLOORS = {
    "parquet": ("polars read_parquet", "import sys, polars; polars.read_parquet(sys.argv[1])"),
    "csv": (
        "polars read_csv, every column text",
        "import sys, polars; polars.read_csv(sys.argv[1], infer_schema=False)",
    ),
    "jsonl": ("pyarrow read_json", "import sys, pyarrow.json; pyarrow.json.read_json(sys.argv[1])"),
}
# The runs of 10 s and more (realistic CSV and JSONL): 2 of each, so that make bench ends
# within 15 minutes on 2 shared cores; 3 of every other.
SLOW = {("realistic", "csv"), ("realistic", "jsonl")}
# The store figures (about 6 minutes) run only if the run has taken less than this.
LIFECYCLE_BEFORE = 480
# The README's figures on the synthetic rows before issue 16 (rows/s): not to get worse.
SYNTHETIC_BEFORE = {"parquet": 854_591, "csv": 365_800, "jsonl": 214_330}

FRICTIONLESS = """
import sys
from frictionless import Resource, Schema, validate
from curate.generate.frictionless import table_schema
from curate.schema.loader import load_schema
descriptor = table_schema(load_schema().table("events"))
descriptor.pop("foreignKeys")  # one resource alone: the self-reference needs the package
path = sys.argv[1]
resource = Resource(path=path.rsplit("/", 1)[1], basepath=path.rsplit("/", 1)[0],
                    schema=Schema.from_descriptor(descriptor))
# Every row is read: no error limit, as curate counts every problem too.
report = validate(resource, limit_errors=10**9)
print(report.valid, report.stats)
"""


def measure(command: list[str], stdout: Path | None = None) -> dict[str, Any]:
    """Wall seconds, user+sys CPU seconds, peak RSS (MiB) and exit code of one child."""
    if "polars" in sys.modules:  # it sets _RJEM_MALLOC_CONF, which children inherit
        raise SystemExit("benchmarks/run.py must not import polars: generate data in a child")
    with open(stdout or os.devnull, "wb") as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        error = err.read().decode(errors="replace")
    return {
        "seconds": round(elapsed, 3),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_rss_mib": round(usage.ru_maxrss / 1024),
        "exit_code": process.returncode,
        "stderr": error[-500:],
    }


def summary(runs: list[dict[str, Any]], rows: int) -> dict[str, Any]:
    """The median run's figures (wall and CPU medians, the largest peak), every run kept."""
    seconds = statistics.median(r["seconds"] for r in runs)
    return {
        "rows": rows,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(statistics.median(r["cpu_seconds"] for r in runs), 3),
        "rows_per_second": round(rows / seconds),
        "peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
        "runs": [{k: r[k] for k in ("seconds", "cpu_seconds", "peak_rss_mib")} for r in runs],
    }


def checked(run: dict[str, Any], allowed: Sequence[int], what: str) -> dict[str, Any]:
    if run["exit_code"] not in allowed:
        raise SystemExit(f"{what} could not run (exit {run['exit_code']}): {run['stderr']}")
    return run


def verdict(report: Path, expected: Path | None) -> dict[str, Any]:
    """What curate reported, and whether it is exactly what was planted."""
    found = json.loads(report.read_text(encoding="utf-8"))
    counts = {code: entry["count"] for code, entry in found["counts"].items()}
    figures: dict[str, Any] = {
        "errors": found["errors"],
        "warnings": found["warnings"],
        "rejected": sum(found["rejected_rows"].values()),
    }
    if expected is not None:
        planted = json.loads(expected.read_text(encoding="utf-8"))
        figures["exactly_the_planted_issues"] = (
            counts == planted["counts"]
            and figures["rejected"] == planted["rejected"]
            and figures["warnings"] == planted["warnings"]
        )
    return figures


def against_floor(path: Path, rows: int, runs: int, floor: str, scratch: Path) -> dict[str, Any]:
    """curate end to end and the floor reading the same file, in alternate runs."""
    reader, code = FLOORS[floor]
    expected = path.with_name(path.name.rsplit(".", 1)[0] + ".expected.json")
    curate_runs, floor_runs, verdicts = [], [], []
    report = scratch / "report.json"
    for _ in range(runs):
        command = [*CURATE, "validate", str(path), "--format", "json"]
        curate_runs.append(checked(measure(command, report), (0, 1), f"curate validate {path}"))
        verdicts.append(verdict(report, expected if expected.exists() else None))
        floor_runs.append(checked(measure([PYTHON, "-c", code, str(path)]), (0,), reader))
    curate, base = summary(curate_runs, rows), summary(floor_runs, rows)
    return {
        "file": path.name,
        "bytes": path.stat().st_size,
        "curate": {**curate, "verdict": verdicts[0], "verdicts_agree": _same(verdicts)},
        "floor": {"reader": reader, **base},
        "ratio": round(curate["seconds"] / base["seconds"], 3),
        "cpu_ratio": round(curate["cpu_seconds"] / base["cpu_seconds"], 3),
    }


def _same(values: list[Any]) -> bool:
    return all(v == values[0] for v in values)


def alone(path: Path, rows: int, runs: int, scratch: Path) -> dict[str, Any]:
    """curate end to end on one file, without a floor (10M rows: no reader holds them)."""
    expected = path.with_name(path.name.rsplit(".", 1)[0] + ".expected.json")
    report = scratch / "report.json"
    measured = []
    for _ in range(runs):
        command = [*CURATE, "validate", str(path), "--format", "json"]
        measured.append(checked(measure(command, report), (0, 1), f"curate validate {path}"))
    return {
        "file": path.name,
        "bytes": path.stat().st_size,
        "curate": {
            **summary(measured, rows),
            "verdict": verdict(report, expected if expected.exists() else None),
        },
    }


def frictionless(
    path: Path, rows: int, curate_csv_1m: dict[str, Any], scratch: Path
) -> dict[str, Any]:
    """frictionless-py and curate on the same cut of realistic rows (CSV)."""
    peer = checked(measure([PYTHON, "-c", FRICTIONLESS, str(path)]), (0,), "frictionless")
    report = scratch / "report.json"
    runs = [
        checked(
            measure([*CURATE, "validate", str(path), "--format", "json"], report), (0, 1), "curate"
        )
        for _ in range(3)
    ]
    theirs, ours = summary([peer], rows), summary(runs, rows)
    return {
        "file": path.name,
        "rows": rows,
        "frictionless": {
            **theirs,
            "microseconds_per_row": round(1e6 * theirs["seconds"] / rows, 1),
        },
        "curate": {**ours, "microseconds_per_row": round(1e6 * ours["seconds"] / rows, 1)},
        # curate's CSV rows/s on 1M rows over frictionless's rows/s on the cut
        "speedup": round(curate_csv_1m["rows_per_second"] / theirs["rows_per_second"], 1),
        "speedup_same_cut": round(ours["rows_per_second"] / theirs["rows_per_second"], 1),
    }


def startup(one_row: Path, repeats: int) -> dict[str, Any]:
    """Medians of `repeats` wall times of start-up commands and their floors (in rounds)."""
    commands = {
        "curate --help": [*CURATE, "--help"],
        "curate validate --help": [*CURATE, "validate", "--help"],
        "curate validate of a 1-line JSONL file": [*CURATE, "validate", str(one_row)],
        "python -c pass": [PYTHON, "-c", "pass"],
        'python -c "import polars"': [PYTHON, "-c", "import polars"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, command in commands.items():
            times[name].append(checked(measure(command), (0,), name)["seconds"])
    figures: dict[str, Any] = {
        name: {"median_seconds": round(statistics.median(t), 3), "runs": t}
        for name, t in times.items()
    }
    figures["imports"] = largest_imports([*CURATE, "validate", str(one_row)])
    return figures


def largest_imports(command: list[str], count: int = 10) -> list[dict[str, Any]]:
    """The `count` largest cumulative imports of `command` (`python -X importtime`)."""
    done = subprocess.run(
        [command[0], "-X", "importtime", *command[1:]], capture_output=True, text=True, check=True
    )
    rows: list[dict[str, Any]] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|")
        rows.append(
            {
                "module": name.strip(),
                "cumulative_ms": round(int(cumulative) / 1000, 1),
                "self_ms": round(int(own) / 1000, 1),
            }
        )
    return sorted(rows, key=lambda r: -float(r["cumulative_ms"]))[:count]


def acled_import(data: Path, rows: int = 100_000) -> dict[str, Any]:
    """`curate import acled` of `rows` synthetic ACLED rows (benchmarks/imports.py) and
    its peer, polars turning the same CSV into JSON lines with no mapping and no checks."""
    source = data / f"acled-{rows // 1000}k.csv"
    if not source.exists():
        subprocess.run([PYTHON, str(HERE / "imports.py"), str(source), str(rows)], check=True)
    output = data / "acled-import"
    shutil.rmtree(output, ignore_errors=True)
    run = measure([*CURATE, "import", "acled", str(source), "-o", str(output)])
    ours = summary([checked(run, (0,), "curate import acled")], rows)
    shutil.rmtree(output, ignore_errors=True)
    target = data / "acled-as-read.jsonl"
    convert = (
        "import sys, polars as pl; "
        "pl.read_csv(sys.argv[1], infer_schema=False).write_ndjson(sys.argv[2])"
    )
    peer = summary(
        [checked(measure([PYTHON, "-c", convert, str(source), str(target)]), (0,), "polars")], rows
    )
    target.unlink(missing_ok=True)
    return {
        "curate": ours,
        "polars_csv_to_jsonl": peer,
        "ratio": round(ours["seconds"] / peer["seconds"], 2),
    }


def lifecycle(data: Path) -> dict[str, Any]:
    """Release and ingests of a store of 1M realistic events (benchmarks/lifecycle.py)."""
    root = data / "lifecycle"
    shutil.rmtree(root, ignore_errors=True)
    env_state = os.environ.get("XDG_STATE_HOME")
    os.environ["XDG_STATE_HOME"] = str(root / "state")  # its seals, not the user's
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1442448000")
    store, batch = root / "datasets" / "big", root / "new"
    try:
        start = time.perf_counter()
        subprocess.run([PYTHON, str(HERE / "lifecycle.py"), str(store), str(batch)], check=True)
        built = round(time.perf_counter() - start, 1)
        counts = json.loads((batch / "counts.json").read_text(encoding="utf-8"))
        release = [*CURATE, "release", str(store), "--version", "1.0.0"]
        figures: dict[str, Any] = {"store": counts, "build_seconds": built}
        figures["release"] = _plain(checked(measure(release), (0,), "curate release"))
        # A store curate has not written is checked in full by the first ingest, which
        # then seals it (curate.store.seal); every later ingest trusts the seal.
        nothing = batch / "nothing" / "events.jsonl"
        nothing.parent.mkdir(parents=True, exist_ok=True)
        nothing.write_bytes(b"")
        first = [*CURATE, "ingest", str(store), str(nothing)]
        figures["first_ingest_checks_in_full"] = _plain(checked(measure(first), (0,), "ingest"))
        new = [str(batch / "events.jsonl"), str(batch / "claims.jsonl")]
        ingest = [*CURATE, "ingest", str(store), *new]
        figures["ingest_of_the_batch"] = _plain(checked(measure(ingest), (0,), "ingest"))
        return figures
    finally:
        shutil.rmtree(root, ignore_errors=True)
        if env_state is None:
            os.environ.pop("XDG_STATE_HOME", None)
        else:
            os.environ["XDG_STATE_HOME"] = env_state


def _plain(run: dict[str, Any]) -> dict[str, Any]:
    return {k: run[k] for k in ("seconds", "cpu_seconds", "peak_rss_mib")}


def target(name: str, figure: float, bound: float, kind: str, unit: str) -> dict[str, Any]:
    """An entry for one target: `kind` "at most" or "at least" `bound`."""
    met = figure <= bound if kind == "at most" else figure >= bound
    return {"name": name, "figure": figure, "bound": bound, "kind": kind, "unit": unit, "met": met}


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target of issue 16 (and the synthetic rows' old figures) with its figure."""
    real, easy = results["realistic"], results["synthetic"]
    size = f"{results['rows'] // 1000}k" if results["rows"] < 10**6 else "1M"
    entries = [
        target(
            f"Parquet {size}: end to end / read_parquet",
            real["parquet"]["ratio"],
            3.0,
            "at most",
            "x",
        ),
        target(
            f"CSV {size}: end to end / read_csv (text)", real["csv"]["ratio"], 2.0, "at most", "x"
        ),
        target(
            f"JSONL {size}: end to end / pyarrow read_json",
            real["jsonl"]["ratio"],
            0.75,
            "at most",
            "x",
        ),
        target(
            f"JSONL {size}: rows/s",
            real["jsonl"]["curate"]["rows_per_second"],
            200_000,
            "at least",
            "rows/s",
        ),
    ]
    if "parquet_10m" in results:
        ten = results["parquet_10m"]["curate"]
        entries += [
            target("Parquet 10M: rows/s", ten["rows_per_second"], 1_000_000, "at least", "rows/s"),
            target("Parquet 10M: peak memory", ten["peak_rss_mib"], 1024, "at most", "MiB"),
        ]
    if "frictionless" in results:
        entries.append(
            target(
                "CSV: curate 1M rows/s / frictionless rows/s",
                results["frictionless"]["speedup"],
                50.0,
                "at least",
                "x",
            )
        )
    entries += [
        target(
            f"synthetic {kind}: rows/s (before: {before:,})",
            easy[kind]["curate"]["rows_per_second"],
            before,
            "at least",
            "rows/s",
        )
        for kind, before in SYNTHETIC_BEFORE.items()
    ]
    up = results["startup"]
    entries += [
        target(f"start-up: {name}", up[name]["median_seconds"], 0.3, "at most", "s")
        for name in (
            "curate --help",
            "curate validate --help",
            "curate validate of a 1-line JSONL file",
        )
    ]
    return entries


def table(results: dict[str, Any]) -> str:
    """The figures as text: ratios first, then the targets."""
    exact = "every run reported exactly the planted issues"
    lines = [
        f"{results['rows']:,} rows each{' (quick)' if results['quick'] else ''}; "
        + (exact if results["verdicts_exact"] else "NOT " + exact),
        f"{'input':<24}{'ratio':>7}{'cpu ratio':>10}{'curate s':>10}{'rows/s':>11}{'MiB':>6}"
        f"{'floor s':>9}  floor, verdict",
    ]
    for key in ("realistic", "synthetic"):
        for kind in FORMATS:
            r = results[key][kind]
            c, f = r["curate"], r["floor"]
            exact = c["verdict"].get("exactly_the_planted_issues")
            note = "" if exact is None else (", exact" if exact else ", NOT the planted issues")
            lines.append(
                f"{key + ' ' + kind:<24}{r['ratio']:>6.2f}x{r['cpu_ratio']:>9.2f}x"
                f"{c['seconds']:>10.2f}{c['rows_per_second']:>11,}{c['peak_rss_mib']:>6}"
                f"{f['seconds']:>9.2f}  {f['reader']}{note}"
            )
    if "parquet_10m" in results:
        c = results["parquet_10m"]["curate"]
        lines.append(
            f"{'realistic parquet 10M':<41}{c['seconds']:>10.2f}{c['rows_per_second']:>11,}"
            f"{c['peak_rss_mib']:>6}"
        )
    if "frictionless" in results:
        fr = results["frictionless"]
        theirs, ours = fr["frictionless"], fr["curate"]
        lines.append(
            f"frictionless-py on {fr['rows']:,} realistic rows: {theirs['seconds']:.2f} s "
            f"({theirs['microseconds_per_row']} us/row); curate on the same cut "
            f"{ours['seconds']:.2f} s ({ours['microseconds_per_row']} us/row); speed-up "
            f"{fr['speedup']}x (curate CSV 1M rows/s over frictionless rows/s), "
            f"{fr['speedup_same_cut']}x on the same cut"
        )
    if "import_acled_100k" in results:
        acled = results["import_acled_100k"]
        lines.append(
            f"curate import acled, 100k rows: {acled['curate']['seconds']:.2f} s, "
            f"{acled['ratio']}x polars reading the CSV and writing JSONL"
        )
    store = results.get("lifecycle", {})
    for step in ("release", "first_ingest_checks_in_full", "ingest_of_the_batch"):
        if step in store:
            lines.append(
                f"store of {store['store']['events']:,} events: {step:<28}"
                f"{store[step]['seconds']:>8.2f} s {store[step]['peak_rss_mib']:>6} MiB"
            )
    for name, figures in results["startup"].items():
        if name != "imports":
            lines.append(f"{name:<44}{figures['median_seconds']:>8.3f} s (median)")
    lines.append(
        "largest imports of curate validate (cumulative ms): "
        + ", ".join(
            f"{i['module']} {i['cumulative_ms']}" for i in results["startup"]["imports"][:5]
        )
    )
    lines.append("")
    lines.append(f"{'target':<54}{'figure':>12}{'bound':>12}  met")
    for t in results["targets"]:
        lines.append(
            f"{t['name']:<54}{t['figure']:>12,}{t['bound']:>12,}  {'yes' if t['met'] else 'NO'}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="benchmarks of curate validate")
    parser.add_argument(
        "--quick", action="store_true", help="20k rows; no frictionless, 10M, store"
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="where results.json goes")
    parser.add_argument("--data", type=Path, default=DATA, help="where the inputs are kept")
    arguments = parser.parse_args(argv)
    arguments.results.parent.mkdir(parents=True, exist_ok=True)
    quick, data = arguments.quick, arguments.data
    rows, cut = (20_000, 0) if quick else (1_000_000, 50_000)
    began = time.perf_counter()

    results: dict[str, Any] = {}

    def step(text: str) -> None:
        """Print what runs next; keep what has been measured so far (a partial file)."""
        if results:
            partial = json.dumps({**results, "partial": True}, indent=2) + "\n"
            arguments.results.write_text(partial, encoding="utf-8")
        print(f"[{time.perf_counter() - began:5.0f} s] {text}", flush=True)

    step("making the inputs (benchmarks/prepare.py; kept while the generators are unchanged)")
    prepare = [PYTHON, str(HERE / "prepare.py"), str(data), str(rows), "--cut", str(cut)]
    subprocess.run([*prepare, *([] if quick else ["--ten-million"])], check=True)
    name = f"events-{rows // 1000}k" if rows < 1_000_000 else f"events-{rows // 1_000_000}m"
    cut_name = f"{name}-cut-{cut // 1000}k"
    results |= {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "quick": quick,
        "rows": rows,
        "invalid_fraction": INVALID_FRACTION,
        "realistic": {},
        "synthetic": {},
    }
    with tempfile.TemporaryDirectory(prefix="curate-bench-") as scratch_dir:
        scratch = Path(scratch_dir)
        for key in ("realistic", "synthetic"):
            for kind in FORMATS:
                runs = 2 if quick or (key, kind) in SLOW else 3
                step(f"{key} {kind}: curate validate and {FLOORS[kind][0]}, {runs} runs each")
                results[key][kind] = against_floor(
                    data / key / f"{name}.{kind}", rows, runs, kind, scratch
                )
        if not quick:
            step("realistic parquet 10M: curate validate")
            results["parquet_10m"] = alone(
                data / "realistic" / "events-10m.parquet", 10_000_000, 1, scratch
            )
            step(f"frictionless-py and curate on the first {cut:,} realistic rows (CSV)")
            cut_file = data / "realistic" / f"{cut_name}.csv"
            results["frictionless"] = frictionless(
                cut_file, cut, results["realistic"]["csv"]["curate"], scratch
            )
        step("start-up")
        results["startup"] = startup(data / "startup" / "events-1.jsonl", 3 if quick else 7)
        if not quick:
            step("curate import acled of 100k synthetic ACLED rows, and its peer")
            results["import_acled_100k"] = acled_import(data)
            spent = time.perf_counter() - began
            if spent < LIFECYCLE_BEFORE:
                step("a store of 1M realistic events: release, first ingest, ingest of 100k")
                results["lifecycle"] = lifecycle(data)
            else:
                step("the store figures are left out: they would not end within 15 minutes")
                results["lifecycle"] = {"skipped": f"{spent:.0f} s had passed"}
    results["partial"] = False
    results["targets"] = targets(results)
    # The speed figures count only if every run gave the verdict planted in its input.
    verdicts = [results["realistic"][kind]["curate"] for kind in FORMATS]
    verdicts += [results["parquet_10m"]["curate"]] if "parquet_10m" in results else []
    results["verdicts_exact"] = all(
        v["verdict"].get("exactly_the_planted_issues") and v.get("verdicts_agree", True)
        for v in verdicts
    )
    results["wall_seconds"] = round(time.perf_counter() - began, 1)
    arguments.results.parent.mkdir(parents=True, exist_ok=True)
    arguments.results.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print()
    print(table(results))
    print(f"written to {arguments.results} in {results['wall_seconds']:.0f} s")


if __name__ == "__main__":
    main()
