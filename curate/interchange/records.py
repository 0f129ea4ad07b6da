"""From an importer's mapped rows to the three tables: events, claims and sources.

Each importer maps its export's rows to `MAPPED` columns: the event's fields, a rejection
`reason` (null for a row that is taken), `warnings`, the `fields` kept for the notes'
last line (`curate.interchange.notes`), the row's ordered `sources` and the fatality claim
each source carries. `assemble` then does what every importer needs:

- rows with a reason are rejected; the rest are checked against the schema, row by row,
  and a row that does not fit is rejected with its codes (the importers check what
  they map, so this is a safety net; the output always validates);
- an event id that differs from an earlier one only in letter case is rejected;
- rows that repeat an event id are merged into one event (`curate.interchange.merge`);
- each event gets one claim per source asserting that it happened and, where the
  export gives a figure, one asserting the fatalities; each distinct source is one
  source row whose id is a short hash of what identifies it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from curate.interchange.layouts import Layout
from curate.interchange.merge import CLAIM_COLUMNS, merge_repeated
from curate.interchange.notes import with_fields_line
from curate.interchange.reading import FILE, RECORD, ROW, ExportFile
from curate.interchange.summary import Imported, ImportSummary, reason_counts
from curate.report import Report
from curate.schema.dtypes import polars_schema
from curate.schema.model import Schema
from curate.validation.table import TableValidator

__all__ = [
    "CLAIMANT_TYPE",
    "EVENT_ID",
    "FATALITY_CLAIM",
    "MAPPED",
    "MAPPED_EVENT_FIELDS",
    "SOURCE",
    "Provenance",
    "RowMapper",
    "assemble",
]

# Event ids leave room for a claim suffix (".o001") within the 64 characters of an id.
EVENT_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,58}$"
# Who makes an imported claim: the source as the dataset names it, whose kind (news
# agency, monitor, local source, government) the dataset does not say.
CLAIMANT_TYPE = "unknown"

SOURCE = pl.Struct({"publisher": pl.String, "title": pl.String, "published_on": pl.Date})
MAPPED_EVENT_FIELDS = (
    "event_id",
    "date_start",
    "date_end",
    "date_precision",
    "country_iso3",
    "admin1",
    "admin2",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor1_type",
    "actor2",
    "actor2_type",
    "attribution",
    "civilian_targeting",
    "fatalities_low",
    "fatalities_best",
    "fatalities_high",
    "confidence",
    "notes",
)
# The fatality claim each source of a row carries: its qualifier (null: no such claim),
# values and text.
FATALITY_CLAIM = CLAIM_COLUMNS
# What an importer's mapped frame holds: the row's place, its verdict, what is kept for
# the notes, its sources and fatality claim, when the dataset last changed the row
# (`updated`, seconds since 1970; null where the export does not say), and the event
# fields (in their schema types).
MAPPED = (
    FILE,
    ROW,
    "reason",
    "warnings",
    "fields",
    "sources",
    *FATALITY_CLAIM,
    "updated",
    *MAPPED_EVENT_FIELDS,
)


@dataclass(frozen=True)
class Provenance:
    """Where imported records come from: the dataset (as named in summaries and in the
    notes' fields line), the prefix of its source ids, and the extractor and time that
    every event records."""

    dataset: str
    label: str
    source_prefix: str
    extractor: str
    extracted_at: dt.datetime


def _record_json(raw: pl.DataFrame) -> pl.Expr:
    """Each raw row (every column but the row number) as one JSON object."""
    return pl.struct([c for c in raw.columns if c not in (ROW, FILE)]).struct.json_encode()


def _records_of(raws: list[pl.DataFrame], wanted: pl.DataFrame) -> pl.DataFrame:
    """`FILE`, `ROW` and `RECORD` (the raw row as JSON) of the `wanted` rows."""
    pieces = []
    for index, raw in enumerate(raws):
        rows = wanted.filter(pl.col(FILE) == index).select(ROW)
        if rows.height:
            picked = raw.join(rows, on=ROW, how="semi")
            pieces.append(
                picked.select(
                    pl.lit(index, dtype=pl.Int64).alias(FILE), ROW, _record_json(raw).alias(RECORD)
                )
            )
    if not pieces:
        return pl.DataFrame(schema={FILE: pl.Int64, ROW: pl.Int64, RECORD: pl.String})
    return pl.concat(pieces)


def _events(rows: pl.DataFrame, provenance: Provenance, schema: Schema) -> pl.DataFrame:
    """Events in the schema's field order and types, from mapped rows."""
    constants = {
        "revision": pl.lit(1, dtype=pl.Int64),
        "status": pl.lit("active"),
        "source_count": pl.col("sources").list.len().cast(pl.Int64),
        "extraction_method": pl.lit("import"),
        "extractor": pl.lit(provenance.extractor),
        "extracted_at": pl.lit(provenance.extracted_at, dtype=pl.Datetime("us", "UTC")),
    }
    types = polars_schema(schema.table("events"))
    return rows.select(
        (
            constants[name]
            if name in constants
            else pl.col(name)
            if name in MAPPED_EVENT_FIELDS
            else pl.lit(None)
        )
        .cast(kind)
        .alias(name)
        for name, kind in types.items()
    )


def _schema_failures(rows: pl.DataFrame, provenance: Provenance, schema: Schema) -> pl.Series:
    """Per row, the error codes of the schema's row checks it fails (null if none)."""
    events = _events(rows, provenance, schema)
    validator = TableValidator(
        schema, schema.table("events"), Report(max_issues=0), errors_only=True
    )
    index = pl.Series(ROW, range(events.height), dtype=pl.Int64)
    validator.feed(events, index)
    failed = validator.row_codes().select(
        pl.col("row").alias("index"), pl.col("codes").list.join(", ")
    )
    return (
        index.to_frame("index")
        .join(failed, on="index", how="left", maintain_order="left")
        .get_column("codes")
    )


def _source_ids(sources: pl.DataFrame, prefix: str) -> pl.Series:
    """A stable id per source: the prefix and 16 hex digits of the SHA-256 of its
    publisher, publication date and title (separated by U+001F)."""
    keys = sources.select(
        pl.concat_str(
            [
                pl.col("publisher"),
                pl.col("published_on").cast(pl.String).fill_null(""),
                pl.col("title").fill_null(""),
            ],
            separator="\x1f",
        )
    ).to_series()
    return pl.Series(
        "source_id",
        [f"{prefix}-{hashlib.sha256(key.encode()).hexdigest()[:16]}" for key in keys],
        dtype=pl.String,
    )


def _sources_and_claims(
    cited: pl.DataFrame, provenance: Provenance, schema: Schema
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The sources table, and per `cited` source of an event (`merge.MergedEvents.cited`) a
    claim of occurrence and, where its row gives a fatality figure, a claim of
    fatalities (adopted: the event's figures rest on it)."""
    cited = cited.unnest("sources")
    distinct = cited.select("publisher", "title", "published_on").unique(maintain_order=True)
    distinct = distinct.with_columns(_source_ids(distinct, provenance.source_prefix))
    cited = cited.join(
        distinct, on=["publisher", "title", "published_on"], how="left", nulls_equal=True
    )
    base = {
        "event_id": pl.col("event_id"),
        "source_id": pl.col("source_id"),
        "claimant": pl.col("publisher"),
        "claimant_type": pl.lit(CLAIMANT_TYPE),
        "partisan": pl.lit(False),
        "hedge": pl.lit("reported"),
        "quote": pl.lit(None, dtype=pl.String),
    }
    number = pl.col("position").cast(pl.String).str.zfill(3)
    occurrence = cited.select(
        pl.concat_str([pl.col("event_id"), pl.lit(".o"), number]).alias("claim_id"),
        **base,
        subject=pl.lit("occurrence"),
        qualifier=pl.lit("unquantified"),
        value_low=pl.lit(None, dtype=pl.Float64),
        value_high=pl.lit(None, dtype=pl.Float64),
        value_text=pl.lit(None, dtype=pl.String),
        adopted=pl.lit(True),
    )
    fatalities = cited.filter(pl.col("claim_qualifier").is_not_null()).select(
        pl.concat_str([pl.col("event_id"), pl.lit(".f"), number]).alias("claim_id"),
        **base,
        subject=pl.lit("fatalities"),
        qualifier=pl.col("claim_qualifier"),
        value_low=pl.col("claim_low"),
        value_high=pl.col("claim_high"),
        value_text=pl.col("claim_text"),
        adopted=pl.lit(True),
    )
    claim_types = polars_schema(schema.table("claims"))
    claims = pl.concat([occurrence, fatalities]).select(
        pl.col(name).cast(kind) for name, kind in claim_types.items()
    )
    source_types = polars_schema(schema.table("sources"))
    sources = distinct.select(
        pl.col(name).cast(kind)
        if name in distinct.columns
        else pl.lit(None, dtype=kind).alias(name)
        for name, kind in source_types.items()
    )
    return sources, claims


def _rejected(
    mapped: pl.DataFrame, unreadable: pl.DataFrame, raws: list[pl.DataFrame], paths: list[Path]
) -> pl.DataFrame:
    """Every rejected row in file and row order: file, row, reason, message, the row as
    read (`record`, JSON) or, for a record that could not be parsed, its text (`raw`)."""
    refused = mapped.filter(pl.col("reason").is_not_null()).select(FILE, ROW, "reason")
    parsed = refused.join(
        _records_of(raws, refused.select(FILE, ROW)), on=[FILE, ROW], how="left"
    ).select(
        FILE,
        ROW,
        "reason",
        pl.col("reason").alias("message"),
        pl.col(RECORD).alias("record"),
        pl.lit(None, dtype=pl.String).alias("raw"),
    )
    unparsed = unreadable.select(
        FILE,
        ROW,
        "reason",
        "message",
        pl.lit(None, dtype=pl.String).alias("record"),
        pl.col(RECORD).alias("raw"),
    )
    names = dict(enumerate(map(str, paths)))
    return (
        pl.concat([parsed, unparsed])
        .sort(FILE, ROW)
        .select(
            pl.col(FILE).replace_strict(names, return_dtype=pl.String).alias("file"),
            pl.col(ROW).alias("row"),
            "reason",
            "message",
            "record",
            "raw",
        )
    )


def _checked(mapped: pl.DataFrame, provenance: Provenance, schema: Schema) -> pl.DataFrame:
    """`mapped` with a reason for each row the schema's row checks refuse, and for each
    event id that differs from an earlier one only in letter case."""
    taken = mapped.filter(pl.col("reason").is_null())
    failing = _schema_failures(taken, provenance, schema)
    refused = pl.concat_str([pl.lit("does not fit the schema: "), pl.lit(failing)])
    taken = taken.with_columns(pl.when(failing.is_not_null()).then(refused).alias("reason"))
    mapped = pl.concat([mapped.filter(pl.col("reason").is_not_null()), taken]).sort(FILE, ROW)
    folded = pl.col("event_id").str.to_lowercase()
    first_spelling = pl.col("event_id").filter(pl.col("reason").is_null()).first().over(folded)
    other_case = pl.col("reason").is_null() & (pl.col("event_id") != first_spelling)
    return mapped.with_columns(
        pl.when(other_case)
        .then(pl.lit("the event id differs from an earlier one only in letter case"))
        .otherwise(pl.col("reason"))
        .alias("reason")
    )


@dataclass(frozen=True)
class RowMapper:
    """How an importer maps the rows of one export file to `MAPPED`: the prefix its
    columns get as read (beside our fields of the same names), our fields from them,
    the reason a row is rejected, its warnings, and the columns kept in the notes."""

    prefix: str
    our_fields: Callable[[pl.DataFrame, Sequence[str]], pl.DataFrame]
    reason: Callable[[Sequence[str]], pl.Expr]
    warnings: Callable[[Sequence[str], int | None], pl.Expr]
    kept_fields: Callable[[pl.DataFrame, Sequence[str]], pl.Series]

    def __call__(self, export: ExportFile, index: int) -> pl.DataFrame:
        """The mapped rows of the `index`-th file."""
        header = export.header
        frame = export.rows.rename({name: self.prefix + name for name in header}).with_columns(
            pl.lit(index, dtype=pl.Int64).alias(FILE)
        )
        frame = self.our_fields(frame, header)
        return frame.with_columns(
            self.reason(header).alias("reason"),
            self.warnings(header, export.unterminated_last_row).alias("warnings"),
            self.kept_fields(frame, header).alias("fields"),
        ).select(MAPPED)


def assemble(
    files: Sequence[ExportFile],
    layouts: Sequence[Layout],
    map_rows: Callable[[ExportFile, int], pl.DataFrame],
    provenance: Provenance,
    schema: Schema,
) -> Imported:
    """The three tables, the rejected rows and the summary of an import of `files`
    (with their `layouts`), whose rows `map_rows` maps (`MAPPED`; the file's index is
    its rows' `FILE`)."""
    mapped = pl.concat([map_rows(export, index) for index, export in enumerate(files)])
    unreadable = pl.concat(
        [
            export.unreadable.with_columns(pl.lit(index, dtype=pl.Int64).alias(FILE))
            for index, export in enumerate(files)
        ]
    )
    raws = [export.rows for export in files]
    mapped = _checked(mapped.sort(FILE, ROW), provenance, schema)
    taken = mapped.filter(pl.col("reason").is_null())
    merged = merge_repeated(taken, lambda wanted: _records_of(raws, wanted))
    rows = merged.events.with_columns(
        with_fields_line(pl.col("notes"), pl.col("fields"), provenance.label).alias("notes")
    )
    events = _events(rows, provenance, schema)
    sources, claims = _sources_and_claims(merged.cited, provenance, schema)
    rejected = _rejected(mapped, unreadable, raws, [export.path for export in files])
    warnings = merged.warnings
    summary = ImportSummary(
        dataset=provenance.dataset,
        extractor=provenance.extractor,
        layouts={str(f.path): layout.name for f, layout in zip(files, layouts, strict=True)},
        rows_read=mapped.height + unreadable.height,
        events_written=events.height,
        merged=merged.rows_merged,
        rejected=rejected.height,
        warned=int((warnings.list.len() > 0).sum()),
        claims_written=claims.height,
        sources_written=sources.height,
        rejected_reasons=reason_counts(rejected.get_column("reason")),
        warning_reasons=reason_counts(warnings.explode()),
    )
    return Imported(events, claims, sources, rejected, summary)
