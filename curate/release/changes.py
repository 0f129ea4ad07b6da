"""Record-level differences between two states of a dataset (releases or the store).

Per table: keys added, keys removed (the store never deletes, so only a foreign release
can show these), and keys whose record changed, field by field (old -> new). For events,
a change of status to `retracted` is reported as a retraction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from curate.markup import markdown_code, markdown_text
from curate.schema.model import Schema
from curate.store.records import key_text

__all__ = ["FieldChange", "TableDiff", "diff_table", "diff_tables", "render_changes"]


@dataclass(frozen=True)
class FieldChange:
    """One field of one record: its value before and after."""

    field: str
    old: Any
    new: Any


@dataclass
class TableDiff:
    """What changed in one table."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    revised: dict[str, list[FieldChange]] = field(default_factory=dict)
    retracted: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.revised)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "removed": self.removed,
            "retracted": self.retracted,
            "revised": {
                key: [
                    {"field": c.field, "old": _plain(c.old), "new": _plain(c.new)} for c in changes
                ]
                for key, changes in self.revised.items()
            },
        }


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _sorted_keys(frame: pl.DataFrame, primary: list[str]) -> list[str]:
    return frame.select(key_text(primary)).to_series().sort().to_list()


def diff_tables(
    old: dict[str, pl.DataFrame], new: dict[str, pl.DataFrame], schema: Schema
) -> dict[str, TableDiff]:
    """Differences per table between two sets of typed tables."""
    return {
        name: diff_table(
            name, old.get(name, pl.DataFrame(schema=new[name].schema)), new[name], schema
        )
        for name in schema.table_names
    }


def diff_table(name: str, old: pl.DataFrame, new: pl.DataFrame, schema: Schema) -> TableDiff:
    """Differences between two typed versions of table `name`."""
    table = schema.table(name)
    primary = list(table.primary_key)
    diff = TableDiff()
    before, after = old.select(primary), new.select(primary)
    diff.added = _sorted_keys(after.join(before, on=primary, how="anti"), primary)
    diff.removed = _sorted_keys(before.join(after, on=primary, how="anti"), primary)
    if old.is_empty() or new.is_empty():
        return diff
    fields = [f for f in table.field_names if f not in primary]
    differs = pl.any_horizontal([~pl.col(f).eq_missing(pl.col(f"{f}__new")) for f in fields])
    joined = old.join(new, on=primary, how="inner", suffix="__new").filter(differs)
    for record in joined.with_columns(key_text(primary)).sort("__key").iter_rows(named=True):
        changes = [
            FieldChange(f, record[f], record[f"{f}__new"])
            for f in fields
            if record[f] != record[f"{f}__new"]
        ]
        diff.revised[record["__key"]] = changes
        if (
            name == "events"
            and record["status__new"] == "retracted"
            and record["status"] != "retracted"
        ):
            diff.retracted.append(record["__key"])
    return diff


def render_changes(diffs: dict[str, TableDiff], title: str) -> str:
    """The differences as Markdown, record by record and field by field. Keys are code,
    values their Python repr as escaped text (`curate.markup`): a record's value shows as
    written, never as HTML, a link or an image."""
    lines = [f"# {markdown_text(title)}", ""]
    if all(d.empty for d in diffs.values()):
        return "\n".join([*lines, "No records changed.", ""])
    for name, diff in diffs.items():
        if diff.empty:
            continue
        lines += [f"## {markdown_text(name)}", ""]
        if diff.added:
            lines.append(f"Added ({len(diff.added)}): " + ", ".join(map(markdown_code, diff.added)))
        if diff.retracted:
            lines.append(
                f"Retracted ({len(diff.retracted)}): "
                + ", ".join(map(markdown_code, diff.retracted))
            )
        if diff.removed:
            lines.append(
                f"Removed ({len(diff.removed)}): " + ", ".join(map(markdown_code, diff.removed))
            )
        if diff.revised:
            lines += [*([""] if lines[-1] else []), f"Revised ({len(diff.revised)}):", ""]
            for key, changes in diff.revised.items():
                lines.append(f"- {markdown_code(key)}")
                lines += [
                    f"  - {markdown_text(c.field)}: {markdown_text(repr(_plain(c.old)))} → "
                    f"{markdown_text(repr(_plain(c.new)))}"
                    for c in changes
                ]
        lines.append("")
    return "\n".join(lines)
