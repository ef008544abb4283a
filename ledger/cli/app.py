"""Build the typer application from the command table (`ledger.cli.commands.TABLE`) and run a command line.

`bind` makes typer's signature of a command's declared parameters and hands the command one
`Call`; `command` converts to click only the command a command line runs; `stopped` hands
what stopped a command to the one error path, typer's usage mistakes as `UsageError`s.
"""

from __future__ import annotations

import functools
import inspect
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import typer

from ledger import __version__
from ledger.cli import filters, options
from ledger.cli.commands import TABLE, Command
from ledger.cli.options import Declared, opt
from ledger.core.errors import ExitStatus, LedgerError, UsageError
from ledger.terminal import errors
from ledger.terminal.call import Call, close_ledgers
from ledger.terminal.errors import Interrupted

if TYPE_CHECKING:
    from ledger.terminal.env import Environment

HELP = "A chronology of armed-conflict incidents: one TOML file per incident, kept in git."


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ledger {__version__}")
        raise typer.Exit()


@options.command(
    opt("--version -V", False, "Show the version.", callback=_version, is_eager=True),
    opt(
        "--ledger",
        None,
        "Ledger directory, for every command (also after the command).",
        "DIR",
        kind=Path | None,
        name="ledger_dir",
    ),
    opt(
        "--no-pager",
        False,
        "Never page long output (also after the command; LEDGER_PAGER, then PAGER, else less -FRX).",
    ),
)
def _root(c: Call) -> None:
    """A chronology of armed-conflict incidents: one TOML file per incident, kept in git."""
    if c.ledger_dir is not None:  # `ledger --ledger DIR list`: the commands read it as LEDGER_DIR
        os.environ["LEDGER_DIR"] = str(c.ledger_dir)


def bind(declared: Declared) -> Callable[..., Any]:
    """Return the command as typer sees it: its declared parameters (and the filters), then one `Call` of the values."""
    params = (*declared.params, *(filters.PARAMS[declared.query] if declared.query else ()))

    def run(typer_context: typer.Context, **values: Any) -> Any:
        c = Call(typer_context.obj, values)
        try:
            if declared.query and (explained := filters.take(c, declared.query)) is not None:
                return explained
            return declared.run(c)
        except KeyboardInterrupt:
            raise Interrupted() from None

    keyword = inspect.Parameter.KEYWORD_ONLY
    run.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("typer_context", keyword, annotation=typer.Context),
            *(inspect.Parameter(p.name, keyword, annotation=p.annotation, default=p.default) for p in params),
        ]
    )
    run.__annotations__ = {"typer_context": typer.Context, **{p.name: p.annotation for p in params}}
    run.__doc__, run.__name__ = declared.run.__doc__, declared.run.__name__
    return run


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
    app.callback()(bind(_root))
    for entry in table:
        app.command(entry.name, hidden=entry.hidden)(bind(entry.run))
    return app


@functools.cache
def command(name: str | None = None) -> Any:
    """Return the application as the click command typer makes of it, made once per process (and per `name`).

    Typer converts every registered command to click before it runs one (about 0.1 s for the
    21): `name` registers only that command, for a command line that runs it (`only`). Calling
    the Typer object itself would convert them again on each call: nothing for a shell
    command, which runs once, but a program or a test that runs many commands pays it each time.
    """
    return typer.main.get_command(build(tuple(c for c in TABLE if c.name == name) or TABLE))


def only(args: list[str]) -> str | None:
    """Return the one command `args` runs, when that is plain before parsing; None (every command) when not.

    The whole table is needed by `ledger --help`, an unknown command word (typer names the
    choices) and the completion of the command word itself. Shell completion's words come in
    the environment: a command word before the one being completed is the command.
    """
    from ledger.terminal.completion import completed_words
    from ledger.terminal.pager import command_name

    if "_LEDGER_COMPLETE" in os.environ:
        args = completed_words(os.environ)
    name = command_name(args)
    if name is None or name not in {c.name for c in TABLE}:
        return None
    head = args[: args.index(name)]
    return None if "--help" in head or "-h" in head else name


def run(args: list[str], env: Environment) -> ExitStatus | None:
    """Run the command line in `env` and return the exit status its command returns; what stops it is raised.

    Ctrl-C while typer parses (a slow completer, a prompt of its own) comes back as a bare 130
    from typer, which says nothing: it is raised as `Interrupted`, to be said as any other.
    """
    try:
        status = command(only(args))(args=args, prog_name="ledger", obj=env, standalone_mode=False)
    finally:
        close_ledgers()
    if type(status) is int and status == ExitStatus.INTERRUPTED:
        raise Interrupted()
    return cast(ExitStatus | None, status)


def stopped(err: BaseException, env: Environment) -> ExitStatus:
    """Report what stopped a command (`ledger.terminal.errors.report`), typer's usage mistakes as `UsageError`s.

    Bare `ledger` shows the help on stderr (exit 2), as typer does.
    """
    if type(err).__name__ == "NoArgsIsHelpError":
        cast(Any, err).show(file=env.stderr)
        return ExitStatus.TROUBLE
    if isinstance(err, typer.Abort):
        err = LedgerError("aborted")
    elif isinstance(err, typer.TyperException):  # typer's (vendored click's) usage errors
        text = " ".join(err.format_message().split())
        text = re.sub(r"\.$", "", text[:1].lower() + text[1:])
        ctx = getattr(err, "ctx", None)
        err = UsageError(text + (f" (see `{ctx.command_path} --help`)" if ctx is not None else ""))
    return errors.report(err, env)
