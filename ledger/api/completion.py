"""Values for shell completion: entry ids, actors, places, tags and countries, read from the index file as it is.

Completion runs on every tab press, so nothing is loaded or built: the ledger is found as every
command finds it, and its index file, if there is one, is read. No ledger, no index, an index
of another version or one locked for longer than a moment all give nothing to complete.
"""

from __future__ import annotations

import os

from ledger.core.errors import LedgerError

#: What can be completed (`ledger.index.names.SQL` says how each is read).
KINDS = ("ids", "actors", "places", "tags", "countries")
LIMIT = 500  # a shell shows at most a few screens; the rest is found by typing more


def values(kind: str, prefix: str = "", ledger_dir: str | os.PathLike[str] | None = None) -> list[str]:
    """Return the `kind` values of the ledger's index that start with `prefix`, sorted, at most LIMIT.

    Case counts, as it does for the shells (typer keeps only the values that start with what was typed)."""
    from ledger.index import names
    from ledger.index.storage import DB_NAME, FOLDER
    from ledger.store import files

    if kind not in KINDS:
        raise ValueError(f"cannot complete {kind!r}: one of {', '.join(KINDS)}")
    try:
        root = files.find_root(None, ledger_dir)
    except LedgerError:
        return []
    return names.values(root / FOLDER / DB_NAME, kind, prefix, LIMIT)
