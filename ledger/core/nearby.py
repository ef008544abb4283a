"""Bounded "did you mean" for ids: near ids found through an index by date and by words.

A mistyped id nearly always keeps its date (`2020-01-05-green-zone-rocket`) or its words
(`2020-01-50-green-zone-rockets`). `NearIds` files every id once by its date (the first ten
characters) and by its words (the rest); a suggestion compares the mistyped id only with
the ids of the same date and those with the same words, never with every id. Building is
linear in the ids; one suggestion costs O(ids of that date + ids with those words), so
`validate` with thousands of broken links stays linear in the ledger (a scan of every id
per broken link made it quadratic).
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable

DATE = 10  # len("2020-01-05")


class NearIds:
    """Ids filed by date and by words, for bounded "did you mean" suggestions."""

    def __init__(self, ids: Iterable[str]) -> None:
        self._by_date: dict[str, list[str]] = defaultdict(list)
        self._by_words: dict[str, list[str]] = defaultdict(list)
        for entry_id in ids:
            self._by_date[entry_id[:DATE]].append(entry_id)
            self._by_words[entry_id[DATE:]].append(entry_id)

    def candidates(self, word: str) -> list[str]:
        """Return the ids a suggestion for `word` is chosen from: same date, or same words."""
        word = word.lower()
        near = self._by_date.get(word[:DATE], [])
        same_words = self._by_words.get(word[DATE:], []) if len(word) > DATE else []
        return [*near, *(i for i in same_words if i[:DATE] != word[:DATE])]

    def nearest(self, word: str) -> str | None:
        """Return the closest known id to `word` (difflib ratio >= 0.6), or None."""
        close = difflib.get_close_matches(word.lower(), self.candidates(word), n=1, cutoff=0.6)
        return close[0] if close else None

    def suggest(self, word: str) -> str:
        """Return ' (did you mean "x"?)' for a near known id, or ''."""
        found = self.nearest(word)
        return f' (did you mean "{found}"?)' if found else ""
