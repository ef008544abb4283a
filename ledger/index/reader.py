"""The lookups every index answers, the live one (`build.Index`) and a revision's (`revision`)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from ledger.index.derived import Derived


class Reader:
    """The lookups every index answers, over `conn()` (a damaged file is recovered once)."""

    def conn(self) -> sqlite3.Connection:
        raise NotImplementedError

    def recover(self, err: sqlite3.Error) -> sqlite3.Connection:
        raise err

    def derived(self, table: Derived) -> sqlite3.Connection:
        """Return the connection with a derived table there: made for this connection only (`build.Index` keeps it)."""
        conn = self.conn()
        if not table.ready(conn):
            table.fill_once(conn, "temp")
        return conn

    def lookup(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Return the JSON records of the given ids (unknown and invalid ones are left out)."""
        out: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ", ".join("?" * len(chunk))
            sql = (
                "SELECT e.id, d.json FROM entries e JOIN docs d ON d.entry = e.rowid "
                f"WHERE e.ok = 1 AND e.id IN ({marks}) ORDER BY e.path DESC"
            )
            for entry_id, text in self._query(sql, chunk):  # an id used twice: the first path wins
                out[entry_id] = json.loads(text)
        return out

    def invalid_paths(self, entry_id: str) -> list[str]:
        """Return the paths of invalid files whose name gives this id."""
        rows = self._query("SELECT path FROM entries WHERE ok = 0 ORDER BY path", [])
        return [p for (p,) in rows if p.rsplit("/", 1)[-1] == f"{entry_id}.toml"]

    def near_ids(self, entry_id: str) -> list[str]:
        """Return the ids of valid entries with the same date or the same words as `entry_id`.

        Both are index lookups (`entries_id`: a date is a prefix of its ids; `entries_words`),
        so a "did you mean" costs what one day of incidents costs, not a scan of every id.
        """
        date, words = entry_id[:10], entry_id[10:]
        same_day = self._query("SELECT id FROM entries WHERE ok = 1 AND id >= ? AND id < ?", [date, date + "\uffff"])
        query = "SELECT id FROM entries WHERE ok = 1 AND substr(id, 11) = ?"
        same_words = self._query(query, [words]) if words else []
        return [i for (i,) in same_day] + [i for (i,) in same_words]

    def ids(self) -> list[str]:
        """Return the ids of all valid entries."""
        return [i for (i,) in self._query("SELECT id FROM entries WHERE ok = 1", [])]

    def query(self, sql: str, params: Sequence[Any]) -> list[Any]:
        """Return all rows of one query (an index damaged meanwhile is rebuilt and asked again)."""
        return self._query(sql, params)

    def _query(self, sql: str, params: Sequence[Any]) -> list[Any]:
        try:
            return self.conn().execute(sql, params).fetchall()
        except sqlite3.DatabaseError as err:
            return self.recover(err).execute(sql, params).fetchall()
