"""Chronology commands: timeline, chain, stats, dupes."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ledger.cli.app import LedgerDir, Quiet, app, finish, open_ledger, say
from ledger.cli.filters import filtered
from ledger.cli.history import AsOf
from ledger.errors import ExitStatus, NotFound, UsageError
from ledger.query import Selection

if TYPE_CHECKING:
    from ledger import model
    from ledger.api import Ledger
    from ledger.timeline import Step

TABLE_FORMATS = ("table", "tsv", "csv", "json", "jsonl", "markdown", "ids")
MAX_PERIODS = 100_000  # a day-by-day chart of centuries helps nobody; ask for weeks or months


def _format_option(choices: Sequence[str]) -> Any:
    return typer.Option(
        "--format",
        "-f",
        help=f"{', '.join(choices)} (default: table on a terminal, tsv when piped).",
        show_default=False,
    )


Ascii = Annotated[bool, typer.Option("--ascii", help="Draw with plain ASCII instead of Unicode blocks and lines.")]


def _width() -> int:
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


def _choose_format(output: str | None, allowed: Sequence[str], is_tty: bool) -> str:
    from ledger import render

    return render.check_format(output or render.default_format(is_tty), allowed)


def _report_skipped(found: Any, quiet: bool) -> None:
    if found.skipped and not quiet:
        files = "file" if found.skipped == 1 else "files"
        say(f"ledger: {found.skipped} invalid entry {files} left out (see `ledger validate`)")


def _selected(ledger: Ledger, selection: Selection, quiet: bool) -> tuple[list[model.Entry], dict[str, str]]:
    """Return the selected entries and their paths."""
    from ledger.snapshot import entry_from_record

    found = ledger.find(selection)
    entries, paths = [], {}
    for record in found.records():  # one at a time: the records need not all be held at once
        entries.append(entry_from_record(record))
        paths[record["id"]] = record["path"]
    _report_skipped(found, quiet)
    return entries, paths


def _columns(ledger: Ledger, selection: Selection, columns: Sequence[str], quiet: bool) -> list[dict[str, Any]]:
    """Return only some columns of the selected entries, straight from the index (no decoding).

    Aggregates need a few values per incident; reading them from the index's columns is
    several times faster on a big ledger than rebuilding every entry.
    """
    found = ledger.find(selection)
    rows = list(found.rows(columns))
    _report_skipped(found, quiet)
    return rows


def _fetch(ledger: Ledger, ids: Iterable[str]) -> list[model.Entry]:
    """Return the entries with these ids (withdrawn ones too), looked up in the index."""
    from ledger.snapshot import entry_from_record

    return [entry_from_record(r) for r in ledger.lookup(sorted(set(ids))).values()]


def _ancestors(ledger: Ledger, entries: Sequence[model.Entry]) -> dict[str, model.Entry]:
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
PEOPLE = ("#", "date", "time", "escalation", "ladder", "change", "days", "title", "chain")
PROGRAMS = (
    "number", "id", "path", "date", "date_end", "date_precision", "vague", "time", "time_of_day", "escalation",
    "label", "change", "days", "type", "category", "country", "place", "killed", "injured", "title",
    "responds_to", "chain",
)  # fmt: skip
PERIOD_COLUMNS = ("period", "start", "end", "count", "max_escalation", "sum_escalation", "killed", "injured")


def _signed(value: int | None) -> str:
    return "" if value is None else f"{value:+d}" if value else "0"


def _date_text(entry: model.Entry) -> str:
    """Return the date as shown to people: a vague one as `2020-01-03~05` (first~last day)."""
    from ledger.timeline import is_vague

    text = entry.date.isoformat()
    if not is_vague(entry):
        return text
    end = entry.date_end
    if end is None or end == entry.date:
        return f"{text}~{entry.date_precision}"
    if end.year != entry.date.year:
        return f"{text}~{end.isoformat()}"
    return f"{text}~{end:%m-%d}" if end.month != entry.date.month else f"{text}~{end:%d}"


def _time_text(entry: model.Entry) -> str:
    if entry.time is not None:
        return entry.time.isoformat("minutes" if entry.time.second == 0 else "seconds")
    return str(entry.time_of_day or "")


def _chain_text(step: Step, numbers: Mapping[str, int]) -> str:
    """Draw the chain as `2 -> 8 -> 9 -> 12` (row numbers; ids for incidents not in the table)."""
    if not step.chain:
        return ""
    names = [str(numbers[i]) if i in numbers else i for i in (*step.chain, step.entry.id)]
    if len(names) > 6:
        names = [names[0], "…", *names[-4:]]
    text = " -> ".join(names)
    if step.also:
        text += " (also " + ", ".join(str(numbers.get(i, i)) for i in step.also) + ")"
    return text


def people_row(step: Step, labels: Any, numbers: Mapping[str, int]) -> dict[str, Any]:
    """Return a timeline row for reading (table, markdown, HTML)."""
    e = step.entry
    return {
        "#": step.number,
        "date": _date_text(e),
        "time": _time_text(e),
        "escalation": e.escalation,
        "ladder": labels.label(e.escalation),
        "change": _signed(step.delta),
        "days": step.days,
        "title": e.title,
        "chain": _chain_text(step, numbers),
    }


def program_row(step: Step, labels: Any, path: str | None) -> dict[str, Any]:
    """Return a timeline record for programs (JSON, TSV, CSV): plain values, ISO dates."""
    from ledger.model import best

    e = step.entry
    c = e.casualties
    return {
        "number": step.number,
        "id": e.id,
        "path": path,
        "date": e.date.isoformat(),
        "date_end": e.date_end.isoformat() if e.date_end else None,
        "date_precision": str(e.date_precision) if e.date_precision else None,
        "vague": step.vague,
        "time": e.time.isoformat() if e.time else None,
        "time_of_day": str(e.time_of_day) if e.time_of_day else None,
        "escalation": e.escalation,
        "label": labels.label(e.escalation),
        "change": step.delta,
        "days": step.days,
        "type": str(e.type),
        "category": str(e.category),
        "country": e.location.country,
        "place": e.location.name,
        "killed": best(c.killed) if c else None,
        "injured": best(c.injured) if c else None,
        "title": e.title,
        "responds_to": list(e.responds_to),
        "chain": list(step.chain),
    }


def _title(entries: Sequence[model.Entry]) -> str:
    if not entries:
        return "Escalation timeline"
    first, last = min(e.date for e in entries), max(e.last_day for e in entries)
    count = f"{len(entries)} incident{'s' if len(entries) != 1 else ''}"
    return f"Escalation timeline: {count}, {first.isoformat()} to {last.isoformat()}"


@app.command()
@filtered
def timeline(
    ledger_dir: LedgerDir = None,
    output: Annotated[str | None, _format_option(TIMELINE_FORMATS)] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Aggregate by day, week or month, with a bar chart.", show_default=False)
    ] = None,
    bar: Annotated[
        str, typer.Option("--bar", help="What the bars of --by show: sum, max, count, killed or injured.")
    ] = "sum",
    ascii_only: Ascii = False,
    quiet: Quiet = False,
    as_of: AsOf = None,
    *,
    selection: Selection,
) -> None:
    """Show the incidents in order with escalation, its change, days between and responds_to chains."""
    from ledger import chart, render
    from ledger import timeline as tl

    is_tty = sys.stdout.isatty()
    if by is not None and by not in tl.PERIODS:
        raise UsageError(f'--by "{by}" is not one of: {", ".join(tl.PERIODS)}')
    if bar not in chart.MEASURES:
        raise UsageError(f'--bar "{bar}" is not one of: {", ".join(chart.MEASURES)}')
    allowed = tuple(f for f in TIMELINE_FORMATS if f not in ("svg", "html", "ids")) if by else TIMELINE_FORMATS
    fmt = _choose_format(output, allowed, is_tty)
    ledger = open_ledger(ledger_dir).at(as_of)
    out = sys.stdout
    if by is not None:
        import datetime as dt

        rows = _columns(ledger, selection, ("date", "escalation", "killed", "injured"), quiet)
        facts = [(dt.date.fromisoformat(r["date"]), r["escalation"], r["killed"], r["injured"]) for r in rows]
        if facts and tl.period_count(min(f[0] for f in facts), max(f[0] for f in facts), by) > MAX_PERIODS:
            raise UsageError(
                f"the incidents span more than {MAX_PERIODS:,} {by}s: use a longer --by or narrow the query"
            )
        periods = tl.aggregate(facts, by)
        if fmt == "table":
            for line in chart.bars(periods, bar, _width(), ascii_only):
                out.write(line + "\n")
        else:
            render.render_rows(map(_period_row, periods), PERIOD_COLUMNS, fmt, out, is_tty)
        finish(ExitStatus.OK)
    entries, paths = _selected(ledger, selection, quiet)
    steps = tl.steps(entries, _ancestors(ledger, entries) if selection.where is not None else None)
    if selection.reverse:
        steps.reverse()
    labels = ledger.vocabulary
    numbers = {s.entry.id: s.number for s in steps}
    if fmt in ("svg", "html"):
        title = _title(entries)
        if fmt == "svg":
            out.write(chart.svg(steps, labels.labels, title))
        else:
            table = [people_row(s, labels, numbers) for s in steps]
            numeric = ("#", "escalation", "change", "days")
            out.write(chart.html(steps, labels.labels, table, PEOPLE, title, numeric=numeric))
    elif fmt in ("table", "markdown"):
        rows = (people_row(s, labels, numbers) for s in steps)
        render.render_rows(rows, PEOPLE, fmt, out, is_tty, width=_width() if is_tty else None)
    else:
        records = (program_row(s, labels, paths.get(s.entry.id)) for s in steps)
        render.render_rows(records, None if fmt in ("json", "jsonl") else PROGRAMS, fmt, out, is_tty)
    finish(ExitStatus.OK)


def _period_row(p: Any) -> dict[str, Any]:
    return {
        "period": p.label,
        "start": p.start.isoformat(),
        "end": p.end.isoformat(),
        "count": p.count,
        "max_escalation": p.max_escalation,
        "sum_escalation": p.sum_escalation,
        "killed": p.killed,
        "injured": p.injured,
    }


# -- chain ---------------------------------------------------------------------------------

_BRANCHES = {False: ("├── ", "└── ", "│   ", "    "), True: ("|-- ", "`-- ", "|   ", "    ")}


def tree_text(
    lines: Sequence[Any], entries: Mapping[str, model.Entry], labels: Any, ascii_only: bool = False
) -> list[str]:
    """Draw a causal tree (`timeline.tree` lines) with branch lines, one incident a line."""
    from ledger.render import clean

    mid, end, down, blank = _BRANCHES[ascii_only]
    out: list[str] = []
    open_levels: list[bool] = []  # per depth: whether a sibling follows further down
    for line in lines[1:]:
        del open_levels[line.depth - 1 :]
        prefix = "".join(down if more else blank for more in open_levels)
        text = prefix + (end if line.last else mid) + line.id
        e = entries.get(line.id)
        if e is not None:
            text += f"  [{e.escalation} {labels.label(e.escalation)}]  {clean(e.title)}"
            if e.withdrawn:
                text += "  (withdrawn)"
        if line.mark == "missing":
            text += "  (no valid entry)"
        elif line.mark == "seen":
            text += "  (shown above)"
        elif line.mark == "cycle":
            text += "  (cycle: " + " -> ".join(line.loop) + ")"
        out.append(text)
        open_levels.append(not line.last)
    return out


def _tree_json(lines: Sequence[Any], entries: Mapping[str, model.Entry], labels: Any) -> list[dict[str, Any]]:
    """Nest the pre-order tree lines as JSON objects with `children` (iteratively)."""
    top: list[dict[str, Any]] = []
    stack: list[list[dict[str, Any]]] = [top]
    for line in lines[1:]:
        del stack[line.depth :]
        e = entries.get(line.id)
        node: dict[str, Any] = {"id": line.id}
        if e is not None:
            node.update(date=e.date.isoformat(), escalation=e.escalation, label=labels.label(e.escalation))
            node.update(title=e.title, withdrawn=e.withdrawn)
        if line.mark:
            node["mark"] = line.mark
        if line.loop:
            node["cycle"] = list(line.loop)
        node["children"] = []
        stack[-1].append(node)
        stack.append(node["children"])
    return top


@app.command()
def chain(
    entry_id: Annotated[str, typer.Argument(metavar="ID", help="The incident whose causal chain to show.")],
    ledger_dir: LedgerDir = None,
    output: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    ascii_only: Ascii = False,
    quiet: Quiet = False,
) -> None:
    """Show what an incident answers (back to the roots) and what answered it, as trees."""
    import json

    from ledger import timeline as tl
    from ledger.render import clean, json_safe

    if output not in ("text", "json"):
        raise UsageError(f'unknown format "{output}" (choose from: text, json)')
    from ledger.snapshot import entry_from_record

    ledger = open_ledger(ledger_dir)
    if not ledger.lookup([entry_id]):
        from ledger.cli.query import _missing_message  # the same words as `ledger show`

        raise NotFound(_missing_message(ledger, entry_id))
    # Walking needs only the links of every incident; only the incidents drawn are decoded.
    links = {r["id"]: r.get("responds_to", ()) for r in ledger.find(Selection(include_withdrawn=True)).records()}
    back = tl.tree(entry_id, links, tl.BACKWARD)
    forward = tl.tree(entry_id, links, tl.FORWARD)
    loops = list(dict.fromkeys(tl.cycles(back) + tl.cycles(forward)))
    drawn = ledger.lookup(sorted({line.id for line in (*back, *forward) if line.id in links}))
    entries = {i: entry_from_record(r) for i, r in drawn.items()}
    labels = ledger.vocabulary
    e = entries[entry_id]
    is_tty = sys.stdout.isatty()
    if output == "json":
        data = {
            "id": e.id,
            "date": e.date.isoformat(),
            "escalation": e.escalation,
            "label": labels.label(e.escalation),
            "title": e.title,
            "answers": _tree_json(back, entries, labels),
            "answered_by": _tree_json(forward, entries, labels),
            "cycles": [list(loop) for loop in loops],
        }
        text = json.dumps(data, ensure_ascii=False, indent=2)
        typer.echo(json_safe(text) if is_tty else text)
    else:
        lines = [f"{e.id}  [{e.escalation} {labels.label(e.escalation)}]  {clean(e.title)}", "answers:"]
        lines += tree_text(back, entries, labels, ascii_only) or ["    (nothing: a root)"]
        lines.append("answered by:")
        lines += tree_text(forward, entries, labels, ascii_only) or ["    (nothing yet)"]
        typer.echo("\n".join(lines))
    for loop in loops:
        say("ledger: responds_to forms a cycle: " + " -> ".join(loop), quiet)
    finish(ExitStatus.FOUND if loops else ExitStatus.OK)


# -- stats ---------------------------------------------------------------------------------

_STATS_COLUMNS = {"type": "type", "category": "category", "country": "country", "month": "date"}


@app.command()
@filtered
def stats(
    ledger_dir: LedgerDir = None,
    by: Annotated[str, typer.Option("--by", help="Group by type, category, actor, country, month or tag.")] = "type",
    output: Annotated[str | None, _format_option(TABLE_FORMATS)] = None,
    no_header: Annotated[bool, typer.Option("--no-header", help="Leave out the header line.")] = False,
    quiet: Quiet = False,
    as_of: AsOf = None,
    *,
    selection: Selection,
) -> None:
    """Count incidents, killed, injured and the highest escalation per group, largest first."""
    from ledger import render
    from ledger import stats as st

    if by not in st.BY:
        raise UsageError(f'--by "{by}" is not one of: {", ".join(st.BY)}')
    is_tty = sys.stdout.isatty()
    fmt = _choose_format(output, TABLE_FORMATS, is_tty)
    ledger = open_ledger(ledger_dir).at(as_of)
    if by in _STATS_COLUMNS:  # straight from the index's columns
        key = _STATS_COLUMNS[by]
        rows = _columns(ledger, selection, (key, "escalation", "killed", "injured"), quiet)
        cut = 7 if by == "month" else None
        count = len(rows)
        found = st.tally(([r[key][:cut]], r["escalation"], r["killed"], r["injured"]) for r in rows)
    else:
        entries, _ = _selected(ledger, selection, quiet)
        count = len(entries)
        found = st.groups(entries, by, ledger.vocabulary)
    if fmt == "ids":
        from ledger.render import clean

        for group in found:
            sys.stdout.write(clean(group.key) + "\n")
    else:
        columns = (by, "count", "killed", "injured", "max_escalation")
        rows = (dict(zip(columns, (g.key, g.count, g.killed, g.injured, g.max_escalation), strict=True)) for g in found)
        width = _width() if is_tty else None
        render.render_rows(rows, columns, fmt, sys.stdout, is_tty, header=not no_header, width=width)
    noun = "incident" if count == 1 else "incidents"
    say(f"{count} {noun} in {len(found)} group{'s' if len(found) != 1 else ''}", quiet)
    finish(ExitStatus.OK)


# -- dupes ---------------------------------------------------------------------------------

DUPE_COLUMNS = ("score", "first", "second", "days_apart", "km", "first_type", "second_type", "related")


def dupe_record(c: Any, paths: Mapping[str, str]) -> dict[str, Any]:
    """Return the JSON record of a candidate pair."""

    def side(e: model.Entry) -> dict[str, Any]:
        return {
            "id": e.id,
            "path": paths.get(e.id),
            "date": e.date.isoformat(),
            "date_end": e.date_end.isoformat() if e.date_end else None,
            "type": str(e.type),
            "place": e.location.name,
            "title": e.title,
        }

    when, where, kind, who = c.parts
    return {
        "score": c.score,
        "first": side(c.first),
        "second": side(c.second),
        "days_apart": c.days_apart,
        "km": c.km,
        "same_place_name": c.km is None,
        "related": c.related,
        "parts": {"when": when, "where": where, "kind": kind, "who": who},
    }


def _dupe_row(c: Any) -> dict[str, Any]:
    return {
        "score": f"{c.score:.2f}",
        "first": c.first.id,
        "second": c.second.id,
        "days_apart": c.days_apart,
        "km": "same name" if c.km is None else f"{c.km:.1f}",
        "first_type": str(c.first.type),
        "second_type": str(c.second.type),
        "related": "related" if c.related else "",
    }


@app.command()
@filtered
def dupes(
    ledger_dir: LedgerDir = None,
    days: Annotated[int, typer.Option("--days", help="Spans at most N days apart (0: overlapping).", min=0)] = 1,
    km: Annotated[float, typer.Option("--km", help="Places at most K km apart (haversine).", min=0.0)] = 10.0,
    min_score: Annotated[
        float, typer.Option("--min-score", help="Show pairs scoring at least this (0..1).", min=0.0, max=1.0)
    ] = 0.6,
    output: Annotated[str | None, _format_option(TABLE_FORMATS)] = None,
    quiet: Quiet = False,
    *,
    selection: Selection,
) -> None:
    """List candidate duplicates: close in time and place, types of one category, ranked by score."""
    from ledger import dupes as dp
    from ledger import render

    is_tty = sys.stdout.isatty()
    fmt = _choose_format(output, TABLE_FORMATS, is_tty)
    ledger = open_ledger(ledger_dir)
    entries, paths = _selected(ledger, selection, quiet)
    found = dp.candidates(entries, ledger.vocabulary, days=days, km=km, min_score=min_score)
    out = sys.stdout
    if fmt in ("json", "jsonl"):
        render.render_rows((dupe_record(c, paths) for c in found), None, fmt, out, is_tty)
    elif fmt == "ids":
        for c in found:
            out.write(f"{c.first.id} {c.second.id}\n")
    else:
        width = _width() if is_tty else None
        render.render_rows((_dupe_row(c) for c in found), DUPE_COLUMNS, fmt, out, is_tty, width=width)
    pairs = "pair" if len(found) == 1 else "pairs"
    say(f"{len(found)} candidate {pairs} among {len(entries)} incidents", quiet)
    finish(ExitStatus.FOUND if found else ExitStatus.OK)
