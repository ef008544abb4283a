"""The chart's text of each incident, written once: the derived table `chart` (index version 19).

`timeline --format svg|html` writes, per incident, a mark (a circle with its tooltip), for
a vague date a span, and in the HTML page a table row. Most of their text depends on the
incident alone (its id, dates, rung, category, type, title, casualties), yet SQLite's
`printf` wrote it again on every chart: 0.5 s of the HTML page's 1 s query at 100,000
incidents. Here it is written once per incident, as templates with `%`-slots for what the
frame, the order and `ledger.toml` decide (the mark's x, radius, number and ladder label;
the row's number, label, change, days and chain), and the chart's query reads it beside the
order (`drawn_text.texts`).

The table is a `derived.Written` table: made by the first chart (not by the cold build),
kept in step by refreshes. Its rows hold the picture's fixed paint (the colours of the
categories, the height of each rung, where in its day a part of the day sits): they are
`output.marks`' (a test holds them to it), and changing one needs a new index version.

Per valid entry: `day` (the first day as `date.toordinal()`), `moment` (`day` plus the
mark's fraction of its day: the x is `LEFT + (moment - first) / span * width`, the same
double as `output.marks.place`'s sums), `last` (a vague date's last day, else NULL),
`casualties` (killed + injured, NULL when neither is known), `mark` (the HTML page's mark,
linked to its row: the SVG's is the circle inside the link), `row` and `span` (a vague
date's, else NULL), the templates as UTF-8 BLOBs.
"""

from __future__ import annotations

from ledger.index.derived import Written
from ledger.index.drawn import _ORDINAL, _VAGUE

# The picture's fixed paint (`output.marks.COLOURS`, `rung_y`, `_DAY_PART`): a change needs a new index version.
COLOURS = {
    "remote-violence": "#D55E00",
    "battle": "#0072B2",
    "violence-against-civilians": "#CC79A7",
    "strategic-development": "#009E73",
    "demonstration": "#E69F00",
}
RUNGS = {0: "468.5", 1: "413.5", 2: "358.5", 3: "303.5", 4: "248.5", 5: "193.5", 6: "138.5", 7: "83.5"}
DAY_PART = {"early-morning": 0.2, "morning": 0.38, "afternoon": 0.6, "evening": 0.8, "night": 0.92}
LINK = len('<a href="#e-">')  # a mark's link around its circle: this, the id, and `</a>`


def quote(text: str) -> str:
    """Return text as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def exact(value: float) -> str:
    """Return a float as SQL that gives exactly that double (a quotient of two exact integers)."""
    numerator, denominator = value.as_integer_ratio()
    if denominator >= 2**62:
        raise ValueError(f"no exact SQL for {value!r}")
    return f"(CAST({numerator} AS REAL) / {denominator})"


def case(column: str, texts: dict[int, str] | dict[str, str]) -> str:
    """Return a CASE giving the text of each value of `column` (NULL for any other value)."""
    whens = " ".join(f"WHEN {quote(k) if isinstance(k, str) else int(k)} THEN {quote(t)}" for k, t in texts.items())
    return f"CASE {column} {whens} END"


DAY = _ORDINAL.format("e.date")
# Where in its day a mark stands: `output.marks._day_fraction` (a time, a part of the day, a span's start, noon).
FRACTION = (
    "CASE WHEN e.time IS NOT NULL THEN (CAST(substr(e.time, 1, 2) AS INTEGER) * 60 "
    "+ CAST(substr(e.time, 4, 2) AS INTEGER)) / CAST(1440 AS REAL) "
    f"WHEN e.time_of_day IS NOT NULL THEN CASE e.time_of_day {' '.join(f'WHEN {quote(k)} THEN {exact(v)}' for k, v in DAY_PART.items())} END "
    f"WHEN {_VAGUE} THEN CAST(0 AS REAL) ELSE {exact(0.5)} END"
)
CASUALTIES = (
    "CASE WHEN e.killed IS NULL AND e.injured IS NULL THEN NULL ELSE coalesce(e.killed, 0) + coalesce(e.injured, 0) END"
)
_TITLE = "coalesce(e.title_xml, e.title)"  # `core.escapes.xml` of the title, `%` doubled (`rows.markup`)


def _mark() -> str:
    """The HTML page's mark: slots for x (`%.1f`), the radius text, the number and the ladder label (escaped)."""
    y = case("e.escalation", RUNGS)
    hollow = case("e.category", {c: f'fill="white" stroke="{colour}"' for c, colour in COLOURS.items()})
    filled = case(
        "e.category", {c: f'fill="{colour}" fill-opacity="0.65" stroke="{colour}"' for c, colour in COLOURS.items()}
    )
    paint = f"CASE WHEN e.killed IS NULL AND e.injured IS NULL THEN {hollow} ELSE {filled} END"
    to = "CASE WHEN e.date_end IS NULL OR e.date_end = e.date THEN '' ELSE ' to ' || e.date_end END"
    killed = f"CASE WHEN e.killed IS NULL AND e.injured IS NULL THEN '' ELSE ' · ' || ({CASUALTIES}) || ' killed or injured' END"
    template = (
        '<a href="#e-%s"><circle class="mark" data-id="%s" cx="%%.1f" cy="%s" r="%%s" %s stroke-width="1.6">'
        "<title>#%%d %s%s · %d %%s · %s · %s%s</title></circle></a>"
    )
    return f"printf('{template}', e.id, e.id, {y}, {paint}, e.date, {to}, e.escalation, e.type, {_TITLE}, {killed})"


def _row() -> str:
    """The HTML table's row: slots for the number, the ladder label (escaped), the change, the days and the chain."""
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
    template = (
        '<tr id="e-%s"><td class="num">%%d</td><td>%s</td><td>%s</td><td class="num">%d</td><td>%%s</td>'
        '<td class="num">%%s</td><td class="num">%%s</td><td>%s</td><td>%%s</td></tr>'
    )
    return f"printf('{template}', e.id, {date}, {time}, e.escalation, {_TITLE})"


def _span() -> str:
    """A vague date's span: slots for the x of its start and of its end."""
    y = case("e.escalation", RUNGS)
    return (
        """printf('<line class="span" x1="%%.1f" y1="%s" x2="%%.1f" y2="%s" stroke="%s" stroke-width="3" """
        f"""stroke-opacity="0.35" stroke-linecap="round"/>', {y}, {y}, {case("e.category", COLOURS)})"""
    )


CHART = Written(
    "chart",
    "CREATE TABLE {schema}.chart (entry INTEGER PRIMARY KEY, day INTEGER, moment REAL, last INTEGER, "
    "casualties INTEGER, mark BLOB, row BLOB, span BLOB)",
    fill=(
        f"INSERT INTO {{schema}}.chart SELECT e.rowid, {DAY}, {DAY} + {FRACTION}, "
        f"CASE WHEN {_VAGUE} THEN {_ORDINAL.format('e.last_day')} END, {CASUALTIES}, "
        f"CAST({_mark()} AS BLOB), CAST({_row()} AS BLOB), CASE WHEN {_VAGUE} THEN CAST({_span()} AS BLOB) END "
        "FROM entries e WHERE e.rowid >= ? AND e.ok = 1"
    ),
)
