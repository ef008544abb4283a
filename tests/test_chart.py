"""Pictures: terminal bars, the SVG chart and the HTML page."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import entry
from test_timeline_synth import copy_sample, random_specs, write_ledger

from ledger.output import chart
from ledger.reports.timeline import Period

SVG = "{http://www.w3.org/2000/svg}"


def marks(svg_text: str) -> list[ET.Element]:
    root = ET.fromstring(svg_text)
    assert root.tag == f"{SVG}svg"
    return [e for e in root.iter(f"{SVG}circle") if e.get("class") == "mark"]


def links(svg_text: str) -> list[ET.Element]:
    return [e for e in ET.fromstring(svg_text).iter(f"{SVG}path") if e.get("class") == "link"]


# -- SVG -----------------------------------------------------------------------------------


def test_sample_svg_is_well_formed_with_one_mark_per_incident(tmp_path: Path, cli: Callable[..., Any]) -> None:
    result = cli("timeline", "--ledger", str(copy_sample(tmp_path)), "-f", "svg")
    assert result.status == 0
    found = marks(result.out)
    assert len(found) == 16
    assert len({m.get("data-id") for m in found}) == 16
    assert len(links(result.out)) == 7  # the responds_to links of the sample
    root = ET.fromstring(result.out)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "7 strategic-strike" in texts and "0 statement" in texts  # the ladder on the y axis
    assert "escalation" in texts and "date (first possible day)" in texts  # axis labels
    assert {"remote-violence", "strategic-development", "killed + injured", "answered by"} <= set(texts)  # legend
    assert "2020-01-03" in texts  # a day on the x axis
    spans = [e for e in root.iter(f"{SVG}line") if e.get("class") == "span"]
    assert len(spans) == 6  # the vague dates


def test_marks_are_coloured_by_category_and_sized_by_casualties(tmp_path: Path, cli: Callable[..., Any]) -> None:
    found = {
        m.get("data-id", "")[11:]: m
        for m in marks(cli("timeline", "--ledger", str(copy_sample(tmp_path)), "-f", "svg").out)
    }
    strike = found["us-airstrike-kills-soleimani-and-muhandis-in-baghdad"]
    assert strike.get("stroke") == chart.COLOURS["remote-violence"]  # type: ignore[index]
    assert float(strike.get("r", 0)) == pytest.approx(chart.radius(12), abs=0.05)
    posture = found["militias-on-high-alert-along-iraq-syria-border"]
    assert posture.get("stroke") == chart.COLOURS["strategic-development"]  # type: ignore[index]
    assert posture.get("fill") == "white"  # casualties not known: hollow
    title = strike.find(f"{SVG}title")
    assert title is not None and "US air strike in Baghdad" in (title.text or "")


@pytest.mark.parametrize("seed", [4, 5])
def test_generated_svg_counts(tmp_path: Path, cli: Callable[..., Any], seed: int) -> None:
    specs = random_specs(120, seed, days=900)
    root = write_ledger(tmp_path / "gen", specs)
    svg = cli("timeline", "--ledger", str(root), "-f", "svg").out
    active = {s.id for s in specs if not s.withdrawn}
    assert len(marks(svg)) == len(active)
    expected_links = sum(len([t for t in s.responds_to if t in active]) for s in specs if s.id in active)
    assert len(links(svg)) == expected_links
    ticks = [
        t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text") if re.fullmatch(r"\d{4}(-\d\d)?", t.text or "")
    ]
    assert 2 <= len(ticks) <= 12  # month or year ticks for a span of years


def test_hostile_text_cannot_break_the_xml() -> None:
    import dataclasses

    from test_dupes import make

    from ledger.index.drawn import Frame, drawn_of
    from ledger.reports import timeline

    bad = make("2020-01-01-a", dt.date(2020, 1, 1), "protest")
    bad = dataclasses.replace(bad, title='</title><script>alert("x")</script> & \x01\x0b\ufffe end')
    steps = [dataclasses.replace(s, entry=drawn_of(s.entry)) for s in timeline.steps([bad])]
    svg = chart.svg(steps, ["<b>", *"1234567"], Frame(1, "2020-01-01", "2020-01-01", frozenset()), {bad.id: 1})
    (mark,) = marks(svg)
    title = mark.find(f"{SVG}title")
    assert title is not None and '</title><script>alert("x")</script> &  end' in (title.text or "")
    assert "<script>" not in svg and "<b>" not in svg


def test_empty_chart_is_still_a_picture(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = tmp_path / "l"
    (root / "entries").mkdir(parents=True)
    svg = cli("timeline", "--ledger", str(root), "-f", "svg").out
    assert marks(svg) == [] and "no incidents" in svg


def test_one_incident_and_a_long_span(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = tmp_path / "l"
    (root / "entries").mkdir(parents=True)
    (root / "entries" / "2020-01-05-a.toml").write_text(entry(date="2020-01-05"))
    assert len(marks(cli("timeline", "--ledger", str(root), "-f", "svg").out)) == 1
    (root / "entries" / "1990-01-05-b.toml").write_text(entry(date="1990-01-05"))
    svg = cli("timeline", "--ledger", str(root), "-f", "svg").out
    years = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text") if re.fullmatch(r"\d{4}", t.text or "")]
    assert years == ["1995", "2000", "2005", "2010", "2015", "2020"]


def test_ticks() -> None:
    day = dt.date(2020, 1, 1).toordinal()
    assert chart._ticks(day, day + 7) == (list(range(day, day + 8)), "%Y-%m-%d")
    ticks, fmt = chart._ticks(day + 5, day + 200)
    assert fmt == "%Y-%m" and [dt.date.fromordinal(t).isoformat() for t in ticks][:2] == ["2020-02-01", "2020-03-01"]


# -- HTML ----------------------------------------------------------------------------------


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.rows = 0
        self.urls: list[str] = []
        self.tags: set[str] = set()
        self.void = {"meta", "br", "img", "link", "input", "hr"}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "tr" and any(k == "id" for k, _ in attrs):
            self.rows += 1
        self.urls += [v or "" for k, v in attrs if k in ("src", "href") and not (v or "").startswith("#")]
        if tag not in self.void:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-3:])
        self.stack.pop()


def test_html_page_is_self_contained(tmp_path: Path, cli: Callable[..., Any]) -> None:
    result = cli("timeline", "--ledger", str(copy_sample(tmp_path)), "-f", "html")
    assert result.status == 0
    page = _Page()
    page.feed(result.out)
    page.close()
    assert page.stack == []  # every tag closed, properly nested
    assert page.rows == 16
    assert page.urls == []  # nothing to fetch: no network
    assert {"script", "link", "img", "iframe"}.isdisjoint(page.tags)
    assert "Content-Security-Policy" in result.out and "default-src 'none'" in result.out
    svg = result.out[result.out.index("<svg") : result.out.index("</svg>") + 6]
    assert len(marks(svg)) == 16
    assert 'href="#e-2020-01-03-us-airstrike-kills-soleimani-and-muhandis-in-baghdad"' in svg
    assert '<tr id="e-2020-01-03-us-airstrike-kills-soleimani-and-muhandis-in-baghdad">' in result.out
    assert "<td>2 -&gt; 8 -&gt; 9 -&gt; 12</td>" in result.out


# -- terminal bars -------------------------------------------------------------------------


def _period(label: str, count: int, top: int | None, total: int, killed: int | None = None) -> Period:
    day = dt.date.fromisoformat(label)
    return Period(label, day, day, count, top, total, killed, None)


def test_bars_scale_to_the_width() -> None:
    periods = [_period("2020-01-01", 1, 4, 4), _period("2020-01-02", 0, None, 0), _period("2020-01-03", 2, 8, 8, 3)]
    lines = chart.bars(periods, "sum", width=60)
    assert lines == [
        "period      n  max  sum  killed  injured  escalation sum",
        "2020-01-01  1    4    4                   " + "█" * 8 + "▌",
        "2020-01-02  0         0",
        "2020-01-03  2    8    8       3           " + "█" * 17,
    ]
    assert all(len(line) <= 60 for line in lines)
    assert chart.bars(periods, "killed", width=60, ascii_only=True)[3].endswith(" " + "#" * 17)
    assert chart.bars(periods, "count", width=60, ascii_only=True)[1].endswith(" " + "#" * 8 + "#")


def test_bar_never_hides_a_small_value() -> None:
    assert chart.bar(1, 10_000, 20) == "▏"
    assert chart.bar(1, 10_000, 20, ascii_only=True) == "#"
    assert chart.bar(0, 10, 20) == "" and chart.bar(5, 0, 20) == ""


def test_terminal_width_comes_from_columns(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = copy_sample(tmp_path)
    for width in (50, 120):
        out = cli("timeline", "--ledger", str(root), "--by", "day", "-f", "table", env={"COLUMNS": str(width)}).out
        longest = max(len(line) for line in out.splitlines())
        assert longest == width - 1


def test_ascii_bars(tmp_path: Path, cli: Callable[..., Any]) -> None:
    out = cli(
        "timeline", "--ledger", str(copy_sample(tmp_path)), "--by", "day", "-f", "table", "--ascii", "--bar", "max"
    ).out
    assert out.isascii()
    assert out.splitlines()[0].endswith("max escalation")


def test_the_committed_chart_of_the_sample_is_current(tmp_path: Path, cli: Callable[..., Any]) -> None:
    from test_timeline_synth import ROOT

    svg = cli("timeline", "--ledger", str(copy_sample(tmp_path)), "-f", "svg").out
    assert svg == (ROOT / "docs" / "timeline.svg").read_text(encoding="utf-8"), (
        "regenerate: ledger timeline --format svg > docs/timeline.svg"
    )


def test_the_documented_outputs_are_real(tmp_path: Path, cli: Callable[..., Any]) -> None:
    from test_timeline_synth import ROOT

    doc = (ROOT / "docs" / "chronology.md").read_text(encoding="utf-8")
    root = str(copy_sample(tmp_path))
    for args, env in (
        (("timeline", "--format", "table"), {}),
        (("timeline", "--by", "day", "-f", "table"), {"COLUMNS": "80"}),
        (("timeline", "--by", "week", "--bar", "max", "--ascii", "-f", "table"), {"COLUMNS": "72"}),
        (("timeline", "--country", "IQ", "--format", "table"), {}),
        (("chain", "2020-01-03-us-airstrike-kills-soleimani-and-muhandis-in-baghdad"), {}),
        (("stats", "--by", "country", "-f", "table"), {}),
        (("dupes", "-f", "table"), {}),
    ):
        result = cli(*args, "--ledger", root, env=env)
        assert result.out in doc, args
