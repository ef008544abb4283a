"""Revisions: the index of a git revision, keyed by blob, queried exactly like the live index.

`--as-of REV` needs the ledger as it was, not a rebuild of every entry. Each entry file of a
revision is a (path, blob id) pair from one `ls-tree`; its stored row (the same row the live
index holds, `rows.row_of`) is kept in `.ledger/revisions.sqlite` under that pair, so
revisions share the rows of the files they share, and a file is parsed once in its life.
The rows carry the live index's indexes (chronological order, id, date, ...), and the file
lists the rows of each revision met (`members`, by a key naming the commit and the ledger),
written in the same transaction as that revision's rows are complete. Opening a revision
seen before reads its row ids into a temporary table: no `ls-tree`, no pairs. Opening a new
one lists its pairs (`pairs`, called only then), parses only the pairs never seen (in worker
processes, through `parse`) and records its members. Temporary views named `entries` and
`docs` over the rows then let `Found`, the filters compiled to SQL and the chronology
queries run unchanged, with the live plans: the view keeps a row when its id is in the
revision's table (`+rowid`: a look-up per row, never the driving loop), so a walk in
chronological order or a look-up by id uses the rows' own index as the live index does.
A busy, broken or read-only file is bypassed with an in-memory one.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from ledger.index.reader import Reader
from ledger.index.rows import STORED, Row
from ledger.index.storage import FOLDER, SCHEMA, SCHEMA_VERSION, Unusable, connect

FILE = "revisions.sqlite"
CHUNK = 5000  # pairs parsed (and blobs held in memory) at a time
# 2: rows by (path, blob) with the live indexes; `revisions` and `members` list each revision's rows
LAYOUT = 2
VERSION = SCHEMA_VERSION * 100 + LAYOUT  # another index schema or another layout: the file starts over
KEEP = 32  # revisions whose members are kept (the oldest go first; their rows stay)
#: (rel, blob id) pairs -> (blob id, row) for each
Parse = Callable[[list[tuple[str, str]]], Iterable[tuple[str, Row]]]
Pairs = Callable[[], Sequence[tuple[str, str]]]

_COLUMNS = ", ".join(STORED)
#: what a revision keeps of a row: no CSV line (no export reads a revision; `lines.written` writes one if asked)
_ROW = len(STORED) + 1
# the live index's indexes, over the rows of every revision
_INDEXES = "\n".join(
    line.replace(" entries_", " rows_").replace(" ON entries ", " ON rows ")
    for line in SCHEMA.splitlines()
    if line.startswith("CREATE INDEX")
)
# a first fill (no row yet) makes them once at the end: about 8% of its time at 100,000 entries
_DROP_INDEXES = "".join(f"DROP INDEX IF EXISTS {name};" for name in re.findall(r"EXISTS (rows_\w+)", _INDEXES))
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS rows (blob TEXT NOT NULL, {_COLUMNS}, json TEXT, PRIMARY KEY (path, blob));
{_INDEXES}
CREATE TABLE IF NOT EXISTS revisions (rev INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS members (rev INTEGER NOT NULL, entry INTEGER NOT NULL, PRIMARY KEY (rev, entry)) WITHOUT ROWID;
PRAGMA user_version = {VERSION};
"""
_VIEWS = f"""
CREATE TEMP TABLE rev (entry INTEGER PRIMARY KEY);
CREATE TEMP VIEW entries AS
    SELECT b.rowid AS rowid, {", ".join(f"b.{c} AS {c}" for c in STORED)}
    FROM main.rows b WHERE +b.rowid IN (SELECT entry FROM temp.rev);
CREATE TEMP VIEW docs AS SELECT rowid AS entry, json, NULL AS csv FROM main.rows WHERE json IS NOT NULL;
"""
_DROP = "DROP TABLE IF EXISTS members; DROP TABLE IF EXISTS revisions; DROP TABLE IF EXISTS rows; VACUUM;"
_PAIRED = "FROM temp.pairs p JOIN main.rows b ON b.path = p.path AND b.blob = p.blob"


class RevisionIndex(Reader):
    """The index of one revision: answers `Found` and the lookups as `build.Index` does.

    `key` names the revision (its commit and where the ledger lies: what its entry files
    depend on); `pairs` lists its (path, blob id) pairs, asked only for a revision not met
    before; `parse` makes the rows of pairs never seen.
    """

    def __init__(self, root: Path, key: str, pairs: Pairs, parse: Parse) -> None:
        self.path = root / FOLDER / FILE
        self.parsed = 0
        self.listed = False  # whether the pairs were asked for (the revision was new here)
        self.how = "file"
        try:
            self._conn = self._open(str(self.path), key, pairs, parse)
        except (Unusable, sqlite3.Error, OSError):
            self.how = "memory"
            self._conn = self._open(":memory:", key, pairs, parse)

    def conn(self) -> sqlite3.Connection:
        return self._conn

    def close(self) -> None:
        self._conn.close()

    def blob_of(self, rel: str) -> str | None:
        """Return the blob id of an entry file of the revision (None: no such file)."""
        row = self._conn.execute(
            "SELECT blob FROM main.rows WHERE path = ? AND rowid IN (SELECT entry FROM temp.rev)", (rel,)
        ).fetchone()
        return None if row is None else str(row[0])

    def _open(self, where: str, key: str, pairs: Pairs, parse: Parse) -> sqlite3.Connection:
        if where != ":memory:":
            self.path.parent.mkdir(exist_ok=True)
        conn = connect(where)
        try:
            conn.execute("PRAGMA busy_timeout = 200")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, VERSION):
                conn.executescript(_DROP)  # a cache of another version or layout: start over
            conn.executescript(_SCHEMA + _VIEWS)
            rev = _known(conn, key)
            if rev is None:
                rev = self._add(conn, key, pairs(), parse)
            conn.execute("INSERT INTO temp.rev SELECT entry FROM main.members WHERE rev = ?", (rev,))
            return conn
        except BaseException:
            conn.close()
            raise

    def _add(self, conn: sqlite3.Connection, key: str, pairs: Sequence[tuple[str, str]], parse: Parse) -> int:
        """Parse the rows of a new revision's pairs not seen before and record its members; return its number."""
        self.listed = True
        conn.execute("CREATE TEMP TABLE pairs (path TEXT NOT NULL, blob TEXT NOT NULL)")
        with _transaction(conn, "BEGIN"):
            conn.executemany("INSERT INTO temp.pairs (path, blob) VALUES (?, ?)", pairs)
        missing = conn.execute(
            "SELECT p.path, p.blob FROM temp.pairs p "
            "WHERE NOT EXISTS (SELECT 1 FROM main.rows b WHERE b.path = p.path AND b.blob = p.blob)"
        ).fetchall()
        first = bool(missing) and conn.execute("SELECT 1 FROM main.rows LIMIT 1").fetchone() is None
        if first:
            conn.executescript(_DROP_INDEXES)
        marks = ", ".join("?" * (len(STORED) + 2))
        for start in range(0, len(missing), CHUNK):
            rows = [(blob, *row[:_ROW]) for blob, row in parse(missing[start : start + CHUNK])]
            # OR IGNORE, never REPLACE: a row another process wrote meanwhile is the same row, and
            # its rowid stays the one the members of other revisions name
            with _transaction(conn, "BEGIN IMMEDIATE"):
                conn.executemany(f"INSERT OR IGNORE INTO main.rows (blob, {_COLUMNS}, json) VALUES ({marks})", rows)
            self.parsed += len(rows)
        if first:
            conn.executescript(_INDEXES)  # interrupted before: the next open's schema makes them
        with _transaction(conn, "BEGIN IMMEDIATE"):  # the members with the row that names them, or neither
            rev = _known(conn, key)  # another process may have listed it meanwhile
            if rev is None:
                rev = int(conn.execute("INSERT INTO main.revisions (key) VALUES (?)", (key,)).lastrowid or 0)
                conn.execute(f"INSERT OR IGNORE INTO main.members SELECT ?, b.rowid {_PAIRED}", (rev,))
                conn.execute("DELETE FROM main.members WHERE rev <= ?", (rev - KEEP,))
                conn.execute("DELETE FROM main.revisions WHERE rev <= ?", (rev - KEEP,))
        conn.execute("DROP TABLE temp.pairs")
        return rev


def _known(conn: sqlite3.Connection, key: str) -> int | None:
    row = conn.execute("SELECT rev FROM main.revisions WHERE key = ?", (key,)).fetchone()
    return None if row is None else int(row[0])


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection, begin: str) -> Iterator[None]:
    """Run the block in one transaction: committed whole, or rolled back (an interrupt too)."""
    conn.execute(begin)
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
