"""The timeline's chains worked out as the incidents come, in chronological order (a valid ledger).

`timeline.causes` maps each linked incident to the cause on its longest chain over the
whole plan, which needs every linked incident's place first: on 100,000 incidents, reading
the 30,000 that link or are linked by id and planning them cost about 0.6 s of the chart.
Where every link points back (what `ledger validate` asks), the chronological order is the
timeline's, and each cause comes before its answers: then the longest chain to an incident
is known when it comes, from those of its causes (`Streamed.step`), as `causes`'
depth-first search with memoised depths finds it, link order breaking ties.

What the stream cannot know as it goes, it checks at the end (`broken`): an id it took for
a missing one (a root of its own) that came later after all (a link pointing forward:
the plan places it otherwise), or a linked id that two incidents share. Then the caller
plans the whole timeline instead and draws again.
"""

from __future__ import annotations

from collections.abc import Mapping

from ledger.reports.timeline import chain_of


class Streamed:
    """The chains of the linked incidents, one incident at a time in chronological order.

    `links` maps the rowid of each incident that answers another to its links as written;
    `into` maps a merged duplicate's id to the entry it was merged into (links to it lead
    there). `step` is given each incident with a linked id (one that answers, one named by
    a link, an entry duplicates lead to), in chronological order.
    """

    __slots__ = ("chains", "depth", "into", "links", "parent", "seen", "shared", "unseen")

    def __init__(self, links: Mapping[int, tuple[str, ...]], into: Mapping[str, str], chains: bool) -> None:
        self.links, self.into, self.chains = links, into, chains
        self.depth: dict[str, int] = {}  # of the incidents that answer: the others are roots (0)
        self.parent: dict[str, str | None] = {}  # the cause on the longest chain (none: a root)
        self.seen: set[str] = set()
        self.unseen: set[str] = set()  # ids linked to before any incident with that id came
        self.shared = False

    def step(self, rowid: int, entry_id: str) -> tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """Take the next linked incident: return its id, its links as written, its chain and the others it answers."""
        seen = self.seen
        if entry_id in seen:
            self.shared = True
        seen.add(entry_id)
        written = self.links.get(rowid)
        if written is None:
            return entry_id, (), (), ()
        into = self.into
        targets = dict.fromkeys([into.get(t, t) for t in written] if into else written)
        unseen = self.unseen
        for target in (*written, *targets) if into else targets:  # as written: the arrows follow these too
            if target not in seen:
                unseen.add(target)
        best, best_depth = None, -1
        depth = self.depth
        for target in targets:
            if target != entry_id:
                d = depth.get(target, 0)  # a root; or not come yet: missing (a root of its own), or later (`broken`)
                if d > best_depth:
                    best, best_depth = target, d
        depth[entry_id] = best_depth + 1
        if best is None:
            return entry_id, written, (), ()
        self.parent[entry_id] = best
        if not self.chains:
            return entry_id, written, (), ()
        chain = chain_of(entry_id, self.parent)
        also = tuple(t for t in targets if t not in chain and t != entry_id) if len(targets) > 1 else ()
        return entry_id, written, chain, also

    def broken(self) -> bool:
        """Return whether the stream cannot stand for the plan: a link pointing forward, or a linked id shared."""
        return self.shared or not self.unseen.isdisjoint(self.seen)
