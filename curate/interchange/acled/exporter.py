"""Export records in ACLED's 31-column layout, for interchange with tools that read ACLED.

One row per active event (retracted and superseded events are not ACLED events), in
event id order. Each column is what the notes' `ACLED fields` line kept from the
imported row (`curate.interchange.notes`), or else what our fields give
(`curate.interchange.acled.codebook.acled_columns`): ACLED's codes for our actor types
and precisions, the numeric ISO code and name of the country, the event's date (the
middle of its span), the source names of its claims in claim order joined by "; ", and
ACLED's fatalities (our best estimate, 0 where it is unknown, as ACLED writes it).
Dates are ISO 8601 (2020-03-21). The CSV is formula-safe (`spreadsheet`).
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson
import polars as pl

from curate.interchange.acled.codebook import (
    AT_IMPORT,
    COLUMNS_31,
    NOT_OURS,
    SOURCE_SEPARATOR,
    acled_columns,
)
from curate.interchange.notes import split_fields_line
from curate.interchange.spreadsheet import csv_text

__all__ = ["LABEL", "acled_csv", "acled_rows"]

LABEL = "ACLED"
_KEPT = pl.Struct(
    dict.fromkeys(
        [*COLUMNS_31, *(name + AT_IMPORT for name in COLUMNS_31 if name not in NOT_OURS)],
        pl.String,
    )
)


def _source_names(claims: pl.DataFrame, sources: pl.DataFrame) -> pl.DataFrame:
    """Per event, its sources' publishers in the order of its claims, each once."""
    return (
        claims.select("claim_id", "event_id", "source_id")
        .sort("claim_id")
        .join(
            sources.select("source_id", "publisher"),
            on="source_id",
            how="left",
            maintain_order="left",
        )
        .group_by("event_id", maintain_order=True)
        .agg(
            pl.col("publisher")
            .drop_nulls()
            .unique(maintain_order=True)
            .str.join(SOURCE_SEPARATOR)
            .alias("source")
        )
    )


def _decoded(lines: pl.Series) -> pl.Series:
    """The fields lines as structs of ACLED's columns; a line that is not a JSON object
    (edited by hand) counts as no line."""
    try:
        return lines.str.json_decode(_KEPT)
    except pl.exceptions.PolarsError:
        rows = []
        for line in lines.to_list():
            try:
                found = orjson.loads(line) if line is not None else None
            except orjson.JSONDecodeError:
                found = None
            kept = found if isinstance(found, dict) else {}
            rows.append({name: _text(kept.get(name)) for name in _KEPT.to_schema()})
        return pl.Series(lines.name, rows, dtype=_KEPT)


def _text(value: object) -> str | None:
    return None if value is None or isinstance(value, dict | list) else str(value)


def acled_rows(tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """The active events as ACLED's 31 columns, all text (null where empty)."""
    events = tables["events"].filter(pl.col("status") == "active")
    notes, line = split_fields_line(pl.col("notes"), LABEL)
    events = events.with_columns(notes.alias("notes"), line.alias("__line")).join(
        _source_names(tables["claims"], tables["sources"]),
        on="event_id",
        how="left",
        maintain_order="left",
    )
    events = events.with_columns(_decoded(events.get_column("__line")).alias("__kept"))
    derived = acled_columns(events)
    kept = pl.col("__kept").struct

    def still_kept(name: str) -> pl.Expr:
        """Whether the kept value of `name` is written: always for a column our fields do
        not give; else only while our fields give what they gave at import."""
        if name in NOT_OURS:
            return pl.lit(True)
        return kept.field(name + AT_IMPORT) == derived[name].fill_null("")

    rows = events.select(
        pl.when(still_kept(name))
        .then(pl.coalesce(kept.field(name), derived[name]))
        .otherwise(derived[name])
        .alias(name)
        for name in COLUMNS_31
    )
    # The year of the date written (ACLED's own date, where it was kept).
    year = pl.col("event_date").str.to_date(strict=False).dt.year().cast(pl.String)
    kept_year = events.select(pl.when(still_kept("year")).then(kept.field("year"))).to_series()
    rows = rows.with_columns(pl.coalesce(kept_year, year).alias("year"))
    return rows.sort("event_id_cnty")


def acled_csv(tables: Mapping[str, pl.DataFrame]) -> str:
    """`acled_rows` as formula-safe CSV text."""
    return csv_text(acled_rows(tables))
