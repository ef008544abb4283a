"""The ledger's index: opened once per `Ledger`, a cold build on every core, a refresh reported.

The index itself (`ledger.index`) is a cache of the files; this module wires it to the
ledger's folder and to the worker processes (`api.parallel`) that parse files into part files.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ledger.api.loader import file_rows
from ledger.api.parallel import map_chunks
from ledger.core.errors import LedgerError

if TYPE_CHECKING:
    from ledger.index import Index
    from ledger.query.view import Progress


@dataclass(frozen=True, slots=True)
class IndexReport:
    """What refreshing the index did: `how` is fresh, refreshed or rebuilt."""

    how: str
    files: int
    invalid: int
    reparsed: int
    removed: int
    seconds: float

    def summary(self) -> str:
        """Say what was done: `index: 12 entry files, 1 invalid (see `ledger validate`); up to date in 0.01 s`."""
        what = {"fresh": "up to date", "refreshed": f"refreshed: {self.reparsed} read, {self.removed} removed"}
        invalid = f", {self.invalid} invalid (see `ledger validate`)" if self.invalid else ""
        return f"index: {self.files} entry files{invalid}; {what.get(self.how, self.how)} in {self.seconds:.2f} s"


def open_index(root: Path, progress: Progress | None = None) -> Index:
    """Return the index of the ledger at `root`, whose cold builds parse files on all cores."""
    from ledger import index

    def build(items: list[tuple[int, str, int, int, int]], folder: str) -> Iterator[tuple[str, int]]:
        return map_chunks(_index_part, items, root=root, folder=folder)

    return index.Index(root, build, progress)


def refresh(idx: Index, invalid: Callable[[], int], *, rebuild: bool = False) -> IndexReport:
    """Bring an index in .ledger/ up to date (or rebuild it); LedgerError when it cannot be written.

    `invalid` counts the invalid entry files once the index is fresh (`Ledger.find(None).skipped`).
    """
    started = time.perf_counter()
    status = idx.open(rebuild=rebuild)  # kept for the count below: no second stat walk
    if status.how == "memory":
        idx.close()
        raise LedgerError(f"cannot write the index in {idx.folder.as_posix()} ({status.reason})")
    return IndexReport(
        status.how, status.files, invalid(), status.reparsed, status.removed, time.perf_counter() - started
    )


def _index_part(items: list[tuple[int, str, int, int, int]], *, root: Path, folder: str) -> tuple[str, int]:
    """Parse entry files into an index part file (in worker processes for many files)."""
    from ledger import index

    return index.write_part(folder, file_rows(items, root=root))
