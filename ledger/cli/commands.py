"""The command table: every `ledger` command, in the order `ledger --help` lists them (hledger's model).

A command is a plain function of one `Call`, its parameters declared with `@command`; it returns
an `ExitStatus` (None: OK) or raises a `LedgerError`. A new command is a function and a line here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.cli import authoring, check, chrono, evidence, history, query
from ledger.cli.options import Declared


@dataclass(frozen=True, slots=True)
class Command:
    """One row of the table: the name typed on the command line and the function that runs it."""

    name: str
    run: Declared
    hidden: bool = False


TABLE: tuple[Command, ...] = (
    Command("validate", check.validate),
    Command("index", query.index),
    Command("watch", query.watch),
    Command("list", query.list_),
    Command("search", query.search),
    Command("show", query.show),
    Command("timeline", chrono.timeline),
    Command("chain", chrono.chain),
    Command("stats", chrono.stats),
    Command("dupes", chrono.dupes),
    Command("merge", evidence.merge),
    Command("sources", evidence.sources),
    Command("archive", evidence.archive),
    Command("diff", history.diff),
    Command("log", history.log),
    Command("new", authoring.new),
    Command("fmt", authoring.fmt),
    Command("import", authoring.import_),
    Command("export", authoring.export),
    Command("schema", check.schema),
    Command("git-setup", history.git_setup),
    Command("textconv", history.textconv, hidden=True),
)
