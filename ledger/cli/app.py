"""Build the typer application from the command table (`ledger.cli.commands.TABLE`).

Commands are plain functions. `build` registers each under its name and binds what typer
cannot know about: the `env: Environment` parameter (taken from the click context's `obj`,
set by `main`), and Ctrl-C inside a command (an `Interrupted` error, so that `main` can say so:
typer would turn it into a silent exit 130). The `ExitStatus` a command returns is what `main`
exits with.
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from ledger import __version__
from ledger.cli.commands import TABLE, Command
from ledger.cli.errors import Interrupted
from ledger.cli.options import Param, with_params

HELP = "A chronology of armed-conflict incidents: one TOML file per incident, kept in git."


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ledger {__version__}")
        raise typer.Exit()


def _root(
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    ledger_dir: Annotated[
        Path | None,
        typer.Option(
            "--ledger",
            metavar="DIR",
            help="Ledger directory, for every command (also after the command).",
            show_default=False,
        ),
    ] = None,
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager",
            help="Never page long output (also after the command; LEDGER_PAGER, then PAGER, else less -FRX).",
        ),
    ] = False,
) -> None:
    """A chronology of armed-conflict incidents: one TOML file per incident, kept in git."""
    if ledger_dir is not None:  # `ledger --ledger DIR list`: the commands read it as LEDGER_DIR
        os.environ["LEDGER_DIR"] = str(ledger_dir)


def bind(func: Callable[..., Any]) -> Callable[..., Any]:
    """Return `func` as typer sees it: without `env` (injected from the context)."""
    wants_env = "env" in inspect.signature(func, eval_str=True).parameters

    def call(inner: Callable[..., Any], given: dict[str, Any], kwargs: dict[str, Any]) -> Any:
        if wants_env:
            kwargs["env"] = given["typer_context"].obj
        try:
            return inner(**kwargs)
        except KeyboardInterrupt:
            raise Interrupted() from None

    return with_params(func, [Param("typer_context", typer.Context)], call, drops=("env",))


def build(table: Sequence[Command] = TABLE) -> typer.Typer:
    """Return the typer application with every command of the table registered."""
    app = typer.Typer(
        name="ledger",
        help=HELP,
        no_args_is_help=True,
        add_completion=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(_root)
    for entry in table:
        app.command(entry.name, hidden=entry.hidden)(bind(entry.run))
    return app


@functools.cache
def application() -> typer.Typer:
    """Return the application, built once per process."""
    return build()


@functools.cache
def command() -> Any:
    """Return the application as the click command typer makes of it, made once per process.

    Calling the Typer object itself converts every command to click again on each call (about
    0.17 s): nothing for a shell command, which runs once, but a program or a test that runs
    many commands in one process pays it every time.
    """
    return typer.main.get_command(application())
