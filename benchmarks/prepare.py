"""The benchmark inputs, made once and kept while the generators are unchanged.

`python prepare.py DATA ROWS [--ten-million] [--cut N]` writes, under DATA:

- realistic/events-<N>.{parquet,csv,jsonl}: `ROWS` realistic events (benchmarks/realistic.py)
  with 0.1 % planted invalid rows, and events-<N>.expected.json, the issues a validation
  must report (per code), the rows it must reject and the warnings;
- realistic/events-<N>-cut-<M>.*: the first M of those rows (for frictionless-py);
- realistic/events-10m.parquet (with --ten-million), written chunk by chunk;
- synthetic/events-<N>.{parquet,csv,jsonl}: the easy rows of benchmarks/generate.py;
- startup/events-1.jsonl: one valid event, for the start-up figures.

Each output has a stamp: a hash of the generators' source, the row count and the seed;
an output whose stamp matches is not made again. `benchmarks/run.py` runs this in a child
process, because importing polars sets the allocator's configuration (`_RJEM_MALLOC_CONF`)
that every later child of run.py would inherit.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import generate
import numpy as np
import polars as pl
import realistic
from records import label

__all__ = ["prepare", "stamp_of"]

HERE = Path(__file__).resolve().parent
SOURCES = ("realistic.py", "records.py", "generate.py")


def stamp_of(*parts: object) -> str:
    """A hash of the generators' source and `parts` (what an output was made from)."""
    digest = hashlib.sha256()
    for name in SOURCES:
        digest.update((HERE / name).read_bytes())
    digest.update(repr(parts).encode())
    return digest.hexdigest()


def _once(stamp_file: Path, stamp: str, make: Callable[[], object]) -> bool:
    """Run `make` unless `stamp_file` already holds `stamp`; True if it ran."""
    if stamp_file.exists() and stamp_file.read_text(encoding="utf-8") == stamp:
        return False
    stamp_file.unlink(missing_ok=True)
    make()
    stamp_file.write_text(stamp, encoding="utf-8")
    return True


def _expected(path: Path, plan: realistic.Planted) -> None:
    figures = {
        "rows": len(plan.kinds),
        "counts": plan.counts(),
        "rejected": plan.rejected(),
        "warnings": plan.rows("warning"),
    }
    path.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def prepare(data: Path, rows: int, *, ten_million: bool = False, cut: int = 0) -> None:
    """Every input of a benchmark run of `rows` rows (see the module's docstring)."""
    fraction, seed = realistic.INVALID_FRACTION, realistic.SEED
    real, easy, startup = data / "realistic", data / "synthetic", data / "startup"
    for directory in (real, easy, startup):
        directory.mkdir(parents=True, exist_ok=True)
    name = f"events-{label(rows)}"

    def realistic_rows() -> None:
        realistic.write_events(real, rows, invalid_fraction=fraction, seed=seed)
        _expected(
            real / f"{name}.expected.json", realistic.planted(rows, invalid_fraction=fraction)
        )

    if _once(real / f"{name}.stamp", stamp_of(rows, fraction, seed), realistic_rows):
        print(f"made {real / name}.*", flush=True)
    if cut:
        cut_name = f"{name}-cut-{label(cut)}"

        def cut_rows() -> None:
            head = pl.read_parquet(real / f"{name}.parquet", n_rows=cut)
            generate.write_all(head, real, cut_name)
            kinds = realistic.planted(rows, invalid_fraction=fraction).kinds[:cut]
            _expected(real / f"{cut_name}.expected.json", realistic.Planted(kinds))

        _once(real / f"{cut_name}.stamp", stamp_of(rows, cut, fraction, seed), cut_rows)
    if ten_million:
        ten = 10_000_000

        def ten_rows() -> None:
            realistic.write_events(real, ten, invalid_fraction=fraction, seed=seed)
            _expected(real / "events-10m.expected.json", _planted_by_chunks(ten))

        if _once(real / "events-10m.stamp", stamp_of(ten, fraction, seed), ten_rows):
            print(f"made {real / 'events-10m.parquet'}", flush=True)

    def synthetic_rows() -> None:
        generate.write_all(generate.events(rows, invalid_fraction=fraction), easy, name)

    _once(easy / f"{name}.stamp", stamp_of("synthetic", rows, fraction), synthetic_rows)
    _once(
        startup / "events-1.stamp",
        stamp_of("startup"),
        lambda: generate.write_all(realistic.events(1), startup, "events-1"),
    )


def _planted_by_chunks(rows: int) -> realistic.Planted:
    """The planted rows of a file written chunk by chunk (realistic.write_events)."""
    kinds = [
        realistic.planted(
            min(realistic.CHUNK, rows - first),
            invalid_fraction=realistic.INVALID_FRACTION,
            first_id=first,
        ).kinds
        for first in range(0, rows, realistic.CHUNK)
    ]
    return realistic.Planted(np.concatenate(kinds))


def main() -> None:
    parser = argparse.ArgumentParser(description="make the benchmark inputs")
    parser.add_argument("data", type=Path)
    parser.add_argument("rows", type=int)
    parser.add_argument("--ten-million", action="store_true")
    parser.add_argument("--cut", type=int, default=0)
    arguments = parser.parse_args()
    prepare(arguments.data, arguments.rows, ten_million=arguments.ten_million, cut=arguments.cut)


if __name__ == "__main__":
    main()
