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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ledger.core import model
from ledger.core.model import chronological

PERIODS = ("day", "week", "month")


def order(entries: Iterable[model.Entry]) -> list[model.Entry]:
    """Return the entries in chronological order, never an incident before one it responds to.

    Links may not point later (`ledger validate`), so this only reorders incidents of the same
    date: a vague "after the strike" entry sorts by id before the strike itself, but is
    placed after it. Kahn's algorithm with the chronological key as priority; on an invalid
    ledger with a cycle the earliest waiting entry goes next, so it always ends.
    """
    import heapq

    ordered = sorted(entries, key=chronological)
    position = {e.id: i for i, e in enumerate(ordered)}
    waiting = [0] * len(ordered)
    followers: dict[int, list[int]] = defaultdict(list)
    for i, entry in enumerate(ordered):
        for target in dict.fromkeys(entry.responds_to):
            j = position.get(target)
            if j is not None and j != i:
                waiting[i] += 1
                followers[j].append(i)
    if not followers:
        return ordered
    ready = [i for i, n in enumerate(waiting) if n == 0]
    heapq.heapify(ready)
    done = [False] * len(ordered)
    out: list[model.Entry] = []
    rest = 0  # lowest position that may still be undone, for breaking cycles
    while len(out) < len(ordered):
        if ready:
            i = heapq.heappop(ready)
            if done[i]:
                continue
        else:
            while done[rest]:
                rest += 1
            i = rest
        done[i] = True
        out.append(ordered[i])
        for k in followers.get(i, ()):
            waiting[k] -= 1
            if waiting[k] == 0 and not done[k]:
                heapq.heappush(ready, k)
    return out


def is_vague(entry: model.Entry) -> bool:
    """Return whether the entry's date is a span or less precise than a day."""
    precision = entry.date_precision
    return (precision is not None and precision is not model.DatePrecision.DAY) or (
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
    graph: dict[str, model.Entry] = dict(known or {})
    graph.update((e.id, e) for e in ordered)
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


def causes(
    graph: Mapping[str, model.Entry], starts: Iterable[str], rank: Mapping[str, int] | None = None
) -> dict[str, str | None]:
    """Map each id reachable from `starts` to the cause on its longest chain (None for a root).

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
        stack: list[tuple[str, int]] = [(start, 0)]
        on_stack.add(start)
        while stack:
            node, index = stack[-1]
            links = _links(graph, node, rank)
            if index < len(links):
                stack[-1] = (node, index + 1)
                target = links[index]
                if target not in depth and target not in on_stack:
                    if target in graph:
                        stack.append((target, 0))
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


def _links(graph: Mapping[str, model.Entry], node: str, rank: Mapping[str, int] | None = None) -> list[str]:
    entry = graph.get(node)
    if entry is None:
        return []
    links = [t for t in dict.fromkeys(entry.responds_to) if t != node]
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


#: What aggregation needs of an incident: first day, escalation, killed and injured (best).
Fact = tuple[dt.date, int, "int | None", "int | None"]


def fact(entry: model.Entry) -> Fact:
    """Return the values of an entry that `aggregate` counts."""
    c = entry.casualties
    return (entry.date, entry.escalation, model.best(c.killed) if c else None, model.best(c.injured) if c else None)


def periods(entries: Iterable[model.Entry], by: str, fill: bool = True) -> list[Period]:
    """Aggregate incidents by the period of their first day, in order; empty periods too when `fill`."""
    return aggregate(map(fact, entries), by, fill)


def aggregate(facts: Iterable[Fact], by: str, fill: bool = True) -> list[Period]:
    """Aggregate (date, escalation, killed, injured) values by period (see `periods`)."""
    if by not in PERIODS:
        raise ValueError(f"unknown period {by!r}")
    buckets: dict[dt.date, list[Fact]] = defaultdict(list)
    for item in facts:
        buckets[period_start(item[0], by)].append(item)
    if not buckets:
        return []
    if fill:
        starts = []
        current, last = min(buckets), max(buckets)
        while current <= last:
            starts.append(current)
            current = _next_start(current, by)
    else:
        starts = sorted(buckets)
    return [_period(start, by, buckets.get(start, ())) for start in starts]


def _period(start: dt.date, by: str, group: Sequence[Fact]) -> Period:
    levels = [item[1] for item in group]
    return Period(
        period_label(start, by),
        start,
        _next_start(start, by) - dt.timedelta(days=1),
        len(group),
        max(levels) if levels else None,
        sum(levels),
        total(item[2] for item in group),
        total(item[3] for item in group),
    )


def total(counts: Iterable[int | model.Estimate | None]) -> int | None:
    """Sum the best estimates that are known; None when none is (unknown is not 0)."""
    known = [n for n in map(model.best, counts) if n is not None]
    return sum(known) if known else None


# -- causal trees --------------------------------------------------------------------------

BACKWARD, FORWARD = "backward", "forward"


@dataclass(frozen=True, slots=True)
class TreeLine:
    """One line of a causal tree in pre-order: how deep, which id, and why it stops there."""

    depth: int
    id: str
    last: bool  # the last child of its parent (for drawing └ rather than ├)
    mark: str | None = None  # "cycle" (leads back to an id on this path), "seen" (expanded above), "missing"
    loop: tuple[str, ...] = ()  # for a cycle: the ids around it, first and last the same


Links = Mapping[str, Sequence[str]]


def links_of(entries: Iterable[model.Entry]) -> dict[str, tuple[str, ...]]:
    """Map each id to the ids it responds to, in chronological order of the entries."""
    return {e.id: e.responds_to for e in sorted(entries, key=chronological)}


def answered_by(links: Links) -> dict[str, list[str]]:
    """Map each id to the ids of the incidents that respond to it, in the order of `links`."""
    out: dict[str, list[str]] = defaultdict(list)
    for entry_id, targets in links.items():
        for target in dict.fromkeys(targets):
            if target != entry_id:
                out[target].append(entry_id)
    return dict(out)


def tree(root: str, links: Links, direction: str, reverse_links: Links | None = None) -> list[TreeLine]:
    """Walk the causal links from `root` (backward: what it answers; forward: what answered it).

    `links` maps every id to the ids it responds to (`links_of`); only ids, so a big ledger
    need not be decoded to draw one chain. Each id is expanded once; a later occurrence (two
    paths meet) is marked "seen". A link back to an id on the current path is marked
    "cycle" and not followed.
    """
    if direction == FORWARD and reverse_links is None:
        reverse_links = answered_by(links)

    def children(node: str) -> list[str]:
        if direction == BACKWARD:
            return [t for t in dict.fromkeys(links.get(node, ())) if t != node]
        return list((reverse_links or {}).get(node, ()))

    lines = [TreeLine(0, root, True, None if root in links else "missing")]
    expanded = {root}
    path, on_path = [root], {root}
    stack: list[tuple[list[str], int]] = [(children(root), 0)]
    while stack:
        kids, index = stack[-1]
        if index >= len(kids):
            stack.pop()
            on_path.discard(path.pop())
            continue
        stack[-1] = (kids, index + 1)
        node = kids[index]
        last = index == len(kids) - 1
        depth = len(path)
        if node in on_path:
            lines.append(TreeLine(depth, node, last, "cycle", (*path[path.index(node) :], node)))
        elif node not in links:
            lines.append(TreeLine(depth, node, last, "missing"))
        elif node in expanded:
            lines.append(TreeLine(depth, node, last, "seen"))
        else:
            lines.append(TreeLine(depth, node, last))
            expanded.add(node)
            path.append(node)
            on_path.add(node)
            stack.append((children(node), 0))
    return lines


def cycles(lines: Iterable[TreeLine]) -> list[tuple[str, ...]]:
    """Return the cycles a tree walk found, each as its ids (first and last the same)."""
    return [line.loop for line in lines if line.mark == "cycle"]
