"""Causal trees: what an incident answers (back to the roots) and what answered it.

`tree` walks the `responds_to` links from one incident backwards or forwards, reporting
cycles instead of following them, so an invalid ledger cannot make it loop.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ledger.core import model
from ledger.core.model import chronological

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
