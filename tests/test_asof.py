"""Time travel: `--as-of REV` answers from the ledger as it was; parsed blobs are cached by id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import entry
from test_git import GitRepo, new_repo

from ledger import query
from ledger.api import Ledger, loader


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    return new_repo(tmp_path, monkeypatch)


def three_revisions(repo: GitRepo) -> list[str]:
    repo.write("2020-01-03-strike", entry(title="Strike", date="2020-01-03", type="airstrike", escalation=5))
    repo.write("2020-01-05-rockets", entry(title="Rockets", date="2020-01-05", country="SY"))
    first = repo.commit("One")
    repo.write("2020-01-05-rockets", entry(title="Rockets", date="2020-01-05", country="IQ", escalation=6))
    repo.write("2020-01-06-rally", entry(title="Rally", date="2020-01-06", type="protest", escalation=0))
    second = repo.commit("Two")
    repo.remove("2020-01-03-strike")
    repo.write("2020-01-07-bad", 'title = "broken\n')
    third = repo.commit("Three")
    repo.write("2020-01-08-uncommitted", entry(title="Draft", date="2020-01-08"))
    return [first, second, third]


def ids(found) -> list[str]:  # type: ignore[no-untyped-def]
    return list(found.ids())


def test_at_answers_from_each_revision(repo: GitRepo) -> None:
    first, second, third = three_revisions(repo)
    with Ledger(repo.root) as ledger:  # closes the revision indexes `at` opened
        assert ids(ledger.at(first).find()) == ["2020-01-03-strike", "2020-01-05-rockets"]
        assert ids(ledger.at("HEAD~1").find()) == ["2020-01-03-strike", "2020-01-05-rockets", "2020-01-06-rally"]
        at_third = ledger.at(third).find()
        assert ids(at_third) == ["2020-01-05-rockets", "2020-01-06-rally"]
        assert (at_third.skipped, at_third.invalid()) == (1, ["entries/2020/01/2020-01-07-bad.toml"])
        country_sy = query.Selection(where=query.parse("country:SY"))
        assert ids(ledger.at(first).find(country_sy)) == ["2020-01-05-rockets"]
        assert ids(ledger.at(second).find(country_sy)) == []
        assert [e.escalation for e in ledger.at(second).select("id:2020-01-05-rockets")] == [6]
        assert ledger.at(None) is ledger


def test_lookup_and_source_text_at_a_revision(repo: GitRepo) -> None:
    first, *_ = three_revisions(repo)
    with Ledger(repo.root) as ledger:
        old = ledger.at(first)
        record = old.lookup(["2020-01-05-rockets", "2020-01-06-rally"])
        assert list(record) == ["2020-01-05-rockets"]
        assert record["2020-01-05-rockets"]["location"]["country"] == "SY"
        assert record["2020-01-05-rockets"]["path"] == "entries/2020/01/2020-01-05-rockets.toml"
        text, problem = old.source_text("entries/2020/01/2020-01-05-rockets.toml")
        assert problem is None and text is not None and 'country = "SY"' in text
        assert old.suggest_id("2020-01-05-rocket") == ' (did you mean "2020-01-05-rockets"?)'


def test_second_query_parses_nothing(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second, _ = three_revisions(repo)
    parsed: list[str] = []
    # Every blob read from git is parsed by one of the two: text straight to its row, other bytes the careful road.
    original_bytes, original_text = loader.load_bytes, loader.text_row
    monkeypatch.setattr(
        loader, "load_bytes", lambda rel, data, today=None: parsed.append(rel) or original_bytes(rel, data, today)
    )
    monkeypatch.setattr(loader, "text_row", lambda item, text: parsed.append(item[0]) or original_text(item, text))
    with Ledger(repo.root) as ledger:
        ledger.at(first).find()
        assert len(parsed) == 2
        parsed.clear()
        ledger.at(first).find()
        assert parsed == []
        ledger.at(second).find()  # shares the strike's blob with the first revision
        assert parsed == ["entries/2020/01/2020-01-05-rockets.toml", "entries/2020/01/2020-01-06-rally.toml"]


def test_vocabulary_of_the_revision(repo: GitRepo) -> None:
    repo.write("2020-01-05-rockets", entry(extra="", tables='[actors]\nperpetrators = ["Kataib Hezbollah"]\n'))
    (repo.root / "ledger.toml").write_text('[actors."Kataib Hezbollah"]\naliases = ["KH"]\n')
    first = repo.commit("With aliases")
    (repo.root / "ledger.toml").write_text('[actors."Kataib Hezbollah"]\naliases = []\n')
    repo.commit("Without")
    kh = query.Selection(where=query.parse("actor:KH"))
    with Ledger(repo.root) as ledger:
        assert ids(ledger.at(first).find(kh)) == ["2020-01-05-rockets"]
        assert ids(ledger.at("HEAD").find(kh)) == []


def test_unknown_and_hostile_revisions(repo: GitRepo, cli, tmp_path: Path) -> None:
    three_revisions(repo)
    out = tmp_path / "pwned"
    for rev in ("nope", f"--output={out}", "-c", "HEAD;touch x"):
        result = cli("list", "--ledger", str(repo.root), "--as-of", rev)
        assert result.status == 2, (rev, result)
        assert not out.exists()


def test_list_as_of(repo: GitRepo, cli) -> None:
    first, *_ = three_revisions(repo)
    result = cli("list", "--ledger", str(repo.root), "--as-of", first, "--format", "ids")
    assert (result.status, result.out) == (0, "2020-01-03-strike\n2020-01-05-rockets\n")
    result = cli("list", "--ledger", str(repo.root), "--as-of", "HEAD", "--format", "json", "country:IQ")
    assert [r["id"] for r in json.loads(result.out)] == ["2020-01-05-rockets", "2020-01-06-rally"]
    assert "1 invalid entry file left out" in result.err
    columns = cli(
        "list", "--ledger", str(repo.root), "--as-of", first, "--format", "tsv", "--columns", "id,country,label"
    )
    assert columns.out.splitlines()[1:] == [
        "2020-01-03-strike\tIQ\tlethal-strike",
        "2020-01-05-rockets\tSY\tharassing-fire",
    ]
    now = cli("list", "--ledger", str(repo.root), "--format", "ids")
    assert "2020-01-08-uncommitted" in now.out


def test_show_as_of(repo: GitRepo, cli) -> None:
    first, *_ = three_revisions(repo)
    result = cli("show", "--ledger", str(repo.root), "--as-of", first, "2020-01-05-rockets", "--format", "json")
    assert result.status == 0, result.err
    assert json.loads(result.out)["location"]["country"] == "SY"
    toml = cli("show", "--ledger", str(repo.root), "--as-of", first, "2020-01-05-rockets", "--format", "toml")
    assert 'country = "SY"' in toml.out
    gone = cli("show", "--ledger", str(repo.root), "--as-of", first, "2020-01-06-rally")
    assert gone.status == 1


def test_timeline_and_stats_as_of(repo: GitRepo, cli) -> None:
    first, *_ = three_revisions(repo)
    timeline = cli("timeline", "--ledger", str(repo.root), "--as-of", first, "--format", "json")
    assert timeline.status == 0, timeline.err
    assert [step["id"] for step in json.loads(timeline.out)] == ["2020-01-03-strike", "2020-01-05-rockets"]
    stats = cli("stats", "--ledger", str(repo.root), "--as-of", first, "--by", "country", "--format", "json")
    assert stats.status == 0, stats.err
    assert "SY" in stats.out and "2020-01-06" not in stats.out


def test_cached_records_rebuild_the_same_entries() -> None:
    from conftest import ROOT

    from ledger.core import schema

    entries = Ledger(ROOT).entries()
    assert len(entries) >= 16
    for item in entries:
        record = json.loads(json.dumps(schema.to_json(item, "entries/x.toml")))
        assert schema.from_json(record) == item
