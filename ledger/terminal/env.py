"""The terminal a command runs in, as one value: streams, whether each is a terminal, size, colour, pager.

`main` builds one `Environment` from the process (`Environment.from_system()`) and hands it to
every command, so no command calls `isatty()`, reads `NO_COLOR` or asks for the terminal size
itself, and tests can give a command any terminal they like (`tests/conftest.py` `make_env`).
Importing this module costs nothing beyond the standard library already loaded.
"""

from __future__ import annotations

import errno
import io
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TextIO, cast

from ledger.terminal.pager import choose as choose_pager  # cheap: no subprocess until a pager starts


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # a closed or fake stream is not a terminal
        return False


class ClosedStream(io.TextIOBase):
    """A standard stream the shell closed (`ledger list >&-`): Python gives None; writing here is EBADF, reading is empty."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "the output is closed")

    def read(self, size: int | None = -1) -> str:
        return ""


def _open_or(stream: TextIO | None, closed: TextIO) -> TextIO:
    """Return a standard stream of the process, or `closed` if the shell closed it (`2>&-`).

    Python then gives None, or a wrapper of a descriptor that is not open (every write
    fails with EBADF). A stream that is not a file at all (a test's capture) is kept.
    """
    if stream is None:
        return closed
    try:
        fd = stream.fileno()
    except (OSError, ValueError):
        return stream
    try:
        os.fstat(fd)
    except OSError:
        return closed
    return stream


def _positive(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


def _terminal_size(stream: TextIO) -> tuple[int, int]:
    """Return the (columns, lines) of the terminal behind `stream`, or (80, 24)."""
    try:
        size = os.get_terminal_size(stream.fileno())
    except (AttributeError, ValueError, OSError):
        return 80, 24
    return size.columns or 80, size.lines or 24


@dataclass(frozen=True, slots=True)
class Environment:
    """Where a command reads and writes, and what kind of terminal (if any) is at the other end."""

    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    stdin_isatty: bool = False
    stdout_isatty: bool = False
    stderr_isatty: bool = False
    width: int = 80  #: columns of the terminal (80 when not known)
    height: int = 24  #: lines of the terminal (24 when not known)
    colors: bool = False  #: colour escapes allowed on stdout (a terminal, NO_COLOR unset or empty, TERM not dumb)
    pager: str | None = None  #: command to page long output through ($LEDGER_PAGER, $PAGER, less -FRX), None for none
    editor: str = "vi"  #: command for `new --edit` ($VISUAL, $EDITOR)

    @property
    def interactive(self) -> bool:
        """Whether missing values can be asked for (stdin is a terminal)."""
        return self.stdin_isatty

    @classmethod
    def from_system(
        cls,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Environment:
        """Describe the process's own streams and terminal (read once, at start-up)."""
        environ = os.environ if environ is None else environ
        stdin = _open_or(sys.stdin, cast(TextIO, ClosedStream())) if stdin is None else stdin
        stdout = _open_or(sys.stdout, cast(TextIO, ClosedStream())) if stdout is None else stdout
        stderr = _open_or(sys.stderr, io.StringIO()) if stderr is None else stderr  # closed: messages go nowhere
        out_tty = _isatty(stdout)
        columns, lines = _terminal_size(stdout if out_tty else stderr)
        return cls(
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            stdin_isatty=_isatty(stdin),
            stdout_isatty=out_tty,
            stderr_isatty=_isatty(stderr),
            width=_positive(environ.get("COLUMNS")) or columns,
            height=_positive(environ.get("LINES")) or lines,
            colors=out_tty and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb",
            pager=choose_pager(environ),
            editor=environ.get("VISUAL") or environ.get("EDITOR") or ("notepad" if sys.platform == "win32" else "vi"),
        )
