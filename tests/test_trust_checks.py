"""Issue 10: checks report every problem, once, and bound what the index must hold."""

from __future__ import annotations

import json

import pytest
from conftest import VALID, entry
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.api import load_text
from ledger.core import json_schema, model

ID = "2020-01-05-green-zone-rockets"
PATH = f"entries/2020/01/{ID}.toml"


def lines(cli, root):
    result = cli("validate", "--ledger", str(root), "--quiet")
    assert "Traceback" not in result.out + result.err
    return result.out.splitlines()


def test_an_invalid_required_field_does_not_hide_the_other_problems(make_ledger, cli):
    text = entry(escalation=9, country="XX", extra="date_end = 2020-01-01\n")
    root = make_ledger({ID: text})
    assert lines(cli, root) == [
        f"{PATH}:4: escalation: 9 is out of range 0..7",
        f"{PATH}:6: date_end: 2020-01-01 is before date 2020-01-05",
        f'{PATH}:10: location.country: "XX" is not an ISO 3166-1 alpha-2 country code',
    ]


def test_links_of_an_invalid_entry_are_checked_too(make_ledger, cli):
    root = make_ledger({ID: entry(confidence="sure", extra='responds_to = ["2020-01-01-gone"]\n')})
    found = lines(cli, root)
    assert any("confidence:" in line for line in found)
    assert any('responds_to[0]: no entry "2020-01-01-gone"' in line for line in found)


def test_lat_out_of_range_is_not_also_a_missing_pair(make_ledger, cli):
    root = make_ledger({ID: entry().replace('country = "IQ"\n', 'country = "IQ"\nlat = 100.0\nlon = 44.0\n')})
    assert lines(cli, root) == [f"{PATH}:10: location.lat: 100.0 is out of range -90..90"]


def test_counts_are_bounded_to_what_the_index_holds(make_ledger, cli):
    big = "9223372036854775808"
    root = make_ledger({ID: entry(tables=f"[casualties]\nkilled = {big}\n")})
    assert lines(cli, root) == [f"{PATH}:12: casualties.killed: {big} is above the maximum 10,000,000,000"]
    for command in (["list"], ["show", ID], ["stats"], ["timeline"], ["dupes"], ["export"]):
        result = cli(*command, "--ledger", str(root))
        assert "Traceback" not in result.out + result.err, command


@pytest.mark.parametrize("document", [json_schema.entry_schema(), json_schema.output_schema()])
def test_every_integer_of_the_json_schema_is_bounded(document):
    found = json.loads(json.dumps(document))

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") in ("integer", ["integer", "null"]):
                assert 0 <= node["maximum"] <= 2**63 - 1, node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(found)
    assert model.COUNT_MAX * 1_000_000 < 2**63  # sums over a million entries fit SQLite's integers


# -- property: validate reports the union of the problems of single faults -------------------

_AT = 'time_of_day = "evening"\n'  # faults that add a key keep this line for the next one
FAULTS = {
    "escalation": ("escalation = 4", "escalation = 9"),
    "confidence": ('confidence = "reported"', 'confidence = "sure"'),
    "type": ('type = "rocket-attack"', 'type = "rockets"'),
    "title": ('title = "Rockets hit the Green Zone"\n', ""),
    "date_end": (_AT, _AT + "date_end = 2020-01-01\n"),
    "future": (_AT, _AT + "date_end = 2999-01-01\n"),
    "country": ('country = "IQ"', 'country = "XX"'),
    "country_form": ('country = "IQ"', 'country = "Iraq"'),
    "lat": ("lat = 33.305", "lat = 133.305"),
    "precision": ('precision = "town"', 'precision = "street"'),
    "unknown": ("[actors]\n", "[actors]\nleader = 1\n"),
    "attribution": ('attribution = "suspected"', 'attribution = "guessed"'),
    "injured": ("injured = { best = 3, low = 2, high = 5 }", "injured = -3"),
    "note": ('note = "several civilians"', "note = 3"),
    "tags": ('tags = ["green-zone"]', 'tags = ["Green Zone"]'),
    "link": (_AT, _AT + 'responds_to = ["2020-01-01-gone"]\n'),
    "source": ('name = "Reuters"', 'name = ""'),
    "reliability": ('reliability = "B"', 'reliability = "Z"'),
    "withdrawn": (_AT, _AT + 'withdrawn_reason = "x"\n'),
    "summary": ('summary = "Six rockets fell in and near the Green Zone."', 'summary = "a\\u0007b"'),
}
_CLASHES = [{"date_end", "future"}, {"country", "country_form"}]


def _problems(text: str) -> set[tuple[str, str]]:
    loaded = load_text(PATH, text, today=model_today())
    from ledger.core import checks

    node = loaded.entry or loaded.partial
    found = {(p.field, p.message) for p in loaded.problems}
    if node is not None:
        found |= {(p.field, p.message) for p in checks.ledger_problems([checks.Node.of(node, PATH)])}
    return found


def model_today():
    import datetime as dt

    return dt.date(2026, 1, 1)


def _apply(names) -> str:
    text = VALID
    for name in names:
        old, new = FAULTS[name]
        assert old in text, name
        text = text.replace(old, new, 1)
    return text


@settings(max_examples=60, deadline=None)
@given(st.sets(st.sampled_from(sorted(FAULTS)), min_size=2))
def test_validate_reports_the_union_of_single_faults(names):
    if any(clash <= names for clash in _CLASHES):
        return
    assert _problems(VALID) == set()
    singles = set().union(*(_problems(_apply([name])) for name in names))
    assert all(_problems(_apply([name])) for name in names)  # every fault is caught on its own
    assert _problems(_apply(sorted(names))) == singles
