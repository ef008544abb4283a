"""Search: a `query.search.Plan` compiled to FTS5 MATCH expressions, one per tier, ranked by bm25.

Tier 0 holds the entries that hold every concept exactly; tier 1 those that need a sound key
for some concept; tier 2 those that need a word found by edit distance (rapidfuzz, over the
`terms` that begin with the same letter and have a fitting length). Each tier's expression
says NOT the one before, so an entry comes once, in its best tier. Filters, the withdrawn
rule, `--sort` and `--limit` apply as in `ledger list` (`sql.select_sql`).
"""

from __future__ import annotations

import itertools
import sqlite3
from typing import Any

from ledger import query
from ledger.index.build import Index
from ledger.index.derived import Derived
from ledger.index.found import Found
from ledger.index.fts import SEARCH, WEIGHTS
from ledger.index.sql import select_sql
from ledger.query.search import Concept, Plan, distance

_TEXT = "{title body names}"
MAX_CLOSE = 8  # words found by edit distance, per query word


def close_words(conn: sqlite3.Connection, plan: Plan) -> dict[str, list[str]]:
    """Return, per query word open to edit distance, the indexed words within its distance (nearest first)."""
    out: dict[str, list[str]] = {}
    words = [c.fuzzy for c in plan.concepts if c.fuzzy is not None]
    if not words:
        return out
    from rapidfuzz.distance import Levenshtein
    from rapidfuzz.process import extract

    for word in words:
        most = distance(word)
        rows = conn.execute(
            "SELECT term FROM terms WHERE term >= ? AND term < ? AND length(term) BETWEEN ? AND ?",
            (word[0], chr(ord(word[0]) + 1), len(word) - most, len(word) + most),
        ).fetchall()
        candidates = [term for (term,) in rows if term != word]
        found = extract(word, candidates, scorer=Levenshtein.distance, score_cutoff=most, limit=None)
        out[word] = [term for term, _, _ in sorted(found, key=lambda m: (m[1], m[0]))[:MAX_CLOSE]]
    return out


def _phrase(words: tuple[str, ...]) -> str:
    return '"' + " ".join(words) + '"'  # folded words never hold a quote


def _exact(concept: Concept) -> str:
    ways = [f"{_TEXT} : ({' OR '.join(_phrase(p) for p in concept.phrases)})"] if concept.phrases else []
    if concept.capitals:  # IS for Islamic State: only where the text writes it in capitals
        ways.append(f"caps : ({' OR '.join(_phrase((c,)) for c in concept.capitals)})")
    return " OR ".join(ways)


def _sound(concept: Concept) -> str:
    alternatives = [" AND ".join(_phrase((k,)) for k in keys) for keys in concept.keys]
    return "{keys tkeys} : (" + " OR ".join(f"({a})" for a in alternatives) + ")"


def _close(concept: Concept, close: dict[str, list[str]]) -> str | None:
    near = close.get(concept.fuzzy or "", [])
    return f"{_TEXT} : ({' OR '.join(_phrase((w,)) for w in near)})" if near else None


def expressions(plan: Plan, close: dict[str, list[str]]) -> list[str]:
    """Return the MATCH expression of each tier (exact, by sound, by edit distance), as needed."""
    tiers: list[list[list[str]]] = [[], [], []]
    for concept in plan.concepts:
        ways = [_exact(concept)]
        tiers[0].append(list(ways))
        if concept.keys:
            ways.append(_sound(concept))
        tiers[1].append(list(ways))
        extra = _close(concept, close)
        if extra is not None:
            ways.append(extra)
        tiers[2].append(ways)
    texts = [" AND ".join("(" + " OR ".join(ways) + ")" for ways in tier) for tier in tiers]
    out = [texts[0]]
    for before, text in itertools.pairwise(texts):
        if text != before:
            out.append(f"({text}) NOT ({before})")
    return out


def ranked_sql(plan: Plan, close: dict[str, list[str]]) -> tuple[str, list[Any]]:
    """Return a SELECT of (r, tier, score) for the entries a plan finds, and its parameters."""
    weights = ", ".join(str(w) for w in WEIGHTS)
    matches = expressions(plan, close)
    parts = [
        f"SELECT rowid AS r, {tier} AS tier, bm25(search, {weights}) AS score FROM search WHERE search MATCH ?"
        for tier in range(len(matches))
    ]
    return " UNION ALL ".join(parts), matches


class Searched(Found):
    """The entries a search finds, best first (or in the selection's sort order), filtered as `list` does."""

    def __init__(self, index: Index, selection: query.Selection, vocabulary: Any, plan: Plan) -> None:
        super().__init__(index, selection, vocabulary)
        self.plan = plan
        self._close: dict[str, list[str]] | None = None

    def close(self) -> dict[str, list[str]]:
        """Return the indexed words edit distance adds to the query's words."""
        if self._close is None:
            self._close = close_words(self.index.derived(SEARCH), self.plan)
        return self._close

    def explain(self) -> list[str]:
        """Return `search --explain`: the words searched for and their near spellings, then filters and order."""
        from ledger.query.search import explain_search

        return explain_search(self.plan, self.close(), self.selection, self.vocabulary)

    def _conn(self, table: Derived | None) -> sqlite3.Connection:
        if table is not None:
            self.index.derived(table)
        return self.index.derived(SEARCH)

    def _select(self, what: str) -> tuple[str, list[Any]]:
        return select_sql(self.selection, self.vocabulary, what, ranked_sql(self.plan, self.close()))
