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
CUTOFF = 0.6  # difflib's ratio a suggestion needs
_SLACK = 1e-9  # the bound and the ratio are floats computed two ways


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
        """Return the closest known id to `word` (difflib ratio >= 0.6), or None.

        The answer of `difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)`, found
        faster: rapidfuzz's Indel similarity (2 x the longest common subsequence over the
        lengths, in C++) bounds difflib's ratio from above (its matching blocks are a
        common subsequence), so candidates are taken best bound first and difflib runs
        only until no bound left can beat (or tie) the best ratio found.
        """
        from rapidfuzz.distance import Indel

        word = word.lower()
        bounds = sorted(((Indel.normalized_similarity(word, c), c) for c in self.candidates(word)), reverse=True)
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(word)
        best: tuple[float, str] | None = None
        for bound, candidate in bounds:
            if bound < CUTOFF - _SLACK or (best is not None and bound < best[0] - _SLACK):
                break
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() >= CUTOFF and matcher.quick_ratio() >= CUTOFF:
                score = matcher.ratio()
                if score >= CUTOFF and (best is None or (score, candidate) > best):
                    best = (score, candidate)
        return best[1] if best is not None else None

    def suggest(self, word: str) -> str:
        """Return ' (did you mean "x"?)' for a near known id, or ''."""
        found = self.nearest(word)
        return f' (did you mean "{found}"?)' if found else ""
