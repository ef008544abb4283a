"""Time travel: the ledger as it was at a git revision, with the query calls of `Ledger`.

`Ledger.at(rev)` lists the revision's entry files with one `ls-tree` and opens its
revision index (`index.revision.RevisionIndex`: rows by path and blob, parsed once in their
life); `list`, `show`, `timeline` and `stats` then query it exactly as they query the live
ledger: the same `index.Found`, the same SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger.core import checks, model
from ledger.core.errors import Problem, UsageError

if TYPE_CHECKING:
    from ledger.core.vocab import Vocabulary
    from ledger.index import Found
    from ledger.query import Selection
    from ledger.query.view import Progress


class Snapshot:
    """The ledger as it was at a commit, answering the query calls of `Ledger`.

    Its queries run on a `RevisionIndex` (`revision`), so they are the live index's queries:
    same SQL, same answers; invalid files are left out and counted, as the index does.
    """

    def __init__(
        self,
        root: Path,
        commit: str,
        revision: Any,
        vocabulary: Vocabulary,
        source: Callable[[str], tuple[str | None, Problem | None]],
    ) -> None:
        self.root = root
        self.commit = commit
        self.vocabulary = vocabulary
        self.revision = revision
        self._source = source

    def close(self) -> None:
        """Close the revision index (the Ledger that made this snapshot closes it too)."""
        self.revision.close()

    def at(self, rev: str | None) -> Snapshot:
        if rev is None:
            return self
        raise UsageError("--as-of cannot be given twice")

    def find(self, selection: Selection | str | None = None, *, progress: Progress | None = None) -> Found:
        """Run a `query.Selection` over the entries of the revision (an `index.Found`)."""
        from ledger.index import Found

        return Found(self.revision, _selection(selection), self.vocabulary)

    def select(self, selection: Selection | str | None = None, *, include_withdrawn: bool = False) -> list[model.Entry]:
        """Return the entries a selection picks, in its order."""
        chosen = _selection(selection)
        if include_withdrawn:
            chosen = replace(chosen, include_withdrawn=True)
        return self.find(chosen).entries()

    def lookup(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Return the JSON records of the given ids at the revision."""
        return dict(self.revision.lookup(ids))

    def invalid_paths(self, entry_id: str) -> list[str]:
        """Return the paths of invalid files named for this id at the revision."""
        return list(self.revision.invalid_paths(entry_id))

    def suggest_id(self, entry_id: str) -> str:
        """Return ' (did you mean "x"?)' for the nearest id at the revision, or ''."""
        return checks.suggest_id(entry_id, self.revision.near_ids(entry_id))

    def source_text(self, rel: str) -> tuple[str | None, Problem | None]:
        """Return an entry file's text as it was at the revision."""
        return self._source(rel)


def _selection(selection: Selection | str | None) -> Selection:
    from ledger import query

    if selection is None:
        return query.Selection()
    if isinstance(selection, str):
        return query.Selection(where=query.parse(selection))
    return selection
