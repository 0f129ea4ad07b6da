"""Retract an event: mark it retracted with a revision bump and the reason in its notes.
Records are never deleted; the store must stay valid, and is written as ingest writes it.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from curate.disk.locks import dataset_lock
from curate.errors import InputError, InvalidDataError
from curate.schema.loader import load_schema
from curate.schema.model import Schema
from curate.store.commit import UpsertedTable, commit_staged, stage_tables
from curate.store.load import load_store
from curate.store.records import open_store
from curate.validation.api import validate

__all__ = ["retract"]


def retract(dataset: Path, event_id: str, reason: str, *, schema: Schema | None = None) -> int:
    """Mark an event retracted, with a revision bump and the reason in its notes; records
    are never deleted. Returns the new revision."""
    schema = schema or load_schema()
    store = open_store(dataset)
    if not reason.strip():
        raise InputError("say why the event is retracted (--reason)")
    with dataset_lock(store.root):
        loaded = load_store(store, schema)
        tables = dict(loaded.tables)
        events = tables["events"]
        found = events.filter(pl.col("event_id") == event_id)
        if found.is_empty():
            raise InputError(f"{dataset}: no event {event_id!r}")
        if found["status"][0] == "retracted":
            raise InputError(f"event {event_id!r} is already retracted")
        note = f"Retracted: {reason.strip()}"
        updated = events.with_columns(
            pl.when(pl.col("event_id") == event_id)
            .then(pl.lit("retracted"))
            .otherwise(pl.col("status"))
            .alias("status"),
            pl.when(pl.col("event_id") == event_id)
            .then(pl.col("revision") + 1)
            .otherwise(pl.col("revision"))
            .alias("revision"),
            pl.when(pl.col("event_id") == event_id)
            .then(pl.concat_str([pl.col("notes"), pl.lit(note)], separator=" ", ignore_nulls=True))
            .otherwise(pl.col("notes"))
            .alias("notes"),
        )
        tables["events"] = updated
        report = validate(tables, schema=schema, max_issues=20)
        if not report.valid:
            raise InvalidDataError(f"retracting {event_id!r} would leave the store invalid")
        replacement = updated.filter(pl.col("event_id") == event_id)
        staged = stage_tables(
            store, loaded, {"events": UpsertedTable(updated, replacement)}, schema
        )
        commit_staged(store, schema, loaded, staged, doing="retracting an event in")
        return int(found["revision"][0]) + 1
