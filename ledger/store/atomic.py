"""Atomic writes: a file is replaced whole or not at all, even when the machine stops mid-write.

Each write goes to a temp file beside the target (`.NAME.XXXXXXXX.tmp`), is flushed to the
disk, then renamed over the target (or linked, when it must not exist yet); the folder is
synced so the rename itself survives. An interrupted write leaves only its temp file, which
`stale_temp_files` finds and `ledger validate` reports.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from ledger.store.files import ENTRIES


def write_atomic(path: Path, text: str | bytes, *, exclusive: bool = False) -> None:
    """Write text (UTF-8, LF) or bytes via a temp file in the same folder, fsync and rename; keep the file mode.

    With `exclusive`, refuse (FileExistsError) when the target already exists.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = None
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        pass
    fd, tmp = _new_temp(path)
    try:
        data = text.encode("utf-8") if isinstance(text, str) else text
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        if exclusive:
            os.link(tmp, path)  # fails if the target exists: no overwrite race
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path.parent)


def _new_temp(path: Path) -> tuple[int, str]:
    """Create `.NAME.XXXXXXXX.tmp` beside `path`, open for writing.

    Created with mode 0o666, so the system applies the umask as it does to any new file
    (tempfile.mkstemp's 0o600 would need the umask read back, and reading it means setting it,
    which no thread may do while others create files).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    while True:
        tmp = str(path.parent / f".{path.name}.{os.urandom(4).hex()}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def stale_temp_files(root: Path) -> Iterator[Path]:
    """Yield temp files left by an interrupted write (`.NAME.*.tmp`)."""
    base = root / ENTRIES
    if base.is_dir():
        yield from base.rglob(".*.toml.*.tmp")
