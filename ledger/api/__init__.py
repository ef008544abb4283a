"""The library's front door: `Ledger` wires the edges (files, index, git) to the pure core.

One module per concern: `ledger` (the class), `loader` (one file -> a checked entry), `pool`
(work on every core), `validation`, `timetravel` (`--as-of`), `gitsetup`, `authoring`,
`fmt` (formatting targets) and `imports` (reading other datasets).
"""

from __future__ import annotations

from ledger.api.ledger import Ledger
from ledger.api.loader import Loaded, load_bytes, load_file, load_text
from ledger.api.parallel import PARALLEL_THRESHOLD, map_chunks
from ledger.api.validation import Checked, ValidationReport

__all__ = [
    "PARALLEL_THRESHOLD",
    "Checked",
    "Ledger",
    "Loaded",
    "ValidationReport",
    "load_bytes",
    "load_file",
    "load_text",
    "map_chunks",
]
