"""Chronology reports over a ledger or a snapshot of one: timeline steps, periods, stats, duplicates, chains.

Each function takes a `source` answering `find`, `lookup` and `vocabulary` (a `Ledger` or the
`Snapshot` of `Ledger.at(rev)`) and returns a frozen value the shell only renders.
Aggregates read a few columns straight from the index instead of rebuilding every entry:
several times faster on a big ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ledger.api import lookup
from ledger.core import model, schema, vocab
from ledger.core.errors import UsageError
from ledger.query import Selection
from ledger.reports import timeline as tl

if TYPE_CHECKING:  # imported where used: the timeline and the chart need neither (start-up counts)
    from ledger.reports import dupes as dp
    from ledger.reports import stats as st

MAX_PERIODS = 100_000  # a day-by-day chart of centuries helps nobody; ask for weeks or months


class Timeline:
    """The selected incidents in order (streamed once, or as a list), numbered, with their chains."""

    def __init__(
        self,
        steps: Iterable[tl.Step],
        numbers: dict[str, int],
        vocabulary: vocab.Vocabulary,
        skipped: int = 0,
        frame: Any = None,
    ) -> None:
        self._stream: Iterable[tl.Step] | None = steps
        self._list: list[tl.Step] | None = None
        self.numbers = numbers  # the 1-based number of each id (chains name incidents by it)
        self.vocabulary = vocabulary
        self.skipped = skipped
        self.frame = frame  # with `drawn` rows: the picture's `index.drawn.Frame`

    @property
    def steps(self) -> list[tl.Step]:
        """All the steps as a list (held in memory: prefer iterating)."""
        if self._list is None:
            self._list = list(self._stream or ())
            self._stream = None
        return self._list

    def __iter__(self) -> Iterator[tl.Step]:
        """Yield the steps as they are read from the index (once; again from the list after `steps`)."""
        if self._list is not None:
            return iter(self._list)
        stream, self._stream = self._stream, None
        return iter(stream or ())


@dataclass(frozen=True, slots=True)
class Periods:
    periods: list[tl.Period]
    skipped: int = 0


@dataclass(frozen=True, slots=True)
class Stats:
    count: int
    groups: list[st.Group]
    skipped: int = 0

    def summary(self) -> str:
        """`12 incidents in 3 groups`."""
        from ledger.output.render import plural

        return f"{plural(self.count, 'incident')} in {plural(len(self.groups), 'group')}"


@dataclass(frozen=True, slots=True)
class Dupes:
    candidates: list[dp.Candidate]
    count: int
    paths: dict[str, str]
    skipped: int = 0

    def summary(self) -> str:
        """`2 candidate pairs among 40 incidents`."""
        from ledger.output.render import plural

        return f"{plural(len(self.candidates), 'candidate pair')} among {self.count} incidents"


@dataclass(frozen=True, slots=True)
class Chain:
    """An incident's causal chain: what it answers (back to the roots) and what answered it."""

    entry: model.Entry
    back: list[tl.TreeLine]
    forward: list[tl.TreeLine]
    cycles: list[tuple[str, ...]]
    entries: dict[str, model.Entry]
    paths: dict[str, str] = field(default_factory=dict)
    merged_from: str | None = None  # the id asked for, when it was merged into `entry`


def selected(source: Any, selection: Selection) -> tuple[list[model.Entry], dict[str, str], int]:
    """Return the selected entries, their paths and how many invalid files were left out."""
    found = source.find(selection)
    entries, paths = [], {}
    for record in found.records():  # one at a time: the records need not all be held at once
        entries.append(schema.from_json(record))
        paths[record["id"]] = record["path"]
    return entries, paths, found.skipped


def _columns(source: Any, selection: Selection, columns: Sequence[str]) -> tuple[list[dict[str, Any]], int]:
    found = source.find(selection)
    return list(found.rows(columns)), found.skipped


def fetch(source: Any, ids: Iterable[str]) -> list[model.Entry]:
    """Return the entries with these ids (withdrawn ones too)."""
    return [schema.from_json(r) for r in source.lookup(sorted(set(ids))).values()]


def ancestors(source: Any, entries: Sequence[model.Entry]) -> dict[str, model.Entry]:
    """Return the incidents outside the selection that its responds_to chains pass through."""
    have = {e.id for e in entries}
    known: dict[str, model.Entry] = {}
    missing = {t for e in entries for t in e.responds_to} - have
    while missing:
        found = fetch(source, missing)
        known.update((e.id, e) for e in found)
        have |= missing
        missing = {t for e in found for t in e.responds_to} - have
    return known


def merged(source: Any) -> dict[str, str]:
    """Map each merged duplicate to the entry it was finally merged into (reads the withdrawn entries only)."""
    from ledger.query import parse

    withdrawn = source.find(Selection(parse("status:withdrawn"), include_withdrawn=True))
    return tl.merged_into({i: target for i, target in withdrawn.run("e.id, e.duplicate_of") if target})


def timeline(source: Any, selection: Selection, plain: bool = False, drawn: bool = False) -> Timeline:
    """Return the timeline of a selection (chains followed outside it when it is filtered).

    Order, numbers and chains come from ids and links alone (`timeline.plan`); the incidents
    are then streamed as light rows from the index (`timeline.stream`), never all decoded:
    `index.chrono.Incident` (dates, times and enums as objects), or with `plain` the
    columns as stored (`index.chrono.Plain`, what the program formats write), or with
    `drawn` what the chart draws (`index.drawn.Drawn`, with the picture's frame).
    """
    found = source.find(selection)
    keys = found.keys()
    # Unfiltered, the selection holds every link its chains follow: the keys carry them.
    known = found.links(whole=True) if selection.where is not None else None
    into = merged(source)
    if into:  # links to a merged duplicate lead to the entry it was merged into
        moved = tl.redirect_links({k[0]: k[2] for k in keys if k[2]}, into)
        keys = [(k[0], k[1], moved[k[0]]) if k[2] else k for k in keys]
        known = tl.redirect_links(known, into) if known else None
    planned = tl.plan(keys, known or None)
    rows = found.drawn() if drawn else found.plain() if plain else found.incidents()
    steps: Iterable[tl.Step] = tl.stream(planned, rows, into)
    if selection.reverse:
        steps = list(steps)[::-1]
    frame = found.frame() if drawn else None
    return Timeline(steps, planned.numbers, source.vocabulary, found.skipped, frame)


@dataclass(frozen=True, slots=True)
class Written:
    """A timeline for the program formats: most of each line written by SQLite (`index.chrono_text`).

    `rows` gives (rowid, escalation, day, head, tail) in timeline order, with the cells of
    the format as text in `head` and `tail`; `links` holds
    (responds_to, chain) of the incidents that answer another, by rowid; `plain` reads one
    incident as `index.chrono.Plain` (for a line to write the general way); `quoted` its
    CSV cells quoted and guarded (`rows` gives CSV cells as they are, joined by commas).
    """

    rows: Iterable[tuple[int, int, int, str, str]]
    links: dict[int, tuple[tuple[str, ...], tuple[str, ...]]]
    plain: Callable[[int], Any]
    quoted: Callable[[int], tuple[str, str]]
    vocabulary: vocab.Vocabulary
    reverse: bool = False  # numbered in timeline order, written last first
    skipped: int = 0


@dataclass(frozen=True, slots=True)
class LinkedRows:
    """The incidents of a selection that link or are linked, as `chrono_text.linked` reads them.

    `raw`: each one's links as stored; `links`: the same with links to a merged duplicate sent
    to the entry it was merged into (`into`); `known`: every incident's links (redirected
    likewise), read only for a filtered selection whose chains may reach through others.
    """

    rows: list[Any]
    ids: list[str]
    raw: list[tuple[str, ...]]
    links: list[tuple[str, ...]]
    into: dict[str, str]
    known: dict[str, tuple[str, ...]] | None


def linked_rows(source: Any, found: Any, selection: Selection, whole: bool) -> LinkedRows | None:
    """Read the linked incidents of `found` once for the written timeline and the chart (None: ids used twice)."""
    from ledger.index import chrono_text
    from ledger.index.rows import names

    scanned = chrono_text.scan(found)  # the incidents that answer another and the merged duplicates, at once
    into = merged(source) if scanned is None else tl.merged_into(scanned[1])
    known = found.links(whole=True) if whole and selection.where is not None else None
    if known is not None and chrono_text.duplicate_ids(found):
        return None
    rows = chrono_text.linked(found, set(into.values()), None if scanned is None else scanned[0])
    ids = [row[1] for row in rows]
    if len(set(ids)) != len(ids):
        return None
    raw = [names(row[2]) for row in rows]
    moved: dict[str, tuple[str, ...]] = {}
    if into:  # links to a merged duplicate lead to the entry it was merged into
        moved = tl.redirect_links({i: r for i, r in zip(ids, raw, strict=True) if r}, into)
        known = tl.redirect_links(known, into) if known else None
    links = [moved.get(i, r) if r else r for i, r in zip(ids, raw, strict=True)]
    return LinkedRows(rows, ids, raw, links, into, known)


def written(source: Any, selection: Selection, fmt: str) -> Written | None:
    """Return the timeline of a selection with its lines' cells written by SQL (None: use `timeline`).

    The same order, numbers and chains as `timeline`, worked out from the incidents that
    link or are linked only (`timeline.linked_order`); every other incident is written as
    it comes (`timeline.settle`). An id used twice among those falls back to `timeline`.
    """
    import functools
    from operator import itemgetter

    from ledger.index import chrono_text

    found = source.find(selection)
    read = linked_rows(source, found, selection, whole=True)
    if read is None:
        return None
    rows, ids, raw, links, known = read.rows, read.ids, read.raw, read.links, read.known
    order = tl.linked_order(ids, links)
    final = list(tl.settle(order, range(len(ids)), lambda i: i))
    graph: dict[str, Sequence[str]] = dict(known or {})
    graph.update(zip(ids, links, strict=True))
    parent = tl.causes(graph, [ids[i] for i in final], {ids[i]: n for n, i in enumerate(final)})
    chains = {row[0]: (r, tl.chain_of(row[1], parent)) for row, r in zip(rows, raw, strict=True) if r}
    placed = [(rows[i][0], forced) for i, forced in order]
    steps = tl.settle(placed, chrono_text.texts(found, fmt), itemgetter(0))
    plain = functools.partial(chrono_text.plain_row, found)
    quoted = functools.partial(chrono_text.quoted, found)
    return Written(steps, chains, plain, quoted, source.vocabulary, selection.reverse, found.skipped)


def periods(source: Any, selection: Selection, by: str) -> Periods:
    """Return the selection aggregated by day, week or month in SQL (empty periods included)."""
    from ledger.core.errors import not_one_of

    if by not in tl.PERIODS:
        raise not_one_of("--by", by, tl.PERIODS)
    found = source.find(selection)
    rows = found.period_rows(by)
    present = tl.periods_from(rows, by, fill=False)
    if present and tl.period_count(present[0].start, present[-1].start, by) > MAX_PERIODS:
        raise UsageError(f"the incidents span more than {MAX_PERIODS:,} {by}s: use a longer --by or narrow the query")
    return Periods(tl.periods_from(rows, by), found.skipped)


def stats(source: Any, selection: Selection, by: str) -> Stats:
    """Count incidents, killed, injured (with ranges) and the highest escalation per group, in SQL."""
    from ledger.core.errors import not_one_of
    from ledger.reports import stats as st

    if by not in st.BY:
        raise not_one_of("--by", by, st.BY)
    found = source.find(selection)
    from ledger.index import chrono as rows

    return Stats(rows.count(found), st.groups_from(found.group_rows(by), by), found.skipped)


def dupes(source: Any, selection: Selection, **options: Any) -> Dupes:
    """Return candidate duplicate pairs among the selection (options of `dupes.candidates`).

    The incidents are light rows from the index (`index.chrono.Located`), not decoded entries.
    """
    from ledger.reports import dupes as dp

    found = source.find(selection)
    located = list(found.located())
    paths = {e.id: e.path for e in located}
    return Dupes(dp.candidates(located, source.vocabulary, **options), len(located), paths, found.skipped)


def chain(source: Any, entry_id: str) -> Chain:
    """Return an incident's causal chain; NotFound (with a suggestion) for an unknown id."""
    if not source.lookup([entry_id]):
        raise lookup.not_found(source, entry_id)
    # Walking needs only the links of every incident; only the incidents drawn are decoded.
    links: dict[str, tuple[str, ...]] = {}
    duplicates: dict[str, str] = {}
    for r in source.find(Selection(include_withdrawn=True)).records():
        links[r["id"]] = r.get("responds_to", ())
        if r.get("status") == "withdrawn" and r.get("duplicate_of"):
            duplicates[r["id"]] = r["duplicate_of"]
    into = tl.merged_into(duplicates)
    asked: str | None = None
    if into:  # links to a merged duplicate lead to the entry it was merged into
        links = tl.redirect_links(links, into)
        if entry_id in into and into[entry_id] in links:
            asked, entry_id = entry_id, into[entry_id]
    back = tl.tree(entry_id, links, tl.BACKWARD)
    forward = tl.tree(entry_id, links, tl.FORWARD)
    loops = list(dict.fromkeys(tl.cycles(back) + tl.cycles(forward)))
    drawn = source.lookup(sorted({line.id for line in (*back, *forward) if line.id in links}))
    entries = {i: schema.from_json(r) for i, r in drawn.items()}
    paths = {i: r["path"] for i, r in drawn.items()}
    return Chain(entries[entry_id], back, forward, loops, entries, paths, asked)
