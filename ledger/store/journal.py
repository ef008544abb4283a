"""The file-system monitor's journal, as commands read it: is a watcher live, and what changed since a token.

`ledger watch` (`ledger.store.monitor`) holds an exclusive `flock` on `.ledger/watch.lock` for
its whole life (the kernel lets go however it ends, so a leftover file proves nothing) and
appends one line per change under entries/ to `.ledger/watch.journal`, which starts with its
session (random, new at every start and reset):

    ledger-watch 1 <session> <pid>
    F <path>      a file changed, appeared or went: re-read it (`entries/2024/01/x.toml`)
    L <path>      a linked entry (symbolic or hard link): compare its stats (edits elsewhere are not seen)
    D <prefix>    a folder appeared, went or moved: walk everything under it (`2024/01/`)
    C <name>      a command's sync cookie was seen: every change made before it is above it
    X             the session is over (overflow, reset, stop): trust nothing more in this file

A token is (session, byte offset after a line). `sync` proves the watcher live, creates a
cookie in entries/ (a hidden name: never an entry, deleted at once) and waits until the
watcher has journalled it: everything changed before the command started is then between
the token and the cookie. Anything unexpected (no watcher, another session, a truncated or
unreadable journal, an `X`, a timeout) answers None: the caller does the full stat walk.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

FOLDER = ".ledger"
JOURNAL = "watch.journal"
LOCK = "watch.lock"
COOKIE = ".ledger-cookie-"
MAGIC = b"ledger-watch 1 "
TIMEOUT = 2.0  # seconds a command waits for its cookie before walking (LEDGER_WATCH_TIMEOUT overrides)
KINDS = frozenset(b"FLDC")

if sys.platform == "win32":  # no inotify there: `live` says no watcher, and nothing below runs
    CLOEXEC = 0

    def pread(fd: int, size: int, offset: int) -> bytes:
        raise OSError("pread: not on this platform")

else:
    CLOEXEC = os.O_CLOEXEC
    pread = os.pread


@dataclass
class Changes:
    """What the journal says changed between a token and a command's cookie."""

    end: int  # the offset after the cookie's line: the next token
    files: set[str] = field(default_factory=set)  # re-read (entries/...)
    links: set[str] = field(default_factory=set)  # compare stats (entries/...)
    folders: set[str] = field(default_factory=set)  # walk whole (prefixes under entries/, with "/")

    @property
    def empty(self) -> bool:
        return not (self.files or self.links or self.folders)


def live(root: Path) -> bool:
    """Return whether a `ledger watch` holds the lock of this ledger now (Linux only)."""
    if not sys.platform.startswith("linux"):
        return False
    import fcntl

    try:
        fd = os.open(root / FOLDER / LOCK, os.O_RDONLY | CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True  # held: the watcher is alive
    except OSError:
        return False
    finally:
        os.close(fd)  # also lets go of our shared lock, if we got it
    return False


class Journal:
    """An open journal of a live watcher (close it)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.fd = os.open(root / FOLDER / JOURNAL, os.O_RDONLY | CLOEXEC)
        head = pread(self.fd, 200, 0)
        line, newline, _ = head.partition(b"\n")
        if not newline or not line.startswith(MAGIC):
            self.close()
            raise ValueError("not a journal")
        said = line[len(MAGIC) :].split(b" ")
        self.session = said[0].decode("ascii", "replace")
        self.pid = int(said[1]) if len(said) > 1 and said[1].isdigit() else 0  # the watcher's
        self.start = len(line) + 1

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)

    def position(self) -> int | None:
        """Return the offset after the last whole line (None: the session is over)."""
        size = os.fstat(self.fd).st_size
        tail = pread(self.fd, 4096, max(self.start, size - 4096))
        if tail.endswith(b"\nX\n") or tail == b"X\n":
            return None
        cut = tail.rfind(b"\n")
        return max(self.start, size - len(tail) + cut + 1) if cut >= 0 else self.start

    def read(self, start: int, end: int) -> bytes:
        chunks = []
        while start < end:
            chunk = pread(self.fd, min(end - start, 1 << 20), start)
            if not chunk:
                raise EOFError("the journal was truncated")
            chunks.append(chunk)
            start += len(chunk)
        return b"".join(chunks)

    def wait(self, start: int, name: str, timeout: float) -> int | None:
        """Return the offset after the line `C name` (None: timed out, or the session ended first)."""
        line = b"C " + name.encode() + b"\n"
        data = b""
        deadline = time.monotonic() + timeout
        pause = 0.0002
        polls = 0
        while True:
            chunk = pread(self.fd, 1 << 20, start + len(data))
            if chunk:
                data += chunk
                at = data.find(line)
                while at > 0 and data[at - 1] != 10:  # only a whole line counts
                    at = data.find(line, at + 1)
                if at >= 0:
                    return start + at + len(line)
                if b"\nX\n" in data or data.startswith(b"X\n"):
                    return None
                continue
            polls += 1
            if time.monotonic() > deadline or (polls % 25 == 0 and (not live(self.root) or halted(self.pid))):
                return None
            time.sleep(pause)
            pause = min(pause * 2, 0.005)

    def changes(self, start: int, end: int) -> Changes | None:
        """Parse the lines between two offsets (None: a line is not one the watcher writes)."""
        if start < self.start or end < start or (start > self.start and pread(self.fd, 1, start - 1) != b"\n"):
            return None
        found = Changes(end)
        sets = {"F": found.files, "L": found.links, "D": found.folders}
        for raw in self.read(start, end).split(b"\n")[:-1]:
            if len(raw) < 3 or raw[0] not in KINDS or raw[1] != 32:
                return None  # an X, or anything else
            kind, text = chr(raw[0]), raw[2:].decode("utf-8", "surrogateescape")
            if kind in sets:
                sets[kind].add(f"entries/{text}" if kind != "D" else text)
        return found


def halted(pid: int) -> bool:
    """Return whether a process is stopped (Ctrl-Z, SIGSTOP) or traced: it would not answer a cookie soon.

    Read from /proc (Linux, as inotify is); a process that cannot be read is not known halted.
    """
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            data = file.read()
    except OSError:
        return False
    close = data.rfind(b")")  # the command's name, in parentheses, may hold spaces
    return close > 0 and data[close + 2 : close + 3] in (b"T", b"t")


def open_journal(root: Path) -> Journal | None:
    """Return the journal of the live watcher of this ledger, or None."""
    if not live(root):
        return None
    try:
        return Journal(root)
    except (OSError, ValueError):
        return None


def token(root: Path) -> tuple[str, int] | None:
    """Return the live watcher's session and the journal's end (taken before a full stat walk), or None."""
    journal = open_journal(root)
    if journal is None:
        return None
    try:
        end = journal.position()
        return None if end is None else (journal.session, end)
    except OSError:
        return None
    finally:
        journal.close()


def sync(root: Path, session: str, start: int) -> tuple[Journal, int] | None:
    """Make sure the watcher has journalled every change made so far; return the journal and its end then.

    None when the journal cannot be trusted from `start` on (the caller walks): no live
    watcher, another session, a cookie that cannot be made or was not seen in time.
    """
    journal = open_journal(root)
    if journal is None:
        return None
    try:
        size = os.fstat(journal.fd).st_size
        if journal.session != session or not journal.start <= start <= size:  # another session, or cut short
            journal.close()
            return None
        if start > journal.start and pread(journal.fd, 1, start - 1) != b"\n":
            journal.close()
            return None
        if halted(journal.pid):  # Ctrl-Z in the watcher's terminal: it would answer no cookie
            journal.close()
            return None
        name = f"{COOKIE}{os.getpid()}-{os.urandom(6).hex()}"
        cookie = root / "entries" / name
        os.close(os.open(cookie, os.O_WRONLY | os.O_CREAT | os.O_EXCL | CLOEXEC, 0o644))
        try:
            end = journal.wait(start, name, float(os.environ.get("LEDGER_WATCH_TIMEOUT") or TIMEOUT))
        finally:
            with contextlib.suppress(OSError):
                os.unlink(cookie)  # the watcher removes it too, as soon as it has journalled it
    except (OSError, ValueError):
        journal.close()
        return None
    if end is None:
        journal.close()
        return None
    return journal, end
