"""Formatting targets: which files `ledger fmt` lays out, and laying them out on all cores under the write lock."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ledger.api.loader import load_text, relative
from ledger.api.parallel import map_chunks
from ledger.core.errors import LedgerError
from ledger.store import files


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
    """Return the entry files under `paths` (every entry file when none), hidden folders left out."""
    given = list(paths)
    if not given:
        return [f.rel for f in files.walk(root)]
    rels: list[str] = []
    for item in given:
        path = Path(item)
        if not path.exists() and not path.is_symlink():
            raise LedgerError(f"no such file or folder: {item}")
        found = sorted(path.rglob("*.toml")) if path.is_dir() and not path.is_symlink() else [path]
        for candidate in found:
            if not any(part.startswith(".") for part in candidate.parts if part not in (".", "..")):
                rels.append(relative(root, Path(os.path.abspath(candidate))))
    return list(dict.fromkeys(rels))
