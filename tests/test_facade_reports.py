"""The chronology and lookups the commands render come from the library: load a small ledger, assert the values."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import entry

from ledger.api import Ledger
from ledger.api.form import entry_data, parse_answer
from ledger.core.errors import NotFound, UsageError
from ledger.query import Selection, parse, starts_query

A = "2020-01-03-strike"
B = "2020-01-04-answer"
C = "2020-01-05-reply"


@pytest.fixture
def ledger(make_ledger) -> Iterator[Ledger]:
    root = make_ledger(
        {
            A: entry(title="Strike", date="2020-01-03", type="airstrike", escalation=6),
            B: entry(title="Answer", date="2020-01-04", escalation=4, extra=f'responds_to = ["{A}"]\n'),
            C: entry(title="Reply", date="2020-01-05", escalation=5, country="SY", extra=f'responds_to = ["{B}"]\n'),
        }
    )
    with Ledger(root) as opened:
        yield opened


def test_a_filtered_timeline_follows_its_chains_outside_the_selection(ledger):
    found = ledger.timeline(Selection(where=parse("country:SY")))
    assert [s.entry.id for s in found.steps] == [C]
    assert found.steps[0].chain == (A, B)  # outside the selection, still walked


def test_stats_and_periods_aggregate_the_index_columns(ledger):
    stats = ledger.stats(Selection(), "country")
    assert stats.count == 3
    assert [(g.key, g.count, g.max_escalation) for g in stats.groups] == [("IQ", 2, 6), ("SY", 1, 5)]
    periods = ledger.periods(Selection(), "day").periods
    assert [p.count for p in periods] == [1, 1, 1]
    with pytest.raises(UsageError, match='--by "year" is not one of: day, week, month'):
        ledger.periods(Selection(), "year")


def test_the_chain_walks_both_ways_and_unknown_ids_are_not_found(ledger):
    chain = ledger.chain(B)
    assert [line.id for line in chain.back] == [B, A]
    assert [line.id for line in chain.forward] == [B, C]
    assert chain.cycles == []
    with pytest.raises(NotFound, match=f'no entry "2020-01-03-strik" \\(did you mean "{A}"\\?\\)'):
        ledger.chain("2020-01-03-strik")


def test_records_by_id_or_path(ledger):
    path = str(ledger.root / "entries/2020/01" / f"{A}.toml")
    assert [r["id"] for r in ledger.records([B, path])] == [B, A]


def test_new_entry_values_are_checked_by_the_library():
    assert parse_answer("escalation", " 3 ") == 3
    for key, text, message in (
        ("escalation", "9", "give a whole number from 0 to 7"),
        ("type", "rocket-atack", "is not one of the choices"),
        ("date", "2020-13-01", "is not a date"),
        ("title", "  ", "a value is needed"),
    ):
        with pytest.raises(ValueError, match=message):
            parse_answer(key, text)
    fields = {"title": "T", "date": "2020-01-05", "type": "raid", "escalation": 3, "confidence": "reported"}
    data = entry_data({**fields, "place": "Baghdad", "country": "Iraq", "source": "S", "killed": 0})
    assert data["location"] == {"name": "Baghdad", "country": "IQ"}
    assert data["casualties"] == {"killed": 0}  # 0 is a count, not "unknown"
    with pytest.raises(UsageError, match='--date "5 Jan" is not a date'):
        entry_data({**fields, "date": "5 Jan", "place": "X", "country": "IQ", "source": "S"})


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("type:raid", True),
        ("escalation>=3", True),
        ("not:type:raid", True),
        ("(", True),
        ("OR", True),
        ("HEAD~3", False),
        ("main..feature", False),
        ("v1.0", False),
        ("", False),
        ("entries/2020", False),
    ],
)
def test_diff_tells_query_words_from_revisions(word, expected):
    assert starts_query(word) is expected
