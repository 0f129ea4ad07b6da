"""Bring a frame to the schema's exact column types, cell by cell, without a Python loop.

A column is converted only where the conversion is exact; a cell that cannot be converted
is nulled and marked in `type_failed`, so the engine reports it as a `type-error` on its
row and the other checks see the column with its proper type. Missing columns are added
as nulls; a missing required column is listed in `missing_required` so that it is
reported once, not on every row.

Which stored types each schema type takes is one table, `ACCEPTS` (below, and in
docs/validation.md, "Parquet input"). Text (CSV, JSONL, a frame of strings) is parsed: "12" is an
integer there. A file that declares its types (Parquet, read by `conform_arrow`) is taken
at its word: a number stored as text, an integer stored as float64 or a boolean stored as
an integer is a `type-error` on every row that holds a value.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from curate.schema.dtypes import POLARS_TYPES
from curate.schema.model import Field, FieldType, Table

__all__ = [
    "ACCEPTS",
    "Conformed",
    "Declared",
    "Kind",
    "arrow_kind",
    "conform",
    "conform_arrow",
    "describe_type",
]

_TRUE = ("true", "True", "TRUE")
_FALSE = ("false", "False", "FALSE")

# What a stored column holds, as far as conversion to a schema type goes:
#   null       the null type (every cell empty)
#   text       string, large_string, string_view; a dictionary of these (pandas `category`)
#   int        int8, int16, int32, int64, uint8, uint16, uint32: every value fits in int64
#   uint64     uint64: a value over 2^63-1 does not fit in int64
#   float      float16, float32, float64
#   bool       bool
#   date       date32 (days since 1970-01-01)
#   date64     date64 (milliseconds since 1970-01-01)
#   timestamp  timestamp of any unit with a time zone, named or a fixed offset: an instant
#   naive      timestamp without a time zone: no instant, so never a datetime
#   other      anything else: binary, decimal, duration, time, interval, list, struct,
#              map, union, an extension type
# A dictionary column is read as its values. Every kind takes part in the table only
# through its values: the same value is valid or invalid whatever the column's width.
Kind = Literal[
    "null",
    "text",
    "int",
    "uint64",
    "float",
    "bool",
    "date",
    "date64",
    "timestamp",
    "naive",
    "other",
]

ACCEPTS: Mapping[FieldType, frozenset[Kind]] = {
    # exact: every value
    "string": frozenset({"text"}),
    # int exact; uint64 exact up to 2^63-1, a larger value is a type-error
    "integer": frozenset({"int", "uint64"}),
    # float exact; int and uint64 exact up to 2^53 in magnitude (a float64 holds every
    # integer up to there), a larger value is a type-error
    "number": frozenset({"float", "int", "uint64"}),
    "boolean": frozenset({"bool"}),
    # years 1 to 9999 (what YYYY-MM-DD can say); date64 only at midnight
    "date": frozenset({"date", "date64"}),
    # the instant in UTC, to the microsecond: years 1 to 9999, and a nanosecond timestamp
    # only where it is a whole number of microseconds (nothing is rounded away)
    "datetime": frozenset({"timestamp"}),
}
"""The one table of which kinds of stored column each schema type accepts (null is
accepted everywhere). The store keeps int64, float64, bool, date32 and
timestamp[us, UTC] (`curate.schema.dtypes`); everything here converts to those exactly."""

# An in-memory frame may hold a nullable integer column as float64 (pandas does): there,
# and only there, a float that is a whole number is an integer. A file declares its types.
_IN_MEMORY_EXTRA: Mapping[FieldType, frozenset[Kind]] = {"integer": frozenset({"float"})}

_INT64_MAX = (1 << 63) - 1
_FLOAT_EXACT = 1 << 53
_DAY_MS = 86_400_000
_FIRST_DAY = (dt.date(1, 1, 1) - dt.date(1970, 1, 1)).days
_LAST_DAY = (dt.date(9999, 12, 31) - dt.date(1970, 1, 1)).days
_FIRST_US = _FIRST_DAY * 86_400_000_000
_LAST_US = (_LAST_DAY + 1) * 86_400_000_000 - 1
_PER_US = {"s": 1_000_000, "ms": 1_000, "us": 1}


@dataclass
class Conformed:
    """The typed frame (schema fields first, unknown columns after), and what did not fit."""

    frame: pl.DataFrame
    type_failed: dict[str, pl.Series] = field(default_factory=dict)
    missing_required: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()


@dataclass(frozen=True)
class Declared:
    """A part of a typed file: its values as read (`raw`: JSON-friendly types, a value
    that has no exact plain form given as text) and the part conformed to the schema."""

    raw: pl.DataFrame
    conformed: Conformed


def _from_string(column: pl.Expr, f: Field) -> pl.Expr:
    if f.type == "integer":
        return column.str.strip_chars().cast(pl.Int64, strict=False)
    if f.type == "number":
        return column.str.strip_chars().cast(pl.Float64, strict=False)
    if f.type == "boolean":
        stripped = column.str.strip_chars()
        return pl.when(stripped.is_in(_TRUE)).then(True).when(stripped.is_in(_FALSE)).then(False)
    if f.type == "date":
        exact = column.str.contains(f"^{_DATE}$")
        return pl.when(exact).then(column.str.to_date("%Y-%m-%d", strict=False))
    if f.type == "datetime":
        return _datetime_from_text(column)
    return column


def _datetime_from_text(column: pl.Expr) -> pl.Expr:
    """The instant of RFC 3339 text (`_DATE`T`_TIME`) in UTC; null where the text has
    another shape, names no day of the calendar, or leaves years 0001-9999 once in UTC."""
    return column.map_batches(_text_instants, return_dtype=pl.Datetime("us", "UTC"))


# The shape curate itself writes (six decimals and `Z`): one fixed-width format, which
# polars parses on its fast path once the exact shape is matched (that parser alone is
# lax: it takes a leap second, or a sign before the year).
_WRITTEN_SHAPE = "%Y-%m-%dT%H:%M:%S.%6fZ"
_WRITTEN_SIZE = len("2000-01-01T00:00:00.000000Z")


def _text_instants(text: pl.Series) -> pl.Series:
    """`_datetime_from_text` of a column: the written shape by one fixed format; every
    other shape (fewer decimals, an offset) by `_any_offset`, on those rows alone."""
    column = pl.col(text.name)
    exact = column.str.contains(f"^{_DATE}T{_TIME}$")
    written = (column.str.len_bytes() == _WRITTEN_SIZE) & column.str.ends_with("Z")
    fast = column.str.to_datetime(_WRITTEN_SHAPE, strict=False, time_unit="us")
    parts = text.to_frame().select(
        pl.when(exact & written).then(fast.to_physical()).alias("micros"),
        (exact & ~written).alias("other"),
    )
    micros = parts.get_column("micros")
    other = parts.get_column("other")
    if other.any():
        rest = text.filter(other).to_frame().select(_any_offset(column)).to_series()
        micros = micros.scatter(other.arg_true(), rest)
    return micros.cast(pl.Datetime("us", "UTC"))


def _any_offset(column: pl.Expr) -> pl.Expr:
    """Microseconds in UTC of text of the exact shape, in any of its forms (null where
    the day or the instant in UTC is out of range): the calendar and the clock by one
    fixed format with no offset, the decimals and the offset by slicing."""
    clock = column.str.slice(0, 19).str.to_datetime(
        "%Y-%m-%dT%H:%M:%S", strict=False, time_unit="us"
    )
    zulu = column.str.ends_with("Z")
    # `.` and 1-6 digits between the seconds and the offset (`Z`, or +-HH:MM).
    decimals = column.str.len_bytes().cast(pl.Int64) - pl.when(zulu).then(21).otherwise(26)
    fraction = pl.when(column.str.slice(19, 1) == ".").then(
        column.str.slice(20, decimals.clip(0)).str.pad_end(6, "0").cast(pl.Int64, strict=False)
    )
    offset = column.str.slice(-6)
    minutes = offset.str.slice(1, 2).cast(pl.Int64, strict=False) * 60 + offset.str.slice(
        4, 2
    ).cast(pl.Int64, strict=False)
    east = pl.when(zulu).then(0).when(offset.str.starts_with("-")).then(-minutes).otherwise(minutes)
    micros = clock.to_physical() + fraction.fill_null(0) - east * 60_000_000
    return pl.when(micros.is_between(_FIRST_US, _LAST_US)).then(micros)


# The only text taken as a date or a datetime, before the calendar is checked: the
# RFC 3339 forms DESIGN.md names, nothing lax. Four-digit years 0001-9999 (no sign, no
# year 0, which Python's dates cannot hold), two-digit months and days, `T`, seconds
# 00-59 (a leap second is refused, not shifted into the next minute), at most the six
# decimals the store keeps (more are refused, not cut), and an offset: `Z` or +-HH:MM
# (a time without one is refused). ASCII digits only: `\d` would take any script's.
_DATE = r"(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-[0-9]{2}-[0-9]{2}"
_HOUR = r"(?:[01][0-9]|2[0-3])"
_TIME = rf"{_HOUR}:[0-5][0-9]:[0-5][0-9](?:\.[0-9]{{1,6}})?(?:Z|[+-]{_HOUR}:[0-5][0-9])"


def _days(days: pl.Expr) -> pl.Expr:
    return pl.when(days.is_between(_FIRST_DAY, _LAST_DAY)).then(days).cast(pl.Int32).cast(pl.Date)


def _instant(value: pl.Expr, unit: str) -> pl.Expr:
    """Microseconds in UTC from an integer count of `unit` since the epoch, range checked
    before it is scaled (so that nothing overflows) and exact (no nanosecond rounded)."""
    if unit == "ns":
        micros = pl.when(value % 1000 == 0).then(value // 1000)
    else:
        per = _PER_US[unit]
        first, last = -(-_FIRST_US // per), _LAST_US // per
        micros = pl.when(value.is_between(first, last)).then(value * per)
    checked = pl.when(micros.is_between(_FIRST_US, _LAST_US)).then(micros)
    return checked.cast(pl.Int64).cast(pl.Datetime("us", "UTC"))


def _convert(value: pl.Expr, kind: Kind, unit: str, f: Field) -> pl.Expr | None:
    """The field's exact value from a column of `kind` (integers for temporal kinds:
    their count of days or of `unit`), null where a cell does not convert; None when the
    kind is not accepted at all."""
    if kind == "null":
        return value
    if kind not in ACCEPTS[f.type]:
        return None
    if f.type == "integer" and kind == "uint64":
        return pl.when(value <= _INT64_MAX).then(value)
    if f.type == "number" and kind == "int":
        return pl.when(value.is_between(-_FLOAT_EXACT, _FLOAT_EXACT)).then(value)
    if f.type == "number" and kind == "uint64":
        return pl.when(value <= _FLOAT_EXACT).then(value)
    if kind == "date":
        return _days(value)
    if kind == "date64":
        return _days(pl.when(value % _DAY_MS == 0).then(value // _DAY_MS))
    if kind == "timestamp":
        return _instant(value, unit)
    return value


def _nulls(dtype: pl.DataType) -> pl.Expr:
    """A column of nulls as long as the frame (a bare literal would be one row long)."""
    return pl.repeat(None, pl.len(), dtype=dtype)


def _typed_column(conversion: pl.Expr | None, f: Field) -> pl.Expr:
    """The column in the field's type (null where a cell does not convert)."""
    target = POLARS_TYPES[f.type]
    converted = _nulls(target) if conversion is None else conversion.cast(target, strict=False)
    return converted.alias(f.name)


def _assemble(
    frame: pl.DataFrame,
    table: Table,
    columns: Mapping[str, pl.Expr | None],
    unknown_frame: pl.DataFrame,
) -> Conformed:
    """Evaluate each field's conversion of its source column (of the same name in
    `frame`), or take the column as it is when it already has the field's type (None);
    add missing fields as nulls."""
    expressions: list[pl.Expr] = []
    converted: list[str] = []
    missing: list[str] = []
    for f in table.fields:
        if f.name not in columns:
            if f.required:
                missing.append(f.name)
            expressions.append(_nulls(POLARS_TYPES[f.type]).alias(f.name))
            continue
        conversion = columns[f.name]
        if conversion is None:
            expressions.append(pl.col(f.name))
        else:
            expressions.append(conversion)
            converted.append(f.name)
    typed = frame.select(expressions) if expressions else pl.DataFrame()
    # A cell did not convert where the typed column is null and the source is not
    # (computed from the typed column: the conversion is never run twice).
    type_failed: dict[str, pl.Series] = {}
    for name in converted:
        mask = typed.get_column(name).is_null() & frame.get_column(name).is_not_null()
        if mask.any():
            type_failed[name] = mask
    if unknown_frame.width:
        typed = typed.hstack(unknown_frame.get_columns())
    return Conformed(typed, type_failed, tuple(missing), tuple(unknown_frame.columns))


# --- frames in memory, and text ----------------------------------------------------------


def _polars_kind(source: pl.DataType) -> tuple[Kind, str]:
    """The kind of a polars column, and its time unit where it has one."""
    if source == pl.Null:
        return "null", ""
    if source in (pl.String, pl.Categorical, pl.Enum):
        return "text", ""
    if source in (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32):
        return "int", ""
    if source == pl.UInt64:
        return "uint64", ""
    if source.is_float():
        return "float", ""
    if source == pl.Boolean:
        return "bool", ""
    if source == pl.Date:
        return "date", ""
    if isinstance(source, pl.Datetime):
        return ("timestamp" if source.time_zone is not None else "naive"), source.time_unit
    return "other", ""


def _in_memory_conversion(column: pl.Expr, kind: Kind, unit: str, f: Field) -> pl.Expr | None:
    """`_convert` for a frame in memory (or text read from CSV or JSONL): text is
    parsed, and a float that is a whole number is an integer (`column` holds text as
    String, dates and timestamps as their integer counts)."""
    if kind == "text":
        return _from_string(column, f) if f.type != "string" else column
    if kind in _IN_MEMORY_EXTRA.get(f.type, ()):
        return pl.when(column == column.round(0)).then(column)
    return _convert(column, kind, unit, f)


def _in_memory(name: str, source: pl.DataType, f: Field) -> pl.Expr | None:
    """How a column of a polars frame becomes the field's type; None when not at all."""
    column = pl.col(name)
    kind, unit = _polars_kind(source)
    if kind == "text":
        column = column.cast(pl.String)
    elif kind in ("date", "timestamp"):
        column = column.to_physical()
    return _in_memory_conversion(column, kind, unit, f)


def conform(frame: pl.DataFrame, table: Table) -> Conformed:
    """Cast `frame` (text, or a frame in memory) to `table`'s types; mark each cell that
    does not convert."""
    columns: dict[str, pl.Expr | None] = {}
    for f in table.fields:
        if f.name not in frame.schema:
            continue
        source = frame.schema[f.name]
        if source == POLARS_TYPES[f.type] and f.type not in ("date", "datetime"):
            columns[f.name] = None  # dates and datetimes are range checked
            continue
        columns[f.name] = _typed_column(_in_memory(f.name, source, f), f)
    known = set(table.field_names)
    unknown = frame.select(name for name in frame.columns if name not in known)
    return _assemble(frame, table, columns, unknown)


# --- typed files (Arrow) -----------------------------------------------------------------


def _column_kind(arrow_field: Any, arrow_type: Any) -> tuple[Kind, str]:
    """A column's kind; an extension type that pyarrow does not know (read as its
    storage, the name left in the field's metadata) is never taken as its storage."""
    if b"ARROW:extension:name" in (arrow_field.metadata or {}):
        return "other", ""
    return arrow_kind(arrow_type)


def arrow_kind(arrow_type: Any) -> tuple[Kind, str]:
    """The kind of an Arrow column (a dictionary by its values), and its time unit."""
    import pyarrow as pa

    types = pa.types
    while types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    if isinstance(arrow_type, pa.ExtensionType):
        return "other", ""
    checks: list[tuple[Any, Kind]] = [
        (types.is_null, "null"),
        (lambda t: types.is_string(t) or types.is_large_string(t), "text"),
        (lambda t: t == pa.string_view(), "text"),
        (lambda t: t == pa.uint64(), "uint64"),
        (types.is_integer, "int"),
        (types.is_floating, "float"),
        (types.is_boolean, "bool"),
        (types.is_date32, "date"),
        (types.is_date64, "date64"),
    ]
    for check, kind in checks:
        if check(arrow_type):
            return kind, ""
    if types.is_timestamp(arrow_type):
        return ("timestamp" if arrow_type.tz is not None else "naive"), arrow_type.unit
    return "other", ""


_PLAIN: frozenset[Kind] = frozenset({"null", "text", "int", "uint64", "float", "bool"})


def _plain(column: Any, kind: Kind) -> Any:
    """A column of a plain kind as Arrow types polars reads without loss, or the integer
    count behind a date or timestamp; None for kind `other`."""
    import pyarrow as pa

    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
        return _plain(column, kind)
    if kind == "text":
        return column.cast(pa.large_string())
    if kind == "float":
        return column.cast(pa.float64())
    if kind in ("date", "date64", "timestamp", "naive"):
        return column.cast(pa.int32() if kind == "date" else pa.int64())
    return column if kind in _PLAIN else None


def _time_text(count: int, kind: Kind, unit: str) -> str:
    """A date or timestamp as ISO text where Python can write it, else as its count."""
    try:
        if kind in ("date", "date64"):
            days, rest = divmod(count, _DAY_MS) if kind == "date64" else (count, 0)
            day = dt.date(1970, 1, 1) + dt.timedelta(days=days)
            return day.isoformat() if not rest else f"{day.isoformat()}+{rest}ms"
        nanos = count * {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}[unit]
        micros, extra = divmod(nanos, 1000)
        moment = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=micros)
        text = moment.isoformat() + (f"+{extra}ns" if extra else "")
        return text + ("Z" if kind == "timestamp" else "")
    except OverflowError:
        what = "days" if kind == "date" else "ms" if kind == "date64" else unit
        return f"{count} {what} since 1970-01-01 (out of range)"


def _scalar_text(column: Any, index: int) -> str:
    """Any Arrow value as text: JSON for nested values, UTF-8 (escaped where it is not)
    for bytes, the value's own text otherwise; Arrow's own rendering where Python has no
    such value (a timestamp out of Python's range inside a list, say)."""
    value = column[index]
    try:
        python = value.as_py()
    except (ArithmeticError, ValueError, TypeError, NotImplementedError):
        return str(column.slice(index, 1).to_string(window=1, skip_new_lines=True))[1:-1].strip()
    if isinstance(python, bytes):
        return python.decode("utf-8", "backslashreplace")
    if isinstance(python, dt.timedelta):
        return f"{value.value} {value.type.unit}"
    if isinstance(python, list | dict | tuple):
        return json.dumps(python, default=str, ensure_ascii=False)
    return str(python)


def _as_text(column: Any, kind: Kind, unit: str) -> pl.Series:
    """The column's values as text, for a column without an exact plain form (a cell a
    quarantine must keep, whatever it is)."""
    import pyarrow as pa

    combined = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_dictionary(combined.type):
        combined = combined.dictionary_decode()
    if kind in _TEMPORAL:
        counts = _plain(combined, kind).to_pylist()
        cells = [None if c is None else _time_text(c, kind, unit) for c in counts]
    else:
        valid = combined.is_valid().to_pylist()
        cells = [_scalar_text(combined, i) if ok else None for i, ok in enumerate(valid)]
    return pl.Series(cells, dtype=pl.String)


def _repeated_names(names: list[str]) -> list[str]:
    """The names with each repeat of a name made distinct (`name#2`, ...)."""
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        candidate, number = name, 1
        while candidate in seen:
            number += 1
            candidate = f"{name}#{number}"
        seen.add(candidate)
        out.append(candidate)
    return out


_TEMPORAL: frozenset[Kind] = frozenset({"date", "date64", "timestamp", "naive"})


def conform_arrow(part: Any, table: Table, *, in_memory: bool = False) -> Declared:
    """Conform an Arrow table read from a typed file (or given in memory): each column by
    its declared type through `ACCEPTS`, never by parsing text; the values as read kept
    beside. `in_memory` is for a polars or pandas frame made Arrow: its text columns are
    parsed and a whole-number float is an integer, as `conform` takes them."""
    convert = _in_memory_conversion if in_memory else _convert
    names = _repeated_names(part.schema.names)
    fields = {f.name: f for f in table.fields}
    physical: dict[str, pl.Series] = {}  # what the conversions read
    kinds: dict[str, tuple[Kind, str]] = {}
    for name, arrow_field, column in zip(names, part.schema, part.columns, strict=True):
        kinds[name] = kind, unit = _column_kind(arrow_field, column.type)
        values = _plain(column, kind)
        series = _as_text(column, kind, unit) if values is None else _series(values)
        physical[name] = series.alias(name)
    rows = "\0rows"
    while rows in physical:
        rows += "\0"
    # The extra column keeps the frame's height when every field is given as a literal.
    height = pl.repeat(None, part.num_rows, dtype=pl.Boolean, eager=True).alias(rows)
    frame = pl.DataFrame([*physical.values(), height])
    columns = {
        name: _typed_column(convert(pl.col(name), *kinds[name], f), f)
        for name, f in fields.items()
        if name in physical
    }
    conformed = _assemble(frame, table, columns, pl.DataFrame())
    raw: list[pl.Series] = []
    for name, column in zip(names, part.columns, strict=True):
        kind, unit = kinds[name]
        if kind not in _TEMPORAL:
            raw.append(physical[name])
        elif name in fields and name not in conformed.type_failed and kind != "naive":
            raw.append(conformed.frame.get_column(name))  # every cell converted: as such
        else:
            raw.append(_as_text(column, kind, unit).alias(name))
    raw_frame = pl.DataFrame(raw)
    unknown = [name for name in names if name not in fields]
    if unknown:
        conformed.frame = conformed.frame.hstack(raw_frame.select(unknown).get_columns())
        conformed.unknown = tuple(unknown)
    return Declared(raw_frame, conformed)


def _series(values: Any) -> pl.Series:
    import pyarrow as pa

    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    series = pl.from_arrow(pa.chunked_array(chunks, values.type), rechunk=False)
    assert isinstance(series, pl.Series)
    return series


def describe_type(f: Field) -> str:
    """The field's type as a person would say it, for messages."""
    return {
        "string": "text",
        "integer": "a whole number",
        "number": "a number",
        "boolean": "true or false",
        "date": "a date (YYYY-MM-DD)",
        "datetime": "a datetime with offset (YYYY-MM-DDTHH:MM:SSZ)",
    }[f.type]
