"""The process itself, set up once by `main` before a command runs: its text streams, its signals, its pager."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from typing import TextIO, TypeVar, cast

from ledger.terminal import pager
from ledger.terminal.env import Environment

T = TypeVar("T")


def utf8_streams(*streams: object) -> None:
    """Write UTF-8 with LF line ends on these text streams, whatever the console's code page.

    A Windows console piped or redirected writes the ANSI code page (cp1252 cannot hold an
    Arabic title) and turns every LF into CRLF (an ICS's own CRLF into CR CR LF); a
    PYTHONIOENCODING or an old locale can do the same elsewhere. Other streams (a test's
    StringIO) are left alone.
    """
    for stream in streams:
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors=stream.errors, newline="\n")


def terminate_like_interrupt() -> None:
    """Make SIGTERM (`kill`, a CI timeout, systemd) stop a command as Ctrl-C does: clean-up runs.

    Without it the process dies at once and leaves a half-built index file and scratch folder
    behind. Forked workers keep the default: they die, and their parent cleans up.
    """
    import os
    import signal

    main_pid = os.getpid()

    def stop(signum: int, _frame: object) -> None:
        if os.getpid() != main_pid:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (an embedding program): leave its signals alone
        pass


def through(args: list[str], env: Environment, run: Callable[[list[str], Environment], T]) -> T:
    """Run a command line with its long output paged, when the command and the terminal allow it.

    `--no-pager` is taken out of the arguments. The pager is finished (quit by the user, or
    never started for a short output) before `run`'s error, if any, reaches the caller, so the
    message is not lost under the pager.
    """
    page, args = pager.wanted(args)
    if not (page and env.stdout_isatty and env.pager):
        return run(args, env)
    paged = pager.PagedStream(env.stdout, env.pager, env.height, env.width)
    try:  # a TextIOBase, written like stdout
        return run(args, dataclasses.replace(env, stdout=cast(TextIO, paged)))
    finally:
        paged.finish()
