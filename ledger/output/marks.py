"""The marks of the chart, placed and written as the incidents stream past (`chart` draws the rest).

A picture of 100,000 incidents must not be built whole in memory. The frame (how many
incidents, the first and last day: `index.drawn.Frame`) fixes the scales before the first
mark; then each incident is placed and its lines are written as it comes, in timeline
order, into one sink per section of the SVG (spans, arrows, marks by radius: big marks
first, so small ones stay on top, and the HTML table's rows). The sinks are temporary
files, joined in section order at the end. Only the incidents that others answer are
kept (the arrows and the same-day rule need where they stand), and the few that may be
named on the highest rung.

Up to `SPREAD_LIMIT` marks, overlapping marks are moved apart within their rung (a
beeswarm), which needs them all at once: such a chart is small, and is placed whole first.
"""

from __future__ import annotations

import math
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import IO, Any, AnyStr, Generic, Protocol, TypeVar, cast

from ledger.core import model
from ledger.core.escapes import XML_SPECIAL, xml

# Okabe-Ito colours: told apart with the common colour-vision deficiencies.
COLOURS = {
    model.Category.REMOTE_VIOLENCE: "#D55E00",
    model.Category.BATTLE: "#0072B2",
    model.Category.VIOLENCE_AGAINST_CIVILIANS: "#CC79A7",
    model.Category.STRATEGIC_DEVELOPMENT: "#009E73",
    model.Category.DEMONSTRATION: "#E69F00",
}
# Where in its day a part of the day sits (fraction of 24 h); "night" is taken as late evening.
_DAY_PART = {"early-morning": 0.2, "morning": 0.38, "afternoon": 0.6, "evening": 0.8, "night": 0.92}
special = XML_SPECIAL.search  # what `xml` changes (`core.escapes`)
W, H = 1000, 560
LEFT, RIGHT, TOP, BOTTOM = 150, 210, 56, 64
ROW = (H - TOP - BOTTOM) / (model.ESCALATION_MAX + 1)
SPREAD_LIMIT = 3000  # beyond this many marks the chart is a cloud: spreading them helps nobody
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


def streams(incidents: int) -> bool:
    """Return whether a chart of this many incidents is streamed (else placed whole, and spread)."""
    return incidents > SPREAD_LIMIT


def radius(count: int | None, scale: float = 1.0) -> float:
    """Return a mark's radius: its area grows with the casualties (unknown: the smallest)."""
    smallest = 2.0 + 2.0 * scale
    return smallest if not count else min(smallest + 22.0 * scale, smallest + 2.2 * scale * math.sqrt(count))


def mark_scale(count: int) -> float:
    """Return how much to shrink the marks so that `count` of them still leave room (0.3 to 1)."""
    return min(1.0, max(0.3, math.sqrt(60 / max(count, 1))))


def rung_y(level: int) -> float:
    """Return the height of an escalation rung's line."""
    return TOP + (model.ESCALATION_MAX - level + 0.5) * ROW


class Mark:
    """One incident placed on the chart (`step` is a `timeline.Step` over an `index.drawn.Drawn` row)."""

    __slots__ = ("r", "step", "x", "x_end", "x_start", "y")

    def __init__(self, step: Any, x: float, y: float, r: float, x_start: float, x_end: float | None) -> None:
        self.step, self.x, self.y, self.r, self.x_start, self.x_end = step, x, y, r, x_start, x_end


def place(steps: Iterable[Any], first: int, last: int, scale: float, answered: frozenset[str]) -> Iterator[Mark]:
    """Yield the marks of steps given in timeline order, on an x axis from day `first` to day `last`."""
    width, span = W - LEFT - RIGHT, last - first
    fractions: dict[tuple[Any, ...], float] = {}
    radii: dict[int | None, float] = {}
    ys = {level: rung_y(level) for level in range(model.ESCALATION_MAX + 1)}
    placed: dict[str, Mark] = {}  # the answered incidents placed so far
    for s in steps:
        e = s.entry
        key = (e.time, e.time_of_day, e.vague)
        fraction = fractions.get(key)
        if fraction is None:
            fraction = fractions[key] = _day_fraction(*key)
        day = e.day
        x = LEFT + (day + fraction - first) / span * width  # the same sums as `x_of` always did
        # An answer cannot come before what it answers: on the same day, keep it to the right.
        for cause in e.responds_to:
            c = placed.get(cause)
            if c is not None and c.step.entry.day == day:
                x = max(x, c.x)
        r = radii.get(e.casualties)
        if r is None:
            r = radii[e.casualties] = radius(e.casualties, scale)
        y = ys[e.escalation] if e.escalation in ys else rung_y(e.escalation)
        x_end = LEFT + (e.last + 1 - first) / span * width if e.vague else None
        mark = Mark(s, x, y, r, LEFT + (day - first) / span * width, x_end)
        if e.id in answered:
            placed[e.id] = mark
        yield mark


def _day_fraction(time: str | None, part: str | None, vague: bool) -> float:
    if time is not None:
        return (int(time[:2]) * 60 + int(time[3:5])) / 1440
    if part is not None:
        return _DAY_PART[part]
    return 0.0 if vague else 0.5  # a span's mark stands where the span begins


def spread(marks: list[Mark]) -> None:
    """Move marks that would overlap up or down within their rung's band (a beeswarm)."""
    if len(marks) > SPREAD_LIMIT:
        return
    rows: dict[float, list[Mark]] = defaultdict(list)
    for m in sorted(marks, key=lambda m: (m.x, m.step.number)):
        rows[m.y].append(m)
    limit = ROW * 0.42
    for row in rows.values():
        placed: list[Mark] = []
        for m in row:
            near = [p for p in placed[-40:] if m.x - p.x < p.r + m.r + 26 * 2]
            base, best, best_clash = m.y, m.y, math.inf
            for k in range(0, 41):
                dy = (k + 1) // 2 * (1 if k % 2 else -1) * 2.0
                if abs(dy) > limit:
                    break
                clash = sum(max(0.0, p.r + m.r + 1 - math.hypot(m.x - p.x, base + dy - p.y)) for p in near)
                if clash < best_clash:
                    best, best_clash = base + dy, clash
                if clash == 0:
                    break
            m.y = best
            placed.append(m)


class Spool(Generic[AnyStr]):
    """The lines of one section (str, or UTF-8 bytes: `marks_text`), moved to a temporary file in batches when `spooled`."""

    __slots__ = ("file", "lines", "newline", "spooled")
    BATCH = 512  # lines held before a write: a hundred sections of them stay a few MB
    CHUNK = 1 << 16  # what is read back at a time

    def __init__(self, spooled: bool, newline: AnyStr) -> None:
        self.lines: list[AnyStr] = []
        self.file: IO[AnyStr] | None = None
        self.newline: AnyStr = newline
        self.spooled = spooled

    def flush(self) -> None:
        """Move the lines held to the file (called when `lines` reaches a batch)."""
        if not self.spooled:
            return
        if self.file is None:
            # closed by `drain` or `close` (the chart's maker closes every section in a finally)
            binary = isinstance(self.newline, bytes)
            made = tempfile.TemporaryFile() if binary else tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
            self.file = cast("IO[AnyStr]", made)
        self.file.write(self.newline.join(self.lines) + self.newline)
        self.lines.clear()

    def drain(self) -> Iterator[AnyStr]:
        """Yield the section's text, then let it go."""
        if self.file is not None:
            self.file.seek(0)
            while chunk := self.file.read(self.CHUNK):
                yield chunk
            self.close()
        if self.lines:
            yield self.newline.join(self.lines) + self.newline
            self.lines.clear()

    def close(self) -> None:
        """Close the file, if any."""
        if self.file is not None:
            self.file.close()
            self.file = None


class Drains(Protocol[T_co]):
    """A section that yields its text once (a `Spool` of str or of UTF-8 bytes)."""

    def drain(self) -> Iterator[T_co]: ...


def drained(spans: Drains[T], arrows: Drains[T], by_radius: Mapping[float, Drains[T]]) -> Iterator[T]:
    """Yield the chart's sections in drawing order: spans, arrows, then marks biggest first (small ones on top)."""
    yield from spans.drain()
    yield from arrows.drain()
    for r in sorted(by_radius, reverse=True):
        yield from by_radius[r].drain()


class Sections:
    """The chart's sections, written as the marks come (in timeline order) and read back in order.

    `spooled` sections go to temporary files (a big chart), else stay in memory. `row`, when
    given, writes the HTML table's row of a step. `numbers` (number by id) tells an arrow
    to an incident placed later (only on a ledger with a cycle of links): such arrows, and
    all after them, wait for the end.
    """

    def __init__(
        self,
        labels: Sequence[str],
        numbers: Mapping[str, int],
        answered: frozenset[str],
        *,
        link: bool = False,
        spooled: bool = False,
        row: Callable[[Any], str] | None = None,
    ) -> None:
        self.labels, self.numbers, self.answered, self.link, self.spooled, self.row = (
            labels, numbers, answered, link, spooled, row,
        )  # fmt: skip
        self.spans, self.arrows, self.table = Spool(spooled, "\n"), Spool(spooled, "\n"), Spool(spooled, "\n")
        self.by_radius: dict[float, Spool[str]] = {}
        self.present: set[str] = set()  # categories
        self.top, self.tops = -1, list[Mark]()  # the highest rung and (up to 4 of) its marks
        self.at: dict[str, Mark] = {}  # the answered incidents placed so far
        self.waiting: list[Mark] | None = None  # marks whose arrows wait for the end
        self.rows = 0

    def draw(self, steps: Iterable[Any], first: int, last: int, scale: float, frame: Any) -> None:
        """Place the marks of the steps (in timeline order) and write their lines."""
        marks: Iterable[Mark] = place(steps, first, last, scale, frame.answered)
        if not streams(frame.incidents):  # spread apart, so placed whole first; a big chart streams
            marks = list(marks)
            spread(marks)
        for m in marks:
            self.add(m)

    def add(self, m: Mark) -> None:
        """Write the lines of one mark (and its table row) to their sections."""
        s = m.step
        e = s.entry
        batch = Spool.BATCH
        if e.vague:
            lines = self.spans.lines
            lines.append(span_line(m))
            if len(lines) >= batch:
                self.spans.flush()
        if e.responds_to:
            if self.waiting is None and any(self.numbers.get(c, 0) > s.number for c in e.responds_to):
                self.waiting = []
            if self.waiting is None:
                self._arrows(m)
            else:
                self.waiting.append(m)
        spool = self.by_radius.get(m.r)
        if spool is None:
            spool = self.by_radius[m.r] = Spool(self.spooled, "\n")
        lines = spool.lines
        lines.append(mark_line(m, self.labels, self.link))
        if len(lines) >= batch:
            spool.flush()
        if self.row is not None:
            lines = self.table.lines
            lines.append(self.row(s))
            self.rows += 1
            if len(lines) >= batch:
                self.table.flush()
        self.present.add(e.category)
        if e.escalation > self.top:
            self.top, self.tops = e.escalation, [m]
        elif e.escalation == self.top and len(self.tops) < 4:
            self.tops.append(m)
        if e.id in self.answered:
            self.at[e.id] = m

    def _arrows(self, m: Mark) -> None:
        lines = self.arrows.lines
        for cause in dict.fromkeys(m.step.entry.responds_to):
            c = self.at.get(cause)
            if c is not None and c is not m:
                lines.append(arrow_line(c, m))
        if len(lines) >= Spool.BATCH:
            self.arrows.flush()

    def svg(self, captions: Callable[[list[Mark]], list[str]]) -> Iterator[str]:
        """Yield the spans, the arrows, the marks (the biggest first) and the captions, then close the sinks."""
        for m in self.waiting or ():
            self._arrows(m)
        yield from drained(self.spans, self.arrows, self.by_radius)
        yield "".join(line + "\n" for line in captions(self.tops))

    def table_rows(self) -> Iterator[str]:
        """Yield the HTML table's rows, then let them go."""
        yield from self.table.drain()

    def close(self) -> None:
        """Close every section's file (after `svg` and `table_rows`, or when writing stopped half-way)."""
        for spool in (self.spans, self.arrows, self.table, *self.by_radius.values()):
            spool.close()


def span_line(m: Mark) -> str:
    """Return the line of a vague date's span."""
    colour = COLOURS[m.step.entry.category]
    return (
        f'<line class="span" x1="{m.x_start:.1f}" y1="{m.y:.1f}" x2="{m.x_end:.1f}" y2="{m.y:.1f}" '
        f'stroke="{colour}" stroke-width="3" stroke-opacity="0.35" stroke-linecap="round"/>'
    )


class Placed(Protocol):
    """Where a mark stands: what an arrow needs (`Mark`, `marks_text.Pin`)."""

    x: float
    y: float
    r: float


ARROW = (
    '<path class="link" d="M%.1f,%.1f Q%.1f,%.1f %.1f,%.1f" fill="none" '
    'stroke="#555" stroke-opacity="0.7" stroke-width="1.2" marker-end="url(#arrow)"/>'
)


def arrow_line(c: Placed, m: Placed) -> str:
    """Return the arrow from a cause's mark to its answer's (`ARROW` filled with `arrow_points`)."""
    return ARROW % arrow_points(c, m)


def arrow_points(c: Placed, m: Placed) -> tuple[float, float, float, float, float, float]:
    """Return where the arrow from a cause's mark to its answer's starts, bends and ends (x, y each)."""
    cx, cy, mx, my = c.x, c.y, m.x, m.y
    dx, dy = mx - cx, my - cy
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    # Start and end on the circles' edges; bend the curve so parallel links stay apart.
    r, end = c.r, m.r + 1
    x1, y1 = cx + ux * r, cy + uy * r
    x2, y2 = mx - ux * end, my - uy * end
    bend = min(40.0, 0.25 * length)
    return x1, y1, (x1 + x2) / 2 + uy * bend, (y1 + y2) / 2 - ux * bend, x2, y2


def mark_line(m: Mark, labels: Sequence[str], link: bool) -> str:
    """Return a mark: a circle (linked to its table row with `link`) with its tooltip."""
    s = m.step
    e = s.entry
    colour = COLOURS[e.category]
    count = e.casualties
    level = e.escalation
    label = labels[level] if level < len(labels) else str(level)
    date, end = e.date, e.date_end
    when = date if end is None or end == date else f"{date} to {end}"
    tip = f"#{s.number} {when} · {level} {label} · {e.type} · {e.title}"
    if count is None:
        fill = 'fill="white"'
    else:
        fill = f'fill="{colour}" fill-opacity="0.65"'
        tip += f" · {count} killed or injured"
    ident = e.id
    if special(ident) is not None:
        ident = xml(ident)
    if special(tip) is not None:
        tip = xml(tip)
    circle = (
        f'<circle class="mark" data-id="{ident}" cx="{m.x:.1f}" cy="{m.y:.1f}" r="{m.r:.1f}" {fill} '
        f'stroke="{colour}" stroke-width="1.6"><title>{tip}</title></circle>'
    )
    return f'<a href="#e-{ident}">{circle}</a>' if link else circle
