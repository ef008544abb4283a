"""`ledger watch`: the file-system monitor that lets commands skip the stat walk (Linux; docs/querying.md)."""

from __future__ import annotations

from ledger.cli.options import LEDGER, QUIET, command
from ledger.core.errors import ExitStatus
from ledger.terminal.call import Call


@command(LEDGER, QUIET)
def watch(c: Call) -> ExitStatus:
    """Watch entries/ (inotify) and journal changes: commands then skip the stat walk. Ctrl-C stops."""
    from ledger.store.monitor import watch

    watch(c.ledger.root, c.note)
    return ExitStatus.OK
