"""The full-text side of the index: an SQLite FTS5 table of folded words and their sound keys.

Per entry, the table `search` holds six columns of space-separated words, all folded by
`core.names` before SQLite sees them (so FTS5's own tokenizer only splits at the spaces):

- `title`; `body`: summary, as_reported, the sources' quotes and the location's description;
  `names`: place, admin1, admin2, actors and source names;
- `keys`: the sound key (`names.sound`) of every distinct word of the others;
- `tkeys`: those of the title's words again, weighted as the title is: a name found by its
  sound (`Solemani`) ranks the incidents it is the subject of before those that mention it;
- `caps`: the short words written in capitals (`names.acronyms`: IS, US, UN), where an alias
  of ledger.toml spelt so is matched (`IS` for Islamic State must not find every "is").

`terms` lists every indexed word once, for the edit-distance tier of `ledger search` (a
word that is no longer used may linger until the table is made again: it then matches nothing).

Both are a `derived.Derived` table: made by the first search from the stored JSON records,
not by every build (a quarter of a cold build's time), then kept in step by refreshes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from ledger.core import model, names, schema
from ledger.index.derived import Derived

#: bm25 weights of title, body, names, keys, tkeys, caps
WEIGHTS = (4.0, 1.0, 2.0, 1.0, 4.0, 2.0)

SearchRow = tuple[str, str, str, str, str, str, frozenset[str]]  # the six columns; the distinct words


def record_row(record: Mapping[str, Any]) -> SearchRow:
    """Return what an entry's JSON record (`schema.to_json`) puts into the full-text index."""
    loc, actors, sources = record["location"], record.get("actors"), record["sources"]
    texts = (record.get("summary"), record.get("as_reported"), loc.get("description"))
    bodies = [text for text in (*texts, *(s.get("quote") for s in sources)) if text]
    people = (
        (*actors.get("perpetrators", ()), *actors.get("targets", ()), *actors.get("associated", ())) if actors else ()
    )
    named = [
        text
        for text in (loc["name"], loc.get("admin1"), loc.get("admin2"), *people, *(s["name"] for s in sources))
        if text
    ]
    words = names.words
    title = words(record["title"])
    body = [w for text in bodies for w in words(text)]
    naming = [w for text in named for w in words(text)]
    distinct = frozenset((*title, *body, *naming))
    keys = sorted({k for k in map(names.sound, distinct) if k})
    title_keys = sorted({k for k in map(names.sound, title) if k})
    caps = sorted({w for text in (record["title"], *bodies, *named) for w in names.acronyms(text)})
    return (
        " ".join(title),
        " ".join(body),
        " ".join(naming),
        " ".join(keys),
        " ".join(title_keys),
        " ".join(caps),
        distinct,
    )


def search_row(entry: model.Entry) -> SearchRow:
    """Return what an entry puts into the full-text index (`record_row` of its JSON record)."""
    return record_row(schema.to_json(entry, ""))


def _insert(conn: sqlite3.Connection, schema_name: str, records: Sequence[tuple[int, dict[str, Any]]]) -> None:
    words: set[str] = set()
    numbered = []
    for rowid, record in records:
        *columns, distinct = record_row(record)
        numbered.append((rowid, *columns))
        words |= distinct
    sql = (
        f"INSERT INTO {schema_name}.search (rowid, title, body, names, keys, tkeys, caps) VALUES (?, ?, ?, ?, ?, ?, ?)"
    )
    conn.executemany(sql, numbered)
    conn.executemany(f"INSERT OR IGNORE INTO {schema_name}.terms (term) VALUES (?)", ((w,) for w in sorted(words)))


SEARCH = Derived(
    "search",
    """
    CREATE VIRTUAL TABLE {schema}.search USING fts5(
        title, body, names, keys, tkeys, caps, tokenize = "unicode61 remove_diacritics 0", columnsize = 0
    );
    CREATE TABLE {schema}.terms (term TEXT PRIMARY KEY) WITHOUT ROWID
    """,
    _insert,
    also=("terms",),
)
