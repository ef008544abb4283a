"""Looking entries up by what the user typed: ids or entry file paths, with a helpful answer when one is unknown."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ledger.core.errors import LedgerError, NotFound
from ledger.store import files


def records(source: Any, given: Sequence[str]) -> list[dict[str, Any]]:
    """Return the JSON records of the entries named by ids or entry file paths, in the order given.

    `source` is a Ledger or a Snapshot. A path must be an entry file of this ledger, not a
    look-alike elsewhere; an unknown id raises NotFound saying why.
    """
    live = not hasattr(source, "commit")  # a Snapshot names files of its revision, maybe gone now
    for name in given:
        if live and ("/" in name or os.sep in name):  # a path: trouble with the arguments if it is none
            from ledger.output.render import clean

            path = Path(name)
            if not path.is_absolute() and not path.exists():  # relative to the ledger, then
                path = source.root / name
            if path.is_dir():
                raise LedgerError(f"{clean(name)} is a folder, not an entry file")
            if not path.exists() and not path.is_symlink():
                raise LedgerError(f"no such file: {clean(name)}")
        rel = files.rel_of(source.root, name)
        inside = rel is not None and rel.startswith(f"{files.ENTRIES}/")
        if name.endswith(".toml") and Path(name).exists() and not inside:
            raise NotFound(f"{name} is not an entry file of this ledger ({source.root})")
    wanted = [Path(i).name[: -len(".toml")] if i.endswith(".toml") else i for i in given]
    found = source.lookup(wanted)
    for entry_id in wanted:
        if entry_id not in found:
            raise not_found(source, entry_id)
    return [found[i] for i in wanted]


def not_found(source: Any, entry_id: str) -> NotFound:
    """Return the error for an unknown id: an invalid file of that name, or no such entry (with a suggestion)."""
    from ledger.output.render import clean

    invalid = source.invalid_paths(entry_id)
    if invalid:
        return NotFound(f"{invalid[0]} is not a valid entry (see `ledger validate {invalid[0]}`)")
    return NotFound(f'no entry "{clean(entry_id)}"{source.suggest_id(entry_id)}')


def columns(text: str | None) -> list[str] | None:
    """Return the output columns named in `--columns a,b,c`, each checked (None: none named)."""
    from ledger.core.errors import UsageError, not_one_of
    from ledger.index import COLUMNS

    if text is None:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    for name in names:
        if name not in COLUMNS:
            raise not_one_of("--columns", name, COLUMNS)
    if not names:
        raise UsageError("--columns needs at least one column name")
    return names
