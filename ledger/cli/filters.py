"""The filter options, generated for every query command (list, timeline, stats, ...) from `query.OPTIONS`.

`@filtered` (on a command function of the table) adds to it the positional `QUERY...`
words, one option per row of the query's option table (`--since --until --on --type
--category --actor --country --place --tag --min-escalation --max-escalation --confidence
--text --source`, each completed by the kind of its field), and `--withdrawn --sort
--reverse --limit --explain`. Options and query text build one AST (`ledger.query`); the
command receives a single keyword argument `selection: Selection`::

    @filtered
    def stats(env: Environment, ledger_dir: LedgerDir = None, *, selection: Selection) -> ExitStatus:
        entries = open_ledger(ledger_dir).select(selection)

A command that has positionals of its own (`diff A B`) takes `@filtered(words=False)`:
then the query comes only from the options. `@filtered(search=True)` (`ledger search`)
reads the positional words as search text, except those that are filter terms
(`query.search.split`), and passes `text: str` and `explain: bool` to the command, which
explains itself. A syntax error raises `QuerySyntaxError` (the shell prints it with a caret
under the column at fault, exit 2); `--explain` prints how the query was understood on
stderr and returns OK without running the command.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar, overload

import typer

from ledger.cli import completion
from ledger.cli.options import Param, option, with_params
from ledger.core.errors import ExitStatus
from ledger.core.model import ESCALATION_MAX
from ledger.query import SORT_FIELDS
from ledger.query.options import OPTIONS, FilterOption

F = TypeVar("F", bound=Callable[..., Any])
_WORDS, _SEARCH, _Q = "query_words", "search_words", "q_"


def _term_param(o: FilterOption) -> Param:
    names = (o.flag, o.short) if o.short else (o.flag,)
    if not o.repeats:  # the escalation bounds
        bound = option(*names, help=o.help, metavar=o.metavar, min=0, max=ESCALATION_MAX)
        return Param(_Q + o.name, Annotated[int | None, bound])
    given = option(*names, help=o.help, metavar=o.metavar, autocompletion=completion.for_field(o.field))
    return Param(_Q + o.name, Annotated[list[str] | None, given])


#: The injected options, in help order: the table's terms, then the withdrawn rule, order and limit.
_PARAMS: tuple[Param, ...] = (
    *map(_term_param, OPTIONS),
    Param("q_withdrawn", Annotated[bool, option("--withdrawn", help="Include withdrawn entries.")], False),
    Param(
        "q_sort",
        Annotated[
            str | None,
            option(
                "--sort",
                help=f"Sort by: {', '.join(SORT_FIELDS)}.",
                metavar="FIELD",
                autocompletion=completion.among(SORT_FIELDS),
            ),
        ],
    ),
    Param("q_reverse", Annotated[bool, option("--reverse", "-r", help="Reverse the order.")], False),
    Param(
        "q_limit", Annotated[int | None, option("--limit", "-n", help="Show at most N entries.", metavar="N", min=0)]
    ),
    Param(
        "q_explain", Annotated[bool, option("--explain", help="Print how the query is understood, and stop.")], False
    ),
)
_WORDS_PARAM = Param(
    _WORDS,
    Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[QUERY]...",
            help='Query terms, e.g. type:airstrike,drone-strike date:2020-01 "escalation>=3".',
            show_default=False,
        ),
    ],
)
_SEARCH_PARAM = Param(
    _SEARCH,
    Annotated[
        list[str],
        typer.Argument(
            metavar="TEXT...",
            help="Words to search for, in any spelling or script; filter terms (type:airstrike) filter.",
            show_default=False,
        ),
    ],
    ...,
)


@overload
def filtered(func: F, *, words: bool = True, search: bool = False) -> F: ...


@overload
def filtered(func: None = None, *, words: bool = True, search: bool = False) -> Callable[[F], F]: ...


def filtered(func: F | None = None, *, words: bool = True, search: bool = False) -> F | Callable[[F], F]:
    """Add the filter options to a typer command; it receives `selection: Selection`."""
    if func is None:
        return functools.partial(filtered, words=words, search=search)
    extra = (*([_SEARCH_PARAM] if search else [_WORDS_PARAM] if words else []), *_PARAMS)
    given_to_func = ("selection", "text", "explain") if search else ("selection",)

    def call(inner: Callable[..., Any], given: dict[str, Any], kwargs: dict[str, Any]) -> Any:
        if search:
            from ledger.query.search import split

            kwargs["text"], filters = split(given.pop(_SEARCH) or [])
            given[_WORDS] = [filters] if filters else []
            kwargs["explain"] = bool(given.pop("q_explain"))
        selection = selection_from(given)
        if given.get("q_explain"):  # say how the query is understood, and stop
            from ledger.query.explain import explain

            kwargs["env"].stderr.write("\n".join(explain(selection, _vocabulary(kwargs.get("ledger_dir")))) + "\n")
            return ExitStatus.OK
        return inner(selection=selection, **kwargs)

    return typing.cast(F, with_params(func, extra, call, needs=("env", *given_to_func), drops=given_to_func))


def selection_from(given: dict[str, Any]) -> Any:
    """Build the Selection from the injected parameters (a syntax error raises QuerySyntaxError)."""
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


def _vocabulary(ledger_dir: Path | None) -> Any:
    """Return the ledger's vocabulary for explaining aliases, or None when there is no ledger."""
    try:
        from ledger.api import Ledger

        return Ledger.open(ledger_dir).vocabulary
    except Exception:  # noqa: BLE001 - explaining must not fail on a missing or broken ledger
        return None
