"""The timeline's chart (`timeline --format svg|html`) with its lines written by SQLite.

The same order, numbers and chains as `chronology.timeline`, worked out from the incidents
that link or are linked only (`timeline.linked_order`, as the program formats do in
`chronology.written`); every other incident streams past as a row of templates
(`index.drawn_text`) that `output.marks_text` fills in. Where that could differ from the
general path it is not taken (None): a small chart (placed whole and spread), linked
incidents sharing an id, a cycle of links, and the HTML table of a filtered selection (its
chains pass through incidents outside it, to causes in it that nothing in it links to,
which the table numbers: only the general path knows their numbers).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, NamedTuple

from ledger.core import model, vocab
from ledger.query import Selection
from ledger.reports import timeline as tl


class Linked(NamedTuple):
    """An incident that answers or is answered by another (the others need nothing of the plan)."""

    id: str
    responds_to: tuple[str, ...]  # as written: the arrows and the same-day rule follow these
    chain: tuple[str, ...]  # as `timeline.Step.chain`
    also: tuple[str, ...]  # as `timeline.Step.also`


@dataclass(frozen=True, slots=True)
class Charted:
    """A timeline for the chart: the frame, the plan of the linked incidents, and the rows as templates.

    `rows(paint)` yields `index.drawn_text.texts` rows in timeline order; `linked` holds the
    linked incidents by rowid, `ids` their ids; `drawn(rowid)` reads one incident as an
    `index.drawn.Drawn` row (for a line written the general way).
    """

    frame: Any  # `index.drawn.Frame`
    categories: frozenset[str]
    linked: dict[int, Linked]
    ids: frozenset[str]
    rows: Callable[[Any], Iterator[tuple[Any, ...]]]
    drawn: Callable[[int], Any]
    vocabulary: vocab.Vocabulary
    reverse: bool = False
    skipped: int = 0


def charted(source: Any, selection: Selection, least: int, chains: bool = True) -> Charted | None:
    """Return the chart of a selection of more than `least` incidents with its lines written by SQL (None: use `timeline`).

    Without `chains` (the SVG alone shows none) the chains are not worked out.
    """
    from ledger.api.chronology import merged
    from ledger.index import chrono_text, drawn_text
    from ledger.index.drawn import Frame

    found = source.find(selection)
    count, first, last, lowest, highest, categories = drawn_text.extent(found)
    if count <= least or (chains and selection.where is not None):  # a filter's chains pass through others,
        return None  # whose causes in the selection only the general path numbers
    if not ((lowest or 0) >= 0 and (highest or 0) <= model.ESCALATION_MAX and categories <= set(model.Category)):
        return None  # the lines have the text of every rung and category, of no other (an invalid ledger's)
    scanned = chrono_text.scan(found)  # the incidents that answer another and the merged duplicates, at once
    into = merged(source) if scanned is None else tl.merged_into(scanned[1])
    rows = chrono_text.linked(found, set(into.values()), None if scanned is None else scanned[0])
    ids = [row[1] for row in rows]
    if len(set(ids)) != len(ids):
        return None
    raw = [tuple(json.loads(row[2])) if row[2] else () for row in rows]
    links: list[tuple[str, ...]] = raw
    if into:  # links to a merged duplicate lead to the entry it was merged into
        moved = tl.redirect_links({i: r for i, r in zip(ids, raw, strict=True) if r}, into)
        links = [moved[i] if r else r for i, r in zip(ids, raw, strict=True)]
    order = tl.linked_order(ids, links)
    if any(forced for _, forced in order):  # a cycle: some link goes to an incident placed later
        return None
    final = list(tl.settle(order, range(len(ids)), lambda i: i))
    graph: dict[str, Sequence[str]] = dict(zip(ids, links, strict=True))
    rank = {ids[i]: n for n, i in enumerate(final)}
    parent = tl.causes(graph, [ids[i] for i in final], rank) if chains else {}
    linked = {}
    for row, written in zip(rows, raw, strict=True):
        chain: tuple[str, ...] = ()
        also: tuple[str, ...] = ()
        if written and chains:  # as `timeline.stream` works them out
            chain = tl.chain_of(row[1], parent)
            on_chain = set(chain)
            targets = dict.fromkeys(into.get(t, t) for t in written)
            also = tuple(t for t in targets if t not in on_chain and t != row[1])
            here = rank[row[1]]
            if any(rank.get(t, -1) > here for t in (*chain, *also)):  # a chain through others to one placed later
                return None
        linked[row[0]] = Linked(row[1], written, chain, also)
    frame = Frame(count, first, last, frozenset(t for written in raw for t in written))
    placed = [(rows[i][0], forced) for i, forced in order]

    def texts(paint: Any) -> Iterator[tuple[Any, ...]]:
        return tl.settle(placed, drawn_text.texts(found, paint), itemgetter(0))

    drawn = functools.partial(drawn_text.drawn_row, found)
    return Charted(
        frame, categories, linked, frozenset(ids), texts, drawn, source.vocabulary, selection.reverse, found.skipped
    )
