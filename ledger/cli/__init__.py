"""The shell: the only package that knows typer. Each command is options -> one Ledger call -> render -> exit.

Commands are plain functions in per-concern modules, registered in one table
(`ledger.cli.commands`); `ledger.cli.app` builds the typer application from it. `main` builds
the `Environment` once, runs the command, and leaves every exception that stops it to
`ledger.cli.app.stopped` and so to `ledger.terminal.errors.report`: one line on stderr and an
exit status.
"""

from __future__ import annotations

import sys

from ledger import __version__
from ledger.core.errors import ExitStatus
from ledger.terminal import process
from ledger.terminal.env import Environment


def main(argv: list[str] | None = None, env: Environment | None = None) -> None:
    """Run the command line (console script `ledger`, `python -m ledger`) in `env` (default: this process's)."""
    args = sys.argv[1:] if argv is None else argv
    process.utf8_streams(sys.stdout, sys.stderr)
    if args in (["--version"], ["-V"]):  # answered before typer is imported: start-up counts
        print(f"ledger {__version__}")
        sys.exit(0)
    from ledger.cli.app import run, stopped
    from ledger.terminal import errors

    env = Environment.from_system() if env is None else env
    process.terminate_like_interrupt()
    try:
        status = process.through(args, env, run)
    except SystemExit:
        # typer's click turns a closed pipe into exit 1 after wrapping the streams: undo that.
        if type(sys.stdout).__name__ != "PacifyFlushWrapper":
            raise
        status = errors.quiet_broken_pipe(env)
    except BaseException as err:  # noqa: BLE001 - report() re-raises what it does not know
        status = stopped(err, env)
    try:
        env.stdout.flush()
    except BrokenPipeError:  # the reader left before the last lines: the command's status stands
        errors.quiet_broken_pipe(env)
    sys.exit(int(status or ExitStatus.OK))
