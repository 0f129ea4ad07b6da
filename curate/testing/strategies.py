"""Hypothesis strategies for conflict-event records, generated from the canonical schema.

Public API, for the project's own property tests and for anyone testing a pipeline that
produces records:

- `rows(table)`: one valid row of a table (a dict of Python values).
- `datasets()`: a whole consistent dataset: events, claims and sources whose keys,
  foreign keys and `source_count` agree.
- `invalid_rows(table)`: an `InvalidCase`, valid rows with one mutation, labelled with the
  report code it must produce (required, type-error, enum, pattern, range, unique, or a
  row rule).
- `invalid_datasets()`: an `InvalidDataset`, a dataset with one mutation across tables
  (foreign-key, or a dataset rule), labelled likewise.

Field values come from each field's type and constraints; what the rules in rules.yaml
demand across fields (date order, low <= best <= high, paired coordinates, sub-types,
qualifier values) is built in here, and the tests check that every rule has a mutation.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from curate.schema.loader import load_schema
from curate.schema.model import Field, Schema, Table

__all__ = [
    "Dataset",
    "InvalidCase",
    "InvalidDataset",
    "Row",
    "datasets",
    "field_values",
    "invalid_datasets",
    "invalid_rows",
    "rows",
    "rule_mutations",
]

Row = dict[str, Any]
Dataset = dict[str, list[Row]]

_UTC = dt.UTC
_ID = r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}"
_TEXT_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cf", "Zl", "Zp"))


@dataclass(frozen=True)
class InvalidCase:
    """Rows of one table in which row `index` (0-based) must be reported with `code`."""

    table: str
    rows: list[Row]
    index: int
    code: str
    field: str | None


@dataclass(frozen=True)
class InvalidDataset:
    """A dataset in which row `index` of `table` must be reported with `code`."""

    tables: Dataset
    table: str
    index: int
    code: str
    mutation: str = field(default="")


def _text(max_size: int = 40) -> st.SearchStrategy[str]:
    return (
        st.text(_TEXT_ALPHABET, min_size=1, max_size=max_size)
        .map(lambda s: unicodedata.normalize("NFC", s))
        .filter(lambda s: s.strip() == s and s != "")
    )


_URL = st.builds(
    lambda host, tld, path: f"https://{host}.{tld}/{path}",
    st.from_regex(r"[a-z][a-z0-9-]{0,15}[a-z0-9]", fullmatch=True),
    st.sampled_from(["org", "com", "net", "int"]),
    st.from_regex(r"[a-z0-9/_-]{0,30}", fullmatch=True),
)


def field_values(f: Field) -> st.SearchStrategy[Any]:
    """Values that satisfy a field's own type and constraints (never null)."""
    if f.enum is not None:
        return st.sampled_from(f.enum)
    if f.string_format == "uri":
        return _URL
    if f.type == "string":
        if f.pattern is not None:
            return st.from_regex(f.pattern, fullmatch=True).filter(lambda s: "\n" not in s)
        return _text(min(f.max_length or 60, 60))
    if f.type == "integer":
        least = int(f.minimum) if f.minimum is not None else -(10**6)
        most = int(f.maximum) if f.maximum is not None else least + 10**6
        return st.integers(least, most)
    if f.type == "number":
        lowest = float(f.minimum) if f.minimum is not None else -1e9
        highest = float(f.maximum) if f.maximum is not None else lowest + 1e9
        return st.floats(lowest, highest, allow_nan=False, allow_infinity=False)
    if f.type == "boolean":
        return st.booleans()
    if f.type == "date":
        return st.dates(dt.date(1946, 1, 1), dt.date(2099, 12, 31))
    return st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2099, 12, 31), timezones=st.just(_UTC))


def _maybe(f: Field) -> st.SearchStrategy[Any]:
    return field_values(f) if f.required else st.none() | field_values(f)


def _ordered_triplet(draw: st.DrawFn) -> tuple[int | None, int | None, int | None]:
    values = draw(st.lists(st.none() | st.integers(0, 5000), min_size=3, max_size=3))
    known = iter(sorted(v for v in values if v is not None))
    low, best, high = (None if v is None else next(known) for v in values)
    return low, best, high


@st.composite
def _event(draw: st.DrawFn, table: Table, schema: Schema) -> Row:
    row: Row = {f.name: draw(_maybe(f)) for f in table.fields}
    row["status"] = draw(st.sampled_from(["active", "retracted"]))
    row["superseded_by"] = None
    row["date_end"] = row["date_start"] + dt.timedelta(days=draw(st.integers(0, 366)))
    if row["date_text"] is None:
        row["date_anchor"] = None
    for prefix in ("fatalities", "injuries"):
        (row[f"{prefix}_low"], row[f"{prefix}_best"], row[f"{prefix}_high"]) = _ordered_triplet(
            draw
        )
    if draw(st.booleans()):
        row["latitude"] = row["longitude"] = None
    else:
        row["latitude"] = draw(field_values(table.field("latitude")))
        row["longitude"] = draw(field_values(table.field("longitude")))
    sub_types = schema.vocabularies["sub_event_types"].terms
    children = [t.value for t in sub_types if t.parent == row["event_type"]]
    row["sub_event_type"] = draw(st.none() | st.sampled_from(children))
    if row["actor2"] is None:
        row["actor2_type"] = None
    return row


@st.composite
def _claim(draw: st.DrawFn, table: Table) -> Row:
    row: Row = {f.name: draw(_maybe(f)) for f in table.fields}
    number = st.integers(0, 10_000).map(float)
    qualifier = row["qualifier"]
    low: float | None = None
    high: float | None = None
    if qualifier in ("exact", "about"):
        low = draw(number)
        high = draw(st.sampled_from([None, low]))
    elif qualifier == "at_least":
        low = draw(number)
    elif qualifier == "at_most":
        high = draw(number)
    elif qualifier == "between":
        low, high = sorted((draw(number), draw(number)))
    row["value_low"], row["value_high"] = low, high
    return row


def rows(table: str, schema: Schema | None = None) -> st.SearchStrategy[Row]:
    """One valid row of `table`. Events are never `superseded` here, since that needs a
    second event to point to: `datasets()` generates superseded events."""
    schema = schema or load_schema()
    definition = schema.table(table)
    if definition.name == "events":
        return _event(definition, schema)
    if definition.name == "claims":
        return _claim(definition)
    names = definition.field_names
    values = st.tuples(*(_maybe(f) for f in definition.fields))
    return values.map(lambda drawn: dict(zip(names, drawn, strict=True)))  # schema order


def _unique_by(key: str, items: list[Row]) -> list[Row]:
    """The items whose key is new, letter case ignored (keys differing only in case
    conflict, as `unique` reports)."""
    seen: set[str] = set()
    unique = []
    for item in items:
        folded = str(item[key]).lower()
        if folded not in seen:
            seen.add(folded)
            unique.append(item)
    return unique


@st.composite
def datasets(
    draw: st.DrawFn, schema: Schema | None = None, max_events: int = 4, max_sources: int = 3
) -> Dataset:
    """A consistent dataset: every key unique, every reference resolved, counts agreeing."""
    schema = schema or load_schema()
    sources = _unique_by(
        "source_id", draw(st.lists(rows("sources", schema), min_size=1, max_size=max_sources))
    )
    events = _unique_by(
        "event_id", draw(st.lists(rows("events", schema), min_size=1, max_size=max_events))
    )
    claims: list[Row] = []
    claim_ids = draw(
        st.lists(
            st.from_regex(_ID, fullmatch=True),
            min_size=len(events) * 3,
            max_size=len(events) * 3,
            unique_by=str.lower,
        )
    )
    for event in events:
        count = draw(st.integers(1, 3))
        cited = set()
        for _ in range(count):
            claim = draw(rows("claims", schema))
            claim["claim_id"] = claim_ids.pop()
            claim["event_id"] = event["event_id"]
            claim["source_id"] = draw(st.sampled_from([s["source_id"] for s in sources]))
            cited.add(claim["source_id"])
            claims.append(claim)
        event["source_count"] = len(cited)
    if len(events) > 1 and draw(st.booleans()):
        old, new = draw(
            st.lists(
                st.sampled_from(events), min_size=2, max_size=2, unique_by=lambda e: e["event_id"]
            )
        )
        old["status"], old["superseded_by"] = "superseded", new["event_id"]
    return {"events": events, "claims": claims, "sources": sources}


# --- invalid rows -----------------------------------------------------------------------

_WRONG_TYPE = {
    "integer": "twelve",
    "number": "about ten",
    "boolean": "perhaps",
    "date": "17/09/2015",
    "datetime": "yesterday",
}

_BAD_PATTERN = {
    "url": "ftp://example.org/report",
    "language": "English!",
    "content_sha256": "ABC123",
}


def _bad_pattern(f: Field) -> str:
    return _BAD_PATTERN.get(f.name, "-starts with a dash and has spaces")


def _out_of_range(f: Field, draw: st.DrawFn) -> Any:
    if f.type == "string":
        return "x" * ((f.max_length or 0) + 1)
    choices: list[Any] = []
    if f.minimum is not None:
        choices.append(f.minimum - (1 if f.type == "integer" else draw(st.floats(0.001, 1e6))))
    if f.maximum is not None:
        choices.append(f.maximum + (1 if f.type == "integer" else draw(st.floats(0.001, 1e6))))
    if f.type == "number":
        choices += [float("nan"), float("inf"), float("-inf")]
    return draw(st.sampled_from(choices))


def _rule_mutation(rule_id: str, row: Row) -> None:
    """Make `row` break the rule `rule_id` and nothing else that a row check sees."""
    if rule_id == "date-order":
        row["date_end"] = row["date_start"] - dt.timedelta(days=1)
    elif rule_id in ("fatalities-order", "injuries-order"):
        prefix = rule_id.split("-")[0]
        row[f"{prefix}_low"], row[f"{prefix}_best"], row[f"{prefix}_high"] = 5, 3, None
    elif rule_id == "coordinates-paired":
        row["latitude"], row["longitude"] = 10.0, None
    elif rule_id == "superseded-by-iff-superseded":
        row["status"], row["superseded_by"] = "superseded", None
    elif rule_id == "not-superseded-by-itself":
        row["status"], row["superseded_by"] = "superseded", row["event_id"]
    elif rule_id == "sub-event-type-in-event-type":
        row["event_type"], row["sub_event_type"] = "Battles", "Grenade"
    elif rule_id == "high-confidence-single-source":
        row["confidence"], row["source_count"] = 0.9, 1
    elif rule_id == "claim-value-order":
        row["qualifier"], row["value_low"], row["value_high"] = "between", 10.0, 5.0
    elif rule_id == "claim-qualifier-values":
        row["qualifier"], row["value_low"], row["value_high"] = "at_least", None, 5.0
    else:
        raise KeyError(f"no mutation for rule {rule_id!r}: add one to curate.testing.strategies")


def rule_mutations() -> frozenset[str]:
    """The row rules that `invalid_rows` can break (the tests compare it with rules.yaml)."""
    return frozenset(
        {
            "date-order",
            "fatalities-order",
            "injuries-order",
            "coordinates-paired",
            "superseded-by-iff-superseded",
            "not-superseded-by-itself",
            "sub-event-type-in-event-type",
            "high-confidence-single-source",
            "claim-value-order",
            "claim-qualifier-values",
        }
    )


@st.composite
def invalid_rows(draw: st.DrawFn, table: str, schema: Schema | None = None) -> InvalidCase:
    """Valid rows of `table` with one mutated, labelled with the code it must produce."""
    schema = schema or load_schema()
    definition = schema.table(table)
    batch = _unique_by(
        definition.primary_key[0], draw(st.lists(rows(table, schema), min_size=1, max_size=4))
    )
    index = draw(st.integers(0, len(batch) - 1))
    row = batch[index]
    kinds = ["required", "type-error", "enum", "pattern", "range", "unique"]
    kinds += [r.code for r in schema.row_rules_for(definition.name)]
    kinds = [k for k in kinds if _applicable(k, definition)]
    kind = draw(st.sampled_from(kinds))
    target: Field | None = None
    if kind == "required":
        target = draw(st.sampled_from([f for f in definition.fields if f.required]))
        row[target.name] = None
    elif kind == "type-error":
        target = draw(st.sampled_from([f for f in definition.fields if f.type != "string"]))
        row[target.name] = _WRONG_TYPE[target.type]
    elif kind == "enum":
        target = draw(st.sampled_from([f for f in definition.fields if f.enum is not None]))
        row[target.name] = "not in the vocabulary"
    elif kind == "pattern":
        target = draw(st.sampled_from([f for f in definition.fields if f.pattern is not None]))
        row[target.name] = _bad_pattern(target)
    elif kind == "range":
        target = draw(st.sampled_from([f for f in definition.fields if _has_range(f)]))
        row[target.name] = _out_of_range(target, draw)
    elif kind == "unique":
        target = definition.field(definition.primary_key[0])
        twin = draw(rows(table, schema))
        twin[target.name] = row[target.name]
        batch.append(twin)
    else:
        _rule_mutation(kind.removeprefix("rule:"), row)
    return InvalidCase(definition.name, batch, index, kind, None if target is None else target.name)


def _has_range(f: Field) -> bool:
    return f.minimum is not None or f.maximum is not None or f.max_length is not None


def _applicable(kind: str, table: Table) -> bool:
    if kind == "enum":
        return any(f.enum is not None for f in table.fields)
    if kind == "range":
        return any(_has_range(f) for f in table.fields)
    if kind == "type-error":
        return any(f.type != "string" for f in table.fields)
    return True


@st.composite
def invalid_datasets(draw: st.DrawFn, schema: Schema | None = None) -> InvalidDataset:
    """A consistent dataset with one mutation across tables, labelled with its code."""
    schema = schema or load_schema()
    data = draw(datasets(schema))
    mutation = draw(
        st.sampled_from(
            [
                "claim-event",
                "claim-source",
                "superseded-by",
                "event-has-claim",
                "source-count-matches",
                "partisan-only-casualties",
            ]
        )
    )
    events, claims = data["events"], data["claims"]
    if mutation == "claim-event":
        index = draw(st.integers(0, len(claims) - 1))
        claims[index]["event_id"] = "no-such-event"
        return InvalidDataset(data, "claims", index, "foreign-key", mutation)
    if mutation == "claim-source":
        index = draw(st.integers(0, len(claims) - 1))
        claims[index]["source_id"] = "no-such-source"
        return InvalidDataset(data, "claims", index, "foreign-key", mutation)
    index = draw(st.integers(0, len(events) - 1))
    event = events[index]
    if mutation == "superseded-by":
        event["status"], event["superseded_by"] = "superseded", "no-such-event"
        return InvalidDataset(data, "events", index, "foreign-key", mutation)
    if mutation == "event-has-claim":
        data["claims"] = [c for c in claims if c["event_id"] != event["event_id"]]
        return InvalidDataset(data, "events", index, "rule:event-has-claim", mutation)
    if mutation == "source-count-matches":
        event["source_count"] += 1
        return InvalidDataset(data, "events", index, "rule:source-count-matches", mutation)
    event["fatalities_low"], event["fatalities_best"], event["fatalities_high"] = None, 30, None
    for claim in claims:
        if claim["event_id"] == event["event_id"]:
            claim.update(subject="fatalities", partisan=True, adopted=True)
    return InvalidDataset(data, "events", index, "rule:partisan-only-casualties", mutation)
