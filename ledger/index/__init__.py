"""The index: an SQLite cache of the entries in `.ledger/index.sqlite`, refreshed by stat.

Every query refreshes it first. A lean walk stats every entry file (on two cores for big
ledgers) and folds (size, mtime_ns, inode) of each, and the mtime of each folder (renames
show there), into a signature per folder and one overall: when the overall one equals the
stored one, nothing changed and the query runs at once. Otherwise only the folders whose
signature differs have their files compared, and only changed, added and removed files are
re-parsed and written, in one transaction. Files touched just before a refresh
are re-read once more at the next one, since a second edit in the same clock tick would keep
the same stats (git's "racily clean" problem): within 100 ms, or 2 s on a file system whose
timestamps are whole seconds.

The file is only a cache: a corrupt, truncated, older or newer index is rebuilt (into a
temporary file, then renamed over, under `.ledger/lock`); a locked one or a read-only folder
is bypassed with an in-memory index built the same way. Nothing here is ever an error for
the user. Filters compile to parameterised SQL over the values `query.facts` derives, the
same values `query.matches` evaluates in Python.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import enum
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger import query
from ledger.core import model, schema
from ledger.store.scan import Scan, racy, scan

SCHEMA_VERSION = 2
FOLDER = ".ledger"
DB_NAME = "index.sqlite"
LOCK_NAME = "lock"
BUSY_TIMEOUT = 2.0  # seconds to wait for another process's SQLite lock before bypassing
LOCK_TIMEOUT = 60.0  # seconds to wait for another process's refresh (it may be a cold build)
# (rel, size, mtime_ns, inode)
Stat = tuple[str, int, int, int]
# The columns of `entries`, in order (json goes to `docs`).
STORED = (
    "path", "folder", "size", "mtime_ns", "inode", "ok", "id", "date", "last_day", "chrono", "type", "category",
    "escalation", "confidence", "conf_rank", "status", "country", "place", "title", "killed", "injured",
    "text", "actors", "places", "tags", "sources",
)  # fmt: skip
Row = tuple[Any, ...]  # STORED values, then the JSON text

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value);
CREATE TABLE IF NOT EXISTS entries (
    path TEXT NOT NULL UNIQUE, folder TEXT NOT NULL, size INTEGER, mtime_ns INTEGER, inode INTEGER, ok INTEGER NOT NULL,
    id TEXT, date TEXT, last_day TEXT, chrono TEXT, type TEXT, category TEXT, escalation INTEGER,
    confidence TEXT, conf_rank INTEGER, status TEXT, country TEXT, place TEXT, title TEXT,
    killed INTEGER, injured INTEGER, text TEXT, actors TEXT, places TEXT, tags TEXT, sources TEXT
);
CREATE TABLE IF NOT EXISTS docs (entry INTEGER PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS folders (prefix TEXT PRIMARY KEY, signature TEXT NOT NULL, racy INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS blobs (blob TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS entries_chrono ON entries (chrono);
CREATE INDEX IF NOT EXISTS entries_date ON entries (date);
CREATE INDEX IF NOT EXISTS entries_type ON entries (type);
CREATE INDEX IF NOT EXISTS entries_country ON entries (country);
CREATE INDEX IF NOT EXISTS entries_id ON entries (id);
CREATE INDEX IF NOT EXISTS entries_invalid ON entries (path) WHERE ok = 0;
CREATE INDEX IF NOT EXISTS entries_folder ON entries (folder);
PRAGMA user_version = {SCHEMA_VERSION};
"""
_INDEXES_FIRST = _SCHEMA.split("CREATE INDEX", 1)[0]

_CONFIDENCE_RANK = {m.value: i for i, m in enumerate(model.Confidence)}
_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)  # what json.dumps(..., ensure_ascii=False) writes


# -- rows: what a file becomes -------------------------------------------------------------


def chrono_key(entry: model.Entry) -> str:
    """Return a string that sorts like `query.chronological` (date, time unknown first, id)."""
    when = f"1 {entry.time.isoformat()}" if entry.time is not None else "0"
    return f"{entry.date.isoformat()} {when} {entry.id}"


def row_of(item: Stat, entry: model.Entry | None, ok: bool) -> Row:
    """Return the stored row of one entry file (an invalid file keeps only its stats)."""
    rel, size, mtime_ns, inode = item
    folder = rel[len("entries/") : rel.rfind("/") + 1]
    if entry is None or not ok:
        return (rel, folder, size, mtime_ns, inode, 0, *([None] * (len(STORED) - 6)), None)
    f = query.facts(entry)
    record = _ENCODER.encode(json_record(entry, rel))
    return (
        rel, folder, size, mtime_ns, inode, 1, f.id, f.date, f.last_day, chrono_key(entry), f.type, f.category,
        f.escalation, f.confidence, _CONFIDENCE_RANK[f.confidence], f.status, f.country, entry.location.name,
        entry.title, f.killed, f.injured, f.text, f.actors, f.places, f.tags, f.sources, record,
    )  # fmt: skip


def _plan(cls: type) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """Return, per field of a model class, how `schema.encode(json=True)` writes its value."""
    cached = _PLANS.get(cls)
    if cached is None:
        hints = typing.get_type_hints(cls)
        cached = _PLANS[cls] = tuple((f.name, _writer(hints[f.name])) for f in dataclasses.fields(cls))
    return cached


def _writer(tp: Any) -> Callable[[Any], Any]:
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) is tuple:
        item = _writer(args[0])
        return lambda values: [item(v) for v in values]
    if len(args) > 1:  # int | Estimate
        record = _writer(model.Estimate)
        return lambda v: v if isinstance(v, int) else record(v)
    if args:
        tp = args[0]
    if dataclasses.is_dataclass(tp):
        return lambda v: _encode(v, typing.cast(type, tp))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return lambda v: v.value
    if tp in (dt.date, dt.time):
        return lambda v: v.isoformat()
    return lambda v: v


def _encode(record: Any, cls: type) -> dict[str, Any]:
    out = {}
    for name, write in _plan(cls):
        value = getattr(record, name)
        if value is not None and value != ():
            out[name] = write(value)
    return out


def json_record(entry: model.Entry, rel: str) -> dict[str, Any]:
    """Return `schema.to_json(entry, rel)`, several times faster (the index writes 100k of them)."""
    out: dict[str, Any] = {"id": entry.id, "path": rel}
    for name, write in _plan(model.Entry):
        value = getattr(entry, name)
        if value is None or value == () or name == "id":
            continue
        out[name] = write(value)
        if name == "type":
            out["category"] = entry.category.value
    return out


_PLANS: dict[type, tuple[tuple[str, Callable[[Any], Any]], ...]] = {}


# -- opening, refreshing, rebuilding -------------------------------------------------------

# (items numbered with their rowid, a folder for part files) -> (part file, rows written) per chunk
Builder = Callable[[list[tuple[int, str, int, int, int]], str], Iterable[tuple[str, int]]]
Progress = Callable[[int, int], None]


class Unusable(Exception):
    """The file cannot serve as the index now (corrupt, locked, read-only, other version)."""


def _connect(path: str, *, uri: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None, uri=uri, check_same_thread=False)
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def _meta(conn: sqlite3.Connection) -> dict[str, Any]:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version != SCHEMA_VERSION:
        raise Unusable(f"index version {version}, expected {SCHEMA_VERSION}")
    return dict(conn.execute("SELECT key, value FROM meta").fetchall())


@dataclass
class Status:
    """How the index served a query (for `ledger index` and the tests)."""

    how: str = "fresh"  # fresh | refreshed | rebuilt | memory
    reparsed: int = 0
    removed: int = 0
    files: int = 0
    reason: str = ""


class Index:
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

    def refresh(self) -> None:
        """Let the next query check the files again (a connection is otherwise kept for the run)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def recover(self, err: sqlite3.Error) -> sqlite3.Connection:
        """Replace a connection that failed mid-query: rebuild the file, or bypass it."""
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
        if self.status.how == "memory":
            raise err  # an in-memory index does not get damaged: something else is wrong
        self._conn = self.connect(rebuild=True)
        return self._conn

    def lookup(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Return the JSON records of the given ids (unknown and invalid ones are left out)."""
        out: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ", ".join("?" * len(chunk))
            sql = (
                "SELECT e.id, d.json FROM entries e JOIN docs d ON d.entry = e.rowid "
                f"WHERE e.ok = 1 AND e.id IN ({marks}) ORDER BY e.path DESC"
            )
            for entry_id, text in self._query(sql, chunk):  # an id used twice: the first path wins
                out[entry_id] = json.loads(text)
        return out

    def invalid_paths(self, entry_id: str) -> list[str]:
        """Return the paths of invalid files whose name gives this id."""
        rows = self._query("SELECT path FROM entries WHERE ok = 0 ORDER BY path", [])
        return [p for (p,) in rows if p.rsplit("/", 1)[-1] == f"{entry_id}.toml"]

    def ids(self) -> list[str]:
        """Return the ids of all valid entries."""
        return [i for (i,) in self._query("SELECT id FROM entries WHERE ok = 1", [])]

    def _query(self, sql: str, params: Sequence[Any]) -> list[Any]:
        try:
            return self.conn().execute(sql, params).fetchall()
        except sqlite3.DatabaseError as err:
            return self.recover(err).execute(sql, params).fetchall()

    def connect(self, rebuild: bool = False) -> sqlite3.Connection:
        """Return a connection to an index that matches the files now (never raises on a bad index)."""
        found: Scan | None = None
        try:
            conn, meta = (None, {}) if rebuild else self._stored()
            found = scan(self.root, int(meta["files"]) if "files" in meta else None)
            self.status = Status(files=found.count)
            if conn is not None:
                if meta.get("signature") == found.signature and not meta.get("racy"):
                    return conn
                conn.close()
            return self._refresh(found, rebuild)
        except (Unusable, sqlite3.Error, OSError) as err:
            return self.in_memory(found, _reason(err))
        finally:
            if found is not None:
                found.close()

    def in_memory(self, found: Scan | None = None, reason: str = "") -> sqlite3.Connection:
        """Build a throw-away index in memory (the bypass when the file cannot be used)."""
        found = found or scan(self.root)
        self.status = Status("memory", found.count, 0, found.count, reason)
        _debug(f"bypassing the index file: {reason}")
        conn = _connect(":memory:")
        self._fill(conn, found)
        return conn

    def _stored(self) -> tuple[sqlite3.Connection | None, dict[str, Any]]:
        """Open the stored index read-only and read its metadata ((None, {}) if it is unusable).

        A file locked by another process raises: the caller bypasses it at once.
        """
        if not self.path.is_file():
            return None, {}
        conn = _connect(self.path.as_uri() + "?mode=ro", uri=True)
        try:
            return conn, _meta(conn)
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
        if not ignore.exists():
            ignore.write_text("# the index is a cache: never commit it\n*\n", encoding="utf-8")
        with _locked(self.folder / LOCK_NAME):
            if not rebuild and self.path.is_file():
                conn = _connect(str(self.path))
                try:
                    self._update(conn, found, _meta(conn))
                    return conn
                except sqlite3.OperationalError as err:
                    conn.close()
                    if "locked" in str(err):
                        raise
                    self.status.reason = _reason(err)
                except (Unusable, sqlite3.DatabaseError) as err:
                    conn.close()
                    self.status.reason = _reason(err)
            self._rebuild(found)
            self.status.how = "rebuilt"
            return _connect(str(self.path))

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
        first = conn.execute("SELECT coalesce(max(rowid), 0) + 1 FROM entries").fetchone()[0]
        # Parse before the transaction: no write lock is held while worker processes run.
        with self._parts(changed, first, self.progress if len(changed) > 1000 else None) as parts:
            attached: list[str] = []
            conn.execute("BEGIN IMMEDIATE")
            try:
                gone = [(rel,) for rel in removed] + [(item[0],) for item in changed if item[0] in stored]
                conn.executemany("DELETE FROM docs WHERE entry = (SELECT rowid FROM entries WHERE path = ?)", gone)
                conn.executemany("DELETE FROM entries WHERE path = ?", gone)
                attached = _merge(conn, parts)
                conn.executemany("DELETE FROM folders WHERE prefix = ?", [(p,) for p in vanished])
                _set_meta(conn, found, dirty)
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
        conn = _connect(str(tmp))
        try:
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            self._fill(conn, found)
            _keep_blobs(conn, self.path)
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
        conn.executescript(_INDEXES_FIRST)
        folder = tempfile.mkdtemp(prefix="ledger-index-")
        try:
            done = 0
            for path, count in self.build(numbered, folder) if numbered else ():
                conn.execute("ATTACH ? AS part", (path,))
                conn.execute("BEGIN")
                conn.execute(_COPY.format("part"))
                conn.execute("INSERT INTO docs SELECT * FROM part.docs")
                conn.execute("COMMIT")
                conn.execute("DETACH part")
                os.unlink(path)
                done += count
                if self.progress is not None:
                    self.progress(done, len(items))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        conn.executescript(_SCHEMA)
        conn.execute("BEGIN")
        _set_meta(conn, found, list(found.signatures()))
        conn.execute("COMMIT")

    @contextlib.contextmanager
    def _parts(self, items: list[Stat], first: int, progress: Progress | None) -> Iterator[list[str]]:
        """Parse items into part files (in worker processes when many); yield their paths."""
        folder = tempfile.mkdtemp(prefix="ledger-index-")
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
            yield _combine(paths)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def write_part(folder: str, rows: Iterable[tuple[int, Row]]) -> tuple[str, int]:
    """Write numbered rows to a new part file in `folder` (runs in worker processes)."""
    numbered = list(rows)
    first = numbered[0][0] if numbered else 0
    path = os.path.join(folder, f"part-{os.getpid()}-{first}.sqlite")
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.executescript(_INDEXES_FIRST)
        conn.execute("BEGIN")
        marks = ", ".join("?" * len(STORED))
        conn.executemany(
            f"INSERT INTO entries (rowid, {', '.join(STORED)}) VALUES (?, {marks})",
            [(rowid, *row[:-1]) for rowid, row in numbered],
        )
        conn.executemany(
            "INSERT INTO docs (entry, json) VALUES (?, ?)", [(rowid, row[-1]) for rowid, row in numbered if row[-1]]
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
    return path, len(numbered)


_COPY = f"INSERT INTO entries (rowid, {', '.join(STORED)}) SELECT rowid, {', '.join(STORED)} FROM {{}}.entries"


def _combine(paths: list[str]) -> list[str]:
    """Fold part files into the first, so that few need attaching (SQLite allows 10)."""
    if len(paths) <= 4:
        return paths
    conn = sqlite3.connect(paths[0], isolation_level=None)
    try:
        for path in paths[1:]:
            conn.execute("ATTACH ? AS other", (path,))
            conn.execute(_COPY.format("other"))
            conn.execute("INSERT INTO docs SELECT * FROM other.docs")
            conn.execute("DETACH other")
    finally:
        conn.close()
    return paths[:1]


def _merge(conn: sqlite3.Connection, parts: list[str]) -> list[str]:
    """Copy part files into the index (in the caller's transaction); return the aliases to detach."""
    aliases = []
    for number, path in enumerate(parts):
        alias = f"part{number}"
        conn.execute(f"ATTACH ? AS {alias}", (path,))
        aliases.append(alias)
        conn.execute(_COPY.format(alias))
        conn.execute(f"INSERT INTO docs SELECT * FROM {alias}.docs")
    return aliases


def _keep_blobs(conn: sqlite3.Connection, old: Path) -> None:
    """Carry the blob cache over from the index being replaced, when it is readable."""
    if not old.is_file():
        return
    try:
        conn.execute("ATTACH ? AS old", (old.as_uri() + "?mode=ro",))
    except sqlite3.Error:
        return
    try:
        if conn.execute("PRAGMA old.user_version").fetchone()[0] == SCHEMA_VERSION:
            conn.execute("INSERT OR IGNORE INTO blobs SELECT * FROM old.blobs")
    except sqlite3.Error:
        pass
    finally:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("DETACH old")


def _set_meta(conn: sqlite3.Connection, found: Scan, folders: list[str]) -> None:
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


def _reason(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}" if not isinstance(err, Unusable) else str(err)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (one refresh at a time); Unusable after LOCK_TIMEOUT."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: SQLite's own locking has to do
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise Unusable("another ledger process holds the index lock") from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)


# -- queries -------------------------------------------------------------------------------

_SORT_SQL = {
    "id": "e.id",
    "title": "e.title",
    "type": "e.type",
    "category": "e.category",
    "escalation": "e.escalation",
    "confidence": "e.conf_rank",
    "country": "e.country",
    "place": "e.place",
    "killed": "e.killed",
    "injured": "e.injured",
}
#: output columns the entries table holds (the others come from the stored JSON record)
SQL_COLUMNS = {
    "id": "e.id",
    "path": "e.path",
    "date": "e.date",
    "title": "e.title",
    "type": "e.type",
    "category": "e.category",
    "escalation": "e.escalation",
    "confidence": "e.confidence",
    "status": "e.status",
    "country": "e.country",
    "place": "e.place",
    "killed": "e.killed",
    "injured": "e.injured",
}
#: every column `Found.rows` (and so `--columns`) can give
COLUMNS = (
    *SQL_COLUMNS, "label", "date_end", "date_precision", "time", "time_of_day", "as_reported", "admin1", "admin2",
    "lat", "lon", "actors", "perpetrators", "targets", "associated", "attribution", "tags", "sources",
    "responds_to", "related", "aliases", "summary",
)  # fmt: skip
_LOCATION = ("admin1", "admin2", "lat", "lon")
_ACTORS = ("perpetrators", "targets", "associated", "attribution")


def record_value(record: dict[str, Any], column: str) -> Any:
    """Return one output column's value from an entry's JSON record (not `label`)."""
    if column in ("place", "country", *_LOCATION):
        return record.get("location", {}).get("name" if column == "place" else column)
    if column in _ACTORS:
        return record.get("actors", {}).get(column)
    if column == "actors":
        actors = record.get("actors", {})
        return [name for part in ("perpetrators", "targets", "associated") for name in actors.get(part, [])]
    if column == "sources":
        return [source.get("name") for source in record.get("sources", [])]
    if column in ("killed", "injured"):
        value = record.get("casualties", {}).get(column)
        return value.get("best") if isinstance(value, dict) else value
    return record.get(column)


def compile_where(node: query.Node | None, vocabulary: Any = None) -> tuple[str, list[Any]]:
    """Compile a query AST to an SQL condition over `entries e` and its parameters."""
    params: list[Any] = []
    if node is None:
        return "1", params
    return _sql(node, vocabulary, params), params


def _sql(node: query.Node, vocabulary: Any, params: list[Any]) -> str:
    if isinstance(node, query.Term):
        parts = [_term_sql(node.field, node.op, v, vocabulary, params) for v in node.values]
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
    if isinstance(node, query.Not):
        return f"NOT {_sql(node.item, vocabulary, params)}"
    joiner = " AND " if isinstance(node, query.And) else " OR "
    return "(" + joiner.join(_sql(item, vocabulary, params) for item in node.items) + ")"


def _term_sql(field: str, op: str, value: str, vocabulary: Any, params: list[Any]) -> str:
    kind = query.KINDS[field]
    sep = query.SEPARATOR
    if kind in (query.DATE, query.BOUND):
        lo, hi = query.date_bounds(value)
        if kind == query.BOUND:
            op = ">=" if field == "since" else "<="
        if op == ">=":
            return _bind(params, "e.last_day >= ?", lo)
        if op == ">":
            return _bind(params, "e.last_day > ?", hi)
        if op == "<=":
            return _bind(params, "e.date <= ?", hi)
        if op == "<":
            return _bind(params, "e.date < ?", lo)
        conds = []
        if hi is not None:
            conds.append(_bind(params, "e.date <= ?", hi))
        if lo is not None:
            conds.append(_bind(params, "e.last_day >= ?", lo))
        return "(" + " AND ".join(conds) + ")"
    if kind == query.NUMBER:
        column = f"e.{field}"
        nlo, nhi = query.number_bounds(value)
        if op != ":":
            return f"({column} IS NOT NULL AND {_bind(params, f'{column} {op} ?', nlo)})"
        conds = [f"{column} IS NOT NULL"]
        if nlo is not None:
            conds.append(_bind(params, f"{column} >= ?", nlo))
        if nhi is not None:
            conds.append(_bind(params, f"{column} <= ?", nhi))
        return "(" + " AND ".join(conds) + ")"
    if kind == query.CHOICE:
        return _bind(params, f"e.{field} = ?", value.lower())
    if field == "country":
        return _bind(params, "e.country = ?", value.upper())
    if field == "id":
        return _bind(params, "e.id = ?", value)
    if field == "tag":
        return _bind(params, "instr(e.tags, ?) > 0", sep + value.casefold() + sep)
    if kind == query.NAME:
        column = "e.actors" if field == "actor" else "e.places"
        names = sorted(query.spellings(field, value, vocabulary))
        parts = [_bind(params, f"instr({column}, ?) > 0", sep + name + sep) for name in names]
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
    column = "e.text" if field == "text" else "e.sources"
    return _bind(params, f"instr({column}, ?) > 0", value.casefold())


def _bind(params: list[Any], sql: str, value: Any) -> str:
    params.append(value)
    return sql


def select_sql(selection: query.Selection, vocabulary: Any, what: str) -> tuple[str, list[Any]]:
    """Return the SELECT of `what` (columns over `entries e`) for a selection, in its order."""
    sort = query.check_sort(selection.sort)
    where, params = compile_where(selection.where, vocabulary)
    conds = ["e.ok = 1", where]
    if not query.shows_withdrawn(selection):
        conds.append("e.status = 'active'")
    direction = " DESC" if selection.reverse else ""
    order = [f"e.chrono{direction}", f"e.path{direction}"]
    if sort not in (None, "date"):
        column = _SORT_SQL[sort]
        order[:0] = [f"({column} IS NOT NULL){direction}", f"{column}{direction}"]
    sql = f"SELECT {what} FROM entries e WHERE {' AND '.join(conds)} ORDER BY {', '.join(order)}"
    if selection.limit is not None:
        sql += " LIMIT ?"
        params.append(max(selection.limit, 0))
    return sql, params


class Found:
    """The result of a query, streamed from the index in order; `skipped` counts invalid files.

    If the index file turns out to be damaged while rows are read, it is rebuilt (or
    bypassed) and the rows not yet given are read from the new one.
    """

    def __init__(self, index: Index, selection: query.Selection, vocabulary: Any) -> None:
        self.index = index
        self.selection = selection
        self.vocabulary = vocabulary
        query.check_sort(selection.sort)
        self.skipped = int(index._query("SELECT count(*) FROM entries WHERE ok = 0", [])[0][0])

    def _run(self, what: str) -> Iterator[Any]:
        sql, params = select_sql(self.selection, self.vocabulary, what)
        given = 0
        for attempt in range(2):
            try:
                conn = self.index.conn()
                for number, row in enumerate(conn.execute(sql, params)):
                    if number >= given:
                        given += 1
                        yield row
                return
            except sqlite3.DatabaseError as err:
                if attempt:
                    raise
                self.index.recover(err)

    def ids(self) -> Iterator[str]:
        """Yield the ids of the matching entries."""
        for (entry_id,) in self._run("e.id"):
            yield entry_id

    def json_texts(self) -> Iterator[str]:
        """Yield the stored JSON text of each matching entry (`schema.to_json` form)."""
        for (text,) in self._run("(SELECT json FROM docs WHERE entry = e.rowid)"):
            yield text

    def records(self) -> Iterator[dict[str, Any]]:
        """Yield each matching entry as its JSON record (a dict)."""
        for text in self.json_texts():
            yield json.loads(text)

    def rows(self, columns: Sequence[str]) -> Iterator[dict[str, Any]]:
        """Yield rows of the given COLUMNS, reading the stored JSON only when a column needs it."""
        unknown = [c for c in columns if c not in COLUMNS]
        if unknown:
            raise ValueError(f"unknown columns: {', '.join(unknown)}")
        direct = [c for c in columns if c in SQL_COLUMNS]
        if "label" in columns and "escalation" not in direct:
            direct.append("escalation")
        others = [c for c in columns if c not in SQL_COLUMNS and c != "label"]
        what = [SQL_COLUMNS[c] for c in direct]
        if others:
            what.append("(SELECT json FROM docs WHERE entry = e.rowid)")
        labels = getattr(self.vocabulary, "label", None)
        for values in self._run(", ".join(what)):
            found = dict(zip(direct, values, strict=False))
            record = json.loads(values[-1]) if others else {}
            row = {}
            for column in columns:
                if column in found:
                    row[column] = found[column]
                elif column == "label":
                    level = found["escalation"]
                    row[column] = labels(level) if labels else model.LADDER[level][0]
                else:
                    row[column] = record_value(record, column)
            yield row

    def entries(self) -> list[model.Entry]:
        """Return the matching entries as records (rebuilt from the stored JSON)."""
        return [schema.from_json(record) for record in self.records()]

    def invalid(self) -> list[str]:
        """Return the paths of the files left out because they are invalid."""
        return [p for (p,) in self.index._query("SELECT path FROM entries WHERE ok = 0 ORDER BY path", [])]


# -- the blob cache (time travel: git blobs parsed once) -----------------------------------


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
                conn = _connect(str(self.path))
                conn.execute("PRAGMA busy_timeout = 200")
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version == 0:
                    conn.executescript(_INDEXES_FIRST + f"PRAGMA user_version = {SCHEMA_VERSION};")
                elif version != SCHEMA_VERSION:
                    raise Unusable("other index version")
                self._conn = conn
            except (Unusable, sqlite3.Error, OSError):
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
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _debug(message: str) -> None:  # pragma: no cover - for LEDGER_DEBUG=1
    if os.environ.get("LEDGER_DEBUG"):
        print(f"ledger: index: {message}", file=sys.stderr)
