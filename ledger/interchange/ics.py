"""iCalendar (RFC 5545) text: escaping, folding and the VEVENT of an incident (pure).

Each incident is an all-day event: `DTSTART;VALUE=DATE` is its first day and `DTEND` the day
after its last (DTEND is exclusive), the UID is stable (`<id>@incident-ledger`), and lines
are folded at 75 octets (never inside a UTF-8 character) and end with CRLF.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from ledger.core import model

PRODID = "-//incident-ledger//ledger//EN"
CRLF = "\r\n"
LIMIT = 75  # octets per line, CRLF not counted
UID_DOMAIN = "incident-ledger"

# TEXT may not hold control characters other than tab (RFC 5545 3.3.11); newlines are escaped.
_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def escape(text: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and newline; drop other controls."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    return _CONTROLS.sub("", text)


def fold(line: str) -> str:
    """Fold a content line into CRLF-separated parts of at most 75 octets each (RFC 5545 3.1)."""
    if len(line.encode("utf-8")) <= LIMIT:
        return line
    parts: list[str] = []
    current: list[str] = []
    size = 0
    room = LIMIT
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > room:
            parts.append("".join(current))
            current, size, room = [], 0, LIMIT - 1  # a continuation starts with one space
        current.append(char)
        size += width
    parts.append("".join(current))
    return (CRLF + " ").join(parts)


def unfold(text: str) -> str:
    """Undo folding (for readers and tests)."""
    return text.replace(CRLF + " ", "").replace(CRLF + "\t", "")


def calendar(events: Iterator[list[str]], name: str = "incident-ledger") -> Iterator[str]:
    """Yield the calendar's lines, CRLF included, around the events' content lines."""
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", f"X-WR-CALNAME:{escape(name)}"]
    for line in head:
        yield fold(line) + CRLF
    for event in events:
        for line in event:
            yield fold(line) + CRLF
    yield "END:VCALENDAR" + CRLF


def event(entry: model.Entry, stamp: dt.datetime, label: str, description: str, url: str | None) -> list[str]:
    """Return the unfolded content lines of one incident's VEVENT."""
    loc = entry.location
    where = ", ".join(part for part in (loc.name, loc.admin1, loc.country) if part)
    status = (
        "CANCELLED"
        if entry.withdrawn
        else ("CONFIRMED" if entry.confidence is model.Confidence.CONFIRMED else "TENTATIVE")
    )
    lines = [
        "BEGIN:VEVENT",
        f"UID:{entry.id}@{UID_DOMAIN}",
        f"DTSTAMP:{stamp.astimezone(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}",
        f"DTSTART;VALUE=DATE:{entry.date.strftime('%Y%m%d')}",
        f"DTEND;VALUE=DATE:{(entry.last_day + dt.timedelta(days=1)).strftime('%Y%m%d')}",
        f"SUMMARY:{escape(entry.title)}",
        f"DESCRIPTION:{escape(description)}",
        f"LOCATION:{escape(where)}",
        f"CATEGORIES:{escape(str(entry.type))},{escape(str(entry.category))},{escape(label)}",
        f"STATUS:{status}",
        "TRANSP:TRANSPARENT",
    ]
    if loc.lat is not None and loc.lon is not None:
        lines.append(f"GEO:{loc.lat};{loc.lon}")
    if url and _URL.match(url):
        lines.append(f"URL:{url}")
    lines.append("END:VEVENT")
    return lines


_URL = re.compile(r"^https?://[^\s\x00-\x1f\x7f\"<>\\^`{|}]+$")
