"""Formatting targets: which files `ledger fmt` lays out, and laying them out on all cores under the write lock."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ledger.api.loader import load_text
from ledger.api.parallel import map_chunks
from ledger.store import files
from ledger.store.formatting import LEFT_ALONE, REFORMATTED

__all__ = ["LEFT_ALONE", "REFORMATTED", "Tally", "format_files", "targets"]


def format_files(
    root: Path, paths: Iterable[str | os.PathLike[str]] = (), *, write: bool = True, keep_text: bool = False
) -> Iterator[Any]:
    """Lay out entry files canonically (all, or those under `paths`); yield `formatting.Formatted`."""
    import contextlib

    from ledger.store import formatting, writing

    rels = targets(root, paths)
    with writing.write_lock(root) if write else contextlib.nullcontext():
        for chunk in map_chunks(
            formatting.format_rels, rels, root=root, write=write, keep_text=keep_text, check=load_text
        ):
            yield from chunk


def targets(root: Path, paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Return the entry files under `paths` (every entry file when none)."""
    given = list(paths)
    if not given:
        return [f.rel for f in files.walk(root)]
    return files.targets(root, given)


@dataclass
class Tally:
    """The files `fmt` met, counted by outcome; `check`: a file to reformat is a finding; `dry`: nothing written."""

    check: bool
    dry: bool
    counts: dict[str, int] = field(default_factory=lambda: {REFORMATTED: 0, LEFT_ALONE: 0, "unchanged": 0})

    def add(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1

    @property
    def found(self) -> bool:
        """Whether a file was left alone or (`check`) would be reformatted: exit 1."""
        return bool(self.counts[LEFT_ALONE] or (self.check and self.counts[REFORMATTED]))

    def summary(self) -> str:
        """`2 files reformatted, 5 unchanged, 0 left alone`."""
        from ledger.output.render import plural

        verb = "would be reformatted" if self.dry else "reformatted"
        reformatted, unchanged, left = self.counts[REFORMATTED], self.counts["unchanged"], self.counts[LEFT_ALONE]
        return f"{plural(reformatted, 'file')} {verb}, {unchanged} unchanged, {left} left alone"
