"""The source dataset's own values, kept as the last line of an event's notes.

An export has columns the schema has no field for (ACLED's region, admin3, associated
actors, source scale, timestamp; UCDP's conflict, dyad and side ids, deaths per side, ...)
and values that our fields hold only in another form (a label where we hold a code, a
date that a week-precise event's span no longer shows). Nothing of it is dropped: it
ends the notes as one line of JSON, after a blank line,

    ACLED fields: {"region":"Middle East","admin3":"Jarablus","source_scale":"National"}

which people can read and `curate export acled` reads back. Members whose value is
missing are left out; an event with no such value has no such line.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

__all__ = [
    "json_member",
    "json_members",
    "split_fields_line",
    "with_fields_line",
]


# A character that JSON writes escaped inside a string: a quote, a backslash, a control.
_ESCAPED = r'["\\\x00-\x1f]'


def json_member(name: str, value: pl.Expr) -> pl.Expr:
    """`"name":"value"` as JSON text (the value escaped as JSON), null where value is."""
    encoded = pl.struct(value.cast(pl.String).alias(name)).struct.json_encode()
    member = encoded.str.strip_prefix("{").str.strip_suffix("}")
    return pl.when(value.is_not_null()).then(member)


def _plain_member(name: str, value: pl.Expr) -> pl.Expr:
    """`json_member` of a value with no character that JSON escapes: the value as it is,
    between quotes after the name as JSON writes it."""
    key = pl.select(json_member(name, pl.lit(""))).item().removesuffix('""')
    return pl.concat_str([pl.lit(key + '"'), value.cast(pl.String), pl.lit('"')])


def json_members(frame: pl.DataFrame, members: Mapping[str, pl.Expr]) -> pl.Series:
    """Per row of `frame`, the members whose value is not null, joined by commas (empty
    text where none is). A member that is null in every row (a value kept only where it
    differs, which it seldom does) costs no encoding, and one with nothing to escape in
    any row (codes, labels, numbers) is written without the JSON encoder."""
    values = frame.select(value.cast(pl.String).alias(name) for name, value in members.items())
    present = [
        name for name in values.columns if values.get_column(name).null_count() < frame.height
    ]
    if not present:
        return pl.Series("fields", [""] * frame.height, dtype=pl.String)
    escaped = values.select(pl.col(present).str.contains(_ESCAPED).any()).row(0)
    parts = [
        json_member(name, pl.col(name)) if needs else _plain_member(name, pl.col(name))
        for name, needs in zip(present, escaped, strict=True)
    ]
    return values.select(pl.concat_str(parts, separator=",", ignore_nulls=True)).to_series()


def with_fields_line(notes: pl.Expr, members: pl.Expr, label: str) -> pl.Expr:
    """`notes`, then a blank line and `LABEL fields: {members}` where there are members."""
    line = pl.when(members.fill_null("") != "").then(
        pl.concat_str([pl.lit(f"{label} fields: {{"), members, pl.lit("}")])
    )
    return pl.concat_str([notes, line], separator="\n\n", ignore_nulls=True).replace("", None)


def _fields_line_pattern(label: str) -> str:
    """The regular expression of the fields line at the end of notes; group 1 is the JSON."""
    return rf"(?:\n\n|\A){label} fields: (\{{[^\n]*\}})\z"


def split_fields_line(notes: pl.Expr, label: str) -> tuple[pl.Expr, pl.Expr]:
    """`notes` without its fields line (null if nothing else is left), and the line's
    JSON object (null where there is none)."""
    pattern = _fields_line_pattern(label)
    rest = notes.str.replace(pattern, "").replace("", None)
    return rest, notes.str.extract(pattern, 1)
