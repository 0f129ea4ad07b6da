"""ACLED's codebook as the importer and the exporter both read it: the columns of the
31-column layout, ACLED's codes and labels and what they are in our schema, and the
ACLED column each of our fields gives back (`acled_columns`).

The codes (ACLED codebook): `inter1`/`inter2` 1 State forces, 2 Rebel groups, 3 Political
militias, 4 Identity militias, 5 Rioters, 6 Protesters, 7 Civilians, 8 External/Other
forces, 0 no actor; newer exports write the labels instead. `time_precision` 1 day,
2 week, 3 month. `geo_precision` 1 the town itself, 2 near it or part of a region,
3 a larger region (its provincial capital's coordinates).
"""

from __future__ import annotations

import polars as pl

from curate.interchange.countries import country_name, iso_numeric

__all__ = [
    "ACTOR_TYPES",
    "ACTOR_TYPE_CODES",
    "AT_IMPORT",
    "COLUMNS_31",
    "EVENT_TYPES",
    "FORMER_EVENT_TYPES",
    "GEO_PRECISION",
    "GEO_PRECISION_CODES",
    "NOT_OURS",
    "SUB_EVENT_TYPES",
    "TIME_PRECISION",
    "TIME_PRECISION_CODES",
    "acled_columns",
    "event_date",
    "event_number",
    "interaction",
]

# The 31-column layout (2019 to March 2023), in ACLED's order.
COLUMNS_31 = (
    "data_id",
    "iso",
    "event_id_cnty",
    "event_id_no_cnty",
    "event_date",
    "year",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "timestamp",
    "iso3",
)

ACTOR_TYPES = {
    "1": "state_forces",
    "2": "rebel_group",
    "3": "political_militia",
    "4": "identity_militia",
    "5": "rioters",
    "6": "protesters",
    "7": "civilians",
    "8": "external_forces",
}
# Labels of newer exports (and of the codebook), in lower case, singular and plural.
ACTOR_TYPE_LABELS = {
    "state forces": "state_forces",
    "rebel group": "rebel_group",
    "rebel groups": "rebel_group",
    "political militia": "political_militia",
    "political militias": "political_militia",
    "identity militia": "identity_militia",
    "identity militias": "identity_militia",
    "rioters": "rioters",
    "protesters": "protesters",
    "civilians": "civilians",
    "external/other forces": "external_forces",
}
ACTOR_TYPE_CODES = {value: code for code, value in ACTOR_TYPES.items()}

TIME_PRECISION = {"1": "day", "2": "week", "3": "month"}
# ACLED has no year precision: its least precise code is 3 (the month).
TIME_PRECISION_CODES = {"day": "1", "week": "2", "month": "3", "year": "3"}

GEO_PRECISION = {"1": "locality", "2": "admin2", "3": "admin1"}
GEO_PRECISION_CODES = {
    "point": "1",
    "locality": "1",
    "admin2": "2",
    "admin1": "3",
    "country": "3",
}

EVENT_TYPES = {
    name.lower(): name
    for name in (
        "Battles",
        "Explosions/Remote violence",
        "Violence against civilians",
        "Protests",
        "Riots",
        "Strategic developments",
    )
}
# Sub-event types in lower case -> (sub-event type, its event type); ACLED has also
# spelled "protesters" as "protestors".
SUB_EVENT_TYPES = {
    "armed clash": ("Armed clash", "Battles"),
    "government regains territory": ("Government regains territory", "Battles"),
    "non-state actor overtakes territory": ("Non-state actor overtakes territory", "Battles"),
    "chemical weapon": ("Chemical weapon", "Explosions/Remote violence"),
    "air/drone strike": ("Air/drone strike", "Explosions/Remote violence"),
    "suicide bomb": ("Suicide bomb", "Explosions/Remote violence"),
    "shelling/artillery/missile attack": (
        "Shelling/artillery/missile attack",
        "Explosions/Remote violence",
    ),
    "remote explosive/landmine/ied": (
        "Remote explosive/landmine/IED",
        "Explosions/Remote violence",
    ),
    "grenade": ("Grenade", "Explosions/Remote violence"),
    "sexual violence": ("Sexual violence", "Violence against civilians"),
    "attack": ("Attack", "Violence against civilians"),
    "abduction/forced disappearance": (
        "Abduction/forced disappearance",
        "Violence against civilians",
    ),
    "peaceful protest": ("Peaceful protest", "Protests"),
    "protest with intervention": ("Protest with intervention", "Protests"),
    "excessive force against protesters": ("Excessive force against protesters", "Protests"),
    "excessive force against protestors": ("Excessive force against protesters", "Protests"),
    "violent demonstration": ("Violent demonstration", "Riots"),
    "mob violence": ("Mob violence", "Riots"),
    "agreement": ("Agreement", "Strategic developments"),
    "arrests": ("Arrests", "Strategic developments"),
    "change to group/activity": ("Change to group/activity", "Strategic developments"),
    "disrupted weapons use": ("Disrupted weapons use", "Strategic developments"),
    "headquarters or base established": (
        "Headquarters or base established",
        "Strategic developments",
    ),
    "looting/property destruction": ("Looting/property destruction", "Strategic developments"),
    "non-violent transfer of territory": (
        "Non-violent transfer of territory",
        "Strategic developments",
    ),
    "other": ("Other", "Strategic developments"),
}
# Event types of exports before 2019 (no sub_event_type column), in lower case ->
# (event type, sub-event type or None where the old type does not tell it).
# "Riots/Protests" is Riots when actor1 is rioters (inter1 5), otherwise Protests.
FORMER_EVENT_TYPES = {
    "battle-no change of territory": ("Battles", "Armed clash"),
    "battle-government regains territory": ("Battles", "Government regains territory"),
    "battle-non-state actor overtakes territory": (
        "Battles",
        "Non-state actor overtakes territory",
    ),
    "headquarters or base established": (
        "Strategic developments",
        "Headquarters or base established",
    ),
    "non-violent transfer of territory": (
        "Strategic developments",
        "Non-violent transfer of territory",
    ),
    "remote violence": ("Explosions/Remote violence", None),
    "violence against civilians": ("Violence against civilians", None),
    "strategic development": ("Strategic developments", None),
    "strategic developments": ("Strategic developments", None),
}
RIOTS_PROTESTS = "riots/protests"
CIVILIAN_TARGETING = "Civilian targeting"
SOURCE_SEPARATOR = "; "


def event_number(event_id: pl.Expr) -> pl.Expr:
    """`event_id_no_cnty`: the number that ends `event_id_cnty` ("SYR12345" -> "12345")."""
    return event_id.str.extract(r"(\d+)$", 1)


def event_date(date_start: pl.Expr, date_end: pl.Expr) -> pl.Expr:
    """ACLED's one date for a span: its middle (the day itself for a day-precise event)."""
    return date_start + (date_end - date_start) / 2


def _code(value: pl.Expr, codes: dict[str, str]) -> pl.Expr:
    return value.replace_strict(codes, default=None, return_dtype=pl.String)


# ACLED's interaction code of each pair of single-digit actor codes (`interaction`),
# keyed by ten times the first plus the second.
_INTERACTIONS = {
    10 * first + second: f"{first}0" if second == 0 else f"{min(first, second)}{max(first, second)}"
    for first in range(10)
    for second in range(10)
}


def interaction(inter1: pl.Expr, inter2: pl.Expr) -> pl.Expr:
    """ACLED's interaction code: the two actor codes, lower first ("13"); an actor alone
    is its code and 0 ("10"); empty where actor1's type is unknown. A table lookup (the
    codes are single digits): far cheaper than formatting text per row."""
    first = inter1.cast(pl.Int16, strict=False)
    second = inter2.cast(pl.Int16, strict=False).fill_null(0)
    key = pl.when(first.is_between(0, 9) & second.is_between(0, 9)).then(10 * first + second)
    return key.replace_strict(_INTERACTIONS, default=None, return_dtype=pl.String)


# The ACLED columns our schema has no field for: `acled_columns` leaves them empty.
NOT_OURS = frozenset(
    {"data_id", "assoc_actor_1", "assoc_actor_2", "region", "admin3", "source_scale", "timestamp"}
)
# Suffix of the fields line's member that records, beside a kept ACLED value of a column
# our fields give, what our fields gave at import ("" for nothing): the kept value is
# written back only while our fields still give that.
AT_IMPORT = ".derived"


def acled_columns(events: pl.DataFrame) -> dict[str, pl.Expr]:
    """The 31 ACLED columns, as text, that our event fields give (plus a `source` column
    of the event's source names): what `curate export acled` writes where the notes'
    fields line holds nothing else. Columns our schema has no field for are empty."""
    countries = events.get_column("country_iso3").drop_nulls().unique().to_list()
    inter1 = _code(pl.col("actor1_type"), ACTOR_TYPE_CODES)
    inter2 = (
        pl.when(pl.col("actor2").is_null())
        .then(pl.lit("0"))
        .otherwise(_code(pl.col("actor2_type"), ACTOR_TYPE_CODES))
    )
    date = event_date(pl.col("date_start"), pl.col("date_end"))
    missing = pl.lit(None, dtype=pl.String)
    return {
        "data_id": missing,
        "iso": _code(pl.col("country_iso3"), {c: iso_numeric(c) for c in countries}),
        "event_id_cnty": pl.col("event_id"),
        "event_id_no_cnty": event_number(pl.col("event_id")),
        "event_date": date.cast(pl.String),
        "year": date.dt.year().cast(pl.String),
        "time_precision": _code(pl.col("date_precision"), TIME_PRECISION_CODES),
        "event_type": pl.col("event_type"),
        "sub_event_type": pl.col("sub_event_type"),
        "actor1": pl.col("actor1"),
        "assoc_actor_1": missing,
        "inter1": inter1,
        "actor2": pl.col("actor2"),
        "assoc_actor_2": missing,
        "inter2": inter2,
        "interaction": interaction(inter1, inter2),
        "region": missing,
        "country": _code(pl.col("country_iso3"), {c: country_name(c) for c in countries}),
        "admin1": pl.col("admin1"),
        "admin2": pl.col("admin2"),
        "admin3": missing,
        "location": pl.col("location"),
        "latitude": pl.col("latitude").cast(pl.String),
        "longitude": pl.col("longitude").cast(pl.String),
        "geo_precision": _code(pl.col("geo_precision"), GEO_PRECISION_CODES),
        "source": pl.col("source"),
        "source_scale": missing,
        "notes": pl.col("notes"),
        "fatalities": pl.col("fatalities_best").fill_null(0).cast(pl.String),
        "timestamp": missing,
        "iso3": pl.col("country_iso3"),
        "civilian_targeting": pl.when(pl.col("civilian_targeting")).then(
            pl.lit(CIVILIAN_TARGETING)
        ),
    }
