"""Search text -> a plan: the concepts a query asks for, each with every spelling that may stand for it.

`ledger search TEXT` folds TEXT (`core.names.fold`) and reads it left to right:

- a run of words that spells an actor, a place or a source of `ledger.toml`, or one of its
  aliases, in any script (or sounds like one: Kata'ib Hizballah), is one concept matched by
  any of that name's spellings (the longest run wins: "US forces" before "US");
- every other word is a concept of its own; articles (al, el, ez, ...) are left out when
  other words remain.

An entry is found when it holds every concept. Each concept can be met three ways, and the
results come in three tiers, each ranked by bm25 inside itself:

1. exactly: the folded word, or a whole spelling of the vocabulary name;
2. by sound: the word's sound key (`names.sound`: transliterations of one Arabic or Persian
   name, Sulaymani for Soleimani) or the sound keys of a spelling of the vocabulary name;
3. by edit distance: an indexed word at most `distance(word)` edits away (1 for words of 6
   to 8 letters, 2 for longer ones; 1 from 5 letters in Arabic script, which writes no short
   vowels), starting with the same letter. Shorter words are never matched this way: Qasim
   must not find Qaim.

A word of TEXT that is a filter term (`type:airstrike`, `escalation>=5`, `not:country:IQ`)
is a filter, exactly as in `ledger list`; `split` separates the two.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.core import names
from ledger.query.ast import Selection
from ledger.query.fields import ALIASES, COMPARISONS, KINDS

_FILTER = re.compile(
    r"(?:not:)*(?P<field>[A-Za-z_]+)(?:" + "|".join(re.escape(op) for op in (":", *COMPARISONS)) + r")\S"
)
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")


@dataclass(frozen=True, slots=True)
class Concept:
    """One thing the query asks for, with the spellings that stand for it."""

    said: str  # the query's own words
    phrases: tuple[tuple[str, ...], ...]  # exact spellings: folded words in order
    keys: tuple[tuple[str, ...], ...]  # sound spellings: the sound keys of the words of a spelling
    name: str | None = None  # the ledger.toml name it was read as
    fuzzy: str | None = None  # the word edit distance may match (None: not that way)
    capitals: tuple[str, ...] = ()  # the name's aliases spelt in capitals (IS): matched only so written, folded


@dataclass(frozen=True, slots=True)
class Plan:
    """A search query read into concepts (empty: nothing to search for)."""

    text: str
    concepts: tuple[Concept, ...]

    @property
    def tolerant(self) -> bool:
        """Return whether sound keys can add matches to the exact ones."""
        return any(c.keys for c in self.concepts)


def split(words: Sequence[str]) -> tuple[str, str]:
    """Split the words of `ledger search` into (search text, filter query text)."""
    text: list[str] = []
    filters: list[str] = []
    for word in words:
        found = _FILTER.match(word)
        field = found.group("field").lower() if found else ""
        (filters if ALIASES.get(field, field) in KINDS else text).append(word)
    return " ".join(text), " ".join(filters)


def distance(word: str) -> int:
    """Return how many edits may turn an indexed word into this query word (0: none)."""
    if _ARABIC_SCRIPT.search(word):
        return 1 if len(word) >= 5 else 0
    if not word.isalpha():
        return 0
    return 2 if len(word) >= 9 else 1 if len(word) >= 6 else 0


def plan(text: str, vocabulary: Any = None) -> Plan:
    """Read search text into concepts (see the module docstring)."""
    words = [w for w in names.words(text) if w not in names.ARTICLES] or names.words(text)
    exact, sounding = _groups(vocabulary)
    longest = max((len(k) for k in exact), default=0)
    concepts: list[Concept] = []
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            run = tuple(words[i : i + size])
            group = exact.get(run) or sounding.get(_name_key(run))
            if group is not None:
                name, phrases, capitals = group
                keys = tuple(dict.fromkeys(k for k in (_keys(p) for p in phrases) if k))
                concepts.append(Concept(" ".join(run), phrases, keys, name, capitals=capitals))
                i += size
                break
        else:
            word = words[i]
            i += 1
            key = names.sound(word)
            concepts.append(Concept(word, ((word,),), ((key,),) if key else (), None, word if distance(word) else None))
    return Plan(text, tuple(_unique(concepts)))


def _unique(concepts: Iterable[Concept]) -> Iterable[Concept]:
    seen = set()
    for concept in concepts:
        if concept.phrases not in seen:
            seen.add(concept.phrases)
            yield concept


def _keys(phrase: tuple[str, ...]) -> tuple[str, ...]:
    """Return the sound keys of a spelling, or () when a word of it has no key (only exact then)."""
    keys = [names.sound(w) for w in phrase if w not in names.ARTICLES] or [""]
    return () if not all(keys) else tuple(keys)


def _name_key(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(names.sound(w) or w for w in words)


#: (the ledger.toml name, all its spellings, those of them spelt in capitals: `names.is_acronym`)
Group = tuple[str, tuple[tuple[str, ...], ...], tuple[str, ...]]


def _groups(vocabulary: Any) -> tuple[dict[tuple[str, ...], Group], dict[tuple[str, ...], Group]]:
    """Map the spellings of every vocabulary name (folded words, articles left out) to its group,
    and the same by sound keys."""
    exact: dict[tuple[str, ...], Group] = {}
    sounding: dict[tuple[str, ...], Group] = {}
    if vocabulary is None:
        return exact, sounding
    tables = [
        *vocabulary.actors.items(),
        *((p.name, p.aliases) for p in vocabulary.places.values()),
        *((s.name, s.aliases) for s in getattr(vocabulary, "sources", {}).values()),
    ]
    for name, aliases in tables:
        said = (name, *aliases)
        capitals = tuple(dict.fromkeys(s.strip().lower() for s in said if names.is_acronym(s)))
        spelt = (tuple(names.words(s)) for s in said if not names.is_acronym(s))
        spellings = tuple(dict.fromkeys(w for w in spelt if w))
        for spelling in (*spellings, *((c,) for c in capitals)):
            bare = tuple(w for w in spelling if w not in names.ARTICLES) or spelling
            ways = ((exact, bare),) if spelling[0] in capitals else ((exact, bare), (sounding, _name_key(bare)))
            for table, key in ways:
                if key in table:  # one spelling, two names: both count
                    other, before, caps = table[key]
                    if name not in other.split(" / "):
                        both = tuple(dict.fromkeys((*before, *spellings))), tuple(dict.fromkeys((*caps, *capitals)))
                        table[key] = (f"{other} / {name}", *both)
                else:
                    table[key] = (name, spellings, capitals)
    return exact, sounding


def describe(search: Plan, close: dict[str, list[str]] | None = None, ranked: bool = True) -> list[str]:
    """Explain a plan, one line per concept (for --explain); `close` gives the words edit distance found.

    `ranked` is False when the results are sorted by a field instead of ranked.
    """
    lines = [f"search: {search.text}", f"folded: {names.fold(search.text)}"]
    if not search.concepts:
        return [*lines, "no words to search for"]
    lines.append("an entry must hold each of:")
    for concept in search.concepts:
        spelled = " or ".join(
            [*map(_quoted, concept.phrases), *(f"{c.upper()} (in capitals)" for c in concept.capitals)]
        )
        head = f'  "{concept.said}"' + (f" = {concept.name} (ledger.toml)" if concept.name else "")
        lines.append(f"{head}: {spelled}")
        if concept.keys:
            lines.append("    sounding like: " + " or ".join(" ".join(k) for k in concept.keys))
        if concept.fuzzy is not None:
            near = (close or {}).get(concept.fuzzy, [])
            found = ", ".join(near) if near else "none in the index"
            lines.append(f"    within {distance(concept.fuzzy)} edit(s): {found}")
    if ranked:
        lines.append("order: exact matches, then by sound, then by edit distance; bm25 within each")
    return lines


def explain_search(
    search: Plan, close: dict[str, list[str]], selection: Selection, vocabulary: Any = None
) -> list[str]:
    """Return `search --explain`: the plan (`describe`), then the filters and order as `list --explain` says them."""
    from ledger.query.explain import explain

    ranked = selection.sort is None
    filters = explain(selection, vocabulary)
    if selection.where is None:
        filters = ["filters: none", *filters[3:]]  # not "query: (none)", "matches:", "every entry"
    else:
        filters[0] = filters[0].replace("query:", "filters:", 1)
    return describe(search, close, ranked) + [
        line for line in filters if not (ranked and line.startswith("order: date"))
    ]


def _quoted(phrase: tuple[str, ...]) -> str:
    return " ".join(phrase) if len(phrase) == 1 else '"' + " ".join(phrase) + '"'
