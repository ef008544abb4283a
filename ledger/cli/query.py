"""Query commands: index and watch (keeping the index fresh), list, search, show."""

from __future__ import annotations

from typing import Any

from ledger.cli.options import AS_OF, COLUMNS, LEDGER, NO_HEADER, QUIET, TABLE_FORMAT, arg, command, formats, opt
from ledger.core.errors import ExitStatus
from ledger.terminal.call import Call


@command(LEDGER, TABLE_FORMAT, COLUMNS, NO_HEADER, QUIET, AS_OF, query="words")
def list_(c: Call) -> ExitStatus:
    """List the incidents that match a query, in chronological order."""
    from ledger.api.lookup import columns

    chosen = columns(c.columns)  # a usage mistake is said before the index is refreshed
    return _write(c, c.ledger.at(c.as_of).find(c.selection, progress=c.progress), chosen)


@command(LEDGER, TABLE_FORMAT, COLUMNS, NO_HEADER, QUIET, query="search")
def search(c: Call) -> ExitStatus:
    """Search titles, summaries, places, actors, sources and quotes, best match first, in any spelling."""
    from ledger.api.lookup import columns

    chosen = columns(c.columns)
    found = c.ledger.search(c.text, c.selection, progress=c.progress)
    if c.explain:
        c.say("\n".join(found.explain()))
        return ExitStatus.OK
    return _write(c, found, chosen)


def _write(c: Call, found: Any, chosen: list[str] | None) -> ExitStatus:
    """Write a result in a list format, then say how many invalid files were left out."""
    from ledger.output import results

    results.found(c.screen, c.fmt, found, chosen, not c.no_header)
    c.out.flush()
    c.skipped(found.skipped)
    return ExitStatus.OK


@command(
    arg("ids", "ID...", "Entry ids (or entry file paths).", list[str], complete="id"),
    LEDGER,
    formats(("text", "toml", "json"), "text", "text (laid out for reading), toml (the file) or json."),
    QUIET,
    AS_OF,
)
def show(c: Call) -> ExitStatus:
    """Show whole entries: laid out for reading, as their TOML file, or as JSON."""
    from ledger.api import lookup
    from ledger.output import results

    view = c.ledger.at(c.as_of)
    results.entries(c.screen, c.fmt, lookup.records(view, c.ids), view)
    return ExitStatus.OK


@command(LEDGER, opt("--rebuild", False, "Rebuild from scratch instead of refreshing."), QUIET)
def index(c: Call) -> ExitStatus:
    """Refresh the index in .ledger/ (queries do this by themselves; --rebuild starts afresh)."""
    c.note(c.ledger.refresh_index(rebuild=c.rebuild, progress=c.progress).summary())
    return ExitStatus.OK


@command(LEDGER, QUIET)
def watch(c: Call) -> ExitStatus:
    """Watch entries/ (inotify) and journal changes: commands then skip the stat walk. Ctrl-C stops."""
    from ledger.store.monitor import watch

    watch(c.ledger.root, c.note)
    return ExitStatus.OK
