"""Building: the index of one ledger, refreshed by stat, rebuilt whole when it must be.

Every query refreshes it first. A lean walk stats every entry file (on two cores for big
ledgers) and folds (size, mtime_ns, inode) of each, and the mtime of each folder (renames
show there), into a signature per folder and one overall: when the overall one equals the
stored one, nothing changed and the query runs at once. Otherwise only the folders whose
signature differs have their files compared, and only changed, added and removed files are
re-parsed and written, in one transaction. Files touched just before a refresh
are re-read once more at the next one, since a second edit in the same clock tick would keep
the same stats (git's "racily clean" problem): within 100 ms, or 2 s on a file system whose
timestamps are whole seconds.

A corrupt, truncated, older or newer index is rebuilt (into a temporary file, then renamed
over, under `.ledger/lock`); a locked one or a read-only folder is bypassed with an
in-memory index built the same way. Nothing here is ever an error for the user.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Container, Iterable, Iterator
from pathlib import Path
from typing import Any

from ledger.index import chart_text, fts, watched
from ledger.index.debris import SCRATCH, remove_debris
from ledger.index.derived import Derived
from ledger.index.reader import Reader
from ledger.index.rows import Stat
from ledger.index.storage import (
    COPY,
    DB_NAME,
    FOLDER,
    INDEXES_FIRST,
    LOCK_NAME,
    NEW_FILE,
    SCHEMA,
    Status,
    Unusable,
    combine,
    connect,
    describe,
    locked,
    merge,
    read_meta,
    set_meta,
)
from ledger.store import journal
from ledger.store.atomic import write_atomic
from ledger.store.scan import Scan, racy, scan

# (items numbered with their rowid, a folder for part files) -> (part file, rows written) per chunk
Builder = Callable[[list[tuple[int, str, int, int, int]], str], Iterable[tuple[str, int]]]
Progress = Callable[[int, int], None]


class Index(Reader):
    """The index of one ledger: `connect()` returns a connection to a fresh index."""

    def __init__(self, root: Path, build: Builder, progress: Progress | None = None) -> None:
        self.root = root
        self.build = build
        self.progress = progress
        self.folder = root / FOLDER
        self.path = self.folder / DB_NAME
        self.status = Status()
        self._conn: sqlite3.Connection | None = None

    def conn(self) -> sqlite3.Connection:
        """Return the connection of this run (connecting, and so refreshing, once)."""
        if self._conn is None:
            self._conn = self.connect()
        return self._conn

    def open(self, rebuild: bool = False) -> Status:
        """Refresh (or rebuild) the index now and keep the connection for this run (`ledger index`)."""
        self.close()
        self._conn = self.connect(rebuild=rebuild)
        return self.status

    def refresh(self) -> None:
        """Let the next query check the files again (a connection is otherwise kept for the run)."""
        self.close()

    def close(self) -> None:
        """Close the connection of this run, if any (the next query opens a new one)."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.close()

    def derived(self, table: Derived) -> sqlite3.Connection:
        """Return the connection of this run with a derived table there (`Derived`: made on first need).

        It is filled in the index file for every later search, or, where that cannot be (a
        read-only folder, a lock held too long, the in-memory index), for this connection only.
        """
        conn = self.conn()
        if not table.ready(conn) and self.status.how != "memory":
            try:
                with locked(self.folder / LOCK_NAME), contextlib.closing(connect(str(self.path))) as writer:
                    read_meta(writer)  # another version, or not an index: Unusable
                    table.fill_once(writer, "main")
            except (Unusable, sqlite3.Error, OSError) as err:
                _debug(f"{table.table} kept in memory: {describe(err)}")
        if not table.ready(conn):
            table.fill_once(conn, "temp")
        return conn

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def recover(self, err: sqlite3.Error) -> sqlite3.Connection:
        """Replace a connection that failed mid-query: rebuild the file, or bypass it."""
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
        if self.status.how == "memory":
            raise err  # an in-memory index does not get damaged: something else is wrong
        self._conn = self.connect(rebuild=True)
        return self._conn

    def connect(self, rebuild: bool = False) -> sqlite3.Connection:
        """Return a new connection to an index that matches the files now (never raises on a bad index).

        The caller owns it and must close it (`contextlib.closing`); queries use `conn()`.
        """
        found: Scan | None = None
        try:
            conn, meta = (None, {}) if rebuild else self._stored()
            try:
                if conn is not None and meta.get("watch_session"):
                    quick = watched.refresh(self, conn, meta)
                    if quick is not None:
                        return quick
                token = journal.token(self.root) if sys.platform.startswith("linux") else None
                found = scan(self.root, int(meta["files"]) if "files" in meta else None)
                found.watch = token
            except BaseException:
                if conn is not None:
                    conn.close()
                raise
            self.status = Status(files=found.count)
            if conn is not None:
                same = token is None or meta.get("watch_session") == token[0]  # else keep the new session's token
                if meta.get("signature") == found.signature and not meta.get("racy") and same:
                    return conn
                conn.close()
            return self._refresh(found, rebuild)
        except (Unusable, sqlite3.Error, OSError) as err:
            return self.in_memory(found, describe(err))
        finally:
            if found is not None:
                found.close()

    def in_memory(self, found: Scan | None = None, reason: str = "") -> sqlite3.Connection:
        """Build a throw-away index in memory (the bypass when the file cannot be used)."""
        found = found or scan(self.root)
        self.status = Status("memory", found.count, 0, found.count, reason)
        _debug(f"bypassing the index file: {reason}")
        conn = connect(":memory:")
        try:
            self._fill(conn, found)
        except BaseException:
            conn.close()
            raise
        return conn

    def _stored(self) -> tuple[sqlite3.Connection | None, dict[str, Any]]:
        """Open the stored index read-only and read its metadata ((None, {}) if it is unusable).

        A file locked by another process raises: the caller bypasses it at once.
        """
        if not self.path.is_file():
            return None, {}
        conn = connect(self.path.as_uri() + "?mode=ro", uri=True)
        try:
            return conn, read_meta(conn)
        except sqlite3.OperationalError as err:
            conn.close()
            if "locked" in str(err):
                raise
        except (Unusable, sqlite3.Error):
            conn.close()
        return None, {}

    def _refresh(self, found: Scan, rebuild: bool) -> sqlite3.Connection:
        self.folder.mkdir(exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.is_file() or not ignore.read_bytes().strip():  # also one a full disk left empty
            write_atomic(ignore, "# the index is a cache: never commit it\n*\n")
        with locked(self.folder / LOCK_NAME):
            remove_debris(self.folder)
            if not rebuild and self.path.is_file():
                conn = connect(str(self.path))
                try:
                    self._update(conn, found, read_meta(conn))
                    return conn
                except sqlite3.OperationalError as err:
                    conn.close()
                    if "locked" in str(err):
                        raise
                    self.status.reason = describe(err)
                except (Unusable, sqlite3.DatabaseError) as err:
                    conn.close()
                    self.status.reason = describe(err)
                except BaseException:
                    conn.close()
                    raise
            self._rebuild(found)
            self.status.how = "rebuilt"
            return connect(str(self.path))

    def _update(self, conn: sqlite3.Connection, found: Scan, meta: dict[str, Any]) -> None:
        """Re-parse what changed since the stored refresh and write it in one transaction.

        Only folders whose signature differs (or that were racy) have their files compared.
        """
        stored_folders = {
            p: (sig, bool(r)) for p, sig, r in conn.execute("SELECT prefix, signature, racy FROM folders")
        }
        now = found.signatures()
        dirty = [p for p, (sig, _) in now.items() if stored_folders.get(p, ("", True)) != (sig, False)]
        vanished = [p for p in stored_folders if p not in now]
        stored: dict[str, tuple[int, int, int]] = {}
        for prefix in [*dirty, *vanished]:
            rows = conn.execute("SELECT path, size, mtime_ns, inode FROM entries WHERE folder = ?", (prefix,))
            stored.update((p, (s, m, i)) for p, s, m, i in rows)
        present = found.files(dirty)
        before = int(meta.get("started_ns") or 0)
        changed = sorted(
            (rel, *stats) for rel, stats in present.items() if stored.get(rel) != stats or racy(stats[1], before)
        )
        removed = [rel for rel in stored if rel not in present]

        def finish() -> None:
            conn.executemany("DELETE FROM folders WHERE prefix = ?", [(p,) for p in vanished])
            set_meta(conn, found, dirty)

        self._write(conn, changed, removed, stored, int(meta.get("files") or 0), finish)

    def _write(
        self,
        conn: sqlite3.Connection,
        changed: list[Stat],
        removed: list[str],
        stored: Container[str],
        files: int,
        finish: Callable[[], None],
    ) -> None:
        """Re-parse the changed files and write them, with the removals, in one transaction ending with `finish`."""
        first = conn.execute("SELECT coalesce(max(rowid), 0) + 1 FROM entries").fetchone()[0]
        derived = [table for table in DERIVED if table.ready(conn)]
        # Parse before the transaction: no write lock is held while worker processes run.
        with self._parts(changed, first, self.progress if len(changed) > 1000 else None) as parts:
            attached: list[str] = []
            conn.execute("BEGIN IMMEDIATE")
            try:
                gone = [(rel,) for rel in removed] + [(item[0],) for item in changed if item[0] in stored]
                conn.executemany("DELETE FROM docs WHERE entry = (SELECT rowid FROM entries WHERE path = ?)", gone)
                if derived and len(changed) > max(DERIVED_KEPT, files // 4):
                    for table in derived:  # most of the ledger changed: the next command needing it makes it
                        table.drop(conn)
                    derived = []
                for table in derived:
                    table.forget(conn, gone)
                conn.executemany("DELETE FROM entries WHERE path = ?", gone)
                attached = merge(conn, parts)
                for table in derived:
                    table.add(conn, first)
                finish()
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
            finally:
                for alias in attached:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute(f"DETACH {alias}")
        self.status.how = "refreshed" if changed or removed else "fresh"
        self.status.reparsed, self.status.removed = len(changed), len(removed)

    def _rebuild(self, found: Scan) -> None:
        """Build a new index beside the old one and rename it over (readers keep the old file)."""
        tmp = self.folder / f"{DB_NAME}.{os.getpid()}.tmp"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        conn = connect(str(tmp))
        try:
            conn.executescript(NEW_FILE)
            self._fill(conn, found)
            conn.close()
            for suffix in ("-journal", "-wal", "-shm"):  # a crashed writer's leftovers
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"{self.path}{suffix}")
            os.replace(tmp, self.path)
        except BaseException:
            conn.close()
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise
        self.status.reparsed = found.count

    def _fill(self, conn: sqlite3.Connection, found: Scan) -> None:
        """Create the schema and load every file (indexes are built after the rows: faster).

        Each part is copied in as soon as it is written, while the workers parse the next.
        """
        items = sorted((rel, *stats) for rel, stats in found.files().items())
        numbered = [(1 + i, *item) for i, item in enumerate(items)]
        conn.executescript(INDEXES_FIRST)
        folder = tempfile.mkdtemp(prefix=f"{SCRATCH}{os.getpid()}-")
        try:
            done = 0
            for path, count in self.build(numbered, folder) if numbered else ():
                conn.execute("ATTACH ? AS part", (path,))
                conn.execute("BEGIN")
                conn.execute(COPY.format("part"))
                conn.execute("INSERT INTO docs SELECT * FROM part.docs")
                conn.execute("COMMIT")
                conn.execute("DETACH part")
                os.unlink(path)
                done += count
                if self.progress is not None:
                    self.progress(done, len(items))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        conn.executescript(SCHEMA)
        conn.execute("BEGIN")
        set_meta(conn, found, list(found.signatures()))
        conn.execute("COMMIT")

    @contextlib.contextmanager
    def _parts(self, items: list[Stat], first: int, progress: Progress | None) -> Iterator[list[str]]:
        """Parse items into part files (in worker processes when many); yield their paths."""
        folder = tempfile.mkdtemp(prefix=f"{SCRATCH}{os.getpid()}-")
        try:
            numbered = [(first + i, *item) for i, item in enumerate(items)]
            paths: list[str] = []
            done = 0
            for path, count in self.build(numbered, folder) if numbered else ():
                if path not in paths:
                    paths.append(path)
                done += count
                if progress is not None:
                    progress(done, len(items))
            yield combine(paths)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


DERIVED = (fts.SEARCH, chart_text.CHART)  # tables made on first need, kept in step by refreshes
DERIVED_KEPT = 1000  # a refresh of more files than this and a quarter of the ledger drops them


def _debug(message: str) -> None:  # pragma: no cover - for LEDGER_DEBUG=1
    if os.environ.get("LEDGER_DEBUG"):
        print(f"ledger: index: {message}", file=sys.stderr)
