"""Import ACLED exports: each row one event, with a claim per source, nothing made up.

The layout is told from the header (`LAYOUTS`); every layout may lack the actor-2
columns. Rows are mapped with polars expressions, never row by row in Python; a row
that cannot be mapped honestly is rejected with its reason. docs/importers.md tables
every column and its rule; the decisions that matter most:

- **Fatalities.** ACLED writes 0 both when none were reported and when the number is
  unknown, so 0 is imported as unknown (the fatality fields empty, no fatality claim)
  and stays visible as `"fatalities":"0"` in the notes' fields line. A figure above 0
  is the event's best and lowest estimate (ACLED records the most conservative
  reported figure; the highest stays unknown), and each source carries an adopted
  fatality claim of at least that figure (`at_least`: ACLED's conservative reading of
  its sources, not a number each source states).
- **Confidence** 0.7 and **attribution** `alleged` (`unknown` for an "Unidentified ..."
  actor1): ACLED records neither; these are documented defaults, not measurements.
- **Dates.** `time_precision` 2 spans the 7 days around ACLED's date, 3 its calendar
  month; ACLED's own date is kept in the notes' fields line where it differs. A
  two-digit year takes its century from `year`; a date not in `year` is rejected.
- **Repeated event ids** are merged (`curate.interchange.merge`): the row with the latest
  `timestamp` gives the event's fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from curate import __version__
from curate.errors import InputError
from curate.interchange.acled.codebook import (
    ACTOR_TYPE_LABELS,
    ACTOR_TYPES,
    AT_IMPORT,
    CIVILIAN_TARGETING,
    EVENT_TYPES,
    FORMER_EVENT_TYPES,
    GEO_PRECISION,
    RIOTS_PROTESTS,
    SOURCE_SEPARATOR,
    SUB_EVENT_TYPES,
    TIME_PRECISION,
    acled_columns,
    event_date,
)
from curate.interchange.countries import alpha3_from_codes, alpha3_from_names
from curate.interchange.dates import parse_dates, with_year
from curate.interchange.expressions import (
    as_read,
    coded,
    column_as_read,
    coordinate_checks,
    coordinates,
    first_reason,
    flagged,
    on_distinct,
    unterminated_row,
    whole_number,
)
from curate.interchange.layouts import Layout, detect_layout
from curate.interchange.notes import json_members
from curate.interchange.reading import ROW, ExportFile, read_csv_export
from curate.interchange.records import (
    EVENT_ID,
    SOURCE,
    Provenance,
    RowMapper,
    assemble,
)
from curate.interchange.summary import Imported
from curate.release.clock import reproducible_now
from curate.schema.loader import load_schema
from curate.schema.model import Schema

__all__ = ["CONFIDENCE", "LAYOUTS", "import_acled"]

CONFIDENCE = 0.7
DATASET = "ACLED"
NO_SOURCE = "ACLED"  # cited where a row names no source: the dataset itself

_CORE = frozenset(
    {
        "event_id_cnty",
        "event_date",
        "time_precision",
        "event_type",
        "actor1",
        "inter1",
        "country",
        "admin1",
        "admin2",
        "location",
        "latitude",
        "longitude",
        "geo_precision",
        "source",
        "notes",
        "fatalities",
    }
)
LAYOUTS = (
    Layout(
        "31-column layout",
        "2019 to March 2023: data_id, iso, event_id_no_cnty and iso3",
        _CORE | {"sub_event_type", "data_id", "iso", "event_id_no_cnty", "iso3"},
    ),
    Layout(
        "current layout",
        "since March 2023: disorder_type, civilian_targeting and tags",
        _CORE | {"sub_event_type", "disorder_type", "civilian_targeting", "tags"},
    ),
    Layout(
        "layout before 2019",
        "ally_actor_1/2 and gwno, no sub_event_type",
        _CORE | {"ally_actor_1", "gwno"},
    ),
)

# ACLED columns whose value our fields hold exactly (never repeated in the notes; but
# ACLED's 0 fatalities, which is imported as unknown, is).
_HELD = frozenset(
    {
        "event_id_cnty",
        "actor1",
        "actor2",
        "admin1",
        "admin2",
        "location",
        "latitude",
        "longitude",
        "notes",
        "fatalities",
    }
)
# ACLED columns our fields hold in another form: kept in the notes where what
# `curate export acled` writes back from our fields would differ.
_DERIVED = frozenset(
    {
        "iso",
        "iso3",
        "country",
        "event_id_no_cnty",
        "time_precision",
        "event_type",
        "sub_event_type",
        "inter1",
        "inter2",
        "interaction",
        "geo_precision",
        "source",
        "civilian_targeting",
    }
)
_RAW = "acled."  # prefix of the columns as read, beside our fields of the same names
_ACTOR_TYPES = {**ACTOR_TYPES, **ACTOR_TYPE_LABELS}  # codes and labels


def _raw(name: str, header: Sequence[str]) -> pl.Expr:
    """An ACLED column as read, or null where the file lacks it."""
    return as_read(name, header, _RAW)


def _column(frame: pl.DataFrame, name: str, header: Sequence[str]) -> pl.Series:
    """An ACLED column as read, as a series of `frame`."""
    return column_as_read(frame, name, header, _RAW)


def _event_types(frame: pl.DataFrame, header: Sequence[str]) -> pl.DataFrame:
    """event_type, sub_event_type, and whether the pair is ACLED's (`__known_types`): a
    current type and one of its sub-types, or a type of the exports before 2019, which
    have no sub_event_type column."""
    given_type = _column(frame, "event_type", header)
    event_type = coded(given_type, EVENT_TYPES)
    if "sub_event_type" in header:
        given_sub = _column(frame, "sub_event_type", header)
        sub_event = coded(given_sub, {k: name for k, (name, _) in SUB_EVENT_TYPES.items()})
        parent = coded(given_sub, {k: parent for k, (_, parent) in SUB_EVENT_TYPES.items()})
        known = event_type.is_not_null() & (
            given_sub.is_null() | (sub_event.is_not_null() & (parent == event_type))
        )
    else:
        former = coded(given_type, {k: kind for k, (kind, _) in FORMER_EVENT_TYPES.items()})
        rioters = coded(_column(frame, "inter1", header), _ACTOR_TYPES) == "rioters"
        riots_protests = given_type.str.to_lowercase() == RIOTS_PROTESTS
        event_type = pl.select(
            pl.when(riots_protests)
            .then(
                pl.when(rioters.fill_null(False))
                .then(pl.lit("Riots"))
                .otherwise(pl.lit("Protests"))
            )
            .otherwise(pl.coalesce(former, event_type))
        ).to_series()
        sub_event = coded(given_type, {k: sub for k, (_, sub) in FORMER_EVENT_TYPES.items()})
        known = event_type.is_not_null()
    return pl.DataFrame(
        {
            "event_type": event_type,
            "sub_event_type": sub_event,
            "__known_types": known.fill_null(False),
        }
    )


def _dates(frame: pl.DataFrame, header: Sequence[str]) -> pl.DataFrame:
    """`__date` (ACLED's date, a two-digit year put in the century of `year`) and the
    span and precision it stands for."""
    frame = frame.with_columns(
        parse_dates(_column(frame, "event_date", header)).alias("__date"),
        coded(_column(frame, "time_precision", header), TIME_PRECISION).alias("date_precision"),
    )
    if "year" in header:
        frame = frame.with_columns(
            with_year(pl.col("__date"), _raw("event_date", header), _raw("year", header)).alias(
                "__date"
            )
        )
    day, precision = pl.col("__date"), pl.col("date_precision")
    return frame.with_columns(
        pl.when(precision == "week")
        .then(day.dt.offset_by("-3d"))
        .when(precision == "month")
        .then(day.dt.month_start())
        .otherwise(day)
        .alias("date_start"),
        pl.when(precision == "week")
        .then(day.dt.offset_by("3d"))
        .when(precision == "month")
        .then(day.dt.month_end())
        .otherwise(day)
        .alias("date_end"),
    )


def _countries(frame: pl.DataFrame, header: Sequence[str]) -> pl.Series:
    """Alpha-3 from `iso3`, else the numeric `iso`, else the country's name."""
    found = [
        resolve(_column(frame, column, header))
        for column, resolve in (
            ("iso3", alpha3_from_codes),
            ("iso", alpha3_from_codes),
            ("country", alpha3_from_names),
        )
        if column in header
    ]
    return pl.select(pl.coalesce(found)).to_series().alias("country_iso3")


def _sources(frame: pl.DataFrame, header: Sequence[str]) -> pl.DataFrame:
    """Per row, `sources`: the distinct names of `source` (split on ";", in order) as
    source structs, ACLED itself where the row names none; and `source`, the names
    joined as ACLED joins them. Computed once per distinct `source` text."""
    if "source" not in header:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(_RAW + "source"))
    names = (
        pl.col(_RAW + "source")
        .fill_null("")
        .str.split(";")
        .list.eval(pl.element().str.strip_chars().str.normalize("NFC"))
        .list.filter(pl.element() != "")
        .list.unique(maintain_order=True)
    )
    names = pl.when(names.list.len() > 0).then(names).otherwise(pl.lit([NO_SOURCE]))
    structs = names.list.eval(
        pl.struct(
            pl.element().alias("publisher"),
            pl.lit(None, dtype=pl.String).alias("title"),
            pl.lit(None, dtype=pl.Date).alias("published_on"),
        )
    ).cast(pl.List(SOURCE))
    return on_distinct(
        frame, _RAW + "source", {"sources": structs, "source": names.list.join(SOURCE_SEPARATOR)}
    )


def _actors(frame: pl.DataFrame, header: Sequence[str]) -> pl.DataFrame:
    """actor1_type and actor2_type from inter1 and inter2 (`unknown` where they say
    nothing usable), and `__inter_unusable` where one is neither a code nor a label."""
    inter = {name: _column(frame, name, header) for name in ("inter1", "inter2")}
    types = {name: coded(values, _ACTOR_TYPES) for name, values in inter.items()}
    unusable = [
        values.is_not_null() & coded(values, {**_ACTOR_TYPES, "0": "none"}).is_null()
        for values in inter.values()
    ]
    actor2 = _column(frame, "actor2", header)
    return pl.DataFrame(
        {
            "actor1_type": types["inter1"].fill_null("unknown"),
            "actor2_type": pl.select(
                pl.when(actor2.is_not_null()).then(types["inter2"].fill_null("unknown"))
            ).to_series(),
            "__inter_unusable": unusable[0] | unusable[1],
        }
    )


def _our_fields(frame: pl.DataFrame, header: Sequence[str]) -> pl.DataFrame:
    """The event fields, checks and sources of each row, beside the row as read."""
    frame = pl.concat(
        [
            _dates(frame, header),
            _countries(frame, header).to_frame(),
            _event_types(frame, header),
            _actors(frame, header),
            _sources(frame, header),
        ],
        how="horizontal",
    )
    fatalities = whole_number(_raw("fatalities", header))
    actor1 = _raw("actor1", header)
    counted = pl.col("__fatalities") > 0
    return frame.with_columns(
        _raw("event_id_cnty", header).alias("event_id"),
        _raw("admin1", header).alias("admin1"),
        _raw("admin2", header).alias("admin2"),
        _raw("location", header).alias("location"),
        *coordinates(_raw("latitude", header), _raw("longitude", header)),
        coded(_column(frame, "geo_precision", header), GEO_PRECISION).alias("geo_precision"),
        actor1.alias("actor1"),
        _raw("actor2", header).alias("actor2"),
        pl.when(actor1.str.to_lowercase().str.starts_with("unidentified"))
        .then(pl.lit("unknown"))
        .otherwise(pl.lit("alleged"))
        .alias("attribution"),
        (
            _raw("civilian_targeting", header).str.to_lowercase().fill_null("")
            == CIVILIAN_TARGETING.lower()
            if "civilian_targeting" in header
            else pl.lit(None, dtype=pl.Boolean)
        ).alias("civilian_targeting"),
        fatalities.alias("__fatalities"),
        pl.lit(CONFIDENCE).alias("confidence"),
        _raw("notes", header).alias("notes"),
    ).with_columns(
        pl.when(counted).then(pl.col("__fatalities")).alias("fatalities_low"),
        pl.when(counted).then(pl.col("__fatalities")).alias("fatalities_best"),
        pl.lit(None, dtype=pl.Int64).alias("fatalities_high"),
        pl.when(counted).then(pl.lit("at_least")).alias("claim_qualifier"),
        pl.when(counted).then(pl.col("__fatalities").cast(pl.Float64)).alias("claim_low"),
        pl.lit(None, dtype=pl.Float64).alias("claim_high"),
        pl.lit(None, dtype=pl.String).alias("claim_text"),
        whole_number(_raw("timestamp", header)).alias("updated"),
    )


def _reason(header: Sequence[str]) -> pl.Expr:
    """Why a row cannot be imported (the first reason), or null."""
    checks = [
        (
            ~pl.col("event_id").str.contains(EVENT_ID).fill_null(False),
            "event_id_cnty is missing or not a usable id",
        ),
        (pl.col("__date").is_null(), "event_date is missing or not a date"),
        (
            pl.col("__date").dt.year()
            != _raw("year", header).str.strip_chars().cast(pl.Int32, strict=False),
            "event_date is not in the year that year gives",
        ),
        (pl.col("date_precision").is_null(), "time_precision is not 1, 2 or 3"),
        (
            pl.col("country_iso3").is_null(),
            "the country cannot be resolved from iso3, iso or country",
        ),
        (
            ~pl.col("__known_types"),
            "event_type and sub_event_type are not an ACLED type and its sub-type",
        ),
        (pl.col("actor1").is_null(), "actor1 is missing"),
        *coordinate_checks(_raw("latitude", header), _raw("longitude", header)),
        (pl.col("geo_precision").is_null(), "geo_precision is not 1, 2 or 3"),
        (
            _raw("fatalities", header).is_not_null()
            & (pl.col("__fatalities").is_null() | (pl.col("__fatalities") < 0)),
            "fatalities is not a whole number of 0 or more",
        ),
    ]
    return first_reason(checks)


def _warnings(header: Sequence[str], last_row: int | None) -> pl.Expr:
    """What a person should look at in a row that is imported."""
    return flagged(
        [
            (_raw("source", header).is_null(), "no source named: ACLED itself is cited"),
            (
                pl.col("__inter_unusable"),
                "inter1 or inter2 is neither an ACLED code nor a label: actor type unknown",
            ),
            unterminated_row(pl.col(ROW), last_row),
        ]
    )


def _kept_fields(frame: pl.DataFrame, header: Sequence[str]) -> pl.Series:
    """The members of the notes' fields line: the columns our fields do not hold, the
    derived ones where what the exporter would write back differs (each with what our
    fields gave, under `AT_IMPORT`), and ACLED's 0 fatalities, which we import as
    unknown."""
    derived = acled_columns(frame)
    members: dict[str, pl.Expr] = {}
    for name in header:
        raw = _raw(name, header)
        if name == "fatalities":
            members[name] = pl.when(pl.col("fatalities_best").is_null()).then(raw)
            continue
        if name in _HELD:
            continue
        if name == "event_date":
            ours = event_date(pl.col("date_start"), pl.col("date_end"))
            kept = pl.when(pl.col("__date") != ours).then(pl.col("__date").cast(pl.String))
        elif name == "year":
            kept = pl.when(raw != pl.col("__date").dt.year().cast(pl.String)).then(raw)
        elif name in _DERIVED:
            kept = pl.when(raw.ne_missing(derived[name])).then(raw)
        else:
            members[name] = raw
            continue
        members[name] = kept
        members[name + AT_IMPORT] = pl.when(kept.is_not_null()).then(derived[name].fill_null(""))
    return json_members(frame, members)


# The mapped rows of one ACLED file (`curate.interchange.records.MAPPED`).
map_rows = RowMapper(_RAW, _our_fields, _reason, _warnings, _kept_fields)


def _extractor(files: Sequence[ExportFile], layouts: Sequence[Layout], version: str | None) -> str:
    """The importer and what it read: "curate import acled 0.1.0 (ACLED, current layout,
    data as of 2024-03-08)", the date being the latest `timestamp` (ACLED's last change
    to a row) unless the version is given."""
    names = ", ".join(sorted({layout.name for layout in layouts}))
    if version is None:
        stamps = [
            f.rows.get_column("timestamp").str.strip_chars().cast(pl.Int64, strict=False).max()
            for f in files
            if "timestamp" in f.header
        ]
        latest = max((s for s in stamps if isinstance(s, int)), default=None)
        version = "version unknown"
        if latest is not None:
            as_of = pl.select(pl.from_epoch(pl.lit(latest), time_unit="s").dt.date()).item()
            version = f"data as of {as_of}"
    return f"curate import acled {__version__} ({DATASET} {names}, {version})"


def import_acled(
    paths: Sequence[Path], *, source_version: str | None = None, schema: Schema | None = None
) -> Imported:
    """Import ACLED export files (CSV) into events, claims and sources frames.

    `source_version` names the ACLED version in `extractor` (default: the date of the
    latest `timestamp`). An unreadable file or an unknown layout raises InputError."""
    schema = schema or load_schema()
    if not paths:
        raise InputError("no ACLED file to import")
    files = [read_csv_export(Path(path), "ACLED export") for path in paths]
    layouts = [detect_layout(f.header, LAYOUTS, f.path, "ACLED") for f in files]
    provenance = Provenance(
        DATASET, DATASET, "acled", _extractor(files, layouts, source_version), reproducible_now()
    )
    return assemble(files, layouts, map_rows, provenance, schema)
