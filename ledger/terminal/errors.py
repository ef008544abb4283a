"""The one place where what stopped a command becomes an exit status and a message (httpie's core + status).

Commands return an `ExitStatus` or raise. `report` turns every exception that may end a
command into exactly one `ledger: error: ...` line on stderr (plus the lines the error shows
of its own context, such as a query's caret) and the status to exit with:

- `LedgerError` (ledger.core.errors): its own status (NotFound 1, the rest 2); the usage
  mistakes typer finds (unknown option, missing argument, a bad number) come here as the
  library's `UsageError` (`ledger.cli.app.stopped` translates them): 2;
- an interrupt (Ctrl-C): `ledger: interrupted`, 130;
- a closed pipe (`ledger list | head -1`): nothing, 0; but findings keep their status 1
  (`ledger validate | head -1`: see `findings`);
- the system refusing a read or write nothing below caught (`ledger list > /dev/full`: a
  full disk, an I/O error): its reason, 2.
Anything else is a defect and is not caught here: its traceback is the bug report.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import re
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO, cast

from ledger.core.errors import ExitStatus, LedgerError
from ledger.core.model import CONTROL

if TYPE_CHECKING:
    from ledger.terminal.env import Environment


class OutputCut(Exception):
    """The reader of stdout went away while a command wrote its findings."""

    def __init__(self, status: ExitStatus) -> None:
        super().__init__(f"output cut; status {int(status)}")
        self.status = status


@contextlib.contextmanager
def findings(status: ExitStatus) -> Iterator[None]:
    """Write a command's findings; if the reader stops early (`| head -1`), still end with `status`.

    Without this a closed pipe ends the command with 0, and CI with `set -o pipefail` passes
    over the problems `validate` or `dupes` had found.
    """
    try:
        yield
    except BrokenPipeError:
        raise OutputCut(status) from None


class Interrupted(LedgerError):
    """The user pressed Ctrl-C."""

    status = ExitStatus.INTERRUPTED


def report(err: BaseException, env: Environment) -> ExitStatus:
    """Print the one message for `err` on the environment's stderr and return the exit status.

    A stderr the shell closed (`2>&-`) or that refuses writes loses the message, never the status.
    """
    return _report(err, dataclasses.replace(env, stderr=cast(TextIO, _Unfailing(env.stderr))))


class _Unfailing(io.TextIOBase):
    """A stream whose writes cannot fail: what the one below refuses is dropped."""

    def __init__(self, below: TextIO) -> None:
        self.below = below

    def write(self, text: str) -> int:
        with contextlib.suppress(OSError, ValueError):
            self.below.write(text)
            self.below.flush()
        return len(text)


def _report(err: BaseException, env: Environment) -> ExitStatus:
    if isinstance(err, BrokenPipeError):
        return quiet_broken_pipe(env)
    if isinstance(err, OutputCut):
        quiet_broken_pipe(env)
        return err.status
    if isinstance(err, KeyboardInterrupt | Interrupted):
        env.stderr.write("ledger: interrupted\n")
        return ExitStatus.INTERRUPTED
    if isinstance(err, LedgerError):
        lines = [f"ledger: error: {one_line(str(err))}", *("  " + _clean(line) for line in err.context())]
        env.stderr.write("\n".join(lines) + "\n")
        return err.status
    if isinstance(err, OSError):
        return _refused(err, env)
    raise err


def _refused(err: OSError, env: Environment) -> ExitStatus:
    """Say why the system refused (`No space left on device`, and the file if it names one); silence stdout."""
    reason = err.strerror or type(err).__name__
    env.stderr.write(f"ledger: error: {one_line(reason + (f': {err.filename}' if err.filename else ''))}\n")
    quiet_broken_pipe(env)  # stdout may hold what it could not write: exit must not try again
    return ExitStatus.TROUBLE


def one_line(text: str) -> str:
    """Escape what a message must not carry to a terminal: control characters (also of user
    arguments echoed in it: `--type $'\\e[2J'`), line breaks and bidi overrides, as \\xNN or \\uNNNN."""
    return _UNSAFE.sub(_escape, text)


def _escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _clean(text: str) -> str:
    from ledger.output.render import clean

    return clean(text)


_UNSAFE = re.compile(f"[{CONTROL}\t\n\r]")


def quiet_broken_pipe(env: Environment) -> ExitStatus:
    """Stop quietly when the reader went away, and keep Python from complaining when it flushes stdout at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, env.stdout.fileno())
    except (OSError, ValueError):
        pass
    if sys.stdout is not env.stdout and type(sys.stdout).__name__ == "PacifyFlushWrapper":
        sys.stdout = env.stdout
    return ExitStatus.OK
