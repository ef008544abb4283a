"""The chart's marks from lines SQLite wrote (`api.chronology_chart`, `index.drawn_text`).

The same sections, lines and order as `marks.Sections` over `marks.place`, without an
object per incident: each row comes with its mark, span and table row as templates, and
Python fills in what the order decides (the number, the change and days, the chain, the
same-day rule's x) and the floats (formatted by Python, as the general path does). Only the
linked incidents (those that answer or are answered) take the longer way: the arrows, the
same-day rule and the chain need where they stand. A row flagged `bad` (text XML cannot
hold) is written by the general functions (`marks.mark_line`, `span_line`, `page.table_row`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ledger.core import model
from ledger.index.drawn_text import Paint
from ledger.output.chrono_rows import chain_text, signed
from ledger.output.marks import (
    _DAY_PART,
    COLOURS,
    LEFT,
    RIGHT,
    Mark,
    Spool,
    W,
    arrow_line,
    mark_line,
    radius,
    rung_y,
    span_line,
    special,
    xml,
)  # fmt: skip
from ledger.reports.timeline import Step


class Pin:
    """Where a linked incident's mark stands (for the arrows and the same-day rule)."""

    __slots__ = ("day", "links", "r", "x", "y")

    def __init__(self, x: float, y: float, r: float, day: int, links: tuple[str, ...]) -> None:
        self.x, self.y, self.r, self.day, self.links = x, y, r, day, links


class _Chained:
    """What `chrono_rows.chain_text` reads of a step."""

    __slots__ = ("also", "chain", "entry", "id")

    def __init__(self, entry_id: str, chain: tuple[str, ...], also: tuple[str, ...]) -> None:
        self.id, self.chain, self.also, self.entry = entry_id, chain, also, self


class TextSections:
    """`marks.Sections` for a `chronology_chart.Charted`: the same interface (`draw`, `svg`, `table_rows`)."""

    def __init__(self, charted: Any, *, link: bool = False, table_row: Callable[..., str] | None = None) -> None:
        """`table_row` (`page.table_row`), when given, writes the HTML table's row of a step the general way."""
        self.charted, self.link, self.table_row = charted, link, table_row
        self.spans, self.arrows, self.table = Spool(True), Spool(True), Spool(not charted.reverse)
        self.want_table = table_row is not None
        self.by_radius: dict[float, Spool] = {}
        self.present = {c for c in COLOURS if c in charted.categories}
        self.top, self.tops = -1, list[tuple[int, int, float, float, float]]()  # (rowid, number, x, y, r)
        self.at: dict[str, Pin] = {}  # the linked incidents placed so far
        self.waiting: list[Pin] | None = None  # marks whose arrows wait for the end
        self.rows = 0

    def paint(self, first: int, last: int) -> Paint:
        """Return what SQL needs of the picture to write the lines."""
        labels = self.charted.vocabulary.labels
        levels = range(model.ESCALATION_MAX + 1)
        return Paint(
            {str(c): colour for c, colour in COLOURS.items()},
            {level: f"{rung_y(level):.1f}" for level in levels},
            {level: xml(labels[level] if level < len(labels) else str(level)) for level in levels},
            {level: xml(self.charted.vocabulary.label(level)) for level in levels} if self.want_table else None,
            self.link,
            _DAY_PART,
            LEFT,
            W - LEFT - RIGHT,
            first,
            last - first,
        )

    def draw(self, steps: Iterable[Any], first: int, last: int, scale: float, frame: Any) -> None:
        """Write the lines of every incident (`steps` is not used: the rows come from `charted`)."""
        charted = self.charted
        linked, ids = charted.linked, charted.ids
        width, span = W - LEFT - RIGHT, last - first
        ys = {level: rung_y(level) for level in range(model.ESCALATION_MAX + 1)}
        radii: dict[int | None, tuple[float, str, Spool]] = {}
        changes: dict[int, str] = {}
        numbers: dict[str, int] = {}
        at, by_radius, batch = self.at, self.by_radius, Spool.BATCH
        spans, table = self.spans, self.table
        want_table = self.want_table
        top, tops = self.top, self.tops
        number = previous_level = previous_day = 0
        for rowid, day, level, casualties, x, mark, span_text, x_start, x_end, row, bad in charted.rows(
            self.paint(first, last)
        ):
            number += 1
            sized = radii.get(casualties)
            if sized is None:
                r = radius(casualties, scale)
                spool = by_radius.get(r)
                if spool is None:
                    spool = by_radius[r] = Spool(True)
                sized = radii[casualties] = (r, f"{r:.1f}", spool)
            r, r_text, spool = sized
            chained = ""
            info = linked.get(rowid)
            if info is not None:
                numbers[info.id] = number
                links = info.responds_to
                for cause in links:  # an answer cannot come before what it answers: on the same day, to the right
                    c = at.get(cause)
                    if c is not None and c.day == day:
                        x = max(x, c.x)
                y = ys[level] if level in ys else rung_y(level)
                pin = Pin(x, y, r, day, links)
                if links:
                    if self.waiting is None and any(t in ids and t not in numbers for t in links):
                        self.waiting = []
                    if self.waiting is None:
                        self._arrows(pin)
                    else:
                        self.waiting.append(pin)
                    if want_table:
                        chained = chain_text(_Chained(info.id, info.chain, info.also), numbers)  # type: ignore[arg-type]
                        if special(chained) is not None:
                            chained = xml(chained)
                at[info.id] = pin
            if want_table:
                if number == 1:
                    change = gap = ""
                else:
                    known = changes.get(level - previous_level)
                    if known is None:
                        known = changes[level - previous_level] = signed(level - previous_level)
                    change, gap = known, day - previous_day
            if bad or mark is None:
                delta = None if number == 1 else level - previous_level
                days = None if number == 1 else day - previous_day
                mark, span_text, row = self._general(
                    rowid, number, x, r, (first, span, width), info, numbers, delta, days
                )
            else:
                mark = mark % (x, r_text, number)
                if span_text is not None:
                    span_text = span_text % (x_start, x_end)
                if want_table:
                    row = row % (number, change, gap, chained)
            if span_text is not None:
                spans.lines.append(span_text)
                if len(spans.lines) >= batch:
                    spans.flush()
            lines = spool.lines
            lines.append(mark)
            if len(lines) >= batch:
                spool.flush()
            if want_table:
                lines = table.lines
                lines.append(row)
                if len(lines) >= batch:
                    table.flush()
            previous_level, previous_day = level, day
            if level >= top:
                if level > top:
                    top, tops = level, []
                if len(tops) < 4:
                    tops.append((rowid, number, x, ys[level] if level in ys else rung_y(level), r))
        self.top, self.tops, self.rows = top, tops, number if want_table else 0

    def _general(
        self, rowid: int, number: int, x: float, r: float, frame: tuple[int, int, int], info: Any, numbers: Any,
        delta: int | None, days: int | None,
    ) -> tuple[str, str | None, str | None]:  # fmt: skip
        """Write one incident's lines the general way (from its `Drawn` row)."""
        first, span, width = frame
        e = self.charted.drawn(rowid)
        step = Step(number, e, delta, days, info.chain if info else (), info.also if info else ())
        y = rung_y(e.escalation)
        x_end = LEFT + (e.last + 1 - first) / span * width if e.vague else None
        m = Mark(step, x, y, r, LEFT + (e.day - first) / span * width, x_end)
        line = mark_line(m, self.charted.vocabulary.labels, self.link)
        row = self.table_row(step, self.charted.vocabulary, numbers) if self.table_row is not None else None
        return line, span_line(m) if e.vague else None, row

    def _arrows(self, m: Pin) -> None:
        lines = self.arrows.lines
        for cause in dict.fromkeys(m.links):
            c = self.at.get(cause)
            if c is not None and c is not m:
                lines.append(arrow_line(c, m))
        if len(lines) >= Spool.BATCH:
            self.arrows.flush()

    def svg(self, captions: Callable[[list[Mark]], list[str]]) -> Iterator[str]:
        """Yield the spans, the arrows, the marks (the biggest first) and the captions, then close the sinks."""
        for m in self.waiting or ():
            self._arrows(m)
        yield from self.spans.drain()
        yield from self.arrows.drain()
        for r in sorted(self.by_radius, reverse=True):
            yield from self.by_radius[r].drain()
        tops = []
        for rowid, number, x, y, r in self.tops:
            step = Step(number, self.charted.drawn(rowid), None, None, (), ())
            tops.append(Mark(step, x, y, r, 0.0, None))
        yield "".join(line + "\n" for line in captions(tops))

    def table_rows(self) -> Iterator[str]:
        """Yield the HTML table's rows (last first for a reversed timeline), then let them go."""
        if self.charted.reverse:
            self.table.lines.reverse()
        yield from self.table.drain()

    def close(self) -> None:
        """Close every section's file (after `svg` and `table_rows`, or when writing stopped half-way)."""
        for spool in (self.spans, self.arrows, self.table, *self.by_radius.values()):
            spool.close()
