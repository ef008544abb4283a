"""Evidence commands: archive (capture sources), sources (the sources report), merge (duplicates)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ledger.cli.completion import from_index
from ledger.cli.env import Environment
from ledger.cli.filters import filtered
from ledger.cli.options import (
    LedgerDir,
    NoHeader,
    Quiet,
    TableFormat,
    chosen_format,
    open_ledger,
    plural,
    report_skipped,
    say,
    write_rows,
)
from ledger.core.errors import ExitStatus
from ledger.query import Selection

# -- archive ---------------------------------------------------------------------------------


@filtered
def archive(
    env: Environment,
    ledger_dir: LedgerDir = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Only list the sources that would be fetched.")
    ] = False,
    allow_private: Annotated[
        bool,
        typer.Option(
            "--allow-private",
            help="Also fetch from loopback, private and link-local addresses (refused by default: urls come from many hands).",
        ),
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", metavar="SECONDS", help="Time for one url, redirects included.", min=0.1)
    ] = 30.0,
    max_size: Annotated[
        int, typer.Option("--max-size", metavar="BYTES", help="The largest page kept.", min=1)
    ] = 50_000_000,
    max_redirects: Annotated[
        int, typer.Option("--max-redirects", metavar="N", help="Redirects followed for one url.", min=0)
    ] = 5,
    quiet: Quiet = False,
    *,
    selection: Selection,
) -> ExitStatus:
    """Capture each source url that has no capture yet: a WARC file under evidence/, its hash in the entry."""
    from ledger import __version__
    from ledger.api.evidence import Captured
    from ledger.interchange.fetch import Limits
    from ledger.output.render import clean

    ledger = open_ledger(ledger_dir)
    limits = Limits(
        timeout=timeout,
        max_bytes=max_size,
        max_redirects=max_redirects,
        allow_private=allow_private,
        user_agent=f"incident-ledger/{__version__} (evidence capture)",
    )

    def progress(item: Any) -> None:
        target = item.target
        where = f"{target.rel}: sources[{target.index}]"
        if isinstance(item, Captured):
            env.stdout.write(clean(f"{where}: {target.url} -> {item.capture}") + "\n")
            env.stdout.flush()
        else:
            say(env, clean(f"ledger: {where}: {item.message}"))

    report = ledger.archive(
        selection, limits, dry_run=dry_run, progress=progress, software=f"incident-ledger {__version__}"
    )
    if dry_run:
        for target in report.targets:
            env.stdout.write(clean(f"{target.rel}: sources[{target.index}]: {target.url}") + "\n")
        entries = len({t.rel for t in report.targets})
        say(
            env,
            f"{plural(len(report.targets), 'source')} of {plural(entries, 'entry', 'entries')} would be fetched",
            quiet,
        )
        return ExitStatus.OK
    if not report.targets:
        say(env, "nothing to capture: every selected source with a url has a capture", quiet)
        return ExitStatus.OK
    stored = sum(c.stored for c in report.captured)
    entries = len({c.target.rel for c in report.captured})
    summary = (
        f"{plural(len(report.captured), 'source')} captured in {plural(entries, 'entry', 'entries')} "
        f"({stored} stored, {len(report.captured) - stored} already in evidence/)"
    )
    if report.failed:
        summary += (
            f"; {plural(len(report.failed), 'source')} failed: "
            f"{plural(len(report.untouched), 'entry', 'entries')} left unchanged"
        )
    say(env, summary, quiet and not report.failed)
    return ExitStatus.FOUND if report.failed else ExitStatus.OK


# -- sources ---------------------------------------------------------------------------------


@filtered
def sources(
    env: Environment,
    ledger_dir: LedgerDir = None,
    output: TableFormat = None,
    no_header: NoHeader = False,
    quiet: Quiet = False,
    *,
    selection: Selection,
) -> ExitStatus:
    """One row per source (registry aliases merged): entries citing it, grades, sole-source entries, uncaptured."""
    from ledger.api import SOURCE_COLUMNS

    fmt = chosen_format(env, output)
    ledger = open_ledger(ledger_dir)
    found = ledger.find(selection)
    rows = ledger.source_rows(found)
    report_skipped(env, found.skipped, quiet)
    write_rows(
        env,
        fmt,
        lambda: ({**row.as_dict(), "registered": "yes" if row.registered else ""} for row in rows),
        SOURCE_COLUMNS,
        records=lambda: (row.as_dict() for row in rows),
        ids=lambda: (row.source for row in rows),
        header=not no_header,
    )
    registered = sum(r.registered for r in rows)
    say(env, f"{plural(len(rows), 'source')} ({registered} in the registry of ledger.toml)", quiet)
    return ExitStatus.OK


# -- merge -----------------------------------------------------------------------------------


def merge(
    env: Environment,
    keep: Annotated[str, typer.Argument(metavar="KEEP", help="The entry to keep.", autocompletion=from_index("ids"))],
    dups: Annotated[
        list[str],
        typer.Argument(
            metavar="DUP...", help="The duplicates to withdraw into KEEP.", autocompletion=from_index("ids")
        ),
    ],
    reason: Annotated[
        str | None,
        typer.Option(
            "--reason", metavar="TEXT", help='The withdrawn_reason (default: "duplicate of KEEP (ledger merge)").'
        ),
    ] = None,
    ledger_dir: LedgerDir = None,
    quiet: Quiet = False,
) -> ExitStatus:
    """Merge duplicates into KEEP: each DUP withdrawn with duplicate_of, KEEP gains its sources, tags and id."""
    from ledger.output.render import clean

    ledger = open_ledger(ledger_dir)
    done = ledger.merge(keep, dups, reason)
    for rel in done.written:
        env.stdout.write(clean(rel) + "\n")
    if done.done_before:
        say(env, f"already merged into {keep}: {', '.join(done.done_before)}", quiet)
    if not done.written:
        say(env, "nothing to change", quiet)
        return ExitStatus.OK
    gained = ", ".join(
        [plural(done.sources, "source"), plural(len(done.tags), "tag"), plural(len(done.aliases), "alias", "aliases")]
    )
    merged = len(done.written) - (1 if done.keep in done.written else 0)
    say(
        env,
        f"merged {plural(merged, 'duplicate')} into {keep} (+{gained}); "
        "`git diff` shows the merge, `git revert` undoes it once committed",
        quiet,
    )
    return ExitStatus.OK
