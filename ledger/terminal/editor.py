"""The user at the terminal: a file opened in their editor, a question answered on a line."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ledger.core.errors import LedgerError, UsageError
from ledger.terminal.env import Environment


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
