"""How a command declares its parameters (`@command`, `opt`, `arg`), and the options commands share.

Shared options (`LEDGER`, `QUIET`, `AS_OF`, ...) are declared once here, as hledger's flag groups
are. Command modules import from here, never from `ledger.cli.app` (which imports them) nor from
each other, so the shell has no import cycle.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import typer

from ledger.core.errors import ExitStatus, a_number, one_of
from ledger.output import render
from ledger.terminal.completion import among, for_field, named

if TYPE_CHECKING:
    from ledger.terminal.call import Call


class Param(NamedTuple):
    """One parameter of a command as typer reads it: its name, its typer annotation, its default."""

    name: str
    annotation: Any
    default: Any = None


def opt(
    flags: str,
    default: Any,
    help: str,
    metavar: str | None = None,
    *,
    kind: Any = None,
    name: str | None = None,
    choices: Sequence[str] | str | None = None,
    complete: str | None = None,
    **kw: Any,
) -> Param:
    """Return the option `flags` (`"--dry-run -n"`), typed as its default (or `kind`), named for its first flag.

    A default other than None or False is shown in the help. `choices` (fixed, or those a module
    names: `"ledger.reports.stats:BY"`, imported only when needed) are offered on a tab press and
    checked as the option is parsed (the one `not_one_of` message).
    `complete` names the query field whose choices or indexed values are offered (`"actor"`).
    """
    names = flags.split()
    if complete is not None:
        kw["autocompletion"] = for_field(complete)
    if choices is not None:  # checked as parsed: a usage mistake is said before the ledger is looked for
        kw["autocompletion"] = among(choices)
        kw["callback"] = lambda ctx, param, value: (
            value if value is None or value == default else one_of(names[0], value, named(choices))
        )  # the default is one of them: its module is imported only for another value
    if float in (kind or type(default), *typing.get_args(kind)):  # ranges let nan through: it compares false
        kw["callback"] = lambda ctx, param, value: value if value is None else a_number(names[0], value)
    shown = default is not None and default is not False
    option = typer.Option(*names, help=help, metavar=metavar, show_default=shown, **kw)
    kind = kind or (str | None if default is None else type(default))
    return Param(name or names[0].lstrip("-").replace("-", "_"), Annotated[kind, option], default)


def arg(name: str, metavar: str, help: str, kind: Any = str, default: Any = ..., complete: str | None = None) -> Param:
    """Return a positional argument, required unless it has a default; `complete`: as `opt`'s (`"id"`)."""
    completer = for_field(complete) if complete else None
    argument = typer.Argument(metavar=metavar, help=help, show_default=False, autocompletion=completer)
    return Param(name, Annotated[kind, argument], default)


def formats(choices: Sequence[str] | str, default: str | None, help: str | None = None) -> Param:
    """Return `--format/-f FORMAT` over `choices`; without a default: a table on a terminal, TSV when piped."""
    said = " (default: table on a terminal, tsv when piped)" if default is None else ""
    text = help or f"{', '.join(choices[:-1])} or {choices[-1]}{said}."
    return opt("--format -f", default, text, "FORMAT", name="output", choices=choices)


LEDGER = opt(
    "--ledger",
    None,
    "Ledger directory (default: found upwards from the current directory).",
    "DIR",
    kind=Path | None,
    name="ledger_dir",
    envvar="LEDGER_DIR",
)
QUIET = opt("--quiet -q", False, "Print only the data, no summaries.")
#: `--as-of REV` for the query commands (list, show, timeline, stats): answer from that revision.
AS_OF = opt(
    "--as-of", None, "Answer from the ledger as it was at this git revision (commit, tag, branch, HEAD~3).", "REV"
)
ASCII = opt("--ascii", False, "Draw with plain ASCII instead of Unicode blocks and lines.", name="ascii_only")
NO_HEADER = opt("--no-header", False, "Leave out the header line.")
COLUMNS = opt("--columns", None, "Comma-separated columns, e.g. id,date,title,killed.", "COLUMNS")
COLOR = opt(
    "--color",
    "auto",
    "Colour the text: auto, always or never (NO_COLOR is respected).",
    "WHEN",
    choices=("auto", "always", "never"),
)
TABLE_FORMAT = formats(render.FORMATS, None)
TEXT_FORMAT = formats(("text", "json"), "text")


@dataclass(frozen=True, slots=True)
class Declared:
    """A command function and its parameters in help order; `query`: how it takes a query (`ledger.cli.filters`)."""

    run: Callable[[Call], ExitStatus | None]
    params: tuple[Param, ...]
    query: str | None = None


def command(*params: Param, query: str | None = None) -> Callable[[Callable[[Call], ExitStatus | None]], Declared]:
    """Declare a command's parameters; `query` ("words", "options" or "search") adds the filter options after them."""
    return lambda run: Declared(run, params, query)
