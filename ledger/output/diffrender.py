"""Diffs and incident histories as text, markdown and JSON (values in, strings out).

The caller says whether to colour; text from entries is stripped of control characters.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from ledger.output.render import clean
from ledger.reports.diff import Diff, FieldChange, Item

Label = Callable[[int], str]  # escalation level -> ladder label

_BARE = re.compile(r"^[\w.:+/@-]+$")
_LONG = 72
_COLORS = {"+": "32", "-": "31", "~": "33", "!": "35", "head": "1", "dim": "2"}


def _default_label(level: int) -> str:
    return str(level)


class _Paint:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, kind: str, text: str) -> str:
        return f"\x1b[{_COLORS[kind]}m{text}\x1b[0m" if self.color else text


# -- values ------------------------------------------------------------------------------


def show(value: Any) -> str:
    """Return a field value as one readable line (bare words unquoted)."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return clean(value) if _BARE.match(value) else clean(json.dumps(value, ensure_ascii=False))
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return clean(str(value))


def _days(old: str, new: str) -> str:
    delta = (dt.date.fromisoformat(new) - dt.date.fromisoformat(old)).days
    unit = "day" if abs(delta) == 1 else "days"
    return f"{abs(delta)} {unit} {'later' if delta > 0 else 'earlier'}"


def _where(change: FieldChange) -> str:
    if change.after is None and change.before is None:
        return "now the only incident"
    if change.after is None:
        return f"now first, before {change.before}"
    if change.before is None:
        return f"now last, after {change.after}"
    return f"now after {change.after}, before {change.before}"


Extra = tuple[str, str, str]  # (sign, word, value): ("+", "added", "x") or ("-", "old", '"long text"')


def explain(change: FieldChange, label: Label = _default_label) -> tuple[str, list[Extra]]:
    """Return what a change did as a short text and, for long values and tables, extra lines."""
    if change.is_list:
        added, removed = change.added_items(), change.removed_items()
        if not added and not removed:
            return f"reordered: {show(change.new)}", []
        if any(isinstance(v, dict) for v in (*added, *removed)):
            return "", [("+", "added", show(v)) for v in added] + [("-", "removed", show(v)) for v in removed]
        return ", ".join([f"+ {show(v)}" for v in added] + [f"- {show(v)}" for v in removed]), []
    if change.field == "escalation" and isinstance(change.old, int) and isinstance(change.new, int):
        way = "raised" if change.new > change.old else "lowered"
        return f"{change.old} {label(change.old)} -> {change.new} {label(change.new)} ({way})", []
    if change.field == "date" and isinstance(change.old, str) and isinstance(change.new, str):
        where = f"; {_where(change)}" if change.placed else ""
        return f"{change.old} -> {change.new} ({_days(change.old, change.new)}{where})", []
    old, new = show(change.old), show(change.new)
    if len(old) + len(new) > _LONG:
        return "", [("-", "old", old), ("+", "new", new)]
    return f"{old} -> {new}", []


def describe(change: FieldChange, label: Label = _default_label) -> list[str]:
    """Return a change as lines: `field: old -> new` with the meaning spelt out."""
    head, extra = explain(change, label)
    return [
        f"{change.field}: {head}" if head else f"{change.field}:",
        *(f"  {sign} {value}" for sign, _, value in extra),
    ]


# -- diff as text ------------------------------------------------------------------------


def _line(mark: str, item: Item) -> str:
    return f"{mark} {item.date.isoformat()}  {item.id}  {clean(item.title)}"


def text(diff: Diff, *, color: bool = False, label: Label = _default_label) -> str:
    """Return the readable diff: headers, then added, removed, changed, unparseable."""
    paint = _Paint(color)
    out = [paint("head", f"--- {clean(diff.source_label)}"), paint("head", f"+++ {clean(diff.target_label)}")]
    out.extend(paint("+", _line("+", item)) for item in diff.added)
    out.extend(paint("-", _line("-", item)) for item in diff.removed)
    for item in diff.changed:
        out.append(paint("~", _line("~", item)))
        out.extend(f"    {line}" for change in item.changes for line in describe(change, label))
    for bad in diff.unparseable:
        for side, problem in bad.problems:
            out.append(paint("!", f"! {bad.id}  unparseable at {clean(diff.label(side))}: {clean(str(problem))}"))
    return "\n".join(out) + "\n"


def summary(diff: Diff) -> str:
    """Return the one-line count of a diff."""
    parts = [f"{len(diff.added)} added", f"{len(diff.removed)} removed", f"{len(diff.changed)} changed"]
    if diff.unparseable:
        parts.append(f"{len(diff.unparseable)} unparseable")
    return ", ".join(parts)


def stat(diff: Diff) -> str:
    """Return `--stat`: the counts, and how many incidents each field changed in."""
    lines = [f"{clean(diff.source_label)} -> {clean(diff.target_label)}: {summary(diff)}"]
    counts = diff.field_counts()
    if counts:
        lines.append("fields: " + ", ".join(f"{name} {n}" for name, n in counts.items()))
    return "\n".join(lines) + "\n"


def as_json(diff: Diff, stat_only: bool = False) -> str:
    """Return the documented JSON of a diff (or of its counts)."""
    return json.dumps(diff.stat_json() if stat_only else diff.as_json(), indent=2, ensure_ascii=False) + "\n"


# -- diff as markdown --------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<|~])")  # what can start markup inside a line


def md_escape(text: str) -> str:
    """Escape text for a markdown paragraph (one line)."""
    return _MD_SPECIAL.sub(r"\\\1", clean(text).replace("\n", " "))


def _code(text: str) -> str:
    text = clean(text).replace("\n", " ")
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_item(item: Item) -> str:
    return f"- **{_code(item.id)}** ({item.date.isoformat()}): {md_escape(item.title)}"


def markdown(diff: Diff, *, label: Label = _default_label) -> str:
    """Return the diff as a markdown section (for a pull request or a report)."""
    out = [f"### Ledger diff: {_code(diff.source_label)} → {_code(diff.target_label)}", "", summary(diff)]
    for title, items in (("Added", diff.added), ("Removed", diff.removed)):
        if items:
            out += ["", f"#### {title}", "", *(_md_item(i) for i in items)]
    if diff.changed:
        out += ["", "#### Changed", ""]
        for item in diff.changed:
            out.append(_md_item(item))
            for change in item.changes:
                head, extra = explain(change, label)
                out.append(f"  - {_code(change.field)}" + (f": {md_escape(head)}" if head else ""))
                out.extend(f"    - {word}: {md_escape(value)}" for _, word, value in extra)
    if diff.unparseable:
        out += ["", "#### Unparseable", ""]
        for bad in diff.unparseable:
            for side, problem in bad.problems:
                out.append(f"- **{_code(bad.id)}** at {_code(diff.label(side))}: {md_escape(str(problem))}")
    return "\n".join(out) + "\n"


# -- an incident's history ---------------------------------------------------------------


def log_text(records: Sequence[Any], *, color: bool = False, label: Label = _default_label) -> str:
    """Return an incident's history, newest first: commit, date, author, message, changes."""
    paint = _Paint(color)
    out: list[str] = []
    for record in records:
        c = record.commit
        out.append(paint("head", f"commit {c.id}"))
        out.append(f"Author: {clean(c.author)} <{clean(c.email)}>")
        out.append(f"Date:   {c.date}")
        out.append("")
        out.extend(f"    {clean(line)}" for line in (c.message.splitlines() or ["(no message)"]))
        out.append("")
        out.extend(f"  {line}" for line in _what(record, label, paint))
        out.append("")
    return "\n".join(out[:-1]) + "\n" if out else ""


def _what(record: Any, label: Label, paint: _Paint) -> list[str]:
    kind = record.kind
    if kind == "added":
        return [paint("+", f"+ added at {clean(record.path)}")]
    if kind == "removed":
        return [paint("-", f"- removed from {clean(record.path)}")]
    lines = []
    if kind == "renamed":
        lines.append(paint("~", f"~ renamed from {record.renamed_from} ({clean(record.old_path or '')})"))
    elif record.old_path:
        lines.append(paint("~", f"~ moved from {clean(record.old_path)} to {clean(record.path)}"))
    if kind == "reformatted":
        lines.append(paint("~", "~ reformatted (same data)"))
    elif kind == "changed":
        lines.append(paint("~", "~ changed"))
    for side, problem in record.problems:
        lines.append(paint("!", f"! unparseable {side} this commit: {clean(str(problem))}"))
    for change in record.changes:
        lines.extend(f"  {line}" for line in describe(change, label))
    return lines


def log_json(history: Any) -> str:
    """Return the documented JSON of an incident's history."""
    data = {"id": history.id, "commits": [r.as_json() for r in history.records]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def unified(rel: str, old: str, new: str) -> str:
    """Return a file's change as a unified diff (`a/REL`, `b/REL`), as `ledger fmt --diff` shows it."""
    import difflib

    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{rel}", f"b/{rel}")
    return clean("".join(lines))
