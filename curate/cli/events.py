"""Events as a person reads them: what, when, where, who, how many, how sure, and the
claims each rests on (who says so, how the report carries it, whether it was adopted).

The words come from the records; nothing is summarised away: unknown figures say
"unknown", partisan claimants are marked, and every claim keeps its quote.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl
from rich.console import Console
from rich.table import Table

from curate.markup import visible

__all__ = ["casualties", "claim_value", "print_events"]


def _number(value: Any) -> str:
    """A claimed number as written: 11, not 11.0; 1234567, not 1.23457e+06."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def casualties(low: Any, best: Any, high: Any) -> str:
    """An event's low/best/high estimate in words; empty values mean unknown, never zero."""
    if best is not None:
        shown = ["?" if bound is None else str(bound) for bound in (low, high)]
        bounds = "" if low is None and high is None else f" (from {shown[0]} to {shown[1]})"
        return f"{best}{bounds}"
    if low is not None and high is not None:
        return f"between {low} and {high}"
    if low is not None:
        return f"at least {low}"
    if high is not None:
        return f"at most {high}"
    return "unknown"


def claim_value(claim: Mapping[str, Any]) -> str:
    """What a claim asserts: its bounded number (see `qualifier`) and its words."""
    low, high, text = claim["value_low"], claim["value_high"], claim["value_text"]
    numbers = {
        "exact": _number(low),
        "at_least": f"at least {_number(low)}",
        "at_most": f"at most {_number(high)}",
        "about": f"about {_number(low)}",
        "between": f"{_number(low)} to {_number(high)}",
    }.get(claim["qualifier"])
    if numbers is None:
        return text or ""
    return f"{numbers} ({text})" if text else numbers


def _event_table(event: Mapping[str, Any]) -> Table:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    when = f"{event['date_start']}"
    if event["date_end"] != event["date_start"]:
        when += f" to {event['date_end']}"
    when += f" ({event['date_precision']})"
    if event["date_text"]:
        when += f', worded "{event["date_text"]}", relative to {event["date_anchor"]}'
    place = ", ".join(
        str(p) for p in (event["location"], event["admin2"], event["admin1"]) if p is not None
    )
    where = f"{place}, {event['country_iso3']}"
    if event["latitude"] is not None:
        where += f" ({event['latitude']}, {event['longitude']}; {event['geo_precision']})"
    who = f"{event['actor1'] or 'unknown'} ({event['actor1_type']}), {event['attribution']}"
    if event["actor2"]:
        who += f"; against {event['actor2']} ({event['actor2_type']})"
    table.add_row("what", visible(f"{event['event_type']}: {event['sub_event_type']}"))
    table.add_row("when", visible(when))
    table.add_row("where", visible(where))
    table.add_row("who", visible(who))
    fatalities = (event["fatalities_low"], event["fatalities_best"], event["fatalities_high"])
    injuries = (event["injuries_low"], event["injuries_best"], event["injuries_high"])
    table.add_row("killed", visible(casualties(*fatalities)))
    table.add_row("injured", visible(casualties(*injuries)))
    sources = f"{event['confidence']:g}, from {event['source_count']} source(s)"
    table.add_row("confidence", visible(sources))
    table.add_row("notes", visible(event["notes"] or ""))
    return table


def _claims_table(claims: pl.DataFrame) -> Table:
    table = Table(
        "claimant", "about", "claims", "carried as", "adopted", "source", "quote", title="claims"
    )
    for claim in claims.iter_rows(named=True):
        who = visible(f"{claim['claimant']} ({claim['claimant_type']})")
        if claim["partisan"]:
            who += " [yellow]partisan[/yellow]"
        table.add_row(
            who,
            visible(claim["subject"]),
            visible(claim_value(claim)),
            visible(claim["hedge"]),
            "yes" if claim["adopted"] else "no",
            visible(claim["publisher"] or ""),
            visible(f"“{claim['quote']}”") if claim["quote"] else "",
        )
    return table


def print_events(
    tables: Mapping[str, pl.DataFrame],
    console: Console,
    *,
    event_id: str | None = None,
    limit: int = 10,
) -> int:
    """Each event (or only `event_id`) with its claims; returns how many were shown."""
    events = tables["events"].sort("event_id")
    if event_id is not None:
        events = events.filter(pl.col("event_id") == event_id)
    claims = tables["claims"].join(
        tables["sources"].select("source_id", "publisher"), on="source_id", how="left"
    )
    shown = events.head(limit)
    for event in shown.iter_rows(named=True):
        status = visible(f"revision {event['revision']}, {event['status']}")
        console.rule(f"[bold]{visible(event['event_id'])}[/bold] ({status})")
        console.print(_event_table(event))
        console.print(_claims_table(claims.filter(pl.col("event_id") == event["event_id"])))
    if events.height > shown.height:
        console.print(f"... and {events.height - shown.height} more events (use --limit)")
    return shown.height
