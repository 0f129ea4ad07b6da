"""Setting up the release and ingest benchmarks: a store of 1M realistic events with their
claims and 1M sources (benchmarks/realistic.py), and a batch of 100k new events with their
claims to ingest into it. `python lifecycle.py STORE BATCH [EVENTS NEW_EVENTS]`; the row
counts go to BATCH/counts.json."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from realistic import dataset

from curate.disk.atomic import write_atomic
from curate.schema.loader import load_schema
from curate.store.records import new_dataset, store_rows

EVENTS = 1_000_000
NEW_EVENTS = 100_000


def build(root: Path, inputs: Path, events: int = EVENTS, new_events: int = NEW_EVENTS) -> None:
    """The store (written as curate writes it) and the new batch as JSONL inputs."""
    schema = load_schema()
    new_dataset(root)
    tables = dataset(events, events, seed=1)
    counts = {name: len(frame) for name, frame in tables.items()}
    for name, frame in tables.items():
        write_atomic(root / "records" / f"{name}.jsonl", store_rows(frame, name, schema))
    del tables
    batch = dataset(new_events, events, seed=2, first_id=events)
    inputs.mkdir(parents=True, exist_ok=True)
    for name in ("events", "claims"):
        write_atomic(inputs / f"{name}.jsonl", store_rows(batch[name], name, schema))
        counts[f"new_{name}"] = len(batch[name])
    (inputs / "counts.json").write_text(json.dumps(counts) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sizes = [int(n) for n in sys.argv[3:5]]
    build(Path(sys.argv[1]), Path(sys.argv[2]), *sizes)
