"""The typer application and the options every command shares (declared once)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from ledger import __version__
from ledger.core.errors import ExitStatus

if TYPE_CHECKING:
    from ledger.api import Ledger

app = typer.Typer(
    name="ledger",
    help="A chronology of armed-conflict incidents: one TOML file per incident, kept in git.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

LedgerDir = Annotated[
    Path | None,
    typer.Option(
        "--ledger",
        envvar="LEDGER_DIR",
        help="Ledger directory (default: found upwards from the current directory).",
        show_default=False,
    ),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the data, no summaries.")]


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"ledger {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=version_callback, is_eager=True, help="Show the version.")
    ] = False,
    ledger_dir: Annotated[
        Path | None,
        typer.Option("--ledger", help="Ledger directory, for every command (also after the command).", show_default=False),
    ] = None,
) -> None:
    """A chronology of armed-conflict incidents: one TOML file per incident, kept in git."""
    if ledger_dir is not None:  # `ledger --ledger DIR list`: the commands read it as LEDGER_DIR
        os.environ["LEDGER_DIR"] = str(ledger_dir)


def say(message: str, quiet: bool = False) -> None:
    """Talk to the user on stderr (stdout is for data)."""
    if not quiet:
        typer.echo(message, err=True)


def finish(status: ExitStatus | int) -> NoReturn:
    """End the command with an exit status, flushing stdout first."""
    sys.stdout.flush()
    raise typer.Exit(int(status))


def open_ledger(ledger_dir: Path | None) -> Ledger:
    """Find and open the ledger (imported here: `ledger --help` need not load it)."""
    from ledger.api import Ledger

    return Ledger.open(ledger_dir)


# Register the commands (each module adds its own to `app`).
from ledger.cli import authoring, chrono, core, history, query  # noqa: E402,F401
