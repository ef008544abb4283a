"""Chronology commands: timeline, chain, stats, dupes."""

from __future__ import annotations

from ledger.api.timelines import FORMATS as TIMELINE_FORMATS
from ledger.cli.options import (
    AS_OF,
    ASCII,
    LEDGER,
    NO_HEADER,
    QUIET,
    TABLE_FORMAT,
    TEXT_FORMAT,
    arg,
    command,
    formats,
    opt,
)
from ledger.core.errors import ExitStatus
from ledger.terminal.call import Call
from ledger.terminal.errors import findings


@command(
    LEDGER,
    formats(TIMELINE_FORMATS, None),
    opt(
        "--by",
        None,
        "Aggregate by day, week or month, with a bar chart.",
        "PERIOD",
        choices="ledger.reports.timeline:PERIODS",
    ),
    opt(
        "--bar",
        "sum",
        "What the bars of --by show: sum, max, count, killed or injured.",
        "MEASURE",
        choices="ledger.output.bars:MEASURES",
    ),
    ASCII,
    QUIET,
    AS_OF,
    query="words",
)
def timeline(c: Call) -> ExitStatus:
    """Show the incidents in order with escalation, its change, days between and responds_to chains."""
    from ledger.api import timelines

    timelines.check(c.fmt, c.by, c.bar)  # a usage mistake is said before the ledger is looked for
    options = {"by": c.by, "bar": c.bar, "ascii_only": c.ascii_only, "as_of": c.as_of}
    found = timelines.answer(c.ledger, c.selection, c.fmt, c.screen, **options)
    c.skipped(found.skipped)  # said before the output, which a pager or `| head` may hold or cut
    found.write()
    return ExitStatus.OK


@command(
    arg("entry_id", "ID", "The incident whose causal chain to show.", complete="id"), LEDGER, TEXT_FORMAT, ASCII, QUIET
)
def chain(c: Call) -> ExitStatus:
    """Show what an incident answers (back to the roots) and what answered it, as trees."""
    from ledger.output import results

    found = c.ledger.chain(c.entry_id)
    if found.merged_from:
        c.note(f"ledger: {found.merged_from} was merged into {found.entry.id}: showing its chain")
    results.chain(c.screen, c.fmt, found, c.ledger.vocabulary, c.ascii_only)
    for loop in found.cycles:
        c.note("ledger: responds_to forms a cycle: " + " -> ".join(loop))
    return ExitStatus.FOUND if found.cycles else ExitStatus.OK


@command(
    LEDGER,
    opt(
        "--by",
        "type",
        "Group by type, category, actor, country, month or tag.",
        "FIELD",
        choices="ledger.reports.stats:BY",
    ),
    TABLE_FORMAT,
    NO_HEADER,
    QUIET,
    AS_OF,
    query="words",
)
def stats(c: Call) -> ExitStatus:
    """Count incidents, killed, injured and the highest escalation per group, largest first."""
    from ledger.output import results

    found = c.ledger.stats(c.selection, c.by, as_of=c.as_of)
    c.skipped(found.skipped)
    results.stats(c.screen, c.fmt, c.by, found, not c.no_header)
    c.note(found.summary())
    return ExitStatus.OK


@command(
    LEDGER,
    opt("--days", 1, "Spans at most N days apart (0: overlapping).", "N", min=0),
    opt("--km", 10.0, "Places at most K km apart (haversine).", "K", min=0.0),
    opt("--min-score", 0.6, "Show pairs scoring at least S (0..1).", "S", min=0.0, max=1.0),
    opt("--same-dataset", False, "Compare records of one dataset too (e.g. two UCDP:... aliases)."),
    TABLE_FORMAT,
    QUIET,
    AS_OF,
    query="words",
)
def dupes(c: Call) -> ExitStatus:
    """List candidate duplicates: close in time and place, types of one category, ranked by score."""
    from ledger.output import results

    options = {"days": c.days, "km": c.km, "min_score": c.min_score, "same_dataset": c.same_dataset}
    found = c.ledger.dupes(c.selection, as_of=c.as_of, **options)
    c.skipped(found.skipped)
    status = ExitStatus.FOUND if found.candidates else ExitStatus.OK
    with findings(status):
        results.dupes(c.screen, c.fmt, found)
    c.note(found.summary())
    return status
