"""Compare two ledgers' incidents by id: added, removed, changed, field by field (pure).

Incidents are matched by id, never by path: a file moved to another folder with the same
content is no change. Field changes use dotted paths in the model's canonical order
(`location.name`, `casualties.killed.best`); lists are compared whole (`tags`, `sources`)
and rendered as the items added and removed. Values are JSON-ready (dates as ISO strings).

>>> from ledger.core.model import Entry, Location, EventType, Confidence, Source
>>> import datetime as dt
>>> a = Entry(id="2020-01-05-x", title="X", date=dt.date(2020, 1, 5), type=EventType.SHELLING, escalation=4,
...           confidence=Confidence.REPORTED, location=Location("Baghdad", "IQ"), sources=(Source("AP"),))
>>> [(c.field, c.old, c.new) for c in field_changes(a, dataclasses.replace(a, escalation=5, tags=("umbrella",)))]
[('escalation', 4, 5), ('tags', [], ['umbrella'])]
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import enum
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.core import model
from ledger.core.errors import Problem

# Defaults a file may spell out or leave implicit: the same incident either way.
_IMPLICIT = {"status": model.Status.ACTIVE, "date_precision": model.DatePrecision.DAY}
_DATED_ID = re.compile(r"^(\d{4}-\d{2}-\d{2})-")


@dataclass(frozen=True, slots=True)
class Version:
    """One side's file for an id: its path and entry, or why it could not be read."""

    rel: str
    entry: model.Entry | None
    problem: Problem | None = None


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field that differs; `after`/`before` place a moved date in the new chronology."""

    field: str
    old: Any
    new: Any
    after: str | None = None
    before: str | None = None
    placed: bool = False  # after/before were worked out (a diff does; a log does not)

    @property
    def is_list(self) -> bool:
        return isinstance(self.old, list) or isinstance(self.new, list)

    def added_items(self) -> list[Any]:
        """Return the list items only the new side has (multiset difference)."""
        return _minus(self.new or [], self.old or [])

    def removed_items(self) -> list[Any]:
        """Return the list items only the old side has."""
        return _minus(self.old or [], self.new or [])

    def as_json(self) -> dict[str, Any]:
        out = {"field": self.field, "old": self.old, "new": self.new}
        if self.placed:
            out["after"] = self.after
            out["before"] = self.before
        return out


@dataclass(frozen=True, slots=True)
class Item:
    """An incident that was added, removed or changed (title and date of the side shown)."""

    id: str
    entry: model.Entry  # the new version (the old one for a removed incident)
    path: str
    old: model.Entry | None = None  # the old version of a changed incident
    changes: tuple[FieldChange, ...] = ()

    @property
    def title(self) -> str:
        return self.entry.title

    @property
    def date(self) -> dt.date:
        return self.entry.date

    @property
    def escalation_step(self) -> int:
        """Return how far the escalation moved (positive: raised), 0 if it did not."""
        return self.entry.escalation - self.old.escalation if self.old else 0

    def change(self, field: str) -> FieldChange | None:
        return next((c for c in self.changes if c.field == field), None)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "title": self.title, "date": self.date.isoformat(), "path": self.path}
        if self.old is not None:
            out["changes"] = [c.as_json() for c in self.changes]
        return out


@dataclass(frozen=True, slots=True)
class Unparseable:
    """An id whose file could not be read or decoded at one side (or both)."""

    id: str
    path: str
    problems: tuple[tuple[str, Problem], ...]  # (side label, problem)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "problems": problems_json(self.problems),
        }


def problems_json(problems: Iterable[tuple[str, Problem]]) -> list[dict[str, Any]]:
    """Return (side, problem) pairs in the JSON form of diff and log."""
    return [
        {"at": side, "path": p.path, "line": p.line, "field": p.field, "message": p.message} for side, p in problems
    ]


@dataclass(frozen=True)
class Diff:
    """What changed between two sides (`source` and `target` say what they were)."""

    source: str
    target: str
    added: tuple[Item, ...] = ()
    removed: tuple[Item, ...] = ()
    changed: tuple[Item, ...] = ()
    unparseable: tuple[Unparseable, ...] = ()
    labels: tuple[str, str] | None = None  # how to show source and target to a person

    @property
    def source_label(self) -> str:
        return self.labels[0] if self.labels else self.source

    @property
    def target_label(self) -> str:
        return self.labels[1] if self.labels else self.target

    def label(self, side: str) -> str:
        """Return the human label of a side given by its JSON value."""
        if side == self.source:
            return self.source_label
        return self.target_label if side == self.target else side

    @property
    def equal(self) -> bool:
        return not (self.added or self.removed or self.changed or self.unparseable)

    def filtered(self, keep: Callable[[model.Entry], bool]) -> Diff:
        """Keep the incidents `keep` accepts at either side (unparseable ones always stay)."""
        return dataclasses.replace(
            self,
            added=tuple(i for i in self.added if keep(i.entry)),
            removed=tuple(i for i in self.removed if keep(i.entry)),
            changed=tuple(i for i in self.changed if keep(i.entry) or (i.old is not None and keep(i.old))),
        )

    def field_counts(self) -> dict[str, int]:
        """Count the changed incidents per changed field, in first-seen order."""
        counts: dict[str, int] = {}
        for item in self.changed:
            for change in item.changes:
                counts[change.field] = counts.get(change.field, 0) + 1
        return counts

    def as_json(self) -> dict[str, Any]:
        """Return the documented JSON shape (DESIGN.md section 3)."""
        return {
            "from": self.source,
            "to": self.target,
            "added": [i.as_json() for i in self.added],
            "removed": [i.as_json() for i in self.removed],
            "changed": [i.as_json() for i in self.changed],
            "unparseable": [u.as_json() for u in self.unparseable],
        }

    def stat_json(self) -> dict[str, Any]:
        """Return the counts of `--stat --format json`."""
        return {
            "from": self.source,
            "to": self.target,
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
            "unparseable": len(self.unparseable),
            "fields": self.field_counts(),
        }


def compare(
    old: Mapping[str, Sequence[Version]],
    new: Mapping[str, Sequence[Version]],
    source: str,
    target: str,
) -> Diff:
    """Compare the versions of each id at two sides (ids missing from a side are absent there)."""
    added, removed, changed, broken = [], [], [], []
    for entry_id in sorted(set(old) | set(new)):
        before, after = list(old.get(entry_id, ())), list(new.get(entry_id, ()))
        problems = _problems(before, source) + _problems(after, target)
        if problems:
            path = (after or before)[0].rel
            broken.append(Unparseable(entry_id, path, tuple(problems)))
            continue
        if not before and after and after[0].entry is not None:
            added.append(Item(entry_id, after[0].entry, after[0].rel))
        elif before and not after and before[0].entry is not None:
            removed.append(Item(entry_id, before[0].entry, before[0].rel))
        elif before and after and before[0].entry is not None and after[0].entry is not None:
            changes = field_changes(before[0].entry, after[0].entry)
            if changes:
                changed.append(Item(entry_id, after[0].entry, after[0].rel, before[0].entry, tuple(changes)))
    return Diff(
        source,
        target,
        tuple(sorted(added, key=_order)),
        tuple(sorted(removed, key=_order)),
        tuple(sorted(changed, key=_order)),
        tuple(broken),
    )


def _order(item: Item) -> tuple[dt.date, str]:
    return (item.date, item.id)


def _problems(versions: list[Version], side: str) -> list[tuple[str, Problem]]:
    if len(versions) > 1:
        paths = ", ".join(v.rel for v in versions)
        return [(side, Problem(versions[0].rel, 0, "", f"the same id is used by {len(versions)} files: {paths}"))]
    return [(side, v.problem) for v in versions if v.entry is None and v.problem is not None]


def field_changes(old: model.Entry, new: model.Entry) -> list[FieldChange]:
    """Return the fields that differ between two versions of an incident, in canonical order."""
    out: list[FieldChange] = []
    _walk("", old, new, out)
    return [c for c in out if c.field != "id"]


def _walk(path: str, old: Any, new: Any, out: list[FieldChange]) -> None:
    cls = type(old) if old is not None else type(new)
    if dataclasses.is_dataclass(cls) and all(v is None or type(v) is cls for v in (old, new)):
        for f in dataclasses.fields(cls):
            a = getattr(old, f.name) if old is not None else None
            b = getattr(new, f.name) if new is not None else None
            at = f"{path}.{f.name}" if path else f.name
            if not path and f.name in _IMPLICIT:
                a, b = a or _IMPLICIT[f.name], b or _IMPLICIT[f.name]
            if a != b:
                _walk(at, a, b, out)
        return
    if old != new:
        out.append(FieldChange(path, jsonable(old), jsonable(new)))


def jsonable(value: Any) -> Any:
    """Return a model value as JSON-ready data (lists for tuples, ISO strings for dates)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: jsonable(v) for f in dataclasses.fields(value) if (v := getattr(value, f.name)) not in (None, ())
        }
    if isinstance(value, tuple | list):
        return [jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def _minus(a: list[Any], b: list[Any]) -> list[Any]:
    rest = list(b)
    out = []
    for item in a:
        if item in rest:
            rest.remove(item)
        else:
            out.append(item)
    return out


# -- where a moved incident now sits -----------------------------------------------------


def chronology_key(entry_id: str, date: dt.date | None = None) -> str | None:
    """Return the sort key `YYYY-MM-DD id` (the date from the id unless given)."""
    if date is not None:
        return f"{date.isoformat()} {entry_id}"
    found = _DATED_ID.match(entry_id)
    return f"{found.group(1)} {entry_id}" if found else None


def placements(diff: Diff, target_ids: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
    """Return, for each incident whose date changed, the ids now just before and after it.

    `target_ids` are ids at the target side (all of them, or all in a window around the
    moved dates). The incidents this diff read are placed by their real date; the others
    by the date their id starts with (not read, so the cost follows the change).
    """
    moved = [item for item in diff.changed if item.change("date") is not None]
    if not moved:
        return {}
    known = {i.id: chronology_key(i.id, i.date) or i.id for i in (*diff.changed, *diff.added)}
    gone = {i.id for i in diff.removed}
    keys = [k for i in target_ids if i not in known and i not in gone and (k := chronology_key(i)) is not None]
    keys.extend(known.values())
    keys.sort()
    placed: dict[str, tuple[str | None, str | None]] = {}
    for item in moved:
        mine = chronology_key(item.id, item.date) or item.id
        at = bisect.bisect_left(keys, mine)
        after = keys[at - 1] if at > 0 else None
        nxt = at + 1 if at < len(keys) and keys[at] == mine else at
        before = keys[nxt] if nxt < len(keys) else None
        placed[item.id] = (after.split(" ", 1)[1] if after else None, before.split(" ", 1)[1] if before else None)
    return placed


def place_moves(diff: Diff, placed: Mapping[str, tuple[str | None, str | None]]) -> Diff:
    """Return the diff with each moved date's neighbours filled in (see `placements`)."""
    if not placed:
        return diff
    changed = []
    for item in diff.changed:
        if item.id in placed:
            after_id, before_id = placed[item.id]
            changes = tuple(
                dataclasses.replace(c, after=after_id, before=before_id, placed=True) if c.field == "date" else c
                for c in item.changes
            )
            item = dataclasses.replace(item, changes=changes)
        changed.append(item)
    return dataclasses.replace(diff, changed=tuple(changed))
