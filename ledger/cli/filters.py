"""The filter options of every query command (list, timeline, stats, ...), made from `query.OPTIONS`.

`@command(..., query=HOW)` adds them after a command's own parameters; HOW says what the
positional words are: `"words"` query text, `"options"` none (diff has its own), `"search"`
search text except its filter terms. Options and words build one AST, `c.selection`; a syntax
error raises `QuerySyntaxError`, and `--explain` says how the query is understood, then stops.
"""

from __future__ import annotations

from typing import Any

from ledger.cli.options import Param, arg, opt
from ledger.core.errors import ExitStatus
from ledger.core.model import ESCALATION_MAX
from ledger.query import SORT_FIELDS
from ledger.query.options import OPTIONS, FilterOption
from ledger.terminal.call import Call
from ledger.terminal.completion import among

_WORDS, _SEARCH, _Q = "query_words", "search_words", "q_"


def _term(o: FilterOption) -> Param:
    flags, name = f"{o.flag} {o.short or ''}", _Q + o.name
    if not o.repeats:  # the escalation bounds
        return opt(flags, None, o.help, o.metavar, kind=int | None, name=name, min=0, max=ESCALATION_MAX)
    return opt(flags, None, o.help, o.metavar, kind=list[str] | None, name=name, complete=o.field)


#: The filter options, in help order: the table's terms, then the withdrawn rule, order and limit.
TERMS: tuple[Param, ...] = (
    *map(_term, OPTIONS),
    opt("--withdrawn", False, "Include withdrawn entries.", name="q_withdrawn"),
    opt(
        "--sort", None, f"Sort by: {', '.join(SORT_FIELDS)}.", "FIELD", name="q_sort", autocompletion=among(SORT_FIELDS)
    ),
    opt("--reverse -r", False, "Reverse the order.", name="q_reverse"),
    opt("--limit -n", None, "Show at most N entries.", "N", kind=int | None, name="q_limit", min=0),
    opt("--explain", False, "Print how the query is understood, and stop.", name="q_explain"),
)
_HINT = 'Query terms, e.g. type:airstrike,drone-strike date:2020-01 "escalation>=3".'
_SEARCHED = "Words to search for, in any spelling or script; filter terms (type:airstrike) filter."
PARAMS = {
    "words": (arg(_WORDS, "[QUERY]...", _HINT, list[str] | None, None), *TERMS),
    "options": TERMS,
    "search": (arg(_SEARCH, "TEXT...", _SEARCHED, list[str]), *TERMS),
}


def take(c: Call, how: str) -> ExitStatus | None:
    """Give the call its `selection` from the filter options; on --explain say how the query is understood: OK."""
    if how == "search":
        from ledger.query.search import split

        c.values["text"], filters = split(c.values.pop(_SEARCH) or [])
        c.values[_WORDS] = [filters] if filters else []
        c.values["explain"] = c.values.pop("q_explain")
    c.values["selection"] = selection_from(c.values)
    if not c.values.get("q_explain"):
        return None
    from ledger.query.explain import explain

    c.say("\n".join(explain(c.selection, _vocabulary(c))))
    return ExitStatus.OK


def selection_from(given: dict[str, Any]) -> Any:
    """Build the Selection from the filter options' values (a syntax error raises QuerySyntaxError)."""
    from ledger.query.options import selection

    options = {name[len(_Q) :]: value for name, value in given.items() if name.startswith(_Q)}
    return selection(
        given.get(_WORDS) or [],
        options,
        include_withdrawn=bool(given.get("q_withdrawn")),
        sort=given.get("q_sort"),
        reverse=bool(given.get("q_reverse")),
        limit=given.get("q_limit"),
    )


def _vocabulary(c: Call) -> Any:
    """Return the ledger's vocabulary for explaining aliases, or None when there is no ledger."""
    try:
        return c.ledger.vocabulary
    except Exception:  # noqa: BLE001 - explaining must not fail on a missing or broken ledger
        return None
