"""Each rule of ledger/core/checks.py, tested directly: load a small text, assert the exact problems.

In beancount's style (`loader.load_doc`): the input sits beside the assertion, and every rule is
shown both firing and staying quiet. `check` loads one entry's text with the library's pure
loader; `check_ledger` loads several and runs the ledger-wide rules over them.
"""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from conftest import entry

from ledger.api import load_text
from ledger.core import checks

TODAY = dt.date(2024, 6, 1)
ID = "2020-01-05-green-zone-rockets"


def check(text: str, entry_id: str = ID) -> list[str]:
    """Return the problems of one entry file, as `ledger validate` prints them."""
    loaded = load_text(f"entries/{entry_id}.toml", textwrap.dedent(text), TODAY)
    return [str(p) for p in loaded.problems]


def check_ledger(texts: dict[str, str], undecoded: tuple[tuple[str, str], ...] = ()) -> list[str]:
    """Return the ledger-wide problems of several entry files ({id: text})."""
    nodes = []
    for entry_id, text in texts.items():
        loaded = load_text(f"entries/{entry_id}.toml", textwrap.dedent(text), TODAY)
        assert loaded.entry is not None, loaded.problems
        nodes.append(checks.Node.of(loaded.entry, loaded.rel))
    return [str(p) for p in checks.ledger_problems(nodes, undecoded)]


def test_a_valid_entry_has_no_problems():
    assert check(entry()) == []


# -- the id --------------------------------------------------------------------------------


def test_the_file_name_must_be_an_id():
    assert check(entry(), "2020-1-5-rockets") == [
        'entries/2020-1-5-rockets.toml:1: id: file name "2020-1-5-rockets" is not a valid id '
        "(lowercase YYYY-MM-DD-words of a-z, 0-9 and -, at most 100)"
    ]
    long_id = "2020-01-05-" + "a" * 90
    assert check(entry(), long_id)[0].endswith("at most 100)")
    assert check(entry(), long_id[:100]) == []


def test_a_written_id_must_equal_the_file_name():
    assert check(entry(extra=f'id = "{ID}"')) == []
    assert check(entry(extra='id = "2020-01-05-other"')) == [
        f'entries/{ID}.toml:6: id: "2020-01-05-other" differs from the file name "{ID}"'
    ]


def test_is_valid_id_and_the_rule_in_words():
    assert checks.is_valid_id(ID)
    assert not checks.is_valid_id("2020-01-05")  # no words
    assert not checks.is_valid_id("2020-01-05-Rockets")  # uppercase
    assert not checks.is_valid_id("2020-01-05-" + "a" * 90)  # 101 characters
    assert "at most 100" in checks.ID_RULE


# -- one entry: dates -----------------------------------------------------------------------


def test_date_end_must_not_be_before_date():
    assert check(entry(extra="date_end = 2020-01-05")) == []
    assert check(entry(extra="date_end = 2020-01-04")) == [
        f"entries/{ID}.toml:6: date_end: 2020-01-04 is before date 2020-01-05"
    ]


def test_dates_must_not_be_in_the_future():
    assert check(entry(date="2024-06-01")) == []  # today is fine
    assert check(entry(date="2024-06-02", extra="date_end = 2024-06-03")) == [
        f"entries/{ID}.toml:2: date: 2024-06-02 is in the future",
        f"entries/{ID}.toml:6: date_end: 2024-06-03 is in the future",
    ]


# A rule about a field that is absent points at line 1, the top of the file.


def test_a_vague_date_needs_its_last_possible_day():
    assert check(entry(extra='date_precision = "day"')) == []
    assert check(entry(extra='date_precision = "week"\ndate_end = 2020-01-11')) == []
    assert check(entry(extra='date_precision = "week"')) == [
        f'entries/{ID}.toml:1: date_end: warning: date_precision "week" without date_end: give the last possible day'
    ]


# -- one entry: the place -------------------------------------------------------------------


def test_coordinates_come_in_pairs():
    assert check(entry().replace('country = "IQ"\n', 'country = "IQ"\nlat = 33.3\nlon = 44.4\n')) == []
    assert check(entry().replace('country = "IQ"\n', 'country = "IQ"\nlat = 33.3\n')) == [
        f"entries/{ID}.toml:10: location.lat: give both lat and lon, or neither"
    ]
    assert check(entry().replace('country = "IQ"\n', 'country = "IQ"\nlon = 44.4\n')) == [
        f"entries/{ID}.toml:10: location.lon: give both lat and lon, or neither"
    ]


def test_the_country_must_be_an_iso_code():
    assert check(entry(country="XX")) == [
        f'entries/{ID}.toml:9: location.country: "XX" is not an ISO 3166-1 alpha-2 country code'
    ]
    # not two capitals: the schema's pattern says so, once, and this rule stays quiet
    assert check(entry(country="iq")) == [f'entries/{ID}.toml:9: location.country: "iq" does not match ^[A-Z]{{2}}$']


def test_exact_precision_needs_coordinates():
    exact = 'country = "IQ"\nprecision = "exact"\n'
    assert check(entry().replace('country = "IQ"\n', exact)) == [
        f'entries/{ID}.toml:10: location.precision: warning: "exact" without coordinates'
    ]
    assert check(entry().replace('country = "IQ"\n', exact + "lat = 33.3\nlon = 44.4\n")) == []


# -- one entry: status and links --------------------------------------------------------------


def test_a_withdrawn_entry_needs_a_reason():
    assert check(entry(extra='status = "withdrawn"\nwithdrawn_reason = "a duplicate"')) == []
    assert check(entry(extra='status = "withdrawn"')) == [
        f"entries/{ID}.toml:1: withdrawn_reason: a withdrawn entry needs a withdrawn_reason"
    ]


def test_only_a_withdrawn_entry_has_a_reason_or_a_duplicate():
    assert check(entry(extra='withdrawn_reason = "oops"\nduplicate_of = "2020-01-05-other"')) == [
        f'entries/{ID}.toml:6: withdrawn_reason: only a withdrawn entry (status = "withdrawn") has this',
        f'entries/{ID}.toml:7: duplicate_of: only a withdrawn entry (status = "withdrawn") has this',
    ]


def test_an_entry_cannot_link_to_itself():
    assert check(entry(extra=f'responds_to = ["{ID}"]\nrelated = ["{ID}"]')) == [
        f"entries/{ID}.toml:6: responds_to: an entry cannot link to itself",
        f"entries/{ID}.toml:7: related: an entry cannot link to itself",
    ]


@pytest.mark.parametrize("name", ["responds_to", "related", "tags", "aliases"])
def test_a_list_names_a_value_once(name):
    value = {"tags": "umbrella", "aliases": "UCDP:1"}.get(name, "2020-01-01-earlier")
    assert check(entry(extra=f'{name} = ["{value}"]')) == []
    assert check(entry(extra=f'{name} = ["{value}", "{value}"]')) == [
        f"entries/{ID}.toml:6: {name}: warning: lists a value twice"
    ]


# -- the whole ledger -----------------------------------------------------------------------

A, B, C = "2020-01-05-a", "2020-01-06-b", "2020-01-07-c"


def test_links_must_reach_an_entry():
    texts = {
        A: entry(),
        B: entry(date="2020-01-06", place="B", extra=f'responds_to = ["{A}"]\nrelated = ["{A}"]'),
    }
    assert check_ledger(texts) == []
    texts[B] = entry(
        date="2020-01-06",
        place="B",
        extra='responds_to = ["2020-01-05-aa"]\nrelated = ["1999-12-31-unrelated-words"]\n'
        'status = "withdrawn"\nwithdrawn_reason = "dup"\nduplicate_of = "2020-01-05-gone"',
    )
    assert check_ledger(texts) == [
        f'entries/{B}.toml: responds_to[0]: no entry "2020-01-05-aa" (did you mean "{A}"?)',
        f'entries/{B}.toml: related[0]: no entry "1999-12-31-unrelated-words"',
        f'entries/{B}.toml: duplicate_of: no entry "2020-01-05-gone" (did you mean "{A}"?)',
    ]


def test_a_link_to_a_file_that_does_not_decode_is_not_missing():
    texts = {B: entry(date="2020-01-06", extra=f'responds_to = ["{A}"]')}
    assert check_ledger(texts, undecoded=((A, f"entries/{A}.toml"),)) == []


def test_an_entry_does_not_respond_to_a_later_one():
    texts = {A: entry(extra=f'responds_to = ["{B}"]'), B: entry(date="2020-01-06", place="B")}
    assert check_ledger(texts) == [
        f'entries/{A}.toml: responds_to[0]: "{B}" (2020-01-06) is later than this entry (2020-01-05)'
    ]


def test_an_entry_cannot_duplicate_itself():
    withdrawn = f'status = "withdrawn"\nwithdrawn_reason = "dup"\nduplicate_of = "{A}"'
    assert check_ledger({A: entry(extra=withdrawn)}) == [
        f"entries/{A}.toml: duplicate_of: an entry cannot duplicate itself"
    ]


def test_responds_to_forms_no_cycle():
    texts = {
        A: entry(extra=f'responds_to = ["{C}"]'),  # later, so also reported as such
        B: entry(date="2020-01-06", place="B", extra=f'responds_to = ["{A}"]'),
        C: entry(date="2020-01-07", place="C", extra=f'responds_to = ["{B}"]'),
    }
    assert check_ledger(texts) == [
        f'entries/{A}.toml: responds_to[0]: "{C}" (2020-01-07) is later than this entry (2020-01-05)',
        f"entries/{A}.toml: responds_to: responds_to forms a cycle: {A} -> {C} -> {B} -> {A}",
    ]


def test_one_id_in_two_files():
    nodes = [
        checks.Node.of(load_text(f"entries/{path}/{A}.toml", entry(), TODAY).entry, f"entries/{path}/{A}.toml")
        for path in ("2020", "old")
    ]
    assert [str(p) for p in checks.ledger_problems(nodes)] == [
        f'entries/2020/{A}.toml:1: id: id "{A}" is also used by entries/old/{A}.toml',
        f'entries/old/{A}.toml:1: id: id "{A}" is also used by entries/2020/{A}.toml',
        f"entries/2020/{A}.toml: warning: possible duplicate of {A} (same date, place and type)",
        f"entries/old/{A}.toml: warning: possible duplicate of {A} (same date, place and type)",
    ]


def test_plausible_duplicates_share_date_place_and_type():
    same = {A: entry(), "2020-01-05-b": entry(place="green zone")}  # the place in any case
    assert check_ledger(same) == [
        f"entries/{A}.toml: warning: possible duplicate of 2020-01-05-b (same date, place and type)",
        f"entries/2020-01-05-b.toml: warning: possible duplicate of {A} (same date, place and type)",
    ]
    assert check_ledger({A: entry(), "2020-01-05-b": entry(type="shelling")}) == []
    assert check_ledger({A: entry(), "2020-01-05-b": entry(place="Elsewhere")}) == []
    withdrawn = f'status = "withdrawn"\nwithdrawn_reason = "dup"\nduplicate_of = "{A}"'
    assert check_ledger({A: entry(), "2020-01-05-b": entry(extra=withdrawn)}) == []


def test_pairs_settled_as_two_are_not_plausible_duplicates():
    # The rule `ledger dupes` applies too (checks.linked, checks.distinct_records): one answer.
    def warned(a: str, b: str) -> list[str]:
        return [p for p in check_ledger({A: entry(extra=a), "2020-01-05-b": entry(extra=b)}) if "duplicate" in p]

    assert warned('aliases = ["UCDP:1"]', 'aliases = ["UCDP:2"]') == []  # two events by UCDP's own coding
    assert len(warned('aliases = ["UCDP:1"]', 'aliases = ["ucdp:1"]')) == 2  # the namespace in any case
    assert len(warned('aliases = ["UCDP:1"]', 'aliases = ["UCDP:1"]')) == 2  # the same record twice
    assert len(warned('aliases = ["UCDP:1"]', 'aliases = ["ACLED:IRQ9"]')) == 2  # across datasets
    assert len(warned('aliases = ["UCDP:1"]', "")) == 2
    assert warned("", f'responds_to = ["{A}"]') == []
    assert warned('responds_to = ["2020-01-05-b"]', "") == []


def test_suggest_id_prefers_the_same_day():
    ids = ["2020-01-05-rockets-hit-base", "2020-01-06-rockets-hit-bass"]
    assert checks.suggest_id("2020-01-06-rockets-hit-base", ids) == ' (did you mean "2020-01-06-rockets-hit-bass"?)'
    assert checks.suggest_id("2020-01-07-rockets-hit-base", ids) == ' (did you mean "2020-01-05-rockets-hit-base"?)'
    assert checks.suggest_id("1999-01-01-nothing-alike", ids) == ""
