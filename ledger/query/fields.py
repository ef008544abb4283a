"""The fields a query can name, their kinds and aliases, and the values each kind takes."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import TypeVar

from ledger.core import model

_Bound = TypeVar("_Bound", str, int)

DATE, NUMBER, CHOICE, NAME, WORD, TEXT, BOUND = "date", "number", "choice", "name", "word", "text", "bound"
KINDS: dict[str, str] = {
    "date": DATE,
    "since": BOUND,
    "until": BOUND,
    "type": CHOICE,
    "category": CHOICE,
    "confidence": CHOICE,
    "status": CHOICE,
    "country": WORD,
    "actor": NAME,
    "place": NAME,
    "tag": WORD,
    "text": TEXT,
    "source": TEXT,
    "id": WORD,
    "escalation": NUMBER,
    "killed": NUMBER,
    "injured": NUMBER,
}
ALIASES = {"on": "date", "actors": "actor", "tags": "tag", "sources": "source", "esc": "escalation"}
#: Entry fields a query reaches through another name: "did you mean" offers that one.
INSTEAD = {
    "title": "text",
    "summary": "text",
    "perpetrators": "actor",
    "targets": "actor",
    "associated": "actor",
    "admin1": "place",
    "admin2": "place",
    "location": "place",
    "date_end": "date",
    "event_type": "type",
}
CHOICES: dict[str, tuple[str, ...]] = {
    "type": tuple(m.value for m in model.EventType),
    "category": tuple(m.value for m in model.Category),
    "confidence": tuple(m.value for m in model.Confidence),
    "status": tuple(m.value for m in model.Status),
}
COMPARISONS = (">=", "<=", ">", "<", "=")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", re.ASCII)
_INT = re.compile(r"\d+", re.ASCII)
_DIGITS_MAX = 18  # 10**18 - 1 fits SQLite's 64-bit integers; counts end at model.COUNT_MAX (11 digits)
_COUNTRY = re.compile(r"[A-Za-z]{2}")


def _q(text: str) -> str:
    """Return a value quoted for a message: the first 40 characters of a longer one."""
    return f'"{text}"' if len(text) <= 40 else f'"{text[:40]}…"'


def date_bounds(text: str) -> tuple[str | None, str | None]:
    """Return the first and last ISO day a date or range names (None: open end)."""
    if ".." in text:
        lo, hi = text.split("..", 1)
        return (_day_range(lo)[0] if lo else None, _day_range(hi)[1] if hi else None)
    return _day_range(text)


def _day_range(text: str) -> tuple[str, str]:
    found = _DATE.fullmatch(text)
    if not found:
        raise ValueError(f"{_q(text)} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(g) if g else None for g in found.groups())
    assert year is not None
    try:
        if month is None:
            return dt.date(year, 1, 1).isoformat(), dt.date(year, 12, 31).isoformat()
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, 1).isoformat(), dt.date(year, month, last).isoformat()
        single = dt.date(year, month, day).isoformat()
    except ValueError:
        raise ValueError(f"{_q(text)} is not a valid date") from None
    return single, single


def number_bounds(text: str) -> tuple[int | None, int | None]:
    """Return the bounds of a number or range (None: open end)."""
    if ".." in text:
        lo, hi = text.split("..", 1)
        return (_int(lo) if lo else None, _int(hi) if hi else None)
    value = _int(text)
    return value, value


def _int(text: str) -> int:
    if not _INT.fullmatch(text):
        raise ValueError(f"{_q(text)} is not a whole number")
    if len(text.lstrip("0")) > _DIGITS_MAX:
        raise ValueError(f"{_q(text)} is too large (at most {_DIGITS_MAX} digits; counts end at {model.COUNT_MAX:,})")
    return int(text.lstrip("0") or "0")  # int() refuses over 4,300 digits, leading zeros included


def _check_ends(value: str, low: _Bound | None, high: _Bound | None) -> None:
    if low is None and high is None:
        raise ValueError('".." needs at least one end')
    if low is not None and high is not None and low > high:
        raise ValueError(f"{_q(value)} ends before it starts")


def check_value(field: str, op: str, value: str) -> str:
    """Return the value as a query keeps it (a country's name as its ISO code); ValueError when it does not fit."""
    kind = KINDS[field]
    if kind in (DATE, NUMBER):
        if op != ":" and ".." in value:
            raise ValueError(f"{field}{op} takes one {kind}, not a range")
        if kind == DATE:
            _check_ends(value, *date_bounds(value))
        else:
            _check_ends(value, *number_bounds(value))
            if field == "escalation" and any(n > model.ESCALATION_MAX for n in number_bounds(value) if n is not None):
                raise ValueError(
                    f"{_q(value)} is past the top of the ladder (escalation goes from 0 to {model.ESCALATION_MAX})"
                )
    elif kind == BOUND:
        if ".." in value:
            raise ValueError(f"{field}: takes one date, not a range")
        date_bounds(value)
    elif kind == CHOICE:
        allowed = CHOICES[field]
        if value.lower() not in allowed:
            from ledger.core.decoding import suggest

            hint = suggest(value, allowed) or f" (one of: {', '.join(allowed)})"
            raise ValueError(f"{_q(value)} is not a {field}{hint}")
    elif field == "country" and not _COUNTRY.fullmatch(value):
        from ledger.core.gazetteer import code_of

        code = code_of(value)  # Iraq, IRQ, 368
        if code is None:
            raise ValueError(f"{_q(value)} is not a country (a two-letter ISO code or a name)")
        return code
    return value
