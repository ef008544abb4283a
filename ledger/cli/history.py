"""Commands over git: diff, log, git-setup, and the hidden textconv used by git's diff driver."""

from __future__ import annotations

import shlex
import sys
from typing import Annotated

import typer

from ledger.cli.completion import from_index
from ledger.cli.env import Environment
from ledger.cli.errors import findings
from ledger.cli.filters import filtered
from ledger.cli.options import Color, LedgerDir, Quiet, TextFormat, format_option, open_ledger, say, use_color
from ledger.core.errors import ExitStatus, UsageError
from ledger.query import Selection


@filtered(words=False)
def diff(
    env: Environment,
    args: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[REV | A B | A..B | DIR_A DIR_B] [QUERY]...",
            help="What to compare (default: HEAD against the working tree), then query terms like country:SY.",
            show_default=False,
        ),
    ] = None,
    ledger_dir: LedgerDir = None,
    output: Annotated[str, format_option(("text", "json", "markdown"))] = "text",
    stat: Annotated[bool, typer.Option("--stat", help="Print only the counts.")] = False,
    color: Color = "auto",
    quiet: Quiet = False,
    *,
    selection: Selection,
) -> ExitStatus:
    """Show which incidents were added, removed or changed, field by field. Exit 1 when they differ."""
    from ledger.api.diffing import compare
    from ledger.output import diffrender

    compared = compare(args or [], selection.where, ledger_dir)
    result, vocabulary = compared.result, compared.vocabulary
    status = ExitStatus.OK if result.equal else ExitStatus.FOUND
    with findings(status):
        if output == "json":
            env.stdout.write(diffrender.as_json(result, stat_only=stat))
        elif stat:
            env.stdout.write(diffrender.stat(result))
        elif output == "markdown":
            env.stdout.write(diffrender.markdown(result, label=vocabulary.label))
        else:
            env.stdout.write(diffrender.text(result, color=use_color(color, env), label=vocabulary.label))
    if output == "text" and not stat:
        say(env, diffrender.summary(result), quiet)
    return status


def log(
    env: Environment,
    incident: Annotated[
        str,
        typer.Argument(metavar="ID", help="The incident's id (or its file's path).", autocompletion=from_index("ids")),
    ],
    rev: Annotated[
        str | None, typer.Option("--rev", metavar="REV", help="Start from this revision instead of HEAD.")
    ] = None,
    ledger_dir: LedgerDir = None,
    output: TextFormat = "text",
    color: Color = "auto",
    quiet: Quiet = False,
) -> ExitStatus:
    """List the commits that changed an incident, newest first, with the fields they changed."""
    from ledger.output import diffrender

    ledger = open_ledger(ledger_dir)
    found = ledger.log(incident, rev)
    if found.shallow:
        say(env, "warning: this is a shallow clone: commits before its cut are not shown", quiet)
    if output == "json":
        env.stdout.write(diffrender.log_json(found))
    else:
        colored = use_color(color, env)
        env.stdout.write(diffrender.log_text(found.records, color=colored, label=ledger.vocabulary.label))
    return ExitStatus.OK


def default_textconv() -> str:
    """Return the textconv command for .git/config: this Python running `-m ledger textconv`.

    The command names the ledger version: git keys its textconv cache by the command, so an
    upgrade (which may change the canonical layout) drops the cached text.
    """
    from ledger import __version__

    return f"{shlex.quote(sys.executable)} -m ledger textconv --ledger-version {shlex.quote(__version__)}"


def git_setup(
    env: Environment,
    ledger_dir: LedgerDir = None,
    command: Annotated[
        str | None,
        typer.Option(
            "--command",
            metavar="CMD",
            help="The textconv command git runs (default: this Python with -m ledger textconv).",
            show_default=False,
        ),
    ] = None,
    quiet: Quiet = False,
) -> ExitStatus:
    """Make `git diff` and `git log -p` show entries in the canonical layout (a textconv driver)."""
    if command is not None and not command.strip():
        raise UsageError("--command cannot be empty")
    ledger = open_ledger(ledger_dir)
    done = ledger.git_setup(command or default_textconv())
    for line in done:
        env.stdout.write(line + "\n")
    say(env, "git diff driver already set up" if not done else "git diff driver set up", quiet)
    return ExitStatus.OK


def textconv(
    env: Environment,
    path: Annotated[str, typer.Argument(metavar="FILE", help="The file git hands over.")],
    version: Annotated[
        str | None,
        typer.Option(
            "--ledger-version",
            metavar="VERSION",
            help="Ignored: names the version in git's command, so its textconv cache is dropped on upgrade.",
        ),
    ] = None,
) -> ExitStatus:
    """Print an entry in the canonical layout for git's diff (exits 0 whatever the input)."""
    from ledger.api.gitsetup import textconv as canonical_text

    text = canonical_text(path)
    buffer = getattr(env.stdout, "buffer", None)
    if buffer is not None:
        env.stdout.flush()
        buffer.write(text.encode("utf-8", "surrogateescape"))
        buffer.flush()
    else:
        env.stdout.write(text)
    return ExitStatus.OK
