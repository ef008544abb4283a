"""Comparing two sides of a ledger (revisions, the working tree, or two folders), filtered by a query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.api.ledger import Ledger
from ledger.core import vocab


@dataclass(frozen=True, slots=True)
class Compared:
    """The differences (`diff.Diff`) and the vocabulary that labels them."""

    result: Any
    vocabulary: vocab.Vocabulary


def compare(args: Sequence[str], where: Any = None, ledger_dir: Path | None = None) -> Compared:
    """Compare what `ledger diff ARGS` names: [REV | A B | A..B | DIR_A DIR_B] then query words.

    The query words (and `where`, from the options) keep only the incidents they match on
    either side. Two folders need no ledger around them.
    """
    from ledger import query
    from ledger.vcs import compare

    args = list(args)
    cut = next((i for i, arg in enumerate(args) if query.starts_query(arg)), len(args))
    if cut < len(args):
        where = query.all_of(where, query.parse(" ".join(args[cut:])))
    spec = compare.parse_spec(args[:cut])
    if spec.folders is not None:
        result = compare.compare_folders(*spec.folders)
        ledger = Ledger(spec.folders[1])
    else:
        ledger = Ledger.open(ledger_dir)
        result = ledger.diff(spec)
    vocabulary = ledger.vocabulary
    if where is not None:
        result = result.filtered(lambda entry: query.matches(where, entry, vocabulary))
    return Compared(result, vocabulary)
