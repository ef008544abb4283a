"""The chart's lines written by SQLite: each incident's mark, span and table row as a text template.

Fetching fifteen values per incident makes as many Python objects, and writing a mark
from them costs as much again: on 100,000 incidents that was most of `timeline --format
svg|html`. Here SQLite writes each line's text from the columns (the escaped title and
id, the tooltip, the colour, the rung's height, the table's date and time), leaving
`%`-slots for what only the order or Python's float formatting decides: the mark's x (a
float SQL works out the same way Python does: see `_x`), its radius and number, the
change and days and the chain of a table row; and for the tooltip's casualties, which
depend on a value the caller holds already (cheaper there than a concatenation here).
The caller fills the slots with `%` (text from the entries has its `%` doubled). The
templates come as UTF-8 bytes (BLOBs): the caller writes bytes, with no text decoded and
encoded again. A mark and its table row are one template (one `printf` a row, not two).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from ledger.index.chrono import Found, _chronological
from ledger.index.chrono_text import id_table
from ledger.index.drawn import _ORDINAL, _VAGUE, DRAWN_SQL, Drawn, _drawn
from ledger.index.sql import where_sql


class Paint(NamedTuple):
    """What the lines need from the picture (made by `output`, which knows the chart)."""

    colours: Mapping[str, str]  # colour by category
    rungs: Mapping[int, str]  # the y of each escalation level, as the marks write it
    labels: Mapping[int, str]  # the mark's ladder label of each level (escaped for XML)
    table_labels: Mapping[int, str] | None  # the table's label of each level (escaped); None: no table
    link: bool  # marks link to their table row
    parts: Mapping[str, float]  # where in its day a part of the day sits
    left: int  # the x of the first day
    width: int  # the width of the plot
    first: int  # the first day (ordinal)
    span: int  # days from the first day to the end of the last


_CASUALTIES = (
    "CASE WHEN e.killed IS NULL AND e.injured IS NULL THEN NULL ELSE coalesce(e.killed, 0) + coalesce(e.injured, 0) END"
)
_DAY = _ORDINAL.format("e.date")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _exact(value: float) -> str:
    """A float as SQL that gives exactly that double (a quotient of two exact integers)."""
    numerator, denominator = value.as_integer_ratio()
    if denominator >= 2**62:
        raise ValueError(f"no exact SQL for {value!r}")
    return f"(CAST({numerator} AS REAL) / {denominator})"


def _case(column: str, texts: Mapping[Any, str]) -> str:
    """A CASE giving the text of each value of `column` (NULL for any other value)."""
    whens = " ".join(
        f"WHEN {_quote(str(k)) if isinstance(k, str) else int(k)} THEN {_quote(t)}" for k, t in texts.items()
    )
    return f"CASE {column} {whens} END"


def _percent(texts: Mapping[int, str]) -> dict[int, str]:
    return {k: t.replace("%", "%%") for k, t in texts.items()}


def _x(paint: Paint) -> tuple[str, str, str]:
    """The x of a mark, of a span's start and of its end: `output.marks.place`'s sums in SQL.

    Python's `LEFT + (day + fraction - first) / span * width`: the same IEEE operations on
    the same doubles, in the same order (SQLite computes with C doubles), so the same
    double. The fractions are exact quotients; a part of the day is a bound value's double.
    """
    parts = " ".join(f"WHEN {_quote(k)} THEN {_exact(v)}" for k, v in paint.parts.items())
    fraction = (
        "CASE WHEN e.time IS NOT NULL THEN (CAST(substr(e.time, 1, 2) AS INTEGER) * 60 "
        "+ CAST(substr(e.time, 4, 2) AS INTEGER)) / CAST(1440 AS REAL) "
        f"WHEN e.time_of_day IS NOT NULL THEN CASE e.time_of_day {parts} END "
        f"WHEN {_VAGUE} THEN CAST(0 AS REAL) ELSE {_exact(0.5)} END"
    )
    scale = f"/ {paint.span} * {paint.width}"
    mark = f"{paint.left} + ({_DAY} + {fraction} - {paint.first}) {scale}"
    start = f"{paint.left} + CAST({_DAY} - {paint.first} AS REAL) {scale}"
    end = f"{paint.left} + CAST({_ORDINAL.format('e.last_day')} + 1 - {paint.first} AS REAL) {scale}"
    return mark, start, end


def _lines(paint: Paint) -> tuple[str, str]:
    """The SQL of the mark's template (and the table row's after it, with a table) and the span's.

    Each is one `printf`: one string made per row.

    Ids (`model.ID_PATTERN`), types, dates and parts of the day of valid entries hold
    nothing to escape; the title comes escaped from the build when it holds something to (`_title`).
    """
    y = _case("e.escalation", paint.rungs)
    colours = paint.colours
    unknown = _case("e.category", {c: f'fill="white" stroke="{colour}"' for c, colour in colours.items()})
    known = _case(
        "e.category", {c: f'fill="{colour}" fill-opacity="0.65" stroke="{colour}"' for c, colour in colours.items()}
    )
    paint_sql = f"CASE WHEN e.killed IS NULL AND e.injured IS NULL THEN {unknown} ELSE {known} END"
    to = "CASE WHEN e.date_end IS NULL OR e.date_end = e.date THEN '' ELSE ' to ' || e.date_end END"
    label = _case("e.escalation", _percent(paint.labels))
    circle = (
        '<circle class="mark" data-id="%s" cx="%%.1f" cy="%s" r="%%s" %s stroke-width="1.6">'
        "<title>#%%d %s%s · %d %s · %s · %s%%s</title></circle>"
    )
    values = f"{y}, {paint_sql}, e.date, {to}, e.escalation, {label}, e.type, {_title()}"
    if paint.link:
        mark = (f'<a href="#e-%s">{circle}</a>', f"e.id, e.id, {values}")
    else:
        mark = (circle, f"e.id, {values}")
    colour = _case("e.category", colours)
    span = (
        """printf('<line class="span" x1="%%.1f" y1="%s" x2="%%.1f" y2="%s" stroke="%s" stroke-width="3" """
        f"""stroke-opacity="0.35" stroke-linecap="round"/>', {y}, {y}, {colour})"""
    )
    if paint.table_labels is None:
        return f"printf('{mark[0]}', {mark[1]})", span
    date = (
        f"CASE WHEN NOT {_VAGUE} THEN e.date "
        "WHEN e.date_end IS NULL OR e.date_end = e.date THEN e.date || '~' || e.date_precision "
        "WHEN substr(e.date_end, 1, 4) != substr(e.date, 1, 4) THEN e.date || '~' || e.date_end "
        "WHEN substr(e.date_end, 6, 2) != substr(e.date, 6, 2) THEN e.date || '~' || substr(e.date_end, 6) "
        "ELSE e.date || '~' || substr(e.date_end, 9) END"
    )
    time = (
        "CASE WHEN e.time IS NULL THEN coalesce(e.time_of_day, '') WHEN substr(e.time, 7, 2) = '00' "
        "THEN substr(e.time, 1, 5) ELSE substr(e.time, 1, 8) END"
    )
    cells = (
        '<tr id="e-%s"><td class="num">%%d</td><td>%s</td><td>%s</td><td class="num">%d</td><td>%s</td>'
        '<td class="num">%%s</td><td class="num">%%s</td><td>%s</td><td>%%s</td></tr>'
    )
    table_label = _case("e.escalation", _percent(paint.table_labels))
    row = f"e.id, {date}, {time}, e.escalation, {table_label}, {_title()}"
    # One printf for both lines, a newline between them (no line holds one): a call less per row.
    return f"printf('{mark[0]}\n{cells}', {mark[1]}, {row})", span


def _title() -> str:
    """The title as `core.escapes.xml` writes it, `%` doubled: stored by the build (`rows.markup`) when it differs."""
    return "coalesce(e.title_xml, e.title)"


def texts(found: Found, paint: Paint) -> Iterator[tuple[Any, ...]]:
    """Yield the selected incidents' lines as templates, in chronological order.

    A row is (rowid, day, escalation, casualties, x, mark, span, x_start, x_end):
    `day` numbers the first day, `casualties` is killed + injured (None: unknown), `x` the
    mark's x before the same-day rule. `mark` has slots for x (`%.1f`), the radius text,
    the number and the casualties' text (`marks_text.casualties_text`); with
    `paint.table_labels` a newline and the table row follow, with slots for the number,
    change, days and chain. `span` (a vague date's only, else None) has slots for its start
    and end. Both are UTF-8 bytes. Every level and category must have its text in `paint`
    (see `extent`).
    """
    mark, span = (f"CAST({sql} AS BLOB)" for sql in _lines(paint))
    x, start, end = _x(paint)
    what = (
        f"e.rowid, {_DAY}, e.escalation, {_CASUALTIES}, {x}, {mark}, CASE WHEN {_VAGUE} THEN {span} END, "
        f"CASE WHEN {_VAGUE} THEN {start} END, CASE WHEN {_VAGUE} THEN {end} END"
    )
    rows = _chronological(found, what)
    chosen = found.selection
    if chosen.limit is None and chosen.sort in (None, "date"):
        return rows
    return (r[:9] for r in rows)  # without the order's columns


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
