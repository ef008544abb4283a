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
    killed_low: int | None = None  # sums of each incident's low and high (its single figure if no range)
    killed_high: int | None = None
    injured_low: int | None = None
    injured_high: int | None = None


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


def group_rows(entries: Iterable[Any], by: str, vocabulary: Any = None) -> list[tuple[Any, ...]]:
    """Return the rows `groups_from` reads, computed from entries (what the index does in SQL).

    A row is (group, count, max escalation, killed, injured, killed low and high, injured
    low and high); groups are told apart case-insensitively, the first spelling met names one.
    """
    from ledger.reports.timeline import casualty_facts

    if by not in BY:
        raise ValueError(f"cannot group by {by!r} (choose from: {', '.join(BY)})")
    vocabulary = _memo(vocabulary) if by == "actor" else vocabulary
    tallies: dict[str, list[Any]] = {}
    for entry in entries:
        facts = casualty_facts(entry.casualties)
        for key in keys(entry, by, vocabulary):
            t = tallies.get(key.casefold())
            if t is None:
                t = tallies[key.casefold()] = [key, 0, -1, *([None] * 6)]
            t[1] += 1
            t[2] = max(t[2], entry.escalation)
            for i, value in enumerate(facts, 3):
                if value is not None:
                    t[i] = (t[i] or 0) + value
    return [tuple(t) for t in tallies.values()]


def groups_from(rows: Iterable[Sequence[Any]], by: str | None = None) -> list[Group]:
    """Make groups of aggregated rows (see `group_rows`): largest first, then by name.

    With `by`, a month the index gives as `YYYY-MM` is named as `keys` names it.
    """
    merged: dict[str, list[Any]] = {}
    for key, count, top, *sums in rows:  # the index may give "(none)" and an actor of that name apart
        if by == "month" and key != NONE and len(key) == 7:
            key = column_key("month", key + "-01")
        m = merged.get(key.casefold())
        if m is None:
            merged[key.casefold()] = [key, count, top, *sums]
            continue
        m[1] += count
        m[2] = max(m[2], top)
        m[3:] = [a if b is None else b if a is None else a + b for a, b in zip(m[3:], sums, strict=True)]
    found = [Group(k, n, killed, injured, top, *ranges) for k, n, top, killed, injured, *ranges in merged.values()]
    found.sort(key=lambda g: (-g.count, g.key == NONE, g.key.casefold(), g.key))
    return found


def groups(entries: Iterable[model.Entry], by: str, vocabulary: Any = None) -> list[Group]:
    """Group the entries by one field; largest groups first, then by name."""
    return groups_from(group_rows(entries, by, vocabulary))
