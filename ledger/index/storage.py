"""Storage: the index file's schema, connections, metadata, locks, and the part files builds merge.

The file is only a cache: `Unusable` says it cannot serve now (corrupt, locked, read-only,
other version) and the caller rebuilds or bypasses it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.index import views
from ledger.index.rows import STORED, Row
from ledger.store import lock
from ledger.store.scan import Scan, racy

# 3: counts as {best, low, high}; 4: text and names stored folded (core.names); 5: full-text search (fts);
# 6: the columns the chronology reads (dates, times, links, names, coordinates, casualty ranges);
# 7: SQL views for people and tools (views.py); 8: the views filter id, path, date, type, country by index;
# 9: the full-text table is made on the first search (fts.fill), not by the build;
# 10: the CSV lines of `export --format csv` (lines.CSV), made on the first CSV export;
# 11: no CSV lines table: SQL writes each line as the export reads the row (index.lines);
# 12: the timeline's TSV cells and first day (rows.cells), the chronological index by (chrono, path);
# 13: the incidents that link (entries_linking) and the ids (entries_id) read by the timeline's plan from indexes alone;
# 14: the title as the chart's templates hold it (rows.markup);
# 15: the build writes each entry's CSV line beside its JSON (`docs.csv`, `lines.line`)
# 16: the full-text table's `tkeys`, the sound keys of the title (a misspelt name ranks its subjects first);
# 17: the chart's columns in chronological order (entries_drawn): its query reads no table row
# 18: the full-text table's `caps`, the short words written in capitals (an alias `IS` is not the verb)
# 19: the chart's text of each incident (chart_text.CHART), a derived table made by the first chart
SCHEMA_VERSION = 20
FOLDER = ".ledger"
DB_NAME = "index.sqlite"
LOCK_NAME = "lock"
BUSY_TIMEOUT = 2.0  # seconds to wait for another process's SQLite lock before bypassing
LOCK_TIMEOUT = 60.0  # seconds to wait for another process's refresh (it may be a cold build)
# A new file that a build writes (an index, a part file): no journal (it is renamed over or thrown
# away whole), and 16 KiB pages: a row of `docs` (JSON text and CSV line, ~2 KB) left much of a
# 4 KiB page empty; bigger pages hold the same rows in a sixth less file, cheaper to write.
NEW_FILE = "PRAGMA page_size = 16384; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value);
CREATE TABLE IF NOT EXISTS entries (
    path TEXT NOT NULL UNIQUE, folder TEXT NOT NULL, size INTEGER, mtime_ns INTEGER, inode INTEGER, ok INTEGER NOT NULL,
    id TEXT, date TEXT, last_day TEXT, chrono TEXT, type TEXT, category TEXT, escalation INTEGER,
    confidence TEXT, conf_rank INTEGER, status TEXT, country TEXT, place TEXT, title TEXT,
    killed INTEGER, injured INTEGER, text TEXT, actors TEXT, places TEXT, tags TEXT, sources TEXT,
    date_end TEXT, date_precision TEXT, time TEXT, time_of_day TEXT, lat REAL, lon REAL, responds_to TEXT,
    related TEXT, duplicate_of TEXT, aliases TEXT, perpetrators TEXT, targets TEXT, associated TEXT, tag_list TEXT,
    killed_low INTEGER, killed_high INTEGER, injured_low INTEGER, injured_high INTEGER,
    tsv_head TEXT, tsv_tail TEXT, day INTEGER, title_xml TEXT
);
CREATE TABLE IF NOT EXISTS docs (entry INTEGER PRIMARY KEY, json TEXT NOT NULL, csv TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS folders (prefix TEXT PRIMARY KEY, signature TEXT NOT NULL, racy INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS entries_chrono ON entries (chrono, path);
CREATE INDEX IF NOT EXISTS entries_drawn ON entries (chrono, path, ok, status, id, date, last_day, date_end, date_precision, time, time_of_day, escalation, type, category, killed, injured, title, title_xml);
CREATE INDEX IF NOT EXISTS entries_date ON entries (date);
CREATE INDEX IF NOT EXISTS entries_type ON entries (type);
CREATE INDEX IF NOT EXISTS entries_country ON entries (country);
CREATE INDEX IF NOT EXISTS entries_id ON entries (id, ok, status, chrono, path, responds_to);
CREATE INDEX IF NOT EXISTS entries_linking ON entries (ok, id, responds_to, chrono, path, status, duplicate_of) WHERE responds_to IS NOT NULL OR (status = 'withdrawn' AND duplicate_of IS NOT NULL);
CREATE INDEX IF NOT EXISTS entries_words ON entries (substr(id, 11));
CREATE INDEX IF NOT EXISTS entries_invalid ON entries (path) WHERE ok = 0;
CREATE INDEX IF NOT EXISTS entries_folder ON entries (folder);
{views.VIEWS.strip()}
PRAGMA user_version = {SCHEMA_VERSION};
"""
INDEXES_FIRST = SCHEMA.split("CREATE INDEX", 1)[0]


@dataclass
class Status:
    """How the index served a query (for `ledger index` and the tests)."""

    how: str = "fresh"  # fresh | refreshed | rebuilt | memory
    reparsed: int = 0
    removed: int = 0
    files: int = 0
    reason: str = ""
    watched: bool = False  # answered through `ledger watch`'s journal, without the stat walk


class Unusable(Exception):
    """The file cannot serve as the index now (corrupt, locked, read-only, other version)."""


def connect(path: str, *, uri: bool = False) -> sqlite3.Connection:
    """Open a connection the caller must close (every path that gives it up closes it).

    Not through a memory map (`PRAGMA mmap_size`): it saves a read() call and a copy per page
    (about 0.1 s of a chart at 100,000 entries), but every page touched counts in the process's
    resident memory (the chart's peak went from 71 to 274 MB).
    """
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None, uri=uri, check_same_thread=False)
    try:
        conn.execute("PRAGMA temp_store = MEMORY")
    except BaseException:
        conn.close()
        raise
    return conn


def read_meta(conn: sqlite3.Connection) -> dict[str, Any]:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version != SCHEMA_VERSION:
        raise Unusable(f"index version {version}, expected {SCHEMA_VERSION}")
    return dict(conn.execute("SELECT key, value FROM meta").fetchall())


def write_part(folder: str, rows: Iterable[tuple[int, Row]]) -> tuple[str, int]:
    """Write numbered rows to a new part file in `folder` (runs in worker processes)."""
    numbered = list(rows)
    first = numbered[0][0] if numbered else 0
    path = os.path.join(folder, f"part-{os.getpid()}-{first}.sqlite")
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.executescript(NEW_FILE)
        conn.executescript(INDEXES_FIRST)
        conn.execute("BEGIN")
        marks = ", ".join("?" * len(STORED))
        end = len(STORED)  # a row: the STORED values, then the JSON text and the CSV line
        conn.executemany(
            f"INSERT INTO entries (rowid, {', '.join(STORED)}) VALUES (?, {marks})",
            [(rowid, *row[:end]) for rowid, row in numbered],
        )
        conn.executemany(
            "INSERT INTO docs (entry, json, csv) VALUES (?, ?, ?)",
            [(rowid, row[end], row[end + 1]) for rowid, row in numbered if row[end]],
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
    return path, len(numbered)


COPY = f"INSERT INTO entries (rowid, {', '.join(STORED)}) SELECT rowid, {', '.join(STORED)} FROM {{}}.entries"


def combine(paths: list[str]) -> list[str]:
    """Fold part files into the first, so that few need attaching (SQLite allows 10)."""
    if len(paths) <= 4:
        return paths
    conn = sqlite3.connect(paths[0], isolation_level=None)
    try:
        for path in paths[1:]:
            conn.execute("ATTACH ? AS other", (path,))
            conn.execute(COPY.format("other"))
            conn.execute("INSERT INTO docs SELECT * FROM other.docs")
            conn.execute("DETACH other")
    finally:
        conn.close()
    return paths[:1]


def merge(conn: sqlite3.Connection, parts: list[str]) -> list[str]:
    """Copy part files into the index (in the caller's transaction); return the aliases to detach."""
    aliases = []
    for number, path in enumerate(parts):
        alias = f"part{number}"
        conn.execute(f"ATTACH ? AS {alias}", (path,))
        aliases.append(alias)
        conn.execute(COPY.format(alias))
        conn.execute(f"INSERT INTO docs SELECT * FROM {alias}.docs")
    return aliases


def set_meta(conn: sqlite3.Connection, found: Scan, folders: list[str]) -> None:
    """Store the scan's signatures: overall, and of the given folders."""
    signatures = found.signatures()
    conn.executemany(
        "INSERT OR REPLACE INTO folders (prefix, signature, racy) VALUES (?, ?, ?)",
        [(p, signatures[p][0], int(racy(signatures[p][1], found.started_ns))) for p in folders],
    )
    conn.executemany(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
        [
            ("signature", found.signature),
            ("started_ns", found.started_ns),
            ("racy", int(found.racy)),
            ("files", found.count),
        ],
    )
    if found.watch is None:  # no live watcher before the walk: no token
        conn.execute("DELETE FROM meta WHERE key IN ('watch_session', 'watch_offset')")
    else:
        conn.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            [("watch_session", found.watch[0]), ("watch_offset", found.watch[1])],
        )


def describe(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}" if not isinstance(err, Unusable) else str(err)


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (one refresh at a time); Unusable after LOCK_TIMEOUT."""
    try:
        with lock.exclusive(path, wait=LOCK_TIMEOUT):
            yield
    except lock.Busy:
        raise Unusable("another ledger process holds the index lock") from None
