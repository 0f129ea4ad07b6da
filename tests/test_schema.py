"""The schema files load into the model and say what DESIGN.md's record says."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import polars as pl
import pycountry
import pytest

from curate.errors import SchemaDefinitionError, UnknownTableError
from curate.generate.checks import rule_expression
from curate.schema.loader import default_schema_dir, load_schema
from curate.schema.model import Schema

ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"

EVENT_FIELDS = [
    "event_id",
    "revision",
    "status",
    "superseded_by",
    "date_start",
    "date_end",
    "date_precision",
    "date_text",
    "date_anchor",
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
    "injuries_low",
    "injuries_best",
    "injuries_high",
    "confidence",
    "source_count",
    "extraction_method",
    "extractor",
    "extracted_at",
    "notes",
]
CLAIM_FIELDS = [
    "claim_id",
    "event_id",
    "source_id",
    "claimant",
    "claimant_type",
    "partisan",
    "subject",
    "qualifier",
    "value_low",
    "value_high",
    "value_text",
    "hedge",
    "quote",
    "adopted",
]
SOURCE_FIELDS = [
    "source_id",
    "publisher",
    "url",
    "title",
    "published_on",
    "language",
    "retrieved_at",
    "content_sha256",
]


def test_tables_have_the_designed_fields_in_order(schema: Schema) -> None:
    assert schema.version == "1.0.0"
    assert list(schema.table("events").field_names) == EVENT_FIELDS
    assert list(schema.table("claims").field_names) == CLAIM_FIELDS
    assert list(schema.table("sources").field_names) == SOURCE_FIELDS


def test_every_field_and_term_is_described(schema: Schema) -> None:
    for table in schema.tables.values():
        assert table.description
        for field in table.fields:
            assert len(field.description) > 10, field.name
    for vocabulary in schema.vocabularies.values():
        for term in vocabulary.terms:
            assert term.description, (vocabulary.name, term.value)


def test_identifiers_share_one_pattern(schema: Schema) -> None:
    keyed = [
        ("events", "event_id"),
        ("events", "superseded_by"),
        ("claims", "claim_id"),
        ("claims", "event_id"),
        ("claims", "source_id"),
        ("sources", "source_id"),
    ]
    for table, field in keyed:
        assert schema.table(table).field(field).pattern == ID_PATTERN


def test_keys(schema: Schema) -> None:
    claims = schema.table("claims")
    assert claims.primary_key == ("claim_id",)
    assert {(fk.fields, fk.table) for fk in claims.foreign_keys} == {
        (("event_id",), "events"),
        (("source_id",), "sources"),
    }
    assert schema.table("events").foreign_keys[0].table == "events"


def test_enums_match_the_design(schema: Schema) -> None:
    events = schema.table("events")
    assert events.field("status").enum == ("active", "retracted", "superseded")
    assert events.field("attribution").enum == (
        "confirmed",
        "claimed",
        "alleged",
        "disputed",
        "unknown",
    )
    assert len(events.field("event_type").enum or ()) == 6
    assert len(events.field("sub_event_type").enum or ()) == 25
    assert schema.table("claims").field("hedge").enum == (
        "asserted",
        "reported",
        "claimed",
        "unverified",
    )


def test_countries_come_from_pycountry(schema: Schema) -> None:
    codes = set(schema.table("events").field("country_iso3").enum or ())
    assert {c.alpha_3 for c in pycountry.countries} <= codes
    assert codes - {c.alpha_3 for c in pycountry.countries} == {"XKX"}
    assert "SYR" in codes


def test_sub_type_rule_agrees_with_the_taxonomy(schema: Schema) -> None:
    """The SQL of the sub-type rule and the vocabulary can never drift apart."""
    rule = next(r for r in schema.row_rules if r.id == "sub-event-type-in-event-type")
    types = schema.vocabularies["event_types"].values
    terms = schema.vocabularies["sub_event_types"].terms
    pairs = list(itertools.product(types, [t.value for t in terms]))
    frame = pl.DataFrame(pairs, schema=["event_type", "sub_event_type"], orient="row")
    verdicts = frame.select(rule_expression(rule)).to_series().to_list()
    parent = {t.value: t.parent for t in terms}
    assert verdicts == [parent[sub] == kind for kind, sub in pairs]
    assert all(t.parent in types for t in terms)


def test_unknown_table_is_a_clear_error(schema: Schema) -> None:
    with pytest.raises(UnknownTableError, match="events, claims, sources"):
        schema.table("battles")


def _copy_schema(tmp_path: Path) -> Path:
    target = tmp_path / "schema"
    shutil.copytree(default_schema_dir(), target)
    return target


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "events.yaml",
            "vocabulary: event_status",
            "vocabulary: no_such_list",
            "unknown vocabulary",
        ),
        ("rules.yaml", "id: injuries-order", "id: fatalities-order", "used twice"),
        ("claims.yaml", "type: boolean", "type: bool", "unsupported type"),
        ("rules.yaml", "fields: [latitude, longitude]", "fields: [lat, lon]", "unknown fields"),
        ("schema.yaml", "version: 1.0.0", "", "missing 'version'"),
        ("sources.yaml", "primaryKey: [source_id]", "primaryKey: [id]", "primary key"),
    ],
)
def test_inconsistent_schema_files_are_refused(
    tmp_path: Path, file: str, old: str, new: str, message: str
) -> None:
    directory = _copy_schema(tmp_path)
    path = directory / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SchemaDefinitionError, match=message):
        load_schema(directory)


def test_broken_yaml_is_refused(tmp_path: Path) -> None:
    directory = _copy_schema(tmp_path)
    (directory / "claims.yaml").write_text("fields: [unclosed", encoding="utf-8")
    with pytest.raises(SchemaDefinitionError, match="not valid YAML"):
        load_schema(directory)


def test_a_copy_loads_equal_to_the_default(tmp_path: Path, schema: Schema) -> None:
    assert load_schema(_copy_schema(tmp_path)) == schema
    assert load_schema(_copy_schema(tmp_path / "b") / "schema.yaml") == schema
