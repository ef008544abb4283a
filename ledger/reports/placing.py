"""Placing a timeline: chronological order, except that an incident never goes before one it answers.

Links may not point later (`ledger validate`), so this only reorders incidents of the same
date, but an invalid ledger (a link to a later incident, a cycle) must still give an order.
The rule is Kahn's algorithm with the chronological position as priority. Only the
incidents that wait for or are waited on by another take part in it (`linked_order`); the
others are merged in as they come (`settle`), so a timeline of 100,000 incidents of which a
few thousand link places those few thousand, and streams the rest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any


def placing(ids: Sequence[str], links: Sequence[Sequence[str]]) -> list[int]:
    """Return the positions of chronologically sorted incidents in the order `order` gives them."""
    return list(settle(linked_order(ids, links), range(len(ids)), lambda i: i))


def linked_order(ids: Sequence[str], links: Sequence[Sequence[str]]) -> list[tuple[int, bool]]:
    """Place the incidents that wait for or are waited on by another (positions in chronological order).

    Kahn's algorithm with the chronological position as priority, over the linked incidents
    only: the others never wait and are never waited on, so `settle` slots them in. Of those,
    only the groups (connected by links) in which an incident waits for a later one take
    part: where every link points back, the earliest undone incident of the group is always
    ready, so the group comes out in chronological order as free incidents would.
    Returns (position, forced) in placing order; `forced` marks an incident placed to break
    a cycle (on an invalid ledger: the earliest waiting one goes next, so it always ends).
    A link's target is the last incident with that id.
    """
    import heapq

    position = {entry_id: i for i, entry_id in enumerate(ids)}
    if not _any_late(links, position):  # a valid ledger: every link points back, nothing to place
        return []
    waiting: dict[int, int] = {}
    followers: dict[int, list[int]] = defaultdict(list)
    waits_for: dict[int, list[int]] = defaultdict(list)
    late: list[int] = []  # incidents that wait for a later one
    for i, targets in enumerate(links):
        for target in dict.fromkeys(targets):
            j = position.get(target)
            if j is not None and j != i:
                waiting[i] = waiting.get(i, 0) + 1
                followers[j].append(i)
                waits_for[i].append(j)
                if j > i:
                    late.append(i)
    if not late:
        return []
    group = set(late)  # the groups of the incidents that wait for a later one
    todo = list(group)
    while todo:
        node = todo.pop()
        for other in (*followers.get(node, ()), *waits_for.get(node, ())):
            if other not in group:
                group.add(other)
                todo.append(other)
    linked = sorted(group)
    ready = [i for i in linked if i not in waiting]
    heapq.heapify(ready)
    done: set[int] = set()
    out: list[tuple[int, bool]] = []
    rest = 0  # index in `linked` of the lowest position that may still be undone, for breaking cycles
    while len(out) < len(linked):
        forced = not ready
        if ready:
            i = heapq.heappop(ready)
            if i in done:
                continue
        else:
            while linked[rest] in done:
                rest += 1
            i = linked[rest]
        done.add(i)
        out.append((i, forced))
        for k in followers.get(i, ()):
            waiting[k] -= 1
            if waiting[k] == 0 and k not in done:
                heapq.heappush(ready, k)
    return out


def _any_late(links: Sequence[Sequence[str]], position: dict[str, int]) -> bool:
    """Return whether an incident links to one placed after it (by position)."""
    get = position.get
    for i, targets in enumerate(links):
        for target in targets:
            j = get(target)
            if j is not None and j > i:
                return True
    return False


def settle(moved: Sequence[tuple[Any, bool]], items: Iterable[Any], key: Callable[[Any], Any]) -> Iterator[Any]:
    """Yield `items` (in chronological order) in placing order, given `linked_order`'s answer by key.

    The items no link holds are ready at once: each goes as soon as it comes, after the
    placed items that came before it. A placed item goes as soon as it has come and those
    placed before it are out, unless it was forced: a cycle is broken only when nothing else
    is ready, so it and all placed after it wait for the end. Only placed items are held.
    With nothing placed (a valid ledger) that is `items` as they come.
    """
    return _settle(moved, items, key) if moved else iter(items)


def _settle(moved: Sequence[tuple[Any, bool]], items: Iterable[Any], key: Callable[[Any], Any]) -> Iterator[Any]:
    held = {k for k, _ in moved}
    pending: dict[Any, Any] = {}
    q, count = 0, len(moved)
    for item in items:
        k = key(item)
        if k in held:
            pending[k] = item
        elif not pending:  # nothing held: nothing placed can be due
            yield item
            continue
        while q < count and not moved[q][1] and moved[q][0] in pending:
            yield pending.pop(moved[q][0])
            q += 1
        if k not in held:
            yield item
    for k, _ in moved[q:]:
        yield pending.pop(k)
