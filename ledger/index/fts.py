"""The full-text side of the index: an SQLite FTS5 table of folded words and their sound keys.

Per entry, the table `search` holds four columns of space-separated words, all folded by
`core.names` before SQLite sees them (so FTS5's own tokenizer only splits at the spaces):

- `title`; `body`: summary, as_reported, the sources' quotes and the location's description;
  `names`: place, admin1, admin2, actors and source names;
- `keys`: the sound key (`names.sound`) of every distinct word of the others.

`terms` lists every indexed word once, for the edit-distance tier of `ledger search` (a
word that is no longer used may linger until the next rebuild: it then matches nothing).

Worker processes compute these rows into plain tables of their part files (`search_rows`,
`terms`); the main process feeds them to FTS5 as it copies each part in.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from ledger.core import model, names

#: FTS5 table and word list of the index file (created with the other tables)
TABLES = """
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(
    title, body, names, keys, tokenize = "unicode61 remove_diacritics 0", columnsize = 0
);
CREATE TABLE IF NOT EXISTS terms (term TEXT PRIMARY KEY) WITHOUT ROWID;
"""
#: the plain tables of a part file
PART_TABLES = """
CREATE TABLE IF NOT EXISTS search_rows (rowid INTEGER PRIMARY KEY, title TEXT, body TEXT, names TEXT, keys TEXT);
CREATE TABLE IF NOT EXISTS terms (term TEXT PRIMARY KEY) WITHOUT ROWID;
"""
#: bm25 weights of title, body, names, keys
WEIGHTS = (4.0, 1.0, 2.0, 1.0)

SearchRow = tuple[str, str, str, str, frozenset[str]]  # title, body, names, keys; the distinct words


def search_row(entry: model.Entry) -> SearchRow:
    """Return what an entry puts into the full-text index."""
    loc, actors = entry.location, entry.actors
    title = names.words(entry.title)
    body = [
        w
        for text in (entry.summary, entry.as_reported, loc.description, *(s.quote for s in entry.sources))
        if text
        for w in names.words(text)
    ]
    people = (*actors.perpetrators, *actors.targets, *actors.associated) if actors else ()
    named = [
        w
        for text in (loc.name, loc.admin1, loc.admin2, *people, *(s.name for s in entry.sources))
        if text
        for w in names.words(text)
    ]
    distinct = frozenset((*title, *body, *named))
    keys = sorted({k for k in map(names.sound, distinct) if k})
    return " ".join(title), " ".join(body), " ".join(named), " ".join(keys), distinct


def write_part(conn: sqlite3.Connection, rows: Sequence[tuple[int, SearchRow | None]]) -> None:
    """Write the full-text rows of a part file (its PART_TABLES exist; in the caller's transaction)."""
    conn.executemany(
        "INSERT INTO search_rows (rowid, title, body, names, keys) VALUES (?, ?, ?, ?, ?)",
        [(rowid, *row[:4]) for rowid, row in rows if row is not None],
    )
    words: set[str] = set()
    for _, row in rows:
        if row is not None:
            words |= row[4]
    conn.executemany("INSERT OR IGNORE INTO terms (term) VALUES (?)", ((w,) for w in sorted(words)))


def fold_part(conn: sqlite3.Connection, alias: str) -> None:
    """Copy another part file's rows into this one (parts are combined before merging)."""
    conn.execute(f"INSERT INTO search_rows SELECT * FROM {alias}.search_rows")
    conn.execute(f"INSERT OR IGNORE INTO terms SELECT term FROM {alias}.terms")


def load_part(conn: sqlite3.Connection, alias: str) -> None:
    """Index a part file's rows in the full-text table (in the caller's transaction)."""
    conn.execute(
        f"INSERT INTO search (rowid, title, body, names, keys) SELECT rowid, title, body, names, keys FROM {alias}.search_rows"
    )
    conn.execute(f"INSERT OR IGNORE INTO terms SELECT term FROM {alias}.terms")


def forget(conn: sqlite3.Connection, paths: Iterable[tuple[str]]) -> None:
    """Remove the full-text rows of the entries at these paths (before their rows go)."""
    conn.executemany("DELETE FROM search WHERE rowid = (SELECT rowid FROM entries WHERE path = ?)", paths)
