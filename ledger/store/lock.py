"""An exclusive lock on a file, with the same meaning on Linux, macOS and Windows.

The lock belongs to an open handle of the lock file: a second holder (another process, or
another handle in this one) cannot take it until the first lets go, and the operating system
lets go when the holder ends, however it ends (no stale lock to clean up by hand). POSIX
systems use `flock`; Windows locks the file's first byte with `msvcrt.locking`. The lock
file itself is never removed: it is the meeting point, and removing it would let two
holders lock two different files.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

POLL = 0.02  # seconds between tries while waiting


class Busy(Exception):
    """Another holder has the lock (and kept it for as long as we were willing to wait)."""


@contextlib.contextmanager
def exclusive(path: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the exclusive lock on `path` (created if absent); wait up to `wait` seconds, then raise Busy.

    OSError if the lock file cannot be created or locked for another reason.
    """
    with _holding(os.open(path, os.O_RDWR | os.O_CREAT, 0o666), wait, str(path)):
        yield


@contextlib.contextmanager
def exclusive_folder(folder: Path, fallback: Path) -> Iterator[None]:
    """Hold the exclusive lock on a folder itself, without waiting (Busy if another holds it).

    POSIX locks the open folder: nothing can be deleted from under the lock. Windows cannot
    lock a folder; it locks the file `fallback` (created, with its folder), which Windows
    itself keeps anyone from deleting while it is open.
    """
    if sys.platform == "win32":
        fallback.parent.mkdir(parents=True, exist_ok=True)
        with exclusive(fallback):
            yield
        return
    with _holding(os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)), 0, str(folder)):
        yield


@contextlib.contextmanager
def _holding(fd: int, wait: float, name: str) -> Iterator[None]:
    """Lock the open file `fd` (waiting up to `wait` seconds, then Busy), yield, unlock, close it."""
    try:
        deadline = time.monotonic() + wait
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise Busy(name)
            time.sleep(POLL)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as err:
            # EACCES / EDEADLOCK: locked by another handle (LK_NBLCK tries once, it does not wait)
            if err.errno in (errno.EACCES, errno.EDEADLOCK):
                return False
            raise
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
