"""The refresh through the file-system monitor: what the journal names, re-read, instead of the stat walk.

`ledger watch` journals every change under entries/ (`ledger.store.journal`); an index
refreshed under the same watcher session keeps the journal offset it has seen (meta
`watch_session`, `watch_offset`). A command syncs with the watcher (its cookie), then:

- files the journal names (`F`) are re-read whatever their stats say (an edit in the same
  clock tick as the last read keeps them), or removed when the walk would not list them;
- folders it names (`D`: made, moved, removed) are walked whole and every file in them re-read;
- linked entries (`L`: a symbolic link's target, a hard link, can change where no watch sees
  it) are compared by stats, as the walk compares every file, racily clean ones re-read.

The folders touched lose their stored signature (`racy`), and the overall one is cleared, so a
later full walk (the watcher gone) compares them file by file: nothing it trusted is stale.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import sys
import time
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ledger.index.rows import Stat
from ledger.index.storage import LOCK_NAME, Status, Unusable, connect, describe, locked, read_meta
from ledger.store import journal
from ledger.store.journal import Changes
from ledger.store.scan import Scan, entry_stats, racy


class Index(Protocol):
    """What a watched refresh needs of `build.Index` (which imports this module)."""

    root: Path
    folder: Path
    path: Path
    status: Status

    def _write(
        self,
        conn: sqlite3.Connection,
        changed: list[Stat],
        removed: list[str],
        stored: Container[str],
        files: int,
        finish: Callable[[], None],
    ) -> None: ...


ADVANCE = 1 << 16  # journal bytes a command may re-read before it writes the offset forward


@dataclass
class Plan:
    """What a watched refresh re-reads, removes, and marks for the next full walk."""

    changed: list[Stat] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    stored: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # the index's rows among those
    folders: set[str] = field(default_factory=set)  # prefixes of the files touched
    trees: set[str] = field(default_factory=set)  # prefixes walked whole

    @property
    def added(self) -> int:
        return sum(1 for item in self.changed if item[0] not in self.stored)


def refresh(index: Index, conn: sqlite3.Connection, meta: dict[str, Any]) -> sqlite3.Connection | None:
    """Refresh through the watcher's journal, without the stat walk (None: walk; `conn` is then kept open).

    Returns `conn` itself when nothing changed, else a new connection after writing.
    """
    start, session = int(meta.get("watch_offset") or 0), str(meta["watch_session"])
    synced = journal.sync(index.root, session, start)
    if synced is None:
        debug("the watcher could not vouch for the index: stat walk")
        return None
    opened, end = synced
    try:
        changes = opened.changes(start, end)
        before, files = int(meta.get("started_ns") or 0), int(meta.get("files") or 0)
        if changes is None:
            return None
        if end - start < ADVANCE and unchanged(conn, index.root, changes, before):
            index.status = Status(files=files, watched=True)
            return conn
        with locked(index.folder / LOCK_NAME), contextlib.closing(connect(str(index.path))) as writer:
            meta = read_meta(writer)
            here = int(meta.get("watch_offset") or 0)
            if meta.get("watch_session") != session or here < start:
                return None
            changes = opened.changes(here, end) if here <= end else Changes(here)
            if changes is None:
                return None
            started_ns = time.time_ns()
            todo = plan(writer, index.root, changes, int(meta.get("started_ns") or 0))
            files = int(meta.get("files") or 0)
            index.status = Status(files=files + todo.added - len(todo.removed), watched=True)
            index._write(
                writer,
                todo.changed,
                todo.removed,
                todo.stored,
                files,
                lambda: mark(writer, todo, files, max(end, here), started_ns),
            )
        conn.close()
        return connect(str(index.path))
    except (Unusable, sqlite3.Error, OSError, EOFError) as err:
        debug(f"the watched refresh failed: {describe(err)}: stat walk")
        return None
    finally:
        opened.close()


def plan(conn: sqlite3.Connection, root: Path, changes: Changes, before: int) -> Plan:
    """Return what to re-read and remove for the journal's changes (`before`: when rows were last read)."""
    out = Plan(trees=set(changes.folders))
    now: dict[str, tuple[int, int, int]] = {}
    kept: set[str] = set()
    for prefix in sorted(changes.folders):
        out.stored.update(_stored_under(conn, prefix))
        path = os.path.join(root, "entries", prefix.rstrip("/"))
        if _walked(root, prefix):
            found = Scan(root, 0)
            found.walk([(prefix, path)])
            walked = found.files()
            now.update(walked)
            for name, stats in walked.items():  # a hard link made in a new folder: its other names too
                _siblings(conn, root, name, stats, out, now)
    for rel in changes.files | changes.links:
        if any(rel.startswith(f"entries/{p}") for p in changes.folders):
            continue  # walked whole above
        row = conn.execute("SELECT size, mtime_ns, inode FROM entries WHERE path = ?", (rel,)).fetchone()
        if row is not None:
            out.stored[rel] = (row[0], row[1], row[2])
        key = entry_stats(root, rel)
        if key is None:
            continue  # removed below, if the index has it
        if rel in changes.files or out.stored.get(rel) != key or racy(key[1], before):
            now[rel] = key
            out.folders.add(_folder(rel))
            _siblings(conn, root, rel, key, out, now)
        else:
            kept.add(rel)  # a linked entry whose stats are those stored
    out.changed = sorted((rel, *key) for rel, key in now.items())
    out.removed = sorted(rel for rel in out.stored if rel not in now and rel not in kept)
    out.folders.update(map(_folder, out.removed))
    return out


def _siblings(
    conn: sqlite3.Connection, root: Path, rel: str, key: tuple[int, int, int], out: Plan, now: dict[str, Any]
) -> None:
    """Re-read the other names of a file with hard links: a write through one name journals that name only."""
    try:
        if os.stat(os.path.join(root, rel)).st_nlink < 2:
            return
    except OSError:
        return
    rows = conn.execute("SELECT path, size, mtime_ns, inode FROM entries WHERE inode = ? AND path != ?", (key[2], rel))
    for other, size, mtime_ns, inode in rows.fetchall():
        found = entry_stats(root, other)
        if found is not None and found[2] == key[2]:
            out.stored.setdefault(other, (size, mtime_ns, inode))
            now[other] = found
            out.folders.add(_folder(other))


def _folder(rel: str) -> str:
    """The folder prefix of `entries/2024/01/x.toml` (`2024/01/`; "" for entries/ itself)."""
    head = rel[len("entries/") :].rpartition("/")[0]
    return f"{head}/" if head else ""


def unchanged(conn: sqlite3.Connection, root: Path, changes: Changes, before: int) -> bool:
    """Return whether the journal names nothing to re-read: linked entries only, with the stats stored."""
    if changes.files or changes.folders:
        return False
    for rel in changes.links:
        row = conn.execute("SELECT size, mtime_ns, inode FROM entries WHERE path = ?", (rel,)).fetchone()
        key = entry_stats(root, rel)
        if key is None or row is None or tuple(row) != key or racy(key[1], before):
            return False
    return True


def mark(conn: sqlite3.Connection, found: Plan, files: int, end: int, started_ns: int) -> None:
    """Leave the stored signatures to the next full walk and keep the new offset (in the caller's transaction)."""
    conn.executemany("UPDATE folders SET racy = 1 WHERE prefix = ?", [(p,) for p in found.folders])
    for prefix in found.trees:
        conn.execute("UPDATE folders SET racy = 1 WHERE prefix >= ? AND prefix < ?", (prefix, _after(prefix)))
    conn.executemany(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
        [
            ("signature", ""),
            ("racy", 1),
            ("files", files + found.added - len(found.removed)),
            ("started_ns", started_ns),
            ("watch_offset", end),
        ],
    )


def _stored_under(conn: sqlite3.Connection, prefix: str) -> dict[str, tuple[int, int, int]]:
    low = f"entries/{prefix}"
    rows = conn.execute(
        "SELECT path, size, mtime_ns, inode FROM entries WHERE path >= ? AND path < ?", (low, _after(low))
    )
    return {p: (s, m, i) for p, s, m, i in rows}


def _after(prefix: str) -> str:
    """The first string after every string that starts with `prefix` (which ends with "/")."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _walked(root: Path, prefix: str) -> bool:
    """Return whether the stat walk enters this folder: every step a real folder, none hidden."""
    path = os.path.join(root, "entries")
    for part in prefix.rstrip("/").split("/"):
        if not part or part[0] == ".":
            return False
        path = os.path.join(path, part)
        try:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                return False
        except OSError:
            return False
    return True


def debug(message: str) -> None:  # pragma: no cover - for LEDGER_DEBUG=1
    if os.environ.get("LEDGER_DEBUG"):
        print(f"ledger: index: {message}", file=sys.stderr)
