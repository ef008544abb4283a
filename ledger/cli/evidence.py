"""Evidence commands: archive (capture sources), sources (the sources report), merge (duplicates)."""

from __future__ import annotations

from ledger.cli.options import LEDGER, NO_HEADER, QUIET, TABLE_FORMAT, arg, command, opt
from ledger.core.errors import ExitStatus
from ledger.terminal.call import Call


@command(
    LEDGER,
    opt("--dry-run", False, "Only list the sources that would be fetched."),  # -n is the filters' --limit
    opt(
        "--allow-private",
        False,
        "Also fetch from loopback, private and link-local addresses (refused by default: urls come from many hands).",
    ),
    opt("--timeout", 30.0, "Time for one url, redirects included.", "SECONDS", min=0.1, max=86400.0),
    opt("--max-size", 50_000_000, "The largest page kept.", "BYTES", min=1),
    opt("--max-redirects", 5, "Redirects followed for one url.", "N", min=0),
    QUIET,
    query="words",
)
def archive(c: Call) -> ExitStatus:
    """Capture each source url that has no capture yet: a WARC file under evidence/, its hash in the entry."""
    from ledger.interchange.fetch import Limits
    from ledger.output import results
    from ledger.output.render import clean

    limits = Limits(c.timeout, c.max_size, c.max_redirects, c.allow_private)
    report = c.ledger.archive(c.selection, limits, dry_run=c.dry_run, progress=results.archiving(c.screen, c.say))
    if c.dry_run:
        c.out.writelines(clean(f"{target.where}: {target.url}") + "\n" for target in report.targets)
    if report.failed or not c.quiet:
        c.say(report.summary(c.dry_run))
    return ExitStatus.FOUND if report.failed else ExitStatus.OK


@command(LEDGER, TABLE_FORMAT, NO_HEADER, QUIET, query="words")
def sources(c: Call) -> ExitStatus:
    """One row per source (registry aliases merged): entries citing it, grades, sole-source entries, uncaptured."""
    from ledger.output import results

    found = c.ledger.find(c.selection)
    rows = c.ledger.source_rows(found)
    c.skipped(found.skipped)
    results.sources(c.screen, c.fmt, rows, not c.no_header)
    c.note(results.sources_summary(rows))
    return ExitStatus.OK


@command(
    arg("keep", "KEEP", "The entry to keep.", complete="id"),
    arg("dups", "DUP...", "The duplicates to withdraw into KEEP.", list[str], complete="id"),
    opt("--reason", None, 'The withdrawn_reason (default: "duplicate of KEEP (ledger merge)").', "TEXT"),
    LEDGER,
    QUIET,
)
def merge(c: Call) -> ExitStatus:
    """Merge duplicates into KEEP: each DUP withdrawn with duplicate_of, KEEP gains its sources, tags and id."""
    from ledger.output.render import clean

    done = c.ledger.merge(c.keep, c.dups, c.reason)
    c.out.writelines(clean(rel) + "\n" for rel in done.written)
    for line in done.summary(c.keep):
        c.note(line)
    return ExitStatus.OK
