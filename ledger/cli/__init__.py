"""The shell: the only package that knows typer. Each command is options -> one Ledger call -> render -> exit.

Commands are plain functions in per-concern modules, registered in one table
(`ledger.cli.commands`); `ledger.cli.app` builds the typer application from it. `main` builds
the `Environment` once, runs the command, and leaves every exception that stops it to
`ledger.cli.errors.report`: one line on stderr and an exit status.
"""

from __future__ import annotations

import dataclasses
import io
import sys
from typing import TextIO, cast

from ledger import __version__
from ledger.cli import pager
from ledger.cli.env import Environment
from ledger.core.errors import ExitStatus


def main(argv: list[str] | None = None, env: Environment | None = None) -> None:
    """Run the command line (console script `ledger`, `python -m ledger`) in `env` (default: this process's)."""
    args = sys.argv[1:] if argv is None else argv
    utf8_streams(sys.stdout, sys.stderr)
    if args in (["--version"], ["-V"]):  # answered before typer is imported: start-up counts
        print(f"ledger {__version__}")
        sys.exit(0)
    from ledger.cli import errors
    from ledger.cli.app import command
    from ledger.cli.options import close_ledgers

    env = Environment.from_system() if env is None else env
    page, args = pager.wanted(args)
    paged = None
    if page and env.stdout_isatty and env.pager:
        paged = pager.PagedStream(env.stdout, env.pager, env.height, env.width)
        env = dataclasses.replace(env, stdout=cast(TextIO, paged))  # a TextIOBase, written like stdout
    _terminate_like_interrupt()
    try:
        try:
            status = command()(args=args, prog_name="ledger", obj=env, standalone_mode=False)
        finally:
            close_ledgers()
            if paged is not None:
                env = dataclasses.replace(env, stdout=paged.terminal)
                paged.finish()
    except SystemExit:
        # typer's click turns a closed pipe into exit 1 after wrapping the streams: undo that.
        if type(sys.stdout).__name__ != "PacifyFlushWrapper":
            raise
        status = errors.quiet_broken_pipe(env)
    except BaseException as err:  # noqa: BLE001 - report() re-raises what it does not know
        status = errors.report(err, env)
    try:
        env.stdout.flush()
    except BrokenPipeError:  # the reader left before the last lines: the command's status stands
        errors.quiet_broken_pipe(env)
    sys.exit(int(status or ExitStatus.OK))


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


def _terminate_like_interrupt() -> None:
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
