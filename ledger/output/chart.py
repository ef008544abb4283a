"""Pictures of the chronology: terminal bar charts, a standalone SVG chart, an HTML page.

Output layer: values in, text out (no I/O, no terminal queries: the caller passes the
width). The SVG is written by hand, so nothing is needed to produce it but Python; the
HTML page (`page`) embeds it with the timeline table and loads nothing from the network
(its Content-Security-Policy forbids it). Entry text is escaped, and characters XML cannot
hold at all are dropped, so the output is always well-formed. The chart is written as a
stream: the frame first, then the marks as the incidents come (`marks`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from ledger.core import model
from ledger.core.escapes import xml
from ledger.output.bars import MEASURES, MIN_BAR, bar, bars, range_text
from ledger.output.marks import (
    BOTTOM,
    COLOURS,
    LEFT,
    RIGHT,
    SPREAD_LIMIT,
    TOP,
    H,
    Mark,
    Sections,
    W,
    mark_scale,
    radius,
    rung_y,
    streams,
)  # fmt: skip

__all__ = [  # the terminal bars live in `bars`, the marks in `marks`; callers know them from here too
    "COLOURS", "MEASURES", "MIN_BAR", "SPREAD_LIMIT", "bar", "bars", "mark_scale", "radius", "range_text", "svg",
    "svg_parts", "title", "xml",
]  # fmt: skip


def title(frame: Any) -> str:
    """Return the chart's title from its frame (`index.drawn.Frame`): how many incidents, from when to when."""
    if not frame.incidents:
        return "Escalation timeline"
    count = f"{frame.incidents} incident{'s' if frame.incidents != 1 else ''}"
    return f"Escalation timeline: {count}, {frame.first} to {frame.last}"


def days(frame: Any) -> tuple[int, int]:
    """Return the first day of the picture and the day after its last (ordinals) of a frame with incidents."""
    return dt.date.fromisoformat(frame.first).toordinal(), dt.date.fromisoformat(frame.last).toordinal() + 1


def _ticks(first: int, last: int, most: int = 8) -> tuple[list[int], str]:
    """Return tick days (ordinals) and their label format: at most `most` labels fit the axis."""
    span = max(1, last - first)
    for step in (1, 2, 7, 14):
        labels = span // step + (0 if step == 1 else 1)  # daily labels name days, not the closing tick
        if labels <= most:
            return list(range(first, last + 1, step)), "%Y-%m-%d"
    start, end = dt.date.fromordinal(first), dt.date.fromordinal(last)
    months = next(m for m in (1, 3, 6, 12, 24, 60, 120, 240, 600, 1200, 2400, 6000) if span / (30.44 * m) <= most)
    index = start.year * 12 + start.month - 1 + (start.day > 1)
    index += -index % months
    ticks = []
    while index // 12 <= dt.MAXYEAR:
        day = dt.date(index // 12, index % 12 + 1, 1)
        if day > end:
            break
        ticks.append(day.toordinal())
        index += months
    return ticks, "%Y-%m" if months < 12 else "%Y"


def svg(steps: Iterable[Any], labels: Sequence[str], frame: Any, numbers: Mapping[str, int]) -> str:
    """Return a standalone SVG chart (`svg_parts` joined)."""
    return "".join(svg_parts(steps, labels, frame, numbers))


def svg_parts(
    steps: Iterable[Any],
    labels: Sequence[str],
    frame: Any,
    numbers: Mapping[str, int],
    *,
    sections: Any = None,
) -> Iterator[Any]:
    """Yield a standalone SVG chart in pieces (to be written as they come): time on x, escalation on y.

    `steps` are `timeline.Step`s over `index.drawn.Drawn` rows in timeline order, `frame`
    their `index.drawn.Frame`, `numbers` the number of each id. Marks are sized by
    casualties (hollow when unknown) and coloured by category; a vague date is drawn as a
    line over its span; arrows go from an incident to those answering it. `sections`
    (`marks.Sections`, made by `page` for the HTML page: marks that link to the table, and
    the table's rows gathered as the marks are made) are closed by their maker. The pieces are
    str, but for the sections' own: UTF-8 bytes from a `marks_text.TextSections`.
    """
    name = title(frame)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
        f'font-family="DejaVu Sans, Verdana, sans-serif" font-size="12" role="img">',
        f"<title>{xml(name)}</title>",
        "<defs><marker id='arrow' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' markerHeight='7' "
        "orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' fill='#555'/></marker></defs>",
        f'<rect width="{W}" height="{H}" fill="white"/>',
        f'<text x="{LEFT}" y="26" font-size="16" font-weight="bold">{xml(name)}</text>',
    ]
    plot_right = W - RIGHT
    for level in range(model.ESCALATION_MAX + 1):
        y = rung_y(level)
        label = labels[level] if level < len(labels) else str(level)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{plot_right}" y2="{y:.1f}" stroke="#e4e4e4"/>')
        out.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{level} {xml(label)}</text>')
    bottom = H - BOTTOM
    out.append(f'<line x1="{LEFT}" y1="{bottom}" x2="{plot_right}" y2="{bottom}" stroke="#333"/>')
    out.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}" stroke="#333"/>')
    out.append(
        f'<text transform="translate(16,{(TOP + bottom) / 2:.0f}) rotate(-90)" text-anchor="middle" '
        f'font-weight="bold">escalation</text>'
    )
    out.append(
        f'<text x="{(LEFT + plot_right) / 2:.0f}" y="{H - 14}" text-anchor="middle" font-weight="bold">'
        "date (first possible day)</text>"
    )
    if not frame.incidents:
        out.append(f'<text x="{(LEFT + plot_right) / 2:.0f}" y="{H / 2:.0f}" text-anchor="middle">no incidents</text>')
        out.append("</svg>")
        yield "\n".join(out) + "\n"
        return
    first, last = days(frame)
    ticks, fmt = _ticks(first, last)
    per_day = (plot_right - LEFT) / (last - first)
    daily = len(ticks) > 1 and ticks[1] - ticks[0] == 1
    for day in ticks:
        x = LEFT + (day - first) * per_day
        out.append(f'<line x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 5}" stroke="#333"/>')
        out.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{bottom}" stroke="#ececec"/>')
        if daily and day == last:
            continue  # daily labels name the day to their right; the last tick closes the axis
        text = dt.date.fromordinal(day).strftime(fmt)
        at = x + per_day / 2 if daily else x
        out.append(f'<text x="{at:.1f}" y="{bottom + 20}" text-anchor="middle" font-size="11">{text}</text>')
    yield "\n".join(out) + "\n"
    scale = mark_scale(frame.incidents)
    own = sections is None
    if sections is None:
        sections = Sections(labels, numbers, frame.answered, spooled=streams(frame.incidents))
    try:
        sections.draw(steps, first, last, scale, frame)
        yield from sections.svg(lambda tops: _captions(tops, plot_right))
        yield "\n".join([*_legend(sections.present, plot_right + 24, scale), "</svg>"]) + "\n"
    finally:
        if own:
            sections.close()


def _captions(tops: list[Mark], plot_right: float, most: int = 3) -> list[str]:
    """Name the incidents on the highest rung reached (the largest first), when there are at most `most`."""
    chosen = sorted(tops, key=lambda m: (-m.r, m.step.number))
    out = []
    for m in chosen if len(chosen) <= most else ():
        text = m.step.entry.title
        text = text if len(text) <= 48 else text[:47].rstrip() + "…"
        right = m.x + m.r + 6 + 6.5 * len(text) > plot_right
        x, anchor = (m.x - m.r - 6, "end") if right else (m.x + m.r + 6, "start")
        out.append(
            f'<text class="caption" x="{x:.1f}" y="{m.y + 4:.1f}" text-anchor="{anchor}" font-size="11" '
            f'fill="#333">{xml(text)}</text>'
        )
    return out


def _legend(present: set[str], x: float, scale: float) -> list[str]:
    out = [f'<text x="{x}" y="{TOP + 4}" font-weight="bold">category</text>']
    y: float = TOP + 24
    for category, colour in COLOURS.items():
        if category in present:
            out.append(f'<circle cx="{x + 6}" cy="{y - 4}" r="6" fill="{colour}" fill-opacity="0.65"/>')
            out.append(f'<text x="{x + 18}" y="{y}">{category}</text>')
            y += 20
    y += 12
    out.append(f'<text x="{x}" y="{y}" font-weight="bold">killed + injured</text>')
    y += 14
    for count in (1, 10, 100):
        r = radius(count, scale)
        out.append(f'<circle cx="{x + 14}" cy="{y + r:.1f}" r="{r:.1f}" fill="#999" fill-opacity="0.5" stroke="#666"/>')
        out.append(f'<text x="{x + 46}" y="{y + r + 4:.1f}">{count}</text>')
        y += 2 * r + 6
    r = radius(None, scale)
    out.append(f'<circle cx="{x + 14}" cy="{y + 4}" r="{r:.1f}" fill="white" stroke="#666" stroke-width="1.6"/>')
    out.append(f'<text x="{x + 46}" y="{y + 8}">not known</text>')
    y += 30
    out.append(f'<line x1="{x}" y1="{y}" x2="{x + 34}" y2="{y}" stroke="#555" marker-end="url(#arrow)"/>')
    out.append(f'<text x="{x + 46}" y="{y + 4}">answered by</text>')
    y += 22
    out.append(
        f'<line x1="{x}" y1="{y}" x2="{x + 34}" y2="{y}" stroke="#999" stroke-width="3" stroke-opacity="0.5" '
        'stroke-linecap="round"/>'
    )
    out.append(f'<text x="{x + 46}" y="{y + 4}">vague date: its span</text>')
    return out
