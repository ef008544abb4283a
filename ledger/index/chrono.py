"""The chronology from the index: light incidents, causal links, periods and groups in SQL.

Rebuilding 100,000 `model.Entry` objects from their JSON costs seconds (and the garbage
collector a third of that); a timeline needs a dozen values of each, and an aggregate needs
none. So the chronology commands read the index's columns: `incidents` streams light
records (`Incident`, a named tuple with the attributes of `model.Entry` the output uses),
`periods` and `groups` aggregate in SQL (`GROUP BY`, actors and tags unnested with
`json_each`) and return one row per group. Each runs over the selection exactly as
`Found` does (its filters, withdrawn rule, order and limit), as a subquery.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from ledger.core import model
from ledger.index.sql import where_sql

Found = Any  # an `index.Found` (not imported: it imports this module)


class Place(NamedTuple):
    """Where an incident happened, as much of `model.Location` as the chronology shows."""

    name: str
    country: str


class Counts(NamedTuple):
    """Casualties: best estimates (int or None), as `model.best` reads them."""

    killed: int | None
    injured: int | None


_PRECISION = {m.value: m for m in model.DatePrecision}
_TIME_OF_DAY = {m.value: m for m in model.TimeOfDay}
_TYPE = {m.value: m for m in model.EventType}
_STATUS = {m.value: m for m in model.Status}


class Incident(NamedTuple):
    """One incident of the chronology, read from the index's columns (no JSON decoded)."""

    id: str
    path: str
    date: dt.date
    date_end: dt.date | None
    date_precision: model.DatePrecision | None
    time: dt.time | None
    time_of_day: model.TimeOfDay | None
    escalation: int
    type: model.EventType
    location: Place
    casualties: Counts | None
    title: str
    responds_to: tuple[str, ...]
    status: model.Status | None

    @property
    def category(self) -> model.Category:
        return model.category_of(self.type)

    @property
    def last_day(self) -> dt.date:
        return self.date_end or self.date

    @property
    def withdrawn(self) -> bool:
        return self.status is model.Status.WITHDRAWN

    @property
    def day(self) -> int:
        """The first day as a number (days between incidents are differences of these)."""
        return self.date.toordinal()


INCIDENT_SQL = (
    "e.id, e.path, e.date, e.date_end, e.date_precision, e.time, e.time_of_day, e.escalation, e.type, e.place, "
    "e.country, e.killed, e.injured, e.title, e.responds_to, e.status"
)


def _incident(row: tuple[Any, ...]) -> Incident:
    (entry_id, path, date, end, precision, time, part, escalation, kind, place, country, killed, injured, title,
     links, status) = row[:16]  # fmt: skip
    return Incident(
        entry_id,
        path,
        dt.date.fromisoformat(date),
        dt.date.fromisoformat(end) if end else None,
        _PRECISION[precision] if precision else None,
        dt.time.fromisoformat(time) if time else None,
        _TIME_OF_DAY[part] if part else None,
        escalation,
        _TYPE[kind],
        Place(place, country),
        None if killed is None and injured is None else Counts(killed, injured),
        title,
        tuple(json.loads(links)) if links else (),
        _STATUS[status] if status else None,
    )


def _chronological(found: Found, what: str) -> Iterator[Any]:
    """Run the selection of `what`, then put it in chronological order.

    `--sort` and `--limit` choose the incidents, the timeline orders them. Without those,
    the selection is read in the order of the `entries_chrono` index: no sort at all.
    """
    chosen = found.selection
    rows: Iterator[Any]
    if chosen.limit is None and chosen.sort in (None, "date"):
        rows = found.run(what, "{}", dataclasses.replace(chosen, reverse=False))
    else:  # the order's columns go last: callers read theirs by position
        rows = found.run(f"{what}, e.chrono AS chrono, e.path AS path", "SELECT * FROM ({}) ORDER BY chrono, path")
    return rows


def keys(found: Found) -> list[tuple[str, str, tuple[str, ...]]]:
    """Return (id, date, responds_to) of the selected incidents in chronological order."""
    rows = _chronological(found, "e.id, e.date, e.responds_to")
    return [(row[0], row[1], tuple(json.loads(row[2])) if row[2] else ()) for row in rows]


def incidents(found: Found) -> Iterator[Incident]:
    """Yield the selected incidents as light records, in chronological order."""
    return map(_incident, _chronological(found, INCIDENT_SQL))


class Plain(NamedTuple):
    """One incident as the program formats write it: the index's columns as stored (ISO text).

    No dates parsed, no enums looked up: `timeline --format tsv|csv|json` writes these
    values as they are. `day` numbers the first day (for the days between incidents).
    """

    id: str
    path: str
    date: str
    date_end: str | None
    date_precision: str | None
    vague: bool
    time: str | None
    time_of_day: str | None
    escalation: int
    type: str
    category: str
    country: str
    place: str
    killed: int | None
    injured: int | None
    title: str
    responds_to: tuple[str, ...]
    day: int


PLAIN_SQL = (
    "e.id, e.path, e.date, e.date_end, e.date_precision, "
    "(e.date_precision IS NOT NULL AND e.date_precision != 'day') OR (e.date_end IS NOT NULL AND e.date_end != e.date), "
    "e.time, e.time_of_day, e.escalation, e.type, e.category, e.country, e.place, e.killed, e.injured, e.title, "
    "e.responds_to, CAST(julianday(e.date) AS INTEGER)"
)


def _plain(row: tuple[Any, ...]) -> Plain:
    links = row[16]
    return Plain._make((*row[:5], row[5] == 1, *row[6:16], tuple(json.loads(links)) if links else (), row[17]))


def plain(found: Found) -> Iterator[Plain]:
    """Yield the selected incidents as the program formats write them, in chronological order."""
    return map(_plain, _chronological(found, PLAIN_SQL))


def links(found: Found, whole: bool) -> dict[str, tuple[str, ...]]:
    """Return the responds_to links by id: of every valid entry when `whole`, else of the selection."""
    if whole:
        rows = found.index.query(
            "SELECT id, responds_to FROM entries WHERE ok = 1 AND responds_to IS NOT NULL ORDER BY path DESC", []
        )
    else:
        rows = list(found.run("e.id, e.responds_to", "SELECT * FROM ({}) WHERE responds_to IS NOT NULL"))
    return {i: tuple(json.loads(r)) for i, r in rows}


_PERIOD_START = {
    "day": "date",
    "week": "date(date, '-' || ((CAST(strftime('%w', date) AS INTEGER) + 6) % 7) || ' days')",
    "month": "substr(date, 1, 7) || '-01'",
}
_SUMS = (
    "count(*), max(escalation), sum(escalation), sum(killed), sum(injured), "
    "sum(killed_low), sum(killed_high), sum(injured_low), sum(injured_high)"
)
_RANGE_COLUMNS = ("killed", "injured", "killed_low", "killed_high", "injured_low", "injured_high")
_AGGREGATED = "e.date AS date, e.escalation AS escalation, " + ", ".join(f"e.{c} AS {c}" for c in _RANGE_COLUMNS)


def _aggregate(found: Found, what: str, wrap: str) -> list[Any]:
    """Run `wrap` over the selection of `what` (`{}` in `wrap`), unordered when neither order nor limit matters.

    An aggregate's answer does not depend on the order it reads rows in: without a limit
    the table is read in its own order (no walk of the chronological index).
    """
    chosen = found.selection
    ranked = type(found)._select.__qualname__ != "Found._select"  # a search's selection is its ranking's
    if ranked or chosen.limit is not None or chosen.sort not in (None, "date"):
        return list(found.run(what, wrap))
    where, params = where_sql(chosen, found.vocabulary)
    return list(found.index.query(wrap.replace("{}", f"SELECT {what} FROM entries e WHERE {where}"), params))


def count(found: Found) -> int:
    """Return how many incidents the selection holds."""
    return int(_aggregate(found, "1", "SELECT count(*) FROM ({})")[0][0])


def periods(found: Found, by: str) -> list[tuple[Any, ...]]:
    """Return (first day, count, max, sum of escalation, killed, injured, their lows and highs) per period."""
    start = _PERIOD_START[by]
    sql = f"SELECT {start} AS start, {_SUMS} FROM ({{}}) GROUP BY start ORDER BY start"
    return _aggregate(found, _AGGREGATED, sql)


_COLUMN_GROUPS = {"type": "e.type", "category": "e.category", "country": "e.country", "month": "substr(e.date, 1, 7)"}
_NAMES = {"actor": ("perpetrators", "targets", "associated"), "tag": ("tag_list",)}


def groups(found: Found, by: str, canonical: Callable[[str], str] | None = None) -> list[tuple[Any, ...]]:
    """Return (group, count, max escalation, killed, injured, their lows and highs) per group, unordered.

    An incident counts once in each group it names (names merged by `canonical` and
    case), and incidents naming none go to `(none)`. Actors and tags: SQL sums the
    incidents by their lists as stored (`GROUP BY` the JSON texts: a few thousand
    distinct lists on 100,000 incidents), then each list's sums go to the groups it
    names. The group's spelling is the first met in the selection's order, as `stats.tally` does.
    """
    sums = _SUMS.replace("sum(escalation), ", "")
    if by in _COLUMN_GROUPS:
        what = f"{_COLUMN_GROUPS[by]} AS grp, e.escalation AS escalation, " + ", ".join(
            f"e.{c} AS {c}" for c in _RANGE_COLUMNS
        )
        return _aggregate(found, what, f"SELECT grp, {sums} FROM ({{}}) GROUP BY grp")
    columns = _NAMES[by]
    what = ", ".join(f"e.{c} AS {c}" for c in columns) + f", {_AGGREGATED}"
    listed = ", ".join(columns)
    spellings: dict[str, tuple[str, str]] = {}
    totals: dict[str | None, list[Any]] = {}
    for row in _aggregate(found, what, f"SELECT {listed}, {sums} FROM ({{}}) GROUP BY {listed}"):
        lists, figures = row[: len(columns)], row[len(columns) :]
        if all(text is None for text in lists):
            keys: Iterable[str | None] = (None,)
        else:
            keys = dict.fromkeys(
                _key(name, canonical, spellings) for text in lists if text for name in json.loads(text)
            )
        for key in keys:
            total = totals.get(key)
            totals[key] = list(figures) if total is None else _add(total, figures)
    first = _first_spellings(found, spellings, columns)
    return [("(none)" if key is None else first[key], *total) for key, total in totals.items()]


def _key(name: str, canonical: Callable[[str], str] | None, spellings: dict[str, tuple[str, str]]) -> str:
    """Return the group of a name as written (merged by the vocabulary, then by case), noting its spelling."""
    known = spellings.get(name)
    if known is None:
        spelled = canonical(name) if canonical is not None else name
        known = spellings[name] = (spelled.casefold(), spelled)
    return known[0]


def _add(total: list[Any], figures: Sequence[Any]) -> list[Any]:
    """Add one list's (count, max escalation, sums...) to a group's, as SQL's count, max and sum would."""
    total[0] += figures[0]
    total[1] = max(total[1], figures[1])
    for i in range(2, len(total)):
        if figures[i] is not None:
            total[i] = figures[i] if total[i] is None else total[i] + figures[i]
    return total


def _first_spellings(found: Found, spellings: dict[str, tuple[str, str]], columns: Sequence[str]) -> dict[str, str]:
    """Return each group's spelling: its only one, else the first met in the selection's order.

    Names are merged by the vocabulary and by case; only a group written in more than one
    way needs the selection's order (a window over it), which most ledgers never pay for.
    """
    ways: dict[str, set[str]] = {}
    for key, spelling in spellings.values():
        ways.setdefault(key, set()).add(spelling)
    first = {key: next(iter(written)) for key, written in ways.items() if len(written) == 1}
    if len(first) == len(ways):
        return first
    conn = found.index.conn()
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS canon (name TEXT PRIMARY KEY, key TEXT, spelling TEXT)")
    conn.execute("DELETE FROM temp.canon")
    rows = json.dumps([[n, k, s] for n, (k, s) in spellings.items()])
    parts = "json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')"
    conn.execute(f"INSERT INTO temp.canon SELECT {parts} FROM json_each(?)", (rows,))
    what = f"e.rowid AS r, row_number() OVER (ORDER BY {found.order_sql()}) AS n, " + ", ".join(
        f"e.{c} AS {c}" for c in columns
    )
    unnest = " UNION ALL ".join(
        f"SELECT (sel.n * 4 + {part}) * 100000 + j.key AS n, j.value AS name FROM sel, json_each(sel.{column}) j"
        for part, column in enumerate(columns)
    )
    keyed = f"WITH sel AS ({{}}), names AS ({unnest}) SELECT c.key, c.spelling, min(n)"
    seen: dict[str, tuple[int, str]] = {}
    for key, spelling, n in found.run(
        what, f"{keyed} FROM names JOIN temp.canon c USING (name) GROUP BY key, spelling"
    ):
        if key not in first and (key not in seen or n < seen[key][0]):
            seen[key] = (n, spelling)
    return first | {key: spelling for key, (_, spelling) in seen.items()}


def canonical_of(vocabulary: Any) -> Callable[[str], str] | None:
    """Return the vocabulary's canonical actor spelling function (None without one)."""
    if vocabulary is None:
        return None
    if callable(vocabulary):
        return vocabulary  # type: ignore[no-any-return]
    return vocabulary.canonical_actor  # type: ignore[no-any-return]


class Spot(NamedTuple):
    """Where an incident happened, with its coordinates (for `dupes`)."""

    name: str
    country: str
    lat: float | None
    lon: float | None


class Names(NamedTuple):
    """Who did it and to whom, as written."""

    perpetrators: tuple[str, ...]
    targets: tuple[str, ...]


class Located(NamedTuple):
    """An incident as `dupes` compares it: when, where, what, who, and its links."""

    id: str
    path: str
    title: str
    date: dt.date
    date_end: dt.date | None
    time: dt.time | None
    type: model.EventType
    location: Spot
    actors: Names | None
    aliases: tuple[str, ...]
    duplicate_of: str | None
    responds_to: tuple[str, ...]
    related: tuple[str, ...]
    category: model.Category  # of the type (`model.category_of`)
    last_day: dt.date  # `date_end`, else `date`


LOCATED_SQL = (
    "e.id, e.path, e.title, e.date, e.date_end, e.time, e.type, e.place, e.country, e.lat, e.lon, e.perpetrators, "
    "e.targets, e.aliases, e.duplicate_of, e.responds_to, e.related"
)


def _tuple(text: str | None) -> tuple[str, ...]:
    return tuple(json.loads(text)) if text else ()


def _located(row: tuple[Any, ...]) -> Located:
    (entry_id, path, title, date, end, time, kind, place, country, lat, lon, perpetrators, targets, aliases,
     duplicate_of, links, related) = row  # fmt: skip
    day, last = dt.date.fromisoformat(date), dt.date.fromisoformat(end) if end else None
    return Located(
        entry_id,
        path,
        title,
        day,
        last,
        dt.time.fromisoformat(time) if time else None,
        _TYPE[kind],
        Spot(place, country, lat, lon),
        Names(_tuple(perpetrators), _tuple(targets)) if perpetrators or targets else None,
        _tuple(aliases),
        duplicate_of,
        _tuple(links),
        _tuple(related),
        model.category_of(_TYPE[kind]),
        last or day,
    )


def located(found: Found) -> Iterator[Located]:
    """Yield the selected incidents as `dupes` compares them, in the selection's order."""
    return map(_located, found.run(LOCATED_SQL))
