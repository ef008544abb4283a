"""The chart's marks from lines SQLite wrote (`api.chronology_chart`, `index.drawn_text`).

The same sections, lines and order as `marks.Sections` over `marks.place`, without an
object per incident: each row comes with its mark, span and table row as templates, and
Python fills in what the order decides (the number, the change and days, the chain, the
same-day rule's x) and the floats (formatted by Python, as the general path does). Only the
linked incidents (those that answer or are answered) take the longer way: the arrows, the
same-day rule and the chain need where they stand.

The lines stay UTF-8 bytes from SQLite to the output (`marks.Spool` of bytes, `page.charted_bytes`):
tens of megabytes of text are never decoded to `str` and encoded again (the templates come
as BLOBs, `bytes % values` formats like `str % values`, and the temporary files are binary).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ledger.core import model
from ledger.core.escapes import xml
from ledger.index.drawn_text import Paint
from ledger.output.chrono_rows import chain_text, signed
from ledger.output.marks import (
    ARROW,
    COLOURS,
    LEFT,
    RIGHT,
    Mark,
    Spool,
    W,
    arrow_points,
    drained,
    radius,
    rung_y,
    special,
)  # fmt: skip
from ledger.reports.streamed import Streamed
from ledger.reports.timeline import Step

_ARROW = ARROW.encode()


class Unplanned(Exception):
    """A streamed chart that only the general path draws (a cycle, a shared id: `chronology_chart.charted`)."""


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

    def __init__(self, charted: Any, *, link: bool = False, table: bool = False) -> None:
        """`link`: marks link to their table row; `table`: write the HTML table's rows too."""
        self.link, self.want_table = link, table
        self._start(charted)

    def _start(self, charted: Any) -> None:
        self.charted = charted
        self.spans, self.arrows, self.table = Spool(True, b"\n"), Spool(True, b"\n"), Spool(not charted.reverse, b"\n")
        self.by_radius: dict[float, Spool[bytes]] = {}
        self.present = {c for c in COLOURS if c in charted.categories}
        self.top, self.tops = -1, list[tuple[int, int, float, float, float]]()  # (rowid, number, x, y, r)
        self.at: dict[str, Pin] = {}  # the linked incidents placed so far
        self.waiting: list[Pin] | None = None  # marks whose arrows wait for the end
        self.rows = 0
        self.drawn = False

    def paint(self, first: int, last: int) -> Paint:
        """Return what SQL needs of the picture to write the lines."""
        return Paint(self.link, LEFT, W - LEFT - RIGHT, first, last - first)

    def draw(self, steps: Iterable[Any], first: int, last: int, scale: float, frame: Any) -> None:
        """Write the lines of every incident, once (`steps` is not used: the rows come from `charted`).

        A streamed chart whose stream cannot stand for the plan (`reports.streamed`) is drawn
        again from its plan; Unplanned when it has none (nothing is written before: see
        `page.charted_bytes`).
        """
        if self.drawn:
            return
        self.drawn = True
        stream = self.charted.stream
        streamed = None if stream is None else Streamed(stream.links, stream.into, self.want_table)
        self._draw(first, last, scale, streamed)
        if streamed is not None and streamed.broken():
            planned = self.charted.replan()
            self.close()
            if planned is None:
                raise Unplanned
            self._start(planned)
            self.drawn = True
            self._draw(first, last, scale, None)

    def _draw(self, first: int, last: int, scale: float, streamed: Streamed | None) -> None:
        linked = self.charted.linked
        levels = range(model.ESCALATION_MAX + 1)  # `charted` has no other level
        ys = [rung_y(level) for level in levels]
        vocabulary = self.charted.vocabulary
        labels = [xml(vocabulary.labels[n] if n < len(vocabulary.labels) else str(n)).encode() for n in levels]
        table_labels = [xml(vocabulary.label(n)).encode() for n in levels]
        changes = {d: signed(d).encode() for d in range(-model.ESCALATION_MAX, model.ESCALATION_MAX + 1)}
        radii: dict[int | None, tuple[float, bytes, list[bytes]]] = {}
        numbers: dict[str, int] = {}  # the linked incidents' numbers so far
        spans = self.spans.lines
        table = self.table.lines if self.want_table else None
        top, tops = self.top, self.tops
        number = previous_level = previous_day = 0
        batch = due = Spool.BATCH
        rows = self.charted.rows(self.paint(first, last))
        stream = self.charted.stream
        names, step = (None, None) if streamed is None else (stream.names, streamed.step)
        for rowid, day, level, casualties, x, mark, row, span, x_start, x_end, ident in rows:
            number += 1
            sized = radii.get(casualties)
            if sized is None:
                sized = radii[casualties] = self._radius(casualties, scale)
            r, r_text, lines = sized
            if names is None:
                info = linked.get(rowid)
            else:
                info = step(rowid, ident) if ident in names else None  # type: ignore[misc]
            chained = b""
            if info is not None:
                x, chained = self._linked(info, number, x, ys[level], r, day, numbers)
            lines.append(mark % (x, r_text, number, labels[level]))
            if table is not None:
                if number == 1:
                    table.append(row % (number, table_labels[level], b"", b"", chained))
                else:
                    change, days = changes[level - previous_level], b"%d" % (day - previous_day)
                    table.append(row % (number, table_labels[level], change, days, chained))
                previous_level, previous_day = level, day
            if span is not None:
                spans.append(span % (x_start, x_end))
            if level >= top:
                if level > top:
                    top, tops = level, []
                if len(tops) < 4:
                    tops.append((rowid, number, x, ys[level], r))
            if number == due:  # every section's lines held go to its file
                due += batch
                self._flush()
        self.top, self.tops, self.rows = top, tops, number if table is not None else 0

    def _radius(self, casualties: int | None, scale: float) -> tuple[float, bytes, list[bytes]]:
        """Return a mark's radius, its text and the lines of its section."""
        r = radius(casualties, scale)
        spool = self.by_radius.get(r)
        if spool is None:
            spool = self.by_radius[r] = Spool(True, b"\n")
        return r, b"%.1f" % r, spool.lines

    def _flush(self) -> None:
        """Move the sections holding a quarter of a batch or more to their files.

        Every `Spool.BATCH` rows: the lines held stay below a quarter batch a section (plus
        one batch), and a write is a few hundred lines, not a handful (the marks are spread
        over tens of sections by radius; a write for each every batch cost about 11,000
        writes at 100,000 incidents).
        """
        least = max(1, Spool.BATCH // 4)  # `Spool`'s batch: the tests make it small for the two alike
        for spool in (self.spans, self.arrows, self.table, *self.by_radius.values()):
            if len(spool.lines) >= least:
                spool.flush()

    def _linked(
        self, info: Any, number: int, x: float, y: float, r: float, day: int, numbers: dict[str, int]
    ) -> tuple[float, bytes]:
        """Place a linked incident's mark, write its arrows and return its x and its chain's text (HTML).

        `info` is a `chronology_chart.Linked` (id, links as written, chain, also).
        """
        at = self.at
        entry_id, links, chain, also = info
        numbers[entry_id] = number
        if not links:
            at[entry_id] = Pin(x, y, r, day, links)
            return x, b""
        later = False
        for cause in links:  # an answer cannot come before what it answers: on the same day, keep it to the right
            c = at.get(cause)
            if c is None:
                later = later or (cause in self.charted.ids and cause not in numbers)
            elif c.day == day and c.x > x:
                x = c.x
        pin = at[entry_id] = Pin(x, y, r, day, links)
        if later and self.waiting is None:
            self.waiting = []  # an arrow to an incident placed later (a merged duplicate): it and all after wait
        if self.waiting is None:
            self._arrows(pin)
        else:
            self.waiting.append(pin)
        if not self.want_table or not chain:
            return x, b""
        if not also and len(chain) < 6:  # `chain_text` of numbers alone (nothing to escape, nothing cut out)
            with contextlib.suppress(KeyError):  # a cause not in the table is named by its id
                return x, b" -&gt; ".join([b"%d" % numbers[i] for i in chain]) + b" -&gt; %d" % number
        text = chain_text(_Chained(entry_id, chain, also), numbers)  # type: ignore[arg-type]
        if special(text.replace(" -> ", "")) is None:  # nothing to escape but the arrows' `>`
            return x, text.replace(" -> ", " -&gt; ").encode()
        return x, xml(text).encode()

    def _arrows(self, m: Pin) -> None:
        lines, at = self.arrows.lines, self.at
        for cause in dict.fromkeys(m.links) if len(m.links) > 1 else m.links:
            c = at.get(cause)
            if c is not None and c is not m:
                lines.append(_ARROW % arrow_points(c, m))

    def svg(self, captions: Callable[[list[Mark]], list[str]]) -> Iterator[bytes]:
        """Yield the spans, the arrows, the marks (the biggest first) and the captions (UTF-8), then close the sinks."""
        for m in self.waiting or ():
            self._arrows(m)
        yield from drained(self.spans, self.arrows, self.by_radius)
        tops = []
        for rowid, number, x, y, r in self.tops:
            step = Step(number, self.charted.drawn(rowid), None, None, (), ())
            tops.append(Mark(step, x, y, r, 0.0, None))
        yield "".join(line + "\n" for line in captions(tops)).encode()

    def table_rows(self) -> Iterator[bytes]:
        """Yield the HTML table's rows (last first for a reversed timeline), then let them go."""
        if self.charted.reverse:
            self.table.lines.reverse()
        yield from self.table.drain()

    def close(self) -> None:
        """Close every section's file (after `svg` and `table_rows`, or when writing stopped half-way)."""
        for spool in (self.spans, self.arrows, self.table, *self.by_radius.values()):
            spool.close()
