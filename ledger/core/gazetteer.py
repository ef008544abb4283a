"""Country names and codes for interchange: the names UCDP GED and ACLED write, ISO 3166 codes.

Covers the countries of UCDP's and ACLED's Middle East data and their usual neighbours and
outside parties. `code_of` accepts an alpha-2 or alpha-3 code, an ISO numeric code, or a name
(case and accents ignored); `name_of` gives the name ACLED writes for an alpha-2 code.
"""

from __future__ import annotations

import unicodedata

from ledger.core.countries import CODES

# alpha-2, alpha-3, numeric, ACLED's name, other names in use (UCDP, UN, short forms)
_TABLE: tuple[tuple[str, str, int, str, tuple[str, ...]], ...] = (
    ("AE", "ARE", 784, "United Arab Emirates", ("UAE",)),
    ("AF", "AFG", 4, "Afghanistan", ()),
    ("AM", "ARM", 51, "Armenia", ()),
    ("AZ", "AZE", 31, "Azerbaijan", ()),
    ("BH", "BHR", 48, "Bahrain", ()),
    ("CY", "CYP", 196, "Cyprus", ()),
    ("DZ", "DZA", 12, "Algeria", ()),
    ("EG", "EGY", 818, "Egypt", ()),
    ("FR", "FRA", 250, "France", ()),
    ("GB", "GBR", 826, "United Kingdom", ("UK", "Great Britain")),
    ("GE", "GEO", 268, "Georgia", ()),
    ("IL", "ISR", 376, "Israel", ()),
    ("IQ", "IRQ", 368, "Iraq", ()),
    ("IR", "IRN", 364, "Iran", ("Iran (Islamic Republic of)", "Islamic Republic of Iran")),
    ("JO", "JOR", 400, "Jordan", ()),
    ("KW", "KWT", 414, "Kuwait", ()),
    ("LB", "LBN", 422, "Lebanon", ()),
    ("LY", "LBY", 434, "Libya", ()),
    ("MA", "MAR", 504, "Morocco", ()),
    ("OM", "OMN", 512, "Oman", ()),
    ("PK", "PAK", 586, "Pakistan", ()),
    (
        "PS",
        "PSE",
        275,
        "Palestine",
        ("State of Palestine", "Palestinian Territories", "Occupied Palestinian Territory"),
    ),
    ("QA", "QAT", 634, "Qatar", ()),
    ("RU", "RUS", 643, "Russia", ("Russian Federation", "Russia (Soviet Union)")),
    ("SA", "SAU", 682, "Saudi Arabia", ()),
    ("SD", "SDN", 729, "Sudan", ()),
    ("SY", "SYR", 760, "Syria", ("Syrian Arab Republic",)),
    ("TN", "TUN", 788, "Tunisia", ()),
    ("TR", "TUR", 792, "Turkey", ("Türkiye", "Turkiye")),
    ("US", "USA", 840, "United States", ("United States of America", "USA")),
    ("YE", "YEM", 887, "Yemen", ("Yemen (North Yemen)", "Republic of Yemen")),
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_BY_KEY: dict[str, str] = {}
for _a2, _a3, _num, _name, _others in _TABLE:
    for _key in (_a3, str(_num), _name, *_others):
        _BY_KEY[_fold(_key)] = _a2
_NAMES = {a2: name for a2, _, _, name, _ in _TABLE}


def code_of(value: str) -> str | None:
    """Return the ISO alpha-2 code for a code, ISO numeric code or country name; None if unknown."""
    text = value.strip()
    if len(text) == 2 and text.upper() in CODES:
        return text.upper()
    if text.isdigit():
        text = str(int(text))
    return _BY_KEY.get(_fold(text))


def name_of(code: str) -> str:
    """Return the country name ACLED writes for an alpha-2 code (the code itself if not listed)."""
    return _NAMES.get(code.upper(), code)
