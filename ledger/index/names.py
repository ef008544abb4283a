"""The names an index holds (ids, actors, places, tags, countries), for shell completion: read-only, never built.

Ids come by a range on the id index, quick on any ledger. The other kinds are distinct values
over every row (a scan: about a second for 100,000 entries on a loaded machine), so each list
is kept in `.ledger/completion.json` beside the index, keyed by the index file's identity
(inode, size, modification time): the first tab press after the index changed pays the scan,
the next ones read the list. The cache is only a cache: unreadable, stale or unwritable, it is
made again or done without.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ledger.index.storage import Unusable, connect, read_meta

CACHE = "completion.json"
_ACTORS = " UNION ".join(
    f"SELECT value FROM entries, json_each(entries.{column}) WHERE ok"
    for column in ("perpetrators", "targets", "associated")
)
#: kind -> the SQL of its distinct values (ids take a range: `?` is the lower bound, then the upper)
SQL = {
    "ids": "SELECT id FROM entries WHERE ok AND id >= ? AND id < ? ORDER BY id",
    "actors": f"{_ACTORS} ORDER BY value",
    "places": "SELECT DISTINCT place FROM entries WHERE ok AND place IS NOT NULL ORDER BY place",
    "tags": "SELECT DISTINCT value FROM entries, json_each(entries.tag_list) WHERE ok ORDER BY value",
    "countries": "SELECT DISTINCT country FROM entries WHERE ok AND country IS NOT NULL ORDER BY country",
}


def values(path: Path, kind: str, prefix: str, limit: int) -> list[str]:
    """Return the distinct `kind` values of the index file at `path` that start with `prefix`, at most `limit`.

    A missing, unreadable or other-version file gives an empty list: completion never builds the index.
    """
    try:
        stat = path.stat()
    except OSError:
        return []
    signature = [stat.st_ino, stat.st_size, stat.st_mtime_ns]
    cache = path.with_name(CACHE)
    kept = _read(cache, signature)
    every = kept.get(kind) if kind != "ids" else None
    if not (isinstance(every, list) and all(isinstance(v, str) for v in every)):
        try:
            conn = connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error:
            return []
        try:
            read_meta(conn)  # Unusable: another version
            if kind == "ids":  # ids are lower-case ASCII: a range on the id index
                low = prefix.lower()
                return [row[0] for row in conn.execute(SQL[kind] + " LIMIT ?", (low, low + "\uffff", limit))]
            every = [row[0] for row in conn.execute(SQL[kind]) if isinstance(row[0], str)]
        except (sqlite3.Error, Unusable):
            return []
        finally:
            conn.close()
        _write(cache, {**kept, "signature": signature, kind: every})
    return [value for value in every if value.startswith(prefix)][:limit]


def _read(cache: Path, signature: list[int]) -> dict[str, object]:
    try:
        kept = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return kept if isinstance(kept, dict) and kept.get("signature") == signature else {}


def _write(cache: Path, kept: dict[str, object]) -> None:
    from ledger.store.atomic import write_atomic

    try:
        write_atomic(cache, json.dumps(kept, ensure_ascii=False))
    except OSError:  # a read-only ledger completes all the same, only slower
        pass
