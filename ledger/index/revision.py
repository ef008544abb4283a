"""Revisions: the index of a git revision, keyed by blob, queried exactly like the live index.

`--as-of REV` needs the ledger as it was, not a rebuild of every entry. Each entry file of a
revision is a (path, blob id) pair from one `ls-tree`; its stored row (the same row the live
index holds, `rows.row_of`) is kept in `.ledger/revisions.sqlite` under that pair, so
revisions share the rows of the files they share, and a file is parsed once in its life.
Opening a revision fills a temporary table with its pairs, parses only the pairs never seen
(in worker processes, through `parse`), and puts temporary views named `entries` and `docs`
over the join: `Found`, the filters compiled to SQL and the chronology queries then run
unchanged. A busy, broken or read-only file is bypassed with an in-memory one.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ledger.index.build import Reader
from ledger.index.rows import STORED, Row
from ledger.index.storage import FOLDER, SCHEMA_VERSION, Unusable, connect

FILE = "revisions.sqlite"
CHUNK = 5000  # pairs parsed (and blobs held in memory) at a time
#: (rel, blob id) pairs -> (blob id, row) for each
Parse = Callable[[list[tuple[str, str]]], Iterable[tuple[str, Row]]]

_COLUMNS = ", ".join(STORED)
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS rows (blob TEXT NOT NULL, {_COLUMNS}, json TEXT, PRIMARY KEY (blob, path));
PRAGMA user_version = {SCHEMA_VERSION};
"""
_VIEWS = f"""
CREATE TEMP TABLE rev (path TEXT NOT NULL, blob TEXT NOT NULL);
CREATE TEMP VIEW entries AS
    SELECT b.rowid AS rowid, {", ".join(f"b.{c} AS {c}" for c in STORED)}
    FROM temp.rev r JOIN main.rows b ON b.blob = r.blob AND b.path = r.path;
CREATE TEMP VIEW docs AS SELECT rowid AS entry, json FROM main.rows WHERE json IS NOT NULL;
"""


class RevisionIndex(Reader):
    """The index of one revision: answers `Found` and the lookups as `build.Index` does."""

    def __init__(self, root: Path, pairs: Sequence[tuple[str, str]], parse: Parse) -> None:
        self.path = root / FOLDER / FILE
        self.parsed = 0
        self.how = "file"
        try:
            self._conn = self._open(str(self.path), pairs, parse)
        except (Unusable, sqlite3.Error, OSError):
            self.how = "memory"
            self._conn = self._open(":memory:", pairs, parse)

    def conn(self) -> sqlite3.Connection:
        return self._conn

    def close(self) -> None:
        self._conn.close()

    def _open(self, where: str, pairs: Sequence[tuple[str, str]], parse: Parse) -> sqlite3.Connection:
        if where != ":memory:":
            self.path.parent.mkdir(exist_ok=True)
        conn = connect(where)
        try:
            conn.execute("PRAGMA busy_timeout = 200")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                conn.executescript("DROP TABLE IF EXISTS rows; VACUUM;")  # a cache of another version: start over
            conn.executescript(_SCHEMA + _VIEWS)
            conn.executemany("INSERT INTO temp.rev (path, blob) VALUES (?, ?)", pairs)
            missing = conn.execute(
                "SELECT r.path, r.blob FROM temp.rev r LEFT JOIN main.rows b ON b.blob = r.blob AND b.path = r.path "
                "WHERE b.blob IS NULL"
            ).fetchall()
            marks = ", ".join("?" * (len(STORED) + 2))
            for start in range(0, len(missing), CHUNK):
                rows = [(blob, *row) for blob, row in parse(missing[start : start + CHUNK])]
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.executemany(
                        f"INSERT OR REPLACE INTO main.rows (blob, {_COLUMNS}, json) VALUES ({marks})", rows
                    )
                    conn.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                    raise
                self.parsed += len(rows)
            return conn
        except BaseException:
            conn.close()
            raise
