"""`ledger chain`'s output: causal trees (`timeline.tree` lines) drawn with branch lines, or nested as JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledger.core import model


_BRANCHES = {False: ("├── ", "└── ", "│   ", "    "), True: ("|-- ", "`-- ", "|   ", "    ")}


def tree_text(
    lines: Sequence[Any], entries: Mapping[str, model.Entry], labels: Any, ascii_only: bool = False
) -> list[str]:
    """Draw a causal tree (`timeline.tree` lines) with branch lines, one incident a line."""
    from ledger.output.render import clean

    mid, end, down, blank = _BRANCHES[ascii_only]
    out: list[str] = []
    open_levels: list[bool] = []  # per depth: whether a sibling follows further down
    for line in lines[1:]:
        del open_levels[line.depth - 1 :]
        prefix = "".join(down if more else blank for more in open_levels)
        text = prefix + (end if line.last else mid) + line.id
        e = entries.get(line.id)
        if e is not None:
            text += f"  [{e.escalation} {labels.label(e.escalation)}]  {clean(e.title)}"
            if e.withdrawn:
                text += "  (withdrawn)"
        if line.mark == "missing":
            text += "  (no valid entry)"
        elif line.mark == "seen":
            text += "  (shown above)"
        elif line.mark == "cycle":
            text += "  (cycle: " + " -> ".join(line.loop) + ")"
        out.append(text)
        open_levels.append(not line.last)
    return out


def tree_json(
    lines: Sequence[Any], entries: Mapping[str, model.Entry], paths: Mapping[str, str], labels: Any
) -> list[dict[str, Any]]:
    """Nest the pre-order tree lines as JSON objects with `children` (iteratively)."""
    top: list[dict[str, Any]] = []
    stack: list[list[dict[str, Any]]] = [top]
    for line in lines[1:]:
        del stack[line.depth :]
        e = entries.get(line.id)
        node: dict[str, Any] = {"id": line.id, "path": paths.get(line.id)}
        if e is not None:
            node.update(date=e.date.isoformat(), escalation=e.escalation, label=labels.label(e.escalation))
            node.update(title=e.title, withdrawn=e.withdrawn)
        if line.mark:
            node["mark"] = line.mark
        if line.loop:
            node["cycle"] = list(line.loop)
        node["children"] = []
        stack[-1].append(node)
        stack.append(node["children"])
    return top


def chain_json(chain: Any, labels: Any) -> dict[str, Any]:
    """Return `ledger chain --format json`: the incident, its two trees and the cycles found."""
    e = chain.entry
    return {
        "id": e.id,
        "path": chain.paths[e.id],
        "date": e.date.isoformat(),
        "escalation": e.escalation,
        "label": labels.label(e.escalation),
        "title": e.title,
        "withdrawn": e.withdrawn,
        "answers": tree_json(chain.back, chain.entries, chain.paths, labels),
        "answered_by": tree_json(chain.forward, chain.entries, chain.paths, labels),
        "cycles": [list(loop) for loop in chain.cycles],
    }


def chain_lines(chain: Any, labels: Any, ascii_only: bool = False) -> list[str]:
    """Return `ledger chain` as text: the incident, then what it answers and what answered it."""
    from ledger.output.render import clean

    e = chain.entry
    lines = [f"{e.id}  [{e.escalation} {labels.label(e.escalation)}]  {clean(e.title)}", "answers:"]
    lines += tree_text(chain.back, chain.entries, labels, ascii_only) or ["    (nothing: a root)"]
    lines.append("answered by:")
    lines += tree_text(chain.forward, chain.entries, labels, ascii_only) or ["    (nothing yet)"]
    return lines
