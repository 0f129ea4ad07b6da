"""Shared by the importer and exporter tests: the fixtures, ACLED rows as Hypothesis
strategies (valid ones, and messy ones with broken values and repeated ids), and how to
write them as CSV and compare ACLED values read back."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from hypothesis import strategies as st

from curate.interchange.acled.codebook import COLUMNS_31, SUB_EVENT_TYPES
from curate.interchange.reading import MISSING_MARKERS
from curate.interchange.spreadsheet import unescape_formula

__all__ = [
    "FIXTURES",
    "acled_31_rows",
    "messy_acled_rows",
    "read_csv_rows",
    "same_acled_value",
    "write_acled_csv",
]

FIXTURES = Path(__file__).parent / "fixtures" / "importers"
Row = dict[str, str]

# (prefix of ACLED's event ids, iso, country, iso3)
_COUNTRIES = [
    ("SYR", "760", "Syria", "SYR"),
    ("NIG", "566", "Nigeria", "NGA"),
    ("MEX", "484", "Mexico", "MEX"),
    ("DRC", "180", "Democratic Republic of Congo", "COD"),
    ("XKX", "0", "Kosovo", "XKX"),
]
_TAXONOMY = sorted(set(SUB_EVENT_TYPES.values()))
_DATE_FORMS = ["%Y-%m-%d", "%d %B %Y", "%d-%b-%y", "%d %b %Y"]
_ALPHABET = st.characters(
    codec="utf-8",
    categories=("L", "N", "P", "S", "Zs"),
    exclude_characters="\u2028\u2029\u00a0\u3000\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u202f\u205f\ufeff",
)


def _is_value(text: str) -> bool:
    """Text that an ACLED file carries as itself: no surrounding blanks, not a missing
    marker, and unchanged by NFC (curate stores text in NFC)."""
    import unicodedata

    return (
        text == text.strip()
        and text not in MISSING_MARKERS
        and unicodedata.normalize("NFC", text) == text
    )


def _text(max_size: int = 24) -> st.SearchStrategy[str]:
    return st.text(_ALPHABET, min_size=1, max_size=max_size).filter(_is_value)


def _notes() -> st.SearchStrategy[str]:
    line = st.text(_ALPHABET, min_size=1, max_size=40)
    return st.lists(line, min_size=1, max_size=3).map("\n".join).filter(_is_value)


def _maybe(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), strategy)


@st.composite
def _acled_row(draw: st.DrawFn, number: int) -> Row:
    prefix, iso, country, iso3 = draw(st.sampled_from(_COUNTRIES))
    date = draw(st.dates(dt.date(1997, 1, 1), dt.date(2030, 12, 31)))
    form = draw(st.sampled_from(_DATE_FORMS))
    sub_event, event_type = draw(st.sampled_from(_TAXONOMY))
    inter1 = draw(st.sampled_from("12345678"))
    actor2 = draw(_maybe(_text()))
    inter2 = draw(st.sampled_from("12345678")) if actor2 else "0"
    low, high = sorted((int(inter1), int(inter2)))
    interaction = draw(st.sampled_from([f"{low}{high}" if low else f"{high}0", "99"]))
    names = draw(
        st.lists(_text().filter(lambda t: ";" not in t), min_size=1, max_size=3, unique=True)
    )
    return {
        "data_id": str(draw(st.integers(1, 10**7))),
        "iso": iso,
        "event_id_cnty": f"{prefix}{number}",
        "event_id_no_cnty": str(number),
        "event_date": date.strftime(form),
        "year": str(date.year),
        "time_precision": draw(st.sampled_from("123")),
        "event_type": event_type,
        "sub_event_type": sub_event,
        "actor1": draw(_text()),
        "assoc_actor_1": draw(_maybe(_text())),
        "inter1": inter1,
        "actor2": actor2,
        "assoc_actor_2": draw(_maybe(_text())) if actor2 else "",
        "inter2": inter2,
        "interaction": interaction,
        "region": draw(_maybe(_text())),
        "country": country,
        "admin1": draw(_maybe(_text())),
        "admin2": draw(_maybe(_text())),
        "admin3": draw(_maybe(_text())),
        "location": draw(_maybe(_text())),
        "latitude": f"{draw(st.floats(-90, 90)):.4f}",
        "longitude": f"{draw(st.floats(-180, 180)):.4f}",
        "geo_precision": draw(st.sampled_from("123")),
        "source": "; ".join(names),
        "source_scale": draw(_maybe(_text())),
        "notes": draw(_maybe(_notes())),
        "fatalities": str(draw(st.integers(0, 500))),
        "timestamp": str(draw(st.integers(10**9, 2 * 10**9))),
        "iso3": iso3,
    }


@st.composite
def acled_31_rows(draw: st.DrawFn, max_size: int = 8) -> list[Row]:
    """Valid ACLED rows in the 31-column layout, each with its own event id."""
    count = draw(st.integers(1, max_size))
    return [draw(_acled_row(number)) for number in range(1, count + 1)]


_JUNK = st.sampled_from(
    ["", "NA", "n/a", "-1", "1e400", "nan", "inf", "999", "??", "Battle-ish", "2020-02-30"]
)


@st.composite
def messy_acled_rows(draw: st.DrawFn, max_size: int = 12) -> list[Row]:
    """ACLED rows with broken values and repeated event ids (also in another letter
    case): some must be rejected, some merged."""
    rows = []
    for _ in range(draw(st.integers(0, max_size))):
        row = draw(_acled_row(draw(st.integers(1, 4))))
        if draw(st.booleans()):
            row["event_id_cnty"] = row["event_id_cnty"].lower()
        for column in draw(st.lists(st.sampled_from(COLUMNS_31), max_size=3)):
            row[column] = draw(_JUNK)
        rows.append(row)
    return rows


def write_acled_csv(path: Path, rows: list[Row], header: tuple[str, ...] = COLUMNS_31) -> Path:
    """ACLED rows as a CSV file (CRLF line ends, as ACLED's exports have them)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(header), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_csv_rows(text: str) -> list[Row]:
    """CSV text as rows, each cell's formula escape removed."""
    return [
        {key: unescape_formula(value) for key, value in row.items()}
        for row in csv.DictReader(io.StringIO(text))
    ]


def _date(text: str) -> dt.date | None:
    for form in ("%d-%b-%y", *_DATE_FORMS):
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


def same_acled_value(column: str, given: str, written: str) -> bool:
    """Whether ACLED's `given` value comes back as `written`: dates as dates (written
    ISO 8601), numbers as numbers, missing values (NA) as empty cells but fatalities,
    which an unknown count writes as ACLED does, 0."""
    if given.strip() in MISSING_MARKERS:
        return written == ("0" if column == "fatalities" else "")
    if column == "event_date":
        return _date(given) == dt.date.fromisoformat(written)
    if column in ("latitude", "longitude"):
        return float(given) == float(written)
    return given.strip() == written


def acled_row(**changes: str) -> Row:
    """The first row of the 31-column fixture (SYR1001, 0 fatalities, SOHR and Reuters),
    with `changes`."""
    with (FIXTURES / "acled-31-column.csv").open(encoding="utf-8", newline="") as handle:
        first = next(csv.DictReader(handle))
    return {**first, **changes}
