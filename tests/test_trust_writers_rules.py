"""Issue 10: `new` and `import` apply every rule `validate` applies, so nothing they write is then rejected."""

from __future__ import annotations

import json

import pytest
from conftest import entry

NEW = ["new", "Rockets hit the airport", "--date", "2020-01-07", "--type", "rocket-attack", "--escalation", "4"]
NEW += ["--confidence", "reported", "--place", "Baghdad", "--country", "IQ", "--source", "Reuters"]
OLDER = "2020-01-09-later-strike"

CONFIG = """\
tags = ["green-zone", "airport"]

[sources."Reuters"]
reliability = "B"

[policy]
min_sources = 2
"""

# (what `new` is given, the words of the problem validate would report)
FAULTS = {
    "an unknown tag": (["--tag", "airprot"], '"airprot" is not in the tags of ledger.toml'),
    "a link to a later entry": (["--responds-to", OLDER], "is later than this entry"),
    "a link to no entry": (["--responds-to", "2020-01-01-nothing"], 'no entry "2020-01-01-nothing"'),
    "one source for a confirmed entry (policy)": (["--confidence", "confirmed"], "min_sources"),
}


@pytest.fixture
def root(make_ledger):  # type: ignore[no-untyped-def]
    return make_ledger(
        {OLDER: entry(date="2020-01-09", title="Later strike", type="airstrike", place="Taji", tables="")},
        config=CONFIG,
    )


def test_the_ledger_starts_valid(root, cli):
    result = cli("validate", "--ledger", str(root))
    assert result.status in (0, 1)
    assert "error" not in result.out, result.out  # warnings only: the faults below are the errors


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_new_refuses_what_validate_would_reject(root, cli, fault):
    given, words = FAULTS[fault]
    before = sorted(p.name for p in (root / "entries").rglob("*.toml"))
    result = cli(*NEW, *given, "--ledger", str(root))
    assert result.status == 2, result
    assert words in result.err and "nothing written" in result.err
    assert sorted(p.name for p in (root / "entries").rglob("*.toml")) == before
    # the same entry written by hand: validate reports the very problem `new` refused
    written = cli(*NEW, "--ledger", str(root))
    assert written.status == 0, written.err
    path = root / written.out.strip()
    text = path.read_text()
    if "--tag" in given:
        text = text.replace('tags = ["', 'tags = ["airprot", "') if "tags" in text else f'tags = ["airprot"]\n{text}'
    elif "--responds-to" in given:
        text = f'responds_to = ["{given[1]}"]\n{text}'
    else:
        text = text.replace('confidence = "reported"', 'confidence = "confirmed"')
    path.write_text(text)
    assert words in cli("validate", "--ledger", str(root)).out


def test_new_writes_what_validate_accepts(root, cli):
    result = cli(*NEW, "--tag", "airport", "--responds-to", "2020-01-05-rockets", "--ledger", str(root))
    assert result.status == 2 and 'no entry "2020-01-05-rockets"' in result.err
    result = cli(*NEW, "--tag", "airport", "--ledger", str(root))
    assert result.status == 0, result.err
    assert "error" not in cli("validate", "--ledger", str(root)).out


def test_import_rejects_rows_validate_would_reject(root, cli, tmp_path):
    rows = [
        {"title": "Tagged wrong", "tags": ["airprot"]},
        {"title": "Answers a later one", "responds_to": [OLDER]},
        {"title": "Confirmed by one", "confidence": "confirmed"},
        {"title": "Fine", "tags": ["airport"]},
    ]
    base = {
        "date": "2020-01-07",
        "type": "rocket-attack",
        "escalation": 4,
        "confidence": "reported",
        "location": {"name": "Baghdad", "country": "IQ"},
        "sources": [{"name": "Reuters", "credibility": "2"}],
    }
    file = tmp_path / "rows.json"
    file.write_text(json.dumps([{**base, **row} for row in rows]))
    result = cli("import", str(file), "--from", "json", "--ledger", str(root))
    assert result.status == 1, result
    assert '[1].tags[0]: "airprot" is not in the tags of ledger.toml' in result.err
    assert "[2].responds_to[0]" in result.err and "is later than this entry" in result.err
    assert "[3]" in result.err and "min_sources" in result.err
    assert "1 entry created" in result.err + result.out
    assert "error" not in cli("validate", "--ledger", str(root)).out  # what it wrote, validate accepts
