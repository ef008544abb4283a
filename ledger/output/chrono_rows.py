"""The chronology commands' output as plain rows and text: timeline rows and records, period
and group records (causal trees: `output.trees`; candidate duplicates: `output.dupe_rows`).

Output layer: values in, rows (mappings of column -> value) or lines of text out; the
caller renders them (`render.render_rows`, `chart`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from ledger.output.csv_cells import csv_text, written_csv

if TYPE_CHECKING:
    from ledger.core import model
    from ledger.reports.timeline import Step

PEOPLE = ("#", "date", "time", "escalation", "ladder", "change", "days", "title", "chain")
PROGRAMS = (
    "number", "id", "path", "date", "date_end", "date_precision", "vague", "time", "time_of_day", "escalation",
    "label", "change", "days", "type", "category", "country", "place", "killed", "injured", "title",
    "responds_to", "chain",
)  # fmt: skip
PERIOD_COLUMNS = (
    "period", "start", "end", "count", "max_escalation", "sum_escalation",
    "killed", "killed_low", "killed_high", "injured", "injured_low", "injured_high",
)  # fmt: skip
#: stats columns beside the group's name: best estimates with the sums of lows and highs
GROUP_COLUMNS = (
    "count", "killed", "killed_low", "killed_high", "injured", "injured_low", "injured_high", "max_escalation",
)  # fmt: skip
#: the same for people: `12 (10-15)` in one column
GROUP_TEXT_COLUMNS = ("count", "killed", "injured", "max_escalation")


def signed(value: int | None) -> str:
    """Return an escalation change as +2, -1 or 0 (empty when there is none)."""
    return "" if value is None else f"{value:+d}" if value else "0"


def date_text(entry: model.Entry, vague: bool | None = None) -> str:
    """Return the date as shown to people: a vague one as `2020-01-03~05` (first~last day).

    `vague` says whether it is (`timeline.is_vague`), when the caller knows.
    """
    if vague is None:
        from ledger.reports.timeline import is_vague

        vague = is_vague(entry)
    text = entry.date.isoformat()
    if not vague:
        return text
    end = entry.date_end
    if end is None or end == entry.date:
        return f"{text}~{entry.date_precision}"
    if end.year != entry.date.year:
        return f"{text}~{end.isoformat()}"
    return f"{text}~{end:%m-%d}" if end.month != entry.date.month else f"{text}~{end:%d}"


def time_text(entry: model.Entry) -> str:
    """Return the time as shown to people: 21:30, or the part of the day."""
    if entry.time is not None:
        return entry.time.isoformat("minutes" if entry.time.second == 0 else "seconds")
    return str(entry.time_of_day or "")


def chain_text(step: Step, numbers: Mapping[str, int]) -> str:
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
        "date": date_text(e, step.vague),
        "time": time_text(e),
        "escalation": e.escalation,
        "ladder": labels.label(e.escalation),
        "change": signed(step.delta),
        "days": step.days,
        "title": e.title,
        "chain": chain_text(step, numbers),
    }


def program_row(step: Step, labels: Any, path: str | None) -> dict[str, Any]:
    """Return a timeline record for programs (JSON, TSV, CSV): plain values, ISO dates."""
    from ledger.core.model import best

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


def program_values(step: Step, label: Callable[[int], str], text: bool = False) -> tuple[Any, ...]:
    """Return a timeline record as values in `PROGRAMS` order, of a step over an `index.chrono.Plain` row.

    The same values as `program_row` (the row's text is ISO already), without a dict per
    incident; with `text`, lists and the flag come as the text cells show them (`render.cell`).
    """
    e: Any = step.entry  # an `index.chrono.Plain`
    if text:
        vague: Any = "true" if e.vague else "false"
        links: Any = ", ".join(e.responds_to)
        chain: Any = ", ".join(step.chain)
    else:
        vague, links, chain = e.vague, list(e.responds_to), list(step.chain)
    return (
        step.number, e.id, e.path, e.date, e.date_end, e.date_precision, vague, e.time, e.time_of_day,
        e.escalation, label(e.escalation), step.delta, step.days, e.type, e.category, e.country, e.place,
        e.killed, e.injured, e.title, links, chain,
    )  # fmt: skip


def written_lines(found: Any, fmt: str) -> Iterator[str]:
    """Yield the lines of `timeline --format tsv|csv|json|jsonl` from a `chronology.Written`.

    TSV and CSV lines come with their line end, JSON records without. The text SQLite wrote
    for the index's cells is kept; the number, label, change and days go in between, the
    links and the chain after. A TSV line with a cell to escape, or a JSON record in which
    SQLite escaped anything, is made again the general way (`program_values`).
    """
    if fmt == "csv":
        ends = {rowid: line_ends(fmt, links, chain) + "\r\n" for rowid, (links, chain) in found.links.items()}
        lines = written_csv(found, ends, line_ends(fmt, (), ()) + "\r\n")
    elif fmt == "tsv":
        lines = _written_tsv(found)
    else:
        lines = _written(found, fmt)
    return reversed(list(lines)) if found.reverse else lines


def _written_tsv(found: Any) -> Iterator[str]:
    """Yield TSV lines: the cells the build stored (`index.rows.cells`) with the number, label, change
    and days put in, the links and chain after; a line with something to escape is written the general way.

    What may need escaping was settled before the loop: the stored cells are None where they
    hold any, each label and each line end is tested once.
    """
    from ledger.output import render
    from ledger.reports.timeline import Step

    label = found.vocabulary.label
    labels: dict[int, str | None] = {}  # the level's label, None when it needs escaping
    ends: dict[int, str | None] = {}  # the links and chain of a line that has them, None likewise
    for rowid, (links, chain) in found.links.items():
        written = line_ends("tsv", links, chain)
        ends[rowid] = written + "\n" if written.count("\t") == 2 and not render.tsv_special(written) else None
    unlinked = "\t\t\n"
    escalation = day = 0
    change: Any = ""
    gap: Any = ""
    for number, (rowid, level, this_day, head, tail) in enumerate(found.rows, 1):
        if number != 1:
            change, gap = level - escalation, this_day - day
        escalation, day = level, this_day
        try:
            text = labels[level]
        except KeyError:
            text = labels[level] = _plain_cell(str(label(level)))
        end = ends.get(rowid, unlinked)
        if head is not None and tail is not None and text is not None and end is not None:
            yield f"{number}\t{head}\t{text}\t{change}\t{gap}\t{tail}{end}"
            continue
        chain = found.links.get(rowid, ((), ()))[1]
        delta, days = (None, None) if number == 1 else (change, gap)
        values = program_values(Step(number, found.plain(rowid), delta, days, chain, ()), label, True)
        yield render.tsv_line(values) + "\n"


def _plain_cell(text: str) -> str | None:
    """Return a TSV cell's text, or None when `render.tsv_line` would escape it."""
    from ledger.output import render

    return None if "\t" in text or render.tsv_special(text) else text


def _written(found: Any, fmt: str) -> Iterator[str]:
    """Yield JSON records: SQLite's `"name": value` pairs with the number, label, change and days put in;
    a record in which SQLite escaped anything is made again the general way."""
    import json

    from ledger.reports.timeline import Step

    label = found.vocabulary.label
    labels: dict[int, str] = {}
    ends = {rowid: line_ends(fmt, links, chain) for rowid, (links, chain) in found.links.items()}
    unlinked = line_ends(fmt, (), ())
    escalation = day = 0
    change: Any
    gap: Any
    for number, (rowid, level, this_day, head, tail) in enumerate(found.rows, 1):
        if number == 1:
            change = gap = "null"
        else:
            change, gap = level - escalation, this_day - day
        escalation, day = level, this_day
        text = labels.get(level)
        if text is None:
            text = labels[level] = _json_text(label(level))
        if "\\" not in head and "\\" not in tail:
            yield f'{{"number": {number}, {head}, "label": {text}, "change": {change}, "days": {gap}, {tail}{ends.get(rowid, unlinked)}'
            continue
        chain = found.links.get(rowid, ((), ()))[1]
        delta, days = (None, None) if number == 1 else (change, gap)
        values = program_values(Step(number, found.plain(rowid), delta, days, chain, ()), label)
        yield json.dumps(dict(zip(PROGRAMS, values, strict=True)), ensure_ascii=False)


def line_ends(fmt: str, links: Sequence[str], chain: Sequence[str]) -> str:
    """Return the text of a line after the title: the links and the chain."""
    import json

    if fmt == "tsv":
        return f"\t{', '.join(links)}\t{', '.join(chain)}"
    if fmt == "csv":
        return f",{csv_text(', '.join(links))},{csv_text(', '.join(chain))}"
    as_json = json.dumps(list(links), ensure_ascii=False), json.dumps(list(chain), ensure_ascii=False)
    return f', "responds_to": {as_json[0]}, "chain": {as_json[1]}}}'


def write_written(found: Any, fmt: str, out: TextIO, is_tty: bool) -> None:
    """Write a `chronology.Written` timeline in a program format: the text `render_values` writes."""
    from ledger.output import render

    lines = written_lines(found, fmt)
    if fmt in ("json", "jsonl"):
        render.write_json_texts(lines, fmt, out, is_tty)
        return
    end = "\r\n" if fmt == "csv" else "\n"  # csv.writer's RFC 4180 line ends
    out.write(("," if fmt == "csv" else "\t").join(PROGRAMS) + end)
    out.writelines(lines)


def _json_text(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def period_row(p: Any) -> dict[str, Any]:
    """Return the record of one period (`timeline.Period`)."""
    return {
        "period": p.label,
        "start": p.start.isoformat(),
        "end": p.end.isoformat(),
        "count": p.count,
        "max_escalation": p.max_escalation,
        "sum_escalation": p.sum_escalation,
        "killed": p.killed,
        "killed_low": p.killed_low,
        "killed_high": p.killed_high,
        "injured": p.injured,
        "injured_low": p.injured_low,
        "injured_high": p.injured_high,
    }


def group_row(by: str, g: Any, text: bool) -> dict[str, Any]:
    """Return a `stats` group (`stats.Group`) as a row; for people (`text`) ranges go beside the best."""
    if text:
        from ledger.output.chart import range_text

        return {
            by: g.key,
            "count": g.count,
            "killed": range_text(g.killed, g.killed_low, g.killed_high),
            "injured": range_text(g.injured, g.injured_low, g.injured_high),
            "max_escalation": g.max_escalation,
        }
    return {by: g.key, **{c: getattr(g, c) for c in GROUP_COLUMNS}}
