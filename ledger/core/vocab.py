"""The ledger's controlled vocabulary (`ledger.toml`): actor and place aliases, ladder labels.

```toml
[actors."Popular Mobilization Forces"]
aliases = ["PMF", "Hashd al-Shaabi"]

[places."Albukamal"]
aliases = ["Al-Bukamal", "Abu Kamal"]
country = "SY"
lat = 34.453
lon = 40.918

[ladder]
labels = ["statement", "threat", "posture", "coercion", "harassing-fire",
          "lethal-strike", "ground-combat", "strategic-strike"]

tags = ["soleimani-aftermath"]   # optional: when given, entry tags must come from it
```
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ledger.core import model
from ledger.core.errors import Problem, Severity

_TOP_KEYS = {"actors", "places", "ladder", "tags", "defaults"}
# C0 and C1 controls, DEL, line separators and bidi overrides: never in a name or a label.
_CONTROL = re.compile(rf"[{model.CONTROL}\t\n\r]")


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    aliases: tuple[str, ...] = ()
    country: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Vocabulary:
    """Names and their aliases; lookups are case-insensitive."""

    actors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    places: Mapping[str, Place] = field(default_factory=dict)
    labels: tuple[str, ...] = tuple(label for label, _ in model.LADDER)
    tags: frozenset[str] | None = None

    def actor_names(self, name: str) -> frozenset[str]:
        """Return every casefolded spelling of the actor `name` names (itself and aliases)."""
        return _group(name, self.actors)

    def place_names(self, name: str) -> frozenset[str]:
        """Return every casefolded spelling of the place `name` names."""
        return _group(name, {p.name: p.aliases for p in self.places.values()})

    def canonical_actor(self, name: str) -> str:
        """Return the canonical spelling of an actor name (the name itself if unknown)."""
        folded = name.casefold()
        for canon, aliases in self.actors.items():
            if folded == canon.casefold() or folded in (a.casefold() for a in aliases):
                return canon
        return name

    def label(self, level: int) -> str:
        """Return the ladder label of an escalation level."""
        return self.labels[level] if 0 <= level < len(self.labels) else str(level)


def _group(name: str, table: Mapping[str, Iterable[str]]) -> frozenset[str]:
    folded = name.casefold()
    for canon, aliases in table.items():
        spellings = {canon.casefold(), *(a.casefold() for a in aliases)}
        if folded in spellings:
            return frozenset(spellings)
    return frozenset({folded})


def parse(data: Mapping[str, Any], path: str = "ledger.toml") -> tuple[Vocabulary, list[Problem]]:
    """Build the vocabulary from parsed ledger.toml data; report what does not fit."""
    problems: list[Problem] = []

    def bad(field: str, message: str) -> None:
        problems.append(Problem(path, 0, field, message, Severity.ERROR))

    for key in data:
        if key not in _TOP_KEYS:
            bad(key, f"unknown key (expected one of: {', '.join(sorted(_TOP_KEYS))})")
    def keys(spec: Any, field: str, allowed: set[str]) -> None:
        if isinstance(spec, dict):
            for key in spec:
                if key not in allowed:
                    bad(f"{field}.{key}", f"unknown key (expected one of: {', '.join(sorted(allowed))})")

    def text(value: str, field: str) -> None:
        if _CONTROL.search(value) or not value.strip():
            bad(field, f"{value!r} is blank or contains a control character")

    actors: dict[str, tuple[str, ...]] = {}
    for name, spec in _table(data.get("actors"), "actors", bad).items():
        keys(spec, f"actors.{name}", {"aliases"})
        actors[name] = _strings(
            spec.get("aliases", []) if isinstance(spec, dict) else None, f"actors.{name}.aliases", bad
        )
    places: dict[str, Place] = {}
    for name, spec in _table(data.get("places"), "places", bad).items():
        keys(spec, f"places.{name}", {"aliases", "country", "lat", "lon"})
        if not isinstance(spec, dict):
            bad(f"places.{name}", "expected a table")
            continue
        lat, lon = spec.get("lat"), spec.get("lon")
        coords_ok = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon))
        if (lat is not None or lon is not None) and not coords_ok:
            bad(f"places.{name}", "lat and lon must both be numbers")
        places[name] = Place(
            name,
            _strings(spec.get("aliases", []), f"places.{name}.aliases", bad),
            spec.get("country") if isinstance(spec.get("country"), str) else None,
            float(lat) if coords_ok and lat is not None else None,
            float(lon) if coords_ok and lon is not None else None,
        )
    labels = tuple(label for label, _ in model.LADDER)
    ladder = _table(data.get("ladder"), "ladder", bad)
    keys(ladder, "ladder", {"labels"})
    if "labels" in ladder:
        given = _strings(ladder["labels"], "ladder.labels", bad)
        if len(given) == len(labels):
            labels = given
        else:
            bad("ladder.labels", f"needs exactly {len(labels)} labels, found {len(given)}")
    tags = None
    if "tags" in data:
        tags = frozenset(_strings(data["tags"], "tags", bad))
    for canon, aliases in actors.items():
        for value in (canon, *aliases):
            text(value, f"actors.{canon}")
    for place in places.values():
        for value in (place.name, *place.aliases):
            text(value, f"places.{place.name}")
    for value in (*labels, *(tags or ())):
        text(value, "ladder.labels" if value in labels else "tags")
    return Vocabulary(actors, places, labels, tags), problems


def _table(value: Any, field: str, bad: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        bad(field, "expected a table")
        return {}
    return value


def _strings(value: Any, field: str, bad: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        bad(field, "expected an array of strings")
        return ()
    return tuple(value)
