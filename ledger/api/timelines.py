"""`ledger timeline` in any of its formats, written by the quickest road that can answer it.

A program format (TSV, CSV, JSON, JSON Lines) has its cells written by SQL
(`Ledger.timeline_written`); SVG and HTML most of each mark's text (`Ledger.timeline_charted`);
`--by` is aggregated in SQL (`Ledger.periods`). What those roads cannot answer (a table or
markdown for people, ids, a CSV on a terminal, a ledger without its index) goes the general
road, `Ledger.timeline`, whose rows the others are held to by tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ledger.core.errors import not_one_of
from ledger.query import Selection

if TYPE_CHECKING:
    from ledger.api.ledger import Ledger
    from ledger.output.results import Screen

DRAWN = ("svg", "html")


def write(
    ledger: Ledger,
    selection: Selection,
    fmt: str,
    screen: Screen,
    *,
    by: str | None = None,
    bar: str = "sum",
    ascii_only: bool = False,
    as_of: str | None = None,
) -> int:
    """Write the timeline of `selection` as `fmt` on `screen`; return how many invalid entry files were left out.

    `by` (day, week or month) draws a bar chart of `bar` per period; `ascii_only` draws it without
    Unicode blocks. A format `--by` cannot write (svg, html, ids) is a usage error.
    """
    from ledger.output import bars, results  # not `chart` (its marks): the program formats never draw
    from ledger.output.render import FORMATS

    if bar not in bars.MEASURES:
        raise not_one_of("--bar", bar, tuple(bars.MEASURES))
    if by is not None:
        if fmt in (*DRAWN, "ids"):
            raise not_one_of("--format", fmt, tuple(f for f in FORMATS if f != "ids"))
        periods = ledger.periods(selection, by, as_of=as_of)
        results.periods(screen, fmt, periods.periods, bar, ascii_only)
        return periods.skipped
    drawn = fmt in DRAWN  # the chart's rows and frame (`index.drawn`): never whole in memory
    programs = not drawn and fmt not in ("table", "markdown")  # plain rows: values written as stored
    if programs and fmt != "ids" and not (fmt == "csv" and screen.is_tty):  # cells written by SQL
        from ledger.output import chrono_rows

        written = ledger.timeline_written(selection, fmt, as_of=as_of)
        if written is not None:
            chrono_rows.write_written(written, fmt, screen.out, screen.is_tty)
            return written.skipped
    if drawn:  # most of each mark's text written by SQL
        charted = ledger.timeline_charted(selection, as_of=as_of, chains=fmt == "html")
        if charted is not None:
            results.timeline_charted(screen, fmt, charted)
            return charted.skipped
    found = ledger.timeline(selection, as_of=as_of, plain=programs, drawn=drawn)
    results.timeline(screen, fmt, found, selection.reverse)
    return found.skipped
