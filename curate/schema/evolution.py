"""Compare two versions of the schema and say which semver bump the difference needs.

DESIGN.md "Evolution": removing or renaming a field, changing a type, tightening a
constraint or removing an enum value is MAJOR; a new optional field or enum value is
MINOR; a change to descriptions only is PATCH. `diff_schemas` lists every difference as a
`Change` with its level, and `SchemaDiff.required_version_bump_ok` tells whether the new
schema's version was raised enough.

Levels of the changes that DESIGN.md leaves open, chosen so that a consumer who relies on
the old schema is never surprised by a smaller bump than the change needs:

* the schema's name changed: MAJOR (a data package names its schema); title or
  description: PATCH; table or field order: PATCH;
* a field's ``format`` added or changed: MAJOR, removed: MINOR (like ``pattern``);
* a field's enum constraint added as a whole: MAJOR, removed: MINOR; the same enum
  values in another order, or another vocabulary name with the same values: PATCH;
* a rule moved to another table or between row and dataset rules: MAJOR; the fields a
  row rule names for reports: PATCH; rule order: PATCH;
* a vocabulary added: MINOR, removed: MAJOR (a vocabulary that a field still used could
  not be removed, the field's enum change is reported on the field); its description,
  source, or a term's description or parent: PATCH. Terms added or removed are reported
  through the enum of each field that uses the vocabulary, not again on the vocabulary.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from curate.errors import SchemaDefinitionError
from curate.schema import semver
from curate.schema.model import DatasetRule, Field, ForeignKey, RowRule, Schema, Table, Vocabulary
from curate.schema.semver import Version

__all__ = [
    "Change",
    "Level",
    "SchemaDiff",
    "diff_schemas",
    "parse_schema_version",
]

_LISTED_VALUES = 5


class Level(enum.IntEnum):
    """How much a change breaks: the semver component it requires to be raised."""

    NONE = 0
    PATCH = 1
    MINOR = 2
    MAJOR = 3

    def __str__(self) -> str:
        return self.name.lower()

    def __format__(self, format_spec: str) -> str:
        return format(str(self), format_spec)


@dataclass(frozen=True)
class Change:
    """One difference between two schemas: its level, where it is and what it is."""

    level: Level
    where: str
    what: str


@dataclass(frozen=True)
class SchemaDiff:
    """Every difference from the old schema to the new one, in a deterministic order."""

    old_version: str
    new_version: str
    changes: tuple[Change, ...]

    @property
    def level(self) -> Level:
        """The highest level of any change; NONE when the schemas are the same."""
        return max((change.level for change in self.changes), default=Level.NONE)

    @property
    def required_version_bump_ok(self) -> bool:
        """Whether new_version is above old_version by at least `level`."""
        old = parse_schema_version(self.old_version)
        new = parse_schema_version(self.new_version)
        level = self.level
        if level is Level.MAJOR:
            return new[0] > old[0]
        if level is Level.MINOR:
            return new[:2] > old[:2]
        if level is Level.PATCH:
            return new > old
        return True

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary of the diff."""
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "level": str(self.level),
            "version_bump_ok": self.required_version_bump_ok,
            "changes": [
                {"level": str(change.level), "where": change.where, "what": change.what}
                for change in self.changes
            ],
        }


def parse_schema_version(version: str) -> Version:
    """A schema's semver ``X.Y.Z`` (`curate.schema.semver`); anything else is a
    SchemaDefinitionError."""
    return semver.parse(version, what="schema version", error=SchemaDefinitionError)


def diff_schemas(old: Schema, new: Schema) -> SchemaDiff:
    """List the changes from `old` to `new`, each with the semver level it requires.

    Order: the schema's own attributes, then each table (old order, added tables last) with
    its attributes and fields (old order, added fields last), then rules, then vocabularies.
    """
    parse_schema_version(old.version)
    parse_schema_version(new.version)
    changes = [
        *_diff_schema_attributes(old, new),
        *_diff_tables(old, new),
        *_diff_rules(old, new),
        *_diff_vocabularies(old, new),
    ]
    return SchemaDiff(old_version=old.version, new_version=new.version, changes=tuple(changes))


# --- schema and tables -------------------------------------------------------------------


def _diff_schema_attributes(old: Schema, new: Schema) -> Iterator[Change]:
    if old.name != new.name:
        yield Change(Level.MAJOR, "schema", f"name changed from {old.name!r} to {new.name!r}")
    if old.title != new.title:
        yield Change(Level.PATCH, "schema", "title changed")
    if old.description != new.description:
        yield Change(Level.PATCH, "schema", "description changed")


def _diff_tables(old: Schema, new: Schema) -> Iterator[Change]:
    for name, old_table in old.tables.items():
        new_table = new.tables.get(name)
        if new_table is None:
            yield Change(Level.MAJOR, name, "table removed")
        else:
            yield from _diff_table(old_table, new_table)
    for name in new.tables:
        if name not in old.tables:
            yield Change(Level.MINOR, name, "table added")
    if _order_changed(tuple(old.tables), tuple(new.tables)):
        yield Change(Level.PATCH, "schema", "table order changed")


def _diff_table(old: Table, new: Table) -> Iterator[Change]:
    where = old.name
    if old.title != new.title:
        yield Change(Level.PATCH, where, "title changed")
    if old.description != new.description:
        yield Change(Level.PATCH, where, "description changed")
    if old.primary_key != new.primary_key:
        yield Change(
            Level.MAJOR,
            where,
            f"primary key changed from {_names(old.primary_key)} to {_names(new.primary_key)}",
        )
    for fk in old.foreign_keys:
        if fk not in new.foreign_keys:
            yield Change(Level.MINOR, where, f"foreign key {_foreign_key(fk)} removed")
    for fk in new.foreign_keys:
        if fk not in old.foreign_keys:
            yield Change(Level.MAJOR, where, f"foreign key {_foreign_key(fk)} added")
    new_fields = {f.name: f for f in new.fields}
    for old_field in old.fields:
        new_field = new_fields.get(old_field.name)
        if new_field is None:
            yield Change(Level.MAJOR, f"{where}.{old_field.name}", "field removed")
        else:
            yield from _diff_field(f"{where}.{old_field.name}", old_field, new_field)
    old_names = set(old.field_names)
    for new_field in new.fields:
        if new_field.name not in old_names:
            if new_field.required:
                yield Change(Level.MAJOR, f"{where}.{new_field.name}", "required field added")
            else:
                yield Change(Level.MINOR, f"{where}.{new_field.name}", "optional field added")
    if _order_changed(old.field_names, new.field_names):
        yield Change(Level.PATCH, where, "field order changed")


def _diff_field(where: str, old: Field, new: Field) -> Iterator[Change]:
    if old.type != new.type:
        yield Change(Level.MAJOR, where, f"type changed from {old.type} to {new.type}")
    yield from _diff_flag(where, "required", old.required, new.required)
    yield from _diff_flag(where, "unique", old.unique, new.unique)
    yield from _diff_text_constraint(where, "pattern", old.pattern, new.pattern)
    yield from _diff_text_constraint(where, "format", old.string_format, new.string_format)
    yield from _diff_bound(where, "minimum", old.minimum, new.minimum, lower_bound=True)
    yield from _diff_bound(where, "maximum", old.maximum, new.maximum, lower_bound=False)
    yield from _diff_bound(where, "max_length", old.max_length, new.max_length, lower_bound=False)
    yield from _diff_enum(where, old.enum, new.enum)
    if old.vocabulary != new.vocabulary:
        yield Change(
            Level.PATCH, where, f"vocabulary changed from {old.vocabulary} to {new.vocabulary}"
        )
    if old.description != new.description:
        yield Change(Level.PATCH, where, "description changed")


def _diff_flag(where: str, name: str, old: bool, new: bool) -> Iterator[Change]:
    if not old and new:
        yield Change(Level.MAJOR, where, f"{name} changed from false to true")
    elif old and not new:
        yield Change(Level.MINOR, where, f"{name} changed from true to false")


def _diff_text_constraint(
    where: str, name: str, old: str | None, new: str | None
) -> Iterator[Change]:
    if old == new:
        return
    if old is None:
        yield Change(Level.MAJOR, where, f"{name} {new!r} added")
    elif new is None:
        yield Change(Level.MINOR, where, f"{name} {old!r} removed")
    else:
        yield Change(Level.MAJOR, where, f"{name} changed from {old!r} to {new!r}")


def _diff_bound(
    where: str, name: str, old: float | None, new: float | None, *, lower_bound: bool
) -> Iterator[Change]:
    """A lower bound tightens when raised, an upper bound when lowered; adding one tightens."""
    if old == new:
        return
    if old is None:
        yield Change(Level.MAJOR, where, f"{name} {new} added")
    elif new is None:
        yield Change(Level.MINOR, where, f"{name} {old} removed")
    else:
        raised = new > old
        tightened = raised if lower_bound else not raised
        verb = "raised" if raised else "lowered"
        level = Level.MAJOR if tightened else Level.MINOR
        yield Change(level, where, f"{name} {verb} from {old} to {new}")


def _diff_enum(
    where: str, old: tuple[str, ...] | None, new: tuple[str, ...] | None
) -> Iterator[Change]:
    if old == new:
        return
    if old is None:
        yield Change(Level.MAJOR, where, "enum constraint added")
        return
    if new is None:
        yield Change(Level.MINOR, where, "enum constraint removed")
        return
    new_set = set(new)
    old_set = set(old)
    removed = [value for value in old if value not in new_set]
    added = [value for value in new if value not in old_set]
    if removed:
        yield Change(Level.MAJOR, where, f"enum {_plural(removed)} removed: {_values(removed)}")
    if added:
        yield Change(Level.MINOR, where, f"enum {_plural(added)} added: {_values(added)}")
    if not removed and not added:
        yield Change(Level.PATCH, where, "enum value order changed")


# --- rules -------------------------------------------------------------------------------

_Rule: TypeAlias = RowRule | DatasetRule


def _diff_rules(old: Schema, new: Schema) -> Iterator[Change]:
    old_rules = _rules_by_id(old)
    new_rules = _rules_by_id(new)
    for rule_id, old_rule in old_rules.items():
        new_rule = new_rules.get(rule_id)
        if new_rule is None:
            yield Change(Level.MINOR, old_rule.code, "rule removed")
        else:
            yield from _diff_rule(old_rule, new_rule)
    for rule_id, new_rule in new_rules.items():
        if rule_id not in old_rules:
            level = Level.MAJOR if new_rule.severity == "error" else Level.MINOR
            what = f"{_kind(new_rule)} added with severity {new_rule.severity}"
            yield Change(level, new_rule.code, what)
    for kind, old_ids, new_ids in (
        ("row rule", [r.id for r in old.row_rules], [r.id for r in new.row_rules]),
        ("dataset rule", [r.id for r in old.dataset_rules], [r.id for r in new.dataset_rules]),
    ):
        if _order_changed(tuple(old_ids), tuple(new_ids)):
            yield Change(Level.PATCH, "rules", f"{kind} order changed")


def _rules_by_id(schema: Schema) -> dict[str, _Rule]:
    rules: dict[str, _Rule] = {rule.id: rule for rule in schema.row_rules}
    rules.update((rule.id, rule) for rule in schema.dataset_rules)
    return rules


def _diff_rule(old: _Rule, new: _Rule) -> Iterator[Change]:
    where = old.code
    if type(old) is not type(new):
        yield Change(Level.MAJOR, where, f"changed from a {_kind(old)} to a {_kind(new)}")
    if old.table != new.table:
        yield Change(Level.MAJOR, where, f"table changed from {old.table} to {new.table}")
    if _rule_text(old) != _rule_text(new):
        yield Change(Level.MAJOR, where, f"{_text_name(new)} changed")
    if old.severity != new.severity:
        level = Level.MAJOR if new.severity == "error" else Level.MINOR
        yield Change(level, where, f"severity changed from {old.severity} to {new.severity}")
    if old.message != new.message:
        yield Change(Level.PATCH, where, "message changed")
    if isinstance(old, RowRule) and isinstance(new, RowRule) and old.fields != new.fields:
        yield Change(
            Level.PATCH,
            where,
            f"fields changed from {_names(old.fields)} to {_names(new.fields)}",
        )


def _kind(rule: _Rule) -> str:
    return "row rule" if isinstance(rule, RowRule) else "dataset rule"


def _rule_text(rule: _Rule) -> str:
    return rule.check if isinstance(rule, RowRule) else rule.query


def _text_name(rule: _Rule) -> str:
    return "check" if isinstance(rule, RowRule) else "query"


# --- vocabularies ------------------------------------------------------------------------


def _diff_vocabularies(old: Schema, new: Schema) -> Iterator[Change]:
    for name, old_vocabulary in old.vocabularies.items():
        new_vocabulary = new.vocabularies.get(name)
        if new_vocabulary is None:
            yield Change(Level.MAJOR, f"vocabulary {name}", "vocabulary removed")
        else:
            yield from _diff_vocabulary(old_vocabulary, new_vocabulary)
    for name in new.vocabularies:
        if name not in old.vocabularies:
            yield Change(Level.MINOR, f"vocabulary {name}", "vocabulary added")


def _diff_vocabulary(old: Vocabulary, new: Vocabulary) -> Iterator[Change]:
    where = f"vocabulary {old.name}"
    if old.description != new.description:
        yield Change(Level.PATCH, where, "description changed")
    if old.source != new.source:
        yield Change(Level.PATCH, where, f"source changed from {old.source} to {new.source}")
    new_terms = {term.value: term for term in new.terms}
    for old_term in old.terms:
        new_term = new_terms.get(old_term.value)
        if new_term is None:
            continue  # reported through the enum of each field that uses the vocabulary
        if old_term.description != new_term.description:
            yield Change(Level.PATCH, where, f"description of term {old_term.value!r} changed")
        if old_term.parent != new_term.parent:
            yield Change(
                Level.PATCH,
                where,
                f"parent of term {old_term.value!r} changed "
                f"from {old_term.parent!r} to {new_term.parent!r}",
            )


# --- helpers -----------------------------------------------------------------------------


def _order_changed(old: Sequence[str], new: Sequence[str]) -> bool:
    """Whether the names present in both sequences come in a different relative order."""
    common = set(old) & set(new)
    return [n for n in old if n in common] != [n for n in new if n in common]


def _names(names: Sequence[str]) -> str:
    return "(" + ", ".join(names) + ")"


def _foreign_key(fk: ForeignKey) -> str:
    return f"{_names(fk.fields)} -> {fk.table}{_names(fk.reference_fields)}"


def _plural(values: Sequence[str]) -> str:
    return "value" if len(values) == 1 else "values"


def _values(values: Sequence[str]) -> str:
    shown = ", ".join(repr(v) for v in values[:_LISTED_VALUES])
    rest = len(values) - _LISTED_VALUES
    return f"{shown} and {rest} more" if rest > 0 else shown
