"""Plan a merge of duplicate entries (`ledger merge KEEP DUP...`), pure: file data in, file data out.

Each DUP is withdrawn (`status = "withdrawn"`, a `withdrawn_reason`, `duplicate_of = KEEP`)
and keeps everything else it said. KEEP gains, in order and without repeats:

- DUP's sources: a source is a repeat when KEEP already cites the same `url`, or, for a
  source without a url, a source of the same name (registry aliases count as the same name);
- DUP's tags;
- DUP's id and DUP's own aliases in `aliases`, so a search for DUP's id, or a later
  import of the same dataset row, finds KEEP.

The plan touches only these two kinds of file, so `git diff` shows the whole merge and
`git revert` undoes it. Planning twice gives the same result (a merge can be re-run after
an interruption).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class MergeRefused(ValueError):
    """The merge cannot be done as asked; the message says why."""


@dataclass(frozen=True)
class Plan:
    """The new data of KEEP and of each DUP, and what KEEP gained."""

    keep: dict[str, Any]
    dups: dict[str, dict[str, Any]]
    sources: int = 0
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    done_before: tuple[str, ...] = field(default=())  # DUPs already merged into KEEP: left as they are


def reason_for(keep_id: str) -> str:
    """Return the default `withdrawn_reason` of a merged duplicate."""
    return f"duplicate of {keep_id} (ledger merge)"


def plan(
    keep_id: str,
    keep: Mapping[str, Any],
    dups: Mapping[str, Mapping[str, Any]],
    *,
    source_key: Callable[[str], str] = str.strip,
    reason: str | None = None,
) -> Plan:
    """Plan merging the `dups` (id -> file data) into `keep`; raise MergeRefused when it cannot be done."""
    if keep_id in dups:
        raise MergeRefused(f"{keep_id} cannot be merged into itself")
    if not dups:
        raise MergeRefused("name at least one duplicate to merge")
    if keep.get("status") == "withdrawn":
        raise MergeRefused(f"{keep_id} is withdrawn: keep an active entry")
    new_keep = copy.deepcopy(dict(keep))
    new_dups: dict[str, dict[str, Any]] = {}
    done: list[str] = []
    sources = _list(new_keep.get("sources"))
    tags = _list(new_keep.get("tags"))
    aliases = _list(new_keep.get("aliases"))
    added_sources = 0
    added_tags: list[str] = []
    added_aliases: list[str] = []
    for dup_id, dup in dups.items():
        if dup.get("status") == "withdrawn":
            if dup.get("duplicate_of") == keep_id:
                done.append(dup_id)
                continue
            raise MergeRefused(f"{dup_id} is already withdrawn" + _because(dup))
        for source in _list(dup.get("sources")):
            if isinstance(source, dict) and not _repeats(source, sources, source_key):
                sources.append(copy.deepcopy(source))
                added_sources += 1
        for tag in _list(dup.get("tags")):
            if tag not in tags:
                tags.append(tag)
                added_tags.append(tag)
        for alias in [dup_id, *_list(dup.get("aliases"))]:
            if alias not in aliases and alias != keep_id:
                aliases.append(alias)
                added_aliases.append(alias)
        withdrawn = copy.deepcopy(dict(dup))
        withdrawn["status"] = "withdrawn"
        withdrawn["withdrawn_reason"] = reason or reason_for(keep_id)
        withdrawn["duplicate_of"] = keep_id
        new_dups[dup_id] = withdrawn
    for key, values in (("sources", sources), ("tags", tags), ("aliases", aliases)):
        if values:
            new_keep[key] = values
    return Plan(new_keep, new_dups, added_sources, tuple(added_tags), tuple(added_aliases), tuple(done))


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _repeats(source: Mapping[str, Any], kept: Sequence[Any], source_key: Callable[[str], str]) -> bool:
    """Return whether KEEP already cites this source (same url, or same name when it has no url)."""
    url = source.get("url")
    name = source.get("name")
    for other in kept:
        if not isinstance(other, dict):
            continue
        if url:
            if other.get("url") == url:
                return True
        elif (
            isinstance(name, str)
            and isinstance(other.get("name"), str)
            and source_key(name).casefold() == source_key(other["name"]).casefold()
        ):
            return True
    return False


def _because(dup: Mapping[str, Any]) -> str:
    other = dup.get("duplicate_of")
    return f" (a duplicate of {other})" if isinstance(other, str) else " (see its withdrawn_reason)"
