"""Load the canonical schema (the YAML files in schema/) into a typed, immutable model.

The files are found with importlib.resources in an installed wheel (packaged as
``curate/_schema``) and in the repository's ``schema/`` directory in a checkout: one
source of truth, never a copy to keep in sync.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from curate.errors import UnknownTableError

__all__ = [
    "DatasetRule",
    "Field",
    "FieldType",
    "ForeignKey",
    "RowRule",
    "Schema",
    "Severity",
    "Table",
    "Term",
    "Vocabulary",
]


FieldType = Literal["string", "integer", "number", "boolean", "date", "datetime"]


Severity = Literal["error", "warning"]


Number = int | float


@dataclass(frozen=True, slots=True)
class Term:
    """One allowed value of a vocabulary, with its meaning (and parent, for sub-types)."""

    value: str
    description: str
    parent: str | None = None
    generated: bool = False


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """A controlled list of values; `source` names where generated terms come from."""

    name: str
    description: str
    terms: tuple[Term, ...]
    source: str | None = None

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(term.value for term in self.terms)


@dataclass(frozen=True, slots=True)
class Field:
    """One column of a table, with its field-level constraints."""

    name: str
    type: FieldType
    description: str
    required: bool = False
    unique: bool = False
    pattern: str | None = None
    minimum: Number | None = None
    maximum: Number | None = None
    max_length: int | None = None
    string_format: str | None = None  # the Table Schema's `format` of a string ("uri")
    vocabulary: str | None = None
    enum: tuple[str, ...] | None = None

    def value_constraints(self) -> dict[str, Any]:
        """The constraints on a value, keyed as the Table Schema and JSON Schema both
        name them (`pattern`, `minimum`, `maximum`, `maxLength`): those the field has."""
        given = {
            "pattern": self.pattern,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "maxLength": self.max_length,
        }
        return {key: value for key, value in given.items() if value is not None}

    def range_text(self) -> str:
        """The numeric bounds as words ("must be between 0 and 1"), for messages."""
        if self.minimum is not None and self.maximum is not None:
            return f"must be between {self.minimum} and {self.maximum}"
        if self.minimum is not None:
            return f"must be at least {self.minimum}"
        return f"must be at most {self.maximum}"


@dataclass(frozen=True, slots=True)
class ForeignKey:
    """`fields` of this table must match `reference_fields` of an existing row of `table`."""

    fields: tuple[str, ...]
    table: str
    reference_fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """One table of the schema: its fields in order, primary key and foreign keys."""

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(f"table {self.name!r} has no field {name!r}")


@dataclass(frozen=True, slots=True)
class RowRule:
    """A check over one row, as a SQL boolean expression (NULL passes, as in SQL CHECK)."""

    id: str
    table: str
    severity: Severity
    message: str
    fields: tuple[str, ...]
    check: str

    @property
    def code(self) -> str:
        return f"rule:{self.id}"


@dataclass(frozen=True, slots=True)
class DatasetRule:
    """A check across tables, as a SQL query returning the primary keys of offending rows."""

    id: str
    table: str
    severity: Severity
    message: str
    query: str

    @property
    def code(self) -> str:
        return f"rule:{self.id}"


@dataclass(frozen=True)
class Schema:
    """The whole canonical schema: tables, rules and vocabularies."""

    name: str
    title: str
    version: str
    description: str
    tables: Mapping[str, Table]
    row_rules: tuple[RowRule, ...]
    dataset_rules: tuple[DatasetRule, ...]
    vocabularies: Mapping[str, Vocabulary]
    path: Path | None = field(default=None, compare=False)

    def __hash__(self) -> int:
        # Equal schemas hash alike; the mappings themselves are not hashable.
        return hash((self.name, self.version, tuple(self.tables)))

    @property
    def table_names(self) -> tuple[str, ...]:
        return tuple(self.tables)

    def table(self, name: str) -> Table:
        try:
            return self.tables[name]
        except KeyError:
            raise UnknownTableError(name, self.table_names) from None

    def row_rules_for(self, table: str) -> tuple[RowRule, ...]:
        return tuple(rule for rule in self.row_rules if rule.table == table)

    def dataset_rules_for(self, table: str) -> tuple[DatasetRule, ...]:
        return tuple(rule for rule in self.dataset_rules if rule.table == table)
