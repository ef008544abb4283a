"""The period table with a bar chart of one measure, for terminals (`timeline --by` tables)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ledger.reports.timeline import Period

MEASURES = {
    "sum": ("sum_escalation", "escalation sum"),
    "max": ("max_escalation", "max escalation"),
    "count": ("count", "incidents"),
    "killed": ("killed", "killed"),
    "injured": ("injured", "injured"),
}
_EIGHTHS = " ▏▎▍▌▋▊▉"
_COLUMNS = (
    ("count", "n"),
    ("max_escalation", "max"),
    ("sum_escalation", "sum"),
    ("killed", "killed"),
    ("injured", "injured"),
)


def bar(value: float, scale: float, width: int, ascii_only: bool = False) -> str:
    """Return a bar of `value` where `scale` fills `width` cells (eighth-cell steps, or '#')."""
    if value <= 0 or scale <= 0 or width <= 0:
        return ""
    cells = min(value / scale, 1.0) * width
    if ascii_only:
        return "#" * max(1, math.floor(cells + 0.5))
    eighths = max(1, math.floor(cells * 8 + 0.5))  # a value above zero always shows
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


MIN_BAR = 10


def bars(periods: Sequence[Period], measure: str = "sum", width: int = 80, ascii_only: bool = False) -> list[str]:
    """Return the lines of a period table with a bar chart of `measure` fitted to `width` columns.

    On a narrow terminal the injured and killed columns give way before the bars get
    shorter than MIN_BAR cells.
    """
    field, title = MEASURES[measure]
    columns = list(_COLUMNS)
    while True:
        head = ["period", *(name for _, name in columns)]
        cells = [[p.label, *(_cell(p, f) for f, _ in columns)] for p in periods]
        widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(head)]
        prefix = sum(widths) + 2 * len(widths)
        if width - prefix - 1 >= MIN_BAR or len(columns) <= 3:
            break
        columns.pop()

    def line(values: Sequence[str]) -> str:
        first = values[0].ljust(widths[0])
        rest = [v.rjust(w) for v, w in zip(values[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest])

    room = max(MIN_BAR, width - prefix - 1)
    values = [getattr(p, field) or 0 for p in periods]
    scale = max(values, default=0)
    out = [line(head) + "  " + title[:room]]
    for row, value in zip(cells, values, strict=True):
        out.append((line(row) + "  " + bar(value, scale, room, ascii_only)).rstrip())
    return out


def _num(value: int | None) -> str:
    return "" if value is None else str(value)


def _cell(period: Period, field: str) -> str:
    if field in ("killed", "injured"):
        return range_text(getattr(period, field), getattr(period, f"{field}_low"), getattr(period, f"{field}_high"))
    return _num(getattr(period, field))


def range_text(best: int | None, low: int | None, high: int | None) -> str:
    """Return a casualty figure with its range when it has one: `12 (10-15)`; `12` alone otherwise."""
    if best is None:
        return ""
    if (low is None or low == best) and (high is None or high == best):
        return str(best)
    return f"{best} ({low if low is not None else best}-{high if high is not None else best})"
