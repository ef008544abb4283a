"""Queries at the edges: counts past a billion, numbers too large for any count, giant query text.

Every number an entry may hold (up to `model.COUNT_MAX`, ten billion) can be asked for, and
the index (SQL) and the Python evaluator give the same answer; a number no 64-bit integer
holds is one usage error that says so, never "not a whole number" or a traceback; a long
query's caret is drawn under a window of it, not under the whole text.
"""

from __future__ import annotations

import pytest
from conftest import entry

from ledger.api import Ledger
from ledger.core.errors import QuerySyntaxError
from ledger.core.model import COUNT_MAX
from ledger.query import Selection, apply, parse

KILLED = {"a": 12, "b": 999_999_999, "c": 1_000_000_000, "d": 5_000_000_000, "e": COUNT_MAX}


@pytest.fixture
def counted(make_ledger):
    files = {
        f"2020-01-0{n}-{key}": entry(
            title=f"Incident {key}", date=f"2020-01-0{n}", tables=f"[casualties]\nkilled = {killed}\n"
        )
        for n, (key, killed) in enumerate(KILLED.items(), start=1)
    }
    return make_ledger(files)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("killed>=1000000000", "cde"),
        ("killed:1000000000", "c"),
        ("killed:1000000000..5000000000", "cd"),
        (f"killed:{COUNT_MAX}", "e"),
        (f"killed>{COUNT_MAX}", ""),
        ("killed<=999999999999999999", "abcde"),  # 18 digits: the most a query takes
        ("killed>" + "0" * 5000 + "12", "bcde"),  # leading zeros do not count, however many
        ("killed<00000000000000000000000013", "a"),
    ],
    ids=lambda value: value[:40] if isinstance(value, str) else None,
)
def test_every_count_an_entry_may_hold_can_be_asked_for(cli, counted, query, expected):
    result = cli("list", query, "--format", "ids", "--ledger", str(counted))
    assert result.status == 0, result.err
    found = "".join(line.rsplit("-", 1)[1] for line in result.out.split())
    assert found == expected
    # The Python evaluator over the entries read from the files: the same answer.
    ledger = Ledger.open(counted)
    try:
        entries = ledger.entries()
        chosen = apply(Selection(where=parse(query)), entries)
    finally:
        ledger.close()
    assert "".join(e.id.rsplit("-", 1)[1] for e in chosen) == expected


@pytest.mark.parametrize("digits", [19, 20, 4301, 100_000])
def test_a_number_past_64_bits_is_one_usage_error(cli, counted, digits):
    result = cli("list", "killed<=" + "9" * digits, "--ledger", str(counted))
    assert result.status == 2
    assert "is too large (at most 18 digits; counts end at 10,000,000,000)" in result.err
    assert "Traceback" not in result.err
    assert len(result.err) < 600  # the value and the query are shown cut, not whole


def test_a_long_query_draws_its_caret_under_a_window():
    text = "x " * 300 + "(("
    with pytest.raises(QuerySyntaxError) as info:
        parse(text)
    shown, caret = info.value.caret().split("\n")
    assert shown.startswith("…") and not shown.endswith("…")
    assert len(shown) <= 78
    assert caret.index("^") == len(shown)  # the end of the query, where a term was expected
    middle = "a " * 100 + ")" + " b" * 100
    with pytest.raises(QuerySyntaxError) as info:
        parse(middle)
    shown, caret = info.value.caret().split("\n")
    assert shown.startswith("…") and shown.endswith("…")
    assert shown[caret.index("^")] == ")"


@pytest.mark.parametrize(
    ("query", "instead"),
    [("title:rockets", "text"), ("summary:x", "text"), ("perpetrators:IRGC", "actor"), ("location:Anbar", "place")],
)
def test_an_entry_field_the_query_names_otherwise_is_suggested(query, instead):
    with pytest.raises(QuerySyntaxError) as info:
        parse(query)
    assert f'(did you mean "{instead}"?)' in info.value.message
