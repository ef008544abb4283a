"""The CSV lines of `ledger export --format csv`, written by SQLite as it reads the rows.

A line is exactly what `csv.writer` (RFC 4180: CRLF) writes for `flat.cells(record,
flat.neutralise)` of the stored JSON record: the flat cells in the order of `flat.columns()`,
text guarded against formulas, quoted where it holds a comma, a quote or a line break. In
Python that costs about 100 µs an entry (decoding the JSON, walking it, `csv.writer`); here
one query writes each line, as `index.chrono_text` does for `timeline --format csv`:

- a cell comes from the `entries` column that holds the record's value as it is (id, title,
  dates, type, names, links, path, ...), else from the stored record: `json_extract` for
  text; numbers and plain words in a run (the coordinates and their precision, the casualty
  counts) from one `json_extract` of several paths, written as the items of the JSON array
  it gives (a number keeps its own text, as Python wrote it); the `sources` cell, the
  record's own JSON text of its list, is cut out of the stored text (its last key);
- a list of names is joined with "; " from its JSON array, or written as that array when an
  item holds ";" or starts with "[" (`flat`);
- the formula guard and the quoting are CASE expressions, left out for the cells validation
  keeps plain (`PLAIN`: enum values, ids, slugs, dates); one `printf` joins the cells.

A line SQLite cannot write exactly comes back NULL and Python writes it from the record
(`csv_lines`): one with a list whose JSON array holds an escape (a quote or a backslash in a
name). `tests/test_csv_lines.py` holds the lines to `csv.writer`'s, entry shape by shape.
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Iterator, Sequence
from typing import Any

from ledger.core import flat
from ledger.index.sql import where_sql

#: flat columns whose `entries` column holds the record's value as it is (text, or the JSON array of a list)
_ENTRY = {
    "id": "id", "title": "title", "date": "date", "date_end": "date_end", "date_precision": "date_precision",
    "time": "time", "time_of_day": "time_of_day", "type": "type", "category": "category",
    "escalation": "escalation", "confidence": "confidence", "duplicate_of": "duplicate_of",
    "responds_to": "responds_to", "related": "related", "aliases": "aliases", "tags": "tag_list",
    "location.name": "place", "location.country": "country", "actors.perpetrators": "perpetrators",
    "actors.targets": "targets", "actors.associated": "associated", "path": "path",
}  # fmt: skip
#: text cells validation keeps free of what csv.writer quotes and of formula starts (enum values, ids,
#: slugs, ISO dates and times, country codes): written as they are (`tests/test_csv_sql.py` holds this)
PLAIN = frozenset({
    "id", "date", "date_end", "date_precision", "time", "time_of_day", "type", "category", "confidence",
    "status", "duplicate_of", "location.country", "location.precision", "actors.attribution",
})  # fmt: skip
#: lists of ids or slugs (no ";", no "[", nothing to escape or quote): joined with "; " as they are
PLAIN_LISTS = frozenset({"responds_to", "related", "tags"})
#: text that cannot hold a line break (`one_line`): no test for one
ONE_LINE = frozenset({"title", "as_reported", "location.name", "location.admin1", "location.admin2",
                      "location.description", "casualties.note", "aliases"})  # fmt: skip
#: JSON values read only when an `entries` column says they can be there (otherwise the cells are empty)
_WHEN = {
    "withdrawn_reason": "e.status = 'withdrawn'",  # `checks`: only a withdrawn entry has one
    "casualties.killed": "e.killed_low IS NOT NULL OR e.injured_low IS NOT NULL",  # a count there (`rows._range`)
}
#: runs of adjacent cells of numbers and plain words, read with one `json_extract` (a JSON array, `null`
#: where absent) and written as its items: one call and one printf value instead of one per cell
RUNS = {
    "location.lat": ("location.lat", "location.lon", "location.precision"),
    "casualties.killed": tuple(f"casualties.{n}{k}" for n in ("killed", "injured") for k in ("", ".low", ".high")),
}
_GUARD = "unicode({x}) IN (61, 43, 45, 64, 9, 13, 39)"  # = + - @ tab CR ' (`flat.neutralise`)
_SOURCES = "nullif(instr(d.json, '\"sources\": ['), 0)"


def _text(x: str, one_line: bool) -> str:
    """SQL: the cell of a text value as `csv.writer` writes `flat.neutralise` of it."""
    guard = _GUARD.format(x=x)
    needs = f"{x} LIKE '%,%' OR {x} LIKE '%\"%'" + ("" if one_line else f" OR {x} LIKE '%\n%' OR {x} LIKE '%\r%'")
    guarded = f"CASE WHEN {guard} THEN '''' || {x} ELSE {x} END"
    return f"CASE WHEN {x} IS NULL THEN NULL WHEN {needs} THEN {_quoted(guarded)} WHEN {guard} THEN '''' || {x} ELSE {x} END"


def _quoted(x: str) -> str:
    return f"'\"' || replace({x}, '\"', '\"\"') || '\"'"


def _joined(x: str) -> str:
    """SQL: the items of a JSON array as `rows._array` writes it (`["a", "b"]`, nothing escaped) joined with "; "."""
    return f"replace(substr({x}, 3, length({x}) - 4), '\", \"', '; ')"


@functools.cache
def _plan() -> tuple[str, str, str]:
    """Return (the values read per row, over `entries e` and `docs d`; the line's printf; the test of an escape)."""
    values: list[str] = []
    cells: list[str] = []
    escapes: list[str] = []
    columns = {c.name: c for c in flat.columns()}
    run: tuple[str, ...] = ()
    for number, column in enumerate(flat.columns()):
        name, kind = column.name, column.kind
        value = f"v{number}"
        if name in run:
            continue
        if name in RUNS:
            run = RUNS[name]
            paths = ", ".join(f"'{_path(columns[n])}'" for n in run)
            when = _WHEN.get(name)
            extract = f"json_extract(d.json, {paths})"
            values.append(f"CASE WHEN {when} THEN {extract} END AS {value}" if when else f"{extract} AS {value}")
            items = f"replace(replace(substr({value}, 2, length({value}) - 2), 'null', ''), '\"', '')"
            cells.append(f"CASE WHEN {value} IS NULL THEN '{',' * (len(run) - 1)}' ELSE {items} END")
            continue
        if name in PLAIN_LISTS:
            values.append(f"{_joined('e.' + _ENTRY[name])} AS {value}")
        elif name in _ENTRY:
            values.append(f"e.{_ENTRY[name]} AS {value}")
            if kind == "list":  # names: the array (for the escape and JSON tests) and the items joined
                values.append(f"{_joined('e.' + _ENTRY[name])} AS j{number}")
        elif kind == "json":  # the record's own text of the list, to its end (before the record's closing brace)
            values.append(f"rtrim(substr(d.json, {_SOURCES} + 11), '}}') AS {value}")
        else:
            if kind not in ("str", "date", "time", "derived"):  # json_extract would give a float SQLite's digits
                raise ValueError(f"{name}: a number outside RUNS")
            when = _WHEN.get(name)
            extract = f"json_extract(d.json, '{_path(column)}')"  # not ->>: SQLite before 3.38 lacks it
            values.append(f"CASE WHEN {when} THEN {extract} END AS {value}" if when else f"{extract} AS {value}")
        if kind in ("int", "float") or name in PLAIN or name in PLAIN_LISTS:
            cells.append(value)
        elif kind == "list":
            as_json = f"{value} LIKE '%;%' OR {value} LIKE '%\"[%'"
            text = _text(f"j{number}", name in ONE_LINE)
            cells.append(f"CASE WHEN {value} IS NULL THEN NULL WHEN {as_json} THEN {_quoted(value)} ELSE {text} END")
            escapes.append(f"instr({value}, '\\')")
        elif kind == "json":
            cells.append(f"CASE WHEN {value} IS NOT NULL THEN {_quoted(value)} END")
        else:
            cells.append(_text(value, name in ONE_LINE))
    printf = f"printf('{','.join(['%s'] * len(cells))}\r\n', {', '.join(cells)})"
    return ", ".join(values), printf, " OR ".join(escapes)


def _path(column: flat.Column) -> str:
    """The JSON path of a column's value (a casualty count's `best`, `low` or `high`)."""
    if column.kind in ("best", "low", "high"):
        return f"$.{column.name.removesuffix('.low').removesuffix('.high')}.{column.kind}"
    return f"$.{column.name}"


def written(found: Any) -> Iterator[str]:
    """Yield the CSV line of each entry a query selects (`found`: an `index.Found`), in its order."""
    values, line, escape = _plan()
    chosen = found.selection
    where, params = where_sql(chosen, found.vocabulary)
    limit = -1 if chosen.limit is None else min(max(chosen.limit, 0), 2**63 - 1)  # SQLite's integers: 64-bit
    read = (  # OFFSET keeps this a subquery: each value is read once, not once per use in the cells
        f"SELECT e.rowid AS v_row, {values} FROM entries e JOIN docs d ON d.entry = e.rowid "
        f"WHERE {where} ORDER BY {found.order_sql()} LIMIT ? OFFSET 0"
    )
    sql = f"SELECT v_row, CASE WHEN {escape} THEN NULL ELSE {line} END FROM ({read})"
    for rowid, text in found.sql_rows(sql, [*params, limit]):
        if text is None:
            (record,) = found.index.query("SELECT json FROM docs WHERE entry = ?", [rowid])[0]
            text = csv_lines([json.loads(record)])[0]
        yield text


def csv_lines(records: Sequence[dict[str, Any]]) -> list[str]:
    """Return the CSV line (CRLF included) of each JSON record, written by Python (`csv.writer`)."""
    lines: list[str] = []
    writer = csv.writer(_Lines(lines), lineterminator="\r\n")
    cells, neutralise = flat.cells, flat.neutralise
    for record in records:
        writer.writerow(cells(record, neutralise))
    return lines


class _Lines:
    """A file that keeps each write (csv.writer writes a row in one call)."""

    def __init__(self, lines: list[str]) -> None:
        self.write = lines.append
