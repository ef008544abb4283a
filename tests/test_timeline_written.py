"""`timeline --format tsv|csv|json|jsonl` with the cells written by SQL: the same text as the general path.

`Ledger.timeline_written` plans the order and chains from the linked incidents only and has
SQLite write the other cells in the format's text; here its output is held, byte for byte,
to `render.render_values` over the plain rows of `Ledger.timeline`, on a ledger with text
to escape or quote (tabs, backslashes, new lines, commas, quotes, formula starts, controls,
non-ASCII), same-day answers listed before their causes, a cycle and a link to a later
incident, and a merged duplicate that others answer; and the placing of the linked
incidents is held to Kahn's algorithm over every incident.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import io
import random
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from test_timeline_synth import random_specs, write_ledger

from ledger import query
from ledger.api import Ledger
from ledger.output import chrono_rows as cr
from ledger.output import render
from ledger.reports import timeline as tl

FORMATS = ("tsv", "csv", "json", "jsonl")
SELECTIONS = [
    ("", {}),
    ("", {"include_withdrawn": True}),
    ("", {"reverse": True}),
    ("escalation>=3", {}),
    ("country:IQ", {"reverse": True}),
    ("", {"sort": "escalation", "limit": 30}),
    ("", {"limit": 25, "reverse": True}),
    ("type:raid or tag:alpha", {"include_withdrawn": True}),
]
TITLES = [  # the schema refuses control characters (new lines too): tabs and backslashes get this far
    "Tab\there",
    "back \\ slash",
    "comma, and more",
    'a "quoted" word',
    "=1+2",
    "-3 dead",
    "'quoted start",
    "café à Mossoul",
    "no\u00a0break",
]


def _toml(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\' or ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def same_day_answers(seed: int) -> list[Any]:
    """Five incidents of one day, each answering the one before, whose ids sort before their causes."""
    day = dt.date(2021, 1, 9)
    extra = random_specs(5, seed=seed, start=day, days=1)
    for n, spec in enumerate(extra):
        spec.id = f"{day.isoformat()}-{chr(ord('f') - n)}-same-day"
        spec.responds_to = [extra[n - 1].id] if n else []
        spec.withdrawn = False
    return extra


@pytest.fixture(scope="module")
def led(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    specs = random_specs(150, seed=17, days=25)
    plain = [s for s in specs if not s.withdrawn and s.date_end is None and not s.responds_to]
    for spec, title in zip(plain, TITLES, strict=False):
        spec.title = title  # type: ignore[attr-defined]
    first, second, third, fourth = plain[len(TITLES) : len(TITLES) + 4]
    first.responds_to, second.responds_to = [second.id], [first.id]  # a cycle
    third.responds_to = [specs[-1].id]  # a link to a later incident
    merged, answer = plain[len(TITLES) + 4], plain[len(TITLES) + 5]
    merged.withdrawn = True
    answer.responds_to = [merged.id]
    specs += same_day_answers(seed=18)
    root = write_ledger(tmp_path_factory.mktemp("written") / "l", specs)
    for spec in specs:
        path = next((root / "entries").rglob(f"{spec.id}.toml"))
        text = path.read_text("utf-8")
        if hasattr(spec, "title"):
            text = text.replace(f'title = "Incident {spec.id}"', f'title = "{_toml(spec.title)}"')
        if spec is merged:
            text = text.replace('withdrawn_reason = "test"', f'withdrawn_reason = "test"\nduplicate_of = "{fourth.id}"')
        path.write_text(text, "utf-8")
    with Ledger(root) as opened:
        yield opened


def general(led: Ledger, selection: query.Selection, fmt: str) -> str:
    out = io.StringIO()
    label = led.vocabulary.label
    values = (cr.program_values(s, label, fmt == "tsv") for s in led.timeline(selection, plain=True))
    render.render_values(values, cr.PROGRAMS, fmt, out, False)
    return out.getvalue()


def written(led: Ledger, selection: query.Selection, fmt: str) -> str:
    found = led.timeline_written(selection, fmt)
    assert found is not None
    out = io.StringIO()
    cr.write_written(found, fmt, out, False)
    return out.getvalue()


@pytest.mark.parametrize(("text", "options"), SELECTIONS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_written_is_the_general_text(led: Ledger, text: str, options: dict[str, object], fmt: str) -> None:
    selection = query.Selection(query.parse(text), **options)  # type: ignore[arg-type]
    expected = general(led, selection, fmt)
    assert written(led, selection, fmt) == expected
    assert expected.count("\n") > 10


def test_the_ledger_has_what_the_fast_path_must_not_get_wrong(led: Ledger) -> None:
    text = general(led, query.Selection(), "tsv")
    for piece in ("Tab\\there", "back \\\\ slash", "comma, and more", "café", "no\u00a0break"):
        assert piece in text
    rows = [r for r in general(led, query.Selection(), "jsonl").splitlines() if '"responds_to": []' not in r]
    assert len(rows) > 10  # answers, with chains
    assert '"=1+2"' in text or "=1+2" in text
    assert "'=1+2" in general(led, query.Selection(), "csv")  # the formula guard


def test_a_shared_id_takes_the_general_path(tmp_path: Path) -> None:
    specs = random_specs(30, seed=3, days=5)
    root = write_ledger(tmp_path / "l", specs)
    answer = next(s for s in specs if s.responds_to and not s.withdrawn)
    cause = next((root / "entries").rglob(f"{answer.responds_to[0]}.toml"))
    (root / "entries" / "twin").mkdir()
    (root / "entries" / "twin" / cause.name).write_text(cause.read_text("utf-8"), "utf-8")
    with Ledger(root) as opened:
        assert opened.find(query.Selection()).skipped == 0
        assert opened.timeline_written(query.Selection(), "tsv") is None
        assert opened.timeline_written(query.Selection(query.parse("escalation>=0")), "tsv") is None


def kahn(ids: Sequence[str], links: Sequence[Sequence[str]]) -> list[int]:
    """Kahn's algorithm over every incident, chronological position first (the placing rule)."""
    position = {entry_id: i for i, entry_id in enumerate(ids)}
    waiting = [0] * len(ids)
    followers: dict[int, list[int]] = defaultdict(list)
    for i, targets in enumerate(links):
        for target in dict.fromkeys(targets):
            j = position.get(target)
            if j is not None and j != i:
                waiting[i] += 1
                followers[j].append(i)
    ready = [i for i, n in enumerate(waiting) if n == 0]
    heapq.heapify(ready)
    done = [False] * len(ids)
    out: list[int] = []
    while len(out) < len(ids):
        if ready:
            i = heapq.heappop(ready)
            if done[i]:
                continue
        else:  # a cycle: the earliest undone goes next
            i = done.index(False)
        done[i] = True
        out.append(i)
        for k in followers[i]:
            waiting[k] -= 1
            if waiting[k] == 0 and not done[k]:
                heapq.heappush(ready, k)
    return out


def test_placing_the_linked_only_is_kahn_over_all() -> None:
    for seed in range(3000):
        rng = random.Random(seed)
        n = rng.randint(0, 14)
        ids = [rng.choice("abcdefghijklmnop") for _ in range(n)]  # shared ids too
        links = [[rng.choice("abcdefghijklmnopq") for _ in range(rng.choice((0, 0, 0, 1, 2, 3)))] for _ in range(n)]
        assert tl.placing(ids, links) == kahn(ids, links), (ids, links)


def test_the_same_day_answer_follows_its_cause(led: Ledger) -> None:
    selection = query.Selection()
    found = led.timeline_written(selection, "tsv")
    assert found is not None
    numbers = [int(line.split("\t", 1)[0]) for line in cr.written_lines(found, "tsv")]
    assert numbers == list(range(1, len(numbers) + 1))
    assert dataclasses.replace(selection, reverse=True).reverse
