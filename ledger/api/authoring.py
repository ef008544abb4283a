"""Authoring: a new entry checked and written under entries/YYYY/MM/, and ledger.toml's names filled in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger.api.form import REQUIRED
from ledger.api.loader import load_file
from ledger.api.validation import load_new
from ledger.core import checks, vocab
from ledger.core.errors import LedgerError, Problem, Severity, UsageError
from ledger.store import files

if TYPE_CHECKING:
    from ledger.store.writing import Created


def create_entry(
    root: Path,
    vocabulary: vocab.Vocabulary,
    data: dict[str, Any],
    entry_id: str | None = None,
    today: dt.date | None = None,
) -> Created:
    """Check new entry data and write it at entries/YYYY/MM/<id>.toml, never over another file.

    Returns `writing.Created` (path and problems); writes nothing when there are errors.
    """
    from ledger.core import slug
    from ledger.store import canonical, writing

    data = place_defaults(vocabulary, data)
    date, title = data.get("date"), data.get("title")
    if entry_id is None and isinstance(date, dt.date) and isinstance(title, str):
        entry_id = slug.make_id(date, title)
    entry_id = entry_id or "1970-01-01-invalid"
    if not checks.is_valid_id(entry_id):
        raise UsageError(f'"{entry_id}" is not a valid id {checks.ID_RULE}')
    rel = f"{files.ENTRIES}/{entry_id[:4]}/{entry_id[5:7]}/{entry_id}.toml"
    text = canonical.dumps(data)
    loaded = load_new(root, vocabulary, rel, text, today or dt.date.today())  # every rule of validate
    problems = list(loaded.problems)
    taken = {files.stem(f.rel): f.rel for f in files.walk(root)}
    if entry_id in taken:
        raise LedgerError(f"{taken[entry_id]} already exists and is not overwritten (change the title or --id)")
    if loaded.entry is not None:
        problems.extend(_across(root, checks.Node.of(loaded.entry, rel), taken, today))
    if not loaded.ok or any(p.severity is Severity.ERROR for p in problems):
        return writing.Created(rel, text, tuple(problems), written=False)
    with writing.write_lock(root):
        again = next((f.rel for f in files.walk(root) if files.stem(f.rel) == entry_id), None)  # under the lock
        if again is not None or not writing.create(root, rel, text):
            raise LedgerError(f"{again or rel} already exists and is not overwritten")
    return writing.Created(rel, text, tuple(problems), written=True)


def _across(root: Path, node: checks.Node, taken: dict[str, str], today: dt.date | None) -> list[Problem]:
    """The rules across entries `validate` applies (`checks.ledger_problems`) to a new entry, against
    the entries it links to (read here) and the ids every other file holds."""
    linked = {*node.responds_to, *node.related, *([node.duplicate_of] if node.duplicate_of else [])}
    around = [load_file(root, taken[i], today) for i in sorted(linked) if i in taken]
    nodes = [checks.Node.of(item.entry, item.rel) for item in around if item.entry is not None]
    read = {n.path for n in nodes}
    others = [(i, rel) for i, rel in taken.items() if rel not in read]
    return [p for p in checks.ledger_problems([node, *nodes], others) if p.path == node.path]


def place_defaults(vocabulary: vocab.Vocabulary, data: dict[str, Any]) -> dict[str, Any]:
    """Use ledger.toml's canonical actor and place names; fill a known place's country and coordinates."""
    actors = data.get("actors")
    if isinstance(actors, dict):
        canon = vocabulary.canonical_actor
        named = {k: list(dict.fromkeys(canon(n) for n in v)) for k, v in actors.items() if isinstance(v, list)}
        data = {**data, "actors": {**actors, **named}}
    location = data.get("location")
    if not isinstance(location, dict) or not isinstance(location.get("name"), str):
        return data
    from ledger.core.names import fold

    folded = fold(location["name"])
    for place in vocabulary.places.values():
        if folded in {fold(place.name), *(fold(a) for a in place.aliases)}:
            filled = {**location, "name": place.name}
            if place.country and not filled.get("country"):
                filled["country"] = place.country
            if place.lat is not None and place.lon is not None and "lat" not in filled and "lon" not in filled:
                filled["lat"], filled["lon"] = place.lat, place.lon
            return {**data, "location": filled}
    return data


def missing(vocabulary: vocab.Vocabulary, fields: dict[str, Any]) -> list[str]:
    """Fill a known place's country into `fields`; return the required keys still without a value.

    Under the policy `require_grades`, the source's grades are required too (the reliability
    unless the registry grades the source), as `ledger validate` will hold the entry to them.
    """
    if fields.get("place") and not fields.get("country"):  # a place of ledger.toml knows its country
        known = place_defaults(vocabulary, {"location": {"name": fields["place"]}})["location"]
        fields["country"] = known.get("country")
    required = list(REQUIRED)
    if vocabulary.policy.require_grades and _given(fields, "source"):
        info = vocabulary.source(str(fields["source"]))
        required += ["credibility"] if info is not None and info.reliability is not None else GRADES
    return [key for key in required if not _given(fields, key)]


GRADES = ["reliability", "credibility"]


def _given(fields: dict[str, Any], key: str) -> bool:
    return fields.get(key) is not None and bool(str(fields[key]).strip())
