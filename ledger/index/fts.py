"""The full-text side of the index: an SQLite FTS5 table of folded words and their sound keys.

Per entry, the table `search` holds four columns of space-separated words, all folded by
`core.names` before SQLite sees them (so FTS5's own tokenizer only splits at the spaces):

- `title`; `body`: summary, as_reported, the sources' quotes and the location's description;
  `names`: place, admin1, admin2, actors and source names;
- `keys`: the sound key (`names.sound`) of every distinct word of the others.

`terms` lists every indexed word once, for the edit-distance tier of `ledger search` (a
word that is no longer used may linger until the table is made again: it then matches nothing).

Built on the first search, not by every build: a cold build would pay about a quarter more for
a table many ledgers never search. The rule that keeps it honest: **the table exists only
when it holds the rows of every stored entry.** `fill` creates and fills it in one
transaction from the stored JSON records; a refresh of a file that has it keeps it in step
(`forget` the rows of changed and removed files, `add` those of the rows just written), or
drops it when most of the ledger changed (the next search fills it again); a rebuild never
makes it. So a query can never read a half-filled or stale table: without the table,
`ledger search` fills it first, and anything else reading `search` would fail loudly.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ledger.core import model, names, schema

#: FTS5 table and word list, created by `fill` in `schema` (main, or temp for an index that cannot be written)
TABLES = """
CREATE VIRTUAL TABLE {schema}.search USING fts5(
    title, body, names, keys, tokenize = "unicode61 remove_diacritics 0", columnsize = 0
);
CREATE TABLE {schema}.terms (term TEXT PRIMARY KEY) WITHOUT ROWID;
"""
#: bm25 weights of title, body, names, keys
WEIGHTS = (4.0, 1.0, 2.0, 1.0)
CHUNK = 2000  # records read and indexed at a time

SearchRow = tuple[str, str, str, str, frozenset[str]]  # title, body, names, keys; the distinct words


def record_row(record: Mapping[str, Any]) -> SearchRow:
    """Return what an entry's JSON record (`schema.to_json`) puts into the full-text index."""
    loc, actors, sources = record["location"], record.get("actors"), record["sources"]
    words = names.words
    title = words(record["title"])
    texts = (record.get("summary"), record.get("as_reported"), loc.get("description"))
    body = [w for text in (*texts, *(s.get("quote") for s in sources)) if text for w in words(text)]
    people = (
        (*actors.get("perpetrators", ()), *actors.get("targets", ()), *actors.get("associated", ())) if actors else ()
    )
    places = (loc["name"], loc.get("admin1"), loc.get("admin2"))
    named = [w for text in (*places, *people, *(s["name"] for s in sources)) if text for w in words(text)]
    distinct = frozenset((*title, *body, *named))
    keys = sorted({k for k in map(names.sound, distinct) if k})
    return " ".join(title), " ".join(body), " ".join(named), " ".join(keys), distinct


def search_row(entry: model.Entry) -> SearchRow:
    """Return what an entry puts into the full-text index (`record_row` of its JSON record)."""
    return record_row(schema.to_json(entry, ""))


def ready(conn: sqlite3.Connection) -> bool:
    """Return whether this connection reads a full-text table (which then holds every stored entry)."""
    sql = "SELECT count(*) FROM {} WHERE type = 'table' AND name = 'search'"
    return any(conn.execute(sql.format(m)).fetchone()[0] for m in ("sqlite_temp_master", "sqlite_master"))


def fill_once(conn: sqlite3.Connection, schema_name: str) -> None:
    """Fill the full-text table in its own transaction, unless it is there (another process made it meanwhile)."""
    conn.execute("BEGIN IMMEDIATE" if schema_name == "main" else "BEGIN")  # temp: also on a read-only connection
    try:
        if not ready(conn):
            fill(conn, schema_name)
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise


def fill(conn: sqlite3.Connection, schema_name: str = "main") -> None:
    """Create the full-text table in `schema_name` and index every stored entry (in the caller's transaction)."""
    for statement in TABLES.format(schema=schema_name).split(";"):
        if statement.strip():
            conn.execute(statement)
    add(conn, 1, schema_name)


def add(conn: sqlite3.Connection, first: int, schema_name: str = "main") -> int:
    """Index the stored entries numbered from `first` on (rows just written); return how many."""
    added, after = 0, first - 1
    while True:
        chunk = conn.execute(
            "SELECT entry, json FROM main.docs WHERE entry > ? ORDER BY entry LIMIT ?", (after, CHUNK)
        ).fetchall()
        if not chunk:
            return added
        _insert(conn, schema_name, ((rowid, record_row(json.loads(text))) for rowid, text in chunk))
        added += len(chunk)
        after = chunk[-1][0]


def _insert(conn: sqlite3.Connection, schema_name: str, rows: Iterator[tuple[int, SearchRow]]) -> None:
    words: set[str] = set()
    numbered = []
    for rowid, row in rows:
        numbered.append((rowid, *row[:4]))
        words |= row[4]
    conn.executemany(
        f"INSERT INTO {schema_name}.search (rowid, title, body, names, keys) VALUES (?, ?, ?, ?, ?)", numbered
    )
    conn.executemany(f"INSERT OR IGNORE INTO {schema_name}.terms (term) VALUES (?)", ((w,) for w in sorted(words)))


def forget(conn: sqlite3.Connection, paths: Iterable[tuple[str]]) -> None:
    """Remove the full-text rows of the entries at these paths (before their rows go)."""
    conn.executemany("DELETE FROM main.search WHERE rowid = (SELECT rowid FROM entries WHERE path = ?)", paths)


def drop(conn: sqlite3.Connection) -> None:
    """Remove the full-text table (in the caller's transaction): the next search fills it again."""
    conn.execute("DROP TABLE IF EXISTS main.search")
    conn.execute("DROP TABLE IF EXISTS main.terms")
