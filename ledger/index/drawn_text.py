"""The chart's lines: each incident's mark, span and table row as a text template, read in order.

Fetching fifteen values per incident makes as many Python objects, and writing a mark
from them costs as much again: on 100,000 incidents that was most of `timeline --format
svg|html`. Here each line's text comes as a template written once per incident (the
derived table `chart_text.CHART`: the escaped title and id, the tooltip, the colour, the
rung's height, the table's date and time), with `%`-slots for what only the frame, the
order, `ledger.toml` or Python's float formatting decides: the mark's x (a float SQL works
out the same way Python does: see `_x`), its radius, number and ladder label, and the
number, label, change, days and chain of a table row. The caller fills the slots with `%`
(text from the entries has its `%` doubled). The templates come as UTF-8 bytes (BLOBs):
the caller writes bytes, with no text decoded and encoded again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from ledger.index.chart_text import CHART, LINK
from ledger.index.chrono import Found
from ledger.index.chrono_text import id_table
from ledger.index.drawn import DRAWN_SQL, Drawn, _drawn
from ledger.index.sql import where_sql


class Paint(NamedTuple):
    """What the lines need from the picture (made by `output`, which knows the chart)."""

    link: bool  # marks link to their table row, which follows each mark (the HTML page)
    left: int  # the x of the first day
    width: int  # the width of the plot
    first: int  # the first day (ordinal)
    span: int  # days from the first day to the end of the last


def _x(paint: Paint) -> tuple[str, str, str]:
    """The x of a mark, of a span's start and of its end over `chart t`: `output.marks.place`'s sums in SQL.

    Python's `LEFT + (day + fraction - first) / span * width`: the same IEEE operations on
    the same doubles, in the same order (SQLite computes with C doubles), so the same
    double; `moment` holds `day + fraction` (`chart_text`).
    """
    scale = f"/ {paint.span} * {paint.width}"
    mark = f"{paint.left} + (t.moment - {paint.first}) {scale}"
    start = f"{paint.left} + CAST(t.day - {paint.first} AS REAL) {scale}"
    end = f"{paint.left} + CAST(t.last + 1 - {paint.first} AS REAL) {scale}"
    return mark, start, end


def texts(found: Found, paint: Paint, ids: bool = False) -> Iterator[tuple[Any, ...]]:
    """Yield the selected incidents' lines as templates, in chronological order.

    A row is (rowid, day, escalation, casualties, x, mark, row, span, x_start, x_end, id):
    `id` with `ids`, else None.
    `day` numbers the first day, `casualties` is killed + injured (None: unknown), `x` the
    mark's x before the same-day rule. The templates are `chart_text.CHART`'s (UTF-8 bytes):
    `mark` has slots for x (`%.1f`), the radius text, the number and the ladder label
    (linked to the table row with `paint.link`); `row` (with `paint.link`, else None) for
    the number, the table's label, change, days and chain; `span` (a vague date's only,
    else None) for its start and end.
    """
    x, start, end = _x(paint)
    if paint.link:
        lines = "t.mark, t.row"
    else:  # the circle inside the link
        lines = f"substr(t.mark, {LINK + 1} + length(e.id), length(t.mark) - {LINK + 4} - length(e.id)), NULL"
    vague = "t.span IS NOT NULL"
    ident = "e.id" if ids else "NULL"
    what = (
        f"e.rowid, t.day, e.escalation, t.casualties, {x}, {lines}, t.span, "
        f"CASE WHEN {vague} THEN {start} END, CASE WHEN {vague} THEN {end} END, {ident}"
    )
    chosen = found.selection
    where, params = where_sql(chosen, found.vocabulary)
    if chosen.limit is None and chosen.sort in (None, "date"):  # walks `entries_drawn`, no sort
        sql = f"SELECT {what} FROM entries e JOIN chart t ON t.entry = e.rowid WHERE {where} ORDER BY e.chrono, e.path"
    else:  # `--sort` and `--limit` choose the incidents, the timeline orders them
        chosen_sql, params = found._select("e.rowid AS r")
        sql = (
            f"SELECT {what} FROM ({chosen_sql}) s JOIN entries e ON e.rowid = s.r JOIN chart t ON t.entry = s.r "
            "ORDER BY e.chrono, e.path"
        )
    rows: Iterator[tuple[Any, ...]] = found.sql_rows(sql, params, CHART)
    return rows


class Extent(NamedTuple):
    """What the selection spans: how many, from and to which day, its levels and its categories."""

    incidents: int
    first: str | None  # the first day (ISO), None when nothing is selected
    last: str | None  # the last day of any incident's span
    lowest: int | None  # the lowest and highest escalation
    highest: int | None
    categories: frozenset[str]


def extent(found: Found) -> Extent:
    """Return the extent of the selection (one aggregate query).

    Without a limit the selection is its condition alone: no order to sort for an aggregate.
    """
    what = "SELECT count(*), min(d), max(l), min(x), max(x), group_concat(DISTINCT c) FROM ({})"
    chosen = "e.date AS d, e.last_day AS l, e.escalation AS x, e.category AS c"
    if found.selection.limit is None:
        where, params = where_sql(found.selection, found.vocabulary)
        sql = what.replace("{}", f"SELECT {chosen} FROM entries e WHERE {where}")
        row = found.index.query(sql, params)[0]
    else:
        row = next(found.run(chosen, what))
    count, first, last, lowest, highest, categories = row
    return Extent(count, first, last, lowest, highest, frozenset(categories.split(",") if categories else ()))


def named(found: Found, names: Iterable[str]) -> list[tuple[int, str, None, str, str]]:
    """Return the selected incidents with these ids as (rowid, id, None, chrono, path), in chronological order."""
    table = id_table(found.index.conn(), "chart_named", names)
    what = "e.rowid AS r, e.id AS id, NULL AS links, e.chrono AS chrono, e.path AS path"
    named_ids = f"(SELECT id FROM {table})"
    if found.selection.limit is None:
        where, params = where_sql(found.selection, found.vocabulary)
        sql = f"SELECT {what} FROM entries e WHERE {where} AND e.id IN {named_ids} ORDER BY chrono, path"
        return [tuple(row) for row in found.index.query(sql, params)]
    return list(found.run(what, f"SELECT * FROM ({{}}) WHERE id IN {named_ids} ORDER BY chrono, path"))


def drawn_row(found: Found, rowid: int) -> Drawn:
    """Return one incident as `drawn.drawn` gives it (for a line to write the general way)."""
    return _drawn(found.index.query(f"SELECT {DRAWN_SQL} FROM entries e WHERE e.rowid = ?", [rowid])[0])
