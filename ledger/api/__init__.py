"""The library's front door: `Ledger` wires the edges (files, index, git) to the pure core.

One module per concern: `ledger` (the class), `loader` (one file -> a checked entry),
`parallel` (work on every core), `indexing` (the index opened, built on all cores, refreshed),
`validation`, `timetravel` (`--as-of`), `gitsetup`, `authoring` (new entries), `fmt`
(formatting targets), `imports` (reading other datasets, export), `lookup` (ids and paths the
user typed), `chronology` (timeline, stats, dupes, chains), `timelines` (a timeline written by
its quickest road), `diffing` (ledger diff with a query) and `schemas` (the published schemas).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ledger.api.ledger import Ledger
    from ledger.api.loader import Loaded, load_bytes, load_file, load_text
    from ledger.api.parallel import PARALLEL_THRESHOLD, map_chunks
    from ledger.api.schemas import schema_text
    from ledger.api.validation import Checked, ValidationReport
    from ledger.reports.sources import COLUMNS as SOURCE_COLUMNS

#: name -> (module, name there): loaded on first use, so that importing one light module of the
#: api (the completion, the `new` form) does not load the whole library (start-up counts).
_LAZY = {
    "Ledger": ("ledger.api.ledger", "Ledger"),
    "Loaded": ("ledger.api.loader", "Loaded"),
    "load_bytes": ("ledger.api.loader", "load_bytes"),
    "load_file": ("ledger.api.loader", "load_file"),
    "load_text": ("ledger.api.loader", "load_text"),
    "PARALLEL_THRESHOLD": ("ledger.api.parallel", "PARALLEL_THRESHOLD"),
    "map_chunks": ("ledger.api.parallel", "map_chunks"),
    "schema_text": ("ledger.api.schemas", "schema_text"),
    "Checked": ("ledger.api.validation", "Checked"),
    "ValidationReport": ("ledger.api.validation", "ValidationReport"),
    "SOURCE_COLUMNS": ("ledger.reports.sources", "COLUMNS"),
}
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


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'ledger.api' has no attribute {name!r}")
    module, attribute = _LAZY[name]
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value
