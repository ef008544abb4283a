"""The shell: the only package that knows typer. Each command is options -> one Ledger call -> render -> exit.

Commands are plain functions in per-concern modules, registered in one table
(`ledger.cli.commands`); `ledger.cli.app` builds the typer application from it. `main` builds
the `Environment` once and turns LedgerError, interrupts and closed pipes into one line on
stderr and an exit status.
"""

from __future__ import annotations

import os
import sys

from ledger import __version__
from ledger.cli.env import Environment
from ledger.core.errors import ExitStatus, LedgerError


def main(argv: list[str] | None = None, env: Environment | None = None) -> None:
    """Run the command line (console script `ledger`, `python -m ledger`) in `env` (default: this process's)."""
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):  # answered before typer is imported: start-up counts
        print(f"ledger {__version__}")
        sys.exit(0)
    from ledger.cli.app import application

    env = Environment.from_system() if env is None else env
    try:
        application()(args=args, prog_name="ledger", obj=env)
    except SystemExit as stop:
        # typer's click turns a closed pipe into exit 1 after wrapping the streams: undo that.
        if type(sys.stdout).__name__ == "PacifyFlushWrapper":
            _quiet_broken_pipe()
        raise stop
    except LedgerError as err:
        print(f"ledger: error: {err}", file=env.stderr)
        sys.exit(int(err.status))
    except KeyboardInterrupt:
        print("ledger: interrupted", file=env.stderr)
        sys.exit(int(ExitStatus.INTERRUPTED))
    except BrokenPipeError:
        _quiet_broken_pipe()


def _quiet_broken_pipe() -> None:
    # The reader went away (`ledger list | head -1`): stop quietly, and keep Python from
    # complaining again when it flushes stdout at exit.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
    sys.exit(int(ExitStatus.OK))
