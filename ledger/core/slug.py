"""Entry ids from dates and titles: `YYYY-MM-DD-words`, ASCII, at most 100 characters.

>>> make_id(dt.date(2020, 1, 5), "Rockets hit Baghdad's Green Zone (again)")
'2020-01-05-rockets-hit-baghdads-green-zone-again'
>>> slugify("Al Fallūjah – Qaḑā’ al Fallūjah")
'al-fallujah-qada-al-fallujah'
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from ledger.core.model import ID_MAX_LENGTH

FALLBACK = "incident"  # when a title has no letters or digits that fold to ASCII

# Letters that do not decompose into ASCII under NFKD.
_FOLD = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "Th",
        "ı": "i",
        "ħ": "h",
        "Ħ": "H",
    }
)
# Apostrophes and the ayn/hamza marks of transliterated Arabic join words ("Kata'ib").
_JOINERS = re.compile(r"['‘’ʼʻʿʾ`´]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def ascii_fold(text: str) -> str:
    """Return text with accents removed and special letters spelled in ASCII."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).encode("ascii", "ignore").decode()


def slugify(text: str, max_length: int | None = None) -> str:
    """Return lowercase words of a-z and 0-9 joined by hyphens, cut at a word boundary."""
    slug = _NOT_SLUG.sub("-", _JOINERS.sub("", ascii_fold(text)).lower()).strip("-")
    if max_length is not None and len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut else slug[:max_length]
        slug = slug.strip("-")
    return slug


def make_id(date: dt.date, title: str, *, reserve: int = 0) -> str:
    """Return the id for an incident: its date and the title's slug (`reserve` leaves room for a suffix)."""
    prefix = f"{date.isoformat()}-"
    words = slugify(title, ID_MAX_LENGTH - len(prefix) - reserve) or FALLBACK
    return prefix + words


def with_suffix(entry_id: str, number: int) -> str:
    """Return the id made distinct by a numeric suffix (`-2`, `-3`, ...), still at most 100 characters."""
    if number < 2:
        return entry_id
    tail = f"-{number}"
    base = entry_id[: ID_MAX_LENGTH - len(tail)].rstrip("-")
    return base + tail
