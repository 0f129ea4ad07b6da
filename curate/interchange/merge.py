"""Rows that repeat an event id are one event: merged, nothing dropped.

ACLED has repeated an event on several rows (one per actor pair) under one
`event_id_cnty`, and a later export may repeat an event of an earlier one with changes.
The row with the latest `updated` (ACLED's `timestamp`; else the first row, in file
order) gives the event's fields; the event rests on the sources of all its rows (in
order of first mention), each source carrying the fatality claim of the first row that
named it; each other row is kept whole, as read, in the notes' fields line under
`merged_rows`, and counted as merged. Where the rows disagree on the fatalities, the
actors or the date, the row giving the event's fields gets a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from curate.interchange.expressions import flagged
from curate.interchange.reading import FILE, RECORD, ROW

__all__ = ["CLAIM_COLUMNS", "MergedEvents", "merge_repeated"]

# A row's fatality claim, carried by each of its sources (null qualifier: no claim).
CLAIM_COLUMNS = ("claim_qualifier", "claim_low", "claim_high", "claim_text")
_ORDER = "__order"
_FIRST = "__first"
_DISAGREEMENTS = (
    (("fatalities_low", "fatalities_best", "fatalities_high"), "fatalities"),
    (("actor1", "actor2"), "actors"),
    (("date_start", "date_end"), "date"),
)


@dataclass(frozen=True)
class MergedEvents:
    """One row per event; per event and source, in order of first mention, the source
    (`sources`), its number (`position`) and its fatality claim (`CLAIM_COLUMNS`); the
    warnings of every row taken, with the merged rows' disagreements; and how many rows
    were merged into another."""

    events: pl.DataFrame
    cited: pl.DataFrame
    warnings: pl.Series
    rows_merged: int


def merge_repeated(
    rows: pl.DataFrame, records_of: Callable[[pl.DataFrame], pl.DataFrame]
) -> MergedEvents:
    """Merge `rows` (sorted by file and row) that share an event id. `records_of` gives
    the raw record, as JSON, of the rows it is handed (`FILE`, `ROW` -> `RECORD`).

    Most ids are on one row, which is its event as it stands: only the rows that share
    an id go through the windows that pick, compare and merge."""
    rows = rows.with_columns(pl.int_range(pl.len()).alias(_ORDER))
    repeated = pl.col("event_id").is_duplicated()
    alone = rows.filter(~repeated).with_columns(pl.col(_ORDER).alias(_FIRST))
    merged = _merge(rows.filter(repeated), records_of)
    events = pl.concat(
        [alone.with_columns(pl.lit(None, dtype=pl.String).alias("merged")), merged.events],
        how="vertical_relaxed",
    ).sort(_FIRST)
    cited = pl.concat([_cited_alone(alone), merged.cited]).sort(_ORDER, maintain_order=True)
    warnings = (
        pl.concat([alone.select(_ORDER, "warnings"), merged.warnings])
        .sort(_ORDER)
        .get_column("warnings")
    )
    columns = [c for c in rows.columns if c != _ORDER]
    return MergedEvents(
        events.with_columns(_fields_with_merged_rows()).select(columns),
        cited.drop(_ORDER),
        warnings,
        merged.rows_merged,
    )


def _cited_alone(alone: pl.DataFrame) -> pl.DataFrame:
    """The sources of events on one row each, numbered in the row's order (a row's
    sources are distinct)."""
    return (
        alone.select(
            _ORDER,
            "event_id",
            "sources",
            *CLAIM_COLUMNS,
            pl.int_ranges(1, pl.col("sources").list.len() + 1).alias("position"),
        )
        .explode("sources", "position")
        .filter(pl.col("sources").is_not_null())
        .select(_ORDER, "event_id", "sources", *CLAIM_COLUMNS, "position")
    )


@dataclass(frozen=True)
class _Repeats:
    """The rows that share an event id, merged: events with `_FIRST` (the order of the
    event's first row) and `merged` (the other rows as read); `cited` and `warnings`
    (a frame) with each row's `_ORDER`."""

    events: pl.DataFrame
    cited: pl.DataFrame
    warnings: pl.DataFrame
    rows_merged: int


def _merge(rows: pl.DataFrame, records_of: Callable[[pl.DataFrame], pl.DataFrame]) -> _Repeats:
    """`_Repeats` of `rows`, each of whose event ids is on several rows."""
    newest_first = pl.col(_ORDER).sort_by(
        [pl.col("updated").fill_null(-(2**63)), pl.col(_ORDER)], descending=[True, False]
    )
    lead = pl.col(_ORDER) == newest_first.first().over("event_id")
    disagree = flagged(
        [
            (
                pl.struct(columns).n_unique().over("event_id") > 1,
                f"rows merged under this event id disagree on the {what}: the event has"
                " those of the latest row by timestamp (else the first)",
            )
            for columns, what in _DISAGREEMENTS
        ]
    )
    rows = rows.with_columns(
        pl.when(lead)
        .then(pl.concat_list("warnings", disagree))
        .otherwise(pl.col("warnings"))
        .alias("warnings"),
        lead.alias("__lead"),
    )
    cited = (
        rows.select(_ORDER, "event_id", "sources", *CLAIM_COLUMNS)
        .explode("sources")
        .filter(
            pl.col("sources").is_not_null() & pl.struct("event_id", "sources").is_first_distinct()
        )
        .with_columns(pl.int_range(1, pl.len() + 1).over("event_id").alias("position"))
    )
    union = cited.group_by("event_id").agg(pl.col("sources").alias("merged_sources"))
    others = rows.filter(~pl.col("__lead"))
    records = others.select("event_id", FILE, ROW).join(
        records_of(others.select(FILE, ROW)), on=[FILE, ROW], how="left", maintain_order="left"
    )
    kept_whole = records.group_by("event_id").agg(pl.col(RECORD).str.join(",").alias("merged"))
    events = (
        rows.with_columns(pl.col(_ORDER).min().over("event_id").alias(_FIRST))
        .filter(pl.col("__lead"))
        .join(union, on="event_id", how="left", maintain_order="left")
        .join(kept_whole, on="event_id", how="left", maintain_order="left")
        .with_columns(pl.coalesce("merged_sources", "sources").alias("sources"))
        .drop("merged_sources", "__lead")
    )
    return _Repeats(events, cited, rows.select(_ORDER, "warnings"), others.height)


def _fields_with_merged_rows() -> pl.Expr:
    """The notes' fields members, then `merged_rows`: the other rows, as read."""
    return pl.concat_str(
        [pl.col("fields").replace("", None), pl.format('"merged_rows":[{}]', pl.col("merged"))],
        separator=",",
        ignore_nulls=True,
    ).alias("fields")
