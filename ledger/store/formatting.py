"""`ledger fmt` file by file: read, check, lay out canonically, rewrite atomically (an edge).

A file is rewritten only when it is a valid entry, is not a symbolic link, its canonical text
(`canonical.reformat`) holds exactly the same data and comments, and it did not change while
it was being formatted. Anything else is left alone with the reason.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.core.errors import Severity
from ledger.store import canonical, files, writing

UNCHANGED = "unchanged"
REFORMATTED = "reformatted"  # written (or, with --check, would be)
LEFT_ALONE = "left alone"  # invalid, comments or data would not survive, a link, changed meanwhile

Check = Callable[[str, str, dt.date], Any]  # api.load_text


@dataclass(frozen=True, slots=True)
class Formatted:
    """What `fmt` did, or would do, to one file."""

    rel: str
    outcome: str
    reason: str = ""
    old: str | None = None  # the texts, when asked for (--diff)
    new: str | None = None


def format_rels(rels: list[str], *, root: Path, write: bool, keep_text: bool, check: Check) -> list[Formatted]:
    """Format the given files (paths relative to root); write the changes when `write`."""
    today = dt.date.today()
    return [format_file(root, rel, write=write, keep_text=keep_text, check=check, today=today) for rel in rels]


def format_file(root: Path, rel: str, *, write: bool, keep_text: bool, check: Check, today: dt.date) -> Formatted:
    """Format one file: return whether it changed, or why it was left alone."""
    if os.path.islink(root / rel):
        return Formatted(rel, LEFT_ALONE, "is a symbolic link; format the file it points to")
    text, problem = files.read_text(root, rel)
    if text is None:
        return Formatted(rel, LEFT_ALONE, problem.message if problem else "cannot be read")
    loaded = check(rel, text, today)
    errors = [p for p in loaded.problems if p.severity is Severity.ERROR]
    if errors or loaded.entry is None:
        first = errors[0] if errors else None
        detail = (
            f" (line {first.line}: {first.message})"
            if first and first.line
            else (f" ({first.message})" if first else "")
        )
        return Formatted(rel, LEFT_ALONE, f"is not a valid entry{detail}; run `ledger validate`")
    result = canonical.reformat(text.replace("\r\n", "\n"), _loads)  # written with LF, values kept
    if result.text is None:
        return Formatted(rel, LEFT_ALONE, result.refused)
    if result.text == text:
        return Formatted(rel, UNCHANGED)
    if write and not writing.replace(root, rel, result.text, text):
        return Formatted(rel, LEFT_ALONE, "changed while being formatted")
    return Formatted(rel, REFORMATTED, "", text if keep_text else None, result.text if keep_text else None)


def _loads(text: str) -> dict[str, Any]:
    data, problem = files.parse_toml("", text)
    if data is None:
        raise ValueError(problem.message if problem else "not TOML")
    return data
