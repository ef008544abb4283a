"""The chronology as the chart draws it: narrow rows and the frame, from the index in SQL.

`timeline --format svg|html` streams its marks: it needs the frame of the picture before
the first mark (how many incidents, the first and the last day, which incidents are
answered by others) and then one narrow row per incident. SQL works out what the marks
need (the day numbers, the vague flag, killed + injured), so that no date is parsed and
no dict is made per incident, and nothing is held but the incidents others answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, NamedTuple

from ledger.core import model
from ledger.index.chrono import _chronological
from ledger.index.sql import where_sql

Found = Any  # an `index.Found` (not imported: it imports this module)

# `date.toordinal()` of an ISO date, in SQL: julianday of a date is N.5, of 0001-01-01 1721425.5
_ORDINAL = "CAST(julianday({}) - 1721424.5 AS INTEGER)"
_VAGUE = "((e.date_precision IS NOT NULL AND e.date_precision != 'day') OR (e.date_end IS NOT NULL AND e.date_end != e.date))"


class Drawn(NamedTuple):
    """One incident as the chart and the HTML table show it: the index's columns as stored (ISO text)."""

    id: str
    date: str
    date_end: str | None
    date_precision: str | None
    vague: bool  # a span or less precise than a day (`timeline.is_vague`); SQLite gives 1 or 0
    day: int  # the first day as `date.toordinal()`
    last: int | None  # the last day likewise, for a vague date only
    time: str | None  # `time.isoformat()`
    time_of_day: str | None
    escalation: int
    type: str
    category: str
    casualties: int | None  # killed + injured (best estimates); None when neither is known
    title: str
    responds_to: tuple[str, ...]


DRAWN_SQL = (
    f"e.id, e.date, e.date_end, e.date_precision, {_VAGUE}, {_ORDINAL.format('e.date')}, "
    f"CASE WHEN {_VAGUE} THEN {_ORDINAL.format('e.last_day')} END, e.time, e.time_of_day, e.escalation, e.type, "
    "e.category, CASE WHEN e.killed IS NULL AND e.injured IS NULL THEN NULL "
    "ELSE coalesce(e.killed, 0) + coalesce(e.injured, 0) END, e.title, e.responds_to"
)


_NO_LINKS = ((),)


def _drawn(row: tuple[Any, ...]) -> Drawn:
    links = row[14]
    return Drawn._make(row[:14] + (_NO_LINKS if links is None else (tuple(json.loads(links)),)))


def drawn(found: Found) -> Iterator[Drawn]:
    """Yield the selected incidents as the chart draws them, in chronological order."""
    return map(_drawn, _chronological(found, DRAWN_SQL))


class Frame(NamedTuple):
    """What the picture needs before its first mark."""

    incidents: int
    first: str | None  # the first day (ISO), None when nothing is selected
    last: str | None  # the last day of any incident's span
    answered: frozenset[str]  # the ids the selected incidents respond to


def frame(found: Found) -> Frame:
    """Return the frame of the selection's picture (two aggregate queries).

    Without a limit the selection is its condition alone: no order to sort for an aggregate.
    """
    links = "SELECT DISTINCT j.value FROM ({}) s, json_each(s.links) j WHERE s.links IS NOT NULL"
    if found.selection.limit is None:
        where, params = where_sql(found.selection, found.vocabulary)
        chosen = f"SELECT e.date AS d, e.last_day AS l, e.responds_to AS links FROM entries e WHERE {where}"
        count, first, last = found.index.query(f"SELECT count(*), min(d), max(l) FROM ({chosen})", params)[0]
        answered = found.index.query(links.replace("{}", chosen), params)
    else:
        count, first, last = next(
            found.run("e.date AS d, e.last_day AS l", "SELECT count(*), min(d), max(l) FROM ({})")
        )
        answered = list(found.run("e.responds_to AS links", links))
    return Frame(count, first, last, frozenset(i for (i,) in answered))


def drawn_of(entry: model.Entry) -> Drawn:
    """Return the row SQL gives for an entry (what the chart's tests hold the SQL to)."""
    precision = entry.date_precision
    vague = (precision is not None and precision != model.DatePrecision.DAY) or (
        entry.date_end is not None and entry.date_end != entry.date
    )
    c = entry.casualties
    known = [n for n in (model.best(c.killed), model.best(c.injured)) if n is not None] if c else []
    return Drawn(
        entry.id,
        entry.date.isoformat(),
        entry.date_end.isoformat() if entry.date_end else None,
        entry.date_precision.value if entry.date_precision else None,
        vague,
        entry.date.toordinal(),
        entry.last_day.toordinal() if vague else None,
        entry.time.isoformat() if entry.time else None,
        entry.time_of_day.value if entry.time_of_day else None,
        entry.escalation,
        entry.type.value,
        entry.category.value,
        sum(known) if known else None,
        entry.title,
        tuple(entry.responds_to),
    )
