"""One run of a command, as the command meets it: its environment, its values, its ledger, its voice.

The shell (`ledger.cli`) parses a command line into values and hands the command one `Call`;
the command reads its values by name (`c.quiet`, `c.days`), opens the ledger on first use
(`c.ledger`), writes results on `c.screen` and talks to the user through `c.say` / `c.note`.
Nothing here knows typer, so a command can be run, and tested, with values made by hand.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger.output import render
from ledger.terminal.env import Environment

if TYPE_CHECKING:
    from ledger.api import Ledger
    from ledger.output.progress import Phases
    from ledger.output.results import Screen
    from ledger.query import Selection


class Call:
    """One run of a command: its environment and the values of its parameters, by name (`c.quiet`, `c.days`).

    The shared options are typed here; a command's own are read the same way (as Any).
    """

    ledger_dir: Path | None
    quiet: bool
    output: str | None
    as_of: str | None
    selection: Selection

    def __init__(self, env: Environment, values: dict[str, Any]) -> None:
        self.env, self.out, self.values = env, env.stdout, values

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(f"{name!r} is not a parameter of this command") from None

    @functools.cached_property
    def ledger(self) -> Ledger:
        """The ledger `--ledger` names (else found upwards), opened on first use; `main` closes it."""
        return open_ledger(self.ledger_dir)

    @property
    def fmt(self) -> str:
        """The --format asked for (checked as it was parsed), else a table on a terminal and TSV when piped."""
        return render.default_format(self.env.stdout_isatty) if self.output is None else self.output

    @property
    def screen(self) -> Screen:
        """Where results are written (`ledger.output.results`): stdout, whether it is a terminal, its width."""
        from ledger.output.results import Screen

        return Screen(self.out, self.env.stdout_isatty, self.env.width)

    @property
    def colored(self) -> bool:
        """Decide on colour: --color always/never, else what the environment allows."""
        return {"always": True, "never": False}.get(self.color, self.env.colors)

    @property
    def progress(self) -> Callable[[int, int], None] | None:
        """A bar for the index's refresh on stderr when it is a terminal and not --quiet, else None."""
        if self.quiet or not self.env.stderr_isatty:
            return None
        return render.ProgressBar(self.env.stderr, "indexing")

    @contextlib.contextmanager
    def phases(self) -> Iterator[Phases | None]:
        """A bar per phase of a long job (an import) on stderr when it is a terminal and not --quiet, else None."""
        if self.quiet or not self.env.stderr_isatty:
            yield None
            return
        from ledger.output.progress import Phases

        bars = Phases(self.env.stderr)
        try:
            yield bars
        finally:
            bars.close()

    def write_raw(self, text: str) -> None:
        """Write text to stdout with its undecodable bytes (surrogate escapes) as they came, not as `?`."""
        buffer = getattr(self.out, "buffer", None)
        if buffer is None:
            self.out.write(text)
            return
        self.out.flush()
        buffer.write(text.encode("utf-8", "surrogateescape"))
        buffer.flush()

    def say(self, message: str) -> None:
        """Talk to the user on stderr (stdout is for data)."""
        self.env.stderr.write(message + "\n")

    def note(self, message: str) -> None:
        """Say a summary, unless --quiet."""
        if not self.quiet:
            self.say(message)

    def skipped(self, count: int) -> None:
        """Say how many invalid entry files a query left out."""
        if count:
            self.note(render.invalid_left_out(count))


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
