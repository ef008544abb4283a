"""Plan an import: rows -> checked entries with stable ids, decided before anything is written.

Pure: the caller passes what the ledger holds (`Existing`) and the function that checks one
entry's text (`api.load_text`: `schema.decode` + `checks.entry_problems`). Every row is
rendered in the canonical layout and checked exactly as `ledger validate` would check the file.

Idempotence: a row whose source id (`UCDP:114064`, `ACLED:IRQ1234`) is among the aliases of
the ledger is already imported; otherwise the id comes from the date and title, and an id in
use by an entry with the same content means "already there", while one in use by different
content moves on to `-2`, `-3`, ... Rows of this tool's own export carry their id: an entry
with that id and other content is never overwritten (the row is rejected).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ledger.core import checks, model, slug
from ledger.core.errors import Problem, Severity
from ledger.interchange import importers
from ledger.interchange.rows import Mapped, Overrides, Row
from ledger.store import canonical, files

_SAFE_PATH = re.compile(r"^entries(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*/[a-z0-9-]+\.toml$")
PLACEHOLDER_ID = "1970-01-01-row"  # checks a row whose date or title is unusable


@dataclass(frozen=True)
class Existing:
    """What the ledger holds, as far as an import needs to know."""

    ids: frozenset[str] = frozenset()  # every id in use, decodable or not
    aliases: Mapping[str, str] = field(default_factory=dict)  # alias -> id
    entries: Mapping[str, model.Entry] = field(default_factory=dict)
    nodes: Sequence[checks.Node] = ()
    undecoded: Sequence[tuple[str, str]] = ()  # (id, path) of files that do not decode


@dataclass(frozen=True, slots=True)
class Planned:
    rel: str
    text: str
    entry: model.Entry
    row: Row


@dataclass
class Plan:
    """What an import would do: files to create, rows skipped and rows rejected."""

    file: str
    source: str = ""
    rows: int = 0
    create: list[Planned] = field(default_factory=list)
    skipped: list[tuple[Row, str]] = field(default_factory=list)
    rejected: dict[int, list[Problem]] = field(default_factory=dict)  # row item -> problems
    notes: list[Problem] = field(default_factory=list)  # repairs and warnings, rows still imported

    @property
    def problems(self) -> list[Problem]:
        return [p for item in sorted(self.rejected) for p in self.rejected[item]]


LoadText = Callable[[str, str, dt.date], Any]  # api.load_text: (rel, text, today) -> Loaded
Progress = Callable[[str, int, int], None]  # (phase, done, total)


def make_plan(
    file: str,
    rows: Sequence[Row],
    source: str,
    overrides: Overrides,
    existing: Existing,
    load_text: LoadText,
    today: dt.date,
    *,
    canonical_actor: Callable[[str], str] | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Map, render and check every row; assign ids; return the plan (nothing is written)."""
    plan = Plan(file, source)
    map_row = importers.mapper(source)
    planned: dict[str, Planned] = {}
    seen: dict[str, Row] = {}  # source id -> first row with it

    def reject(row: Row, where: str, message: str) -> None:
        plan.rejected.setdefault(row.item, []).append(_at(file, row, where, message))

    for row in rows:
        plan.rows += 1
        if progress and (plan.rows % 100 == 0 or plan.rows == len(rows)):
            progress("checking", plan.rows, len(rows))
        try:
            mapped = map_row(row.values, overrides)
        except (ValueError, TypeError, KeyError, AttributeError) as err:
            reject(row, "", f"cannot read this row: {err}")
            continue
        if canonical_actor and source in ("acled", "ucdp"):
            _canonical_actors(mapped.data, canonical_actor)
        plan.notes.extend(_at(file, row, where, message, Severity.WARNING) for where, message in mapped.notes)
        if mapped.alias and mapped.alias in existing.aliases:
            plan.skipped.append((row, f"{mapped.alias} is already in the ledger as {existing.aliases[mapped.alias]}"))
            continue
        if mapped.alias and mapped.alias in seen:
            plan.skipped.append((row, f"{mapped.alias} was already read at {seen[mapped.alias].where}"))
            continue
        base = _base_id(mapped)
        if base is None:
            reject(row, "id", f'"{mapped.entry_id}" is not a valid id')
            continue
        try:
            text = canonical.dumps(mapped.data)
        except (TypeError, ValueError) as err:
            reject(row, "", f"cannot be written as TOML: {err}")
            continue
        size = len(text.encode("utf-8"))
        if size > files.MAX_FILE_BYTES:  # the rule validate applies to the file this would be
            reject(row, "", f"the entry would be larger than the limit of {files.MAX_FILE_BYTES:,} bytes ({size:,})")
            continue
        loaded = load_text(_rel(base), text, today)
        errors = [p for p in loaded.problems if p.severity is Severity.ERROR]
        if loaded.entry is None or errors:
            for problem in errors or loaded.problems:
                reject(row, problem.field, _for_rows(problem.message, mapped.data.get(problem.field)))
            continue
        plan.notes.extend(_at(file, row, p.field, p.message, Severity.WARNING) for p in loaded.problems)
        decided = _assign(base, loaded.entry, mapped.entry_id is not None, existing, planned)
        if isinstance(decided, tuple):
            kind, message = decided
            if kind == "skip":
                plan.skipped.append((row, message))
            else:
                reject(row, "id", message)
            continue
        path = mapped.path if mapped.path and _safe_path(mapped.path, decided) else _rel(decided)
        planned[decided] = Planned(path, text, dataclasses.replace(loaded.entry, id=decided), row)
        if mapped.alias:
            seen[mapped.alias] = row
    _check_links(plan, planned, existing)
    plan.create = [p for p in planned.values() if p.row.item not in plan.rejected]
    return plan


_TOML_HINT = re.compile(r" \(write a TOML (date|time) without quotes: [^)]*\)$")


def _for_rows(message: str, value: Any) -> str:
    """Word a check's message for a row of a CSV or JSON file rather than a TOML file."""
    if _TOML_HINT.search(message):
        message = _TOML_HINT.sub("", message)
        if isinstance(value, str):
            message += f': "{value}"'
    return message


def _at(file: str, row: Row, where: str, message: str, severity: Severity = Severity.ERROR) -> Problem:
    field_path = f"[{row.item}].{where}" if not row.line and where else (f"[{row.item}]" if not row.line else where)
    return Problem(file, row.line, field_path, message, severity)


def _base_id(mapped: Mapped) -> str | None:
    if mapped.entry_id is not None:
        return mapped.entry_id if checks.is_valid_id(mapped.entry_id) else None
    date, title = mapped.data.get("date"), mapped.data.get("title")
    if isinstance(date, dt.date) and isinstance(title, str) and title.strip():
        return slug.make_id(date, title)
    return PLACEHOLDER_ID


def _rel(entry_id: str) -> str:
    return f"entries/{entry_id[:4]}/{entry_id[5:7]}/{entry_id}.toml"


def _safe_path(path: str, entry_id: str) -> bool:
    """Accept a path from an export only inside entries/, without dot-folders, named for its id."""
    return bool(_SAFE_PATH.match(path)) and path.endswith(f"/{entry_id}.toml") and "/.." not in path


def _assign(
    base: str, entry: model.Entry, fixed: bool, existing: Existing, planned: Mapping[str, Planned]
) -> str | tuple[str, str]:
    """Return the id for a new entry, or ("skip" | "reject", why)."""
    number = 1
    while True:
        candidate = slug.with_suffix(base, number)
        twin = dataclasses.replace(entry, id=candidate)
        if candidate in existing.ids:
            if existing.entries.get(candidate) == twin:
                return ("skip", f"already in the ledger as {candidate}")
            if fixed:
                return ("reject", f"{candidate} already exists with other content; it is not overwritten")
        elif candidate in planned:
            other = planned[candidate]
            if other.entry == twin:
                return ("skip", f"same entry as {other.row.where}")
            if fixed:
                return ("reject", f"{candidate} is also given at {other.row.where} with other content")
        else:
            return candidate
        number += 1


def _canonical_actors(data: dict[str, Any], canonical_actor: Callable[[str], str]) -> None:
    actors = data.get("actors")
    if isinstance(actors, dict):
        for key in ("perpetrators", "targets", "associated"):
            if isinstance(actors.get(key), list):
                names: list[str] = []
                for name in actors[key]:
                    name = canonical_actor(name) if isinstance(name, str) else name
                    if name not in names:
                        names.append(name)
                actors[key] = names


def _check_links(plan: Plan, planned: dict[str, Planned], existing: Existing) -> None:
    """Reject new entries whose links (responds_to, related, duplicate_of) would be broken."""
    linked = [p for p in planned.values() if p.entry.responds_to or p.entry.related or p.entry.duplicate_of]
    if not linked:
        return
    while True:
        alive = {p.rel: p for p in planned.values() if p.row.item not in plan.rejected}
        nodes = [*existing.nodes, *(checks.Node.of(p.entry, p.rel) for p in alive.values())]
        fresh = [
            p
            for p in checks.ledger_problems(nodes, existing.undecoded)
            if p.path in alive and p.severity is Severity.ERROR
        ]
        if not fresh:
            return
        for problem in fresh:
            row = alive[problem.path].row
            plan.rejected.setdefault(row.item, []).append(_at(plan.file, row, problem.field, problem.message))
