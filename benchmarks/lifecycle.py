"""Setting up the release and ingest benchmarks: a store of 1M events, 2M claims and 1M
sources, and a batch of 100k new events (with their 200k claims) to ingest into it."""

from __future__ import annotations

import sys
from pathlib import Path

from generate import dataset

from curate.disk.atomic import write_atomic
from curate.schema.loader import load_schema
from curate.store.records import new_dataset, store_rows

EVENTS = 1_000_000
NEW_EVENTS = 100_000


def build(root: Path, inputs: Path) -> None:
    """The store (written as curate writes it) and the new batch as JSONL inputs."""
    schema = load_schema()
    new_dataset(root)
    tables = dataset(EVENTS, EVENTS, seed=1)
    for name, frame in tables.items():
        write_atomic(root / "records" / f"{name}.jsonl", store_rows(frame, name, schema))
    batch = dataset(NEW_EVENTS, EVENTS, seed=2, first_id=EVENTS)
    inputs.mkdir(parents=True, exist_ok=True)
    for name in ("events", "claims"):
        write_atomic(inputs / f"{name}.jsonl", store_rows(batch[name], name, schema))


if __name__ == "__main__":
    build(Path(sys.argv[1]), Path(sys.argv[2]))
