"""The library's front door: `Ledger` wires the edges (files, index, git) to the pure core.

One module per concern: `ledger` (the class), `loader` (one file -> a checked entry),
`parallel` (work on every core), `validation`, `timetravel` (`--as-of`), `gitsetup`,
`authoring` (new entries), `fmt` (formatting targets), `imports` (reading other datasets,
export), `lookup` (ids and paths the user typed), `chronology` (timeline, stats, dupes,
chains), `diffing` (ledger diff with a query) and `schemas` (the published schemas).
"""

from __future__ import annotations

from ledger.api.ledger import Ledger
from ledger.api.loader import Loaded, load_bytes, load_file, load_text
from ledger.api.parallel import PARALLEL_THRESHOLD, map_chunks
from ledger.api.schemas import schema_text
from ledger.api.validation import Checked, ValidationReport
from ledger.reports.sources import COLUMNS as SOURCE_COLUMNS

__all__ = [
    "PARALLEL_THRESHOLD",
    "SOURCE_COLUMNS",
    "Checked",
    "Ledger",
    "Loaded",
    "ValidationReport",
    "load_bytes",
    "load_file",
    "load_text",
    "map_chunks",
    "schema_text",
]
