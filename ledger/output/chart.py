"""Pictures of the chronology: terminal bar charts, a standalone SVG chart, an HTML page.

Output layer: values in, text out (no I/O, no terminal queries: the caller passes the
width). The SVG is written by hand, so nothing is needed to produce it but Python; the
HTML page embeds it with the timeline table and loads nothing from the network (its
Content-Security-Policy forbids it). Entry text is escaped, and characters XML cannot hold
at all are dropped, so the output is always well-formed.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.core import model
from ledger.output.bars import MEASURES, MIN_BAR, bar, bars, range_text
from ledger.reports.timeline import Step

__all__ = [  # the terminal bars live in `bars`; callers know them from here too
    "MEASURES", "MIN_BAR", "bar", "bars", "html_parts", "range_text", "svg", "svg_parts", "xml",
]  # fmt: skip

# -- SVG -----------------------------------------------------------------------------------

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
_XML_BAD = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# What `xml` changes: a character it drops or one it escapes (& < > " '). Most text has none.
_XML_SPECIAL = re.compile("[^\t\n\r\x20\x21\x23-\x25\x28-\x3b\x3d\x3f-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
W, H = 1000, 560
LEFT, RIGHT, TOP, BOTTOM = 150, 210, 56, 64
ROW = (H - TOP - BOTTOM) / (model.ESCALATION_MAX + 1)


def xml(text: Any) -> str:
    """Escape text for XML content and attributes, dropping characters XML cannot hold."""
    s = text if type(text) is str else str(text)
    if _XML_SPECIAL.search(s) is None:
        return s
    s = _XML_BAD.sub("", s)
    return (
        s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#39;")
    )


def casualties(entry: model.Entry) -> int | None:
    """Return killed + injured (best estimates), None when neither is known."""
    c = entry.casualties
    if c is None:
        return None
    known = [n for n in (model.best(c.killed), model.best(c.injured)) if n is not None]
    return sum(known) if known else None


def radius(count: int | None, scale: float = 1.0) -> float:
    """Return a mark's radius: its area grows with the casualties (unknown: the smallest)."""
    smallest = 2.0 + 2.0 * scale
    return smallest if not count else min(smallest + 22.0 * scale, smallest + 2.2 * scale * math.sqrt(count))


def mark_scale(count: int) -> float:
    """Return how much to shrink the marks so that `count` of them still leave room (0.3 to 1)."""
    return min(1.0, max(0.3, math.sqrt(60 / max(count, 1))))


@dataclass(slots=True)
class _Mark:
    step: Step
    x: float
    y: float
    r: float
    x_start: float  # start of the first day
    x_end: float | None  # right end of a vague span
    count: int | None = None  # killed + injured (`casualties`)


def _day_fraction(entry: model.Entry, vague: bool) -> float:
    if entry.time is not None:
        return (entry.time.hour * 60 + entry.time.minute) / 1440
    if entry.time_of_day is not None:
        return _DAY_PART[str(entry.time_of_day)]
    return 0.0 if vague else 0.5  # a span's mark stands where the span begins


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


def _layout(items: Sequence[Step], scale: float) -> tuple[list[_Mark], int, int]:
    first = min(s.entry.date for s in items).toordinal()
    last = max(s.entry.last_day for s in items).toordinal() + 1
    width = W - LEFT - RIGHT

    def x_of(ordinal: float) -> float:
        return LEFT + (ordinal - first) / (last - first) * width

    marks: list[_Mark] = []
    placed: dict[str, _Mark] = {}
    for s in sorted(items, key=lambda s: s.number):  # causes first, whatever the display order
        e = s.entry
        y = TOP + (model.ESCALATION_MAX - e.escalation + 0.5) * ROW
        day, vague = e.date.toordinal(), s.vague
        start = x_of(day)
        x = x_of(day + _day_fraction(e, vague))
        # An answer cannot come before what it answers: on the same day, keep it to the right.
        for cause in e.responds_to:
            c = placed.get(cause)
            if c is not None and c.step.entry.date == e.date:
                x = max(x, c.x)
        count = casualties(e)
        mark = _Mark(s, x, y, radius(count, scale), start, x_of(e.last_day.toordinal() + 1) if vague else None, count)
        marks.append(mark)
        placed[e.id] = mark
    _spread(marks)
    return marks, first, last


SPREAD_LIMIT = 3000  # beyond this many marks the chart is a cloud: spreading them helps nobody


def _spread(marks: list[_Mark]) -> None:
    """Move marks that would overlap up or down within their rung's band (a beeswarm)."""
    if len(marks) > SPREAD_LIMIT:
        return
    rows: dict[float, list[_Mark]] = defaultdict(list)
    for m in sorted(marks, key=lambda m: (m.x, m.step.number)):
        rows[m.y].append(m)
    limit = ROW * 0.42
    for row in rows.values():
        placed: list[_Mark] = []
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


def svg(steps: Sequence[Step], labels: Sequence[str], title: str = "Escalation timeline", link: bool = False) -> str:
    """Return a standalone SVG chart (`svg_parts` joined)."""
    return "".join(svg_parts(steps, labels, title, link))


def svg_parts(
    steps: Sequence[Step], labels: Sequence[str], title: str = "Escalation timeline", link: bool = False
) -> Iterator[str]:
    """Yield a standalone SVG chart in pieces (to be written as they come): time on x, escalation on y.

    Marks are sized by casualties (hollow when unknown) and coloured by category; a vague
    date is drawn as a line over its span; arrows go from an incident to those answering
    it. With `link`, each mark links to `#e-<id>` (the rows of the HTML page).
    """
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
        f'font-family="DejaVu Sans, Verdana, sans-serif" font-size="12" role="img">',
        f"<title>{xml(title)}</title>",
        "<defs><marker id='arrow' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' markerHeight='7' "
        "orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' fill='#555'/></marker></defs>",
        f'<rect width="{W}" height="{H}" fill="white"/>',
        f'<text x="{LEFT}" y="26" font-size="16" font-weight="bold">{xml(title)}</text>',
    ]
    plot_right = W - RIGHT
    for level in range(model.ESCALATION_MAX + 1):
        y = TOP + (model.ESCALATION_MAX - level + 0.5) * ROW
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
    items = list(steps)
    if not items:
        out.append(f'<text x="{(LEFT + plot_right) / 2:.0f}" y="{H / 2:.0f}" text-anchor="middle">no incidents</text>')
        out.append("</svg>")
        yield "\n".join(out) + "\n"
        return
    scale = mark_scale(len(items))
    marks, first, last = _layout(items, scale)
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
    # One mark a line, written as made: a chart of 100,000 incidents is never one string.
    for part in (_spans(marks), _arrows(marks), _marks(marks, labels, link), _captions(marks, plot_right)):
        for line in part:
            yield line + "\n"
    yield "\n".join([*_legend(marks, plot_right + 24, scale), "</svg>"]) + "\n"


def _spans(marks: Sequence[_Mark]) -> list[str]:
    out = []
    for m in marks:
        if m.x_end is not None:
            colour = COLOURS[m.step.entry.category]
            out.append(
                f'<line class="span" x1="{m.x_start:.1f}" y1="{m.y:.1f}" x2="{m.x_end:.1f}" y2="{m.y:.1f}" '
                f'stroke="{colour}" stroke-width="3" stroke-opacity="0.35" stroke-linecap="round"/>'
            )
    return out


def _arrows(marks: Sequence[_Mark]) -> list[str]:
    at = {m.step.entry.id: m for m in marks}
    out = []
    for m in marks:
        for cause in dict.fromkeys(m.step.entry.responds_to):
            c = at.get(cause)
            if c is None or c is m:
                continue
            dx, dy = m.x - c.x, m.y - c.y
            length = math.hypot(dx, dy) or 1.0
            # Start and end on the circles' edges; bend the curve so parallel links stay apart.
            x1, y1 = c.x + dx / length * c.r, c.y + dy / length * c.r
            x2, y2 = m.x - dx / length * (m.r + 1), m.y - dy / length * (m.r + 1)
            bend = min(40.0, 0.25 * length)
            qx, qy = (x1 + x2) / 2 + dy / length * bend, (y1 + y2) / 2 - dx / length * bend
            out.append(
                f'<path class="link" d="M{x1:.1f},{y1:.1f} Q{qx:.1f},{qy:.1f} {x2:.1f},{y2:.1f}" fill="none" '
                f'stroke="#555" stroke-opacity="0.7" stroke-width="1.2" marker-end="url(#arrow)"/>'
            )
    return out


def _marks(marks: Sequence[_Mark], labels: Sequence[str], link: bool) -> list[str]:
    out = []
    for m in sorted(marks, key=lambda m: -m.r):  # small marks on top of big ones
        e = m.step.entry
        colour = COLOURS[e.category]
        count = m.count
        fill = f'fill="{colour}" fill-opacity="0.65"' if count is not None else 'fill="white"'
        label = labels[e.escalation] if e.escalation < len(labels) else str(e.escalation)
        tip = f"#{m.step.number} {_when(e)} · {e.escalation} {label} · {e.type} · {e.title}"
        if count is not None:
            tip += f" · {count} killed or injured"
        ident = xml(e.id)
        circle = (
            f'<circle class="mark" data-id="{ident}" cx="{m.x:.1f}" cy="{m.y:.1f}" r="{m.r:.1f}" {fill} '
            f'stroke="{colour}" stroke-width="1.6"><title>{xml(tip)}</title></circle>'
        )
        out.append(f'<a href="#e-{ident}">{circle}</a>' if link else circle)
    return out


def _captions(marks: Sequence[_Mark], plot_right: float, most: int = 3) -> list[str]:
    """Name the incidents on the highest rung reached (the largest first, at most `most`)."""
    top = max(m.step.entry.escalation for m in marks)
    chosen = sorted((m for m in marks if m.step.entry.escalation == top), key=lambda m: (-m.r, m.step.number))
    out = []
    for m in chosen[:most] if len(chosen) <= most else ():
        title = m.step.entry.title
        text = title if len(title) <= 48 else title[:47].rstrip() + "…"
        right = m.x + m.r + 6 + 6.5 * len(text) > plot_right
        x, anchor = (m.x - m.r - 6, "end") if right else (m.x + m.r + 6, "start")
        out.append(
            f'<text class="caption" x="{x:.1f}" y="{m.y + 4:.1f}" text-anchor="{anchor}" font-size="11" '
            f'fill="#333">{xml(text)}</text>'
        )
    return out


def _when(entry: model.Entry) -> str:
    text = entry.date.isoformat()
    if entry.date_end is not None and entry.date_end != entry.date:
        text += f" to {entry.date_end.isoformat()}"
    return text


def _legend(marks: Sequence[_Mark], x: float, scale: float) -> list[str]:
    out = [f'<text x="{x}" y="{TOP + 4}" font-weight="bold">category</text>']
    y: float = TOP + 24
    present = {m.step.entry.category for m in marks}
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


# -- HTML ----------------------------------------------------------------------------------

_STYLE = """
body { font-family: DejaVu Sans, Verdana, sans-serif; margin: 2em; color: #222; }
svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 13px; margin-top: 1.5em; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:target { background: #fff3c4; }
"""


def html_parts(
    steps: Sequence[Step],
    labels: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    title: str = "Escalation timeline",
    numeric: Sequence[str] = (),
) -> Iterator[str]:
    """Yield a self-contained HTML page in pieces: the SVG chart and the timeline table (no network)."""
    ids = [s.entry.id for s in steps]
    head = "".join(f"<th>{xml(c)}</th>" for c in columns)
    yield (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{xml(title)}</title>\n'
        f"<style>{_STYLE}</style>\n</head>\n<body>\n<h1>{xml(title)}</h1>\n<figure>\n"
    )
    yield from svg_parts(steps, labels, title, link=True)
    yield f"</figure>\n<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n"
    opening = ['<td class="num">' if c in numeric else "<td>" for c in columns]
    first = True
    special = _XML_SPECIAL.search
    for entry_id, row in zip(ids, rows, strict=True):
        texts = ["" if v is None else v if type(v) is str else str(v) for v in map(row.get, columns)]
        if special("".join(texts)) is not None:  # `xml` works per character: only such a row needs it
            texts = [xml(text) for text in texts]
        cells = "".join([f"{td}{text}</td>" for td, text in zip(opening, texts, strict=True)])
        yield ("" if first else "\n") + f'<tr id="e-{xml(entry_id)}">{cells}</tr>'
        first = False
    yield "\n</tbody>\n</table>\n</body>\n</html>\n"
