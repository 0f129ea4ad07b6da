"""Seeded synthetic ACLED rows for the benchmark of `curate import acled`.

`acled_rows` makes realistic rows in ACLED's current layout (labels for the actor
types, several sources per row, ACLED's 0 fatalities, about 1% of event ids repeated as
ACLED repeats an event per actor pair). `python imports.py FILE.csv ROWS` writes them;
`benchmarks/run.py` runs it in a child process, because importing polars sets the
allocator's configuration (`_RJEM_MALLOC_CONF`) that every later child would inherit.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import polars as pl

__all__ = ["ROWS", "acled_rows"]

ROWS = 100_000

# (iso, iso3 prefix of ids, country, region, admin1, admin2, location, latitude, longitude)
_PLACES = [
    (760, "SYR", "Syria", "Middle East", "Ar-Raqqa", "Ar-Raqqa", "Raqqa", 35.9594, 39.0081),
    (566, "NIG", "Nigeria", "Western Africa", "Borno", "Maiduguri", "Maiduguri", 11.8311, 13.151),
    (
        484,
        "MEX",
        "Mexico",
        "Central America",
        "Guerrero",
        "Acapulco de Juarez",
        "Acapulco",
        16.8531,
        -99.8237,
    ),
    (356, "IND", "India", "South Asia", "Manipur", "Imphal West", "Imphal", 24.817, 93.9368),
    (
        152,
        "CHL",
        "Chile",
        "South America",
        "Region Metropolitana",
        "Santiago",
        "Santiago",
        -33.4489,
        -70.6693,
    ),
    (887, "YEM", "Yemen", "Middle East", "Taizz", "Al Qahirah", "Taizz", 13.5795, 44.0209),
    (804, "UKR", "Ukraine", "Europe", "Donetsk", "Bakhmutskyi", "Bakhmut", 48.5944, 38.0002),
    (729, "SUD", "Sudan", "Northern Africa", "Khartoum", "Khartoum", "Khartoum", 15.5007, 32.5599),
]
# (event type, sub-event type, disorder type, actor1, its label, actor2, its label)
_KINDS = [
    (
        "Battles",
        "Armed clash",
        "Political violence",
        "Military Forces of Syria (2000-2024)",
        "State forces",
        "Islamic State (Syria)",
        "Rebel group",
    ),
    (
        "Explosions/Remote violence",
        "Air/drone strike",
        "Political violence",
        "Military Forces of Russia (2000-)",
        "External/Other forces",
        "Civilians (Syria)",
        "Civilians",
    ),
    (
        "Explosions/Remote violence",
        "Shelling/artillery/missile attack",
        "Political violence",
        "Military Forces of Ukraine (2019-)",
        "State forces",
        "",
        "",
    ),
    (
        "Violence against civilians",
        "Attack",
        "Political violence",
        "Fulani Ethnic Militia (Nigeria)",
        "Identity militia",
        "Civilians (Nigeria)",
        "Civilians",
    ),
    (
        "Violence against civilians",
        "Abduction/forced disappearance",
        "Political violence",
        "Unidentified Armed Group (Mexico)",
        "Political militia",
        "Civilians (Mexico)",
        "Civilians",
    ),
    ("Protests", "Peaceful protest", "Demonstrations", "Protesters (Chile)", "Protesters", "", ""),
    (
        "Protests",
        "Excessive force against protesters",
        "Political violence; Demonstrations",
        "Police Forces of India (2014-)",
        "State forces",
        "Protesters (India)",
        "Protesters",
    ),
    (
        "Riots",
        "Mob violence",
        "Political violence",
        "Rioters (India)",
        "Rioters",
        "Civilians (India)",
        "Civilians",
    ),
    (
        "Strategic developments",
        "Arrests",
        "Strategic developments",
        "Police Forces of Sudan (2019-)",
        "State forces",
        "Civilians (Sudan)",
        "Civilians",
    ),
    (
        "Strategic developments",
        "Looting/property destruction",
        "Strategic developments",
        "Unidentified Armed Group (Yemen)",
        "Political militia",
        "",
        "",
    ),
]
_SOURCES = [
    "Reuters",
    "Al Jazeera",
    "AFP",
    "Syrian Observatory for Human Rights",
    "Local Source",
    "Premium Times",
    "Twitter",
    "El Universal",
    "The Hindu",
    "Sudan Tribune",
    "Ukrainska Pravda",
    "Yemen Data Project",
    "Xinhua",
    "BBC Monitoring",
    "ACLED Partner",
]
_SCALES = ["National", "International", "Subnational", "Local partner-National", "Other"]


def acled_rows(rows: int = ROWS, *, seed: int = 2020, repeated: float = 0.01) -> pl.DataFrame:
    """`rows` synthetic ACLED rows in the current layout, all text as ACLED writes it."""
    rng = np.random.default_rng(seed)
    place = rng.integers(0, len(_PLACES), rows)
    kind = rng.integers(0, len(_KINDS), rows)
    days = np.datetime64("2018-01-01") + rng.integers(0, 2_400, rows).astype("timedelta64[D]")
    precision = rng.choice(["1", "2", "3"], rows, p=[0.9, 0.08, 0.02])
    fatalities = np.where(rng.random(rows) < 0.55, 0, rng.geometric(0.25, rows))
    numbers = np.arange(1, rows + 1)
    # ACLED's repeated rows: the previous row's event again (its id and place), with
    # other actors.
    again = np.concatenate([[False], rng.random(rows - 1) < repeated])
    numbers = np.where(again, np.roll(numbers, 1), numbers)
    place = np.where(again, np.roll(place, 1), place)
    days = np.where(again, np.roll(days, 1), days)
    first = rng.integers(0, len(_SOURCES), rows)
    second = rng.integers(0, len(_SOURCES), rows)
    two = rng.random(rows) < 0.45
    places = [_PLACES[i] for i in place]
    kinds = [_KINDS[i] for i in kind]
    dates = pl.Series(days).dt.strftime("%-d %B %Y")
    return pl.DataFrame(
        {
            "event_id_cnty": [f"{p[1]}{n}" for p, n in zip(places, numbers, strict=True)],
            "event_date": dates,
            "year": pl.Series(days).dt.year().cast(pl.String),
            "time_precision": precision,
            "disorder_type": [k[2] for k in kinds],
            "event_type": [k[0] for k in kinds],
            "sub_event_type": [k[1] for k in kinds],
            "actor1": [k[3] for k in kinds],
            "assoc_actor_1": np.where(rng.random(rows) < 0.2, "Civilians (International)", ""),
            "inter1": [k[4] for k in kinds],
            "actor2": [k[5] for k in kinds],
            "assoc_actor_2": "",
            "inter2": [k[6] for k in kinds],
            "interaction": [f"{k[4]}-{k[6]}" if k[6] else f"{k[4]} only" for k in kinds],
            "civilian_targeting": [
                "Civilian targeting" if k[6] == "Civilians" else "" for k in kinds
            ],
            "iso": [str(p[0]) for p in places],
            "region": [p[3] for p in places],
            "country": [p[2] for p in places],
            "admin1": [p[4] for p in places],
            "admin2": [p[5] for p in places],
            "admin3": "",
            "location": [p[6] for p in places],
            "latitude": [f"{p[7]:.4f}" for p in places],
            "longitude": [f"{p[8]:.4f}" for p in places],
            "geo_precision": rng.choice(["1", "2", "3"], rows, p=[0.8, 0.15, 0.05]),
            "source": [
                f"{_SOURCES[a]}; {_SOURCES[b]}" if both and a != b else _SOURCES[a]
                for a, b, both in zip(first, second, two, strict=True)
            ],
            "source_scale": rng.choice(_SCALES, rows),
            "notes": [
                f"On {d}, {k[3]} were reported in {p[6]} ({p[4]}). [size=no report]"
                for d, k, p in zip(dates, kinds, places, strict=True)
            ],
            "fatalities": fatalities.astype(str),
            "tags": np.where(rng.random(rows) < 0.3, "crowd size=no report", ""),
            "timestamp": (1_700_000_000 + rng.integers(0, 10_000_000, rows)).astype(str),
        }
    )


if __name__ == "__main__":
    acled_rows(int(sys.argv[2])).write_csv(Path(sys.argv[1]))
