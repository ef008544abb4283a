"""The stat walk behind the index: every entry file's (size, mtime_ns, inode), folder by folder.

A query on an unchanged ledger pays for this walk and little else, so it is lean: the
folder listing tells plain files apart without a system call, the per-file work is done
by C iterators, and on a big ledger a forked helper stats half of the folders (the kernel's
work is what costs; it runs on two cores). The walk yields exactly the files `files.walk`
yields, and the `*.toml` names it reports as not entries (a test holds it to that): hidden
names skipped, links followed only inside the ledger; the others become invalid rows, counted.
"""

from __future__ import annotations

import contextlib
import operator
import os
import stat
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RACY_NS = 100_000_000  # files modified this close to a refresh are re-read at the next one
COARSE_RACY_NS = 2_000_000_000  # the same where timestamps are whole seconds (FAT, HFS+, old ext)


def racy(mtime_ns: int, started_ns: int) -> bool:
    """Return whether a file's stats may not show a later edit made in the same clock tick."""
    window = RACY_NS if mtime_ns % 1_000_000_000 else COARSE_RACY_NS
    return mtime_ns >= started_ns - window


@dataclass(slots=True)
class Folder:
    """One folder under entries/: its entry files and a signature of their stats and its own."""

    prefix: str  # relative to entries/, with a trailing slash ("" for entries/ itself)
    acc: int = 0
    newest_ns: int = 0
    names: list[str] = field(default_factory=list)
    stats: list[Any] = field(default_factory=list)  # stat results, or (size, mtime_ns, inode)

    @property
    def signature(self) -> str:
        return f"{len(self.names)}:{self.acc & 0xFFFFFFFFFFFFFFFF:x}"


class Scan:
    """The entry files, folder by folder, with signatures that change when any stat does.

    A query on an unchanged ledger needs the overall signature alone; a refresh compares
    folder signatures and looks at the files of the folders that differ.
    """

    def __init__(self, root: Path, started_ns: int) -> None:
        self.root = root
        self.started_ns = started_ns
        self.folders: dict[str, Folder] = {}
        self.child: _Child | None = None
        self.theirs: dict[str, tuple[str, int]] = {}  # the helper's folders: signature, newest
        self._real_root: str | None = None
        self.watch: tuple[str, int] | None = None  # a live watcher's session and journal offset, taken before

    @property
    def count(self) -> int:
        return sum(len(f.names) for f in self.folders.values()) + sum(
            int(sig.split(":", 1)[0]) for sig, _ in self.theirs.values()
        )

    @property
    def signature(self) -> str:
        total = sum(f.acc for f in self.folders.values()) + sum(
            int(s.split(":")[1], 16) for s, _ in self.theirs.values()
        )
        return f"{self.count}:{total & 0xFFFFFFFFFFFFFFFF:x}"

    @property
    def newest_ns(self) -> int:
        return max([f.newest_ns for f in self.folders.values()] + [n for _, n in self.theirs.values()] + [0])

    @property
    def racy(self) -> bool:
        """Return whether a file or folder changed so recently that a later edit could keep its stats."""
        return racy(self.newest_ns, self.started_ns)

    def signatures(self) -> dict[str, tuple[str, int]]:
        """Return each folder's signature and newest mtime."""
        out = {p: (f.signature, f.newest_ns) for p, f in self.folders.items()}
        out.update(self.theirs)
        return out

    def files(self, prefixes: Iterable[str] | None = None) -> dict[str, tuple[int, int, int]]:
        """Return path -> (size, mtime_ns, inode) of the files in the given folders (default: all)."""
        wanted = set(self.signatures()) if prefixes is None else set(prefixes)
        remote = sorted(wanted & set(self.theirs))
        if remote and self.child is not None:
            child, self.child = self.child, None
            try:
                for prefix, (names, stats) in child.details(remote).items():
                    self.folders[prefix] = Folder(prefix, 0, 0, names, stats)
            except (OSError, EOFError, ValueError, TypeError):  # the helper failed: do its part here
                self.walk([(p, os.path.join(self.root, "entries", p)) for p in remote])
        out = {}
        for prefix in wanted:
            folder = self.folders.get(prefix)
            if folder is not None:
                for name, st in zip(folder.names, folder.stats, strict=True):
                    out[f"entries/{prefix}{name}"] = st if type(st) is tuple else _key(st)
        return out

    def close(self) -> None:
        """Let a helper process go (when the signatures were enough)."""
        if self.child is not None:
            self.child.close()
            self.child = None

    def walk(self, stack: list[tuple[str, str]], depth: int | None = None) -> list[tuple[str, str]]:
        """Stat the files under the given folders; return the folders found at `depth`, unvisited."""
        deeper: list[tuple[str, str]] = []
        while stack:
            prefix, path = stack.pop()
            try:
                fd, st = _open_folder(path)
            except OSError:
                continue
            try:
                acc = hash((st.st_mtime_ns, st.st_ino))  # renames, additions, removals show here
                names: list[str] = []
                stats: list[os.stat_result] = []
                with os.scandir(fd) as it:
                    for item in it:  # the hot loop of every query: keep it lean
                        name = item.name
                        if name.endswith(".toml"):
                            if name[0] == ".":
                                continue
                            if item.is_file(follow_symlinks=False):  # from the folder listing: no system call
                                try:
                                    stats.append(item.stat(follow_symlinks=False))
                                except OSError:
                                    continue  # gone since the listing
                                names.append(name)
                            else:
                                self._odd(item, prefix, path, names, stats, stack)
                        elif name[0] != "." and item.is_dir(follow_symlinks=False):
                            below = (f"{prefix}{name}/", f"{path}/{name}")
                            if depth is not None and prefix.count("/") + 1 >= depth:
                                deeper.append(below)
                            else:
                                stack.append(below)
                acc += sum(map(hash, map(_STATS, stats)))
                # ctime too: an edit behind a restored mtime (`touch -r`) is as recent as its ctime
                newest = max(st.st_mtime_ns, max(map(_MTIME, stats), default=0))
                newest = max(newest, max(map(_CTIME, stats), default=newest))
                self.folders[prefix] = Folder(prefix, acc, newest, names, stats)
            finally:
                if isinstance(fd, int):
                    os.close(fd)
        return deeper

    def _odd(
        self,
        item: os.DirEntry[str],
        prefix: str,
        path: str,
        names: list[str],
        stats: list[Any],
        stack: list[tuple[str, str]],
    ) -> None:
        """Take in a `*.toml` that is not a plain file: a link followed when it stays inside, else left out.

        Whatever is not followed (a broken link, a link out of the ledger or to a folder, a
        folder, a FIFO) is listed too, with stats that change when it could become an entry:
        the index stores it as an invalid file (`files.entry_problem` says why), so the
        "left out" count comes from this one scan. A folder is also walked.
        """
        st: os.stat_result | _Odd
        if item.is_symlink():
            try:
                st = item.stat()  # the target's: an edit there shows
                if not (stat.S_ISREG(st.st_mode) and self._inside(f"{path}/{item.name}")):
                    st = _Odd(st)
            except OSError:
                try:
                    st = _Odd(item.stat(follow_symlinks=False))  # broken: the link's own
                except OSError:
                    return  # gone since the listing
        else:
            try:
                st = _Odd(item.stat(follow_symlinks=False))
            except OSError:
                return
            if stat.S_ISDIR(st.st_mode):
                stack.append((f"{prefix}{item.name}/", f"{path}/{item.name}"))
        names.append(item.name)
        stats.append(st)

    def _inside(self, path: str) -> bool:
        self._real_root = self._real_root or os.path.realpath(self.root)
        return os.path.realpath(path).startswith(self._real_root + os.sep)


class _Odd:
    """The stats of a `*.toml` the scan lists but does not follow: the size is negated, so the key
    of an odd file never equals that of a followed one (a link that becomes good is re-read)."""

    __slots__ = ("st_ctime_ns", "st_ino", "st_mode", "st_mtime_ns", "st_size")

    def __init__(self, st: os.stat_result) -> None:
        self.st_mode, self.st_size = st.st_mode, -1 - st.st_size
        self.st_mtime_ns, self.st_ctime_ns, self.st_ino = st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def _open_folder(path: str) -> tuple[int | str, os.stat_result]:
    """Open a folder to stat and list: by descriptor (one folder, even if renamed meanwhile), by path on Windows."""
    if sys.platform == "win32":  # no O_DIRECTORY, and scandir takes no descriptor there
        return path, os.stat(path)
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return fd, os.fstat(fd)
    except BaseException:
        os.close(fd)
        raise


PARALLEL_SCAN = 20_000  # files; below this a helper process costs more than it saves
PARALLEL_FOLDERS = 24  # second-level folders, when the number of files is not known yet
# ctime is in the signature too: tools that restore mtimes (`touch -r`, `rsync -t --inplace`,
# `tar -x`) change content without changing size or mtime, but they cannot set ctime.
_STATS = operator.attrgetter("st_size", "st_mtime_ns", "st_ctime_ns", "st_ino")
_MTIME = operator.attrgetter("st_mtime_ns")
_CTIME = operator.attrgetter("st_ctime_ns")


def _key(st: os.stat_result) -> tuple[int, int, int]:
    """Return what the index keeps of a file's stats: (size, the later of mtime and ctime, inode)."""
    return (st.st_size, max(st.st_mtime_ns, st.st_ctime_ns), st.st_ino)


def entry_stats(root: Path, rel: str) -> tuple[int, int, int] | None:
    """Return the stats the walk would give one path under entries/ (`entries/2024/01/x.toml`), None if not listed.

    The same rules as the walk: hidden names and other suffixes skipped, a folder on the way
    that is hidden or a link (the walk does not enter it) leaves the path out, links followed
    only inside the ledger. The file-system monitor's path re-reads what changed through this.
    """
    parts = rel.split("/")
    if parts[0] != "entries" or len(parts) < 2 or not parts[-1].endswith(".toml"):
        return None
    if any(not part or part[0] == "." or part in ("..",) for part in parts[1:]):
        return None
    path = os.path.join(root, "entries")
    for part in parts[1:-1]:
        path = f"{path}/{part}"
        try:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                return None
        except OSError:
            return None
    found = Scan(root, 0)
    names: list[str] = []
    stats: list[Any] = []
    try:
        st = os.lstat(f"{path}/{parts[-1]}")
    except OSError:
        return None
    if stat.S_ISREG(st.st_mode):
        return _key(st)
    with os.scandir(path) as it:
        for item in it:
            if item.name == parts[-1]:
                found._odd(item, "", path, names, stats, [])
                break
    return _key(stats[0]) if stats else None


def scan(root: Path, expected: int | None = 0) -> Scan:
    """Stat every entry file under entries/ (the files `files.walk` yields), on two cores when many.

    `expected` is the number of files the last scan found (None: unknown, then the number of
    YYYY/MM-like folders decides).
    """
    found = Scan(root, time.time_ns())
    start = [("", os.path.join(root, "entries"))]
    if (expected is not None and expected < PARALLEL_SCAN) or not _can_fork():
        found.walk(start)
        return found
    pending = found.walk(start, depth=2)
    if expected is None and len(pending) < PARALLEL_FOLDERS:
        found.walk(pending)
        return found
    mine, theirs = pending[0::2], pending[1::2]
    found.child = _Child.start(found, theirs)
    found.walk(mine)
    if found.child is not None:
        summary = found.child.summary()
        if summary is None:
            found.child = None
        else:
            found.theirs = summary
    if found.child is None:
        found.walk(theirs)
    return found


def _can_fork() -> bool:
    import threading

    return sys.platform.startswith("linux") and (os.cpu_count() or 1) > 1 and threading.active_count() == 1


class _Child:
    """A forked helper: stats half of the folders, sends their signatures, then files on request."""

    def __init__(self, pid: int, results: int, orders: int) -> None:
        self.pid, self.results, self.orders = pid, results, orders

    @classmethod
    def start(cls, found: Scan, folders: list[tuple[str, str]]) -> _Child | None:
        if sys.platform == "win32":  # no fork there (`_can_fork` never lets it come to this)
            return None
        try:
            results_r, results_w = os.pipe()
            orders_r, orders_w = os.pipe()
            pid = os.fork()
        except OSError:
            return None
        if pid == 0:  # the helper: never returns
            code = 1
            try:
                os.close(results_r)
                os.close(orders_w)
                mine = Scan(found.root, found.started_ns)
                mine.walk(folders)
                _send(results_w, {p: (f.signature, f.newest_ns) for p, f in mine.folders.items()})
                asked = _receive(orders_r)
                if asked:
                    stats = {
                        p: (
                            mine.folders[p].names,
                            [_key(s) for s in mine.folders[p].stats],
                        )
                        for p in asked
                    }
                    _send(results_w, stats)
                code = 0
            finally:
                os._exit(code)
        os.close(results_w)
        os.close(orders_r)
        return cls(pid, results_r, orders_w)

    def summary(self) -> dict[str, tuple[str, int]] | None:
        """Return the helper's folder signatures (None: it failed, walk its half yourself)."""
        try:
            return dict(_receive(self.results))
        except (OSError, EOFError, ValueError, TypeError):
            self.close()
            return None

    def details(self, prefixes: list[str]) -> dict[str, tuple[list[str], list[Any]]]:
        """Return the names and stats of the files in some of the helper's folders."""
        try:
            _send(self.orders, prefixes)
            os.close(self.orders)
            return dict(_receive(self.results))
        finally:
            self.close()

    def close(self) -> None:
        for fd in (self.orders, self.results):
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _send(fd: int, value: Any) -> None:
    import marshal

    data = marshal.dumps(value)
    view = memoryview(len(data).to_bytes(8, "big") + data)
    while view:
        view = view[os.write(fd, view) :]


def _receive(fd: int) -> Any:
    import marshal

    data = b""
    while chunk := os.read(fd, 1 << 20):
        data += chunk
        if len(data) >= 8 and len(data) >= 8 + int.from_bytes(data[:8], "big"):
            break
    if not data:
        return None  # nothing sent: the helper was let go, or failed before it could say
    size = int.from_bytes(data[:8], "big")
    if len(data) < 8 or len(data) < 8 + size:
        raise EOFError("the helper stopped early")
    return marshal.loads(data[8 : 8 + size])
