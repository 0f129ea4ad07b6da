"""The easy synthetic rows, the benchmarks' labelled second row (benchmarks/realistic.py
makes the realistic ones): 8 places, 10 actors, no notes. A fast, seeded, vectorised
generator (not Hypothesis, which is far too slow for millions of rows) with a
configurable fraction of invalid rows; writes Parquet, CSV and JSONL forms of the same
rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
from records import COUNTS, ids, null_where_negative, typed

from curate.schema.loader import load_schema

__all__ = ["dataset", "events", "write_all"]

_ACTORS = [
    ("Military Forces of Syria (2000-2024)", "state_forces"),
    ("Islamic State (Syria)", "rebel_group"),
    ("Police Forces of Nigeria (2015-2023)", "state_forces"),
    ("Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad", "rebel_group"),
    ("Unidentified Armed Group (Mexico)", "political_militia"),
    ("Fulani Ethnic Militia (Nigeria)", "identity_militia"),
    ("Rioters (India)", "rioters"),
    ("Protesters (Chile)", "protesters"),
    ("Civilians (Yemen)", "civilians"),
    ("Military Forces of Russia (2000-)", "external_forces"),
]
ATTRIBUTIONS = ["confirmed", "claimed", "alleged", "disputed", "unknown"]
_PLACES = [
    ("SYR", "Ar-Raqqa", "Ar-Raqqa", "Raqqa", 35.9594, 39.0081),
    ("NGA", "Borno", "Maiduguri", "Maiduguri", 11.8311, 13.1510),
    ("MEX", "Guerrero", "Acapulco de Juarez", "Acapulco", 16.8531, -99.8237),
    ("IND", "Manipur", "Imphal West", "Imphal", 24.8170, 93.9368),
    ("CHL", "Region Metropolitana", "Santiago", "Santiago", -33.4489, -70.6693),
    ("YEM", "Taizz", "Al Qahirah", "Taizz", 13.5795, 44.0209),
    ("UKR", "Donetsk", "Bakhmutskyi", "Bakhmut", 48.5944, 38.0002),
    ("SDN", "Khartoum", "Khartoum", "Khartoum", 15.5007, 32.5599),
]


def events(
    rows: int, *, invalid_fraction: float = 0.0, seed: int = 2015, first_id: int = 0
) -> pl.DataFrame:
    """`rows` events in schema order; about `invalid_fraction` of them break one check."""
    rng = np.random.default_rng(seed)
    schema = load_schema()
    taxonomy = [(t.parent, t.value) for t in schema.vocabularies["sub_event_types"].terms]
    kind = rng.integers(0, len(taxonomy), rows)
    place = rng.integers(0, len(_PLACES), rows)
    actor1 = rng.integers(0, len(_ACTORS), rows)
    actor2 = rng.integers(0, len(_ACTORS), rows)
    has_actor2 = rng.random(rows) < 0.7
    day0 = np.datetime64("1997-01-01")
    starts = day0 + rng.integers(0, 10_500, rows).astype("timedelta64[D]")
    spans = np.where(rng.random(rows) < 0.85, 0, rng.integers(1, 30, rows)).astype("timedelta64[D]")
    best = rng.geometric(0.3, rows) - 1
    known = rng.random(rows) < 0.6
    low = np.maximum(best - rng.integers(0, 3, rows), 0)
    high = best + rng.integers(0, 5, rows)
    sources = rng.integers(1, 6, rows)
    confidence = np.round(rng.beta(5, 2, rows), 3)
    confidence = np.where((sources == 1) & (confidence >= 0.8), 0.79, confidence)
    geo = rng.random(rows) < 0.9
    pairs = list(zip(actor2, has_actor2, strict=True))
    offsets = rng.integers(0, 10**12, rows).astype("timedelta64[us]")
    frame = pl.DataFrame(
        {
            "event_id": ids("ev-", first_id, rows, 9),
            "revision": rng.integers(1, 4, rows),
            "status": np.where(rng.random(rows) < 0.02, "retracted", "active"),
            "superseded_by": pl.Series([None] * rows, dtype=pl.String),
            "date_start": starts,
            "date_end": starts + spans,
            "date_precision": np.where(spans == np.timedelta64(0, "D"), "day", "month"),
            "date_text": pl.Series([None] * rows, dtype=pl.String),
            "date_anchor": pl.Series([None] * rows, dtype=pl.Date),
            "country_iso3": [_PLACES[i][0] for i in place],
            "admin1": [_PLACES[i][1] for i in place],
            "admin2": [_PLACES[i][2] for i in place],
            "location": [_PLACES[i][3] for i in place],
            "latitude": np.where(geo, [_PLACES[i][4] for i in place], np.nan),
            "longitude": np.where(geo, [_PLACES[i][5] for i in place], np.nan),
            "geo_precision": np.where(geo, "locality", "country"),
            "event_type": [taxonomy[i][0] for i in kind],
            "sub_event_type": [taxonomy[i][1] for i in kind],
            "actor1": [_ACTORS[i][0] for i in actor1],
            "actor1_type": [_ACTORS[i][1] for i in actor1],
            "actor2": [_ACTORS[i][0] if k else None for i, k in pairs],
            "actor2_type": [_ACTORS[i][1] if k else None for i, k in pairs],
            "attribution": rng.choice(ATTRIBUTIONS, rows),
            "civilian_targeting": rng.random(rows) < 0.3,
            "fatalities_low": np.where(known, low, -1),
            "fatalities_best": np.where(known, best, -1),
            "fatalities_high": np.where(known, high, -1),
            "injuries_low": np.full(rows, -1),
            "injuries_best": np.where(rng.random(rows) < 0.3, best * 2, -1),
            "injuries_high": np.full(rows, -1),
            "confidence": confidence,
            "source_count": sources,
            "extraction_method": rng.choice(["manual", "rule", "model", "import"], rows),
            "extractor": "benchmarks/generate.py 1",
            "extracted_at": np.datetime64("2026-11-01T12:00:00", "us") + offsets,
            "notes": pl.Series([None] * rows, dtype=pl.String),
        }
    )
    frame = frame.with_columns(
        [
            *null_where_negative(COUNTS),
            pl.col("latitude").fill_nan(None),
            pl.col("longitude").fill_nan(None),
            pl.when(pl.col("civilian_targeting")).then(True).alias("civilian_targeting"),
        ]
    )
    frame = typed(frame, "events")
    if invalid_fraction:
        broken = pl.Series(rng.random(rows) < invalid_fraction)
        frame = frame.with_columns(
            pl.when(broken)
            .then(pl.lit("Airstrike"))
            .otherwise(pl.col("event_type"))
            .alias("event_type"),
            pl.when(broken)
            .then(pl.lit(-5, dtype=pl.Int64))
            .otherwise(pl.col("fatalities_best"))
            .alias("fatalities_best"),
        )
    return frame


def write_all(frame: pl.DataFrame, directory: Path, name: str) -> dict[str, Path]:
    """The same rows as Parquet (zstd), CSV and JSONL; dates and datetimes in ISO 8601."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {kind: directory / f"{name}.{kind}" for kind in ("parquet", "csv", "jsonl")}
    frame.write_parquet(paths["parquet"], compression="zstd", row_group_size=100_000)
    text = frame.with_columns(
        pl.col(pl.Datetime).dt.strftime("%Y-%m-%dT%H:%M:%S%.6fZ"),
        pl.col(pl.Date).dt.strftime("%Y-%m-%d"),
    )
    text.write_csv(paths["csv"])
    text.write_ndjson(paths["jsonl"])
    return paths


def dataset(
    events_count: int, sources_count: int, *, seed: int = 2015, first_id: int = 0
) -> dict[str, pl.DataFrame]:
    """A consistent dataset: each event rests on two claims from two distinct sources
    (so source_count is 2); sources are shared between events."""
    rng = np.random.default_rng(seed)
    frame = events(events_count, seed=seed, first_id=first_id).with_columns(
        pl.lit("active").alias("status"), pl.lit(2, dtype=pl.Int64).alias("source_count")
    )
    event_ids = frame.get_column("event_id")
    first = rng.integers(0, sources_count, events_count)
    second = (first + 1 + rng.integers(0, sources_count - 1, events_count)) % sources_count
    claims = pl.DataFrame(
        {
            "claim_id": ids("cl-", 2 * first_id, 2 * events_count, 10),
            "event_id": pl.concat([event_ids, event_ids]).sort(),
            "source_id": [f"src-{s:09d}" for pair in zip(first, second, strict=True) for s in pair],
            "claimant": rng.choice(
                ["Local activists", "Monitoring group", "Hospital staff"], 2 * events_count
            ),
            "claimant_type": rng.choice(["local_activist", "monitor", "medical"], 2 * events_count),
            "partisan": False,
            "subject": "occurrence",
            "qualifier": "unquantified",
            "value_low": pl.Series([None] * (2 * events_count), dtype=pl.Float64),
            "value_high": pl.Series([None] * (2 * events_count), dtype=pl.Float64),
            "value_text": pl.Series([None] * (2 * events_count), dtype=pl.String),
            "hedge": "reported",
            "quote": pl.Series([None] * (2 * events_count), dtype=pl.String),
            "adopted": True,
        }
    )
    sources = pl.DataFrame(
        {
            "source_id": ids("src-", 0, sources_count, 9),
            "publisher": rng.choice(["Reuters", "Al Jazeera", "AFP", "AP"], sources_count),
            "url": [f"https://example.org/report/{i}" for i in range(sources_count)],
            "title": pl.Series([None] * sources_count, dtype=pl.String),
            "published_on": np.datetime64("2015-01-01")
            + rng.integers(0, 3650, sources_count).astype("timedelta64[D]"),
            "language": "en",
            "retrieved_at": pl.Series([None] * sources_count, dtype=pl.Datetime("us", "UTC")),
            "content_sha256": pl.Series([None] * sources_count, dtype=pl.String),
        }
    )
    return {"events": frame, "claims": claims, "sources": sources}
