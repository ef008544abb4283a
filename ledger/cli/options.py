"""What the commands share: the common options (declared once) and small helpers for talking and opening.

Command modules import from here, never from `ledger.cli.app` (which imports them) nor from
each other, so the shell has no import cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

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
Color = Annotated[
    str, typer.Option("--color", metavar="WHEN", help="Colour the text: auto, always or never (NO_COLOR is respected).")
]
Ascii = Annotated[bool, typer.Option("--ascii", help="Draw with plain ASCII instead of Unicode blocks and lines.")]
NoHeader = Annotated[bool, typer.Option("--no-header", help="Leave out the header line.")]

TABLE_FORMATS = ("table", "tsv", "csv", "json", "jsonl", "markdown", "ids")


def format_option(choices: Sequence[str]) -> Any:
    """Return a `--format/-f` option whose default is a table on a terminal and TSV when piped."""
    return typer.Option(
        "--format",
        "-f",
        help=f"{', '.join(choices)} (default: table on a terminal, tsv when piped).",
        metavar="FORMAT",
        show_default=False,
    )


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


def choose_format(env: Environment, output: str | None, allowed: Sequence[str]) -> str:
    """Return the --format asked for, or the default for where stdout goes, checked against `allowed`."""
    from ledger.output import render

    return render.check_format(render.default_format(env.stdout_isatty) if output is None else output, allowed)


def choice(value: str, choices: Sequence[str], option: str) -> str:
    """Return `value` if it is one of `choices`, else raise the one usage error for it."""
    if value in choices:
        return value
    from ledger.core.errors import not_one_of

    raise not_one_of(option, value, choices)


def plural(count: int, one: str, many: str | None = None) -> str:
    """Return `1 entry`, `2 entries`."""
    return f"{count} {one if count == 1 else many or one + 's'}"
