"""What a query command can ask of a ledger, now or at a git revision: two Protocols.

The live ledger (`api.Ledger`, answering from the index) and the ledger at a commit
(`vcs.snapshot.Snapshot`, answering from its revision index) both satisfy `View`; their
results (`index.Found` both) satisfy `Results`. Commands that take `--as-of` are
written against these two, so they cannot tell one from the other, and mypy holds both
implementations to the same signatures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ledger.core import model
from ledger.core.errors import Problem

if TYPE_CHECKING:
    from ledger.core.vocab import Vocabulary
    from ledger.query.ast import Selection

#: called as (done, total) while a cold index build parses files
Progress = Callable[[int, int], None]


class Results(Protocol):
    """The entries a query picked, in its order; `skipped` counts invalid files left out."""

    skipped: int

    def ids(self) -> Iterator[str]:
        """Yield the ids of the matching entries."""
        ...

    def records(self) -> Iterator[dict[str, Any]]:
        """Yield each matching entry as its JSON record (`schema.to_json`)."""
        ...

    def json_texts(self) -> Iterator[str]:
        """Yield each matching entry's JSON record as text."""
        ...

    def rows(self, columns: Sequence[str]) -> Iterator[dict[str, Any]]:
        """Yield rows of the given `query.COLUMNS`."""
        ...

    def entries(self) -> list[model.Entry]:
        """Return the matching entries as records."""
        ...

    def invalid(self) -> list[str]:
        """Return the paths of the files left out because they are invalid."""
        ...

    # The chronology (`index.chrono`): light rows and aggregates, no entry decoded.
    def count(self) -> int:
        """Return how many entries match."""
        ...

    def keys(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """Return (id, date, responds_to) of the matching entries in chronological order."""
        ...

    def incidents(self) -> Iterator[Any]:
        """Yield the matching entries as light `index.chrono.Incident` records, chronologically."""
        ...

    def plain(self) -> Iterator[Any]:
        """Yield the matching entries as `index.chrono.Plain` rows (ISO text, no objects), chronologically."""
        ...

    def located(self) -> Iterator[Any]:
        """Yield the matching entries as light `index.chrono.Located` records (for `dupes`)."""
        ...

    def links(self, whole: bool) -> dict[str, tuple[str, ...]]:
        """Return responds_to links by id: of every valid entry when `whole`, else of the matching ones."""
        ...

    def period_rows(self, by: str) -> list[tuple[Any, ...]]:
        """Return the matching entries aggregated by day, week or month."""
        ...

    def group_rows(self, by: str) -> list[tuple[Any, ...]]:
        """Return the matching entries aggregated by a `stats` grouping."""
        ...


class View(Protocol):
    """A ledger to query: the live one or one at a revision."""

    @property
    def root(self) -> Path:
        """The ledger's folder."""
        ...

    @property
    def vocabulary(self) -> Vocabulary:
        """The actors, places and ladder labels of `ledger.toml`."""
        ...

    def at(self, rev: str | None) -> View:
        """Return the ledger as it was at a git revision (itself for None)."""
        ...

    def find(self, selection: Selection | str | None = None, *, progress: Progress | None = None) -> Results:
        """Run a selection (or query text; None: everything)."""
        ...

    def select(self, selection: Selection | str | None = None, *, include_withdrawn: bool = False) -> list[model.Entry]:
        """Return the entries a selection picks, in its order."""
        ...

    def lookup(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Return the JSON records of the given ids; unknown ones are left out."""
        ...

    def invalid_paths(self, entry_id: str) -> list[str]:
        """Return the paths of invalid entry files named for this id."""
        ...

    def suggest_id(self, entry_id: str) -> str:
        """Return ' (did you mean "x"?)' for the nearest known id, or ''."""
        ...

    def source_text(self, rel: str) -> tuple[str | None, Problem | None]:
        """Return an entry file's text (None and the problem when it cannot be read)."""
        ...
