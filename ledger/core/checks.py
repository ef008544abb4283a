"""Rules a JSON Schema cannot say: small functions over entries, returning problems.

`entry_problems` looks at one entry; `ledger_problems` at the whole ledger (unique ids,
links that must exist, are not later and form no cycle, plausible duplicates).
Problems from `ledger_problems` carry line 0: the caller fills lines in for the few files
concerned (`schema.LineOf`), so a clean ledger never pays for locating keys.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Protocol

from ledger.core import model
from ledger.core.countries import CODES
from ledger.core.decoding import LineOf
from ledger.core.errors import Problem, Severity
from ledger.core.names import fold
from ledger.core.nearby import NearIds

_ID = re.compile(model.ID_PATTERN)
_W = Severity.WARNING


def is_valid_id(entry_id: str) -> bool:
    """Return whether `entry_id` is a well-formed entry id (`model.ID_PATTERN`, at most ID_MAX_LENGTH)."""
    return bool(_ID.match(entry_id)) and len(entry_id) <= model.ID_MAX_LENGTH


#: what a valid id is, in words (after "is not a valid id")
ID_RULE = f"(lowercase YYYY-MM-DD-words of a-z, 0-9 and -, at most {model.ID_MAX_LENGTH})"


def id_problems(path: str, stem: str, entry_id: str | None, line_of: LineOf) -> list[Problem]:
    """Check the file name is a valid id and agrees with an `id` key."""
    found = []
    if not is_valid_id(stem):
        found.append(Problem(path, 1, "id", f'file name "{stem}" is not a valid id {ID_RULE}'))
    elif entry_id is not None and entry_id != stem:
        found.append(Problem(path, line_of("id"), "id", f'"{entry_id}" differs from the file name "{stem}"'))
    return found


def entry_problems(
    entry: model.Entry, path: str, line_of: LineOf, today: dt.date, bad: AbstractSet[str] = frozenset()
) -> list[Problem]:
    """Check the cross-field rules of one entry.

    `entry` may be partial (`schema.Decoded.partial`): a rule runs only when every field it
    reads was usable (a field named in `bad` was given but left out, or is required and None),
    so an invalid value is reported once, by its own check, and never as a second, false problem.
    """
    found: list[Problem] = []

    def add(field: str, message: str, severity: Severity = Severity.ERROR) -> None:
        found.append(Problem(path, line_of(field), field, message, severity))

    if entry.date is not None and entry.date_end is not None and entry.date_end < entry.date:
        add("date_end", f"{entry.date_end} is before date {entry.date}")
    for name in ("date", "date_end"):
        value = getattr(entry, name)
        if value is not None and value > today:
            add(name, f"{value} is in the future")
    precision = entry.date_precision
    if precision not in (None, model.DatePrecision.DAY) and entry.date_end is None and "date_end" not in bad:
        add("date_end", f'date_precision "{precision}" without date_end: give the last possible day', _W)
    loc = entry.location
    if loc is not None:
        coordinates_usable = not {"location.lat", "location.lon"} & bad
        if coordinates_usable and (loc.lat is None) != (loc.lon is None):
            add("location.lat" if loc.lat is not None else "location.lon", "give both lat and lon, or neither")
        if loc.country is not None and loc.country not in CODES and re.match(model.COUNTRY_PATTERN, loc.country):
            add("location.country", f'"{loc.country}" is not an ISO 3166-1 alpha-2 country code')
        if loc.precision is model.GeoPrecision.EXACT and loc.lat is None and coordinates_usable:
            add("location.precision", '"exact" without coordinates', _W)
    if entry.withdrawn:
        if not entry.withdrawn_reason and "withdrawn_reason" not in bad:
            add("withdrawn_reason", "a withdrawn entry needs a withdrawn_reason")
    elif "status" not in bad:
        for name in ("withdrawn_reason", "duplicate_of"):
            if getattr(entry, name) is not None:
                add(name, 'only a withdrawn entry (status = "withdrawn") has this')
    for name in ("responds_to", "related"):
        if entry.id in getattr(entry, name):
            add(name, "an entry cannot link to itself")
    for name in ("responds_to", "related", "tags", "aliases"):
        values = getattr(entry, name)
        if len(set(values)) != len(values):
            add(name, "lists a value twice", _W)
    return found


@dataclass(frozen=True, slots=True)
class Node:
    """What the ledger-wide checks need of an entry."""

    id: str
    path: str
    date: dt.date | None  # None (and type, place) for an invalid entry's unusable fields
    type: model.EventType | None
    place: str | None
    withdrawn: bool
    duplicate_of: str | None
    responds_to: tuple[str, ...]
    related: tuple[str, ...]
    tags: tuple[str, ...]
    aliases: tuple[str, ...] = ()

    @classmethod
    def of(cls, entry: model.Entry, path: str) -> Node:
        return cls(
            entry.id,
            path,
            entry.date,
            entry.type,
            fold(entry.location.name) if entry.location is not None and entry.location.name else None,
            entry.withdrawn,
            entry.duplicate_of,
            entry.responds_to,
            entry.related,
            entry.tags,
            entry.aliases,
        )


def ledger_problems(nodes: Sequence[Node], taken_ids: Iterable[tuple[str, str]] = ()) -> list[Problem]:
    """Check what involves several entries.

    `taken_ids` are (id, path) of files that exist but did not decode: they still hold
    their id, and links to them are not reported as missing.
    """
    found: list[Problem] = []
    by_id: dict[str, Node] = {}
    paths_of: dict[str, list[str]] = defaultdict(list)
    for node in nodes:
        paths_of[node.id].append(node.path)
        by_id.setdefault(node.id, node)
    existing = set(by_id)
    for entry_id, path in taken_ids:
        paths_of[entry_id].append(path)
        existing.add(entry_id)
    for entry_id, paths in paths_of.items():
        if len(paths) > 1:
            for path in paths:
                others = ", ".join(p for p in sorted(paths) if p != path)
                found.append(Problem(path, 1, "id", f'id "{entry_id}" is also used by {others}'))
    near = _Near(existing)
    for node in nodes:
        found.extend(missing_links(node, existing, near))
        for i, target in enumerate(node.responds_to):
            if target in by_id and _later(by_id[target].date, node.date):
                message = f'"{target}" ({by_id[target].date}) is later than this entry ({node.date})'
                found.append(Problem(node.path, 0, f"responds_to[{i}]", message))
        if node.duplicate_of is not None and node.duplicate_of == node.id:
            found.append(Problem(node.path, 0, "duplicate_of", "an entry cannot duplicate itself"))
    found.extend(_cycles(nodes, by_id))
    found.extend(_plausible_duplicates(nodes))
    return found


def _later(first: dt.date | None, second: dt.date | None) -> bool:
    return first is not None and second is not None and first > second


def missing_links(node: Node, existing: AbstractSet[str], near: _Near | None = None) -> list[Problem]:
    """Return a problem (line 0) for each link of an entry to an id that no file holds."""
    links = [
        *((f"responds_to[{i}]", t) for i, t in enumerate(node.responds_to)),
        *((f"related[{i}]", t) for i, t in enumerate(node.related)),
        *([("duplicate_of", node.duplicate_of)] if node.duplicate_of is not None else []),
    ]
    missing = [(field, target) for field, target in links if target not in existing]
    if not missing:
        return []
    near = near or _Near(existing)
    return [Problem(node.path, 0, field, f'no entry "{target}"{near.suggest(target)}') for field, target in missing]


def suggest_id(entry_id: str, ids: Collection[str]) -> str:
    """Return ' (did you mean "x"?)' for the known id nearest to `entry_id`, or ''.

    Bounded (`nearby.NearIds`): only ids of the same date or with the same words are compared.
    """
    return NearIds(ids).suggest(entry_id)


class _Near:
    """The ids filed for suggestions (`nearby.NearIds`), built at the first missing link.

    One filing serves every broken link of a run: with thousands of them `validate` stays
    linear (a difflib scan of every id per link made it quadratic).
    """

    def __init__(self, ids: Collection[str]) -> None:
        self._ids = ids
        self._near: NearIds | None = None

    def suggest(self, word: str) -> str:
        if self._near is None:
            self._near = NearIds(self._ids)
        return self._near.suggest(word)


def _cycles(nodes: Sequence[Node], by_id: dict[str, Node]) -> list[Problem]:
    """Report each responds_to cycle once, at its first member in id order."""
    found = []
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    for start in sorted(by_id):
        if state.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        trail: list[str] = [start]
        state[start] = 1
        while stack:
            current, index = stack[-1]
            links = [t for t in by_id[current].responds_to if t in by_id]
            if index < len(links):
                stack[-1] = (current, index + 1)
                nxt = links[index]
                if state.get(nxt) == 1:
                    loop = [*trail[trail.index(nxt) :], nxt]
                    first = min(loop[:-1])
                    node = by_id[first]
                    found.append(
                        Problem(node.path, 0, "responds_to", "responds_to forms a cycle: " + " -> ".join(loop))
                    )
                elif not state.get(nxt):
                    state[nxt] = 1
                    stack.append((nxt, 0))
                    trail.append(nxt)
            else:
                state[current] = 2
                stack.pop()
                trail.pop()
    return found


class _Linkable(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def duplicate_of(self) -> str | None: ...
    @property
    def responds_to(self) -> tuple[str, ...]: ...


def linked(a: _Linkable, b: _Linkable) -> bool:
    """Whether two incidents are settled as two by a link: one is a `duplicate_of` or `responds_to` the other."""
    return a.duplicate_of == b.id or b.duplicate_of == a.id or b.id in a.responds_to or a.id in b.responds_to


def records(aliases: Iterable[str]) -> frozenset[str]:
    """The dataset records an incident's aliases name, the namespace in one case ("ucdp:612345")."""
    split = (a.partition(":") for a in aliases)
    return frozenset(f"{space.casefold()}:{record}" for space, colon, record in split if colon)


def datasets(in_records: Iterable[str]) -> frozenset[str]:
    """The datasets of `records` ("ucdp" for "ucdp:612345")."""
    return frozenset(r.split(":", 1)[0] for r in in_records)


def distinct_records(
    mine: AbstractSet[str], in_datasets: AbstractSet[str], other: AbstractSet[str], other_in: AbstractSet[str]
) -> bool:
    """Whether two incidents are different records of one dataset (`UCDP:612345` and `UCDP:612346`).

    That dataset's own coding says they are two events, so neither `ledger dupes` nor validate's
    duplicate warning pairs them; the same record twice (one alias in both) is a duplicate.
    """
    return bool(in_datasets & other_in) and not (mine & other)


def _plausible_duplicates(nodes: Sequence[Node]) -> list[Problem]:
    groups: dict[tuple[dt.date, str, model.EventType], list[Node]] = defaultdict(list)
    for node in nodes:
        if not node.withdrawn and node.date is not None and node.place is not None and node.type is not None:
            groups[(node.date, node.place, node.type)].append(node)
    found = []
    for group in groups.values():
        if len(group) < 2:
            continue
        keyed = [(node, rs, datasets(rs)) for node in group for rs in (records(node.aliases),)]
        for node, *mine in keyed:
            others = [
                o.id
                for o, *theirs in keyed
                if o is not node and not linked(node, o) and not distinct_records(*mine, *theirs)
            ]
            if others:
                found.append(
                    Problem(
                        node.path,
                        0,
                        "",
                        "possible duplicate of " + ", ".join(sorted(others)) + " (same date, place and type)",
                        _W,
                    )
                )
    return found
