"""`ledger timeline` in any of its formats, answered by the quickest road that can.

A program format (TSV, CSV, JSON, JSON Lines) has its cells written by SQL
(`Ledger.timeline_written`); SVG and HTML most of each mark's text (`Ledger.timeline_charted`);
`--by` is aggregated in SQL (`Ledger.periods`). What those roads cannot answer (a table or
markdown for people, ids, a CSV on a terminal, a ledger without its index) goes the general
road, `Ledger.timeline`, whose rows the others are held to by tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ledger.core.errors import not_one_of
from ledger.output.render import FORMATS as LISTED
from ledger.query import Selection

if TYPE_CHECKING:
    from ledger.api.ledger import Ledger
    from ledger.output.results import Screen

DRAWN = ("svg", "html")
#: Every format of `ledger timeline`: a list's, then the drawn ones.
FORMATS = (*LISTED, *DRAWN)


@dataclass(frozen=True, slots=True)
class Answer:
    """A timeline found and ready to be written: how many invalid entry files it left out, and `write()`."""

    skipped: int
    write: Callable[[], None]


def check(fmt: str, by: str | None = None, bar: str = "sum") -> None:
    """Raise the usage error for options that cannot go together (before any ledger is looked for)."""
    from ledger.output import bars

    if bar not in bars.MEASURES:
        raise not_one_of("--bar", bar, tuple(bars.MEASURES))
    if by is not None and fmt in (*DRAWN, "ids"):
        raise not_one_of("--format", fmt, tuple(f for f in LISTED if f != "ids"))


def answer(
    ledger: Ledger,
    selection: Selection,
    fmt: str,
    screen: Screen,
    *,
    by: str | None = None,
    bar: str = "sum",
    ascii_only: bool = False,
    as_of: str | None = None,
) -> Answer:
    """Find the timeline of `selection`, to be written as `fmt` on `screen` (`check`s the options first).

    `by` (day, week or month) draws a bar chart of `bar` per period; `ascii_only` draws it without
    Unicode blocks.
    """
    from ledger.output import results  # not `chart` (its marks): the program formats never draw

    check(fmt, by, bar)
    if by is not None:
        periods = ledger.periods(selection, by, as_of=as_of)
        return Answer(periods.skipped, lambda: results.periods(screen, fmt, periods.periods, bar, ascii_only))
    drawn = fmt in DRAWN  # the chart's rows and frame (`index.drawn`): never whole in memory
    programs = not drawn and fmt not in ("table", "markdown")  # plain rows: values written as stored
    if programs and fmt != "ids" and not (fmt == "csv" and screen.is_tty):  # cells written by SQL
        from ledger.output import chrono_rows

        written = ledger.timeline_written(selection, fmt, as_of=as_of)
        if written is not None:
            return Answer(written.skipped, lambda: chrono_rows.write_written(written, fmt, screen.out, screen.is_tty))
    if drawn:  # most of each mark's text written by SQL
        charted = ledger.timeline_charted(selection, as_of=as_of, chains=fmt == "html")
        if charted is not None:

            def write() -> None:
                from ledger.output.marks_text import Unplanned

                try:
                    results.timeline_charted(screen, fmt, charted)
                except Unplanned:  # found before anything was written: a cycle, an id used twice
                    found = ledger.timeline(selection, as_of=as_of, drawn=True)
                    results.timeline(screen, fmt, found, selection.reverse)

            return Answer(charted.skipped, write)
    found = ledger.timeline(selection, as_of=as_of, plain=programs, drawn=drawn)
    return Answer(found.skipped, lambda: results.timeline(screen, fmt, found, selection.reverse))
