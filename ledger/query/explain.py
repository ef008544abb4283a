"""A query in words, one line per term (`--explain`)."""

from __future__ import annotations

from typing import Any

from ledger.query.ast import And, Node, Not, Selection, Term, quote, unparse
from ledger.query.evaluate import shows_withdrawn, spellings
from ledger.query.fields import BOUND, CHOICE, DATE, KINDS, NAME, NUMBER, WORD, date_bounds, number_bounds


def explain(selection: Selection, vocabulary: Any = None) -> list[str]:
    """Return the --explain lines: the canonical query, its meaning, the withdrawn rule, the order, the limit."""
    lines = [f"query: {unparse(selection.where) or '(none)'}", "matches:", *describe(selection.where, vocabulary, "  ")]
    if shows_withdrawn(selection):
        lines.append("withdrawn entries: included")
    else:
        lines.append("withdrawn entries: left out (--withdrawn or status: in the query brings them in)")
    order = "date, time (unknown first), id" if selection.sort in (None, "date") else f"{selection.sort}, then date"
    lines.append(f"order: {order}{', reversed' if selection.reverse else ''}")
    if selection.limit is not None:
        lines.append(f"limit: {selection.limit}")
    return lines


def describe(node: Node | None, vocabulary: Any = None, indent: str = "") -> list[str]:
    """Explain a query in words, one line per term (for --explain)."""
    if node is None:
        return [f"{indent}every entry"]
    if isinstance(node, Term):
        return [indent + _describe_term(node, vocabulary)]
    if isinstance(node, Not):
        return [f"{indent}not:", *describe(node.item, vocabulary, indent + "  ")]
    head = "all of:" if isinstance(node, And) else "any of:"
    lines = [indent + head]
    for item in node.items:
        lines.extend(describe(item, vocabulary, indent + "  "))
    return lines


def _describe_term(term: Term, vocabulary: Any) -> str:
    kind = KINDS[term.field]
    if kind in (CHOICE, WORD):
        return f"{term.field} is " + " or ".join(quote(v) for v in term.values)
    parts = []
    for value in term.values:
        if kind in (DATE, BOUND):
            lo, hi = date_bounds(value)
            op = {"since": ">=", "until": "<="}.get(term.field, term.op)
            parts.append(_describe_date(op, lo, hi))
        elif kind == NAME:
            names = sorted(spellings(term.field, value, vocabulary))
            parts.append(
                f"{term.field} is one of: {', '.join(quote(n) for n in names)} (any case, accent or letter form)"
            )
        elif kind == NUMBER:
            lo_n, hi_n = number_bounds(value)
            unknown = "" if term.field == "escalation" else " (unknown never matches)"
            if term.op != ":":
                parts.append(f"{term.field} {term.op} {lo_n}{unknown}")
            elif lo_n == hi_n:
                parts.append(f"{term.field} = {lo_n}{unknown}")
            else:
                lo_s = "" if lo_n is None else f"{lo_n} <= "
                hi_s = "" if hi_n is None else f" <= {hi_n}"
                parts.append(f"{lo_s}{term.field}{hi_s}{unknown}")
        else:
            where = "title, summary or place name" if term.field == "text" else "a source name or url"
            parts.append(f"{where} contains {quote(value)} (any case, accent or letter form)")
    return " or ".join(parts)


def _describe_date(op: str, lo: str | None, hi: str | None) -> str:
    if op == ">=":
        return f"ends on or after {lo}"
    if op == ">":
        return f"ends after {hi}"
    if op == "<=":
        return f"starts on or before {hi}"
    if op == "<":
        return f"starts before {lo}"
    if lo == hi:
        return f"span includes {lo}"
    return f"span overlaps {lo or '...'}..{hi or '...'}"
