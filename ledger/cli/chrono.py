"""Chronology commands: timeline, chain, stats, dupes."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.completion import from_index
from ledger.cli.env import Environment
from ledger.cli.errors import findings
from ledger.cli.filters import filtered
from ledger.cli.options import (
    TABLE_FORMATS,
    Ascii,
    AsOf,
    LedgerDir,
    NoHeader,
    Quiet,
    TableFormat,
    TextFormat,
    choice,
    choices_option,
    chosen_format,
    format_option,
    open_ledger,
    plural,
    report_skipped,
    say,
    write_json,
    write_rows,
)
from ledger.core.errors import ExitStatus
from ledger.query import Selection

TIMELINE_FORMATS = (*TABLE_FORMATS, "svg", "html")


@filtered
def timeline(
    env: Environment,
    ledger_dir: LedgerDir = None,
    output: Annotated[str | None, format_option(TIMELINE_FORMATS, by_terminal=True)] = None,
    by: Annotated[
        str | None,
        choices_option(
            "--by",
            choices="ledger.reports.timeline:PERIODS",
            metavar="PERIOD",
            help="Aggregate by day, week or month, with a bar chart.",
            show_default=False,
        ),
    ] = None,
    bar: Annotated[
        str,
        choices_option(
            "--bar",
            choices="ledger.output.bars:MEASURES",
            metavar="MEASURE",
            help="What the bars of --by show: sum, max, count, killed or injured.",
        ),
    ] = "sum",
    ascii_only: Ascii = False,
    quiet: Quiet = False,
    as_of: AsOf = None,
    *,
    selection: Selection,
) -> ExitStatus:
    """Show the incidents in order with escalation, its change, days between and responds_to chains."""
    from ledger.output import chart, render
    from ledger.output import chrono_rows as cr

    choice(bar, tuple(chart.MEASURES), "--bar")
    fmt = chosen_format(env, output)
    if by:
        choice(fmt, tuple(f for f in TIMELINE_FORMATS if f not in ("svg", "html", "ids")), "--format")
    ledger = open_ledger(ledger_dir)
    if by is not None:
        periods = ledger.periods(selection, by, as_of=as_of)
        report_skipped(env, periods.skipped, quiet)
        if fmt == "table":
            env.stdout.writelines(line + "\n" for line in chart.bars(periods.periods, bar, env.width, ascii_only))
        else:
            write_rows(env, fmt, lambda: map(cr.period_row, periods.periods), cr.PERIOD_COLUMNS)
        return ExitStatus.OK
    programs = fmt not in ("svg", "html", "table", "markdown")  # plain rows: values written as stored
    found = ledger.timeline(selection, as_of=as_of, plain=programs)
    report_skipped(env, found.skipped, quiet)
    labels, numbers = found.vocabulary, found.numbers
    if fmt in ("svg", "html"):  # written as made: never the whole page in one string
        env.stdout.writelines(cr.page_parts(fmt, found.steps, labels, numbers))
    elif fmt in ("table", "markdown"):
        write_rows(env, fmt, lambda: (cr.people_row(s, labels, numbers) for s in found), cr.PEOPLE)
    else:
        records = (cr.program_values(s, labels.label, fmt == "tsv") for s in found)
        render.render_values(records, cr.PROGRAMS, fmt, env.stdout, env.stdout_isatty)
    return ExitStatus.OK


def chain(
    env: Environment,
    entry_id: Annotated[
        str,
        typer.Argument(metavar="ID", help="The incident whose causal chain to show.", autocompletion=from_index("ids")),
    ],
    ledger_dir: LedgerDir = None,
    output: TextFormat = "text",
    ascii_only: Ascii = False,
    quiet: Quiet = False,
) -> ExitStatus:
    """Show what an incident answers (back to the roots) and what answered it, as trees."""
    from ledger.output import chrono_rows as cr

    ledger = open_ledger(ledger_dir)
    found = ledger.chain(entry_id)
    if found.merged_from:
        say(env, f"ledger: {found.merged_from} was merged into {found.entry.id}: showing its chain", quiet)
    if output == "json":
        write_json(env, cr.chain_json(found, ledger.vocabulary))
    else:
        env.stdout.write("\n".join(cr.chain_lines(found, ledger.vocabulary, ascii_only)) + "\n")
    for loop in found.cycles:
        say(env, "ledger: responds_to forms a cycle: " + " -> ".join(loop), quiet)
    return ExitStatus.FOUND if found.cycles else ExitStatus.OK


@filtered
def stats(
    env: Environment,
    ledger_dir: LedgerDir = None,
    by: Annotated[
        str,
        choices_option(
            "--by",
            choices="ledger.reports.stats:BY",
            metavar="FIELD",
            help="Group by type, category, actor, country, month or tag.",
        ),
    ] = "type",
    output: TableFormat = None,
    no_header: NoHeader = False,
    quiet: Quiet = False,
    as_of: AsOf = None,
    *,
    selection: Selection,
) -> ExitStatus:
    """Count incidents, killed, injured and the highest escalation per group, largest first."""
    from ledger.output import chrono_rows as cr

    fmt = chosen_format(env, output)
    found = open_ledger(ledger_dir).stats(selection, by, as_of=as_of)
    report_skipped(env, found.skipped, quiet)
    text = fmt in ("table", "markdown")  # ranges beside the best estimate; columns of their own otherwise
    columns = (by, *(cr.GROUP_TEXT_COLUMNS if text else cr.GROUP_COLUMNS))
    rows = lambda: (cr.group_row(by, g, text) for g in found.groups)  # noqa: E731
    write_rows(env, fmt, rows, columns, ids=lambda: (g.key for g in found.groups), header=not no_header)
    say(env, f"{plural(found.count, 'incident')} in {plural(len(found.groups), 'group')}", quiet)
    return ExitStatus.OK


@filtered
def dupes(
    env: Environment,
    ledger_dir: LedgerDir = None,
    days: Annotated[
        int, typer.Option("--days", metavar="N", help="Spans at most N days apart (0: overlapping).", min=0)
    ] = 1,
    km: Annotated[
        float, typer.Option("--km", metavar="K", help="Places at most K km apart (haversine).", min=0.0)
    ] = 10.0,
    min_score: Annotated[
        float,
        typer.Option("--min-score", metavar="S", help="Show pairs scoring at least S (0..1).", min=0.0, max=1.0),
    ] = 0.6,
    same_dataset: Annotated[
        bool,
        typer.Option("--same-dataset", help="Compare records of one dataset too (e.g. two UCDP:... aliases)."),
    ] = False,
    output: TableFormat = None,
    quiet: Quiet = False,
    as_of: AsOf = None,
    *,
    selection: Selection,
) -> ExitStatus:
    """List candidate duplicates: close in time and place, types of one category, ranked by score."""
    from ledger.output import chrono_rows as cr

    fmt = chosen_format(env, output)
    options = {"days": days, "km": km, "min_score": min_score, "same_dataset": same_dataset}
    found = open_ledger(ledger_dir).dupes(selection, as_of=as_of, **options)
    report_skipped(env, found.skipped, quiet)
    pairs = found.candidates
    status = ExitStatus.FOUND if pairs else ExitStatus.OK
    with findings(status):
        write_rows(
            env,
            fmt,
            lambda: map(cr.dupe_row, pairs),
            cr.DUPE_COLUMNS,
            records=lambda: (cr.dupe_record(c, found.paths) for c in pairs),
            ids=lambda: (f"{c.first.id} {c.second.id}" for c in pairs),
        )
    say(env, f"{plural(len(pairs), 'candidate pair')} among {found.count} incidents", quiet)
    return status
