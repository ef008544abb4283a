"""Chronology commands: timeline, chain, stats, dupes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

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
    choice,
    choose_format,
    format_option,
    missing_message,
    open_ledger,
    report_skipped,
    say,
)
from ledger.core.errors import ExitStatus, NotFound, UsageError
from ledger.output import chrono_rows as cr
from ledger.query import Selection

if TYPE_CHECKING:
    from ledger.core import model
    from ledger.query.view import View

MAX_PERIODS = 100_000  # a day-by-day chart of centuries helps nobody; ask for weeks or months


def _selected(
    env: Environment, ledger: View, selection: Selection, quiet: bool
) -> tuple[list[model.Entry], dict[str, str]]:
    """Return the selected entries and their paths."""
    from ledger.core.schema import from_json

    found = ledger.find(selection)
    entries, paths = [], {}
    for record in found.records():  # one at a time: the records need not all be held at once
        entries.append(from_json(record))
        paths[record["id"]] = record["path"]
    report_skipped(env, found, quiet)
    return entries, paths


def _columns(
    env: Environment, ledger: View, selection: Selection, columns: Sequence[str], quiet: bool
) -> list[dict[str, Any]]:
    """Return only some columns of the selected entries, straight from the index (no decoding).

    Aggregates need a few values per incident; reading them from the index's columns is
    several times faster on a big ledger than rebuilding every entry.
    """
    found = ledger.find(selection)
    rows = list(found.rows(columns))
    report_skipped(env, found, quiet)
    return rows


def _fetch(ledger: View, ids: Iterable[str]) -> list[model.Entry]:
    """Return the entries with these ids (withdrawn ones too), looked up in the index."""
    from ledger.core.schema import from_json

    return [from_json(r) for r in ledger.lookup(sorted(set(ids))).values()]


def _ancestors(ledger: View, entries: Sequence[model.Entry]) -> dict[str, model.Entry]:
    """Return the incidents outside the selection that its responds_to chains pass through."""
    have = {e.id for e in entries}
    known: dict[str, model.Entry] = {}
    missing = {t for e in entries for t in e.responds_to} - have
    while missing:
        found = _fetch(ledger, missing)
        known.update((e.id, e) for e in found)
        have |= missing
        missing = {t for e in found for t in e.responds_to} - have
    return known


# -- timeline ------------------------------------------------------------------------------

TIMELINE_FORMATS = (*TABLE_FORMATS, "svg", "html")


@filtered
def timeline(
    env: Environment,
    ledger_dir: LedgerDir = None,
    output: Annotated[str | None, format_option(TIMELINE_FORMATS)] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by", metavar="PERIOD", help="Aggregate by day, week or month, with a bar chart.", show_default=False
        ),
    ] = None,
    bar: Annotated[
        str,
        typer.Option(
            "--bar", metavar="MEASURE", help="What the bars of --by show: sum, max, count, killed or injured."
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
    from ledger.reports import timeline as tl

    is_tty = env.stdout_isatty
    if by is not None:
        choice(by, tl.PERIODS, "--by")
    choice(bar, tuple(chart.MEASURES), "--bar")
    allowed = tuple(f for f in TIMELINE_FORMATS if f not in ("svg", "html", "ids")) if by else TIMELINE_FORMATS
    fmt = choose_format(env, output, allowed)
    ledger = open_ledger(ledger_dir).at(as_of)
    out = env.stdout
    if by is not None:
        import datetime as dt

        rows = _columns(env, ledger, selection, ("date", "escalation", "killed", "injured"), quiet)
        facts = [(dt.date.fromisoformat(r["date"]), r["escalation"], r["killed"], r["injured"]) for r in rows]
        if facts and tl.period_count(min(f[0] for f in facts), max(f[0] for f in facts), by) > MAX_PERIODS:
            raise UsageError(
                f"the incidents span more than {MAX_PERIODS:,} {by}s: use a longer --by or narrow the query"
            )
        periods = tl.aggregate(facts, by)
        if fmt == "table":
            for line in chart.bars(periods, bar, env.width, ascii_only):
                out.write(line + "\n")
        else:
            render.render_rows(map(cr.period_row, periods), cr.PERIOD_COLUMNS, fmt, out, is_tty)
        return ExitStatus.OK
    entries, paths = _selected(env, ledger, selection, quiet)
    steps = tl.steps(entries, _ancestors(ledger, entries) if selection.where is not None else None)
    if selection.reverse:
        steps.reverse()
    labels = ledger.vocabulary
    numbers = {s.entry.id: s.number for s in steps}
    if fmt in ("svg", "html"):
        title = cr.title_of(entries)
        if fmt == "svg":
            out.write(chart.svg(steps, labels.labels, title))
        else:
            table = [cr.people_row(s, labels, numbers) for s in steps]
            numeric = ("#", "escalation", "change", "days")
            out.write(chart.html(steps, labels.labels, table, cr.PEOPLE, title, numeric=numeric))
    elif fmt in ("table", "markdown"):
        people = (cr.people_row(s, labels, numbers) for s in steps)
        render.render_rows(people, cr.PEOPLE, fmt, out, is_tty, width=env.width if is_tty else None)
    else:
        records = (cr.program_row(s, labels, paths.get(s.entry.id)) for s in steps)
        render.render_rows(records, None if fmt in ("json", "jsonl") else cr.PROGRAMS, fmt, out, is_tty)
    return ExitStatus.OK


# -- chain ---------------------------------------------------------------------------------


def chain(
    env: Environment,
    entry_id: Annotated[str, typer.Argument(metavar="ID", help="The incident whose causal chain to show.")],
    ledger_dir: LedgerDir = None,
    output: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="text or json.")] = "text",
    ascii_only: Ascii = False,
    quiet: Quiet = False,
) -> ExitStatus:
    """Show what an incident answers (back to the roots) and what answered it, as trees."""
    import json

    from ledger.output.render import clean, json_safe
    from ledger.reports import timeline as tl

    choice(output, ("text", "json"), "--format")
    from ledger.core.schema import from_json

    ledger = open_ledger(ledger_dir)
    if not ledger.lookup([entry_id]):
        raise NotFound(missing_message(ledger, entry_id))  # the same words as `ledger show`
    # Walking needs only the links of every incident; only the incidents drawn are decoded.
    links = {r["id"]: r.get("responds_to", ()) for r in ledger.find(Selection(include_withdrawn=True)).records()}
    back = tl.tree(entry_id, links, tl.BACKWARD)
    forward = tl.tree(entry_id, links, tl.FORWARD)
    loops = list(dict.fromkeys(tl.cycles(back) + tl.cycles(forward)))
    drawn = ledger.lookup(sorted({line.id for line in (*back, *forward) if line.id in links}))
    entries = {i: from_json(r) for i, r in drawn.items()}
    paths = {i: r["path"] for i, r in drawn.items()}
    labels = ledger.vocabulary
    e = entries[entry_id]
    is_tty = env.stdout_isatty
    if output == "json":
        data = {
            "id": e.id,
            "path": paths[e.id],
            "date": e.date.isoformat(),
            "escalation": e.escalation,
            "label": labels.label(e.escalation),
            "title": e.title,
            "withdrawn": e.withdrawn,
            "answers": cr.tree_json(back, entries, paths, labels),
            "answered_by": cr.tree_json(forward, entries, paths, labels),
            "cycles": [list(loop) for loop in loops],
        }
        text = json.dumps(data, ensure_ascii=False, indent=2)
        env.stdout.write((json_safe(text) if is_tty else text) + "\n")
    else:
        lines = [f"{e.id}  [{e.escalation} {labels.label(e.escalation)}]  {clean(e.title)}", "answers:"]
        lines += cr.tree_text(back, entries, labels, ascii_only) or ["    (nothing: a root)"]
        lines.append("answered by:")
        lines += cr.tree_text(forward, entries, labels, ascii_only) or ["    (nothing yet)"]
        env.stdout.write("\n".join(lines) + "\n")
    for loop in loops:
        say(env, "ledger: responds_to forms a cycle: " + " -> ".join(loop), quiet)
    return ExitStatus.FOUND if loops else ExitStatus.OK


# -- stats ---------------------------------------------------------------------------------


@filtered
def stats(
    env: Environment,
    ledger_dir: LedgerDir = None,
    by: Annotated[
        str, typer.Option("--by", metavar="FIELD", help="Group by type, category, actor, country, month or tag.")
    ] = "type",
    output: Annotated[str | None, format_option(TABLE_FORMATS)] = None,
    no_header: NoHeader = False,
    quiet: Quiet = False,
    as_of: AsOf = None,
    *,
    selection: Selection,
) -> ExitStatus:
    """Count incidents, killed, injured and the highest escalation per group, largest first."""
    from ledger.output import render
    from ledger.reports import stats as st

    choice(by, st.BY, "--by")
    is_tty = env.stdout_isatty
    fmt = choose_format(env, output, TABLE_FORMATS)
    ledger = open_ledger(ledger_dir).at(as_of)
    if by in st.COLUMN_OF:  # straight from the index's columns
        key = st.COLUMN_OF[by]
        rows = _columns(env, ledger, selection, (key, "escalation", "killed", "injured"), quiet)
        count = len(rows)
        found = st.tally(([st.column_key(by, r[key])], r["escalation"], r["killed"], r["injured"]) for r in rows)
    else:
        entries, _ = _selected(env, ledger, selection, quiet)
        count = len(entries)
        found = st.groups(entries, by, ledger.vocabulary)
    if fmt == "ids":
        from ledger.output.render import clean

        for group in found:
            env.stdout.write(clean(group.key) + "\n")
    else:
        columns = (by, "count", "killed", "injured", "max_escalation")
        table = (
            dict(zip(columns, (g.key, g.count, g.killed, g.injured, g.max_escalation), strict=True)) for g in found
        )
        width = env.width if is_tty else None
        render.render_rows(table, columns, fmt, env.stdout, is_tty, header=not no_header, width=width)
    noun = "incident" if count == 1 else "incidents"
    say(env, f"{count} {noun} in {len(found)} group{'s' if len(found) != 1 else ''}", quiet)
    return ExitStatus.OK


# -- dupes ---------------------------------------------------------------------------------


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
    output: Annotated[str | None, format_option(TABLE_FORMATS)] = None,
    quiet: Quiet = False,
    *,
    selection: Selection,
) -> ExitStatus:
    """List candidate duplicates: close in time and place, types of one category, ranked by score."""
    from ledger.output import render
    from ledger.reports import dupes as dp

    is_tty = env.stdout_isatty
    fmt = choose_format(env, output, TABLE_FORMATS)
    ledger = open_ledger(ledger_dir)
    entries, paths = _selected(env, ledger, selection, quiet)
    found = dp.candidates(entries, ledger.vocabulary, days=days, km=km, min_score=min_score, same_dataset=same_dataset)
    out = env.stdout
    status = ExitStatus.FOUND if found else ExitStatus.OK
    with findings(status):
        if fmt in ("json", "jsonl"):
            render.render_rows((cr.dupe_record(c, paths) for c in found), None, fmt, out, is_tty)
        elif fmt == "ids":
            for c in found:
                out.write(f"{c.first.id} {c.second.id}\n")
        else:
            width = env.width if is_tty else None
            render.render_rows((cr.dupe_row(c) for c in found), cr.DUPE_COLUMNS, fmt, out, is_tty, width=width)
    pairs = "pair" if len(found) == 1 else "pairs"
    say(env, f"{len(found)} candidate {pairs} among {len(entries)} incidents", quiet)
    return status
