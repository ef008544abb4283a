"""The chronology in SQL equals a plain re-read: stats groups, periods and timeline steps.

`timeline`, `timeline --by` and `stats` answer from the index (light rows, GROUP BY,
json_each); here each answer is held to the Python computation over entries parsed
again from the files and filtered by `query.apply`, on generated ledgers with same-day
answers listed before their causes, actor names in other cases and spellings, and
withdrawn entries, for filters, orders and limits.
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
from ledger.reports import stats
from ledger.reports import timeline as tl

SELECTIONS = [
    ("", {}),
    ("", {"include_withdrawn": True}),
    ("escalation>=4", {}),
    ("actor:PMF", {}),
    ("country:IQ", {"reverse": True}),
    ("", {"sort": "escalation", "limit": 40}),
    ("tag:alpha or type:raid", {"reverse": True, "limit": 25}),
    ("country:FR", {}),
]


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Ledger, list[Any]]]:
    specs = random_specs(240, seed=5, days=40)
    # Same-day answers whose ids sort before their causes; actor names spelled otherwise.
    day = dt.date(2021, 1, 3)
    extra = random_specs(6, seed=6, start=day, days=1)
    for n, spec in enumerate(extra):
        spec.id = f"{day.isoformat()}-{chr(ord('f') - n)}-same-day"
        spec.responds_to = [extra[n - 1].id] if n else []
        spec.perpetrators = ["pmf", "Kataib Hezbollah"] if n % 2 else ["Some Militia", "SOME MILITIA"]
    root = write_ledger(tmp_path_factory.mktemp("chrono") / "l", [*specs, *extra])
    with Ledger(root) as led:  # its index connection is kept for the module's tests, then closed
        entries = [item.entry for item in led.load_all() if item.ok and item.entry is not None]
        yield led, entries


def chosen(led: Ledger, entries: list[Any], text: str, options: dict[str, Any]) -> tuple[Any, list[Any]]:
    selection = query.Selection(query.parse(text), **options)
    return led.find(selection), query.apply(selection, entries, led.vocabulary)


@pytest.mark.parametrize(("text", "options"), SELECTIONS)
@pytest.mark.parametrize("by", stats.BY)
def test_stats_groups_equal_a_re_read(ledger: tuple[Ledger, list[Any]], text: str, options: dict[str, Any], by: str):
    led, entries = ledger
    found, expected = chosen(led, entries, text, options)
    assert stats.groups_from(found.group_rows(by), by) == stats.groups(expected, by, led.vocabulary)
    assert found.count() == len(expected)


@pytest.mark.parametrize(("text", "options"), SELECTIONS)
@pytest.mark.parametrize("by", tl.PERIODS)
def test_periods_equal_a_re_read(ledger: tuple[Ledger, list[Any]], text: str, options: dict[str, Any], by: str):
    led, entries = ledger
    found, expected = chosen(led, entries, text, options)
    assert tl.periods_from(found.period_rows(by), by) == tl.periods(expected, by)


def _shape(step: tl.Step) -> tuple[Any, ...]:
    e = step.entry
    c = e.casualties
    killed = None if c is None else (c.killed if isinstance(c.killed, int | None) else c.killed.best)
    return (step.number, e.id, e.date, e.time, e.escalation, step.delta, step.days, step.chain, step.also, killed)


@pytest.mark.parametrize(("text", "options"), SELECTIONS)
def test_timeline_steps_equal_a_re_read(ledger: tuple[Ledger, list[Any]], text: str, options: dict[str, Any]):
    led, entries = ledger
    found, expected = chosen(led, entries, text, options)
    known = {e.id: e for e in entries} if text else None
    planned = tl.plan(found.keys(), found.links(whole=bool(text)) or None)
    streamed = [_shape(s) for s in tl.stream(planned, found.incidents())]
    assert streamed == [_shape(s) for s in tl.steps(expected, known)]
    assert planned.numbers == {row[1]: row[0] for row in streamed}


def test_the_same_day_answers_are_reordered(ledger: tuple[Ledger, list[Any]]) -> None:
    led, _ = ledger
    found = led.find(query.Selection(query.parse("date:2021-01-03")))
    ids = [s.entry.id for s in tl.stream(tl.plan(found.keys()), found.incidents())]
    same_day = [i for i in ids if i.endswith("-same-day")]
    assert same_day == [f"2021-01-03-{c}-same-day" for c in "fedcba"]  # causes first, against id order


def test_a_revision_answers_as_the_live_index(ledger: tuple[Ledger, list[Any]]) -> None:
    """`--as-of HEAD` runs on the revision index (rows by blob): the same rows as the live index."""
    import shutil
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    led, _ = ledger
    ident = ["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]
    for args in (["init", "-q"], ["add", "-A", "entries", "ledger.toml"], [*ident, "commit", "-q", "-m", "all"]):
        subprocess.run(["git", *args], cwd=led.root, check=True, capture_output=True)
    selection = query.Selection(query.parse("escalation>=2"))
    with Ledger(led.root) as fresh:
        old, live = fresh.at("HEAD").find(selection), led.find(selection)
        assert old.keys() == live.keys()
        assert list(old.incidents()) == list(live.incidents())
        assert list(old.json_texts()) == list(live.json_texts())
        assert sorted(old.group_rows("actor")) == sorted(live.group_rows("actor"))
        assert old.period_rows("week") == live.period_rows("week")
        assert list(old.located()) == list(live.located())


def test_casualty_ranges_add_lows_and_highs(tmp_path: Path) -> None:
    from conftest import entry

    root = tmp_path / "l"
    (root / "entries").mkdir(parents=True)
    casualties = {
        "a": "[casualties]\nkilled = { best = 12, low = 10, high = 15 }\n",
        "b": "[casualties]\nkilled = 3\ninjured = { best = 4 }\n",
        "c": "",
    }
    for name, table in casualties.items():
        (root / "entries" / f"2020-01-05-{name}.toml").write_text(entry(date="2020-01-05", tables=table))
    with Ledger(root) as led:
        found = led.find(None)
        (group,) = stats.groups_from(found.group_rows("type"))
        assert (group.killed, group.killed_low, group.killed_high) == (15, 13, 18)
        assert (group.injured, group.injured_low, group.injured_high) == (4, 4, 4)
        (period,) = tl.periods_from(found.period_rows("month"), "month")
        assert dataclasses.astuple(period)[6:] == (15, 4, 13, 18, 4, 4)


@pytest.mark.parametrize(("text", "options"), SELECTIONS[:4])
def test_dupes_from_light_rows_equal_a_re_read(ledger: tuple[Ledger, list[Any]], text: str, options: dict[str, Any]):
    from ledger.reports import dupes

    led, entries = ledger
    found, expected = chosen(led, entries, text, options)

    def shape(pairs: list[Any]) -> list[tuple[Any, ...]]:
        return [(c.first.id, c.second.id, c.score, c.days_apart, c.km, c.related, c.parts) for c in pairs]

    light = dupes.candidates(found.located(), led.vocabulary, days=2, km=50, min_score=0.3)
    assert shape(light) == shape(dupes.candidates(expected, led.vocabulary, days=2, km=50, min_score=0.3))
    assert len(light) > 10
