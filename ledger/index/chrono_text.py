"""The timeline's program formats written by SQLite: each incident's cells as text, in one pass.

Fetching a dozen and a half values per incident makes as many Python objects (about 9 µs an
incident on 100,000): the floor of any row-by-row design. Here SQLite writes the cells
that come straight from the columns, already in the format's text (`printf`, `json_quote`,
the CSV quoting and formula guard), in two pieces around the cells the order decides
(number, label, change, days); Python adds those and, for the incidents that answer
another, the links and the chain. `linked` reads the few incidents the order and the
chains depend on (those that answer, or are answered, or take a merged duplicate's links).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from ledger.index.chrono import PLAIN_SQL, Found, Plain, _chronological, _plain
from ledger.index.rows import names as array_names
from ledger.index.sql import where_sql

FORMATS = ("tsv", "csv", "json", "jsonl")
_VAGUE = (
    "CASE WHEN (e.date_precision IS NOT NULL AND e.date_precision != 'day') "
    "OR (e.date_end IS NOT NULL AND e.date_end != e.date) THEN 'true' ELSE 'false' END"
)
# The columns of `chrono_rows.PROGRAMS` that come from the index, before and after label/change/days.
_HEAD = (
    "e.id",
    "e.path",
    "e.date",
    "e.date_end",
    "e.date_precision",
    _VAGUE,
    "e.time",
    "e.time_of_day",
    "e.escalation",
)
_TAIL = ("e.type", "e.category", "e.country", "e.place", "e.killed", "e.injured", "e.title")
_MID = _TAIL[:3]  # CSV: the cells of the tail before the place
_HEAD_NAMES = ("id", "path", "date", "date_end", "date_precision", "vague", "time", "time_of_day", "escalation")
_TAIL_NAMES = ("type", "category", "country", "place", "killed", "injured", "title")
_TEXT_COLUMNS = {"e.id", "e.path", "e.date", "e.date_end", "e.date_precision", "e.time", "e.time_of_day"}
_TEXT_COLUMNS |= {"e.type", "e.category", "e.country", "e.place", "e.title"}
# What `flat.neutralise` guards (a formula start, or a `'` that `restore` would take away).
_FORMULA = "('=', '+', '-', '@', char(9), char(13), '''')"


def _csv(column: str) -> str:
    """A text column as `csv.writer` writes `flat.neutralise` of it: guarded, then quoted if needed."""
    guarded = f"CASE WHEN substr({column}, 1, 1) IN {_FORMULA} THEN '''' || {column} ELSE {column} END"
    needs = " OR ".join(f"instr({column}, {c}) > 0" for c in ("','", "'\"'", "char(10)", "char(13)"))
    quoted = f"""'"' || replace({guarded}, '"', '""') || '"'"""
    return f"CASE WHEN {column} IS NULL THEN '' WHEN {needs} THEN {quoted} ELSE {guarded} END"


def _cells(fmt: str, columns: tuple[str, ...], names: tuple[str, ...]) -> str:
    if fmt == "tsv":  # printf writes NULL as ''; a cell to escape is found (and redone) by the caller
        return f"printf('{chr(9).join(['%s'] * len(columns))}', {', '.join(columns)})"
    if fmt == "csv":
        parts = [_csv(c) if c in _TEXT_COLUMNS else f"coalesce({c}, '')" for c in columns]
        return " || ',' || ".join(parts)
    pairs = ", ".join(f'"{name}": %s' for name in names)  # json_quote: strings quoted, NULL as null
    values = [c if c == _VAGUE else f"json_quote({c})" for c in columns]
    return f"printf('{pairs}', {', '.join(values)})"


def _raw(columns: tuple[str, ...], between: str) -> str:
    """The cells as they are, NULL as '' (a CSV line needs no more when no cell needs quoting or a guard)."""
    return f"printf('{between.join(['%s'] * len(columns))}', {', '.join(columns)})"


def texts(found: Found, fmt: str) -> Iterator[tuple[int, int, int, str, str]]:
    """Yield (rowid, escalation, day, head, tail) of the selected incidents in chronological order.

    `head` is the text of the cells from id to escalation, `tail` from type to title, in
    `fmt` (JSON: `"name": value` pairs; TSV: as the build stored them, None where a cell
    needs escaping); `day` numbers the first day. For CSV the cells
    come as they are, joined by commas, in four pieces: (head, type to country, place,
    killed and injured, title); the caller quotes the place and the title, checks that no
    other cell needs quoting or the formula guard, and asks `quoted` for them if one does.
    """
    if fmt == "tsv":  # written by the build (`rows.cells`): None where a cell needs escaping
        cells = "e.tsv_head, e.tsv_tail"
    elif fmt == "csv":  # head, then type to title as (type, category, country), place, (killed, injured), title
        cells = f"{_raw(_HEAD, ',')}, {_raw(_MID, ',')}, e.place, printf('%s,%s', e.killed, e.injured), e.title"
    else:
        cells = f"{_cells(fmt, _HEAD, _HEAD_NAMES)}, {_cells(fmt, _TAIL, _TAIL_NAMES)}"
    what = f"e.rowid, e.escalation, e.day, {cells}"
    chosen = found.selection
    rows = _chronological(found, what)
    if chosen.limit is None and chosen.sort in (None, "date"):
        return rows
    width = 8 if fmt == "csv" else 5
    return (row[:width] for row in rows)  # without the order's columns


Linked = tuple[int, str, str | None, str, str]  # rowid, id, responds_to, chrono, path


def scan(found: Found) -> tuple[list[Linked], dict[str, str]] | None:
    """Return the selected incidents that answer another, and the merged duplicates (id -> duplicate_of).

    One pass over the table in its own order (no chronological walk): None when the
    selection has a sort or a limit (`linked` then finds its incidents in order).
    """
    chosen = found.selection
    if chosen.limit is not None or chosen.sort not in (None, "date"):
        return None
    where, params = where_sql(chosen, found.vocabulary)
    merged = "e.status = 'withdrawn' AND e.duplicate_of IS NOT NULL"
    sql = (  # the condition of the partial index `entries_linking`, which holds every column read
        f"SELECT e.rowid, e.id, e.responds_to, e.chrono, e.path, {merged}, e.duplicate_of, ({where}) "
        f"FROM entries e WHERE e.ok = 1 AND (e.responds_to IS NOT NULL OR ({merged}))"
    )
    answering: list[Linked] = []
    duplicates: dict[str, str] = {}
    for rowid, entry_id, links, order, path, is_merged, target, is_chosen in found.index.query(sql, params):
        if is_merged and target:
            duplicates[entry_id] = target
        if is_chosen and links is not None:
            answering.append((rowid, entry_id, links, order, path))
    return answering, duplicates


def linked(found: Found, also: Iterable[str], answering: list[Linked] | None = None) -> list[Linked]:
    """Return the selected incidents the timeline's order and chains depend on, in chronological order.

    Those that answer another (`answering`, from `scan`, else found here), those answered,
    every incident sharing an id with one of them, and those with an id in `also` (the
    entries merged duplicates lead to).
    """
    conn = found.index.conn()
    what = "e.rowid AS r, e.id AS id, e.responds_to AS links, e.chrono AS chrono, e.path AS path"
    if answering is not None:  # by id (`entries_id` holds every column read), the answering ones too
        names = set(also)
        for row in answering:
            names.add(row[1])
            names.update(array_names(row[2]))
        table = id_table(conn, "timeline_also", names)
        where, params = where_sql(found.selection, found.vocabulary)
        sql = f"SELECT {what} FROM entries e WHERE {where} AND e.id IN (SELECT id FROM {table}) ORDER BY chrono, path"
        return list(found.index.query(sql, params))
    table = id_table(conn, "timeline_also", set(also))
    named = (
        "SELECT j.value FROM sel, json_each(sel.links) j WHERE sel.links IS NOT NULL "
        f"UNION SELECT id FROM sel WHERE links IS NOT NULL UNION SELECT id FROM {table}"
    )
    wrap = f"WITH sel AS ({{}}) SELECT * FROM sel WHERE links IS NOT NULL OR id IN ({named}) ORDER BY chrono, path"
    return list(found.run(what, wrap))


def id_table(conn: Any, name: str, ids: Iterable[str]) -> str:
    """Hold these ids in the temporary table `name` (made, or emptied, first); return it as SQL names it.

    Filled in one statement (one transaction, not one per row), for `e.id IN (SELECT id FROM ...)`.
    """
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} (id TEXT PRIMARY KEY)")
    conn.execute(f"DELETE FROM temp.{name}")
    conn.execute(f"INSERT INTO temp.{name} SELECT value FROM json_each(?)", (json_list(sorted(set(ids))),))
    return f"temp.{name}"


_ESCAPED = re.compile(r'[\x00-\x1f"\\]').search  # what JSON escapes in a string


def json_list(texts: list[str]) -> str:
    """Return a list of strings as JSON: quoted as they are when none needs escaping (ASCII), else `json.dumps`.

    Ids hold nothing to escape: joining them costs a tenth of `json.dumps` (30,000 ids: 3 ms).
    """
    whole = "".join(texts)
    if whole.isascii() and _ESCAPED(whole) is None:
        return '["' + '","'.join(texts) + '"]' if texts else "[]"
    return json.dumps(texts)


def quoted(found: Found, rowid: int) -> tuple[str, str]:
    """Return one incident's CSV cells from id to escalation and from type to country, as `csv.writer`
    writes `flat.neutralise` of them (quoted and guarded)."""
    head, mid = _cells("csv", _HEAD, _HEAD_NAMES), _cells("csv", _MID, _TAIL_NAMES[:3])
    row = found.index.query(f"SELECT {head}, {mid} FROM entries e WHERE e.rowid = ?", [rowid])[0]
    return str(row[0]), str(row[1])


def plain_row(found: Found, rowid: int) -> Plain:
    """Return one incident as `chrono.plain` gives it (for a line whose text needs escaping)."""
    return _plain(found.index.query(f"SELECT {PLAIN_SQL} FROM entries e WHERE e.rowid = ?", [rowid])[0])


def duplicate_ids(found: Found) -> bool:
    """Return whether two valid entries share an id (then only the general path knows which is which)."""
    return bool(found.index.query("SELECT 1 FROM entries WHERE ok = 1 GROUP BY id HAVING count(*) > 1 LIMIT 1", []))
