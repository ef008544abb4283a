"""What the commands share: the common options (declared once) and small helpers for talking and opening.

Command modules import from here, never from `ledger.cli.app` (which imports them) nor from
each other, so the shell has no import cycle.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import typer

from ledger.cli.completion import among

if TYPE_CHECKING:
    from ledger.api import Ledger
    from ledger.cli.env import Environment

LedgerDir = Annotated[
    Path | None,
    typer.Option(
        "--ledger",
        metavar="DIR",
        envvar="LEDGER_DIR",
        help="Ledger directory (default: found upwards from the current directory).",
        show_default=False,
    ),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the data, no summaries.")]

#: `--as-of REV` for the query commands (list, show, timeline, stats): answer from that revision.
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="REV",
        help="Answer from the ledger as it was at this git revision (commit, tag, branch, HEAD~3).",
        show_default=False,
    ),
]
Ascii = Annotated[bool, typer.Option("--ascii", help="Draw with plain ASCII instead of Unicode blocks and lines.")]
NoHeader = Annotated[bool, typer.Option("--no-header", help="Leave out the header line.")]

TABLE_FORMATS = ("table", "tsv", "csv", "json", "jsonl", "markdown", "ids")
_BY_TERMINAL = "table on a terminal, tsv when piped"


def choices_option(*names: str, choices: Sequence[str] | str, metavar: str, help: str, **kw: Any) -> Any:
    """Return an option whose value is one of `choices`, completed from them.

    Fixed choices are checked as the option is parsed (the one `not_one_of` message); choices a
    module names (`"ledger.api.schemas:FORMATS"`, imported on a tab press) are checked by the
    library, so the shell does not import it at start-up.
    """
    option = names[0]

    def check(ctx: Any, param: Any, value: str | None) -> str | None:
        return value if value is None else choice(value, choices, option)

    checked = None if isinstance(choices, str) else check
    return typer.Option(*names, metavar=metavar, help=help, callback=checked, autocompletion=among(choices), **kw)


def format_option(choices: Sequence[str] | str, help: str | None = None, by_terminal: bool = False) -> Any:
    """Return `--format/-f FORMAT` over `choices`; `by_terminal`: none given means a table on a terminal, TSV piped."""
    said = f" (default: {_BY_TERMINAL})" if by_terminal else ""
    text = help or f"{', '.join(choices[:-1])} or {choices[-1]}{said}."
    return choices_option("--format", "-f", choices=choices, metavar="FORMAT", help=text, show_default=not by_terminal)


TableFormat = Annotated[str | None, format_option(TABLE_FORMATS, by_terminal=True)]
TextFormat = Annotated[str, format_option(("text", "json"))]
Color = Annotated[
    str,
    choices_option(
        "--color",
        choices=("auto", "always", "never"),
        metavar="WHEN",
        help="Colour the text: auto, always or never (NO_COLOR is respected).",
    ),
]


def option(*names: str, help: str, metavar: str | None = None, **kw: Any) -> Any:
    """Return a typer option that shows no default (most say theirs in the help)."""
    return typer.Option(*names, help=help, metavar=metavar, show_default=False, **kw)


class Param(NamedTuple):
    """A parameter added to a command function: its name, its typer annotation, its default."""

    name: str
    annotation: Any
    default: Any = None


def with_params(
    func: Callable[..., Any],
    extra: Sequence[Param],
    call: Callable[[Callable[..., Any], dict[str, Any], dict[str, Any]], Any],
    *,
    needs: Sequence[str] = (),
    drops: Sequence[str] = (),
    first: bool = False,
) -> Callable[..., Any]:
    """Return `func` as typer sees it, with the `extra` options and without `drops` (which `call` supplies).

    `call(inner, given, kwargs)` runs the command: `given` holds the values of `extra`, `kwargs`
    the rest, and `inner` is `func` (the filter options, `new`'s fields are added this way).
    `first` puts the new options before the function's own in the help.
    """
    original = inspect.signature(func, eval_str=True)
    if any(name not in original.parameters for name in needs):
        raise TypeError(f"{func.__name__} needs the parameters {', '.join(needs)}")
    kept = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for n, p in original.parameters.items() if n not in drops]
    added = [
        inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, annotation=p.annotation, default=p.default)
        for p in extra
    ]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        given = {p.name: kwargs.pop(p.name, None) for p in extra}
        return call(functools.partial(func, *args), given, kwargs)

    signature = original.replace(parameters=[*added, *kept] if first else [*kept, *added])
    del wrapper.__wrapped__  # typer must read the new signature, not the wrapped one
    wrapper.__signature__ = signature  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()}
    return wrapper


def say(env: Environment, message: str, quiet: bool = False) -> None:
    """Talk to the user on stderr (stdout is for data)."""
    if not quiet:
        env.stderr.write(message + "\n")


_OPENED: list[Ledger] = []


def open_ledger(ledger_dir: Path | None) -> Ledger:
    """Find and open the ledger (imported here: `ledger --help` need not load it); `main` closes it."""
    from ledger.api import Ledger

    ledger = Ledger.open(ledger_dir)
    _OPENED.append(ledger)
    return ledger


def close_ledgers() -> None:
    """Close what the ledgers this command opened still hold (their index connections)."""
    while _OPENED:
        _OPENED.pop().close()


def use_color(setting: str, env: Environment) -> bool:
    """Decide on colour: --color always/never, else what the environment allows."""
    if setting == "always":
        return True
    if setting == "never":
        return False
    return env.colors


def report_skipped(env: Environment, skipped: int, quiet: bool) -> None:
    """Say how many invalid entry files a query left out."""
    if skipped and not quiet:
        say(env, f"ledger: {plural(skipped, 'invalid entry file')} left out (see `ledger validate`)")


def chosen_format(env: Environment, output: str | None) -> str:
    """Return the --format asked for (checked as it was parsed), else a table on a terminal and TSV when piped."""
    from ledger.output.render import default_format

    return default_format(env.stdout_isatty) if output is None else output


def write_json(env: Environment, data: Any) -> None:
    """Write one JSON document, indented; on a terminal with what it would act on escaped."""
    import json

    from ledger.output.render import json_safe

    text = json.dumps(data, indent=2, ensure_ascii=False)
    env.stdout.write((json_safe(text) if env.stdout_isatty else text) + "\n")


def write_rows(
    env: Environment,
    fmt: str,
    rows: Callable[[], Iterable[Mapping[str, Any]]],
    columns: Sequence[str],
    *,
    records: Callable[[], Iterable[Mapping[str, Any]]] | None = None,
    ids: Callable[[], Iterable[str]] | None = None,
    header: bool = True,
) -> None:
    """Write a command's result in `fmt`: ids one a line, whole `records` as JSON, else a table of `rows`."""
    from ledger.output import render

    out, is_tty = env.stdout, env.stdout_isatty
    if fmt == "ids" and ids is not None:
        out.writelines(render.clean(text) + "\n" for text in ids())
    elif fmt in ("json", "jsonl") and records is not None:
        render.render_rows(records(), None, fmt, out, is_tty)
    else:
        width = env.width if is_tty else None
        render.render_rows(rows(), columns, fmt, out, is_tty, header=header, width=width)


def choice(value: str, choices: Sequence[str], option: str) -> str:
    """Return `value` if it is one of `choices`, else raise the one usage error for it."""
    if value in choices:
        return value
    from ledger.core.errors import not_one_of

    raise not_one_of(option, value, choices)


def plural(count: int, one: str, many: str | None = None) -> str:
    """Return `1 entry`, `2 entries`."""
    return f"{count} {one if count == 1 else many or one + 's'}"
