"""Counts per group: incidents, killed, injured and the highest escalation, by one field.

Pure functions over `model.Entry` values. An incident with several actors or tags counts
once in each of their groups (so group counts can add up to more than the incidents); one
with none goes to the group `(none)`. Actor names are merged through their aliases in
`ledger.toml`. Casualties add up the best estimates that are known; a group where no
incident has a figure has `None`, not 0 (unknown is not 0).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.core import model
from ledger.reports.timeline import period_label

BY = ("type", "category", "actor", "country", "month", "tag")
NONE = "(none)"
#: the groupings a result row's column gives straight (`--by` -> column; see `column_key`)
COLUMN_OF = {"type": "type", "category": "category", "country": "country", "month": "date"}


def column_key(by: str, value: str) -> str:
    """Return the group of a row's `COLUMN_OF[by]` value: what `keys` gives for its entry."""
    return _month_of(value) if by == "month" else value


@functools.lru_cache(maxsize=4096)  # rows share few days; stats runs over 100,000 of them
def _month_of(day: str) -> str:
    return period_label(dt.date.fromisoformat(day), "month")


@dataclass(frozen=True, slots=True)
class Group:
    """The incidents sharing one value of the grouping field."""

    key: str
    count: int
    killed: int | None
    injured: int | None
    max_escalation: int


def keys(entry: model.Entry, by: str, vocabulary: Any = None) -> list[str]:
    """Return the groups an entry belongs to when grouping by `by` (each once).

    `vocabulary` is a `vocab.Vocabulary`, or any callable giving an actor's canonical name.
    """
    if by == "type":
        return [str(entry.type)]
    if by == "category":
        return [str(entry.category)]
    if by == "country":
        return [entry.location.country.upper()]
    if by == "month":
        return [period_label(entry.date, "month")]
    if by == "tag":
        return list(dict.fromkeys(entry.tags)) or [NONE]
    if by == "actor":
        actors = entry.actors
        names = (*actors.perpetrators, *actors.targets, *actors.associated) if actors else ()
        if vocabulary is None:
            canonical: Any = _same
        else:
            canonical = vocabulary if callable(vocabulary) else vocabulary.canonical_actor
        merged: dict[str, str] = {}
        for name in names:
            spelled = canonical(name)
            merged.setdefault(spelled.casefold(), spelled)
        return list(merged.values()) or [NONE]
    raise ValueError(f"cannot group by {by!r} (choose from: {', '.join(BY)})")


def _same(name: str) -> str:
    return name


def _memo(vocabulary: Any) -> Any:
    """Return a cached canonical-actor function (the vocabulary's lookup scans every actor)."""
    if vocabulary is None or callable(vocabulary):
        return vocabulary
    cache: dict[str, str] = {}

    def canonical(name: str) -> str:
        found = cache.get(name)
        if found is None:
            found = cache[name] = vocabulary.canonical_actor(name)
        return found

    return canonical


class _Tally:
    __slots__ = ("count", "injured", "killed", "max_escalation", "spelling")

    def __init__(self, spelling: str) -> None:
        self.spelling = spelling
        self.count = 0
        self.killed: int | None = None
        self.injured: int | None = None
        self.max_escalation = -1


def groups(entries: Iterable[model.Entry], by: str, vocabulary: Any = None) -> list[Group]:
    """Group the entries by one field; largest groups first, then by name."""
    if by not in BY:
        raise ValueError(f"cannot group by {by!r} (choose from: {', '.join(BY)})")
    vocabulary = _memo(vocabulary) if by == "actor" else vocabulary

    def fact(entry: model.Entry) -> Fact:
        c = entry.casualties
        killed = model.best(c.killed) if c else None
        injured = model.best(c.injured) if c else None
        return keys(entry, by, vocabulary), entry.escalation, killed, injured

    return tally(map(fact, entries))


#: What tallying needs of an incident: its groups, escalation, killed and injured (best).
Fact = tuple[Sequence[str], int, "int | None", "int | None"]


def tally(facts: Iterable[Fact]) -> list[Group]:
    """Tally (groups, escalation, killed, injured) values; largest groups first, then by name."""
    tallies: dict[str, _Tally] = {}
    for group_keys, escalation, killed, injured in facts:
        for key in group_keys:
            # Groups are told apart case-insensitively; the first spelling seen names the group.
            folded = key.casefold()
            t = tallies.get(folded)
            if t is None:
                t = tallies[folded] = _Tally(key)
            t.count += 1
            if killed is not None:
                t.killed = (t.killed or 0) + killed
            if injured is not None:
                t.injured = (t.injured or 0) + injured
            t.max_escalation = max(t.max_escalation, escalation)
    found = [Group(t.spelling, t.count, t.killed, t.injured, t.max_escalation) for t in tallies.values()]
    found.sort(key=lambda g: (-g.count, g.key == NONE, g.key.casefold(), g.key))
    return found
