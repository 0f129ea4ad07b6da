"""Text becomes a datetime exactly as RFC 3339 says, whatever the text: `conform`'s
vectorised parse of CSV and JSONL text agrees, cell by cell, with a plain Python reading
of the same text (shape, calendar, clock, decimals, offset, years 0001-9999 in UTC)."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from curate.readers.conform import conform
from curate.schema.loader import load_schema

_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]{1,6}))?(Z|([+-])([0-9]{2}):([0-9]{2}))"
)


def expected_instant(text: str | None) -> dt.datetime | None:
    """The instant in UTC that `text` names, or None, read by Python one cell at a time."""
    match = _RFC3339.fullmatch(text or "")
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    decimals, zone, sign, offset_hours, offset_minutes = match.groups()[6:]
    if not (year >= 1 and hour <= 23 and minute <= 59 and second <= 59):
        return None
    if zone != "Z" and (int(offset_hours) > 23 or int(offset_minutes) > 59):
        return None
    east = 0 if zone == "Z" else int(offset_hours) * 60 + int(offset_minutes)
    east = -east if sign == "-" else east
    micros = int((decimals or "").ljust(6, "0"))
    try:
        local = dt.datetime(year, month, day, hour, minute, second, micros)
        return (local - dt.timedelta(minutes=east)).replace(tzinfo=dt.UTC)
    except (ValueError, OverflowError):  # no such day, or out of years 0001-9999 in UTC
        return None


def _two(top: int) -> st.SearchStrategy[str]:
    return st.integers(0, top).map(lambda n: f"{n:02d}")


_near_datetimes = st.builds(
    lambda *parts: "".join(parts),
    st.sampled_from(["0001", "0000", "9999", "2024", "2023", "1900", "0100", "999", "10000"])
    | st.integers(0, 9999).map(lambda n: f"{n:04d}"),
    st.just("-"),
    _two(13),
    st.just("-"),
    _two(32),
    st.sampled_from(["T", "T", "T", "t", " "]),
    _two(25),
    st.just(":"),
    _two(61),
    st.just(":"),
    _two(61),
    st.sampled_from(["", "", "."])
    | st.text("0123456789", min_size=1, max_size=8).map(".{}".format),
    st.sampled_from(["Z", "Z", "z", "", "+0530", " Z"])
    | st.builds("{}{}:{}".format, st.sampled_from("+-"), _two(25), _two(61)),
)
_cells = st.lists(
    st.none()
    | _near_datetimes
    | st.builds(
        lambda a, b, c: a + b + c, st.text(max_size=2), _near_datetimes, st.text(max_size=2)
    )
    | st.text(max_size=30),
    max_size=60,
)


@settings(max_examples=300)
@given(_cells)
def test_text_becomes_the_datetime_python_reads_in_it(cells: list[str | None]) -> None:
    table = load_schema().table("events")
    frame = pl.DataFrame({"extracted_at": pl.Series(cells, dtype=pl.String)})
    conformed = conform(frame, table)
    got = conformed.frame.get_column("extracted_at").to_list()
    assert got == [expected_instant(cell) for cell in cells]
    failed = conformed.type_failed.get("extracted_at")
    marked = [False] * len(cells) if failed is None else failed.to_list()
    assert marked == [cell is not None and expected_instant(cell) is None for cell in cells]


def test_the_edges_of_the_calendar_and_the_offsets() -> None:
    cells = [
        "2024-02-29T23:59:59.999999Z",  # a leap day
        "2023-02-29T00:00:00Z",  # no such day
        "0001-01-01T00:00:00Z",  # the first instant
        "0001-01-01T00:30:00+01:00",  # before the first instant, in UTC
        "9999-12-31T23:59:59.999999Z",  # the last instant
        "9999-12-31T23:30:00-01:00",  # after the last instant, in UTC
        "2026-11-06T19:28:17.5+05:30",
        "2026-11-06T19:28:17.1234567Z",  # more decimals than the store keeps
        "2026-11-06T19:28:60Z",  # a leap second
        "2026-11-06T19:28:17",  # no offset
    ]
    frame = pl.DataFrame({"extracted_at": cells})
    got = conform(frame, load_schema().table("events")).frame.get_column("extracted_at")
    assert got.to_list() == [expected_instant(cell) for cell in cells]
    assert got.is_null().to_list() == [
        False,
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        True,
        True,
    ]
