"""The program formats of `timeline` write plain index rows: the same text as the full light rows."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_timeline_synth import random_specs, write_ledger

from ledger import query
from ledger.api import Ledger
from ledger.output import chrono_rows as cr
from ledger.output import render

SELECTIONS = [
    ("", {}),
    ("", {"include_withdrawn": True}),
    ("escalation>=3", {"reverse": True}),
    ("", {"sort": "escalation", "limit": 30}),
]


@pytest.fixture(scope="module")
def led(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    specs = random_specs(120, seed=11, days=30)
    root = write_ledger(tmp_path_factory.mktemp("plain") / "l", specs)
    # text to escape, a month-precise date, a merged duplicate that others link to
    plain = [s for s in specs if not s.withdrawn and s.date_end is None]
    first, second, third = (next((root / "entries").rglob(f"{s.id}.toml")) for s in plain[:3])
    first.write_text(first.read_text("utf-8").replace('title = "', 'title = "=Tab\\there \\\\ back '), "utf-8")
    second.write_text(second.read_text("utf-8").replace("type = ", 'date_precision = "month"\ntype = '), "utf-8")
    merged = f'status = "withdrawn"\nwithdrawn_reason = "dup"\nduplicate_of = "{plain[0].id}"\ntype = '
    third.write_text(third.read_text("utf-8").replace("type = ", merged), "utf-8")
    later = next(s for s in plain[3:] if s.date > plain[2].date and not s.responds_to)
    path = next((root / "entries").rglob(f"{later.id}.toml"))
    path.write_text(path.read_text("utf-8").replace("type = ", f'responds_to = ["{plain[2].id}"]\ntype = '), "utf-8")
    with Ledger(root) as opened:
        yield opened


def records(led: Ledger, selection: query.Selection) -> list[dict[str, Any]]:
    return [cr.program_row(s, led.vocabulary, s.entry.path) for s in led.timeline(selection)]


@pytest.mark.parametrize(("text", "options"), SELECTIONS)
def test_plain_values_are_the_program_records(led: Ledger, text: str, options: dict[str, Any]) -> None:
    selection = query.Selection(query.parse(text), **options)
    plain = list(led.timeline(selection, plain=True))
    label = led.vocabulary.label
    expected = records(led, selection)
    assert len(expected) > 20
    assert [dict(zip(cr.PROGRAMS, cr.program_values(s, label), strict=True)) for s in plain] == expected
    as_text = [tuple(render.cell(v) if isinstance(v, list | bool) else v for v in r.values()) for r in expected]
    assert [cr.program_values(s, label, text=True) for s in plain] == as_text


@pytest.mark.parametrize("fmt", ["tsv", "csv", "json", "jsonl"])
def test_written_values_are_the_written_records(led: Ledger, fmt: str) -> None:
    selection = query.Selection(include_withdrawn=True)
    label = led.vocabulary.label
    by_values, by_rows = io.StringIO(), io.StringIO()
    values = (cr.program_values(s, label, fmt == "tsv") for s in led.timeline(selection, plain=True))
    render.render_values(values, cr.PROGRAMS, fmt, by_values, False)
    render.render_rows(records(led, selection), cr.PROGRAMS, fmt, by_rows, False)
    assert by_values.getvalue() == by_rows.getvalue()
    if fmt == "tsv":
        assert "=Tab\\there \\\\ back" in by_values.getvalue()


def test_the_merged_duplicate_and_the_vague_date_are_there(led: Ledger) -> None:
    rows = records(led, query.Selection())
    assert any(r["date_precision"] == "month" and r["vague"] for r in rows)
    assert any(r["chain"] and r["chain"][-1] != r["responds_to"][0] for r in rows if r["responds_to"])


def test_path_is_kept(led: Ledger, tmp_path: Path) -> None:
    plain = next(iter(led.timeline(query.Selection(), plain=True)))
    assert (led.root / plain.entry.path).is_file()
