"""Each command's result in each of its formats: which rows, records, lines or page a format is made of.

A command hands over what the library returned and a `Screen` (the stream, whether it is a
terminal, its width); what `--format` means for that result is decided here, once. The
modules below do the writing: `render` (rows and entries), `chrono_rows` (the chronology's
rows), `page` (the chart and the HTML page), `bars` (the period chart), `diffrender` (diff and log).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple, TextIO

from ledger.output import render


class Screen(NamedTuple):
    """Where a result is written: the stream, whether it is a terminal, and the terminal's width."""

    out: TextIO
    is_tty: bool = False
    width: int = 80


def write_rows(
    screen: Screen,
    fmt: str,
    rows: Callable[[], Iterable[Mapping[str, Any]]],
    columns: Sequence[str],
    *,
    records: Callable[[], Iterable[Mapping[str, Any]]] | None = None,
    ids: Callable[[], Iterable[str]] | None = None,
    header: bool = True,
) -> None:
    """Write a result in `fmt`: ids one a line, whole `records` as JSON, else a table of `rows`."""
    out, is_tty = screen.out, screen.is_tty
    if fmt == "ids" and ids is not None:
        out.writelines(render.clean(text) + "\n" for text in ids())
    elif fmt in ("json", "jsonl") and records is not None:
        render.render_rows(records(), None, fmt, out, is_tty)
    else:
        width = screen.width if is_tty else None
        render.render_rows(rows(), columns, fmt, out, is_tty, header=header, width=width)


def write_json(screen: Screen, data: Any) -> None:
    """Write one JSON document, indented; on a terminal with what it would act on escaped."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    screen.out.write((render.json_safe(text) if screen.is_tty else text) + "\n")


#: The columns of `list` and `search` when --columns names none.
LIST_COLUMNS = ("id", "date", "type", "escalation", "country", "title")


def found(screen: Screen, fmt: str, found: Any, chosen: Sequence[str] | None, header: bool) -> None:
    """Write what `list` or `search` found: whole records as JSON unless columns were `chosen`, else rows."""
    if fmt in ("json", "jsonl") and chosen is None:
        render.write_json_texts(found.json_texts(), fmt, screen.out, screen.is_tty)
    else:
        columns = chosen or LIST_COLUMNS
        write_rows(screen, fmt, lambda: found.rows(columns), columns, ids=found.ids, header=header)


def entries(screen: Screen, fmt: str, records: Sequence[Mapping[str, Any]], view: Any) -> None:
    """Write whole entries (`show`): laid out for reading, as their TOML file (`view.source_text`), or as JSON."""
    from ledger.core.errors import NotFound

    out, is_tty = screen.out, screen.is_tty
    if fmt == "json":
        write_json(screen, records[0] if len(records) == 1 else records)
    elif fmt == "toml":
        for number, record in enumerate(records):
            source, problem = view.source_text(record["path"])
            if source is None:
                raise NotFound(str(problem))
            head = f"# {record['path']}\n" if len(records) > 1 else ""
            out.write(("\n" if number else "") + head + (render.clean(source) if is_tty else source))
    else:
        for number, record in enumerate(records):
            out.write("\n" if number else "")
            render.render_entry(record, view.vocabulary.labels, out, screen.width if is_tty else 100)


def timeline(screen: Screen, fmt: str, found: Any, reverse: bool = False) -> None:
    """Write a timeline: a page (svg, html), rows for people (table, markdown), else values as stored.

    `reverse`: the steps come last first (the page draws its chart in timeline order all the same).
    """
    from ledger.output import chrono_rows as cr

    labels, numbers = found.vocabulary, found.numbers
    if fmt in ("svg", "html"):  # written as made: never the whole page in one string
        from ledger.output.page import page_parts

        screen.out.writelines(page_parts(fmt, found, reverse))
    elif fmt in ("table", "markdown"):
        write_rows(screen, fmt, lambda: (cr.people_row(s, labels, numbers) for s in found), cr.PEOPLE)
    else:
        records = (cr.program_values(s, labels.label, fmt == "tsv") for s in found)
        render.render_values(records, cr.PROGRAMS, fmt, screen.out, screen.is_tty)


def timeline_charted(screen: Screen, fmt: str, charted: Any) -> None:
    """Write a `chronology_chart.Charted` timeline as "svg" or "html" (what `timeline` writes)."""
    from ledger.output.page import charted_bytes

    write_utf8(screen.out, charted_bytes(fmt, charted))


def write_utf8(out: TextIO, parts: Iterable[bytes]) -> None:
    """Write pieces of UTF-8 text: to the bytes under `out` when it writes UTF-8 with "\n" as it is, else decoded.

    A piece may end inside a character: the fallback (a pager, a test's StringIO, a
    stream that would turn "\n" into the platform's line end) decodes incrementally.
    """
    import codecs
    import io
    import os

    if (
        isinstance(out, io.TextIOWrapper)
        and os.linesep == "\n"  # else the text layer may translate line ends (see `terminal.process.utf8_streams`)
        and codecs.lookup(out.encoding).name == "utf-8"
    ):
        out.flush()  # what was written as text goes first
        out.buffer.writelines(parts)
        return
    from ledger.output.page import decoded

    out.writelines(decoded(parts))


def periods(screen: Screen, fmt: str, found: Sequence[Any], bar: str, ascii_only: bool) -> None:
    """Write a timeline by period: a bar chart of `bar` as a table, else a row per period."""
    from ledger.output import chart
    from ledger.output import chrono_rows as cr

    if fmt == "table":
        screen.out.writelines(line + "\n" for line in chart.bars(found, bar, screen.width, ascii_only))
    else:
        write_rows(screen, fmt, lambda: map(cr.period_row, found), cr.PERIOD_COLUMNS)


def stats(screen: Screen, fmt: str, by: str, found: Any, header: bool) -> None:
    """Write groups: ranges beside the best estimate for people (table, markdown), columns of their own otherwise."""
    from ledger.output import chrono_rows as cr

    text = fmt in ("table", "markdown")
    columns = (by, *(cr.GROUP_TEXT_COLUMNS if text else cr.GROUP_COLUMNS))
    rows = lambda: (cr.group_row(by, g, text) for g in found.groups)  # noqa: E731
    write_rows(screen, fmt, rows, columns, ids=lambda: (g.key for g in found.groups), header=header)


def dupes(screen: Screen, fmt: str, found: Any) -> None:
    """Write candidate pairs: a row each, whole records as JSON, or `FIRST SECOND` ids."""
    from ledger.output import dupe_rows

    pairs = found.candidates
    write_rows(
        screen,
        fmt,
        lambda: map(dupe_rows.dupe_row, pairs),
        dupe_rows.DUPE_COLUMNS,
        records=lambda: (dupe_rows.dupe_record(p, found.paths) for p in pairs),
        ids=lambda: (f"{p.first.id} {p.second.id}" for p in pairs),
    )


def sources_summary(rows: Sequence[Any]) -> str:
    """`12 sources (3 in the registry of ledger.toml)`."""
    registered = sum(row.registered for row in rows)
    return f"{render.plural(len(rows), 'source')} ({registered} in the registry of ledger.toml)"


def sources(screen: Screen, fmt: str, rows: Sequence[Any], header: bool) -> None:
    """Write the sources report: a row per source (registered: yes), records as JSON, or the sources' names."""
    from ledger.reports.sources import COLUMNS as columns

    write_rows(
        screen,
        fmt,
        lambda: ({**row.as_dict(), "registered": "yes" if row.registered else ""} for row in rows),
        columns,
        records=lambda: (row.as_dict() for row in rows),
        ids=lambda: (row.source for row in rows),
        header=header,
    )


def diff(screen: Screen, fmt: str, result: Any, *, stat: bool, color: bool, label: Any) -> None:
    """Write a ledger diff: JSON (`stat`: the counts only), the counts, Markdown, or text."""
    from ledger.output import diffrender

    if fmt == "json":
        screen.out.write(diffrender.as_json(result, stat_only=stat))
    elif stat:
        screen.out.write(diffrender.stat(result))
    elif fmt == "markdown":
        screen.out.write(diffrender.markdown(result, label=label))
    else:
        screen.out.write(diffrender.text(result, color=color, label=label))


def chain(screen: Screen, fmt: str, found: Any, labels: Any, ascii_only: bool) -> None:
    """Write a causal chain: JSON, or the trees of what it answers and what answered it."""
    from ledger.output import trees

    if fmt == "json":
        write_json(screen, trees.chain_json(found, labels))
    else:
        screen.out.write("\n".join(trees.chain_lines(found, labels, ascii_only)) + "\n")


def log(screen: Screen, fmt: str, found: Any, *, color: bool, label: Any) -> None:
    """Write an incident's history: JSON, or the commits with the fields they changed."""
    from ledger.output import diffrender

    if fmt == "json":
        screen.out.write(diffrender.log_json(found))
    else:
        screen.out.write(diffrender.log_text(found.records, color=color, label=label))


def problems(screen: Screen, fmt: str, found: Iterable[Any]) -> None:
    """Write `validate`'s problems: `path:line: field: message` lines, or a JSON list."""
    if fmt == "json":
        write_json(screen, [p.as_json() for p in found])
    else:
        screen.out.writelines(render.clean(str(p)) + "\n" for p in found)


def formatted(screen: Screen, result: Any, *, check: bool, diff: bool) -> tuple[str, bool] | None:
    """Write what `fmt --diff` / `--check` shows of one file on stdout; return the line for stderr, and if it is a must.

    A file left alone is always said (why); a file reformatted in place is a summary line.
    """
    from ledger.store.formatting import LEFT_ALONE, REFORMATTED

    if result.outcome == LEFT_ALONE:
        return render.clean(f"{result.rel}: left alone: {result.reason}"), True
    if result.outcome == REFORMATTED and diff:
        from ledger.output.diffrender import unified

        screen.out.write(unified(result.rel, result.old or "", result.new or ""))
    elif result.outcome == REFORMATTED and check:
        screen.out.write(render.clean(result.rel) + "\n")
    elif result.outcome == REFORMATTED:
        return render.clean(f"reformatted {result.rel}"), False
    return None


def archiving(screen: Screen, say: Callable[[str], None]) -> Callable[[Any], None]:
    """Return `archive`'s progress: each capture on stdout as it is made (a stopped run is readable), failures said."""

    def progress(item: Any) -> None:
        if item.failed:  # ledger.api.evidence.Failed, else .Captured
            say(render.clean(item.line))
        else:
            screen.out.write(render.clean(item.line) + "\n")
            screen.out.flush()

    return progress
