"""The filter options, declared once for every query command (list, timeline, stats, ...).

`@filtered` (on a command function of the table) adds to it the positional `QUERY...`
words and the options `--since --until --on --type --category --actor --country --place
--tag --min-escalation --max-escalation --confidence --text --source --withdrawn --sort
--reverse --limit --explain`. Options and query text build one AST (`ledger.query`); the
command receives a single keyword argument `selection: Selection`::

    from ledger.cli.filters import filtered
    from ledger.cli.options import LedgerDir, open_ledger
    from ledger.query import Selection

    @filtered
    def stats(env: Environment, ledger_dir: LedgerDir = None, *, selection: Selection) -> ExitStatus:
        entries = open_ledger(ledger_dir).select(selection)
        ...

A command that has positionals of its own (`diff A B`) takes `@filtered(words=False)`:
then the query comes only from the options. `@filtered(search=True)` (`ledger search`)
reads the positional words as search text, except those that are filter terms
(`query.search.split`), and passes `text: str` and `explain: bool` to the command, which
explains itself. A syntax error raises `QuerySyntaxError` (the
shell prints it with a caret under the column at fault, exit 2); `--explain` prints how the
query was understood on stderr and returns OK without running the command.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar, overload

import typer

from ledger import query
from ledger.core.errors import ExitStatus
from ledger.core.model import ESCALATION_MAX

F = TypeVar("F", bound=Callable[..., Any])

Strings = list[str] | None
_WORDS = "query_words"


def _opt(*names: str, help: str, metavar: str | None = None, **kw: Any) -> Any:
    return typer.Option(*names, help=help, metavar=metavar, show_default=False, **kw)


#: (parameter name, annotation, default): the injected parameters, in help order.
_PARAMS: tuple[tuple[str, Any, Any], ...] = (
    (
        "q_since",
        Annotated[Strings, _opt("--since", help="On or after this date (YYYY, YYYY-MM, YYYY-MM-DD).", metavar="DATE")],
        None,
    ),
    ("q_until", Annotated[Strings, _opt("--until", help="On or before this date (inclusive).", metavar="DATE")], None),
    ("q_on", Annotated[Strings, _opt("--on", help="Span overlaps this date or range A..B.", metavar="DATE")], None),
    ("q_type", Annotated[Strings, _opt("--type", "-t", help="Event type (repeat to OR).", metavar="TYPE")], None),
    ("q_category", Annotated[Strings, _opt("--category", help="Event category (repeat to OR).", metavar="CAT")], None),
    (
        "q_actor",
        Annotated[Strings, _opt("--actor", "-a", help="Actor name or alias from ledger.toml.", metavar="NAME")],
        None,
    ),
    ("q_country", Annotated[Strings, _opt("--country", "-c", help="ISO country code.", metavar="CC")], None),
    (
        "q_place",
        Annotated[Strings, _opt("--place", help="Place, admin1 or admin2 name, or an alias.", metavar="NAME")],
        None,
    ),
    ("q_tag", Annotated[Strings, _opt("--tag", help="A whole tag (repeat to OR).", metavar="TAG")], None),
    (
        "q_min_escalation",
        Annotated[
            int | None, _opt("--min-escalation", help="Escalation >= N.", metavar="N", min=0, max=ESCALATION_MAX)
        ],
        None,
    ),
    (
        "q_max_escalation",
        Annotated[
            int | None, _opt("--max-escalation", help="Escalation <= N.", metavar="N", min=0, max=ESCALATION_MAX)
        ],
        None,
    ),
    (
        "q_confidence",
        Annotated[Strings, _opt("--confidence", help="Confidence grade (repeat to OR).", metavar="GRADE")],
        None,
    ),
    (
        "q_text",
        Annotated[
            Strings, _opt("--text", help="Substring of title, summary or place name (any case).", metavar="TEXT")
        ],
        None,
    ),
    (
        "q_source",
        Annotated[Strings, _opt("--source", help="Substring of a source name or URL (any case).", metavar="TEXT")],
        None,
    ),
    ("q_withdrawn", Annotated[bool, _opt("--withdrawn", help="Include withdrawn entries.")], False),
    (
        "q_sort",
        Annotated[str | None, _opt("--sort", help=f"Sort by: {', '.join(query.SORT_FIELDS)}.", metavar="FIELD")],
        None,
    ),
    ("q_reverse", Annotated[bool, _opt("--reverse", "-r", help="Reverse the order.")], False),
    ("q_limit", Annotated[int | None, _opt("--limit", "-n", help="Show at most N entries.", metavar="N", min=0)], None),
    ("q_explain", Annotated[bool, _opt("--explain", help="Print how the query is understood, and stop.")], False),
)
_WORDS_PARAM = (
    _WORDS,
    Annotated[
        Strings,
        typer.Argument(
            metavar="[QUERY]...",
            help='Query terms, e.g. type:airstrike,drone-strike date:2020-01 "escalation>=3".',
            show_default=False,
        ),
    ],
    None,
)


_SEARCH = "search_words"
_SEARCH_PARAM = (
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
    return typing.cast(F, _decorate(func, words, search))


def _decorate(func: Callable[..., Any], words: bool, search: bool = False) -> Callable[..., Any]:
    original = inspect.signature(func, eval_str=True)
    if "selection" not in original.parameters or "env" not in original.parameters:
        raise TypeError(f"{func.__name__} needs the parameters `env` and `selection`")
    given_to_func = {"selection", "text", "explain"} if search else {"selection"}
    kept = [p for name, p in original.parameters.items() if name not in given_to_func]
    extra = [*([_SEARCH_PARAM] if search else [_WORDS_PARAM] if words else []), *_PARAMS]
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=ann, default=d) for name, ann, d in extra
    ]
    # click passes everything by keyword; the order only places QUERY after the command's own arguments.
    params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in kept] + added

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        given = {name: kwargs.pop(name, None) for name, _, _ in extra}
        if search:
            from ledger.query.search import split

            kwargs["text"], filters = split(given.pop(_SEARCH) or [])
            given[_WORDS] = [filters] if filters else []
            kwargs["explain"] = bool(given.pop("q_explain"))
        selection = selection_from(given)
        if given.get("q_explain"):  # say how the query is understood, and stop
            kwargs["env"].stderr.write(explain(selection, _vocabulary(kwargs.get("ledger_dir"))) + "\n")
            return ExitStatus.OK
        return func(*args, selection=selection, **kwargs)

    del wrapper.__wrapped__  # typer must see the new signature, not the original
    wrapper.__signature__ = original.replace(parameters=params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    return wrapper


def selection_from(given: dict[str, Any]) -> query.Selection:
    """Build the Selection from the injected parameters (a syntax error raises QuerySyntaxError)."""
    parsed = query.parse(" ".join(given.get(_WORDS) or []))
    options = {name[2:]: value for name, value in given.items() if name.startswith("q_")}
    where = query.all_of(query.from_options(options), parsed)
    limit = given.get("q_limit")
    selection = query.Selection(
        where=where,
        include_withdrawn=bool(given.get("q_withdrawn")),
        sort=query.check_sort(given.get("q_sort")),
        reverse=bool(given.get("q_reverse")),
        limit=limit,
    )
    return selection


def explain(selection: query.Selection, vocabulary: Any = None) -> str:
    """Return the --explain text: the canonical query, its meaning, the withdrawn rule, order."""
    lines = [f"query: {query.unparse(selection.where) or '(none)'}", "matches:"]
    lines.extend(query.describe(selection.where, vocabulary, "  "))
    if query.shows_withdrawn(selection):
        lines.append("withdrawn entries: included")
    else:
        lines.append("withdrawn entries: left out (--withdrawn or status: in the query brings them in)")
    order = "date, time (unknown first), id" if selection.sort in (None, "date") else f"{selection.sort}, then date"
    lines.append(f"order: {order}{', reversed' if selection.reverse else ''}")
    if selection.limit is not None:
        lines.append(f"limit: {selection.limit}")
    return "\n".join(lines)


def _vocabulary(ledger_dir: Path | None) -> Any:
    """Return the ledger's vocabulary for explaining aliases, or None when there is no ledger."""
    try:
        from ledger.api import Ledger

        return Ledger.open(ledger_dir).vocabulary
    except Exception:  # noqa: BLE001 - explaining must not fail on a missing or broken ledger
        return None
