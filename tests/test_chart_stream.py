"""The streamed chart equals the chart drawn whole: the SQL rows, the sections, the table.

`timeline --format svg|html` reads narrow rows (`index.drawn.Drawn`) and a frame from SQL,
and writes each mark's lines as it comes into per-section sinks (temporary files for a big
chart). Here the rows are held to the entries re-read from the files, and the streamed
marks, arrows, spans, captions and table rows to a plain re-computation over those
entries, drawn whole the way the chart always was: every mark placed first, then each
section in order. `SPREAD_LIMIT` is set to 0 so that a small ledger streams (and is not
spread), and `Spool.BATCH` to 3 so that its sections go through their temporary files. The ledger has same-day answers listed before their causes and a cycle of links
(an arrow to an incident placed later).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_timeline_synth import random_specs, write_ledger

from ledger import query
from ledger.api import Ledger
from ledger.core import model
from ledger.index import drawn as dr
from ledger.output import chart, chrono_rows, marks
from ledger.reports import timeline as tl

SELECTIONS = [
    ("", {}),
    ("escalation>=4", {}),
    ("country:IQ", {"reverse": True}),
    ("", {"sort": "escalation", "limit": 40}),
    ("", {"include_withdrawn": True}),
]
_MARK_LINES = (
    '<line class="span"',
    '<path class="link"',
    '<circle class="mark"',
    '<a href="#e-',
    '<text class="caption"',
)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Ledger, list[model.Entry]]]:
    specs = random_specs(160, seed=11, days=30)
    day = dt.date(2021, 1, 3)
    extra = random_specs(5, seed=12, start=day, days=1)
    for n, spec in enumerate(extra):  # same-day answers whose ids sort before their causes
        spec.id = f"{day.isoformat()}-{chr(ord('f') - n)}-same-day"
        spec.responds_to = [extra[n - 1].id] if n else []
        spec.withdrawn = False
    extra[0].responds_to = [extra[-1].id]  # a cycle: one arrow goes to an incident placed later
    root = write_ledger(tmp_path_factory.mktemp("stream") / "l", [*specs, *extra])
    with Ledger(root) as led:
        entries = [item.entry for item in led.load_all() if item.ok and item.entry is not None]
        yield root, led, entries


@pytest.mark.parametrize(("text", "options"), SELECTIONS)
def test_drawn_rows_equal_a_re_read(ledger: tuple[Path, Ledger, list[model.Entry]], text: str, options: dict[str, Any]):
    _, led, entries = ledger
    selection = query.Selection(query.parse(text), **options)
    expected = sorted(query.apply(selection, entries, led.vocabulary), key=tl.chronological)
    found = led.find(selection)
    assert list(found.drawn()) == [dr.drawn_of(e) for e in expected]
    frame = found.frame()
    assert frame.incidents == len(expected)
    assert frame.first == min(e.date for e in expected).isoformat()
    assert frame.last == max(e.last_day for e in expected).isoformat()
    assert frame.answered == {t for e in expected for t in e.responds_to}


def _whole(steps: list[tl.Step], labels: tuple[str, ...], link: bool) -> list[str]:
    """Return the lines of the marks as the chart drew them whole, from entries (`tl.steps`)."""
    first = min(s.entry.date for s in steps).toordinal()
    last = max(s.entry.last_day for s in steps).toordinal() + 1
    width = marks.W - marks.LEFT - marks.RIGHT
    scale = marks.mark_scale(len(steps))

    def x_of(ordinal: float) -> float:
        return marks.LEFT + (ordinal - first) / (last - first) * width

    placed: dict[str, tuple[dt.date, float]] = {}  # date and x by id
    ms = []
    for s in sorted(steps, key=lambda s: s.number):
        e = s.entry
        if e.time is not None:
            fraction = (e.time.hour * 60 + e.time.minute) / 1440
        elif e.time_of_day is not None:
            fraction = {"morning": 0.38, "evening": 0.8, "night": 0.92}[e.time_of_day.value]
        else:
            fraction = 0.0 if s.vague else 0.5
        x = x_of(e.date.toordinal() + fraction)
        for cause in e.responds_to:
            if cause in placed and placed[cause][0] == e.date:
                x = max(x, placed[cause][1])
        c = e.casualties
        known = [n for n in (model.best(c.killed), model.best(c.injured)) if n is not None] if c else []
        y = marks.TOP + (model.ESCALATION_MAX - e.escalation + 0.5) * marks.ROW
        end = x_of(e.last_day.toordinal() + 1) if s.vague else None
        drawn = dataclasses.replace(s, entry=dr.drawn_of(e))
        m = marks.Mark(drawn, x, y, marks.radius(sum(known) if known else None, scale), x_of(e.date.toordinal()), end)
        ms.append(m)
        placed[e.id] = (e.date, x)
    at = {m.step.entry.id: m for m in ms}
    out = [marks.span_line(m) for m in ms if m.x_end is not None]
    for m in ms:
        out += [
            marks.arrow_line(at[c], m)
            for c in dict.fromkeys(m.step.entry.responds_to)
            if c in at and c != m.step.entry.id
        ]
    out += [marks.mark_line(m, labels, link) for m in sorted(ms, key=lambda m: -m.r)]
    top = max(m.step.entry.escalation for m in ms)
    return out + chart._captions([m for m in ms if m.step.entry.escalation == top], marks.W - marks.RIGHT)


def _people(steps: list[tl.Step], labels: Any, numbers: dict[str, int]) -> list[str]:
    """Return the HTML table's rows as they were written from `chrono_rows.people_row`."""
    out = []
    for s in steps:
        row = chrono_rows.people_row(s, labels, numbers)
        cells = "".join(
            f'<td class="num">{marks.xml(v)}</td>'
            if c in ("#", "escalation", "change", "days")
            else f"<td>{marks.xml(v)}</td>"
            for c, v in ((c, "" if row[c] is None else str(row[c])) for c in chrono_rows.PEOPLE)
        )
        out.append(f'<tr id="e-{marks.xml(s.entry.id)}">{cells}</tr>')
    return out


@pytest.mark.parametrize(("text", "options"), SELECTIONS)
@pytest.mark.parametrize("fmt", ["svg", "html"])
def test_streamed_chart_equals_the_chart_drawn_whole(
    ledger: tuple[Path, Ledger, list[model.Entry]],
    text: str,
    options: dict[str, Any],
    fmt: str,
    monkeypatch: pytest.MonkeyPatch,
    cli: Any,
):
    root, led, entries = ledger
    selection = query.Selection(query.parse(text), **options)
    chosen = query.apply(selection, entries, led.vocabulary)
    steps = tl.steps(chosen, {e.id: e for e in entries} if text else None)  # a filter's chains run through all
    numbers = {s.entry.id: s.number for s in steps}
    argv = (
        ["timeline", "--ledger", str(root), "-f", fmt, text] if text else ["timeline", "--ledger", str(root), "-f", fmt]
    )
    for option, value in options.items():
        argv += {"reverse": ["--reverse"], "sort": ["--sort", str(value)], "limit": ["--limit", str(value)]}.get(
            option, ["--withdrawn"]
        )
    monkeypatch.setattr(marks, "SPREAD_LIMIT", 0)  # every chart streams (and none is spread)
    monkeypatch.setattr(marks.Spool, "BATCH", 3)  # and its sections go to their files three lines at a time
    out = cli(*argv).out
    lines = out.splitlines()
    assert [line for line in lines if line.startswith(_MARK_LINES)] == _whole(
        steps, led.vocabulary.labels, fmt == "html"
    )
    if fmt == "html":
        shown = steps[::-1] if options.get("reverse") else steps
        assert [line for line in lines if line.startswith("<tr id=")] == _people(shown, led.vocabulary, numbers)
    n = len(steps)
    assert f"Escalation timeline: {n} incident{'s' if n != 1 else ''}, " in out


def test_a_cycle_of_links_draws_both_arrows(
    ledger: tuple[Path, Ledger, list[model.Entry]], cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _, _ = ledger
    for limit in (0, 3000):  # streamed, and drawn whole
        monkeypatch.setattr(marks, "SPREAD_LIMIT", limit)
        svg = cli("timeline", "--ledger", str(root), "-f", "svg", "--since", "2021-01-03", "--until", "2021-01-03")
        arrows = [line for line in svg.out.splitlines() if line.startswith('<path class="link"')]
        assert len(arrows) == 5, limit  # four links down the chain, one back to its start


@pytest.mark.parametrize(
    ("end", "precision", "time", "part"),
    [
        (None, None, dt.time(21, 30), None),
        (None, None, dt.time(21, 30, 15), None),
        (None, None, dt.time(6, 0, 0, 500), None),
        (None, "week", None, "evening"),
        (None, "month", None, None),
        (dt.date(2020, 12, 30), None, None, None),
        (dt.date(2020, 12, 30), "days", None, None),
        (dt.date(2021, 1, 2), None, None, "night"),
        (dt.date(2020, 11, 2), "week", None, None),
        (dt.date(2020, 10, 28), "day", None, None),
    ],
)
def test_the_table_shows_dates_and_times_as_people_read_them(
    end: dt.date | None, precision: str | None, time: dt.time | None, part: str | None
) -> None:
    from test_dupes import make

    from ledger.output import page

    entry = make("2020-10-28-a", dt.date(2020, 10, 28), "protest", end=end)
    entry = dataclasses.replace(
        entry,
        date_precision=model.DatePrecision(precision) if precision else None,
        time=time,
        time_of_day=model.TimeOfDay(part) if part else None,
    )
    row = dr.drawn_of(entry)
    assert page.date_text(row) == chrono_rows.date_text(entry)
    assert page.time_text(row) == chrono_rows.time_text(entry)
