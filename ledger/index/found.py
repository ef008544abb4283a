"""Results: the rows of a query, streamed from the index in order."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from ledger import query
from ledger.core import model, schema
from ledger.index import chrono, lines
from ledger.index import drawn as picture
from ledger.index.build import Index
from ledger.index.derived import Derived
from ledger.index.sql import COLUMNS, SQL_COLUMNS, order_sql, select_sql

record_value = query.record_value  # the callers' old name


class Found:
    """The result of a query, streamed from the index in order; `skipped` counts invalid files.

    If the index file turns out to be damaged while rows are read, it is rebuilt (or
    bypassed) and the rows not yet given are read from the new one.
    """

    def __init__(self, index: Index, selection: query.Selection, vocabulary: Any) -> None:
        self.index = index
        self.selection = selection
        self.vocabulary = vocabulary
        query.check_sort(selection.sort)
        # The order by path walks the partial index `entries_invalid` (a few rows); a bare count scans `entries_id`.
        invalid = "SELECT count(*) FROM (SELECT path FROM entries WHERE ok = 0 ORDER BY path)"
        self.skipped = int(index._query(invalid, [])[0][0])

    def _select(self, what: str) -> tuple[str, list[Any]]:
        """Return the SQL of the query and its parameters (`search.Searched` ranks instead)."""
        return select_sql(self.selection, self.vocabulary, what)

    def run(self, what: str, wrap: str = "{}", selection: query.Selection | None = None) -> Iterator[Any]:
        """Yield the rows of `wrap` with the selection of `what` (over `entries e`) put in for `{}`.

        `selection` replaces this result's own (e.g. the same filters in another order).
        """
        return self._run(what, wrap, selection)

    def order_sql(self) -> str:
        """Return the ORDER BY terms of the selection (over `entries e`)."""
        return order_sql(self.selection)

    def _run(
        self, what: str, wrap: str = "{}", selection: query.Selection | None = None, table: Derived | None = None
    ) -> Iterator[Any]:
        if selection is None:
            sql, params = self._select(what)
        else:
            sql, params = select_sql(selection, self.vocabulary, what)
        yield from self.sql_rows(wrap.replace("{}", sql), params, table)

    def sql_rows(self, sql: str, params: Sequence[Any], table: Derived | None = None) -> Iterator[Any]:
        """Yield the rows of an SQL query over the index (read again from a new index if this one fails)."""
        given = 0
        for attempt in range(2):
            try:
                conn = self._conn(table)
                for number, row in enumerate(conn.execute(sql, params)):
                    if number >= given:
                        given += 1
                        yield row
                return
            except sqlite3.DatabaseError as err:
                if attempt:
                    raise
                self.index.recover(err)

    def _conn(self, table: Derived | None) -> sqlite3.Connection:
        """Return the connection the rows are read from, with the derived table they read made (`Derived`)."""
        return self.index.conn() if table is None else self.index.derived(table)

    def ids(self) -> Iterator[str]:
        """Yield the ids of the matching entries."""
        for (entry_id,) in self._run("e.id"):
            yield entry_id

    def json_texts(self) -> Iterator[str]:
        """Yield the stored JSON text of each matching entry (`schema.to_json` form)."""
        for (text,) in self._run("(SELECT json FROM docs WHERE entry = e.rowid)"):
            yield text

    def csv_lines(self) -> Iterator[str]:
        """Yield the CSV line of each matching entry (what `csv.writer` writes for its flat cells), stored by the build."""
        return lines.written(self)

    def records(self) -> Iterator[dict[str, Any]]:
        """Yield each matching entry as its JSON record (a dict)."""
        for text in self.json_texts():
            yield json.loads(text)

    def rows(self, columns: Sequence[str]) -> Iterator[dict[str, Any]]:
        """Yield rows of the given COLUMNS, reading the stored JSON only when a column needs it."""
        unknown = [c for c in columns if c not in COLUMNS]
        if unknown:
            raise ValueError(f"unknown columns: {', '.join(unknown)}")
        direct = [c for c in columns if c in SQL_COLUMNS]
        if "label" in columns and "escalation" not in direct:
            direct.append("escalation")
        others = [c for c in columns if c not in SQL_COLUMNS and c != "label"]
        what = [SQL_COLUMNS[c] for c in direct]
        if others:
            what.append("(SELECT json FROM docs WHERE entry = e.rowid)")
        labels = getattr(self.vocabulary, "label", None)
        for values in self._run(", ".join(what)):
            found = dict(zip(direct, values, strict=False))
            record = json.loads(values[-1]) if others else {}
            row = {}
            for column in columns:
                if column in found:
                    row[column] = found[column]
                elif column == "label":
                    level = found["escalation"]
                    row[column] = labels(level) if labels else model.LADDER[level][0]
                else:
                    row[column] = record_value(record, column)
            yield row

    def count(self) -> int:
        """Return how many entries match."""
        return int(next(iter(self._run("1", "SELECT count(*) FROM ({})")))[0])

    def keys(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """Return (id, date, responds_to) of the matching entries in chronological order."""
        return chrono.keys(self)

    def incidents(self) -> Iterator[chrono.Incident]:
        """Yield the matching entries as light `Incident` records, in chronological order."""
        return chrono.incidents(self)

    def plain(self) -> Iterator[chrono.Plain]:
        """Yield the matching entries as `index.chrono.Plain` rows (index columns as stored), chronologically."""
        return chrono.plain(self)

    def drawn(self) -> Iterator[picture.Drawn]:
        """Yield the matching entries as the chart draws them (`index.drawn.Drawn`), chronologically."""
        return picture.drawn(self)

    def frame(self) -> picture.Frame:
        """Return the frame of the matching entries' picture (count, first and last day, answered ids)."""
        return picture.frame(self)

    def located(self) -> Iterator[chrono.Located]:
        """Yield the matching entries as `dupes` compares them (light records), in order."""
        return chrono.located(self)

    def links(self, whole: bool) -> dict[str, tuple[str, ...]]:
        """Return responds_to links by id: of every valid entry when `whole`, else of the matching ones."""
        return chrono.links(self, whole)

    def period_rows(self, by: str) -> list[tuple[Any, ...]]:
        """Return the matching entries aggregated by day, week or month (see `chrono.periods`)."""
        return chrono.periods(self, by)

    def group_rows(self, by: str) -> list[tuple[Any, ...]]:
        """Return the matching entries aggregated by a `stats` grouping (see `chrono.groups`)."""
        return chrono.groups(self, by, chrono.canonical_of(self.vocabulary) if by == "actor" else None)

    def entries(self) -> list[model.Entry]:
        """Return the matching entries as records (rebuilt from the stored JSON)."""
        return [schema.from_json(record) for record in self.records()]

    def invalid(self) -> list[str]:
        """Return the paths of the files left out because they are invalid."""
        return [p for (p,) in self.index._query("SELECT path FROM entries WHERE ok = 0 ORDER BY path", [])]
