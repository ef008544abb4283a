"""Candidate duplicates: incidents close in time and place whose types are of one category.

The way conflict-data teams match events across sources (meltt: a time window, a spatial
window and a taxonomy). Two incidents are *compared* when

- their date spans `[date, date_end or date]` overlap or lie at most `days` days apart;
- their places lie within `km` kilometres (haversine on lat/lon), or, when either has no
  coordinates, they have the same place name in the same country (aliases from
  `ledger.toml` count as the same name, and so do spellings `ledger search` takes as one:
  `core.names.key`, so Deir Ezzor is Dayr az-Zawr);
- their types belong to the same category (`model.TAXONOMY`).

Pairs already settled are skipped: one entry is a `duplicate_of` the other; one
`responds_to` the other (a causal link says they are two incidents); or both are records of
one dataset, told apart by their aliases (`UCDP:612345` and `UCDP:612346`: that dataset coded
two events; duplicates are looked for across sources, as meltt does). Two entries with the
same alias are the same record twice, and always compared. A compared pair gets a
score in 0..1, the weighted sum

    score = 0.125 * when + 0.125 * where + 0.45 * kind + 0.30 * who

- when: spans that overlap score 0.5 + 0.5 * shared days / days of the longer span (two
  incidents on the same day: 1); spans g days apart score 0.5 * (days + 1 - g) / days
  (0.5 for consecutive days, falling to 0.5 / days at the window's edge);
- where: 1 - d / (2 * km) for a distance d (1 at the same spot, 0.5 at the window's edge);
  0.75 for the same place name without coordinates;
- kind: 1 for the same type; 0.75 for sibling types (the same ACLED sub-event type, such as
  airstrike and drone-strike, or shelling, rocket-attack and missile-attack) or when one is
  an `explosion` of unknown cause; 0 for other types of the category;
- who: 1 when they share a perpetrator; 0 when both name perpetrators and share none; else
  0.75 when they share a target, 0.25 when both name targets and share none, 0.5 otherwise.
  Actor names are compared through their aliases and `core.names.key` (Kata'ib Hizballah
  is Kataib Hezbollah).

Pairs scoring at least `min_score` (default 0.6) are candidates, best first. The weights make
the kind and the actors decide: with the default, types that are not alike never pass (at
most 0.55), nor do sibling types whose perpetrators disagree (at most 0.5875), while a
sibling type a day later 2 km away with no actors known does (0.66). No all-pairs scan: entries
are bucketed by category and by a grid of `km`-sized cells in 3-D (so the poles and the
date line need no special case), each bucket sorted by date; an incident is compared only
with the incidents of the 27 neighbouring cells whose dates fall in its window.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.core import checks, model
from ledger.core.names import key as name_key

EARTH_RADIUS_KM = 6371.0088
DAYS, KM, MIN_SCORE = 1, 10.0, 0.6
WEIGHTS = {"when": 0.125, "where": 0.125, "kind": 0.45, "who": 0.30}
UNSPECIFIC = frozenset({model.EventType.EXPLOSION})
SAME_NAME_WHERE = 0.75
_NONE: frozenset[str] = frozenset()


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in kilometres between two points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _siblings() -> dict[model.EventType, str]:
    # Types that ACLED files under one sub-event type are near-synonyms; "Other" groups nothing.
    return {t: sub for t, (_, _, sub) in model.TAXONOMY.items() if sub != "Other"}


_SUB_EVENT = _siblings()


def kind_score(a: model.EventType, b: model.EventType) -> float:
    """Return how alike two types of one category are (1, 0.75 or 0)."""
    if a == b:
        return 1.0
    if a in UNSPECIFIC or b in UNSPECIFIC:
        return 0.75
    sub = _SUB_EVENT.get(a)
    return 0.75 if sub is not None and sub == _SUB_EVENT.get(b) else 0.0


def when_score(a: tuple[int, int], b: tuple[int, int], days: int) -> float:
    """Return the time score of two spans (first and last day as ordinals)."""
    shared = min(a[1], b[1]) - max(a[0], b[0]) + 1
    if shared > 0:
        longest = max(a[1] - a[0], b[1] - b[0]) + 1
        return 0.5 + 0.5 * shared / longest
    return 0.5 * (days + shared) / days  # shared = 1 - gap, so this is 0.5 * (days + 1 - gap) / days


def who_score(a: _Prepared, b: _Prepared) -> float:
    """Return the actor score of two incidents (see the module docstring)."""
    if a.perpetrators and b.perpetrators:
        return 1.0 if a.perpetrators & b.perpetrators else 0.0
    if a.targets and b.targets:
        return 0.75 if a.targets & b.targets else 0.25
    return 0.5


@dataclass(frozen=True, slots=True)
class Candidate:
    """Two incidents that may be one, with the evidence."""

    first: model.Entry  # the earlier one (chronological order)
    second: model.Entry
    score: float
    days_apart: int  # 0 when the spans overlap
    km: float | None  # None when matched by place name (no coordinates)
    related: bool  # already linked by `related`
    parts: tuple[float, float, float, float]  # when, where, kind, who


def merge_order(c: Candidate) -> tuple[Any, Any]:
    """Return (keep, duplicate) for `ledger merge`: keep the earlier one (chronological order, then id)."""
    return c.first, c.second


def merge_command(c: Candidate) -> str:
    """Return the command that merges a candidate pair (`ledger merge KEEP DUP`)."""
    keep, dup = merge_order(c)
    return f"ledger merge {keep.id} {dup.id}"


@dataclass(slots=True)
class _Prepared:
    index: int
    entry: model.Entry
    start: int
    end: int
    lat: float | None
    lon: float | None
    place: tuple[str, str]  # (country, canonical place name)
    perpetrators: frozenset[str]
    targets: frozenset[str]
    records: frozenset[str]  # dataset records named by the aliases ("ucdp:612345"), checks.records
    datasets: frozenset[str]  # their datasets ("ucdp")


@dataclass(frozen=True, slots=True)
class _Options:
    days: int
    km: float
    min_score: float
    same_dataset: bool


def _prepare(entries: Sequence[model.Entry], vocabulary: Any) -> list[_Prepared]:
    canonical_actor: dict[str, str] = {}
    canonical_place: dict[str, str] = {}

    def actor(name: str) -> str:
        found = canonical_actor.get(name)
        if found is None:
            spelled = vocabulary.canonical_actor(name) if vocabulary is not None else name
            found = canonical_actor[name] = name_key(spelled)
        return found

    def place(name: str) -> str:
        found = canonical_place.get(name)
        if found is None:
            group = vocabulary.place_names(name) if vocabulary is not None else frozenset({name})
            found = canonical_place[name] = min(name_key(spelling) for spelling in group)
        return found

    # Most incidents name the same few actors and places: one set and one key each, shared
    # (a frozenset is 216 bytes even empty; 100,000 incidents held four apiece).
    actor_sets: dict[tuple[str, ...], frozenset[str]] = {(): _NONE}
    places: dict[tuple[str, str], tuple[str, str]] = {}

    def actors_of(names: tuple[str, ...]) -> frozenset[str]:
        found = actor_sets.get(names)
        if found is None:
            found = actor_sets[names] = frozenset(actor(n) for n in names)
        return found

    out = []
    for i, e in enumerate(entries):
        loc, actors = e.location, e.actors
        where = places.get((loc.country, loc.name))
        if where is None:
            where = places[(loc.country, loc.name)] = (loc.country.upper(), place(loc.name))
        records = checks.records(e.aliases) if e.aliases else _NONE
        out.append(
            _Prepared(
                i,
                e,
                e.date.toordinal(),
                e.last_day.toordinal(),
                loc.lat if loc.lat is not None and loc.lon is not None else None,
                loc.lon if loc.lat is not None and loc.lon is not None else None,
                where,
                actors_of(tuple(actors.perpetrators)) if actors else _NONE,
                actors_of(tuple(actors.targets)) if actors else _NONE,
                records,
                checks.datasets(records) if records else _NONE,
            )
        )
    return out


def _cell(lat: float, lon: float, size: float) -> tuple[int, int, int]:
    # A point on the sphere in 3-D; the chord is never longer than the arc, so two points
    # within `size` km of each other lie in the same or neighbouring cells.
    p, q = math.radians(lat), math.radians(lon)
    r = EARTH_RADIUS_KM
    return (
        math.floor(r * math.cos(p) * math.cos(q) / size),
        math.floor(r * math.cos(p) * math.sin(q) / size),
        math.floor(r * math.sin(p) / size),
    )


class _Bucket:
    """Incidents of one bucket, sorted by first day, with the longest span among them."""

    __slots__ = ("items", "longest", "starts")

    def __init__(self, items: list[_Prepared]) -> None:
        items.sort(key=lambda p: p.start)
        self.items = items
        self.starts = [p.start for p in items]
        self.longest = max(p.end - p.start for p in items)

    def near(self, p: _Prepared, days: int) -> Iterable[_Prepared]:
        """Yield the bucket's incidents whose spans come within `days` of p's span."""
        lo = bisect_left(self.starts, p.start - days - self.longest)
        hi = bisect_right(self.starts, p.end + days)
        for q in self.items[lo:hi]:
            if q.end >= p.start - days:
                yield q


def _settled(p: _Prepared, q: _Prepared, same_dataset: bool) -> bool:
    """Return whether the pair is settled already (see the module docstring)."""
    if checks.linked(p.entry, q.entry):
        return True
    return not same_dataset and checks.distinct_records(p.records, p.datasets, q.records, q.datasets)


def candidates(
    entries: Iterable[Any],  # model.Entry, or `index.chrono.Located` rows (the same attributes)
    vocabulary: Any = None,
    *,
    days: int = DAYS,
    km: float = KM,
    min_score: float = MIN_SCORE,
    same_dataset: bool = False,
) -> list[Candidate]:
    """Return the candidate duplicate pairs among the entries, best score first.

    With `same_dataset`, records of one dataset (aliases with the same prefix) are compared too.
    """
    if days < 0 or km < 0:
        raise ValueError("days and km must not be negative")
    options = _Options(days, km, min_score, same_dataset)
    prepared = _prepare(list(entries), vocabulary)
    size = max(km, 0.001)
    grid: dict[tuple[Any, ...], list[_Prepared]] = defaultdict(list)
    names: dict[tuple[Any, ...], list[_Prepared]] = defaultdict(list)
    for p in prepared:
        category = p.entry.category
        if p.lat is not None and p.lon is not None:
            grid[(category, *_cell(p.lat, p.lon, size))].append(p)
        names[(category, *p.place)].append(p)
    grid_buckets = {key: _Bucket(items) for key, items in grid.items()}
    offsets = [(dx, dy, dz) for dx in (-1, 0, 1) for dy in (-1, 0, 1) for dz in (-1, 0, 1)]
    found: list[Candidate] = []
    # Neighbouring buckets are paired once (the larger key with the smaller), so the cost
    # follows the number of occupied cells and of incidents close in time, not of all pairs.
    for key, bucket in grid_buckets.items():
        category, x, y, z = key
        for dx, dy, dz in offsets:
            near_key = (category, x + dx, y + dy, z + dz)
            other = grid_buckets.get(near_key) if near_key >= key else None
            if other is None:
                continue
            same = other is bucket
            for p in bucket.items:
                for q in other.near(p, days):
                    if same and q.index <= p.index:
                        continue
                    distance = haversine(p.lat, p.lon, q.lat, q.lon)  # type: ignore[arg-type]
                    if distance <= km:
                        _consider(p, q, distance, options, found)
    for items in names.values():
        bucket = _Bucket(items)
        for p in bucket.items:
            for q in bucket.near(p, days):
                if q.index > p.index and (p.lat is None or q.lat is None):
                    _consider(p, q, None, options, found)
    found.sort(key=lambda c: (-c.score, c.first.date, c.first.id, c.second.id))
    return found


def _consider(p: _Prepared, q: _Prepared, distance: float | None, o: _Options, found: list[Candidate]) -> None:
    a, b = p.entry, q.entry
    if _settled(p, q, o.same_dataset):
        return
    kind = kind_score(a.type, b.type)
    when = when_score((p.start, p.end), (q.start, q.end), o.days)
    where = SAME_NAME_WHERE if distance is None else (1.0 - distance / (2 * o.km) if o.km > 0 else 1.0)
    who = who_score(p, q)
    w = WEIGHTS
    score = round(w["when"] * when + w["where"] * where + w["kind"] * kind + w["who"] * who, 4)
    if score < o.min_score:
        return
    from ledger.core.model import chronological

    first, second = (a, b) if chronological(a) <= chronological(b) else (b, a)
    gap = max(0, max(p.start, q.start) - min(p.end, q.end))
    related = b.id in a.related or a.id in b.related
    found.append(
        Candidate(
            first,
            second,
            score,
            gap,
            None if distance is None else round(distance, 2),
            related,
            (round(when, 4), round(where, 4), kind, who),
        )
    )
