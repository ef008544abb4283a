"""What builds killed without a chance to clean up leave behind, found and removed.

A build writes its new index as `index.sqlite.PID.tmp` beside the old one and its part files
in a scratch folder `ledger-index-PID-*` of the temporary folder; Ctrl-C and SIGTERM clean up
after themselves, SIGKILL and a power cut do not. Whatever belongs to a process that is gone
is removed by the next build, under the index lock.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

from ledger.index.storage import DB_NAME

SCRATCH = "ledger-index-"  # + pid + "-": part files of a build, in the temporary folder


def remove_debris(folder: Path) -> int:
    """Remove what builds killed without a chance to clean up left (call under the index lock).

    A temporary index file (`index.sqlite.PID.tmp`) or scratch folder (`ledger-index-PID-*`)
    whose process is gone is debris; Ctrl-C and SIGTERM clean up after themselves.
    """
    removed = 0
    for path in folder.glob(f"{DB_NAME}.*.tmp"):
        if not _alive(path.name[len(DB_NAME) + 1 : -len(".tmp")]):
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
    with contextlib.suppress(OSError), os.scandir(tempfile.gettempdir()) as items:
        for item in items:
            if item.name.startswith(SCRATCH) and item.is_dir(follow_symlinks=False):
                pid = item.name[len(SCRATCH) :].split("-", 1)[0]
                if not _alive(pid) and _owned(item.stat(follow_symlinks=False)):
                    shutil.rmtree(item.path, ignore_errors=True)
                    removed += 1
    return removed


def _owned(st: os.stat_result) -> bool:
    """Return whether this user owns the file (Windows has no uids: the caller's other checks decide)."""
    if sys.platform == "win32":
        return True
    return st.st_uid == os.getuid()


def _alive(pid: str) -> bool:
    """Return whether a process id (as text) names a running process (True when unsure)."""
    if not pid.isdigit() or sys.platform == "win32":
        return True  # on Windows os.kill(pid, 0) does not ask: it terminates the process
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
