"""The index: an SQLite cache of the entries in `.ledger/index.sqlite`, refreshed by stat.

Every query refreshes it first. A lean walk stats every entry file and folds (size,
mtime_ns, inode) of each, and the mtime of each folder (renames show there), into one
signature: when it equals the stored one, nothing changed and the query runs at once.
Otherwise the stored stats are compared file by file and only changed, added and removed
files are re-parsed and written, in one transaction. Files touched within `RACY_NS` of a
refresh are re-read once more later, since a second edit in the same clock tick would keep
the same stats (git's "racily clean" problem).

The file is only a cache: a corrupt, truncated, older or newer index is rebuilt (into a
temporary file, then renamed over, under `.ledger/lock`); a locked one or a read-only folder
is bypassed with an in-memory index built the same way. Nothing here is ever an error for
the user. Filters compile to parameterised SQL over the values `query.facts` derives, the
same values `query.matches` evaluates in Python.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger import model, query, schema

SCHEMA_VERSION = 1
FOLDER = ".ledger"
DB_NAME = "index.sqlite"
LOCK_NAME = "lock"
BUSY_TIMEOUT = 2.0  # seconds to wait for another process's SQLite lock before bypassing
LOCK_TIMEOUT = 60.0  # seconds to wait for another process's refresh (it may be a cold build)
RACY_NS = 2_000_000_000  # files modified this close to a refresh are re-read at the next one

# (rel, size, mtime_ns, inode)
Stat = tuple[str, int, int, int]
# The columns of `entries`, in order (json goes to `docs`).
COLUMNS = (
    "path", "size", "mtime_ns", "inode", "ok", "id", "date", "last_day", "chrono", "type", "category",
    "escalation", "confidence", "conf_rank", "status", "country", "place", "title", "killed", "injured",
    "text", "actors", "places", "tags", "sources",
)  # fmt: skip
Row = tuple[Any, ...]  # COLUMNS values, then the JSON text

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value);
CREATE TABLE IF NOT EXISTS entries (
    path TEXT NOT NULL UNIQUE, size INTEGER, mtime_ns INTEGER, inode INTEGER, ok INTEGER NOT NULL,
    id TEXT, date TEXT, last_day TEXT, chrono TEXT, type TEXT, category TEXT, escalation INTEGER,
    confidence TEXT, conf_rank INTEGER, status TEXT, country TEXT, place TEXT, title TEXT,
    killed INTEGER, injured INTEGER, text TEXT, actors TEXT, places TEXT, tags TEXT, sources TEXT
);
CREATE TABLE IF NOT EXISTS docs (entry INTEGER PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blobs (blob TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS entries_chrono ON entries (chrono);
CREATE INDEX IF NOT EXISTS entries_date ON entries (date);
CREATE INDEX IF NOT EXISTS entries_type ON entries (type);
CREATE INDEX IF NOT EXISTS entries_country ON entries (country);
CREATE INDEX IF NOT EXISTS entries_id ON entries (id);
PRAGMA user_version = {SCHEMA_VERSION};
"""
_INDEXES_FIRST = _SCHEMA.split("CREATE INDEX", 1)[0]

_CONFIDENCE_RANK = {m.value: i for i, m in enumerate(model.Confidence)}


# -- rows: what a file becomes -------------------------------------------------------------


def chrono_key(entry: model.Entry) -> str:
    """Return a string that sorts like `query.chronological` (date, time unknown first, id)."""
    when = f"1 {entry.time.isoformat()}" if entry.time is not None else "0"
    return f"{entry.date.isoformat()} {when} {entry.id}"


def row_of(item: Stat, entry: model.Entry | None, ok: bool) -> Row:
    """Return the stored row of one entry file (an invalid file keeps only its stats)."""
    rel, size, mtime_ns, inode = item
    if entry is None or not ok:
        return (rel, size, mtime_ns, inode, 0, *([None] * (len(COLUMNS) - 5)), None)
    f = query.facts(entry)
    record = json.dumps(schema.to_json(entry, rel), ensure_ascii=False)
    return (
        rel, size, mtime_ns, inode, 1, f.id, f.date, f.last_day, chrono_key(entry), f.type, f.category,
        f.escalation, f.confidence, _CONFIDENCE_RANK[f.confidence], f.status, f.country, entry.location.name,
        entry.title, f.killed, f.injured, f.text, f.actors, f.places, f.tags, f.sources, record,
    )  # fmt: skip


# -- the walk ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scan:
    """The entry files and their stats, and a signature that changes when any of them does."""

    files: dict[str, tuple[int, int, int]]
    signature: str
    newest_ns: int
    started_ns: int

    @property
    def racy(self) -> bool:
        return self.newest_ns >= self.started_ns - RACY_NS


def scan(root: Path) -> Scan:
    """Stat every entry file under entries/ (the same files `files.walk` yields)."""
    started = time.time_ns()
    base = os.path.join(root, "entries")
    found: dict[str, tuple[int, int, int]] = {}
    acc = 0
    newest = 0
    stack = [("", base)]
    real_root: str | None = None
    while stack:
        prefix, folder = stack.pop()
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            continue
        try:
            st = os.fstat(fd)
            acc += hash((st.st_mtime_ns, st.st_ino))
            newest = max(newest, st.st_mtime_ns)
            with os.scandir(fd) as it:
                for item in it:
                    name = item.name
                    if name[0] == ".":
                        continue
                    if item.is_dir(follow_symlinks=False):
                        stack.append((f"{prefix}{name}/", f"{folder}/{name}"))
                        continue
                    if not name.endswith(".toml"):
                        continue
                    try:
                        st = item.stat()
                    except OSError:
                        acc += 0x9E3779B97F4A7C15  # a broken link: its folder's mtime covers its name
                        continue
                    size, mtime, ino = st.st_size, st.st_mtime_ns, st.st_ino
                    acc += hash((size, mtime, ino))
                    if mtime > newest:
                        newest = mtime
                    if not stat.S_ISREG(st.st_mode):
                        continue
                    if item.is_symlink():
                        real_root = real_root or os.path.realpath(root)
                        target = os.path.realpath(f"{folder}/{name}")
                        if not target.startswith(real_root + os.sep):
                            continue  # a link out of the ledger is never followed
                    found[f"entries/{prefix}{name}"] = (size, mtime, ino)
        finally:
            os.close(fd)
    return Scan(found, f"{len(found)}:{acc & 0xFFFFFFFFFFFFFFFF:x}", newest, started)


# -- opening, refreshing, rebuilding -------------------------------------------------------

Loader = Callable[[list[Stat]], Iterable[Row]]
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

    def __init__(self, root: Path, load: Loader, progress: Progress | None = None) -> None:
        self.root = root
        self.load = load
        self.progress = progress
        self.folder = root / FOLDER
        self.path = self.folder / DB_NAME
        self.status = Status()

    def connect(self, rebuild: bool = False) -> sqlite3.Connection:
        """Return a connection to an index that matches the files now (never raises on a bad index)."""
        found = scan(self.root)
        self.status.files = len(found.files)
        if not rebuild:
            conn = self._clean(found)
            if conn is not None:
                return conn
        try:
            return self._refresh(found, rebuild)
        except (Unusable, sqlite3.Error, OSError) as err:
            self.status = Status("memory", len(found.files), 0, len(found.files), _reason(err))
            conn = _connect(":memory:")
            self._fill(conn, found)
            return conn

    def _clean(self, found: Scan) -> sqlite3.Connection | None:
        """Return a connection when the stored index is intact and unchanged, else None."""
        if not self.path.is_file():
            return None
        conn = None
        try:
            conn = _connect(self.path.as_uri() + "?mode=ro", uri=True)
            meta = _meta(conn)
            if meta.get("signature") == found.signature and not meta.get("racy"):
                return conn
        except (Unusable, sqlite3.Error):
            pass
        if conn is not None:
            conn.close()
        return None

    def _refresh(self, found: Scan, rebuild: bool) -> sqlite3.Connection:
        self.folder.mkdir(exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# the index is a cache: never commit it\n*\n", encoding="utf-8")
        with _locked(self.folder / LOCK_NAME):
            conn = None
            if not rebuild and self.path.is_file():
                try:
                    conn = _connect(str(self.path))
                    meta = _meta(conn)
                    if meta.get("signature") is None:
                        raise Unusable("empty index")
                    self._update(conn, found, meta)
                    return conn
                except (Unusable, sqlite3.DatabaseError) as err:
                    if conn is not None:
                        conn.close()
                    if isinstance(err, sqlite3.OperationalError) and "locked" in str(err):
                        raise
                    self.status.reason = _reason(err)
            self._rebuild(found)
            self.status.how = "rebuilt"
            return _connect(str(self.path))

    def _update(self, conn: sqlite3.Connection, found: Scan, meta: dict[str, Any]) -> None:
        """Re-parse what changed since the stored refresh, in one transaction."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            stored = {p: (s, m, i) for p, s, m, i in conn.execute("SELECT path, size, mtime_ns, inode FROM entries")}
            racy_since = int(meta.get("started_ns") or 0) - RACY_NS
            changed = [
                (rel, *stats)
                for rel, stats in found.files.items()
                if stored.get(rel) != stats or stats[1] >= racy_since
            ]
            removed = [rel for rel in stored if rel not in found.files]
            gone = [(rel,) for rel in removed] + [(item[0],) for item in changed if item[0] in stored]
            conn.executemany("DELETE FROM docs WHERE entry = (SELECT rowid FROM entries WHERE path = ?)", gone)
            conn.executemany("DELETE FROM entries WHERE path = ?", gone)
            _insert(conn, self.load(sorted(changed)), len(changed), self.progress if len(changed) > 1000 else None)
            _set_meta(conn, found)
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
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
        self.status.reparsed = len(found.files)

    def _fill(self, conn: sqlite3.Connection, found: Scan) -> None:
        """Create the schema and load every file (indexes are built after the rows: faster)."""
        conn.executescript(_INDEXES_FIRST)
        conn.execute("BEGIN")
        items = sorted((rel, *stats) for rel, stats in found.files.items())
        _insert(conn, self.load(items), len(items), self.progress)
        conn.executescript("COMMIT;" + _SCHEMA)
        conn.execute("BEGIN")
        _set_meta(conn, found)
        conn.execute("COMMIT")


def _insert(conn: sqlite3.Connection, rows: Iterable[Row], total: int, progress: Progress | None) -> None:
    """Insert rows (entries and their JSON) in batches, numbering them after the last rowid."""
    sql = f"INSERT INTO entries (rowid, {', '.join(COLUMNS)}) VALUES (?, {', '.join('?' * len(COLUMNS))})"
    next_id = conn.execute("SELECT coalesce(max(rowid), 0) + 1 FROM entries").fetchone()[0]
    done = 0
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= 2000:
            next_id = _flush(conn, sql, batch, next_id)
            done += 2000
            if progress is not None:
                progress(done, total)
    _flush(conn, sql, batch, next_id)
    if progress is not None:
        progress(total, total)


def _flush(conn: sqlite3.Connection, sql: str, batch: list[Row], next_id: int) -> int:
    numbered = list(enumerate(batch, start=next_id))
    conn.executemany(sql, [(rowid, *row[:-1]) for rowid, row in numbered])
    conn.executemany("INSERT INTO docs (entry, json) VALUES (?, ?)", [(i, r[-1]) for i, r in numbered if r[-1] is not None])
    batch.clear()
    return next_id + len(numbered)


def _set_meta(conn: sqlite3.Connection, found: Scan) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
        [("signature", found.signature), ("started_ns", found.started_ns), ("racy", int(found.racy))],
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
#: output columns the entries table holds (others come from the stored JSON)
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
    """The result of a query: streamed from the index in order; `skipped` invalid files."""

    def __init__(self, conn: sqlite3.Connection, selection: query.Selection, vocabulary: Any) -> None:
        self.conn = conn
        self.selection = selection
        self.vocabulary = vocabulary
        self.skipped = conn.execute("SELECT count(*) FROM entries WHERE ok = 0").fetchone()[0]

    def _run(self, what: str) -> Iterator[Any]:
        sql, params = select_sql(self.selection, self.vocabulary, what)
        yield from self.conn.execute(sql, params)

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
        """Yield rows of the given columns, reading the stored JSON only when a column needs it."""
        direct = [c for c in columns if c in SQL_COLUMNS]
        need_json = len(direct) < len(columns)
        what = [SQL_COLUMNS[c] for c in direct] + (["(SELECT json FROM docs WHERE entry = e.rowid)"] if need_json else [])
        for values in self._run(", ".join(what)):
            row = dict(zip(direct, values, strict=False))
            if need_json:
                row["_record"] = json.loads(values[-1])
            yield row

    def entries(self) -> list[model.Entry]:
        """Return the matching entries as records (rebuilt from the stored JSON)."""
        return [schema.from_json(record) for record in self.records()]

    def invalid(self) -> list[str]:
        """Return the paths of the files left out because they are invalid."""
        return [p for (p,) in self.conn.execute("SELECT path FROM entries WHERE ok = 0 ORDER BY path")]


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
