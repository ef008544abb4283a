"""The edge that writes entry files for `new`, `fmt` and `import`: one writer at a time.

Every write goes through `atomic.write_atomic` (temp file in the same folder, fsync, rename, file
mode kept), so a killed command leaves each file old or new, never half-written. What it can
leave is a temp file (`.NAME.*.tmp`, ignored by every reader because it starts with a dot);
the next writer removes those while it holds the ledger's write lock, when no other writer can
be using them.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ledger.core.errors import LedgerError, Problem
from ledger.store import atomic, files, lock

LOCK = ".ledger/write.lock"  # Windows only (see lock.exclusive_folder)


class WriteFailed(LedgerError):
    """The filesystem refused a write (full disk, no permission, a file in a folder's place)."""


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
    The lock is held on the ledger folder itself, not on a file of the `.ledger/` cache: the
    cache is documented as always safe to delete, also while another command writes.
    """
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(lock.exclusive_folder(root, root / LOCK))
        except lock.Busy:
            raise LedgerError("another ledger command is writing to this ledger; try again when it is done") from None
        except OSError as err:
            raise LedgerError(f"cannot lock the ledger folder {root.as_posix()}: {err.strerror}") from None
        yield remove_stale_temp_files(root)


def remove_stale_temp_files(root: Path) -> int:
    """Remove the temp files interrupted writes left behind (call only under the write lock)."""
    removed = 0
    for path in atomic.stale_temp_files(root):
        with contextlib.suppress(OSError):  # gone already, or a read-only folder: nothing to do
            path.unlink()
            removed += 1
    return removed


def create(root: Path, rel: str, text: str) -> bool:
    """Write a new entry file; return False (and write nothing) if it already exists.

    Raises WriteFailed when the folders on the way are not plain folders of the ledger (a
    link out of it, a file in a folder's place) or the filesystem refuses the write.
    """
    make_folders(root, rel)
    try:
        atomic.write_atomic(root / rel, text, exclusive=True)
    except FileExistsError:
        return False
    except OSError as err:
        raise WriteFailed(f"cannot write {rel}: {err.strerror or err}") from None
    return True


def replace(root: Path, rel: str, text: str, expected: str) -> bool:
    """Rewrite a file atomically unless it changed since it was read as `expected`."""
    current, _ = files.read_text(root, rel)
    if current != expected:
        return False
    try:
        atomic.write_atomic(root / rel, text)
    except OSError as err:
        raise WriteFailed(f"cannot write {rel}: {err.strerror or err}; the file is unchanged") from None
    return True


def make_folders(root: Path, rel: str) -> None:
    """Make the folders of `rel` inside the ledger, refusing any that would lead out of it.

    The walk never follows a link to a folder, so an entry written through one would land
    outside the ledger (or where no command sees it): every existing folder from the ledger
    down must be a real folder, not a link and not a file.
    """
    parts = rel.split("/")[:-1]
    path = root
    for depth, part in enumerate(parts, start=1):
        path = path / part
        shown = "/".join(parts[:depth])
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            break
        except OSError as err:
            raise WriteFailed(f"cannot write {rel}: {shown}: {err.strerror}") from None
        if stat.S_ISLNK(st.st_mode):
            raise WriteFailed(
                f"cannot write {rel}: {shown} is a symbolic link; entries are written only in real folders of the ledger"
            )
        if not stat.S_ISDIR(st.st_mode):
            raise WriteFailed(f"cannot write {rel}: {shown} is a file, not a folder")
    try:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise WriteFailed(f"cannot create the folder of {rel}: {err.strerror or err}") from None
