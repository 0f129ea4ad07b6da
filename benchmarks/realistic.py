"""Realistic events, claims and sources for the benchmarks: seeded and vectorised.

Modelled on the published descriptions of ACLED (its codebook: notes that open with the
date, the actors and the place and may carry "[size=...]" tags; actor names such as
"Military Forces of Syria (2000-2024)", "Unidentified Armed Group (Mexico)" or
"Fulani Ethnic Militia (Nigeria)", with ACLED's eight inter codes as actor types;
admin1, admin2 and location as spelled by gazetteers) and of UCDP GED (low, best and
high fatality estimates, where_description-like place text, source_article and
source_headline: a publisher, a dated URL and a headline). What it makes:

- notes of a heavy-tailed length (log-normal: median about 300 bytes, mean about 600,
  a few per cent over 3,000), each an "On <date>, <actor> <verb> <place>" opening and a
  slice of a seeded corpus of ACLED-like sentences with numbers, dates and names
  spliced in, so that every note is its own text; imported rows end with the source
  dataset's fields line (curate.interchange.notes);
- about 15 % of rows with non-ASCII text (Arabic and Cyrillic script, transliterations
  with diacritics, accented Latin, a few emoji) in their notes and in their names;
- a gazetteer of 30 countries, 300 admin1, 3,000 admin2 (40 % of places have none) and
  30,000 locations, and about 3,000 actors with their types, drawn with skewed weights;
- actor2 in about a third of rows; fatality ranges mostly partly unknown; date_text on
  the rows whose date is not a single day, and on a few relative ones ("on Thursday");
- an `invalid_fraction` of rows that each break one check, of `KINDS` kinds
  (`planted` tells which rows and which issues to expect).

`dataset()` adds claims (quotes of 50-400 characters) and sources (publishers, dated
URLs with query strings, headlines, languages) consistent with the events: each event
rests on one claim per source of `source_count` distinct sources (and sometimes one more
claim from the first of them). `python benchmarks/realistic.py OUTDIR ROWS` writes
OUTDIR/events-<N>.{parquet,csv,jsonl} (above a million rows, Parquet only, chunk by
chunk). The easy synthetic rows are benchmarks/generate.py.
"""

# ruff: noqa: RUF001  (the non-ASCII text is the point: Cyrillic and Arabic look-alikes too)

from __future__ import annotations

import argparse
import functools
import string
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
from generate import write_all
from records import COUNTS, ids, label, null_where_negative, typed, write_parquet_groups

from curate.schema.loader import load_schema

__all__ = [
    "CHUNK",
    "INVALID_FRACTION",
    "KINDS",
    "SEED",
    "Planted",
    "dataset",
    "distribution",
    "events",
    "planted",
    "write_events",
]

SEED = 2015
INVALID_FRACTION = 0.001
CHUNK = 500_000  # rows per chunk when a file is written chunk by chunk
NON_ASCII_SHARE = 0.15

# (iso3, English name, latitude, longitude, script of its non-ASCII names)
_COUNTRIES = [
    ("SYR", "Syria", 35.0, 38.5, "arabic"),
    ("YEM", "Yemen", 15.5, 47.5, "arabic"),
    ("IRQ", "Iraq", 33.0, 44.0, "arabic"),
    ("SDN", "Sudan", 15.0, 30.0, "arabic"),
    ("LBY", "Libya", 27.0, 17.0, "arabic"),
    ("PSE", "Palestine", 31.9, 35.2, "arabic"),
    ("LBN", "Lebanon", 33.9, 35.8, "arabic"),
    ("SOM", "Somalia", 5.0, 46.0, "latin"),
    ("NGA", "Nigeria", 9.0, 8.0, "latin"),
    ("MLI", "Mali", 17.0, -4.0, "latin"),
    ("BFA", "Burkina Faso", 12.3, -1.5, "latin"),
    ("NER", "Niger", 16.0, 8.0, "latin"),
    ("CMR", "Cameroon", 6.0, 12.0, "latin"),
    ("COD", "Democratic Republic of Congo", -2.5, 23.5, "latin"),
    ("ETH", "Ethiopia", 9.0, 39.0, "latin"),
    ("KEN", "Kenya", 0.0, 38.0, "latin"),
    ("MOZ", "Mozambique", -18.0, 35.0, "latin"),
    ("UKR", "Ukraine", 49.0, 32.0, "cyrillic"),
    ("RUS", "Russia", 55.0, 40.0, "cyrillic"),
    ("AFG", "Afghanistan", 34.0, 66.0, "latin"),
    ("PAK", "Pakistan", 30.0, 70.0, "latin"),
    ("IND", "India", 22.0, 79.0, "latin"),
    ("MMR", "Myanmar", 21.0, 96.0, "latin"),
    ("PHL", "Philippines", 12.0, 122.0, "latin"),
    ("MEX", "Mexico", 23.0, -102.0, "latin"),
    ("COL", "Colombia", 4.0, -73.0, "latin"),
    ("BRA", "Brazil", -10.0, -52.0, "latin"),
    ("CHL", "Chile", -33.0, -71.0, "latin"),
    ("USA", "United States", 39.0, -98.0, "latin"),
    ("FRA", "France", 46.0, 2.0, "latin"),
]
_ADMIN1, _ADMIN2, _LOCATIONS = 300, 5_000, 30_000
_SYLLABLES = [
    "ba",
    "da",
    "ka",
    "ma",
    "na",
    "ra",
    "sa",
    "ta",
    "la",
    "ha",
    "ja",
    "za",
    "bi",
    "di",
    "ki",
    "mi",
    "ni",
    "ri",
    "si",
    "ti",
    "li",
    "bu",
    "du",
    "ku",
    "mu",
    "nu",
    "ru",
    "su",
    "tu",
    "al",
    "an",
    "ar",
    "as",
    "el",
    "en",
    "or",
    "um",
    "ol",
    "ak",
    "ir",
    "ash",
    "kh",
    "gh",
    "dor",
    "kan",
    "mar",
    "tal",
    "zar",
    "bad",
    "gor",
    "kul",
    "lin",
    "pur",
    "vil",
    "sha",
    "ye",
    "qa",
    "wa",
    "fa",
    "ho",
    "ze",
    "mo",
    "lo",
    "go",
    "ne",
    "te",
    "de",
]
_PLACE_FORMS = (
    "{}",
    "{}",
    "{}",
    "{}",
    "Kafr {}",
    "Tell {}",
    "Ain {}",
    "San {}",
    "Deir {}",
    "{} Bazar",
    "{}abad",
    "{}pur",
    "{} Kalan",
    "{} Junction",
    "Nova {}",
    "Bir {}",
)
_DIACRITICS = str.maketrans("ahisutzeoncgd", "āḩīşūţẓéôñçğḑ")
_CYRILLIC = str.maketrans(
    "abvgdezijklmnoprstufhcywqxABVGDEZIJKLMNOPRSTUFHCYWQX",
    "абвгдезийклмнопрстуфхцыўкхАБВГДЕЗИЙКЛМНОПРСТУФХЦЫЎКХ",
)
_ARABIC = str.maketrans(
    "abtjhdrzsfqklmnwyiueoABTJHDRZSFQKLMNWYIUEOgcpvx -",
    "ابتجحدرزسفقكلمنويياوةبتجحدرزسفقكلمنويياوةغكبفكس ـ",
)
_GROUP_FORMS = {
    "rebel_group": (
        "{} Liberation Front",
        "{} Army",
        "{} Movement for Justice",
        "Jaysh {}",
        "{} Revolutionary Forces",
    ),
    "political_militia": ("{} Militia", "{} Party Militia", "{} Brigade", "Supporters of {}"),
    "identity_militia": (
        "{} Ethnic Militia ({c})",
        "{} Communal Militia ({c})",
        "{} Clan Militia ({c})",
    ),
    "rioters": ("Rioters ({c})", "{} Ethnic Group ({c})"),
    "protesters": ("Protesters ({c})", "{} Labour Group ({c})", "Students ({c})"),
    "civilians": (
        "Civilians ({c})",
        "Journalists ({c})",
        "Refugees/IDPs ({c})",
        "Health Workers ({c})",
    ),
    "external_forces": ("Private Security Forces ({c})", "{} Mercenaries ({c})"),
    "unknown": ("Unidentified Armed Group ({c})",),
}
# Approximate shares in ACLED exports.
_SUB_WEIGHTS = {
    "Peaceful protest": 26.0,
    "Armed clash": 12.0,
    "Attack": 9.0,
    "Shelling/artillery/missile attack": 7.0,
    "Air/drone strike": 5.0,
    "Mob violence": 4.0,
    "Violent demonstration": 4.0,
    "Abduction/forced disappearance": 3.0,
    "Protest with intervention": 3.0,
    "Remote explosive/landmine/IED": 3.0,
    "Arrests": 3.0,
    "Looting/property destruction": 2.0,
}
_VERBS = (
    "attacked",
    "clashed with militants in",
    "shelled",
    "raided",
    "protested in",
    "abducted residents of",
    "carried out air strikes on",
    "were reported in",
    "rioted in",
    "arrested several people in",
    "looted shops in",
    "demonstrated in",
)
_ASCII_SENTENCES = (
    "On {date}, {actor} {verb} {place} ({admin}).",
    "{n} civilians were killed and {m} others injured.",
    "According to local sources, the attack left {n} dead, including {m} children.",
    "Fatalities are coded as {n} as reports mention 'several' killed.",
    "[size=no report]",
    "[size=around {n}0]",
    "[women targeted: candidates for political office]",
    "The group claimed responsibility in a statement posted on Telegram on {date}.",
    "Local sources reported heavy shelling near the {place} checkpoint, and {n} houses were "
    "destroyed.",
    "Demonstrators gathered in front of the governor's office in {place} to demand the release "
    "of {m} detained activists.",
    "Security forces dispersed the crowd with tear gas and live ammunition, wounding {n}.",
    "Unknown gunmen abducted {n} people travelling between {place} and {place2}.",
    "Property destroyed: {n} shops, a school and the market of {place}.",
    "This event is part of a series of clashes reported between {date} and {date2}.",
    "{actor} recaptured {place} after {n} days of fighting with {actor2}.",
    "Casualties unknown.",
    "A roadside IED struck a vehicle carrying {actor} near {place}; {n} were killed.",
    "Farmers and herders clashed over grazing land in {place} ({admin}), leaving {n} dead.",
    "The body of a man shot dead by {actor} was found in {place} on {date}.",
    "Teachers went on strike in {place} over {m} months of unpaid salaries.",
    "Residents blocked the road to {place2} after a {n}-year-old boy was killed.",
    "Reports indicate that {actor2} fired {n} rockets at {place} around {m}:00.",
    "Members of {actor} looted livestock and burned {n} huts in {place}.",
    "The army said {n} militants were killed; the figure could not be verified.",
)
_NON_ASCII_SNIPPETS = (
    "«قصف عنيف على الحي»",
    "شهداء وجرحى",
    "وقتل مدنيون",
    "обстріл села",
    "погибли мирные жители",
    "Forças Armadas",
    "São Félix",
    "Zoé",
    "Ḩamāh",
    "Đắk Lắk",
    "Gaziantep'te çatışma",
    "Kharkiv’s",
    "Sahel—Ménaka",
    "«Pas de justice, pas de paix»",
    "🔥",
    "🙏",
    "💔",
    "Ministère de la Défense",
    "Dörtyol",
    "Łódź",
)
_MIXED_SENTENCES = (
    'On {date}, {actor} {verb} {place} ({admin}), residents wrote "{x}".',
    "A video posted on social media showed {n} wounded people ({x}).",
    'Local outlets quoted a witness: "{x}", after {n} were killed in {place}.',
    'Protesters in {place} chanted "{x}" and burned tyres.',
    "The statement of {actor} mentioned {x} and {n} prisoners.",
    "[size=around {n}0] Slogans: {x}.",
    "Fighting reached the outskirts of {place} ({x}), with {n} fatalities reported.",
)
_IMPORTERS = ("ACLED", "UCDP")
_EXTRACTORS = {
    "import": (
        "curate import acled 2025-03-14",
        "curate import acled 2024-11-01",
        "curate import ucdp-ged 24.1",
        "curate import ucdp-ged 25.0.10",
    ),
    "manual": tuple(f"curator-{i:02d}" for i in range(30)),
    "model": (
        "claude-sonnet-4 extraction 3",
        "gpt-4o-2024-08-06 extraction 2",
        "gemini-2.0-flash extraction 1",
    ),
    "rule": ("rules 2.1", "rules 2.2"),
}
_PUBLISHERS = (
    # (name, domain, language, script of its titles)
    ("Reuters", "reuters.com", "en", "en"),
    ("Agence France-Presse", "afp.com", "en", "en"),
    ("Associated Press", "apnews.com", "en", "en"),
    ("Al Jazeera", "aljazeera.com", "en", "en"),
    ("BBC Monitoring", "monitoring.bbc.co.uk", "en", "en"),
    ("Syrian Observatory for Human Rights", "syriahr.com", "en", "en"),
    ("Premium Times", "premiumtimesng.com", "en", "en"),
    ("Daily Trust", "dailytrust.com", "en", "en"),
    ("The Hindu", "thehindu.com", "en", "en"),
    ("Dawn", "dawn.com", "en", "en"),
    ("Sudan Tribune", "sudantribune.com", "en", "en"),
    ("Xinhua", "xinhuanet.com", "en", "en"),
    ("الجزيرة", "aljazeera.net", "ar", "ar"),
    ("عنب بلدي", "enabbaladi.net", "ar", "ar"),
    ("Українська правда", "pravda.com.ua", "uk", "uk"),
    ("Новая газета", "novayagazeta.ru", "ru", "ru"),
    ("Le Monde", "lemonde.fr", "fr", "fr"),
    ("Studio Tamani", "studiotamani.org", "fr", "fr"),
    ("El Universal", "eluniversal.com.mx", "es", "es"),
    ("El Tiempo", "eltiempo.com", "es", "es"),
    ("Folha de S.Paulo", "folha.uol.com.br", "pt", "pt"),
    ("Twitter", "twitter.com", "en", "en"),
    ("Telegram", "t.me", "ru", "ru"),
    ("Local Source", "example.org", "en", "en"),
)
_HEADLINES = {
    "en": (
        "{n} killed in {place} as gunmen attack village",
        "Air strikes hit {place}, monitor says",
        "Protesters rally in {place} over fuel prices",
        "Gunmen abduct {n} near {place}",
        "Clashes erupt near {place}; dozens wounded",
        "Army says it retook {place} from rebels",
    ),
    "ar": ("مقتل {n} مدنيين في قصف على {place}", "اشتباكات عنيفة في محيط {place}"),
    "uk": ("Обстріл {place}: загинули {n} людей", "Вибухи у {place}"),
    "ru": ("В {place} погибли {n} человек", "Обстрел {place} продолжается"),
    "fr": (
        "{n} morts dans une attaque près de {place}",
        "Manifestation à {place} contre la vie chère",
    ),
    "es": (
        "Enfrentamientos en {place} dejan {n} muertos",
        "Marcha en {place} por los desaparecidos",
    ),
    "pt": ("Confronto em {place} deixa {n} mortos", "Protesto em {place} termina em violência"),
}
_SECTIONS = ("news", "world/africa", "middle-east", "article", "politics", "en/news", "regions")
_CLAIMANTS = (
    # (claimant, claimant_type, may be partisan)
    ("Syrian Observatory for Human Rights", "monitor", False),
    ("Local activists", "local_activist", False),
    ("Hospital director", "medical", False),
    ("Residents", "witness", False),
    ("A witness", "witness", False),
    ("Ministry of Interior", "government", True),
    ("Army spokesman", "government", True),
    ("Group spokesman", "armed_group", True),
    ("UN OCHA", "international_org", False),
    ("ICRC", "international_org", False),
    ("A local journalist", "journalist", False),
    ("Police", "government", True),
    ("Médecins Sans Frontières", "international_org", False),
    ("Unnamed source", "unknown", False),
)


@dataclass(frozen=True)
class Kind:
    """One way a planted row is invalid: its name and the issues it must raise."""

    name: str
    issues: tuple[str, ...]
    severity: str = "error"


KINDS = (
    Kind("unknown-event-type", ("enum", "rule:sub-event-type-in-event-type")),
    Kind("negative-count", ("range",)),
    Kind("text-control", ("text-control",), "warning"),
    Kind("bad-id", ("pattern",)),
    Kind("date-order", ("rule:date-order",)),
    Kind("confidence-below-zero", ("range",)),
    Kind("unpaired-coordinates", ("rule:coordinates-paired",)),
    Kind("sub-type-mismatch", ("rule:sub-event-type-in-event-type",)),
    Kind("unknown-country", ("enum",)),
    Kind("missing-actor", ("required",)),
    Kind("repeated-id", ("unique", "unique")),  # reported on both rows
)
_CONTROLS = ("\u200b", "\u202e", "\x07", "\ufeff")


@dataclass(frozen=True)
class Planted:
    """The planted invalid rows of `events(rows, invalid_fraction=..., seed=...)`: the
    kind of each row (an index into KINDS, -1 for a valid row)."""

    kinds: np.ndarray

    def rows(self, severity: str = "error") -> int:
        """How many rows hold a planted problem of `severity`."""
        return len(self.indices(severity))

    def indices(self, severity: str = "error") -> np.ndarray:
        """The 0-based rows holding a planted problem of `severity`."""
        wanted = [i for i, k in enumerate(KINDS) if k.severity == severity]
        return np.flatnonzero(np.isin(self.kinds, wanted))

    def rejected(self) -> int:
        """How many rows a validation must reject: the rows with a planted error, and the
        rows whose id a repeated id repeats (a repeated key is reported on both rows)."""
        repeated = np.flatnonzero(self.kinds == _kind("repeated-id"))
        return len(np.union1d(self.indices("error"), repeated - 1))

    def counts(self) -> dict[str, int]:
        """The issue count per report code that the planted rows must raise."""
        counts: dict[str, int] = {}
        for index, kind in enumerate(KINDS):
            rows = int((self.kinds == index).sum())
            for code in kind.issues:
                if rows:
                    counts[code] = counts.get(code, 0) + rows
        return counts


def planted(rows: int, *, invalid_fraction: float, seed: int = SEED, first_id: int = 0) -> Planted:
    """Which rows of those `events` makes are broken, and how (cheap: no text built)."""
    rng = np.random.default_rng([seed, first_id, 1])
    broken = rng.random(rows) < invalid_fraction
    kinds = np.where(broken, rng.integers(0, len(KINDS), rows), -1)
    # A repeated id repeats the previous row's, which must be a good id of its own.
    repeated, changes_id = (
        _kind("repeated-id"),
        np.isin(kinds, [_kind("bad-id"), _kind("repeated-id")]),
    )
    previous_changes_id = np.concatenate([[True], changes_id[:-1]])
    kinds = np.where((kinds == repeated) & previous_changes_id, _kind("negative-count"), kinds)
    return Planted(kinds)


def _kind(name: str) -> int:
    return next(i for i, k in enumerate(KINDS) if k.name == name)


@dataclass(frozen=True)
class _World:
    """The seeded tables every chunk draws from: places, actors and the text corpora."""

    places: pl.DataFrame  # country_iso3, admin1, admin2, location, latitude, longitude
    ascii_places: np.ndarray
    ascii_place_weights: np.ndarray
    other_places: np.ndarray
    other_place_weights: np.ndarray
    actors: pl.DataFrame  # name, type
    ascii_actors: np.ndarray
    ascii_actor_weights: np.ndarray
    other_actors: np.ndarray
    other_actor_weights: np.ndarray
    corpus: str  # ASCII sentences
    corpus_starts: np.ndarray
    mixed: str  # sentences each holding non-ASCII text
    mixed_starts: np.ndarray


def _names(rng: np.random.Generator, count: int, forms: tuple[str, ...]) -> list[str]:
    """`count` distinct made-up names from syllables, each in one of `forms`."""
    syllables = pl.Series(_SYLLABLES)
    parts = [form.split("{}") for form in forms]
    prefixes, suffixes = pl.Series([p[0] for p in parts]), pl.Series([p[1] for p in parts])
    names = pl.Series([], dtype=pl.String)
    while len(names) < count:
        size = 2 * count + 16
        picked = [syllables.gather(rng.integers(0, len(_SYLLABLES), size)) for _ in range(3)]
        third = pl.Series(rng.random(size) < 0.5)
        stem = (
            picked[0]
            + picked[1]
            + pl.select(pl.when(third).then(picked[2]).otherwise(pl.lit(""))).to_series()
        )
        stem = stem.str.slice(0, 1).str.to_uppercase() + stem.str.slice(1)
        which = rng.integers(0, len(forms), size)
        made = prefixes.gather(which) + stem + suffixes.gather(which)
        names = pl.concat([names, made]).unique(maintain_order=True)
    return names.head(count).to_list()


def _non_ascii(name: str, script: str, pick: float) -> str:
    """`name` in another script or with diacritics; always holding a non-ASCII letter."""
    if script == "cyrillic" and pick < 0.7:
        text = name.translate(_CYRILLIC)
    elif script == "arabic" and pick < 0.4:
        text = name.translate(_ARABIC)
    else:
        text = name.translate(_DIACRITICS)
    return text if not text.isascii() else text + "é"


def _weights(rng: np.random.Generator, count: int) -> np.ndarray:
    weights: np.ndarray = rng.lognormal(0.0, 1.5, count)
    shares: np.ndarray = weights / weights.sum()
    return shares


def _sentences(
    rng: np.random.Generator,
    count: int,
    templates: tuple[str, ...],
    places: list[str],
    actors: list[str],
    snippets: tuple[str, ...] = ("",),
) -> tuple[str, np.ndarray]:
    """A corpus of `count` sentences from `templates` with dates, numbers and names
    spliced in (vectorised, template by template), and the offset where each starts."""

    def drawn(values: list[str] | tuple[str, ...]) -> pl.Series:
        return pl.Series(list(values)).gather(rng.integers(0, len(values), count))

    day0 = np.datetime64("1997-01-01")
    fields = (
        pl.DataFrame(
            {
                "date": pl.Series(day0 + rng.integers(0, 10_500, count).astype("timedelta64[D]")),
                "date2": pl.Series(day0 + rng.integers(0, 10_500, count).astype("timedelta64[D]")),
                "n": rng.geometric(0.15, count),
                "m": rng.geometric(0.15, count),
                "place": drawn(places),
                "place2": drawn(places),
                "admin": drawn(places),
                "actor": drawn(actors),
                "actor2": drawn(actors),
                "verb": drawn(_VERBS),
                "x": drawn(snippets),
                "template": rng.integers(0, len(templates), count),
            }
        )
        .with_row_index("row")
        .with_columns(
            pl.col("date", "date2").dt.strftime("%-d %B %Y"), pl.col("n", "m").cast(pl.String)
        )
    )
    pieces = []
    for index, template in enumerate(templates):
        parts: list[pl.Expr] = []
        for literal, field, _, _ in string.Formatter().parse(template):
            parts.append(pl.lit(literal))
            if field:
                parts.append(pl.col(field))
        pieces.append(
            fields.filter(pl.col("template") == index).select(
                "row", pl.concat_str(parts).alias("text")
            )
        )
    text = pl.concat(pieces).sort("row").get_column("text")
    lengths = (text.str.len_chars() + 1).to_numpy().astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return " ".join(text.to_list()) + " ", starts


@functools.cache
def _world(seed: int) -> _World:
    rng = np.random.default_rng([seed, 0])
    countries = len(_COUNTRIES)
    admin1 = _names(rng, _ADMIN1, ("{}",))
    admin2 = _names(rng, _ADMIN2, ("{}", "{}", "{} District", "{} Centre"))
    location = _names(rng, _LOCATIONS, _PLACE_FORMS)
    # Location i lies in admin2 i % 5000, admin2 k in admin1 k % 300, admin1 j in country
    # j % 30; the admin1 units j >= 240 (and all under them) have non-ASCII names.
    loc = np.arange(_LOCATIONS)
    a2 = loc % _ADMIN2
    a1 = a2 % _ADMIN1
    country = a1 % countries
    other = a1 >= 0.8 * _ADMIN1
    picks = rng.random((_LOCATIONS, 3))
    script = [_COUNTRIES[c][4] for c in country]

    def spelled(names: list[str], index: np.ndarray, column: int) -> list[str]:
        # One spelling per unit: the script pick goes by the unit's own index.
        return [
            _non_ascii(names[i], script[n], picks[i, column]) if other[n] else names[i]
            for n, i in enumerate(index)
        ]

    centre = np.array([(c[2], c[3]) for c in _COUNTRIES])[country]
    jitter = rng.normal(0.0, 2.0, (_LOCATIONS, 2))
    places = pl.DataFrame(
        {
            "country_iso3": [_COUNTRIES[c][0] for c in country],
            "admin1": spelled(admin1, a1, 0),
            "admin2": pl.Series(spelled(admin2, a2, 1)).set(pl.Series(a2 % 5 < 2), None),
            "location": spelled(location, loc, 2),
            "latitude": np.round(np.clip(centre[:, 0] + jitter[:, 0], -89.9, 89.9), 4),
            "longitude": np.round(np.clip(centre[:, 1] + jitter[:, 1], -179.9, 179.9), 4),
        }
    )
    actors = _actors(rng)
    other_actor = np.array([not n.isascii() for n in actors.get_column("name").to_list()])
    place_names = places.get_column("location").to_list()
    ascii_names = [place_names[i] for i in np.flatnonzero(~other)]
    actor_names = actors.get_column("name").to_list()
    ascii_actor_names = [actor_names[i] for i in np.flatnonzero(~other_actor)]
    corpus, corpus_starts = _sentences(
        rng, 250_000, _ASCII_SENTENCES, ascii_names, ascii_actor_names
    )
    other_names = [place_names[i] for i in np.flatnonzero(other)]
    mixed, mixed_starts = _sentences(
        rng, 60_000, _MIXED_SENTENCES, other_names, actor_names, _NON_ASCII_SNIPPETS
    )
    ascii_places, other_places = np.flatnonzero(~other), np.flatnonzero(other)
    ascii_actors, other_actors = np.flatnonzero(~other_actor), np.flatnonzero(other_actor)
    return _World(
        places,
        ascii_places,
        _weights(rng, len(ascii_places)),
        other_places,
        _weights(rng, len(other_places)),
        actors,
        ascii_actors,
        _weights(rng, len(ascii_actors)),
        other_actors,
        _weights(rng, len(other_actors)),
        corpus,
        corpus_starts,
        mixed,
        mixed_starts,
    )


def _actors(rng: np.random.Generator) -> pl.DataFrame:
    """About 3,000 actors named as ACLED names them, 10 % with non-ASCII names."""
    rows: dict[str, str] = {}
    for _, name, *_ in _COUNTRIES:
        for start, end in (("2000", "2011"), ("2011", "2021"), ("2021", "")):
            rows[f"Military Forces of {name} ({start}-{end})"] = "state_forces"
            rows[f"Police Forces of {name} ({start}-{end})"] = "state_forces"
        rows[f"Islamic State ({name})"] = "rebel_group"
    for name in (
        "UN: United Nations",
        "NATO: North Atlantic Treaty Organization",
        "Wagner Group",
        "African Union Mission in Somalia (AMISOM)",
    ):
        rows[name] = "external_forces"
    stems = _names(rng, 3_300, ("{}",))
    types = list(_GROUP_FORMS)
    chosen = rng.choice(len(types), len(stems), p=[0.2, 0.2, 0.3, 0.06, 0.08, 0.08, 0.04, 0.04])
    where = rng.integers(0, len(_COUNTRIES), len(stems))
    form = rng.integers(0, 5, len(stems))
    foreign = rng.random(len(stems)) < 0.1
    for stem, t, c, f, non_ascii in zip(stems, chosen, where, form, foreign, strict=True):
        forms = _GROUP_FORMS[types[t]]
        named = stem.translate(_DIACRITICS) if non_ascii else stem
        rows.setdefault(forms[f % len(forms)].format(named, c=_COUNTRIES[c][1]), types[t])
    return pl.DataFrame({"name": list(rows), "type": list(rows.values())})


def _texts(
    world: _World, other: np.ndarray, rng: np.random.Generator, lengths: np.ndarray
) -> pl.Series:
    """Corpus slices of `lengths` characters, each starting at a sentence: from the
    non-ASCII corpus where `other`, else from the ASCII one."""
    starts = np.where(
        other,
        world.mixed_starts[rng.integers(0, len(world.mixed_starts), len(other))],
        world.corpus_starts[rng.integers(0, len(world.corpus_starts), len(other))],
    )
    corpora = (world.corpus, world.mixed)
    return pl.Series(
        [
            corpora[o][s : s + n]
            for o, s, n in zip(other.tolist(), starts.tolist(), lengths.tolist(), strict=True)
        ],
        dtype=pl.String,
    )


def events(
    rows: int, *, invalid_fraction: float = 0.0, seed: int = SEED, first_id: int = 0
) -> pl.DataFrame:
    """`rows` realistic events in schema order, ids from `first_id`; the rows `planted`
    names break one check each. The same arguments give the same frame."""
    world = _world(seed)
    rng = np.random.default_rng([seed, first_id, 0])
    schema = load_schema()
    taxonomy = [(t.parent, t.value) for t in schema.vocabularies["sub_event_types"].terms]
    weights = np.array([_SUB_WEIGHTS.get(sub, 0.6) for _, sub in taxonomy])
    kind = rng.choice(len(taxonomy), rows, p=weights / weights.sum())
    other = rng.random(rows) < NON_ASCII_SHARE
    place = np.where(
        other,
        rng.choice(world.other_places, rows, p=world.other_place_weights),
        rng.choice(world.ascii_places, rows, p=world.ascii_place_weights),
    )
    any_actor = rng.random(rows) < 0.4
    actor_pick = np.where(
        other[:, None] & any_actor[:, None],
        rng.choice(len(world.actors), (rows, 2)),
        rng.choice(world.ascii_actors, (rows, 2), p=world.ascii_actor_weights),
    )
    has_actor2 = rng.random(rows) < 0.34
    where = world.places[place]
    actor1 = world.actors[actor_pick[:, 0]]
    actor2 = world.actors[actor_pick[:, 1]]

    # Dates: more events in recent years; a day, a week, a month or a year.
    day0 = np.datetime64("1997-01-01")
    starts = day0 + (rng.beta(2.0, 1.0, rows) * 10_400).astype("timedelta64[D]")
    precision = rng.choice(["day", "week", "month", "year"], rows, p=[0.82, 0.1, 0.06, 0.02])
    span = rng.integers(1, 7, rows)
    texted = rng.random(rows)
    relative = (precision == "day") & (texted < 0.03)

    # Casualties: a best figure for 70 %, ACLED's many zeros, a heavy tail; UCDP-like
    # low and high for some, "at least" (low only) for some unknown bests.
    known = rng.random(rows) < 0.7
    best = np.where(rng.random(rows) < 0.5, 0, np.minimum(rng.pareto(1.1, rows) * 2 + 1, 5_000))
    best = best.astype(np.int64)
    ranged = known & (rng.random(rows) < 0.3)
    low = best - (best * rng.random(rows) * 0.5).astype(np.int64)
    high = best + (best * rng.random(rows) * 1.5).astype(np.int64) + rng.integers(0, 3, rows)
    at_least = ~known & (rng.random(rows) < 0.15)
    injured = rng.random(rows) < 0.25
    injuries = rng.geometric(0.2, rows) - 1
    sources = np.minimum(rng.geometric(0.5, rows), 8)
    confidence = np.round(rng.beta(4.0, 2.0, rows), 2)
    confidence = np.where(sources == 1, np.minimum(confidence, 0.79), confidence)
    method = rng.choice(list(_EXTRACTORS), rows, p=[0.7, 0.15, 0.1, 0.05])
    extractor = [
        _EXTRACTORS[m][i % len(_EXTRACTORS[m])]
        for m, i in zip(method.tolist(), rng.integers(0, 60, rows).tolist(), strict=True)
    ]
    geo = rng.choice(
        ["point", "locality", "admin2", "admin1", "country"], rows, p=[0.1, 0.6, 0.15, 0.11, 0.04]
    )

    # Notes: an opening naming the date, actor and place, then corpus text; about 3 % empty.
    lengths = np.clip(rng.lognormal(np.log(150), 1.48, rows), 30, 20_000).astype(np.int64)
    body = _texts(world, other, rng, lengths)
    has_notes = other | (rng.random(rows) < 0.97)
    importer = rng.integers(0, len(_IMPORTERS), rows)

    frame = pl.DataFrame(
        {
            "event_id": ids("ev-", first_id, rows, 9),
            "revision": np.where(rng.random(rows) < 0.8, 1, rng.integers(2, 6, rows)),
            "status": np.where(rng.random(rows) < 0.03, "retracted", "active"),
            "superseded_by": pl.Series([None] * rows, dtype=pl.String),
            "start": starts,
            "precision": precision,
            "span": span,
            "texted": texted,
            "relative": relative,
            "country_iso3": where.get_column("country_iso3"),
            "place_admin1": where.get_column("admin1"),
            "admin2": where.get_column("admin2"),
            "place": where.get_column("location"),
            "latitude": where.get_column("latitude") + rng.normal(0, 0.01, rows).round(4),
            "longitude": where.get_column("longitude"),
            "geo_precision": geo,
            "event_type": [taxonomy[i][0] for i in kind],
            "sub_event_type": [taxonomy[i][1] for i in kind],
            "actor1": actor1.get_column("name"),
            "actor1_type": actor1.get_column("type"),
            "has_actor2": has_actor2,
            "other_actor": actor2.get_column("name"),
            "other_type": actor2.get_column("type"),
            "attribution": rng.choice(
                ["confirmed", "claimed", "alleged", "disputed", "unknown"],
                rows,
                p=[0.35, 0.15, 0.3, 0.05, 0.15],
            ),
            "targeting": rng.random(rows),
            "fatalities_low": np.where(ranged | at_least, np.where(at_least, best, low), -1),
            "fatalities_best": np.where(known, best, -1),
            "fatalities_high": np.where(ranged, high, -1),
            "injuries_low": np.where(injured & (injuries > 3), injuries // 2, -1),
            "injuries_best": np.where(injured, injuries, -1),
            "injuries_high": np.full(rows, -1),
            "confidence": confidence,
            "source_count": sources,
            "extraction_method": method,
            "extractor": extractor,
            "extracted_at": np.datetime64("2026-01-01T00:00:00", "us")
            + rng.integers(0, 300 * 86_400 * 10**6, rows).astype("timedelta64[us]"),
            "body": body,
            "has_notes": has_notes,
            "verb": rng.choice(_VERBS, rows),
            "importer": [_IMPORTERS[i] for i in importer],
            "region": rng.choice(
                [
                    "Middle East",
                    "Western Africa",
                    "Eastern Africa",
                    "South Asia",
                    "Eastern Europe",
                    "Central America",
                    "South America",
                ],
                rows,
            ),
            "scale": rng.choice(
                ["National", "Subnational", "International", "Local partner-National"], rows
            ),
            "stamp": rng.integers(1_600_000_000, 1_750_000_000, rows),
        }
    )
    del body
    frame = frame.with_columns(null_where_negative(COUNTS)).with_columns(_derived())
    return _plant(
        typed(frame, "events"),
        planted(rows, invalid_fraction=invalid_fraction, seed=seed, first_id=first_id),
        rng,
    )


def _derived() -> list[pl.Expr]:
    """The columns built from the drawn ones: dates and their text, geography by precision,
    actor2, civilian targeting and the notes."""
    start, precision = pl.col("start"), pl.col("precision")
    month, year = start.dt.month_start(), start.dt.truncate("1y")
    date_start = (
        pl.when(precision == "month")
        .then(month)
        .when(precision == "year")
        .then(year)
        .otherwise(start)
    )
    date_end = (
        pl.when(precision == "day")
        .then(start)
        .when(precision == "week")
        .then(start + pl.duration(days=pl.col("span")))
        .when(precision == "month")
        .then(start.dt.month_end())
        .otherwise(year.dt.offset_by("1y").dt.offset_by("-1d"))
    )
    texted = pl.col("texted")
    date_text = (
        pl.when(pl.col("relative"))
        .then(pl.lit("on ") + start.dt.strftime("%A"))
        .when((precision == "week") & (texted < 0.6))
        .then(
            pl.lit("between ")
            + start.dt.strftime("%-d %B")
            + pl.lit(" and ")
            + (start + pl.duration(days=pl.col("span"))).dt.strftime("%-d %B %Y")
        )
        .when((precision == "month") & (texted < 0.2))
        .then(pl.lit("early ") + start.dt.strftime("%B %Y"))
        .when((precision == "month") & (texted < 0.4))
        .then(pl.lit("mid-") + start.dt.strftime("%B %Y"))
        .when((precision == "month") & (texted < 0.6))
        .then(pl.lit("late ") + start.dt.strftime("%B %Y"))
        .when((precision == "year") & (texted < 0.5))
        .then(pl.lit("in ") + start.dt.strftime("%Y"))
    )
    geo = pl.col("geo_precision")
    coarse = geo.is_in(["admin1", "country"])
    actor2 = pl.col("has_actor2")
    civilians = pl.col("other_type") == "civilians"
    opening = pl.concat_str(
        [
            pl.lit("On "),
            start.dt.strftime("%-d %B %Y"),
            pl.lit(", "),
            pl.col("actor1"),
            pl.lit(" "),
            pl.col("verb"),
            pl.lit(" "),
            pl.col("place"),
            pl.lit(" ("),
            pl.col("place_admin1"),
            pl.lit("). "),
        ]
    )
    fields = pl.concat_str(
        [
            pl.lit("\n\n"),
            pl.col("importer"),
            pl.lit(' fields: {"region":"'),
            pl.col("region"),
            pl.lit('","source_scale":"'),
            pl.col("scale"),
            pl.lit('","timestamp":"'),
            pl.col("stamp").cast(pl.String),
            pl.lit('"}'),
        ]
    )
    notes = (
        opening
        + pl.col("body")
        + pl.when(pl.col("extraction_method") == "import").then(fields).otherwise(pl.lit(""))
    )
    return [
        date_start.alias("date_start"),
        date_end.alias("date_end"),
        precision.alias("date_precision"),
        date_text.alias("date_text"),
        pl.when(pl.col("relative"))
        .then(start + pl.duration(days=(texted * 200).cast(pl.Int64) % 6 + 1))
        .alias("date_anchor"),
        pl.when(geo != "country").then(pl.col("place_admin1")).alias("admin1"),
        pl.when(~coarse).then(pl.col("admin2")).alias("admin2"),
        pl.when(~coarse).then(pl.col("place")).alias("location"),
        pl.when(geo != "country").then(pl.col("latitude")).alias("latitude"),
        pl.when(geo != "country").then(pl.col("longitude")).alias("longitude"),
        pl.when(actor2).then(pl.col("other_actor")).alias("actor2"),
        pl.when(actor2).then(pl.col("other_type")).alias("actor2_type"),
        pl.when(actor2 & civilians)
        .then(True)
        .when(pl.col("targeting") < 0.05)
        .then(False)
        .alias("civilian_targeting"),
        pl.when(pl.col("has_notes")).then(notes).alias("notes"),
    ]


def _plant(frame: pl.DataFrame, plan: Planted, rng: np.random.Generator) -> pl.DataFrame:
    """Break the planted rows, each in its kind's one way."""
    if not (plan.kinds >= 0).any():
        return frame
    kinds = pl.Series(plan.kinds)

    def rows(name: str) -> pl.Expr:
        return pl.lit(kinds == _kind(name))

    control = pl.Series(rng.choice(_CONTROLS, len(kinds)))
    bad_id = pl.lit("ev ") + pl.col("event_id").str.slice(3)
    notes = pl.col("notes").fill_null("Clashes were reported")
    return frame.with_columns(
        pl.when(rows("bad-id"))
        .then(bad_id)
        .when(rows("repeated-id"))
        .then(pl.col("event_id").shift(1))
        .otherwise(pl.col("event_id"))
        .alias("event_id"),
        pl.when(rows("unknown-event-type"))
        .then(pl.lit("Airstrike"))
        .when(rows("sub-type-mismatch"))
        .then(pl.lit("Battles"))
        .otherwise(pl.col("event_type"))
        .alias("event_type"),
        pl.when(rows("sub-type-mismatch"))
        .then(pl.lit("Peaceful protest"))
        .when(rows("unknown-event-type"))
        .then(pl.lit("Air/drone strike"))
        .otherwise(pl.col("sub_event_type"))
        .alias("sub_event_type"),
        pl.when(rows("negative-count"))
        .then(-pl.col("fatalities_best").fill_null(0) - 1)
        .otherwise(pl.col("fatalities_best"))
        .alias("fatalities_best"),
        pl.when(~rows("negative-count")).then(pl.col("fatalities_low")).alias("fatalities_low"),
        pl.when(~rows("negative-count")).then(pl.col("fatalities_high")).alias("fatalities_high"),
        pl.when(rows("text-control"))
        .then(notes.str.slice(0, 20) + pl.lit(control) + notes.str.slice(20))
        .otherwise(pl.col("notes"))
        .alias("notes"),
        pl.when(rows("date-order"))
        .then(pl.col("date_start") - pl.duration(days=3))
        .otherwise(pl.col("date_end"))
        .alias("date_end"),
        pl.when(rows("confidence-below-zero"))
        .then(pl.lit(-0.25))
        .otherwise(pl.col("confidence"))
        .alias("confidence"),
        pl.when(rows("unpaired-coordinates"))
        .then(pl.col("latitude").fill_null(10.0))
        .otherwise(pl.col("latitude"))
        .alias("latitude"),
        pl.when(~rows("unpaired-coordinates")).then(pl.col("longitude")).alias("longitude"),
        pl.when(rows("unknown-country"))
        .then(pl.lit("ZZZ"))
        .otherwise(pl.col("country_iso3"))
        .alias("country_iso3"),
        pl.when(~rows("missing-actor")).then(pl.col("actor1")).alias("actor1"),
    )


def dataset(
    events_count: int, sources_count: int, *, seed: int = SEED, first_id: int = 0
) -> dict[str, pl.DataFrame]:
    """Valid events with their claims and `sources_count` sources (at least 8), as
    `benchmarks/generate.dataset` but realistic: event i rests on one claim from each of
    its `source_count` distinct sources, plus, for a fifth of events, a second claim
    from its first source."""
    world = _world(seed)
    frame = events(events_count, seed=seed, first_id=first_id)
    rng = np.random.default_rng([seed, first_id, 2])
    count = frame.get_column("source_count").to_numpy()
    extra = rng.random(events_count) < 0.2
    per_event = count + extra
    total = int(per_event.sum())
    event = np.repeat(np.arange(events_count), per_event)
    position = np.arange(total) - np.repeat(np.cumsum(per_event) - per_event, per_event)
    # Sources base + j * stride (mod S) are distinct for j < 8 while stride <= S // 8.
    base = rng.integers(0, sources_count, events_count)
    stride = rng.integers(1, max(sources_count // 8, 1) + 1, events_count)
    j = np.where(position < count[event], position, 0)
    source = (base[event] + j * stride[event]) % sources_count
    claimant = rng.integers(0, len(_CLAIMANTS), total)
    subject = np.where(
        position == 0,
        "occurrence",
        rng.choice(
            [
                "occurrence",
                "fatalities",
                "injuries",
                "perpetrator",
                "target",
                "victims",
                "location",
                "date",
            ],
            total,
            p=[0.4, 0.25, 0.1, 0.1, 0.05, 0.05, 0.03, 0.02],
        ),
    )
    counted = np.isin(subject, ["fatalities", "injuries", "victims"])
    qualifier = np.where(
        counted,
        rng.choice(
            ["exact", "about", "at_least", "at_most", "between"],
            total,
            p=[0.35, 0.2, 0.3, 0.05, 0.1],
        ),
        "unquantified",
    )
    value = rng.geometric(0.1, total).astype(np.float64)
    spread = value + rng.integers(1, 20, total)
    low = np.where(np.isin(qualifier, ["exact", "about", "at_least", "between"]), value, np.nan)
    high = np.where(qualifier == "between", spread, np.where(qualifier == "at_most", value, np.nan))
    other = rng.random(total) < NON_ASCII_SHARE
    quotes = _texts(world, other, rng, rng.integers(50, 401, total))
    partisan = np.array([c[2] for c in _CLAIMANTS])[claimant] & ~np.isin(
        subject, ["fatalities", "injuries"]
    )
    claims = pl.DataFrame(
        {
            "claim_id": ids("cl-", 9 * first_id, total, 11),
            "event_id": frame.get_column("event_id").gather(event),
            "source_id": ("src-" + pl.Series(source).cast(pl.String).str.zfill(9)),
            "claimant": [_CLAIMANTS[c][0] for c in claimant],
            "claimant_type": [_CLAIMANTS[c][1] for c in claimant],
            "partisan": partisan,
            "subject": subject,
            "qualifier": qualifier,
            "value_low": pl.Series(low).fill_nan(None),
            "value_high": pl.Series(high).fill_nan(None),
            "value_text": (
                pl.Series(qualifier).str.replace("_", " ")
                + " "
                + pl.Series(value.astype(np.int64)).cast(pl.String)
            ).set(pl.Series(~counted), None),
            "hedge": rng.choice(
                ["asserted", "reported", "claimed", "unverified"], total, p=[0.3, 0.45, 0.15, 0.1]
            ),
            "quote": quotes.set(pl.Series(rng.random(total) < 0.15), None),
            "adopted": rng.random(total) < 0.9,
        }
    )
    return {
        "events": frame,
        "claims": typed(claims, "claims"),
        "sources": _sources(world, rng, sources_count),
    }


def _sources(world: _World, rng: np.random.Generator, count: int) -> pl.DataFrame:
    """Publishers, dated URLs with paths and query strings, headlines in the publisher's
    language, languages, retrieval times and some content hashes."""
    publisher = rng.choice(len(_PUBLISHERS), count)
    published = np.datetime64("1997-01-01") + rng.integers(0, 10_500, count).astype(
        "timedelta64[D]"
    )
    names = world.places.get_column("location").to_list()
    place = rng.integers(0, len(names), count)
    number = rng.geometric(0.15, count)
    form = rng.integers(0, 6, count)
    titles = [
        _HEADLINES[_PUBLISHERS[p][3]][f % len(_HEADLINES[_PUBLISHERS[p][3]])].format(
            n=n, place=names[i]
        )
        for p, f, n, i in zip(
            publisher.tolist(), form.tolist(), number.tolist(), place.tolist(), strict=True
        )
    ]
    slugs = [
        f"{_VERBS[v].split()[0]}-{names[i].lower().encode('ascii', 'ignore').decode() or 'x'}"
        for v, i in zip(rng.integers(0, len(_VERBS), count).tolist(), place.tolist(), strict=True)
    ]
    hashes = rng.integers(0, 2**63, (count, 4))
    frame = pl.DataFrame(
        {
            "source_id": ids("src-", 0, count, 9),
            "publisher": [_PUBLISHERS[p][0] for p in publisher],
            "domain": [_PUBLISHERS[p][1] for p in publisher],
            "section": rng.choice(_SECTIONS, count),
            "published_on": published,
            "slug": pl.Series(slugs).str.replace_all(r"[^a-z0-9]+", "-"),
            "article": rng.integers(10_000, 99_999_999, count),
            "query": rng.choice(
                ["", "?utm_source=rss&utm_medium=feed", "?ref=home&id=", "?lang=en&page=2", "?s="],
                count,
            ),
            "title": pl.Series(titles).set(pl.Series(rng.random(count) < 0.1), None),
            "language": [_PUBLISHERS[p][2] for p in publisher],
            "retrieved": rng.random(count) < 0.6,
            "delay": rng.integers(0, 400 * 86_400, count),
            "content_sha256": [
                f"{a:016x}{b:016x}{c:016x}{d:016x}" for a, b, c, d in hashes.tolist()
            ],
            "hashed": rng.random(count) < 0.5,
        }
    )
    return typed(
        frame.with_columns(
            pl.concat_str(
                [
                    pl.lit("https://www."),
                    pl.col("domain"),
                    pl.lit("/"),
                    pl.col("section"),
                    pl.lit("/"),
                    pl.col("published_on").dt.strftime("%Y/%m/%d"),
                    pl.lit("/"),
                    pl.col("slug"),
                    pl.lit("-"),
                    pl.col("article").cast(pl.String),
                    pl.col("query"),
                ]
            ).alias("url"),
            pl.when(pl.col("retrieved"))
            .then(
                pl.col("published_on").cast(pl.Datetime("us", "UTC"))
                + pl.duration(seconds=pl.col("delay"))
            )
            .alias("retrieved_at"),
            pl.when(pl.col("hashed")).then(pl.col("content_sha256")).alias("content_sha256"),
        ),
        "sources",
    )


def distribution(frame: pl.DataFrame) -> dict[str, float]:
    """The figures that show an events frame is realistic: notes bytes (median, mean,
    99th percentile, share over 3,000), the share of rows with any non-ASCII text,
    distinct counts and null shares."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    notes = pl.col("notes").str.len_bytes()
    non_ascii = pl.any_horizontal(
        [pl.col(c).str.contains(r"[^\x00-\x7f]").fill_null(False) for c in text]
    )
    nulls = ("admin1", "admin2", "actor2", "date_text", "notes", *COUNTS)
    figures = frame.select(
        notes.median().alias("notes_bytes_median"),
        notes.mean().alias("notes_bytes_mean"),
        notes.quantile(0.99).alias("notes_bytes_p99"),
        (notes > 3000).mean().alias("notes_over_3000_share"),
        (pl.col("notes").drop_nulls().n_unique() / pl.col("notes").count()).alias(
            "notes_unique_share"
        ),
        non_ascii.mean().alias("non_ascii_row_share"),
        pl.col("notes").str.contains(r"[^\x00-\x7f]").mean().alias("non_ascii_notes_share"),
        *(
            pl.col(c).drop_nulls().n_unique().alias(f"distinct_{c}")
            for c in ("location", "admin1", "admin2", "country_iso3")
        ),
        pl.concat([pl.col("actor1"), pl.col("actor2")])
        .drop_nulls()
        .n_unique()
        .alias("distinct_actors"),
        *(pl.col(c).null_count().truediv(pl.len()).alias(f"null_{c}") for c in nulls),
    )
    return {k: round(float(v), 4) for k, v in figures.row(0, named=True).items()}


def write_events(
    directory: Path, rows: int, *, invalid_fraction: float = INVALID_FRACTION, seed: int = SEED
) -> dict[str, Path]:
    """events-<N>.{parquet,csv,jsonl} in `directory`; above a million rows Parquet only,
    written chunk by chunk (chunk c is `events(CHUNK, first_id=c * CHUNK)`)."""
    name = f"events-{label(rows)}"
    if rows <= 1_000_000:
        return write_all(
            events(rows, invalid_fraction=invalid_fraction, seed=seed), directory, name
        )
    path = directory / f"{name}.parquet"
    write_parquet_groups(
        path,
        rows,
        CHUNK,
        lambda first, count: events(
            count, invalid_fraction=invalid_fraction, seed=seed, first_id=first
        ),
    )
    return {"parquet": path}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("rows", type=int)
    parser.add_argument("--invalid-fraction", type=float, default=INVALID_FRACTION)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--distribution", action="store_true", help="print the figures of distribution()"
    )
    arguments = parser.parse_args()
    if arguments.distribution:
        frame = events(
            arguments.rows, invalid_fraction=arguments.invalid_fraction, seed=arguments.seed
        )
        for name, value in distribution(frame).items():
            print(f"{name:<28}{value:>14,.4f}")
        return
    for path in write_events(
        arguments.directory,
        arguments.rows,
        invalid_fraction=arguments.invalid_fraction,
        seed=arguments.seed,
    ).values():
        print(path)


if __name__ == "__main__":
    main()
