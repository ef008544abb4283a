"""The timeline as a page: the SVG chart alone, or an HTML page of the chart and the timeline table.

Self-contained: the page loads nothing from the network (its Content-Security-Policy
forbids it). Both are written as streams: the table's rows are made with the marks, in
one pass over the incidents (`marks.Sections`), and joined after the chart.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ledger.core.escapes import xml
from ledger.output import chart
from ledger.output.chrono_rows import PEOPLE, chain_text, signed
from ledger.output.marks import Sections, special, streams

_STYLE = """
body { font-family: DejaVu Sans, Verdana, sans-serif; margin: 2em; color: #222; }
svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 13px; margin-top: 1.5em; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:target { background: #fff3c4; }
"""
NUMERIC = ("#", "escalation", "change", "days")


def page_parts(fmt: str, timeline: Any, reverse: bool = False) -> Iterator[str]:
    """Yield a timeline (`api.chronology.Timeline` of `index.drawn.Drawn` rows) as "svg" or "html", in pieces.

    With `reverse` the timeline's steps come last first (a list): the chart is drawn in
    timeline order all the same, and the table's rows keep the order given.
    """
    labels, numbers, frame = timeline.vocabulary, timeline.numbers, timeline.frame
    steps = reversed(timeline.steps) if reverse else iter(timeline)
    if fmt == "svg":
        return chart.svg_parts(steps, labels.labels, frame, numbers)
    return _html(steps, timeline.steps if reverse else None, labels, frame, numbers)


def charted_parts(fmt: str, charted: Any) -> Iterator[str]:
    """Yield a `chronology_chart.Charted` timeline as "svg" or "html", in pieces (what `page_parts` writes).

    `charted_bytes`, decoded.
    """
    return decoded(charted_bytes(fmt, charted))


def decoded(parts: Iterable[bytes]) -> Iterator[str]:
    """Yield pieces of UTF-8 as text; a piece may end inside a character (decoded incrementally)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    for part in parts:
        yield decoder.decode(part)
    yield decoder.decode(b"", True)


def charted_bytes(fmt: str, charted: Any) -> Iterator[bytes]:
    """Yield a `chronology_chart.Charted` timeline as "svg" or "html", in pieces of UTF-8.

    The marks, spans, arrows and table rows come as bytes (`marks_text.TextSections`); the
    frame, legend and page around them are encoded here. `marks_text.Unplanned` (before the
    first piece) when only the general path draws it.
    """
    from ledger.output.marks_text import TextSections

    labels, frame = charted.vocabulary, charted.frame
    sections = TextSections(charted, link=fmt == "html", table=fmt == "html")
    try:  # drawn before the first piece: a streamed chart may yet find it needs the general path (`Unplanned`)
        first, last = chart.days(frame)
        sections.draw((), first, last, chart.mark_scale(frame.incidents), frame)
    except BaseException:
        sections.close()
        raise
    if fmt == "html":
        parts = _html(iter(()), None, labels, frame, {}, sections)
    else:
        parts = _closing(chart.svg_parts((), labels.labels, frame, {}, sections=sections), sections)
    for part in parts:
        yield part if type(part) is bytes else part.encode()


def _closing(parts: Iterator[Any], sections: Any) -> Iterator[Any]:
    try:
        yield from parts
    finally:
        sections.close()


def _html(
    steps: Iterator[Any], given: Sequence[Any] | None, labels: Any, frame: Any, numbers: Any, made: Any = None
) -> Iterator[Any]:
    """Yield the HTML page in pieces: str, and the sections' own pieces (UTF-8 bytes from `made`, a `TextSections`)."""
    name = xml(chart.title(frame))
    head = "".join(f"<th>{xml(c)}</th>" for c in PEOPLE)
    yield (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{name}</title>\n'
        f"<style>{_STYLE}</style>\n</head>\n<body>\n<h1>{name}</h1>\n<figure>\n"
    )

    def row(step: Any) -> str:
        return table_row(step, labels, numbers)

    # The rows are made with the marks, unless they are to be written in another order.
    sections = made or Sections(
        labels.labels, numbers, frame.answered, link=True, spooled=streams(frame.incidents),
        row=row if given is None else None,
    )  # fmt: skip
    try:
        yield from chart.svg_parts(steps, labels.labels, frame, numbers, sections=sections)
        yield f"</figure>\n<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n"
        rows = 0
        if given is None:
            rows = sections.rows
            yield from sections.table_rows()
        else:
            for step in given:
                yield row(step) + "\n"
                rows += 1
        yield ("" if rows else "\n") + "</tbody>\n</table>\n</body>\n</html>\n"
    finally:
        sections.close()


# The cells of `PEOPLE`, in its order: numbers right-aligned.
_CELLS = "".join(('<td class="num">' if c in NUMERIC else "<td>") + "{}</td>" for c in PEOPLE)


def table_row(step: Any, labels: Any, numbers: Any) -> str:
    """Return the table row of a step over an `index.drawn.Drawn` row (`chrono_rows.people_row`, as HTML)."""
    e = step.entry
    days = step.days
    texts: tuple[str, ...] = (
        str(step.number), date_text(e), time_text(e), str(e.escalation), labels.label(e.escalation),
        signed(step.delta), "" if days is None else str(days), e.title, chain_text(step, numbers),
    )  # fmt: skip
    ident = e.id
    if special(ident) is not None:
        ident = xml(ident)
    if special("".join(texts)) is not None:  # `xml` works per character: only such a row needs it
        texts = tuple(xml(text) for text in texts)
    return f'<tr id="e-{ident}">{_CELLS.format(*texts)}</tr>'


def date_text(e: Any) -> str:
    """Return the date of a `Drawn` row as people read it (`chrono_rows.date_text`, from ISO text)."""
    date = e.date
    if not e.vague:
        return date  # type: ignore[no-any-return]
    end = e.date_end
    if end is None or end == date:
        return f"{date}~{e.date_precision}"
    if end[:4] != date[:4]:
        return f"{date}~{end}"
    return f"{date}~{end[5:]}" if end[5:7] != date[5:7] else f"{date}~{end[8:]}"


def time_text(e: Any) -> str:
    """Return the time of a `Drawn` row as people read it (`chrono_rows.time_text`, from ISO text)."""
    time = e.time
    if time is not None:
        return time[:5] if time[6:8] == "00" else time[:8]  # type: ignore[no-any-return]
    return e.time_of_day or ""
