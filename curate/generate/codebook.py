"""A Markdown codebook for researchers: fields, types, constraints, vocabularies, rules."""

from __future__ import annotations

import re

from curate.markup import markdown_code, markdown_text
from curate.schema.model import Field, Schema, Table, Vocabulary

__all__ = ["codebook", "render"]

_TYPE_NOTES = {
    "string": "string",
    "integer": "integer (int64)",
    "number": "number (float64)",
    "boolean": "boolean",
    "date": "date (ISO 8601; Parquet date32)",
    "datetime": "datetime (ISO 8601 with offset; Parquet timestamp[us, UTC])",
}


def _cell(text: str) -> str:
    """Schema text in a table cell: one line, rendered as written (`markdown_text`)."""
    return markdown_text(" ".join(text.splitlines()))


def _code(text: str) -> str:
    """A name, value or expression in a table cell, as code."""
    return markdown_code(" ".join(text.splitlines()), in_table=True)


def _anchor(name: str) -> str:
    """The id a Markdown renderer gives a heading of `name` (letters, digits, hyphens)."""
    return re.sub("[^a-z0-9-]", "", name.lower().replace("_", "-"))


def _paragraph(text: str) -> str:
    """A description on lines of its own, rendered as written."""
    return markdown_text(" ".join(text.splitlines()), block=True)


def _constraints(f: Field) -> str:
    parts = []
    if f.unique:
        parts.append("unique")
    if f.minimum is not None:
        parts.append(f"≥ {f.minimum}")
    if f.maximum is not None:
        parts.append(f"≤ {f.maximum}")
    if f.max_length is not None:
        parts.append(f"≤ {f.max_length} characters")
    if f.pattern is not None:
        parts.append(f"pattern {_code(f.pattern)}")
    if f.vocabulary is not None:
        anchor = _anchor(f"vocabulary-{f.vocabulary}")
        parts.append(f"one of [{markdown_text(f.vocabulary)}](#{anchor})")
    return "; ".join(parts)


def _table_section(table: Table) -> list[str]:
    lines = [f"## Table {markdown_code(table.name)}", "", _paragraph(table.description), ""]
    lines.append(f"Primary key: {markdown_code(', '.join(table.primary_key))}.")
    for fk in table.foreign_keys:
        referenced = f"{fk.table}.{', '.join(fk.reference_fields)}"
        lines.append(
            f"Foreign key: {markdown_code(', '.join(fk.fields))} → {markdown_code(referenced)}."
        )
    lines += [
        "",
        "| field | type | required | constraints | description |",
        "| --- | --- | --- | --- | --- |",
    ]
    for f in table.fields:
        required = "yes" if f.required else "no"
        lines.append(
            f"| {_code(f.name)} | {_TYPE_NOTES[f.type]} | {required} "
            f"| {_constraints(f)} | {_cell(f.description)} |"
        )
    return [*lines, ""]


def _vocabulary_section(vocabulary: Vocabulary) -> list[str]:
    lines = [
        f"### Vocabulary {markdown_code(vocabulary.name)}",
        "",
        _paragraph(vocabulary.description),
        "",
    ]
    listed = [t for t in vocabulary.terms if not t.generated]
    if vocabulary.source is not None:
        generated = len(vocabulary.terms) - len(listed)
        source = markdown_code(vocabulary.source)
        lines += [f"{generated} values generated from {source}, and these added:", ""]
    has_parent = any(t.parent for t in listed)
    header = "| value | belongs to | meaning |" if has_parent else "| value | meaning |"
    lines += [header, "| --- | --- | --- |" if has_parent else "| --- | --- |"]
    for term in listed:
        parent = f" {_cell(term.parent or '')} |" if has_parent else ""
        lines.append(f"| {_code(term.value)} |{parent} {_cell(term.description)} |")
    return [*lines, ""]


def codebook(schema: Schema) -> str:
    """The whole codebook as Markdown."""
    lines = [
        f"# Codebook: {markdown_text(schema.title)}",
        "",
        f"Schema {markdown_code(schema.name)} version {markdown_text(str(schema.version))}.",
        "",
        _paragraph(schema.description),
        "",
        "An empty value means unknown; it never means zero.",
        "",
    ]
    for table in schema.tables.values():
        lines += _table_section(table)
    lines += ["## Vocabularies", ""]
    for vocabulary in schema.vocabularies.values():
        lines += _vocabulary_section(vocabulary)
    lines += [
        "## Rules",
        "",
        "Checks across fields, as SQL. A row rule fails where its expression is false "
        "(unknown values pass); a dataset rule lists the offending rows. Errors make the "
        "data invalid; warnings ask for a second look.",
        "",
        "| code | table | severity | meaning | SQL |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in schema.row_rules:
        lines.append(
            f"| {_code(rule.code)} | {_cell(rule.table)} | {rule.severity} "
            f"| {_cell(rule.message)} | {_code(rule.check)} |"
        )
    for dataset_rule in schema.dataset_rules:
        lines.append(
            f"| {_code(dataset_rule.code)} | {_cell(dataset_rule.table)} "
            f"| {dataset_rule.severity} | {_cell(dataset_rule.message)} "
            f"| {_code(dataset_rule.query)} |"
        )
    return "\n".join(lines) + "\n"


def render(schema: Schema, tables: tuple[Table, ...]) -> str:
    """The codebook; for a subset of tables, only their sections and rules."""
    if set(tables) == set(schema.tables.values()):
        return codebook(schema)
    names = {t.name for t in tables}
    subset = type(schema)(
        name=schema.name,
        title=schema.title,
        version=schema.version,
        description=schema.description,
        tables={t.name: t for t in tables},
        row_rules=tuple(r for r in schema.row_rules if r.table in names),
        dataset_rules=tuple(r for r in schema.dataset_rules if r.table in names),
        vocabularies={
            n: v
            for n, v in schema.vocabularies.items()
            if any(f.vocabulary == n for t in tables for f in t.fields)
        },
    )
    return codebook(subset)
