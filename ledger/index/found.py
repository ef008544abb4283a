"""Results: the rows of a query, streamed from the index in order."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from ledger import query
from ledger.core import model, schema
from ledger.index.build import Index
from ledger.index.sql import COLUMNS, SQL_COLUMNS, select_sql

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
        self.skipped = int(index._query("SELECT count(*) FROM entries WHERE ok = 0", [])[0][0])

    def _select(self, what: str) -> tuple[str, list[Any]]:
        """Return the SQL of the query and its parameters (`search.Searched` ranks instead)."""
        return select_sql(self.selection, self.vocabulary, what)

    def _run(self, what: str) -> Iterator[Any]:
        sql, params = self._select(what)
        given = 0
        for attempt in range(2):
            try:
                conn = self.index.conn()
                for number, row in enumerate(conn.execute(sql, params)):
                    if number >= given:
                        given += 1
                        yield row
                return
            except sqlite3.DatabaseError as err:
                if attempt:
                    raise
                self.index.recover(err)

    def ids(self) -> Iterator[str]:
        """Yield the ids of the matching entries."""
        for (entry_id,) in self._run("e.id"):
            yield entry_id

    def json_texts(self) -> Iterator[str]:
        """Yield the stored JSON text of each matching entry (`schema.to_json` form)."""
        for (text,) in self._run("(SELECT json FROM docs WHERE entry = e.rowid)"):
            yield text

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

    def entries(self) -> list[model.Entry]:
        """Return the matching entries as records (rebuilt from the stored JSON)."""
        return [schema.from_json(record) for record in self.records()]

    def invalid(self) -> list[str]:
        """Return the paths of the files left out because they are invalid."""
        return [p for (p,) in self.index._query("SELECT path FROM entries WHERE ok = 0 ORDER BY path", [])]
