"""The filter options (`--since`, `--type`, ...) mapped to the same AST as query text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledger.core.errors import UsageError
from ledger.query.ast import Node, Term, all_of
from ledger.query.fields import check_value


def from_options(options: Mapping[str, Any]) -> Node | None:
    """Build the AST of the filter options (each a list of strings, or None)."""
    terms: list[Node] = []
    for option, field, op in _OPTION_TERMS:
        given = options.get(option)
        if not given:
            continue
        values = tuple(str(v) for v in (given if isinstance(given, list | tuple) else [given]))
        for value in values:
            try:
                check_value(field, op, value)
            except ValueError as err:
                raise UsageError(f"--{option.replace('_', '-')}: {err}") from None
        if op == ":":
            terms.append(Term(field, op, values))
        else:
            terms.extend(Term(field, op, (v,)) for v in values)
    return all_of(*terms)


#: option name -> the term it builds (the CLI declares these as --since, --type, ...).
_OPTION_TERMS: tuple[tuple[str, str, str], ...] = (
    ("since", "since", ":"),
    ("until", "until", ":"),
    ("on", "date", ":"),
    ("type", "type", ":"),
    ("category", "category", ":"),
    ("actor", "actor", ":"),
    ("country", "country", ":"),
    ("place", "place", ":"),
    ("tag", "tag", ":"),
    ("min_escalation", "escalation", ">="),
    ("max_escalation", "escalation", "<="),
    ("confidence", "confidence", ":"),
    ("text", "text", ":"),
    ("source", "source", ":"),
)
