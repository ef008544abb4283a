"""`ledger watch`: a file-system monitor (Linux inotify) that journals every change under entries/.

Commands then skip the stat walk: they read what changed since their index's token from
`.ledger/watch.journal` (the format, the liveness lock and the sync cookie: `journal`).
inotify is reached through `ctypes` on the C library (three calls: `inotify_init1`,
`inotify_add_watch`, `inotify_rm_watch`; events come from `read`), so no dependency.

Each folder under entries/ that the stat walk enters (not hidden, not a link) has a watch,
added before its contents are listed, so nothing made in a new folder is missed: the folder is
journalled (`D`) after its watch is in place, and commands walk it whole. Anything the
monitor cannot vouch for ends the session (`X`): a queue overflow or an unmount starts a new
one from a fresh walk of the folders; entries/ itself moving or going ends the watcher.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import stat
import struct
from collections.abc import Callable
from pathlib import Path

from ledger.core.errors import LedgerError
from ledger.store import lock
from ledger.store.atomic import write_atomic
from ledger.store.journal import CLOEXEC, COOKIE, FOLDER, JOURNAL, LOCK, MAGIC

IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE = 0x2, 0x4, 0x8
IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x40, 0x80, 0x100, 0x200
IN_DELETE_SELF, IN_MOVE_SELF, IN_UNMOUNT, IN_Q_OVERFLOW, IN_IGNORED = 0x400, 0x800, 0x2000, 0x4000, 0x8000
IN_ONLYDIR, IN_DONT_FOLLOW, IN_ISDIR = 0x01000000, 0x02000000, 0x40000000
MASK = (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE) | (
    IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW
)
GONE = IN_DELETE | IN_MOVED_FROM
CAME = IN_CREATE | IN_MOVED_TO
EVENT = struct.Struct("iIII")  # wd, mask, cookie, len; then the name, NUL-padded
MAX_JOURNAL = 16 << 20  # bytes: a longer journal starts a new session (commands walk once)
NETWORK = {0x6969: "NFS", 0xFF534D42: "CIFS", 0xFE534D42: "SMB2", 0x517B: "SMB", 0x65735546: "FUSE", 0x01021997: "9p"}


class Stopped(Exception):
    """entries/ itself went away: nothing left to watch."""


class Watcher:
    """The watches of one ledger's entries/ folder and the journal they feed."""

    def __init__(self, root: Path, note: Callable[[str], None] = print) -> None:
        self.root = root
        self.entries = os.path.join(root, "entries")
        self.journal = root / FOLDER / JOURNAL
        self.note = note
        self.libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        self.fd = -1
        self.out = -1
        self.size = 0
        self.paths: dict[int, str] = {}  # watch -> folder prefix under entries/ ("" for entries/, else "2024/01/")
        self.linked: set[str] = set()  # entries that are symbolic or hard links: compared at every sync
        self.root_wd = -1
        self.identity: tuple[int, int] | None = None  # entries/ as its path found it when the watch began

    def start(self) -> None:
        """Watch every folder, then open a new session's journal (only then can commands trust it)."""
        fd = self.libc.inotify_init1(CLOEXEC)
        if fd < 0:
            raise self._error("cannot start inotify")
        self.fd, self.paths, self.linked = fd, {}, set()
        self.root_wd = self._watch_tree("")
        self.identity = _identity(self.entries)
        session = os.urandom(8).hex()
        write_atomic(self.journal, f"{MAGIC.decode()}{session} {os.getpid()}\n")
        self.out = os.open(self.journal, os.O_WRONLY | os.O_APPEND | CLOEXEC)
        self.size = os.fstat(self.out).st_size

    def end(self, reason: str = "") -> None:
        """Close the session: `X` in the journal (commands stop trusting it), the watches dropped."""
        if self.out >= 0:
            with contextlib.suppress(OSError):
                os.write(self.out, b"X\n")
            os.close(self.out)
            self.out = -1
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if reason:
            self.note(f"watch: {reason}: a new session begins (commands walk the files once)")

    def run(self) -> None:
        """Journal events until interrupted (or until entries/ itself goes: Stopped)."""
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except InterruptedError:  # pragma: no cover - PEP 475 retries
                continue
            lines = self.handle(data)
            if lines is None:
                self.end("the kernel's event queue overflowed")
                self.start()
                continue
            if os.fstat(self.out).st_size != self.size:  # cut or written by another: offsets no longer hold
                self.end("the journal was changed by another process")
                self.start()
                continue
            if lines:
                text = "".join(lines).encode("utf-8", "surrogateescape")
                view = memoryview(text)
                while view:
                    view = view[os.write(self.out, view) :]
                self.size += len(text)
                for line in lines:
                    if line.startswith("C "):
                        with contextlib.suppress(OSError):
                            os.unlink(os.path.join(self.entries, line[2:-1]))
            if self.size > MAX_JOURNAL:
                self.end("the journal is full")
                self.start()

    def handle(self, data: bytes) -> list[str] | None:
        """Return the journal lines for a batch of events (None: events were lost, start again)."""
        lines: list[str] = []
        at = 0
        while at < len(data):
            wd, mask, _, size = EVENT.unpack_from(data, at)
            name = data[at + EVENT.size : at + EVENT.size + size].rstrip(b"\0").decode("utf-8", "surrogateescape")
            at += EVENT.size + size
            if mask & (IN_Q_OVERFLOW | IN_UNMOUNT):
                return None
            prefix = self.paths.get(wd)
            if prefix is None:
                continue  # a watch let go of on purpose (its folder moved): the folder's D covers it
            if wd == self.root_wd and mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED):
                raise Stopped("entries/ was moved or removed")
            if mask & IN_IGNORED:  # a folder's watch went with it
                del self.paths[wd]
                lines.append(f"D {prefix}\n")
                continue
            if prefix.endswith(".toml/"):
                lines.append(f"F {prefix[:-1]}\n")  # a folder named like an entry is listed: its stats changed
            if not name:
                continue
            if name[0] == ".":
                if wd == self.root_wd and mask & IN_CREATE and name.startswith(COOKIE) and "\n" not in name:
                    if _identity(self.entries) != self.identity:  # new folders would be watched by a stale path
                        raise Stopped(
                            "the ledger folder moved or entries/ was replaced: run `ledger watch` where it is now"
                        )
                    lines.extend(f"L {rel}\n" for rel in sorted(self.linked))
                    lines.append(f"C {name}\n")
                continue  # hidden: never an entry, never walked
            rel = prefix + name
            if "\n" in name:  # a name the journal's lines cannot hold
                if mask & IN_ISDIR and mask & CAME:
                    raise Stopped(f"a folder name with a line break: {rel!r}")
                lines.append(f"D {prefix}\n")  # a file's: its folder is walked whole instead
                continue
            if mask & IN_ISDIR:
                if mask & CAME:
                    self._watch_tree(rel + "/")
                elif mask & GONE:
                    self._unwatch(rel + "/")
                if mask & (CAME | GONE):
                    lines.append(f"D {rel}/\n")
                if name.endswith(".toml"):
                    lines.append(f"F {rel}\n")
                continue
            if not name.endswith(".toml"):
                continue
            if mask & GONE:
                self.linked.discard(rel)
            else:
                self._classify(rel)
            lines.append(f"F {rel}\n")
        return lines

    def _classify(self, rel: str) -> None:
        """Remember an entry that is a link (its target's edits show elsewhere) or forget one that is not."""
        try:
            st = os.lstat(os.path.join(self.entries, rel))
        except OSError:
            self.linked.discard(rel)
            return
        if stat.S_ISLNK(st.st_mode) or (stat.S_ISREG(st.st_mode) and st.st_nlink > 1):
            self.linked.add(rel)
        else:
            self.linked.discard(rel)

    def _watch_tree(self, prefix: str) -> int:
        """Watch a folder and every folder the stat walk would enter below it; return the first watch."""
        first = -1
        stack = [prefix]
        while stack:
            here = stack.pop()
            path = os.path.join(self.entries, here) if here else self.entries
            mask = MASK if here else MASK & ~IN_DONT_FOLLOW  # entries/ itself may be a link, as the walk allows
            wd = self.libc.inotify_add_watch(self.fd, os.fsencode(path), mask)
            if wd < 0:
                code = ctypes.get_errno()
                if code in (errno.ENOENT, errno.ENOTDIR) and here:
                    continue  # gone again already: its parent's event says so
                raise self._error(f"cannot watch {path}", code)
            self.paths[wd] = here
            first = wd if first < 0 else first
            if "\n" in here:
                raise Stopped(f"a folder name with a line break: {here!r}")
            try:
                items = list(os.scandir(path))
            except OSError:
                continue
            for item in items:
                if item.name[0] == ".":
                    continue
                if item.is_dir(follow_symlinks=False):  # a folder named with a line break: Stopped above
                    stack.append(f"{here}{item.name}/")
                elif item.name.endswith(".toml"):
                    self._classify(here + item.name)
        return first

    def _unwatch(self, prefix: str) -> None:
        """Let go of the watches of a folder that moved or went, and of everything below it."""
        for wd, here in list(self.paths.items()):
            if here.startswith(prefix):
                self.libc.inotify_rm_watch(self.fd, wd)  # EINVAL when already gone: fine
                del self.paths[wd]
        self.linked = {rel for rel in self.linked if not rel.startswith(prefix)}

    def _error(self, what: str, code: int | None = None) -> LedgerError:
        code = ctypes.get_errno() if code is None else code
        hint = " (raise fs.inotify.max_user_watches)" if code == errno.ENOSPC else ""
        return LedgerError(f"watch: {what}: {os.strerror(code)}{hint}")


def _identity(path: str) -> tuple[int, int] | None:
    """The device and inode a path names now (None: it names nothing)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def network_file_system(path: str) -> str | None:
    """Return the name of the network file system `path` is on (inotify does not see others' edits), or None."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    buf = ctypes.create_string_buffer(256)  # struct statfs: f_type first
    if libc.statfs(os.fsencode(path), buf) != 0:
        return None
    kind = struct.unpack_from("l", buf.raw)[0] & 0xFFFFFFFF
    return NETWORK.get(kind)


def watch(root: Path, note: Callable[[str], None] = print) -> None:
    """Watch the ledger at `root` until interrupted: the body of `ledger watch` (Linux only).

    LedgerError when it cannot: another platform, another watcher on this ledger, no
    entries/ folder, a network file system, the kernel's watch limit.
    """
    import sys

    if not sys.platform.startswith("linux"):
        raise LedgerError("watch: only on Linux (inotify); elsewhere commands walk the files as before")
    entries = root / "entries"
    if not entries.is_dir():
        raise LedgerError(f"watch: no entries/ folder in {root}")
    remote = network_file_system(str(entries))
    if remote:
        raise LedgerError(f"watch: entries/ is on {remote}: edits from other machines would not be seen")
    folder = root / FOLDER
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.is_file() or not ignore.read_bytes().strip():
        write_atomic(ignore, "# the index is a cache: never commit it\n*\n")
    import signal

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # `kill PID` ends the session as Ctrl-C does
    try:
        with lock.exclusive(folder / LOCK, wait=0.5):  # a command checking for life holds it briefly
            _retire(folder / JOURNAL)
            _sweep(entries)
            watcher = Watcher(root, note)
            try:
                watcher.start()
                note(f"watch: watching {len(watcher.paths)} folders under {entries} (Ctrl-C stops)")
                watcher.run()
            except Stopped as err:
                raise LedgerError(f"watch: {err}: stopped") from None
            finally:
                watcher.end()
                with contextlib.suppress(OSError):
                    os.unlink(folder / JOURNAL)
    except lock.Busy:
        raise LedgerError("watch: another `ledger watch` is running for this ledger") from None


def _sweep(entries: Path) -> None:
    """Remove the cookies of commands killed while they waited on an earlier watcher (hidden, but in `git status`)."""
    with contextlib.suppress(OSError), os.scandir(entries) as items:
        for item in items:
            if item.name.startswith(COOKIE) and item.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(item.path)


def _retire(journal: Path) -> None:
    """End a dead watcher's session in its journal (a command reading it stops trusting it at once)."""
    with contextlib.suppress(OSError):
        fd = os.open(journal, os.O_WRONLY | os.O_APPEND | CLOEXEC)
        try:
            os.write(fd, b"X\n")
        finally:
            os.close(fd)
        os.unlink(journal)
