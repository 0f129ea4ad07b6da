"""Tests of curate.schema.evolution: the DESIGN.md "Evolution" rules, on edited copies of
the schema."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curate.errors import SchemaDefinitionError
from curate.schema.evolution import Change, Level, SchemaDiff, diff_schemas, parse_schema_version
from curate.schema.loader import load_schema
from curate.schema.model import DatasetRule, Field, ForeignKey, RowRule, Schema, Table, Term

SCHEMA = load_schema()
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"


# --- helpers to build edited copies ------------------------------------------------------


def with_table(schema: Schema, table: Table) -> Schema:
    tables = dict(schema.tables)
    tables[table.name] = table
    return replace(schema, tables=tables)


def without_table(schema: Schema, name: str) -> Schema:
    return replace(schema, tables={k: v for k, v in schema.tables.items() if k != name})


def with_field(schema: Schema, table_name: str, field_name: str, **changes: Any) -> Schema:
    table = schema.tables[table_name]
    fields = tuple(replace(f, **changes) if f.name == field_name else f for f in table.fields)
    return with_table(schema, replace(table, fields=fields))


def with_fields(schema: Schema, table_name: str, fields: tuple[Field, ...]) -> Schema:
    return with_table(schema, replace(schema.tables[table_name], fields=fields))


def with_row_rule(schema: Schema, rule_id: str, **changes: Any) -> Schema:
    rules = tuple(replace(r, **changes) if r.id == rule_id else r for r in schema.row_rules)
    return replace(schema, row_rules=rules)


def with_dataset_rule(schema: Schema, rule_id: str, **changes: Any) -> Schema:
    rules = tuple(replace(r, **changes) if r.id == rule_id else r for r in schema.dataset_rules)
    return replace(schema, dataset_rules=rules)


def single_change(old: Schema, new: Schema) -> Change:
    diff = diff_schemas(old, new)
    assert len(diff.changes) == 1, diff.changes
    return diff.changes[0]


def level_of(level: Level) -> SchemaDiff:
    changes = () if level is Level.NONE else (Change(level, "events", "something"),)
    return SchemaDiff(old_version="1.0.0", new_version="1.0.0", changes=changes)


# --- identity ----------------------------------------------------------------------------


def test_identical_schemas_give_none() -> None:
    diff = diff_schemas(SCHEMA, SCHEMA)
    assert diff.level is Level.NONE
    assert diff.changes == ()
    assert diff.required_version_bump_ok


def test_a_fresh_load_of_the_same_files_gives_none() -> None:
    diff = diff_schemas(SCHEMA, load_schema(SCHEMA_DIR))
    assert diff.changes == ()


def test_level_values_and_display() -> None:
    assert [int(level) for level in Level] == [0, 1, 2, 3]
    assert [str(level) for level in Level] == ["none", "patch", "minor", "major"]
    assert f"{Level.MAJOR}" == "major"
    assert Level.NONE < Level.PATCH < Level.MINOR < Level.MAJOR


# --- fields ------------------------------------------------------------------------------

FIELD_CASES: list[tuple[str, str, dict[str, Any], Level, str]] = [
    # (table, field, changes, level, words in `what`)
    ("events", "fatalities_best", {"type": "number"}, Level.MAJOR, "type changed"),
    ("events", "notes", {"required": True}, Level.MAJOR, "required changed from false"),
    ("events", "actor1", {"required": False}, Level.MINOR, "required changed from true"),
    ("sources", "publisher", {"unique": True}, Level.MAJOR, "unique changed from false"),
    ("events", "event_id", {"unique": False}, Level.MINOR, "unique changed from true"),
    ("events", "admin1", {"pattern": "^.+$"}, Level.MAJOR, "pattern"),
    ("sources", "content_sha256", {"pattern": "^[0-9a-fA-F]{64}$"}, Level.MAJOR, "pattern changed"),
    ("sources", "language", {"pattern": None}, Level.MINOR, "pattern"),
    ("events", "revision", {"minimum": 2}, Level.MAJOR, "minimum raised"),
    ("events", "revision", {"minimum": 0}, Level.MINOR, "minimum lowered"),
    ("events", "revision", {"minimum": None}, Level.MINOR, "minimum 1 removed"),
    ("claims", "value_text", {"minimum": 0}, Level.MAJOR, "minimum 0 added"),
    ("events", "confidence", {"maximum": 0.9}, Level.MAJOR, "maximum lowered"),
    ("events", "confidence", {"maximum": 2}, Level.MINOR, "maximum raised"),
    ("events", "latitude", {"maximum": None}, Level.MINOR, "maximum 90 removed"),
    ("events", "fatalities_best", {"maximum": 10**6}, Level.MAJOR, "maximum 1000000 added"),
    ("claims", "quote", {"max_length": 400}, Level.MAJOR, "max_length lowered"),
    ("claims", "quote", {"max_length": 600}, Level.MINOR, "max_length raised"),
    ("claims", "quote", {"max_length": None}, Level.MINOR, "max_length 500 removed"),
    ("events", "notes", {"max_length": 1000}, Level.MAJOR, "max_length 1000 added"),
    ("sources", "url", {"string_format": "email"}, Level.MAJOR, "format changed"),
    ("sources", "url", {"string_format": None}, Level.MINOR, "format"),
    ("events", "notes", {"enum": ("a", "b")}, Level.MAJOR, "enum constraint added"),
    ("events", "status", {"enum": None}, Level.MINOR, "enum constraint removed"),
    ("events", "notes", {"description": "Free text."}, Level.PATCH, "description changed"),
]


@pytest.mark.parametrize(
    ("table", "field", "changes", "level", "words"),
    FIELD_CASES,
    ids=[f"{t}.{f}-{'-'.join(c)}-{lv}" for t, f, c, lv, _ in FIELD_CASES],
)
def test_field_change_levels(
    table: str, field: str, changes: dict[str, Any], level: Level, words: str
) -> None:
    change = single_change(SCHEMA, with_field(SCHEMA, table, field, **changes))
    assert change.level is level
    assert change.where == f"{table}.{field}"
    assert words in change.what


def test_enum_value_removed_is_major() -> None:
    old_enum = SCHEMA.tables["events"].field("event_type").enum
    assert old_enum is not None
    new = with_field(
        SCHEMA, "events", "event_type", enum=tuple(v for v in old_enum if v != "Riots")
    )
    change = single_change(SCHEMA, new)
    assert change == Change(Level.MAJOR, "events.event_type", "enum value removed: 'Riots'")


def test_enum_value_added_is_minor() -> None:
    old_enum = SCHEMA.tables["events"].field("event_type").enum
    assert old_enum is not None
    new = with_field(SCHEMA, "events", "event_type", enum=(*old_enum, "Sieges"))
    change = single_change(SCHEMA, new)
    assert change == Change(Level.MINOR, "events.event_type", "enum value added: 'Sieges'")


def test_enum_value_added_and_removed_is_major_with_both_changes() -> None:
    new = with_field(SCHEMA, "events", "status", enum=("current", "retracted"))
    diff = diff_schemas(SCHEMA, new)
    assert diff.level is Level.MAJOR
    assert {c.level for c in diff.changes} == {Level.MAJOR, Level.MINOR}
    assert all(c.where == "events.status" for c in diff.changes)


def test_long_lists_of_enum_values_are_shortened() -> None:
    old_enum = SCHEMA.tables["events"].field("country_iso3").enum
    assert old_enum is not None
    change = single_change(
        SCHEMA, with_field(SCHEMA, "events", "country_iso3", enum=old_enum[:-20])
    )
    assert change.level is Level.MAJOR
    assert "values removed" in change.what
    assert "and 15 more" in change.what


def test_enum_value_order_is_patch() -> None:
    old_enum = SCHEMA.tables["events"].field("event_type").enum
    assert old_enum is not None
    change = single_change(
        SCHEMA, with_field(SCHEMA, "events", "event_type", enum=tuple(reversed(old_enum)))
    )
    assert change.level is Level.PATCH
    assert change.where == "events.event_type"


def test_field_removed_is_major() -> None:
    claims = SCHEMA.tables["claims"]
    new = with_fields(SCHEMA, "claims", tuple(f for f in claims.fields if f.name != "quote"))
    assert single_change(SCHEMA, new) == Change(Level.MAJOR, "claims.quote", "field removed")


def test_field_renamed_is_removed_plus_added_and_major() -> None:
    claims = SCHEMA.tables["claims"]
    fields = tuple(replace(f, name="excerpt") if f.name == "quote" else f for f in claims.fields)
    diff = diff_schemas(SCHEMA, with_fields(SCHEMA, "claims", fields))
    assert diff.level is Level.MAJOR
    assert diff.changes == (
        Change(Level.MAJOR, "claims.quote", "field removed"),
        Change(Level.MINOR, "claims.excerpt", "optional field added"),
    )


def test_new_optional_field_is_minor() -> None:
    extra = Field(name="paywalled", type="boolean", description="Behind a paywall.")
    new = with_fields(SCHEMA, "sources", (*SCHEMA.tables["sources"].fields, extra))
    assert single_change(SCHEMA, new) == Change(
        Level.MINOR, "sources.paywalled", "optional field added"
    )


def test_new_required_field_is_major() -> None:
    extra = Field(name="paywalled", type="boolean", description="Paywall.", required=True)
    new = with_fields(SCHEMA, "sources", (*SCHEMA.tables["sources"].fields, extra))
    assert single_change(SCHEMA, new) == Change(
        Level.MAJOR, "sources.paywalled", "required field added"
    )


def test_field_order_change_is_patch() -> None:
    fields = SCHEMA.tables["sources"].fields
    new = with_fields(SCHEMA, "sources", (fields[1], fields[0], *fields[2:]))
    assert single_change(SCHEMA, new) == Change(Level.PATCH, "sources", "field order changed")


def test_added_field_in_the_middle_is_not_an_order_change() -> None:
    fields = SCHEMA.tables["sources"].fields
    extra = Field(name="paywalled", type="boolean", description="Behind a paywall.")
    new = with_fields(SCHEMA, "sources", (fields[0], extra, *fields[1:]))
    assert single_change(SCHEMA, new).level is Level.MINOR


# --- tables ------------------------------------------------------------------------------


def test_table_removed_is_major() -> None:
    change = single_change(SCHEMA, without_table(SCHEMA, "sources"))
    assert change == Change(Level.MAJOR, "sources", "table removed")


def test_table_added_is_minor() -> None:
    actors = Table(
        name="actors",
        title="Actors",
        description="Armed groups.",
        fields=(Field(name="actor_id", type="string", description="Id.", required=True),),
        primary_key=("actor_id",),
    )
    assert single_change(SCHEMA, with_table(SCHEMA, actors)) == Change(
        Level.MINOR, "actors", "table added"
    )


@pytest.mark.parametrize("attribute", ["title", "description"])
def test_table_title_and_description_are_patch(attribute: str) -> None:
    changes: dict[str, Any] = {attribute: "Changed."}
    new = with_table(SCHEMA, replace(SCHEMA.tables["claims"], **changes))
    assert single_change(SCHEMA, new) == Change(Level.PATCH, "claims", f"{attribute} changed")


def test_table_order_is_patch() -> None:
    new = replace(SCHEMA, tables=dict(reversed(list(SCHEMA.tables.items()))))
    change = single_change(SCHEMA, new)
    assert change.level is Level.PATCH
    assert change.where == "schema"


@pytest.mark.parametrize("attribute", ["title", "description"])
def test_schema_title_and_description_are_patch(attribute: str) -> None:
    changes: dict[str, Any] = {attribute: "Changed."}
    new = replace(SCHEMA, **changes)
    assert single_change(SCHEMA, new) == Change(Level.PATCH, "schema", f"{attribute} changed")


def test_schema_name_change_is_major() -> None:
    assert single_change(SCHEMA, replace(SCHEMA, name="other")).level is Level.MAJOR


def test_primary_key_change_is_major() -> None:
    new = with_table(SCHEMA, replace(SCHEMA.tables["events"], primary_key=("event_id", "revision")))
    change = single_change(SCHEMA, new)
    assert change.level is Level.MAJOR
    assert change.where == "events"
    assert "primary key" in change.what


def test_foreign_key_added_is_major() -> None:
    sources = SCHEMA.tables["sources"]
    fk = ForeignKey(fields=("publisher",), table="sources", reference_fields=("source_id",))
    change = single_change(SCHEMA, with_table(SCHEMA, replace(sources, foreign_keys=(fk,))))
    assert change.level is Level.MAJOR
    assert change.where == "sources"
    assert "foreign key (publisher)" in change.what
    assert "added" in change.what


def test_foreign_key_removed_is_minor() -> None:
    claims = SCHEMA.tables["claims"]
    new = with_table(SCHEMA, replace(claims, foreign_keys=claims.foreign_keys[:1]))
    change = single_change(SCHEMA, new)
    assert change.level is Level.MINOR
    assert change.where == "claims"
    assert change.what == "foreign key (source_id) -> sources(source_id) removed"


def test_foreign_key_changed_is_major() -> None:
    claims = SCHEMA.tables["claims"]
    changed = replace(claims.foreign_keys[0], fields=("source_id",))
    new = with_table(SCHEMA, replace(claims, foreign_keys=(changed, claims.foreign_keys[1])))
    diff = diff_schemas(SCHEMA, new)
    assert diff.level is Level.MAJOR
    assert [c.level for c in diff.changes] == [Level.MINOR, Level.MAJOR]


# --- rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(("severity", "level"), [("error", Level.MAJOR), ("warning", Level.MINOR)])
def test_row_rule_added(severity: Any, level: Level) -> None:
    rule = RowRule(
        id="revision-small",
        table="events",
        severity=severity,
        message="revision is suspiciously high",
        fields=("revision",),
        check="revision < 100",
    )
    new = replace(SCHEMA, row_rules=(*SCHEMA.row_rules, rule))
    change = single_change(SCHEMA, new)
    assert change.level is level
    assert change.where == "rule:revision-small"
    assert severity in change.what


@pytest.mark.parametrize(("severity", "level"), [("error", Level.MAJOR), ("warning", Level.MINOR)])
def test_dataset_rule_added(severity: Any, level: Level) -> None:
    rule = DatasetRule(
        id="source-used",
        table="sources",
        severity=severity,
        message="a source carries no claim",
        query="SELECT source_id FROM sources ANTI JOIN claims USING (source_id)",
    )
    new = replace(SCHEMA, dataset_rules=(*SCHEMA.dataset_rules, rule))
    change = single_change(SCHEMA, new)
    assert change.level is level
    assert change.where == "rule:source-used"


def test_row_rule_removed_is_minor() -> None:
    new = replace(SCHEMA, row_rules=tuple(r for r in SCHEMA.row_rules if r.id != "date-order"))
    assert single_change(SCHEMA, new) == Change(Level.MINOR, "rule:date-order", "rule removed")


def test_dataset_rule_removed_is_minor() -> None:
    rules = tuple(r for r in SCHEMA.dataset_rules if r.id != "event-has-claim")
    change = single_change(SCHEMA, replace(SCHEMA, dataset_rules=rules))
    assert change == Change(Level.MINOR, "rule:event-has-claim", "rule removed")


def test_row_rule_check_changed_is_major() -> None:
    new = with_row_rule(SCHEMA, "date-order", check="date_end > date_start")
    assert single_change(SCHEMA, new) == Change(Level.MAJOR, "rule:date-order", "check changed")


def test_dataset_rule_query_changed_is_major() -> None:
    rule = next(r for r in SCHEMA.dataset_rules if r.id == "event-has-claim")
    new = with_dataset_rule(SCHEMA, "event-has-claim", query=rule.query + " LIMIT 10")
    change = single_change(SCHEMA, new)
    assert change == Change(Level.MAJOR, "rule:event-has-claim", "query changed")


def test_rule_severity_warning_to_error_is_major() -> None:
    new = with_row_rule(SCHEMA, "high-confidence-single-source", severity="error")
    change = single_change(SCHEMA, new)
    assert change.level is Level.MAJOR
    assert change.where == "rule:high-confidence-single-source"
    assert change.what == "severity changed from warning to error"


def test_rule_severity_error_to_warning_is_minor() -> None:
    new = with_dataset_rule(SCHEMA, "event-has-claim", severity="warning")
    change = single_change(SCHEMA, new)
    assert change.level is Level.MINOR
    assert change.where == "rule:event-has-claim"


def test_rule_message_changed_is_patch() -> None:
    new = with_row_rule(SCHEMA, "date-order", message="the event ends before it starts")
    assert single_change(SCHEMA, new) == Change(Level.PATCH, "rule:date-order", "message changed")


def test_rule_moved_to_another_table_is_major() -> None:
    new = with_row_rule(SCHEMA, "date-order", table="claims")
    assert single_change(SCHEMA, new).level is Level.MAJOR


# --- vocabularies ------------------------------------------------------------------------


def test_vocabulary_term_description_change_is_patch() -> None:
    vocabulary = SCHEMA.vocabularies["event_types"]
    terms = tuple(
        replace(t, description="Fighting.") if t.value == "Battles" else t for t in vocabulary.terms
    )
    vocabularies = {**SCHEMA.vocabularies, "event_types": replace(vocabulary, terms=terms)}
    change = single_change(SCHEMA, replace(SCHEMA, vocabularies=vocabularies))
    assert change.level is Level.PATCH
    assert change.where == "vocabulary event_types"
    assert "'Battles'" in change.what


def test_vocabulary_description_change_is_patch() -> None:
    vocabulary = replace(SCHEMA.vocabularies["hedges"], description="How sure.")
    vocabularies = {**SCHEMA.vocabularies, "hedges": vocabulary}
    change = single_change(SCHEMA, replace(SCHEMA, vocabularies=vocabularies))
    assert change == Change(Level.PATCH, "vocabulary hedges", "description changed")


def test_vocabulary_term_added_is_reported_on_the_fields_not_the_vocabulary() -> None:
    vocabulary = SCHEMA.vocabularies["event_types"]
    terms = (*vocabulary.terms, Term(value="Sieges", description="Encirclement."))
    vocabularies = {**SCHEMA.vocabularies, "event_types": replace(vocabulary, terms=terms)}
    new = replace(SCHEMA, vocabularies=vocabularies)
    new = with_field(new, "events", "event_type", enum=replace(vocabulary, terms=terms).values)
    change = single_change(SCHEMA, new)
    assert change.level is Level.MINOR
    assert change.where == "events.event_type"


# --- order and output --------------------------------------------------------------------


def test_changes_come_in_table_then_field_order() -> None:
    new = with_field(SCHEMA, "sources", "url", description="Where.")
    new = with_field(new, "events", "notes", description="Notes.")
    new = with_field(new, "events", "event_id", description="Id.")
    new = with_row_rule(new, "date-order", message="Backwards.")
    wheres = [c.where for c in diff_schemas(SCHEMA, new).changes]
    assert wheres == ["events.event_id", "events.notes", "sources.url", "rule:date-order"]
    assert diff_schemas(SCHEMA, new) == diff_schemas(SCHEMA, new)


def test_to_dict_is_json_ready() -> None:
    new = replace(with_field(SCHEMA, "claims", "quote", max_length=400), version="2.0.0")
    out = diff_schemas(SCHEMA, new).to_dict()
    assert json.loads(json.dumps(out)) == {
        "old_version": "1.0.0",
        "new_version": "2.0.0",
        "level": "major",
        "version_bump_ok": True,
        "changes": [
            {
                "level": "major",
                "where": "claims.quote",
                "what": "max_length lowered from 500 to 400",
            }
        ],
    }


# --- versions ----------------------------------------------------------------------------

BUMP_CASES = [
    (Level.NONE, "1.0.0", "1.0.0", True),
    (Level.NONE, "1.0.0", "0.9.0", True),
    (Level.NONE, "1.0.0", "1.0.1", True),
    (Level.PATCH, "1.0.0", "1.0.0", False),
    (Level.PATCH, "1.0.0", "1.0.1", True),
    (Level.PATCH, "1.0.0", "1.1.0", True),
    (Level.PATCH, "1.0.0", "2.0.0", True),
    (Level.PATCH, "1.0.1", "1.0.0", False),
    (Level.PATCH, "1.2.3", "1.1.9", False),
    (Level.MINOR, "1.0.0", "1.0.0", False),
    (Level.MINOR, "1.0.0", "1.0.9", False),
    (Level.MINOR, "1.0.0", "1.1.0", True),
    (Level.MINOR, "1.0.5", "1.1.0", True),
    (Level.MINOR, "1.0.0", "2.0.0", True),
    (Level.MINOR, "2.0.0", "1.5.0", False),
    (Level.MAJOR, "1.0.0", "1.0.0", False),
    (Level.MAJOR, "1.0.0", "1.0.1", False),
    (Level.MAJOR, "1.0.0", "1.9.9", False),
    (Level.MAJOR, "1.0.0", "2.0.0", True),
    (Level.MAJOR, "1.4.2", "2.0.0", True),
    (Level.MAJOR, "1.0.0", "10.0.0", True),
    (Level.MAJOR, "2.0.0", "1.0.0", False),
]


@pytest.mark.parametrize(("level", "old", "new", "ok"), BUMP_CASES)
def test_required_version_bump_ok(level: Level, old: str, new: str, ok: bool) -> None:
    diff = replace(level_of(level), old_version=old, new_version=new)
    assert diff.level is level
    assert diff.required_version_bump_ok is ok


def test_bump_check_on_a_real_diff() -> None:
    new = with_field(SCHEMA, "events", "notes", description="Notes.")
    assert not diff_schemas(SCHEMA, new).required_version_bump_ok
    assert diff_schemas(SCHEMA, replace(new, version="1.0.1")).required_version_bump_ok


@pytest.mark.parametrize(
    "version", ["1.0", "v1.0.0", "1.0.0-rc.1", "1.0.0+build", "01.0.0", "", "1.0.0 ", "a.b.c"]
)
def test_non_semver_versions_are_refused(version: str) -> None:
    with pytest.raises(SchemaDefinitionError, match="semver"):
        parse_schema_version(version)
    with pytest.raises(SchemaDefinitionError):
        diff_schemas(SCHEMA, replace(SCHEMA, version=version))
    with pytest.raises(SchemaDefinitionError):
        _ = replace(level_of(Level.NONE), new_version=version).required_version_bump_ok


def test_parse_version() -> None:
    assert parse_schema_version("0.0.0") == (0, 0, 0)
    assert parse_schema_version("12.3.45") == (12, 3, 45)


# --- property: loosening never needs a MAJOR bump ----------------------------------------

ENUM_FIELDS = [(t.name, f.name) for t in SCHEMA.tables.values() for f in t.fields if f.enum]
MINIMUM_FIELDS = [
    (t.name, f.name) for t in SCHEMA.tables.values() for f in t.fields if f.minimum is not None
]
FIELD_TYPES = ["string", "integer", "number", "boolean", "date", "datetime"]

add_enum_value = st.tuples(st.just("enum"), st.sampled_from(ENUM_FIELDS), st.text(min_size=1))
add_optional_field = st.tuples(
    st.just("field"),
    st.sampled_from(list(SCHEMA.tables)),
    st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True),
    st.sampled_from(FIELD_TYPES),
)
drop_minimum = st.tuples(st.just("minimum"), st.sampled_from(MINIMUM_FIELDS))
loosening_edits = st.lists(st.one_of(add_enum_value, add_optional_field, drop_minimum), max_size=8)


def apply_edit(schema: Schema, edit: tuple[Any, ...]) -> Schema:
    kind = edit[0]
    if kind == "enum":
        (table, field), value = edit[1], edit[2]
        enum = schema.tables[table].field(field).enum
        assert enum is not None
        if value in enum:
            return schema
        return with_field(schema, table, field, enum=(*enum, value))
    if kind == "field":
        table, name, field_type = edit[1], edit[2], edit[3]
        if name in schema.tables[table].field_names:
            return schema
        extra = Field(name=name, type=field_type, description="Added.")
        return with_fields(schema, table, (*schema.tables[table].fields, extra))
    table, field = edit[1]
    return with_field(schema, table, field, minimum=None)


@given(loosening_edits)
def test_loosening_edits_are_never_major(edits: list[tuple[Any, ...]]) -> None:
    edited = SCHEMA
    for edit in edits:
        edited = apply_edit(edited, edit)
    diff = diff_schemas(SCHEMA, edited)
    assert diff.level < Level.MAJOR
    assert diff.level in (Level.NONE, Level.MINOR)
    assert replace(diff, new_version="1.1.0").required_version_bump_ok
    assert diff_schemas(edited, edited).level is Level.NONE
    assert diff_schemas(edited, edited).changes == ()


# --- from disk ---------------------------------------------------------------------------


@pytest.fixture
def schema_copy(tmp_path: Path) -> Path:
    target = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_field_removed_from_yaml_is_major(schema_copy: Path) -> None:
    _edit(
        schema_copy / "claims.yaml",
        "  - name: quote\n"
        "    type: string\n"
        "    description: The passage of the source that carries the claim, verbatim and brief.\n"
        "    constraints: {maxLength: 500}\n",
        "",
    )
    diff = diff_schemas(SCHEMA, load_schema(schema_copy))
    assert diff.level is Level.MAJOR
    assert Change(Level.MAJOR, "claims.quote", "field removed") in diff.changes
    assert not diff.required_version_bump_ok


def test_vocabulary_term_added_in_yaml_is_minor(schema_copy: Path) -> None:
    _edit(
        schema_copy / "vocabularies" / "event_types.yaml",
        "terms:\n",
        "terms:\n  - value: Sieges\n    description: Encirclement of a place.\n",
    )
    _edit(schema_copy / "schema.yaml", "version: 1.0.0", "version: 1.1.0")
    diff = diff_schemas(SCHEMA, load_schema(schema_copy))
    assert diff.level is Level.MINOR
    assert [c.where for c in diff.changes] == ["events.event_type"]
    assert diff.new_version == "1.1.0"
    assert diff.required_version_bump_ok


def test_description_edited_in_yaml_is_patch(schema_copy: Path) -> None:
    _edit(
        schema_copy / "sources.yaml",
        "description: ",
        "description: Edited. ",
    )
    diff = diff_schemas(SCHEMA, load_schema(schema_copy))
    assert diff.level is Level.PATCH
    assert diff.changes
    assert all(c.level is Level.PATCH for c in diff.changes)
