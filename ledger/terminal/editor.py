"""The user at the terminal: a file opened in their editor, a question answered on a line."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger.core.errors import ExitStatus, LedgerError, UsageError
from ledger.terminal.env import Environment

if TYPE_CHECKING:
    from ledger.api import Ledger


def edit(env: Environment, path: Path) -> int:
    """Open `path` in the environment's editor ($VISUAL, $EDITOR), wait for it, and return its exit status."""
    import shlex
    import shutil

    argv = [*shlex.split(env.editor, posix=sys.platform != "win32"), str(path)]
    program = shutil.which(argv[0])
    if program is None:  # spawnv would fork, fail to exec and report only a child's status 127
        raise LedgerError(f"cannot run the editor {argv[0]!r}: not found (set VISUAL or EDITOR); {path} is written")
    if sys.platform == "win32":  # spawnv joins the arguments into one command line, unquoted
        argv = [f'"{arg}"' if " " in arg and not arg.startswith('"') else arg for arg in argv]
    try:
        return os.spawnv(os.P_WAIT, program, argv)
    except OSError as err:
        raise LedgerError(f"cannot run the editor {argv[0]!r}: {err.strerror}") from None


def ask(env: Environment, question: str, default: str, key: str) -> str:
    """Ask `question` on stderr (stdout is for data) and return the line answered, or `default` for an empty one.

    Not typer.prompt: it writes a space to stdout. The end of input is a usage error naming `key`.
    """
    env.stderr.write(f"{question}{f' [{default}]' if default else ''}: ")
    env.stderr.flush()
    line = env.stdin.readline()
    if not line:
        raise UsageError(f"no answer for {key} (end of input)")
    return line.strip() or default


def fill_in(env: Environment, ledger: Ledger, fields: dict[str, Any]) -> None:
    """Ask on the terminal for each value `ledger new` still needs, until it is acceptable (`api.form`).

    A place of ledger.toml answers for its country. Without a terminal to ask on, the missing
    values are one usage error that names their options.
    """
    from ledger.api.form import NEW_FIELDS, parse_answer

    form = {f.key: f for f in NEW_FIELDS}
    missing = ledger.missing_fields(fields)
    if missing and not env.interactive:
        flags = ", ".join("TITLE" if key == "title" else form[key].flag for key in missing)
        raise UsageError(f"missing {flags} (give them as options; on a terminal they are asked for)")
    while missing:
        key = missing[0]
        default = dt.date.today().isoformat() if key == "date" else ""
        question = form[key].question
        try:
            fields[key] = parse_answer(key, ask(env, question, default, key))
        except ValueError as err:
            env.stderr.write(f"  {err}\n")
        missing = ledger.missing_fields(fields)


def edit_and_check(env: Environment, ledger: Ledger, rel: str, quiet: bool) -> ExitStatus:
    """Open a new entry in the editor, wait, then check it as `ledger validate` would: FOUND on an error."""
    from ledger.output.render import clean

    path = ledger.root / rel
    status = edit(env, path)
    if status != 0 and not quiet:
        env.stderr.write(f"the editor exited with status {status}\n")
    report = ledger.validate([path])
    env.stderr.writelines(clean(str(problem)) + "\n" for problem in report.problems)
    return ExitStatus.FOUND if report.errors else ExitStatus.OK
