"""Time travel: the ledger as it was at a git revision, with the query calls of `Ledger`.

`Ledger.at(rev)` builds a `Snapshot` from one `ls-tree` and one `cat-file --batch` (blobs
parsed before come from the index's blob cache); `list`, `show`, `timeline` and `stats`
then query it exactly as they query the live ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger.core import checks, model, schema
from ledger.core.errors import Problem, UsageError

if TYPE_CHECKING:
    from ledger.core.vocab import Vocabulary
    from ledger.query import Selection
    from ledger.query.view import Progress


class Snapshot:
    """The ledger as it was at a commit, answering the query calls of `Ledger`.

    `loaded` items have `rel`, `id`, `entry` and `ok` (as `api.Loaded`); invalid files are
    left out of queries and counted, as the index does.
    """

    def __init__(
        self,
        root: Path,
        commit: str,
        loaded: Sequence[Any],
        vocabulary: Vocabulary,
        source: Callable[[str], tuple[str | None, Problem | None]],
    ) -> None:
        self.root = root
        self.commit = commit
        self.vocabulary = vocabulary
        self._source = source
        self._good = [(item.entry, item.rel) for item in loaded if item.ok]
        self._bad = sorted((item.rel, item.id) for item in loaded if not item.ok)

    def at(self, rev: str | None) -> Snapshot:
        if rev is None:
            return self
        raise UsageError("--as-of cannot be given twice")

    def find(self, selection: Selection | str | None = None, *, progress: Progress | None = None) -> SnapshotFound:
        """Run a `query.Selection` over the entries of the revision."""
        from ledger import query

        chosen = query.apply(_selection(selection), (e for e, _ in self._good), self.vocabulary)
        paths = {id(e): rel for e, rel in self._good}
        return SnapshotFound([(e, paths[id(e)]) for e in chosen], self._bad, self.vocabulary)

    def select(self, selection: Selection | str | None = None, *, include_withdrawn: bool = False) -> list[model.Entry]:
        """Return the entries a selection picks, in its order."""
        chosen = _selection(selection)
        if include_withdrawn:
            chosen = replace(chosen, include_withdrawn=True)
        return self.find(chosen).entries()

    def lookup(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Return the JSON records of the given ids at the revision."""
        wanted = set(ids)
        return {e.id: schema.to_json(e, rel) for e, rel in self._good if e.id in wanted}

    def invalid_paths(self, entry_id: str) -> list[str]:
        """Return the paths of invalid files named for this id at the revision."""
        return [rel for rel, stem in self._bad if stem == entry_id]

    def suggest_id(self, entry_id: str) -> str:
        """Return ' (did you mean "x"?)' for the nearest id at the revision, or ''."""
        return checks.suggest_id(entry_id, [e.id for e, _ in self._good])

    def source_text(self, rel: str) -> tuple[str | None, Problem | None]:
        """Return an entry file's text as it was at the revision."""
        return self._source(rel)


class SnapshotFound:
    """The result of a query at a revision: the interface of `index.Found` (`query.view.Results`)."""

    def __init__(
        self, chosen: list[tuple[model.Entry, str]], bad: list[tuple[str, str]], vocabulary: Vocabulary
    ) -> None:
        self._chosen = chosen
        self._bad = bad
        self._vocabulary = vocabulary
        self.skipped = len(bad)

    def ids(self) -> Iterator[str]:
        return (e.id for e, _ in self._chosen)

    def records(self) -> Iterator[dict[str, Any]]:
        return (schema.to_json(e, rel) for e, rel in self._chosen)

    def json_texts(self) -> Iterator[str]:
        return (schema.json_text(e, rel) for e, rel in self._chosen)

    def rows(self, columns: Sequence[str]) -> Iterator[dict[str, Any]]:
        """Yield rows of the given `query.COLUMNS`, as `index.Found.rows` does."""
        from ledger import query

        for entry, rel in self._chosen:
            values = query.fact_values(entry, rel)
            record = schema.to_json(entry, rel) if any(c not in values for c in columns) else {}
            row: dict[str, Any] = {}
            for column in columns:
                if column in values:
                    row[column] = values[column]
                elif column == "label":
                    row[column] = self._vocabulary.label(entry.escalation)
                else:
                    row[column] = query.record_value(record, column)
            yield row

    def entries(self) -> list[model.Entry]:
        return [e for e, _ in self._chosen]

    def invalid(self) -> list[str]:
        return [rel for rel, _ in self._bad]


def _selection(selection: Selection | str | None) -> Selection:
    from ledger import query

    if selection is None:
        return query.Selection()
    if isinstance(selection, str):
        return query.Selection(where=query.parse(selection))
    return selection


# -- entries back from cached records ----------------------------------------------------
