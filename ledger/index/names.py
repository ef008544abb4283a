"""The names an index holds (ids, actors, places, tags, countries), for shell completion: read-only, never built."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ledger.index.storage import Unusable, connect, read_meta

_ACTORS = " UNION ".join(
    f"SELECT value FROM entries, json_each(entries.{column}) WHERE ok"
    for column in ("perpetrators", "targets", "associated")
)
#: kind -> the SQL of its distinct values (ids take a range: `?` is the lower bound, then the upper)
SQL = {
    "ids": "SELECT id FROM entries WHERE ok AND id >= ? AND id < ? ORDER BY id",
    "actors": f"SELECT DISTINCT value FROM ({_ACTORS}) ORDER BY value",
    "places": "SELECT DISTINCT place FROM entries WHERE ok AND place IS NOT NULL ORDER BY place",
    "tags": "SELECT DISTINCT value FROM entries, json_each(entries.tag_list) WHERE ok ORDER BY value",
    "countries": "SELECT DISTINCT country FROM entries WHERE ok AND country IS NOT NULL ORDER BY country",
}


def values(path: Path, kind: str, prefix: str, limit: int) -> list[str]:
    """Return the distinct `kind` values of the index file at `path` that start with `prefix`, at most `limit`.

    A missing, unreadable or other-version file gives an empty list: completion never builds the index.
    """
    if not path.is_file():
        return []
    try:
        conn = connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return []
    try:
        read_meta(conn)
        if kind == "ids":  # ids are lower-case ASCII: a range on the id index, quick on any ledger
            low = prefix.lower()
            rows = conn.execute(SQL[kind] + " LIMIT ?", (low, low + "\uffff", limit))
            return [row[0] for row in rows]
        found = (row[0] for row in conn.execute(SQL[kind]) if isinstance(row[0], str))
        return [value for value in found if value.startswith(prefix)][:limit]
    except (sqlite3.Error, Unusable):
        return []
    finally:
        conn.close()
