"""The Python predicate: a query evaluated over the facts of an entry (as the index's SQL does)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from ledger.core import model
from ledger.core.names import fold
from ledger.query.ast import And, Node, Not, Or, Selection, Term
from ledger.query.fields import BOUND, CHOICE, DATE, KINDS, NAME, NUMBER, date_bounds, number_bounds

SEPARATOR = "\x1f"  # never inside a valid entry's text (control characters are refused)


class Facts(NamedTuple):
    """What filters look at, derived once per entry: the index stores exactly these values.

    Lists are stored as one string, each item folded (tags case-folded) and wrapped in SEPARATOR, so
    "has item x" is the substring test `SEPARATOR + x + SEPARATOR in value` in Python and
    `instr(value, ?)` in SQL alike.
    """

    id: str
    date: str
    last_day: str
    type: str
    category: str
    escalation: int
    confidence: str
    status: str
    country: str
    killed: int | None
    injured: int | None
    text: str
    actors: str
    places: str
    tags: str
    sources: str


def joined(items: Iterable[str | None]) -> str:
    """Return names as one stored list: each folded and wrapped in SEPARATOR ("" for none)."""
    present = [fold(item) for item in items if item]
    return SEPARATOR + SEPARATOR.join(present) + SEPARATOR if present else ""


def facts(entry: model.Entry) -> Facts:
    """Derive the matchable values of an entry (names and text folded: `names.fold`)."""
    loc = entry.location
    actors = entry.actors
    casualties = entry.casualties
    return Facts(
        id=entry.id,
        date=entry.date.isoformat(),
        last_day=entry.last_day.isoformat(),
        type=str(entry.type),
        category=str(entry.category),
        escalation=entry.escalation,
        confidence=str(entry.confidence),
        status=str(entry.status or model.Status.ACTIVE),
        country=loc.country.upper(),
        killed=model.best(casualties.killed) if casualties else None,
        injured=model.best(casualties.injured) if casualties else None,
        text=fold(SEPARATOR.join((entry.title, entry.summary or "", loc.name))),
        actors=joined((*actors.perpetrators, *actors.targets, *actors.associated) if actors else ()),
        places=joined((loc.name, loc.admin1, loc.admin2)),
        tags=joined(entry.tags),
        sources=joined(x for s in entry.sources for x in (s.name, s.url)),
    )


def spellings(field: str, value: str, vocabulary: Any) -> frozenset[str]:
    """Return the folded names an actor or place value stands for (aliases included)."""
    if vocabulary is None:
        return frozenset({fold(value)})
    if field == "actor":
        return frozenset(vocabulary.actor_names(value))
    return frozenset(vocabulary.place_names(value))


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
}


def _date_match(f: Facts, op: str, value: str) -> bool:
    lo, hi = date_bounds(value)
    if op == ">=":
        return lo is not None and f.last_day >= lo
    if op == ">":
        return hi is not None and f.last_day > hi
    if op == "<=":
        return hi is not None and f.date <= hi
    if op == "<":
        return lo is not None and f.date < lo
    return (hi is None or f.date <= hi) and (lo is None or f.last_day >= lo)


def _value_match(f: Facts, field: str, op: str, value: str, vocabulary: Any) -> bool:
    kind = KINDS[field]
    if kind == DATE:
        return _date_match(f, op, value)
    if kind == BOUND:
        return _date_match(f, ">=" if field == "since" else "<=", value)
    if kind == NUMBER:
        actual = getattr(f, field)
        if actual is None:
            return False
        lo, hi = number_bounds(value)
        if op in _COMPARE:
            return bool(_COMPARE[op](actual, lo))
        return (lo is None or actual >= lo) and (hi is None or actual <= hi)
    if kind == CHOICE:
        return bool(getattr(f, field) == value.lower())
    if field == "country":
        return f.country == value.upper()
    if field == "id":
        return f.id == value
    if field == "tag":
        return SEPARATOR + value.casefold() + SEPARATOR in f.tags
    if kind == NAME:
        have = f.actors if field == "actor" else f.places
        return any(SEPARATOR + name + SEPARATOR in have for name in spellings(field, value, vocabulary))
    return fold(value) in (f.text if field == "text" else f.sources)


def evaluate(node: Node, f: Facts, vocabulary: Any = None) -> bool:
    """Evaluate a query over precomputed facts."""
    if isinstance(node, Term):
        return any(_value_match(f, node.field, node.op, v, vocabulary) for v in node.values)
    if isinstance(node, And):
        return all(evaluate(item, f, vocabulary) for item in node.items)
    if isinstance(node, Or):
        return any(evaluate(item, f, vocabulary) for item in node.items)
    return not evaluate(node.item, f, vocabulary)


def matches(node: Node | None, entry: model.Entry, vocabulary: Any = None) -> bool:
    """Return whether an entry matches a query (exactly as the index's SQL would say)."""
    return node is None or evaluate(node, facts(entry), vocabulary)


def mentions(node: Node | None, field: str) -> bool:
    """Return whether a query has a term on `field` (e.g. status, which lifts the withdrawn rule)."""
    if node is None:
        return False
    if isinstance(node, Term):
        return node.field == field
    if isinstance(node, Not):
        return mentions(node.item, field)
    return any(mentions(item, field) for item in node.items)


def shows_withdrawn(selection: Selection) -> bool:
    """Return whether withdrawn entries stay in (asked for, or the query speaks of status)."""
    return selection.include_withdrawn or mentions(selection.where, "status")
