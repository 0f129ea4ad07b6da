"""Country names and codes of dataset exports as ISO 3166-1 alpha-3, through pycountry.

Each distinct value is resolved once: an alpha-3 code as it is, a numeric ISO code
(ACLED's `iso`) through pycountry, and a name through pycountry's lookup (names, common
and official names, codes; any letter case), then without a parenthesised former name
("Yemen (North Yemen)" as "Yemen"), then through `NAMES` below, the names that ACLED and
UCDP use and pycountry does not know. Kosovo is XKX, which the schema accepts.
"""

from __future__ import annotations

import re

import polars as pl
import pycountry

from curate.interchange.expressions import per_distinct

__all__ = [
    "KOSOVO",
    "NAMES",
    "alpha3_from_codes",
    "alpha3_from_names",
    "country_name",
    "iso_numeric",
]

KOSOVO = "XKX"

# Names in ACLED and UCDP GED that pycountry's lookup does not resolve (checked against
# pycountry 26); the keys are matched in lower case.
NAMES = {
    "bosnia-herzegovina": "BIH",
    "brunei": "BRN",
    "cambodia (kampuchea)": "KHM",
    "cape verde": "CPV",
    "caribbean netherlands": "BES",
    "democratic republic of congo": "COD",
    "dr congo (zaire)": "COD",
    "east timor": "TLS",
    "ivory coast": "CIV",
    "kingdom of eswatini (swaziland)": "SWZ",
    "kosovo": KOSOVO,
    "macedonia, fyr": "MKD",
    "madagascar (malagasy)": "MDG",
    "micronesia": "FSM",
    "myanmar (burma)": "MMR",
    "palestine": "PSE",
    "republic of congo": "COG",
    "russia": "RUS",
    "russia (soviet union)": "RUS",
    "saint-martin": "MAF",
    "serbia (yugoslavia)": "SRB",
    "turkey": "TUR",
    "vatican city": "VAT",
    "vietnam (north vietnam)": "VNM",
    "yemen (north yemen)": "YEM",
    "zimbabwe (rhodesia)": "ZWE",
}

_FORMER_NAME = re.compile(r"\s*\([^)]*\)\s*$")


def _lookup(name: str) -> str | None:
    try:
        return str(pycountry.countries.lookup(name).alpha_3)
    except LookupError:
        return None


def _from_name(name: str) -> str | None:
    text = name.strip()
    if text.lower() in NAMES:
        return NAMES[text.lower()]
    found = _lookup(text)
    if found is None and _FORMER_NAME.search(text):
        found = _lookup(_FORMER_NAME.sub("", text))
    return found


def _from_code(code: str) -> str | None:
    text = code.strip()
    if text.isdigit():
        country = pycountry.countries.get(numeric=text.zfill(3)) if int(text) else None
        return None if country is None else str(country.alpha_3)
    if len(text) == 3 and text.isalpha():
        if text.upper() == KOSOVO:
            return KOSOVO
        country = pycountry.countries.get(alpha_3=text.upper())
        return None if country is None else str(country.alpha_3)
    return None


def alpha3_from_codes(values: pl.Series) -> pl.Series:
    """Alpha-3 codes of numeric ISO codes or alpha-3 codes (null where unknown; numeric 0,
    ACLED's code for Kosovo, is left to the name)."""
    return per_distinct(values, _from_code)


def alpha3_from_names(values: pl.Series) -> pl.Series:
    """Alpha-3 codes of country names (null where unknown)."""
    return per_distinct(values, _from_name)


def iso_numeric(alpha3: str) -> str:
    """The numeric ISO code without leading zeros, as ACLED writes it ("4" for AFG, "0"
    for Kosovo, which has none; empty for an unknown code)."""
    if alpha3 == KOSOVO:
        return "0"
    country = pycountry.countries.get(alpha_3=alpha3)
    return "" if country is None else str(int(country.numeric))


def country_name(alpha3: str) -> str:
    """A country's common English name ("Syria", not "Syrian Arab Republic")."""
    if alpha3 == KOSOVO:
        return "Kosovo"
    country = pycountry.countries.get(alpha_3=alpha3)
    if country is None:
        return ""
    return str(getattr(country, "common_name", None) or country.name)
