"""The blob cache (time travel): git blobs parsed once, by blob id, in the index file."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path
from typing import Any

from ledger.index.storage import DB_NAME, FOLDER, INDEXES_FIRST, SCHEMA_VERSION, Unusable, connect


class BlobCache:
    """Parsed entries by git blob id, in the index file; a broken or busy file just misses."""

    def __init__(self, root: Path) -> None:
        self.path = root / FOLDER / DB_NAME
        self._conn: sqlite3.Connection | None = None
        self._broken = False

    def _connection(self) -> sqlite3.Connection | None:
        if self._conn is None and not self._broken:
            try:
                self.path.parent.mkdir(exist_ok=True)
                conn = connect(str(self.path))
            except (sqlite3.Error, OSError):
                self._broken = True
                return None
            try:
                conn.execute("PRAGMA busy_timeout = 200")
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version == 0:
                    conn.executescript(INDEXES_FIRST + f"PRAGMA user_version = {SCHEMA_VERSION};")
                elif version != SCHEMA_VERSION:
                    raise Unusable("other index version")
                self._conn = conn
            except (Unusable, sqlite3.Error, OSError):
                conn.close()
                self._broken = True
        return self._conn

    def get_many(self, blob_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Return the cached data of the given blobs (those not cached are left out)."""
        conn = self._connection()
        out: dict[str, dict[str, Any]] = {}
        if conn is None or not blob_ids:
            return out
        try:
            for start in range(0, len(blob_ids), 500):
                chunk = blob_ids[start : start + 500]
                marks = ", ".join("?" * len(chunk))
                for blob, text in conn.execute(f"SELECT blob, json FROM blobs WHERE blob IN ({marks})", chunk):
                    out[blob] = json.loads(text)
        except (sqlite3.Error, ValueError):
            return out
        return out

    def put_many(self, items: dict[str, dict[str, Any]]) -> None:
        """Store data by blob id (silently skipped when the file is busy or broken)."""
        conn = self._connection()
        if conn is None or not items:
            return
        rows = [(blob, json.dumps(data, ensure_ascii=False)) for blob, data in items.items()]
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT OR REPLACE INTO blobs (blob, json) VALUES (?, ?)", rows)
            conn.execute("COMMIT")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")

    def close(self) -> None:
        """Close the connection, if one was opened."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.close()

    def __enter__(self) -> BlobCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
