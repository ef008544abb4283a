"""The sources of a ledger, one row per source (`ledger sources`): pure, over entries.

A source is its registry name when ledger.toml's `[sources]` knows the name or one of its
aliases, else the name as first written (names then merge case-insensitively). Each row
says how many entries cite it, the grades they give it, the registry's grade, how many
entries rest on it alone (no other distinct source), and how many of its citations have a
url but no capture yet. Rows come most-cited first, then by name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ledger.core import model
from ledger.core.vocab import Vocabulary

COLUMNS = (
    "source",
    "registered",
    "names",
    "entries",
    "reliability_seen",
    "credibility_seen",
    "registry_reliability",
    "disagreements",
    "sole_source",
    "uncaptured",
)


@dataclass
class _Tally:
    source: str
    registered: bool
    registry_reliability: str | None
    names: dict[str, None] = field(default_factory=dict)
    entries: set[str] = field(default_factory=set)
    reliability: set[str] = field(default_factory=set)
    credibility: set[str] = field(default_factory=set)
    disagreements: int = 0
    sole: int = 0
    uncaptured: int = 0


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One source of the ledger and how entries use it."""

    source: str
    registered: bool
    names: tuple[str, ...]  # the spellings entries use
    entries: int
    reliability_seen: tuple[str, ...]
    credibility_seen: tuple[str, ...]
    registry_reliability: str | None
    disagreements: int  # citations whose own reliability differs from the registry's
    sole_source: int  # entries citing no other distinct source
    uncaptured: int  # citations with a url and no capture

    def as_dict(self) -> dict[str, object]:
        return {name: list(v) if isinstance(v, tuple) else v for name, v in zip(COLUMNS, self._values(), strict=True)}

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in COLUMNS)


def rows(entries: Iterable[model.Entry], vocabulary: Vocabulary) -> list[SourceRow]:
    """Return one row per source of the entries, registry aliases merged."""
    tallies: dict[str, _Tally] = {}
    for info in vocabulary.sources.values():  # registry sources appear even when nobody cites them
        grade = str(info.reliability) if info.reliability else None
        tallies[info.name.casefold()] = _Tally(info.name, True, grade)
    for entry in entries:
        keys: dict[str, None] = {}
        for source in entry.sources:
            known = vocabulary.source(source.name)
            key = (known.name if known else source.name.strip()).casefold()
            tally = tallies.get(key)
            if tally is None:
                tally = tallies[key] = _Tally(source.name.strip(), False, None)
            keys[key] = None
            tally.names[source.name] = None
            tally.entries.add(entry.id)
            if source.reliability is not None:
                tally.reliability.add(str(source.reliability))
                if tally.registry_reliability not in (None, str(source.reliability)):
                    tally.disagreements += 1
            if source.credibility is not None:
                tally.credibility.add(str(source.credibility))
            if source.url is not None and source.capture is None:
                tally.uncaptured += 1
        if len(keys) == 1:
            tallies[next(iter(keys))].sole += 1
    out = [
        SourceRow(
            t.source,
            t.registered,
            tuple(t.names),
            len(t.entries),
            tuple(sorted(t.reliability)),
            tuple(sorted(t.credibility)),
            t.registry_reliability,
            t.disagreements,
            t.sole,
            t.uncaptured,
        )
        for t in tallies.values()
    ]
    out.sort(key=lambda r: (-r.entries, r.source.casefold()))
    return out
