"""`ledger stats --by FIELD`: counts, casualties and highest escalation per group."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import entry
from test_timeline_synth import copy_sample, oracle_groups, random_specs, write_ledger

BY = ["type", "category", "actor", "country", "month", "tag"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any]]:
    specs = random_specs(250, seed=11, days=200)
    return write_ledger(tmp_path_factory.mktemp("stats") / "gen", specs), specs


@pytest.mark.parametrize("by", BY)
def test_groups_match_a_separate_computation(
    generated: tuple[Path, list[Any]], cli: Callable[..., Any], by: str
) -> None:
    root, specs = generated
    result = cli("stats", "--ledger", str(root), "--by", by, "-f", "json")
    assert result.status == 0, result.err
    assert json.loads(result.out) == oracle_groups(specs, by)


def test_filters_apply(generated: tuple[Path, list[Any]], cli: Callable[..., Any]) -> None:
    root, specs = generated
    result = cli("stats", "--ledger", str(root), "--by", "country", "--min-escalation", "5", "-f", "json")
    chosen = [s for s in specs if s.escalation >= 5]
    assert json.loads(result.out) == oracle_groups(chosen, "country")
    query = cli("stats", "--ledger", str(root), "--by", "country", "escalation>=5", "-f", "json")
    assert query.out == result.out


def test_withdrawn_are_counted_only_when_asked(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = tmp_path / "l"
    (root / "entries").mkdir(parents=True)
    (root / "entries" / "2020-01-05-a.toml").write_text(entry(date="2020-01-05"))
    (root / "entries" / "2020-01-06-b.toml").write_text(
        entry(date="2020-01-06", extra='status = "withdrawn"\nwithdrawn_reason = "wrong"\n')
    )
    assert cli("stats", "--ledger", str(root), "-f", "tsv").out == (
        "type\tcount\tkilled\tkilled_low\tkilled_high\tinjured\tinjured_low\tinjured_high\tmax_escalation\n"
        "rocket-attack\t1\t\t\t\t\t\t\t4\n"
    )
    assert "rocket-attack\t2\t" in cli("stats", "--ledger", str(root), "-f", "tsv", "--withdrawn").out


def test_sample_by_category(tmp_path: Path, cli: Callable[..., Any]) -> None:
    result = cli("stats", "--ledger", str(copy_sample(tmp_path)), "--by", "category", "-f", "markdown")
    assert result.status == 0
    assert result.out == (
        "| category | count | killed | injured | max_escalation |\n"
        "|---|---|---|---|---|\n"
        "| remote-violence | 11 | 12 |  | 7 |\n"
        "| strategic-development | 5 |  |  | 3 |\n"
    )
    assert result.err == "16 incidents in 2 groups\n"


def test_sample_by_actor_merges_aliases(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = copy_sample(tmp_path)
    rows = json.loads(cli("stats", "--ledger", str(root), "--by", "actor", "-f", "json").out)
    first = rows[0]
    none = dict.fromkeys(("killed", "killed_low", "killed_high", "injured", "injured_low", "injured_high"))
    assert first == {"actor": "Iran-backed militias", "count": 10, **none, "max_escalation": 5}
    assert rows[-1]["actor"] == "(none)"  # the border closure names nobody


def test_every_format_of_list(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = copy_sample(tmp_path)

    def run(fmt: str) -> str:
        result = cli("stats", "--ledger", str(root), "--by", "country", "-f", fmt)
        assert result.status == 0
        return str(result.out)

    head = "country\tcount\tkilled\tkilled_low\tkilled_high\tinjured\tinjured_low\tinjured_high\tmax_escalation\n"
    assert run("tsv") == head + "SY\t11\t\t\t\t\t\t\t4\nIQ\t5\t12\t12\t12\t\t\t\t7\n"
    csv_head = head.replace("\t", ",").replace("\n", "\r\n")
    assert run("csv") == csv_head + "SY,11,,,,,,,4\r\nIQ,5,12,12,12,,,,7\r\n"  # RFC 4180
    assert run("ids") == "SY\nIQ\n"
    assert [json.loads(line)["country"] for line in run("jsonl").splitlines()] == ["SY", "IQ"]
    table = run("table").splitlines()
    assert table[0].split() == ["country", "count", "killed", "injured", "max_escalation"]
    assert table[2].split() == ["SY", "11", "4"]
    no_header = cli("stats", "--ledger", str(root), "--by", "country", "-f", "tsv", "--no-header").out
    assert no_header.splitlines()[0] == "SY\t11\t\t\t\t\t\t\t4"


def test_unknown_grouping_is_a_usage_error(tmp_path: Path, cli: Callable[..., Any]) -> None:
    result = cli("stats", "--ledger", str(copy_sample(tmp_path)), "--by", "place")
    assert result.status == 2
    assert '--by "place" is not one of: type, category, actor, country, month, tag' in result.err


def test_empty_selection(tmp_path: Path, cli: Callable[..., Any]) -> None:
    result = cli("stats", "--ledger", str(copy_sample(tmp_path)), "--country", "FR", "-f", "json")
    assert result.status == 0 and json.loads(result.out) == []
    assert result.err == "0 incidents in 0 groups\n"


def test_unknown_casualties_are_not_zero(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = tmp_path / "l"
    (root / "entries").mkdir(parents=True)
    files = {
        "2020-01-05-a": entry(date="2020-01-05", tables="[casualties]\nkilled = 0\n"),
        "2020-01-05-b": entry(date="2020-01-05"),
        "2020-01-05-c": entry(date="2020-01-05", type="shelling"),
        "2020-01-05-d": entry(
            date="2020-01-05", type="shelling", tables="[casualties]\ninjured = { best = 4, low = 1, high = 9 }\n"
        ),
    }
    for name, text in files.items():
        (root / "entries" / f"{name}.toml").write_text(text)
    rows = json.loads(cli("stats", "--ledger", str(root), "-f", "json").out)
    unknown = dict.fromkeys(("killed", "killed_low", "killed_high", "injured", "injured_low", "injured_high"))
    assert rows == [
        {
            "type": "rocket-attack",
            "count": 2,
            **unknown,
            "killed": 0,
            "killed_low": 0,
            "killed_high": 0,
            "max_escalation": 4,
        },
        {
            "type": "shelling",
            "count": 2,
            **unknown,
            "injured": 4,
            "injured_low": 1,
            "injured_high": 9,
            "max_escalation": 4,
        },
    ]
    table = cli("stats", "--ledger", str(root), "-f", "markdown").out.splitlines()
    assert table[2:] == ["| rocket-attack | 2 | 0 |  | 4 |", "| shelling | 2 |  | 4 (1-9) | 4 |"]
