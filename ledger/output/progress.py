"""Progress in phases on a terminal: one bar per phase of a long job (an import: checking, then writing)."""

from __future__ import annotations

from typing import TextIO

from ledger.output.render import ProgressBar


class Phases:
    """A progress callback `(phase, done, total)` drawing one bar per phase (the caller checks for a terminal).

    Jobs of fewer than MIN_ROWS rows draw nothing: they are over before a bar would help.
    """

    MIN_ROWS = 500

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.bar: ProgressBar | None = None
        self.phase = ""
        self.unfinished = False

    def __call__(self, phase: str, done: int, total: int) -> None:
        if total < self.MIN_ROWS:
            return
        bar = self.bar
        if bar is None or phase != self.phase:
            bar = self.bar = ProgressBar(self.stream, phase.ljust(8))
            self.phase = phase
        bar(done, total)
        self.unfinished = done < total

    def close(self) -> None:
        """End a bar's line if the import stopped before the bar was full."""
        if self.unfinished:
            self.stream.write("\n")
            self.unfinished = False
