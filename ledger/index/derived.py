"""Derived tables: made from the stored JSON records on first need, then kept in step by refreshes.

A cold build writes the rows and records every query needs; a table that only one command
reads (the full-text table of `ledger search`) is made by the first such command instead, so
the build does not pay for it and a ledger never searched never has it. The rule that keeps such a table honest: **it exists
only when it holds the rows of every stored entry.** `fill_once` creates and fills it in one
transaction; a refresh of a file that has it keeps it in step (`forget` the rows of changed
and removed files, `add` those of the rows just written), or `drop`s it when most of the
ledger changed (the next command that needs it makes it again); a rebuild never makes it.
So no query can read a half-made or stale table, and one run without it fails loudly
(no such table) instead of answering from nothing.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

CHUNK = 2000  # records read and turned into rows at a time
#: (connection, schema, [(rowid, JSON record)]) -> the rows inserted into that schema's tables
Insert = Callable[[sqlite3.Connection, str, Sequence[tuple[int, dict[str, Any]]]], None]


@dataclass(frozen=True)
class Derived:
    """A table derived from the stored JSON records (rowid = the entry's rowid)."""

    table: str  # the table whose presence says the rows are complete
    create: str  # its CREATE statements, `{schema}` for main or temp (`;`-separated)
    insert: Insert
    also: tuple[str, ...] = ()  # other tables made and dropped with it

    def ready(self, conn: sqlite3.Connection) -> bool:
        """Return whether this connection reads the table (which then holds every stored entry)."""
        sql = "SELECT count(*) FROM {} WHERE type = 'table' AND name = ?"
        return any(
            conn.execute(sql.format(m), (self.table,)).fetchone()[0] for m in ("sqlite_temp_master", "sqlite_master")
        )

    def fill_once(self, conn: sqlite3.Connection, schema: str) -> None:
        """Create and fill the table in `schema` in one transaction, unless it is there already."""
        conn.execute("BEGIN IMMEDIATE" if schema == "main" else "BEGIN")  # temp: also on a read-only connection
        try:
            if not self.ready(conn):
                for statement in self.create.format(schema=schema).split(";"):
                    if statement.strip():
                        conn.execute(statement)
                self.add(conn, 1, schema)
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise

    def add(self, conn: sqlite3.Connection, first: int, schema: str = "main") -> None:
        """Add the rows of the stored entries numbered from `first` on (in the caller's transaction)."""
        after = first - 1
        while True:
            sql = "SELECT entry, json FROM main.docs WHERE entry > ? ORDER BY entry LIMIT ?"
            chunk = conn.execute(sql, (after, CHUNK)).fetchall()
            if not chunk:
                return
            self.insert(conn, schema, [(rowid, json.loads(text)) for rowid, text in chunk])
            after = chunk[-1][0]

    def forget(self, conn: sqlite3.Connection, paths: Iterable[tuple[str]]) -> None:
        """Remove the rows of the entries at these paths (before their `entries` rows go)."""
        sql = f"DELETE FROM main.{self.table} WHERE rowid = (SELECT rowid FROM entries WHERE path = ?)"
        conn.executemany(sql, paths)

    def drop(self, conn: sqlite3.Connection) -> None:
        """Remove the table (in the caller's transaction): the next command that needs it makes it again."""
        for table in (self.table, *self.also):
            conn.execute(f"DROP TABLE IF EXISTS main.{table}")


def _from_records(conn: sqlite3.Connection, schema: str, records: Sequence[tuple[int, dict[str, Any]]]) -> None:
    raise NotImplementedError("a `Written` table is filled by its SQL")


@dataclass(frozen=True)
class Written(Derived):
    """A derived table whose rows SQL writes from the columns of `entries e` (no JSON record decoded).

    `fill` inserts the rows of the valid entries numbered from a first rowid (its one
    parameter) into `{schema}.table`.
    """

    insert: Insert = _from_records
    fill: str = ""

    def add(self, conn: sqlite3.Connection, first: int, schema: str = "main") -> None:
        """Add the rows of the stored entries numbered from `first` on (in the caller's transaction)."""
        conn.execute(self.fill.replace("{schema}", schema), (first,))
