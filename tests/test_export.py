"""Library-level tests of the exports: Arrow, JSON Schema, Frictionless, Pandera, codebook.

One valid row per table (below) is the baseline: each export accepts it, so a rejection of a
mutated copy is due to the mutation alone.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import frictionless
import jsonschema
import pandas as pd
import polars as pl
import pyarrow as pa
import pycountry
import pytest
from pandera.errors import SchemaErrors

from curate.generate.arrow import arrow_schema
from curate.generate.codebook import codebook
from curate.generate.frictionless import package_fragment, table_schema
from curate.generate.jsonschema import DRAFT, dataset_json_schema, table_json_schema
from curate.generate.pandera import (
    code_of_check,
    pandera_pandas_schema,
    pandera_polars_schema,
)
from curate.schema.dtypes import polars_schema
from curate.schema.model import Schema

TABLES = ("events", "claims", "sources")
FINITE_ERROR = "range: must be a finite number (NaN and infinity are refused)"

EVENT: dict[str, Any] = {
    "event_id": "ev-1",
    "revision": 1,
    "status": "active",
    "superseded_by": None,
    "date_start": dt.date(2015, 9, 17),
    "date_end": dt.date(2015, 9, 17),
    "date_precision": "day",
    "date_text": "on Thursday",
    "date_anchor": dt.date(2015, 9, 18),
    "country_iso3": "SYR",
    "admin1": "Raqqa",
    "admin2": None,
    "location": "Raqqa",
    "latitude": 35.95,
    "longitude": 39.01,
    "geo_precision": "locality",
    "event_type": "Explosions/Remote violence",
    "sub_event_type": "Air/drone strike",
    "actor1": "Unidentified military forces",
    "actor1_type": "external_forces",
    "actor2": None,
    "actor2_type": None,
    "attribution": "alleged",
    "civilian_targeting": True,
    "fatalities_low": 3,
    "fatalities_best": 5,
    "fatalities_high": 8,
    "injuries_low": None,
    "injuries_best": None,
    "injuries_high": None,
    "confidence": 0.6,
    "source_count": 2,
    "extraction_method": "manual",
    "extractor": "analyst-1",
    "extracted_at": dt.datetime(2015, 9, 20, 12, 0, tzinfo=dt.UTC),
    "notes": None,
}
CLAIM: dict[str, Any] = {
    "claim_id": "cl-1",
    "event_id": "ev-1",
    "source_id": "src-1",
    "claimant": "Raqqa activists",
    "claimant_type": "local_activist",
    "partisan": False,
    "subject": "fatalities",
    "qualifier": "at_least",
    "value_low": 5.0,
    "value_high": None,
    "value_text": None,
    "hedge": "reported",
    "quote": "at least five people were killed",
    "adopted": True,
}
SOURCE: dict[str, Any] = {
    "source_id": "src-1",
    "publisher": "Reuters",
    "url": "https://example.org/news/1",
    "title": None,
    "published_on": dt.date(2015, 9, 18),
    "language": "en",
    "retrieved_at": dt.datetime(2015, 9, 19, 8, 30, tzinfo=dt.UTC),
    "content_sha256": "0" * 64,
}
ROWS: dict[str, dict[str, Any]] = {"events": EVENT, "claims": CLAIM, "sources": SOURCE}


def polars_frame(schema: Schema, table: str, *rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=polars_schema(schema.table(table)), orient="row")


def json_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row as an extractor would send it: ISO 8601 dates, datetimes with Z."""

    def value(v: Any) -> Any:
        if isinstance(v, dt.datetime):
            return v.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        if isinstance(v, dt.date):
            return v.isoformat()
        return v

    return {k: value(v) for k, v in row.items()}


def pandera_codes(error: SchemaErrors) -> set[str]:
    return {code_of_check(str(check)) for check in error.failure_cases["check"]}


def test_the_baseline_rows_are_complete(schema: Schema) -> None:
    for name in TABLES:
        assert list(ROWS[name]) == list(schema.table(name).field_names)


# --- Arrow --------------------------------------------------------------------------------

ARROW_BY_TYPE: dict[str, pa.DataType] = {
    "integer": pa.int64(),
    "number": pa.float64(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us", tz="UTC"),
    "boolean": pa.bool_(),
    "string": pa.string(),
}


@pytest.mark.parametrize(
    ("table", "field", "type_text", "nullable"),
    [
        ("events", "revision", "int64", False),
        ("events", "fatalities_best", "int64", True),
        ("events", "confidence", "double", False),
        ("events", "latitude", "double", True),
        ("events", "date_start", "date32[day]", False),
        ("events", "date_anchor", "date32[day]", True),
        ("events", "extracted_at", "timestamp[us, tz=UTC]", False),
        ("events", "civilian_targeting", "bool", True),
        ("events", "event_id", "string", False),
        ("claims", "partisan", "bool", False),
        ("claims", "value_low", "double", True),
        ("sources", "retrieved_at", "timestamp[us, tz=UTC]", True),
        ("sources", "url", "string", True),
    ],
)
def test_arrow_types_of_sample_fields(
    schema: Schema, table: str, field: str, type_text: str, nullable: bool
) -> None:
    arrow_field = arrow_schema(schema, schema.table(table)).field(field)
    assert str(arrow_field.type) == type_text
    assert arrow_field.nullable is nullable


@pytest.mark.parametrize("name", TABLES)
def test_arrow_schema_has_exact_types_nullability_and_descriptions(
    schema: Schema, name: str
) -> None:
    table = schema.table(name)
    exported = arrow_schema(schema, table)
    assert exported.names == list(table.field_names)
    for f in table.fields:
        arrow_field = exported.field(f.name)
        assert arrow_field.type == ARROW_BY_TYPE[f.type], f.name
        assert arrow_field.nullable is (not f.required), f.name
        metadata = arrow_field.metadata or {}
        assert metadata[b"description"] == f.description.encode(), f.name
        assert f.description, f.name
        if f.vocabulary is None:
            assert b"vocabulary" not in metadata
        else:
            assert metadata[b"vocabulary"] == f.vocabulary.encode()
    assert exported.metadata[b"curate.schema_version"] == schema.version.encode()
    assert exported.metadata[b"curate.schema"] == schema.name.encode()
    assert exported.metadata[b"curate.table"] == name.encode()
    assert json.loads(exported.metadata[b"curate.primary_key"]) == list(table.primary_key)


def test_the_schema_uses_every_arrow_type(schema: Schema) -> None:
    used = {f.type for table in schema.tables.values() for f in table.fields}
    assert used == set(ARROW_BY_TYPE)


def test_arrow_schema_keeps_a_nullable_integer_an_integer(schema: Schema) -> None:
    exported = arrow_schema(schema, schema.table("events"))
    data = pa.Table.from_pylist([EVENT, {**EVENT, "event_id": "ev-2", "injuries_low": 4}], exported)
    assert data.schema == exported
    assert data.column("injuries_low").type == pa.int64()
    assert data.column("injuries_low").to_pylist() == [None, 4]


# --- JSON Schema --------------------------------------------------------------------------


@pytest.mark.parametrize("structured", [False, True])
def test_json_schemas_are_valid_draft_2020_12(schema: Schema, structured: bool) -> None:
    for name in TABLES:
        document = table_json_schema(schema, schema.table(name), structured_output=structured)
        assert document["$schema"] == DRAFT
        jsonschema.Draft202012Validator.check_schema(document)
    whole = dataset_json_schema(schema, structured_output=structured)
    jsonschema.Draft202012Validator.check_schema(whole)
    validator = jsonschema.Draft202012Validator(whole)
    extraction = {name: [json_row(ROWS[name])] for name in TABLES}
    assert list(validator.iter_errors(extraction)) == []


@pytest.mark.parametrize("structured", [False, True])
@pytest.mark.parametrize("name", TABLES)
def test_json_schema_nulls_only_the_optional_fields(
    schema: Schema, name: str, structured: bool
) -> None:
    table = schema.table(name)
    validator = jsonschema.Draft202012Validator(
        table_json_schema(schema, table, structured_output=structured)
    )
    row = json_row(ROWS[name])
    assert list(validator.iter_errors(row)) == []
    refused = {f.name for f in table.fields if not validator.is_valid({**row, f.name: None})}
    assert refused == {f.name for f in table.fields if f.required}
    assert refused != set(table.field_names)  # every table has optional fields


@pytest.mark.parametrize("name", TABLES)
def test_structured_output_requires_every_key(schema: Schema, name: str) -> None:
    table = schema.table(name)
    strict = table_json_schema(schema, table, structured_output=True)
    relaxed = table_json_schema(schema, table)
    assert strict["required"] == list(table.field_names)
    assert relaxed["required"] == [f.name for f in table.fields if f.required]
    optional = next(f.name for f in table.fields if not f.required)
    without = {k: v for k, v in json_row(ROWS[name]).items() if k != optional}
    assert jsonschema.Draft202012Validator(relaxed).is_valid(without)
    errors = list(jsonschema.Draft202012Validator(strict).iter_errors(without))
    assert [e.validator for e in errors] == ["required"]


def test_json_schema_refuses_unknown_properties(schema: Schema) -> None:
    validator = jsonschema.Draft202012Validator(table_json_schema(schema, schema.table("sources")))
    errors = list(validator.iter_errors({**json_row(SOURCE), "extra": 1}))
    assert [e.validator for e in errors] == ["additionalProperties"]


# --- Frictionless -------------------------------------------------------------------------


def test_frictionless_keys(schema: Schema) -> None:
    events = table_schema(schema.table("events"))
    claims = table_schema(schema.table("claims"))
    sources = table_schema(schema.table("sources"))
    assert events["primaryKey"] == ["event_id"]
    assert events["foreignKeys"] == [
        {"fields": ["superseded_by"], "reference": {"resource": "", "fields": ["event_id"]}}
    ]
    assert claims["primaryKey"] == ["claim_id"]
    assert claims["foreignKeys"] == [
        {"fields": ["event_id"], "reference": {"resource": "events", "fields": ["event_id"]}},
        {"fields": ["source_id"], "reference": {"resource": "sources", "fields": ["source_id"]}},
    ]
    assert sources["primaryKey"] == ["source_id"]
    assert "foreignKeys" not in sources


@pytest.mark.parametrize("name", TABLES)
def test_frictionless_enums_are_the_schema_enums(schema: Schema, name: str) -> None:
    table = schema.table(name)
    descriptor = table_schema(table)
    assert [d["name"] for d in descriptor["fields"]] == list(table.field_names)
    for f, field_descriptor in zip(table.fields, descriptor["fields"], strict=True):
        constraints = field_descriptor.get("constraints", {})
        if f.enum is None:
            assert "enum" not in constraints, f.name
        else:
            assert f.vocabulary is not None
            assert constraints["enum"] == list(f.enum), f.name
            assert constraints["enum"] == list(schema.vocabularies[f.vocabulary].values)
        assert constraints.get("required", False) is f.required, f.name


def test_frictionless_country_enum_is_pycountry_plus_kosovo(schema: Schema) -> None:
    descriptor = table_schema(schema.table("events"))
    country = next(d for d in descriptor["fields"] if d["name"] == "country_iso3")
    assert set(country["constraints"]["enum"]) == {c.alpha_3 for c in pycountry.countries} | {"XKX"}


@pytest.mark.parametrize("name", TABLES)
def test_frictionless_accepts_each_table_schema(schema: Schema, name: str) -> None:
    descriptor = table_schema(schema.table(name))
    assert frictionless.Schema.validate_descriptor(descriptor).valid
    loaded = frictionless.Schema.from_descriptor(descriptor)
    assert loaded.field_names == list(schema.table(name).field_names)
    assert loaded.primary_key == descriptor["primaryKey"]
    assert loaded.to_descriptor().get("foreignKeys") == descriptor.get("foreignKeys")


def test_frictionless_package_fragment_embeds_the_table_schemas(schema: Schema) -> None:
    fragment = package_fragment(schema)
    assert fragment["curate:schema"] == {"name": schema.name, "version": schema.version}
    assert [r["name"] for r in fragment["resources"]] == list(TABLES)
    for resource in fragment["resources"]:
        assert resource["schema"] == table_schema(schema.table(resource["name"]))


# --- Pandera ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", TABLES)
def test_pandera_polars_schema_has_one_strict_column_per_field(schema: Schema, name: str) -> None:
    table = schema.table(name)
    generated = pandera_polars_schema(schema, table)
    assert generated.strict is True
    assert list(generated.columns) == list(table.field_names)
    for f in table.fields:
        column = generated.columns[f.name]
        if f.required and f.type == "number":
            # pandera-polars counts NaN as null, so a required number is checked for true
            # nulls by a "required" check of its own (NaN is a range error).
            assert column.nullable is True, f.name
            assert any(str(check.error).startswith("required:") for check in column.checks)
        else:
            assert column.nullable is (not f.required), f.name
        assert column.unique is f.unique, f.name
    generated.validate(polars_frame(schema, name, ROWS[name]), lazy=True)


def test_pandera_polars_refuses_an_extra_column(schema: Schema) -> None:
    frame = polars_frame(schema, "sources", SOURCE).with_columns(pl.lit("x").alias("extra"))
    with pytest.raises(SchemaErrors) as caught:
        pandera_polars_schema(schema, schema.table("sources")).validate(frame, lazy=True)
    assert pandera_codes(caught.value) == {"unknown-field"}
    assert caught.value.failure_cases["failure_case"].to_list() == ["extra"]


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize(
    ("table", "field"),
    [("events", "confidence"), ("events", "latitude"), ("claims", "value_low")],
)
def test_pandera_polars_refuses_nan_and_infinity_as_range(
    schema: Schema, table: str, field: str, value: float
) -> None:
    """pandera's `ge`/`in_range` let NaN or infinity through; the finite check must not."""
    frame = polars_frame(schema, table, ROWS[table]).with_columns(
        pl.lit(value, dtype=pl.Float64).alias(field)
    )
    with pytest.raises(SchemaErrors) as caught:
        pandera_polars_schema(schema, schema.table(table)).validate(frame, lazy=True)
    cases = caught.value.failure_cases
    assert set(cases["column"].to_list()) == {field}
    assert FINITE_ERROR in cases["check"].to_list()
    assert pandera_codes(caught.value) == {"range"}


def test_pandera_pandas_refuses_a_negative_nullable_integer(schema: Schema) -> None:
    table = schema.table("events")
    exported = arrow_schema(schema, table)
    rows = [EVENT, {**EVENT, "event_id": "ev-2", "injuries_low": -1}]
    frame = pa.Table.from_pylist(rows, exported).to_pandas(types_mapper=pd.ArrowDtype)
    assert frame["injuries_low"].dtype == pd.ArrowDtype(pa.int64())
    generated = pandera_pandas_schema(schema, table)
    generated.validate(frame.iloc[:1], lazy=True)
    with pytest.raises(SchemaErrors) as caught:
        generated.validate(frame, lazy=True)
    cases = caught.value.failure_cases
    assert pandera_codes(caught.value) == {"range"}
    assert cases["column"].tolist() == ["injuries_low"]
    assert cases["index"].tolist() == [1]
    assert cases["failure_case"].tolist() == [-1]


# --- codebook -----------------------------------------------------------------------------


def test_codebook_lists_every_field_and_rule(schema: Schema) -> None:
    text = codebook(schema)
    assert f"Schema `{schema.name}` version {schema.version}." in text
    for table in schema.tables.values():
        assert f"## Table `{table.name}`" in text
        for f in table.fields:
            assert f"| `{f.name}` |" in text, f.name
    codes = [rule.code for rule in schema.row_rules] + [r.code for r in schema.dataset_rules]
    for code in codes:
        assert f"| `{code}` |" in text, code


def test_codebook_lists_every_hand_written_term(schema: Schema) -> None:
    text = codebook(schema)
    for vocabulary in schema.vocabularies.values():
        assert f"### Vocabulary `{vocabulary.name}`" in text
        for term in vocabulary.terms:
            cell = f"| `{term.value.replace('|', chr(92) + '|')}` |"
            if term.generated:
                assert cell not in text, term.value
            else:
                assert cell in text, term.value


def test_codebook_counts_generated_country_codes(schema: Schema) -> None:
    text = codebook(schema)
    countries = schema.vocabularies["countries"]
    generated = [t for t in countries.terms if t.generated]
    assert len(generated) == len(pycountry.countries)
    assert f"{len(generated)} values generated from `pycountry.countries.alpha_3`" in text
    assert "| `XKX` |" in text
    assert "| `SYR` |" not in text
