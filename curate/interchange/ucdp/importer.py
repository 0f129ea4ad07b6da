"""Import UCDP GED events (the CSV, or the GeoJSON with coordinates in the geometry).

Each row is one event (`ged-<id>`), resting on one claim of occurrence and one of
fatalities per source document. docs/importers.md tables every column and its rule; the
decisions that matter most:

- **Fatalities.** `low`, `best` and `high` are UCDP's estimates, kept as they are
  (UCDP's 0 is an estimate, not ACLED's "unknown"). About 1% of published rows break
  low <= best <= high: such a row is kept, its range widened to hold all three figures
  (low = the least, high = the greatest, best unchanged), a warning given, and UCDP's
  own figures written in the notes and kept in the fields line.
- **Event type.** `type_of_violence` 1 (state-based) and 2 (non-state) are Battles, 3
  (one-sided) is Violence against civilians; UCDP has no sub-type, so sub_event_type is
  empty.
- **Sources.** `source_office`, `source_date` and `source_headline` are lists separated
  by ";"; their items are matched by position when the lists are as long as each other
  (otherwise the offices stand alone, with a warning). Each document is a source.
- **Confidence** 0.7, or 0.5 where UCDP's `event_clarity` is 2 (lower clarity);
  **attribution** `alleged`. Documented defaults, not measurements.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from curate import __version__
from curate.errors import InputError
from curate.interchange.countries import alpha3_from_names
from curate.interchange.dates import parse_dates
from curate.interchange.expressions import (
    as_read,
    coded,
    column_as_read,
    coordinate_checks,
    coordinates,
    first_reason,
    flagged,
    unterminated_row,
    whole_number,
)
from curate.interchange.layouts import Layout, detect_layout
from curate.interchange.notes import json_members
from curate.interchange.reading import (
    ROW,
    ExportFile,
    missing_as_null,
    normalise_header,
    read_csv_export,
    unreadable_frame,
)
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

__all__ = ["COLUMNS", "LAYOUTS", "import_ucdp"]

DATASET = "UCDP GED"
LABEL = "UCDP"
NO_SOURCE = "UCDP GED"  # cited where a row names no source office: the dataset itself

# The 49 columns of the GED CSV, in UCDP's order.
COLUMNS = (
    "id",
    "relid",
    "year",
    "active_year",
    "code_status",
    "type_of_violence",
    "conflict_dset_id",
    "conflict_new_id",
    "conflict_name",
    "dyad_dset_id",
    "dyad_new_id",
    "dyad_name",
    "side_a_dset_id",
    "side_a_new_id",
    "side_a",
    "side_b_dset_id",
    "side_b_new_id",
    "side_b",
    "number_of_sources",
    "source_article",
    "source_office",
    "source_date",
    "source_headline",
    "source_original",
    "where_prec",
    "where_coordinates",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "geom_wkt",
    "priogrid_gid",
    "country",
    "country_id",
    "region",
    "event_clarity",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
    "gwnoa",
    "gwnob",
)
_ORDER = {name: index for index, name in enumerate(COLUMNS)}
_MAPPED_COLUMNS = frozenset(
    {
        "id",
        "type_of_violence",
        "side_a",
        "side_b",
        "source_office",
        "source_date",
        "source_headline",
        "where_prec",
        "where_coordinates",
        "adm_1",
        "adm_2",
        "country",
        "event_clarity",
        "date_prec",
        "date_start",
        "date_end",
        "best",
        "high",
        "low",
    }
)
LAYOUTS = (
    Layout(
        "GED CSV",
        "UCDP GED events as CSV (49 columns)",
        _MAPPED_COLUMNS | {"latitude", "longitude"},
    ),
)
GEOJSON_LAYOUTS = (
    Layout(
        "GED GeoJSON", "UCDP GED events as GeoJSON, coordinates in the geometry", _MAPPED_COLUMNS
    ),
)

# Columns held by our fields as they are (never repeated in the notes). geom_wkt is the
# point the coordinates give. source_date and source_headline are held by the sources
# where they match the offices; best, low and high unless the range was widened.
_HELD = frozenset(
    {
        "id",
        "side_a",
        "side_b",
        "source_office",
        "where_coordinates",
        "adm_1",
        "adm_2",
        "latitude",
        "longitude",
        "geom_wkt",
        "date_start",
        "date_end",
    }
)
_EVENT_TYPES = {"1": "Battles", "2": "Battles", "3": "Violence against civilians"}
_DATE_PRECISION = {"1": "day", "2": "week", "3": "week", "4": "month", "5": "year"}
_GEO_PRECISION = {
    "1": "point",
    "2": "locality",
    "3": "admin2",
    "4": "admin1",
    "5": "country",
    "6": "country",
    "7": "country",
}
_CONFIDENCE = {"1": 0.7, "2": 0.5}
DEFAULT_CONFIDENCE = 0.7
_RAW = "ucdp."
_GOVERNMENT = "government of "
_CIVILIANS = "civilians"


def _raw(name: str, header: Sequence[str]) -> pl.Expr:
    """A GED column as read, or null where the file lacks it."""
    return as_read(name, header, _RAW)


def _column(frame: pl.DataFrame, name: str, header: Sequence[str]) -> pl.Series:
    """A GED column as read, as a series of `frame`."""
    return column_as_read(frame, name, header, _RAW)


def _actor_type(side: pl.Expr, other_kind: pl.Expr) -> pl.Expr:
    """A government is state forces; "Civilians" civilians; otherwise `other_kind`."""
    name = side.str.to_lowercase()
    return (
        pl.when(name.str.starts_with(_GOVERNMENT))
        .then(pl.lit("state_forces"))
        .when(name == _CIVILIANS)
        .then(pl.lit("civilians"))
        .otherwise(other_kind)
    )


def _split(column: str, header: Sequence[str]) -> pl.Expr:
    """A ";"-separated list of the column, its items stripped."""
    return (
        _raw(column, header).fill_null("").str.split(";").list.eval(pl.element().str.strip_chars())
    )


def _items(lists: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """The items of list columns, one row each, with the row's `__index` and the items'
    `__position` in their lists."""
    return lists.select(
        "__index",
        *columns,
        pl.int_ranges(0, pl.col(columns[0]).list.len()).alias("__position"),
    ).explode([*columns, "__position"])


def _sources(frame: pl.DataFrame, header: Sequence[str]) -> pl.DataFrame:
    """Per row, `sources` (office, headline and date matched by position where the three
    lists are as long as each other; UCDP GED itself where no office is named),
    `__no_source`, and `__aligned` (whether dates and headlines were matched)."""
    lists = frame.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("__index"),
        _split("source_office", header).alias("office"),
        _split("source_date", header).alias("date"),
        _split("source_headline", header).alias("headline"),
    )
    offices = pl.col("office").list.len()
    aligned = (pl.col("date").list.len() == offices) & (pl.col("headline").list.len() == offices)
    lists = lists.with_columns(aligned.alias("__aligned"))
    matched = _items(lists.filter("__aligned"), ["date", "headline"])
    items = (
        _items(lists, ["office"])
        .join(matched, on=["__index", "__position"], how="left", maintain_order="left")
        .filter(pl.col("office") != "")
    )
    items = items.select(
        "__index",
        pl.col("office").str.normalize("NFC").alias("publisher"),
        pl.col("headline").replace("", None).alias("title"),
        parse_dates(items.get_column("date")).alias("published_on"),
    )
    grouped = items.group_by("__index").agg(
        pl.struct("publisher", "title", "published_on").unique(maintain_order=True).alias("sources")
    )
    fallback = pl.lit(
        [{"publisher": NO_SOURCE, "title": None, "published_on": None}], dtype=pl.List(SOURCE)
    )
    return (
        lists.select("__index", "__aligned")
        .join(grouped, on="__index", how="left", maintain_order="left")
        .select(
            pl.coalesce(pl.col("sources").cast(pl.List(SOURCE)), fallback).alias("sources"),
            pl.col("sources").is_null().alias("__no_source"),
            "__aligned",
        )
    )


def _our_fields(frame: pl.DataFrame, header: Sequence[str]) -> pl.DataFrame:
    """The event fields, checks and sources of each row, beside the row as read."""
    violence = coded(_column(frame, "type_of_violence", header), _EVENT_TYPES)
    frame = pl.concat(
        [
            frame,
            pl.DataFrame(
                {
                    "date_start": parse_dates(_column(frame, "date_start", header)),
                    "date_end": parse_dates(_column(frame, "date_end", header)),
                    "date_precision": coded(_column(frame, "date_prec", header), _DATE_PRECISION),
                    "geo_precision": coded(_column(frame, "where_prec", header), _GEO_PRECISION),
                    "country_iso3": alpha3_from_names(_column(frame, "country", header)),
                    "event_type": violence,
                }
            ),
            _sources(frame, header),
        ],
        how="horizontal",
    )
    state_based = _raw("type_of_violence", header) == "1"
    side_b_kind = pl.when(state_based).then(pl.lit("rebel_group")).otherwise(pl.lit("unknown"))
    frame = frame.with_columns(
        whole_number(_raw(name, header)).alias(f"__{name}") for name in ("low", "best", "high")
    )
    low, best, high = pl.col("__low"), pl.col("__best"), pl.col("__high")
    ordered = (low <= best) & (best <= high)
    least = pl.min_horizontal(low, best, high)
    greatest = pl.max_horizontal(low, best, high)
    return frame.with_columns(
        pl.concat_str([pl.lit("ged-"), _raw("id", header)]).alias("event_id"),
        _raw("adm_1", header).alias("admin1"),
        _raw("adm_2", header).alias("admin2"),
        _raw("where_coordinates", header).alias("location"),
        *coordinates(_raw("latitude", header), _raw("longitude", header)),
        pl.lit(None, dtype=pl.String).alias("sub_event_type"),
        _raw("side_a", header).alias("actor1"),
        _actor_type(_raw("side_a", header), pl.lit("unknown")).alias("actor1_type"),
        _raw("side_b", header).alias("actor2"),
        pl.when(_raw("side_b", header).is_not_null())
        .then(_actor_type(_raw("side_b", header), side_b_kind))
        .alias("actor2_type"),
        pl.lit("alleged").alias("attribution"),
        pl.when(_raw("type_of_violence", header) == "3")
        .then(pl.lit(True))
        .alias("civilian_targeting"),
        (~ordered).fill_null(False).alias("__repaired"),
        pl.when(ordered).then(low).otherwise(least).alias("fatalities_low"),
        best.alias("fatalities_best"),
        pl.when(ordered).then(high).otherwise(greatest).alias("fatalities_high"),
        _raw("event_clarity", header)
        .replace_strict(_CONFIDENCE, default=DEFAULT_CONFIDENCE, return_dtype=pl.Float64)
        .alias("confidence"),
        pl.when(~ordered)
        .then(
            pl.format(
                "UCDP publishes low {}, best {}, high {}, which breaks low <= best <= high; "
                "the range was widened to {}-{} (best kept).",
                low,
                best,
                high,
                least,
                greatest,
            )
        )
        .alias("notes"),
        pl.lit("between").alias("claim_qualifier"),
        least.cast(pl.Float64).alias("claim_low"),
        greatest.cast(pl.Float64).alias("claim_high"),
        pl.format("UCDP best {} (low {}, high {})", best, low, high).alias("claim_text"),
        pl.lit(None, dtype=pl.Int64).alias("updated"),  # UCDP GED does not say
    )


def _reason(header: Sequence[str]) -> pl.Expr:
    """Why a row cannot be imported (the first reason), or null."""
    figures = [pl.col(f"__{name}") for name in ("low", "best", "high")]
    return first_reason(
        [
            (
                ~pl.col("event_id").str.contains(EVENT_ID).fill_null(False),
                "id is missing or not a usable id",
            ),
            (
                pl.col("date_start").is_null() | pl.col("date_end").is_null(),
                "date_start or date_end is missing or not a date",
            ),
            (pl.col("date_end") < pl.col("date_start"), "date_end is before date_start"),
            (pl.col("date_precision").is_null(), "date_prec is not 1 to 5"),
            (pl.col("country_iso3").is_null(), "the country cannot be resolved"),
            (pl.col("event_type").is_null(), "type_of_violence is not 1, 2 or 3"),
            (pl.col("actor1").is_null(), "side_a is missing"),
            *coordinate_checks(_raw("latitude", header), _raw("longitude", header)),
            (pl.col("geo_precision").is_null(), "where_prec is not 1 to 7"),
            (
                pl.any_horizontal(value.is_null() | (value < 0) for value in figures),
                "best, low and high must be whole numbers of 0 or more",
            ),
        ]
    )


def _warnings(header: Sequence[str], last_row: int | None) -> pl.Expr:
    """What a person should look at in a row that is imported."""
    return flagged(
        [
            (pl.col("__repaired"), "UCDP's low <= best <= high does not hold: range widened"),
            (pl.col("__no_source"), "no source office named: UCDP GED itself is cited"),
            (
                ~pl.col("__aligned") & ~pl.col("__no_source"),
                "source_office, source_date and source_headline list different numbers of "
                "items: dates and headlines not matched to offices",
            ),
            unterminated_row(pl.col(ROW), last_row),
        ]
    )


def _kept_fields(frame: pl.DataFrame, header: Sequence[str]) -> pl.Series:
    """Every column our fields do not hold; the figures where the range was widened;
    dates and headlines where they could not be matched to offices."""
    members: dict[str, pl.Expr] = {}
    for name in header:
        raw = _raw(name, header)
        if name in _HELD:
            continue
        if name in ("best", "low", "high"):
            members[name] = pl.when(pl.col("__repaired")).then(raw)
        elif name in ("source_date", "source_headline"):
            members[name] = pl.when(~pl.col("__aligned")).then(raw)
        else:
            members[name] = raw
    return json_members(frame, members)


# The mapped rows of one UCDP GED file (`curate.interchange.records.MAPPED`).
map_rows = RowMapper(_RAW, _our_fields, _reason, _warnings, _kept_fields)


_GEOJSON = "UCDP GED GeoJSON file"
_POINT = pl.Struct({"type": pl.String, "coordinates": pl.List(pl.Float64)})


def _geojson_features(path: Path) -> tuple[list[str], pl.DataFrame]:
    """The property names (in UCDP's column order, then the others) and, per feature,
    its properties as text and `__lat`/`__lon` from its point geometry."""
    try:
        inferred = pl.read_json(path, infer_schema_length=None).schema.get("features")
        if not isinstance(inferred, pl.List) or not isinstance(inferred.inner, pl.Struct):
            raise InputError(f"{path}: not a {_GEOJSON}: it has no features")
        properties = inferred.inner.to_schema().get("properties")
        found = [f.name for f in properties.fields] if isinstance(properties, pl.Struct) else []
        names = sorted(found, key=lambda n: (_ORDER.get(normalise_header(n), len(_ORDER)), n))
        feature = pl.Struct(
            {"geometry": _POINT, "properties": pl.Struct(dict.fromkeys(names, pl.String))}
        )
        read = pl.read_json(path, schema={"features": pl.List(feature)})
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: not a {_GEOJSON}: {first}") from exc
    features = read.select(pl.col("features").explode()).unnest("features")
    coordinates = pl.col("geometry").struct.field("coordinates")
    return names, features.select(
        *(pl.col("properties").struct.field(name) for name in names),
        coordinates.list.get(1, null_on_oob=True).cast(pl.String).alias("__lat"),
        coordinates.list.get(0, null_on_oob=True).cast(pl.String).alias("__lon"),
    )


def read_geojson_export(path: Path) -> ExportFile:
    """A GED GeoJSON file as text columns: each feature's properties, and `latitude` and
    `longitude` from its point geometry (else from its properties); `ROW` is the
    feature's number, from 1."""
    names, features = _geojson_features(path)
    columns = [normalise_header(name) for name in names]
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        raise InputError(f"{path}: the properties repeat {', '.join(repeated)}")
    rows = features.rename(dict(zip(names, columns, strict=True)))
    for coordinate, geometry in (("latitude", "__lat"), ("longitude", "__lon")):
        given = [pl.col(coordinate)] if coordinate in columns else []
        rows = rows.with_columns(pl.coalesce(pl.col(geometry), *given).alias(coordinate))
    header = tuple(dict.fromkeys([*columns, "latitude", "longitude"]))
    rows = rows.select(header).with_columns(missing_as_null(list(header)))
    rows = rows.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(ROW))
    return ExportFile(path, header, rows, unreadable_frame([]), None)


def _read(path: Path) -> tuple[ExportFile, Sequence[Layout]]:
    if path.suffix.lower() in (".geojson", ".json"):
        return read_geojson_export(path), GEOJSON_LAYOUTS
    return read_csv_export(path, "UCDP GED file"), LAYOUTS


def _version(paths: Sequence[Path], given: str | None) -> str:
    """The GED version: given, or read from the file names (GEDEvent_v24_1.csv: 24.1)."""
    if given is not None:
        return given
    found = {
        m.group(1) + "." + m.group(2)
        for p in paths
        if (m := re.search(r"v(\d+)[._-](\d+)", p.name))
    }
    return ", ".join(sorted(found)) if found else "version unknown"


def import_ucdp(
    paths: Sequence[Path], *, source_version: str | None = None, schema: Schema | None = None
) -> Imported:
    """Import UCDP GED files (CSV or GeoJSON) into events, claims and sources frames.

    `source_version` names the GED version in `extractor` (default: from the file
    names). An unreadable file or an unknown layout raises InputError."""
    schema = schema or load_schema()
    if not paths:
        raise InputError("no UCDP GED file to import")
    paths = [Path(path) for path in paths]
    read = [_read(path) for path in paths]
    files = [export for export, _ in read]
    layouts = [detect_layout(export.header, known, export.path, DATASET) for export, known in read]
    names = ", ".join(sorted({layout.name for layout in layouts}))
    version = _version(paths, source_version)
    extractor = f"curate import ucdp {__version__} ({DATASET} {version}, {names})"
    provenance = Provenance(DATASET, LABEL, "ucdp", extractor, reproducible_now())
    return assemble(files, layouts, map_rows, provenance, schema)
