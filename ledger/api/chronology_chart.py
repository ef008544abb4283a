"""The timeline's chart (`timeline --format svg|html`) with its lines written by SQLite.

The same order, numbers and chains as `chronology.timeline`, worked out from the incidents
that link or are linked only (`timeline.linked_order`, as the program formats do in
`chronology.written`); every other incident streams past as a row of templates
(`index.drawn_text`) that `output.marks_text` fills in. Where that could differ from the
general path it is not taken (None): a small chart (placed whole and spread), linked
incidents sharing an id, a cycle of links, and an HTML table whose chain names an incident
placed after the row (through incidents outside a filtered selection, on the same day).

The whole ledger (no filter, sort or limit) is not planned first: reading the 30,000
linked incidents of 100,000 by id and planning them cost about 0.6 s. Its rows carry
their ids, and the chains are worked out as they come (`reports.streamed`), which holds
where every link points back; if one does not, or a linked id is shared, the chart is
drawn again from the plan (`Charted.replan`), or by the general path (`Unplanned`).
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


class Stream(NamedTuple):
    """What `reports.streamed.Streamed` needs to work out the chains as the rows come (`Charted.stream`)."""

    links: dict[int, tuple[str, ...]]  # the answering incidents' links as written, by rowid
    into: dict[str, str]  # merged duplicates' ids -> the entries they were merged into
    names: frozenset[str]  # the linked ids: those that answer, those they name, those duplicates lead to


@dataclass(frozen=True, slots=True)
class Charted:
    """A timeline for the chart: the frame, the plan of the linked incidents, and the rows as templates.

    `rows(paint)` yields `index.drawn_text.texts` rows in timeline order; `linked` holds the
    linked incidents by rowid, `ids` their ids; `drawn(rowid)` reads one incident as an
    `index.drawn.Drawn` row (for a line written the general way). A streamed chart
    (`stream`) has no plan: its rows name their linked incidents, whose chains are worked out
    as they come; if that cannot stand for the plan (`Streamed.broken`), `replan()` gives
    the planned chart, or None for the general path.
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
    stream: Stream | None = None
    replan: Callable[[], Charted | None] | None = None


def charted(source: Any, selection: Selection, least: int, chains: bool = True) -> Charted | None:
    """Return the chart of a selection of more than `least` incidents with its lines written by SQL (None: use `timeline`).

    Without `chains` (the SVG alone shows none) the chains are not worked out. The whole
    ledger unsorted and unlimited is streamed (`Charted.stream`), else planned.
    """
    from ledger.index import drawn_text

    found = source.find(selection)
    count, first, last, lowest, highest, categories = drawn_text.extent(found)
    if count <= least:
        return None
    if not ((lowest or 0) >= 0 and (highest or 0) <= model.ESCALATION_MAX and categories <= set(model.Category)):
        return None  # the lines have the text of every rung and category, of no other (an invalid ledger's)
    extent = (count, first, last, frozenset(categories))
    plan = functools.partial(_planned, source, found, selection, chains, extent)
    if selection.where is None and selection.limit is None and selection.sort in (None, "date"):
        return _streamed(source, found, selection, extent, plan)
    return plan()


def _streamed(
    source: Any, found: Any, selection: Selection, extent: tuple[Any, ...], plan: Callable[[], Charted | None]
) -> Charted:
    """Return the chart of the whole ledger with no plan: the chains are worked out as the rows come."""
    from ledger.index import chrono_text, drawn_text
    from ledger.index.drawn import Frame
    from ledger.index.rows import names as array_names

    count, first, last, categories = extent
    scanned = chrono_text.scan(found)
    assert scanned is not None  # unsorted and unlimited
    answering, duplicates = scanned
    into = tl.merged_into(duplicates)
    named = set(into.values())
    links: dict[int, tuple[str, ...]] = {}
    for rowid, entry_id, text, _, _ in answering:
        written = links[rowid] = array_names(text)
        named.add(entry_id)
        named.update(written)
    frame = Frame(count, first, last, frozenset(t for written in links.values() for t in written))

    def texts(paint: Any) -> Iterator[tuple[Any, ...]]:
        return drawn_text.texts(found, paint, ids=True)

    drawn = functools.partial(drawn_text.drawn_row, found)
    return Charted(
        frame, categories, {}, frozenset(), texts, drawn, source.vocabulary, selection.reverse, found.skipped,
        Stream(links, into, frozenset(named)), plan,
    )  # fmt: skip


def _planned(source: Any, found: Any, selection: Selection, chains: bool, extent: tuple[Any, ...]) -> Charted | None:
    """Return the chart with its linked incidents planned first (None: use `timeline`)."""
    from ledger.api.chronology import linked_rows
    from ledger.index import drawn_text
    from ledger.index.drawn import Frame

    count, first, last, categories = extent
    read = linked_rows(source, found, selection, whole=chains)  # chains through others
    if read is None:
        return None
    rows, ids, raw, links, into, known = read.rows, read.ids, read.raw, read.links, read.into, read.known
    order = tl.linked_order(ids, links)
    if any(forced for _, forced in order):  # a cycle: some link goes to an incident placed later
        return None
    final = list(tl.settle(order, range(len(ids)), lambda i: i))
    rank = {ids[i]: n for n, i in enumerate(final)}
    chained: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    if chains:
        graph: dict[str, Sequence[str]] = dict(known or {})
        graph.update(zip(ids, links, strict=True))
        parent = tl.causes(graph, [ids[i] for i in final], rank)
        answers: list[tuple[str, tuple[str, ...]]] = []  # (id, the chain and the others it answers)
        for row, written in zip(rows, raw, strict=True):
            if written:  # as `timeline.stream` works them out
                chain = tl.chain_of(row[1], parent)
                on_chain = set(chain)
                targets = dict.fromkeys(into.get(t, t) for t in written)
                also = tuple(t for t in targets if t not in on_chain and t != row[1])
                chained[row[0]] = (chain, also)
                answers.append((row[1], (*chain, *also)))
        # A filter's chains pass through incidents outside it to causes inside it that nothing
        # selected links to: the table numbers them, so they are placed (and numbered) with the rest.
        reached = {t for chain, also in chained.values() for t in (*chain, *also)} - rank.keys()
        extra = drawn_text.named(found, reached) if reached else []
        if extra:  # they link to nothing selected and nothing selected links to them: the order stands
            redirected = dict(zip(ids, links, strict=True))
            rows = sorted([*rows, *extra], key=lambda row: (row[3], row[4]))
            ids = [row[1] for row in rows]
            raw = [tuple(json.loads(row[2])) if row[2] else () for row in rows]
            links = [redirected.get(i, r) for i, r in zip(ids, raw, strict=True)]
            order = tl.linked_order(ids, links)
            rank = {ids[i]: n for n, i in enumerate(tl.settle(order, range(len(ids)), lambda i: i))}
        for entry_id, named in answers:
            own = rank[entry_id]
            for t in named:
                if rank.get(t, -1) > own:  # a cause placed later: its number is not known when the row is written
                    return None
    linked = {row[0]: Linked(row[1], r, *chained.get(row[0], ((), ()))) for row, r in zip(rows, raw, strict=True)}
    frame = Frame(count, first, last, frozenset(t for written in raw for t in written))
    placed = [(rows[i][0], forced) for i, forced in order]

    def texts(paint: Any) -> Iterator[tuple[Any, ...]]:
        return tl.settle(placed, drawn_text.texts(found, paint), itemgetter(0))

    drawn = functools.partial(drawn_text.drawn_row, found)
    return Charted(
        frame, categories, linked, frozenset(ids), texts, drawn, source.vocabulary, selection.reverse, found.skipped
    )
