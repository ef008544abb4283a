"""The chronology as data: order, escalation deltas, days between, causal chains, periods.

Pure functions over `model.Entry` values. `steps` walks the entries in chronological order
(date, time with unknown times first, id) and gives each its change in escalation from the
incident before it, the days since that incident's date, and its `responds_to` chain: the
longest path of causal links from a root (an incident that answers nothing) down to it.
`periods` aggregates by day, ISO week or month; `tree` walks the causal links from one
incident backwards (what it answers) or forwards (what answered it), reporting cycles
instead of following them, so an invalid ledger cannot make it loop.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.core import model
from ledger.core.model import chronological
from ledger.reports.chains import BACKWARD, FORWARD, Links, TreeLine, answered_by, cycles, links_of, tree
from ledger.reports.placing import linked_order, placing, settle

PERIODS = ("day", "week", "month")
__all__ = [  # the causal trees live in `chains`, the placing in `placing`; callers know them from here too
    "BACKWARD", "FORWARD", "Links", "TreeLine", "answered_by", "chronological", "cycles", "linked_order", "links_of",
    "placing", "settle", "tree",
]  # fmt: skip


def order(entries: Iterable[model.Entry]) -> list[model.Entry]:
    """Return the entries in chronological order, never an incident before one it responds to.

    Links may not point later (`ledger validate`), so this only reorders incidents of the same
    date: a vague "after the strike" entry sorts by id before the strike itself, but is
    placed after it. Kahn's algorithm with the chronological key as priority; on an invalid
    ledger with a cycle the earliest waiting entry goes next, so it always ends.
    """
    ordered = sorted(entries, key=chronological)
    return [ordered[i] for i in placing([e.id for e in ordered], [e.responds_to for e in ordered])]


def is_vague(entry: model.Entry) -> bool:
    """Return whether the entry's date is a span or less precise than a day."""
    precision = entry.date_precision
    return (precision is not None and precision != model.DatePrecision.DAY) or (
        entry.date_end is not None and entry.date_end != entry.date
    )


# -- steps ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """One incident in the chronology, with what the reader needs to follow the escalation."""

    number: int  # 1-based position in chronological order
    entry: model.Entry
    delta: int | None  # escalation minus the previous incident's (None for the first)
    days: int | None  # days from the previous incident's date (None for the first)
    chain: tuple[str, ...]  # ids from a root down to this incident's direct cause; () when it answers nothing
    also: tuple[str, ...]  # the incidents it answers directly that are not on `chain`

    @property
    def vague(self) -> bool:
        return is_vague(self.entry)


def steps(entries: Iterable[model.Entry], known: Mapping[str, model.Entry] | None = None) -> list[Step]:
    """Put the entries in order (see `order`) and annotate each with delta, days and its chain.

    Chains follow `responds_to` through the given entries and through `known` (e.g. the
    whole ledger, when the selection is filtered); a link to an id in neither ends the chain
    there, with that id as its root.
    """
    ordered = order(entries)
    graph: dict[str, Sequence[str]] = {i: e.responds_to for i, e in (known or {}).items()}
    graph.update((e.id, e.responds_to) for e in ordered)
    rank = {e.id: i for i, e in enumerate(ordered)}
    parent = causes(graph, [e.id for e in ordered], rank)
    out: list[Step] = []
    previous: model.Entry | None = None
    for number, entry in enumerate(ordered, 1):
        chain = chain_of(entry.id, parent)
        on_chain = set(chain)
        also = tuple(t for t in dict.fromkeys(entry.responds_to) if t not in on_chain and t != entry.id)
        out.append(
            Step(
                number,
                entry,
                None if previous is None else entry.escalation - previous.escalation,
                None if previous is None else (entry.date - previous.date).days,
                chain,
                also,
            )
        )
        previous = entry
    return out


@dataclass(frozen=True, slots=True)
class Plan:
    """Where each incident of a timeline goes and what causes it, worked out from ids and links only."""

    places: list[int]  # the final position of each incident, by its chronological position
    numbers: dict[str, int]  # 1-based number by id
    parent: dict[str, str | None]  # the cause on each id's longest chain


def plan(keys: Sequence[tuple[str, object, Sequence[str]]], known: Mapping[str, Sequence[str]] | None = None) -> Plan:
    """Plan a timeline from (id, date, responds_to) of its incidents in chronological order.

    The same order, numbers and chains as `steps`, but from ids and links alone, so that the
    incidents themselves can then be streamed (`stream`) without holding them all.
    `known` maps further ids to their links (e.g. the whole ledger, for a filtered timeline).
    """
    ids = [k[0] for k in keys]
    final = placing(ids, [k[2] for k in keys])
    places = [0] * len(final)
    for number, position in enumerate(final):
        places[position] = number
    graph: dict[str, Sequence[str]] = dict(known or {})
    graph.update((k[0], k[2]) for k in keys)
    rank = {ids[position]: number for number, position in enumerate(final)}
    parent = causes(graph, [ids[position] for position in final], rank)
    return Plan(places, {entry_id: number + 1 for entry_id, number in rank.items()}, parent)


def stream(planned: Plan, incidents: Iterable[Any], merged: Mapping[str, str] | None = None) -> Iterator[Step]:
    """Yield the steps of a planned timeline, given its incidents in chronological order.

    Only incidents that must wait for an earlier-placed one (a same-day answer listed
    before its cause) are held back, so memory stays flat. With `merged` (see
    `merged_into`), a link to a merged duplicate counts as a link to the entry it was merged into.
    An incident is a light row of the index (`index.chrono.Incident` or `Plain`): its `day`
    numbers its first day.
    """
    into = merged or {}
    pending: dict[int, Any] = {}
    following = 0
    previous: Any = None
    for position, entry in enumerate(incidents):
        pending[planned.places[position]] = entry
        while following in pending:
            entry = pending.pop(following)
            following += 1
            chain: tuple[str, ...] = ()
            also: tuple[str, ...] = ()
            if entry.responds_to:  # most incidents answer nothing: no chain to walk
                chain = chain_of(entry.id, planned.parent)
                on_chain = set(chain)
                targets = dict.fromkeys(into.get(t, t) for t in entry.responds_to)
                also = tuple(t for t in targets if t not in on_chain and t != entry.id)
            delta = None if previous is None else entry.escalation - previous.escalation
            days = None if previous is None else entry.day - previous.day
            yield Step(following, entry, delta, days, chain, also)
            previous = entry


def merged_into(duplicates: Mapping[str, str]) -> dict[str, str]:
    """Map each merged duplicate (withdrawn id -> its `duplicate_of`) to the entry it finally merged into.

    Chains of merges are followed (A into B, B into C: A goes to C); a cycle of duplicates,
    which `validate` reports, is left out rather than followed forever.
    """
    out: dict[str, str] = {}
    for start, target in duplicates.items():
        seen = {start}
        while target in duplicates and target not in seen:
            seen.add(target)
            target = duplicates[target]
        if target not in seen:
            out[start] = target
    return out


def redirect_links(links: Mapping[str, Sequence[str]], merged: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """Return `links` (id -> responds_to) with every link to a merged duplicate sent to its entry."""
    out: dict[str, tuple[str, ...]] = {}
    for entry_id, targets in links.items():
        if len(targets) == 1:  # most answer one incident
            target = merged.get(targets[0], targets[0])
            out[entry_id] = () if target == entry_id else (target,)
            continue
        moved = (merged.get(t, t) for t in targets)
        out[entry_id] = tuple(dict.fromkeys(t for t in moved if t != entry_id))
    return out


def causes(
    graph: Mapping[str, Sequence[str]], starts: Iterable[str], rank: Mapping[str, int] | None = None
) -> dict[str, str | None]:
    """Map each id reachable from `starts` to the cause on its longest chain (None for a root).

    `graph` maps ids to the ids they respond to; an id missing from it is a root.

    Iterative depth-first search with memoised depths: linear in the links, no recursion
    limit on long chains. With `rank` (positions in the timeline), a link to an incident
    placed later is not followed, so chains agree with the order even on a ledger with a
    cycle; any other link that closes a cycle is ignored too.
    """
    depth: dict[str, int] = {}
    parent: dict[str, str | None] = {}
    on_stack: set[str] = set()
    for start in starts:
        if start in depth:
            continue
        if not graph.get(start):  # most incidents answer nothing: a root
            depth[start], parent[start] = 0, None
            continue
        stack: list[tuple[str, int, list[str]]] = [(start, 0, _links(graph, start, rank))]
        on_stack.add(start)
        while stack:
            node, index, links = stack[-1]
            if index < len(links):
                stack[-1] = (node, index + 1, links)
                target = links[index]
                if target not in depth and target not in on_stack:
                    if target in graph:
                        stack.append((target, 0, _links(graph, target, rank)))
                        on_stack.add(target)
                    else:  # a missing id is a root of its own
                        depth[target], parent[target] = 0, None
                continue
            best, best_depth = None, -1
            for target in links:
                if target in depth and depth[target] > best_depth:
                    best, best_depth = target, depth[target]
            depth[node], parent[node] = best_depth + 1, best
            stack.pop()
            on_stack.discard(node)
    return parent


def _links(graph: Mapping[str, Sequence[str]], node: str, rank: Mapping[str, int] | None = None) -> list[str]:
    targets = graph.get(node)
    if not targets:
        return []
    links = [t for t in dict.fromkeys(targets) if t != node]
    if rank is not None and node in rank:
        here = rank[node]
        links = [t for t in links if rank.get(t, -1) < here]
    return links


def chain_of(entry_id: str, parent: Mapping[str, str | None]) -> tuple[str, ...]:
    """Return the ids from the root down to the direct cause of `entry_id` (cycle-safe)."""
    path: list[str] = []
    seen = {entry_id}
    current = parent.get(entry_id)
    while current is not None and current not in seen:
        path.append(current)
        seen.add(current)
        current = parent.get(current)
    path.reverse()
    return tuple(path)


# -- periods -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """The incidents whose first day falls in one day, ISO week or month."""

    label: str  # "2020-01-03", "2020-W01", "2020-01"
    start: dt.date
    end: dt.date  # last day of the period
    count: int
    max_escalation: int | None  # None for an empty period
    sum_escalation: int
    killed: int | None  # sum of best estimates; None when no incident has a figure
    injured: int | None
    killed_low: int | None = None  # sums of each incident's low and high (its single figure if no range)
    killed_high: int | None = None
    injured_low: int | None = None
    injured_high: int | None = None


def period_start(day: dt.date, by: str) -> dt.date:
    """Return the first day of the period holding `day` (weeks start on Monday, ISO 8601)."""
    if by == "day":
        return day
    if by == "week":
        return day - dt.timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    raise ValueError(f"unknown period {by!r}")


def _next_start(start: dt.date, by: str) -> dt.date:
    if by == "day":
        return start + dt.timedelta(days=1)
    if by == "week":
        return start + dt.timedelta(days=7)
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def period_label(start: dt.date, by: str) -> str:
    """Return a period's name: the day, the ISO week (2020-W01) or the month (2020-01)."""
    if by == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if by == "month":
        return f"{start:%Y-%m}"
    return start.isoformat()


def period_count(first: dt.date, last: dt.date, by: str) -> int:
    """Return how many periods lie from the one holding `first` to the one holding `last`."""
    start, end = period_start(first, by), period_start(last, by)
    if by == "day":
        return (end - start).days + 1
    if by == "week":
        return (end - start).days // 7 + 1
    return (end.year - start.year) * 12 + end.month - start.month + 1


def casualty_facts(casualties: Any) -> tuple[int | None, ...]:
    """Return (killed, injured, killed_low, killed_high, injured_low, injured_high) of an entry's casualties.

    A range's low and high are its own, else its best estimate; a single figure is all three.
    """
    if casualties is None:
        return (None,) * 6
    killed, injured = casualties.killed, casualties.injured
    return (model.best(killed), model.best(injured), *_range(killed), *_range(injured))


def _range(count: int | model.Estimate | None) -> tuple[int | None, int | None]:
    if isinstance(count, model.Estimate):
        return (count.best if count.low is None else count.low, count.best if count.high is None else count.high)
    return count, count


def period_rows(entries: Iterable[Any], by: str) -> list[tuple[Any, ...]]:
    """Return the rows `periods_from` reads, computed from entries (what the index does in SQL)."""
    buckets: dict[dt.date, list[Any]] = defaultdict(list)
    for e in entries:
        buckets[period_start(e.date, by)].append(e)
    rows = []
    for start, group in sorted(buckets.items()):
        levels = [e.escalation for e in group]
        facts = [casualty_facts(e.casualties) for e in group]
        sums = [_sum(f[i] for f in facts) for i in range(6)]
        rows.append((start.isoformat(), len(group), max(levels), sum(levels), *sums))
    return rows


def _sum(values: Iterable[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def periods(entries: Iterable[model.Entry], by: str, fill: bool = True) -> list[Period]:
    """Aggregate incidents by the period of their first day, in order; empty periods too when `fill`."""
    if by not in PERIODS:
        raise ValueError(f"unknown period {by!r}")
    return periods_from(period_rows(entries, by), by, fill)


def periods_from(rows: Iterable[Sequence[Any]], by: str, fill: bool = True) -> list[Period]:
    """Make periods of aggregated rows, in order; the empty periods between them too when `fill`.

    A row is (first day, count, max and sum of escalation, killed, injured, killed low and
    high, injured low and high), as `period_rows` and the index's `chrono.periods` give.
    """
    if by not in PERIODS:
        raise ValueError(f"unknown period {by!r}")
    found = {dt.date.fromisoformat(row[0]): row for row in rows}
    if not found:
        return []
    if fill:
        starts = []
        current, last = min(found), max(found)
        while current <= last:
            starts.append(current)
            current = _next_start(current, by)
    else:
        starts = sorted(found)
    out = []
    for start in starts:
        end = _next_start(start, by) - dt.timedelta(days=1)
        row = found.get(start)
        if row is None:
            out.append(Period(period_label(start, by), start, end, 0, None, 0, None, None))
            continue
        out.append(Period(period_label(start, by), start, end, *row[1:10]))
    return out


def total(counts: Iterable[int | model.Estimate | None]) -> int | None:
    """Sum the best estimates that are known; None when none is (unknown is not 0)."""
    known = [n for n in map(model.best, counts) if n is not None]
    return sum(known) if known else None
