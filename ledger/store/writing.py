"""The edge that writes entry files for `new`, `fmt` and `import`: one writer at a time.

Every write goes through `files.write_atomic` (temp file in the same folder, fsync, rename, file
mode kept), so a killed command leaves each file old or new, never half-written. What it can
leave is a temp file (`.NAME.*.tmp`, ignored by every reader because it starts with a dot);
the next writer removes those while it holds the ledger's write lock, when no other writer can
be using them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ledger.core.errors import LedgerError, Problem
from ledger.store import files, lock

LOCK = ".ledger/write.lock"


@dataclass(frozen=True, slots=True)
class Created:
    """A new entry: its path and text, what the checks found, and whether it was written."""

    rel: str
    text: str
    problems: tuple[Problem, ...]
    written: bool


@contextlib.contextmanager
def write_lock(root: Path) -> Iterator[int]:
    """Hold the ledger's write lock; remove temp files of interrupted writes; yield how many.

    A second writer does not wait: it stops at once with a LedgerError (on every platform).
    """
    path = root / LOCK
    with contextlib.ExitStack() as stack:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            stack.enter_context(lock.exclusive(path))
        except lock.Busy:
            raise LedgerError(f"another ledger command is writing to this ledger (lock: {LOCK})") from None
        except OSError as err:
            raise LedgerError(f"cannot take the write lock {path.as_posix()}: {err.strerror}") from None
        yield remove_stale_temp_files(root)


def remove_stale_temp_files(root: Path) -> int:
    """Remove the temp files interrupted writes left behind (call only under the write lock)."""
    removed = 0
    for path in files.stale_temp_files(root):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed += 1
    return removed


def create(root: Path, rel: str, text: str) -> bool:
    """Write a new entry file; return False (and write nothing) if it already exists."""
    try:
        files.write_atomic(root / rel, text, exclusive=True)
    except FileExistsError:
        return False
    return True


def replace(root: Path, rel: str, text: str, expected: str) -> bool:
    """Rewrite a file atomically unless it changed since it was read as `expected`."""
    current, _ = files.read_text(root, rel)
    if current != expected:
        return False
    files.write_atomic(root / rel, text)
    return True
