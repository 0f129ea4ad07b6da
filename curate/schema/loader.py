"""Load the canonical schema (the YAML files in schema/) into the typed model.

The files are found with importlib.resources in an installed wheel (packaged as
``curate/_schema``) and in the repository's ``schema/`` directory in a checkout: one
source of truth, never a copy to keep in sync. Every file is read within bounds
(`curate.schema.smallfiles`) and checked for consistency before a `Schema` is built.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, cast, get_args

from curate.errors import SchemaDefinitionError
from curate.schema.model import (
    DatasetRule,
    Field,
    FieldType,
    ForeignKey,
    RowRule,
    Schema,
    Severity,
    Table,
    Term,
    Vocabulary,
)
from curate.schema.smallfiles import read_yaml_mapping

__all__ = ["default_schema_dir", "load_schema"]


def default_schema_dir() -> Path:
    """The schema shipped with curate: inside the wheel, or schema/ in a checkout."""
    packaged = resources.files("curate") / "_schema"
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[2] / "schema"
    if (checkout / "schema.yaml").is_file():
        return checkout
    raise SchemaDefinitionError("curate's schema files are missing from this installation")


@functools.cache
def _load_default() -> Schema:
    return _load(default_schema_dir())


def load_schema(path: Path | str | None = None) -> Schema:
    """Load a schema from a directory (or its schema.yaml); the shipped one by default."""
    if path is None:
        return _load_default()
    location = Path(path)
    return _load(location.parent if location.is_file() else location)


def _read_yaml(path: Path) -> dict[str, Any]:
    return read_yaml_mapping(path, what="schema file", error=SchemaDefinitionError)


@contextlib.contextmanager
def _parsing(path: Path) -> Iterator[None]:
    """A schema file whose values have the wrong shape (a number where a list belongs,
    a list where a mapping does) is a `SchemaDefinitionError` naming the file."""
    try:
        yield
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        raise SchemaDefinitionError(
            f"schema file {path} is malformed: a value has the wrong type or shape ({exc!r})"
        ) from None


def _part(directory: Path, name: object, what: str) -> Path:
    """A file or directory that schema.yaml names: a plain relative name inside the
    schema's directory."""
    text = str(name)
    if not text or text.startswith(("/", "\\")) or ".." in Path(text).parts or "\x00" in text:
        raise SchemaDefinitionError(
            f"schema file {directory / 'schema.yaml'}: {what} {text!r} must be a relative "
            "name inside the schema's directory"
        )
    return directory / text


def _require(mapping: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in mapping:
        raise SchemaDefinitionError(f"{where}: missing {key!r}")
    return mapping[key]


def _load(directory: Path) -> Schema:
    top_path = directory / "schema.yaml"
    top = _read_yaml(top_path)
    with _parsing(top_path):
        vocabularies_at = _part(directory, top.get("vocabularies", "vocabularies"), "vocabularies")
        names = _require(top, "tables", str(top_path))
        if not isinstance(names, list):
            raise TypeError("'tables' must be a list of file names")
        table_files = [_part(directory, name, "table file") for name in names]
        rules_path = _part(directory, top.get("rules", "rules.yaml"), "rules file")
    vocabularies = _load_vocabularies(vocabularies_at)
    tables: dict[str, Table] = {}
    for path in table_files:
        raw_table = _read_yaml(path)
        with _parsing(path):
            table = _parse_table(raw_table, vocabularies, path.name)
        tables[table.name] = table
    rules = _read_yaml(rules_path)
    with _parsing(rules_path):
        row_rules = tuple(_parse_row_rule(raw) for raw in rules.get("row_rules", []))
        dataset_rules = tuple(_parse_dataset_rule(raw) for raw in rules.get("dataset_rules", []))
    with _parsing(top_path):
        schema = Schema(
            name=str(_require(top, "name", str(top_path))),
            title=str(top.get("title", "")),
            version=str(_require(top, "version", str(top_path))),
            description=str(top.get("description", "")).strip(),
            tables=tables,
            row_rules=row_rules,
            dataset_rules=dataset_rules,
            vocabularies=vocabularies,
            path=directory,
        )
    _check_consistency(schema)
    return schema


def _load_vocabularies(directory: Path) -> dict[str, Vocabulary]:
    if not directory.is_dir():
        raise SchemaDefinitionError(f"vocabulary directory {directory} is missing")
    vocabularies: dict[str, Vocabulary] = {}
    for path in sorted(directory.glob("*.yaml")):
        raw = _read_yaml(path)
        with _parsing(path):
            vocabularies.update([_parse_vocabulary(raw, path)])
    return vocabularies


def _parse_vocabulary(raw: Mapping[str, Any], path: Path) -> tuple[str, Vocabulary]:
    where = f"vocabularies/{path.name}"
    terms = [
        Term(
            value=str(_require(t, "value", where)),
            description=str(t.get("description", "")).strip(),
            parent=None if t.get("parent") is None else str(t["parent"]),
        )
        for t in raw.get("terms", [])
    ]
    source = raw.get("source")
    if source is not None:
        terms = _generated_terms(str(source), where) + terms
    name = str(_require(raw, "name", where))
    vocabulary = Vocabulary(
        name=name,
        description=str(raw.get("description", "")).strip(),
        terms=tuple(terms),
        source=None if source is None else str(source),
    )
    return name, vocabulary


def _generated_terms(source: str, where: str) -> list[Term]:
    """Terms that come from a library rather than a hand-typed list."""
    if source == "pycountry.countries.alpha_3":
        import pycountry

        return sorted(
            (
                Term(value=c.alpha_3, description=c.name, generated=True)
                for c in pycountry.countries
            ),
            key=lambda term: term.value,
        )
    raise SchemaDefinitionError(f"{where}: unknown vocabulary source {source!r}")


_FIELD_TYPES = frozenset(get_args(FieldType))


_KNOWN_CONSTRAINTS = frozenset({"required", "unique", "pattern", "minimum", "maximum", "maxLength"})


def _parse_table(
    raw: Mapping[str, Any], vocabularies: Mapping[str, Vocabulary], where: str
) -> Table:
    name = str(_require(raw, "name", where))
    fields = tuple(
        _parse_field(f, vocabularies, f"{where}: field") for f in _require(raw, "fields", where)
    )
    foreign_keys = tuple(
        ForeignKey(
            fields=tuple(fk["fields"]),
            table=str(fk["reference"]["resource"] or name),
            reference_fields=tuple(fk["reference"]["fields"]),
        )
        for fk in raw.get("foreignKeys", [])
    )
    return Table(
        name=name,
        title=str(raw.get("title", name)),
        description=str(raw.get("description", "")).strip(),
        fields=fields,
        primary_key=tuple(_require(raw, "primaryKey", where)),
        foreign_keys=foreign_keys,
    )


def _parse_field(
    raw: Mapping[str, Any], vocabularies: Mapping[str, Vocabulary], where: str
) -> Field:
    name = str(_require(raw, "name", where))
    where = f"{where} {name!r}"
    field_type = str(_require(raw, "type", where))
    if field_type not in _FIELD_TYPES:
        raise SchemaDefinitionError(f"{where}: unsupported type {field_type!r}")
    constraints: Mapping[str, Any] = raw.get("constraints") or {}
    unknown = set(constraints) - _KNOWN_CONSTRAINTS
    if unknown:
        raise SchemaDefinitionError(f"{where}: unsupported constraints {sorted(unknown)}")
    vocabulary = raw.get("vocabulary")
    enum: tuple[str, ...] | None = None
    if vocabulary is not None:
        if vocabulary not in vocabularies:
            raise SchemaDefinitionError(f"{where}: unknown vocabulary {vocabulary!r}")
        enum = vocabularies[vocabulary].values
    return Field(
        name=name,
        type=cast(FieldType, field_type),
        description=" ".join(str(_require(raw, "description", where)).split()),
        required=bool(constraints.get("required", False)),
        unique=bool(constraints.get("unique", False)),
        pattern=constraints.get("pattern"),
        minimum=constraints.get("minimum"),
        maximum=constraints.get("maximum"),
        max_length=constraints.get("maxLength"),
        string_format=raw.get("format"),
        vocabulary=vocabulary,
        enum=enum,
    )


def _severity(raw: Mapping[str, Any], where: str) -> Severity:
    severity = raw.get("severity", "error")
    if severity not in ("error", "warning"):
        raise SchemaDefinitionError(f"{where}: severity must be error or warning")
    return cast(Severity, severity)


def _parse_row_rule(raw: Mapping[str, Any]) -> RowRule:
    where = f"rules.yaml row rule {raw.get('id')!r}"
    return RowRule(
        id=str(_require(raw, "id", where)),
        table=str(_require(raw, "table", where)),
        severity=_severity(raw, where),
        message=" ".join(str(_require(raw, "message", where)).split()),
        fields=tuple(_require(raw, "fields", where)),
        check=" ".join(str(_require(raw, "check", where)).split()),
    )


def _parse_dataset_rule(raw: Mapping[str, Any]) -> DatasetRule:
    where = f"rules.yaml dataset rule {raw.get('id')!r}"
    return DatasetRule(
        id=str(_require(raw, "id", where)),
        table=str(_require(raw, "table", where)),
        severity=_severity(raw, where),
        message=" ".join(str(_require(raw, "message", where)).split()),
        query=" ".join(str(_require(raw, "query", where)).split()),
    )


def _check_consistency(schema: Schema) -> None:
    """Refuse a schema whose parts point at things that do not exist."""
    for table in schema.tables.values():
        names = set(table.field_names)
        if len(names) != len(table.fields):
            raise SchemaDefinitionError(f"table {table.name!r} repeats a field name")
        for key in table.primary_key:
            if key not in names:
                raise SchemaDefinitionError(
                    f"table {table.name!r}: primary key {key!r} is not a field"
                )
        for fk in table.foreign_keys:
            target = schema.tables.get(fk.table)
            if target is None or not set(fk.reference_fields) <= set(target.field_names):
                raise SchemaDefinitionError(
                    f"table {table.name!r}: foreign key to unknown {fk.table!r}"
                )
            if not set(fk.fields) <= names:
                raise SchemaDefinitionError(f"table {table.name!r}: foreign key on unknown fields")
    seen: set[str] = set()
    rules: tuple[RowRule | DatasetRule, ...] = (*schema.row_rules, *schema.dataset_rules)
    for rule in rules:
        if rule.id in seen:
            raise SchemaDefinitionError(f"rule id {rule.id!r} is used twice")
        seen.add(rule.id)
        if rule.table not in schema.tables:
            raise SchemaDefinitionError(f"rule {rule.id!r}: unknown table {rule.table!r}")
    for row_rule in schema.row_rules:
        unknown = set(row_rule.fields) - set(schema.tables[row_rule.table].field_names)
        if unknown:
            raise SchemaDefinitionError(f"rule {row_rule.id!r}: unknown fields {sorted(unknown)}")
