"""A pager for long output on a terminal, as git and gh do: `LEDGER_PAGER`, then `PAGER`, else `less -FRX`.

`main` pages the commands in `PAGED` when stdout is a terminal, a pager is set and the command
line has no `--no-pager`. Output is held until it is longer than the screen; only then is the
pager started (and fed what was held, then the rest as it comes), so short output and the
first screen of a long listing appear at once. Output that fits is written straight to the
terminal. A pager that cannot be found is no pager; one the user quits early ends the command
quietly. Never when stdout is piped or redirected (the `Environment` says so).
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    import subprocess

DEFAULT = "less -FRX"  # quit if one screen, raw colour escapes, leave the screen as it is
#: Commands whose output is data for reading, worth paging (not prompts, writers or git's textconv).
PAGED = frozenset({"list", "show", "timeline", "chain", "stats", "dupes", "diff", "log", "validate", "schema"})


def choose(environ: Mapping[str, str]) -> str | None:
    """Return the pager command: `LEDGER_PAGER`, else `PAGER`, else `less -FRX`; None for empty or `cat`."""
    for name in ("LEDGER_PAGER", "PAGER"):
        if name in environ:
            command = environ[name].strip()
            return None if command in ("", "cat") else command
    return DEFAULT


#: The root options that take a value (`ledger --ledger DIR list`); `cli.app` declares them, a test holds the two together.
VALUED_ROOT_OPTIONS = frozenset({"--ledger"})


def command_name(args: list[str]) -> str | None:
    """Return the command word of a command line (root options and their values skipped)."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--":
            return None
        elif arg in VALUED_ROOT_OPTIONS:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def wanted(args: list[str]) -> tuple[bool, list[str]]:
    """Return whether the command line allows paging, and the arguments without `--no-pager`."""
    end = args.index("--") if "--" in args else len(args)
    head = [a for a in args[:end] if a != "--no-pager"]
    return len(head) == end and command_name(args) in PAGED, head + args[end:]


class PagedStream(io.TextIOBase):
    """A text stream that writes to `terminal` unless the output outgrows `height` lines: then to the pager."""

    def __init__(self, terminal: TextIO, command: str, height: int, width: int) -> None:
        self.terminal = terminal
        self.command = command
        self.height = max(height - 1, 1)  # the last line is the shell's prompt
        self.width = max(width, 1)
        self.held: list[str] = []
        self.lines = 0
        self.process: subprocess.Popen[str] | None = None
        self.gone = False  # the pager was quit: the rest is dropped

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.gone:
            return len(text)
        if self.process is not None:
            self._send(text)
            return len(text)
        self.held.append(text)
        for line in text.split("\n")[:-1] if text.endswith("\n") else text.split("\n"):
            self.lines += max(1, -(-len(line) // self.width))  # a long line wraps on the screen
        if self.lines > self.height and not self._start():
            self._release()  # no pager to be had: the terminal gets everything
        return len(text)

    def _start(self) -> bool:
        import shlex  # imported only when output outgrows the screen: start-up counts
        import shutil
        import subprocess

        try:
            argv = shlex.split(self.command)
        except ValueError:  # unbalanced quotes: no pager rather than no output
            return False
        program = shutil.which(argv[0]) if argv else None
        if program is None:
            return False
        environ = dict(os.environ)
        environ.setdefault("LESS", "FRX")  # as git: quit if one screen, colours, no screen clearing
        environ.setdefault("LV", "-c")
        self.process = subprocess.Popen(
            [program, *argv[1:]], stdin=subprocess.PIPE, text=True, encoding="utf-8", errors="replace", env=environ
        )
        held, self.held = "".join(self.held), []
        self._send(held)
        return True

    def _send(self, text: str) -> None:
        assert self.process is not None and self.process.stdin is not None
        try:
            self.process.stdin.write(text)
        except OSError:  # BrokenPipeError: the user quit the pager
            self.gone = True

    def _release(self) -> None:
        self.terminal.write("".join(self.held))
        self.held = []
        self.lines = -(10**9)  # never page from here on: the terminal has the text

    def flush(self) -> None:
        if self.process is None:
            self.terminal.flush()

    def finish(self) -> None:
        """Write what is held (short output), or close the pager's input and wait for the user to quit it."""
        if self.process is None:
            self._release()
            self.terminal.flush()
            return
        try:
            if self.process.stdin is not None:
                self.process.stdin.close()
        except OSError:
            pass
        while True:
            try:
                self.process.wait()
                return
            except KeyboardInterrupt:  # Ctrl-C belongs to the pager while it runs
                continue
