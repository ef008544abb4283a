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

[sources."Deir Ezzor 24"]        # the source registry: entries' source names match it
aliases = ["DeirEzzor24"]
reliability = "C"               # Admiralty A-F: the default grade of this source
url = "https://example.org/"    # optional: home page
kind = "local news"             # optional, free text
language = "ar"                 # optional, BCP 47

[policy]                        # rules `ledger validate` holds every active entry to
require_capture = true          # every source with a url has a capture (`ledger archive`)
min_sources = 2                 # "confirmed" entries cite at least this many distinct sources
require_grades = true           # every source has reliability (own or registry) and credibility
```
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ledger.core import model
from ledger.core.errors import Problem, Severity
from ledger.core.names import fold

_TOP_KEYS = {"actors", "places", "ladder", "tags", "defaults", "sources", "policy"}
_SOURCE_KEYS = {"aliases", "reliability", "url", "kind", "language"}
_POLICY_KEYS = {"require_capture", "min_sources", "require_grades"}
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")  # BCP 47, the common shapes
_WEB_URL = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)
# C0 and C1 controls, DEL, line separators and bidi overrides: never in a name or a label.
_CONTROL = re.compile(rf"[{model.CONTROL}\t\n\r]")


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    aliases: tuple[str, ...] = ()
    country: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """A source of the registry: its names and its default grade."""

    name: str
    aliases: tuple[str, ...] = ()
    reliability: model.Reliability | None = None
    url: str | None = None
    kind: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    """The ledger's evidence rules (`[policy]`); the defaults ask for nothing."""

    require_capture: bool = False
    min_sources: int = 0
    require_grades: bool = False


@dataclass(frozen=True)
class Vocabulary:
    """Names and their aliases; lookups compare folded names (`names.fold`: case, accents, Arabic forms)."""

    actors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    places: Mapping[str, Place] = field(default_factory=dict)
    labels: tuple[str, ...] = tuple(label for label, _ in model.LADDER)
    tags: frozenset[str] | None = None
    sources: Mapping[str, SourceInfo] = field(default_factory=dict)
    policy: Policy = field(default_factory=Policy)

    @cached_property
    def _source_names(self) -> dict[str, str]:
        """Map every folded registry name and alias to its registry name."""
        names: dict[str, str] = {}
        for info in self.sources.values():
            for spelling in (info.name, *info.aliases):
                names.setdefault(fold(spelling), info.name)
        return names

    def source(self, name: str) -> SourceInfo | None:
        """Return the registry's source that `name` (or an alias of it) names, case-insensitively."""
        canon = self._source_names.get(fold(name.strip()))
        return self.sources[canon] if canon is not None else None

    def source_key(self, name: str) -> str:
        """Return the registry name for `name`, or `name` itself when the registry lacks it."""
        info = self.source(name)
        return info.name if info is not None else name.strip()

    def suggest_source(self, name: str) -> str:
        """Return ' (did you mean "X"?)' for the nearest registry name, or ''."""
        folded = fold(name.strip())
        if folded not in self._suggestions:
            self._suggestions[folded] = _suggest_source(folded, self._source_names)
        return self._suggestions[folded]

    @cached_property
    def _suggestions(self) -> dict[str, str]:
        # One search per distinct unknown name: a ledger citing one unknown outlet 10,000
        # times pays once, and the search runs over the registry's names, never the entries.
        return {}

    def actor_names(self, name: str) -> frozenset[str]:
        """Return every folded spelling of the actor `name` names (itself and aliases)."""
        return _group(name, self.actors)

    def place_names(self, name: str) -> frozenset[str]:
        """Return every folded spelling of the place `name` names."""
        return _group(name, {p.name: p.aliases for p in self.places.values()})

    def canonical_actor(self, name: str) -> str:
        """Return the canonical spelling of an actor name (the name itself if unknown)."""
        folded = fold(name)
        for canon, aliases in self.actors.items():
            if folded == fold(canon) or folded in (fold(a) for a in aliases):
                return canon
        return name

    def label(self, level: int) -> str:
        """Return the ladder label of an escalation level."""
        return self.labels[level] if 0 <= level < len(self.labels) else str(level)


def _suggest_source(folded: str, names: Mapping[str, str]) -> str:
    import difflib

    close = difflib.get_close_matches(folded, list(names), n=1, cutoff=0.6)
    return f' (did you mean "{names[close[0]]}"?)' if close else ""


def _group(name: str, table: Mapping[str, Iterable[str]]) -> frozenset[str]:
    folded = fold(name)
    for canon, aliases in table.items():
        spellings = {fold(canon), *(fold(a) for a in aliases)}
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
    sources = _sources(data.get("sources"), bad, keys, text)
    policy = _policy(_table(data.get("policy"), "policy", bad), bad, keys)
    return Vocabulary(actors, places, labels, tags, sources, policy), problems


def _sources(value: Any, bad: Any, keys: Any, text: Any) -> dict[str, SourceInfo]:
    """Read the source registry; a name or alias naming two sources is an error."""
    sources: dict[str, SourceInfo] = {}
    owner: dict[str, str] = {}
    for name, spec in _table(value, "sources", bad).items():
        at = f"sources.{name}"
        if not isinstance(spec, dict):
            bad(at, "expected a table")
            continue
        keys(spec, at, _SOURCE_KEYS)
        aliases = _strings(spec.get("aliases", []), f"{at}.aliases", bad)
        for spelling in (name, *aliases):
            text(spelling, at)
            other = owner.setdefault(spelling.strip().casefold(), name)
            if other != name:
                bad(f"{at}.aliases", f'"{spelling}" also names the source "{other}"')
        grade = spec.get("reliability")
        reliability = None
        if grade is not None:
            if isinstance(grade, str) and grade in {m.value for m in model.Reliability}:
                reliability = model.Reliability(grade)
            else:
                bad(f"{at}.reliability", f"{grade!r} is not an Admiralty reliability grade (A-F)")
        found: dict[str, str | None] = {}
        for key, check, expected in (
            ("url", _WEB_URL, "an http(s) URL"),
            ("kind", None, "one line of text"),
            ("language", _LANGUAGE, 'a BCP 47 language tag ("ar", "en-GB")'),
        ):
            given = spec.get(key)
            if given is None:
                found[key] = None
            elif not isinstance(given, str) or _CONTROL.search(given) or (check and not check.fullmatch(given)):
                bad(f"{at}.{key}", f"expected {expected}, found {given!r}")
                found[key] = None
            else:
                found[key] = given
        sources[name] = SourceInfo(name, aliases, reliability, found["url"], found["kind"], found["language"])
    return sources


def _policy(spec: dict[str, Any], bad: Any, keys: Any) -> Policy:
    keys(spec, "policy", _POLICY_KEYS)
    flags = {}
    for key in ("require_capture", "require_grades"):
        given = spec.get(key, False)
        if not isinstance(given, bool):
            bad(f"policy.{key}", f"expected true or false, found {given!r}")
            given = False
        flags[key] = given
    minimum = spec.get("min_sources", 0)
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 0:
        bad("policy.min_sources", f"expected a whole number >= 0, found {minimum!r}")
        minimum = 0
    return Policy(flags["require_capture"], minimum, flags["require_grades"])


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
