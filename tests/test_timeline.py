"""`ledger timeline`: order, escalation changes, days between, chains, periods, formats."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import entry
from test_timeline_synth import Spec, casualty_sums, copy_sample, random_specs, write_ledger

from ledger.core import model
from ledger.core.schema import decode
from ledger.reports import timeline

SOLEIMANI = "2020-01-03-us-airstrike-kills-soleimani-and-muhandis-in-baghdad"
ROCKETS = "2020-01-04-rockets-hit-green-zone-and-base-housing-us-forces"
SERIES = "2020-01-04-series-of-strikes-on-iran-backed-bases-in-iraq-and-syria"
SIX_ROCKETS = "2020-01-05-six-rockets-fall-in-and-near-baghdad-green-zone"


def records(cli: Callable[..., Any], root: Path, *args: str) -> list[dict[str, Any]]:
    result = cli("timeline", "--ledger", str(root), "-f", "json", *args)
    assert result.status == 0, result.err
    return list(json.loads(result.out))


# -- the sample ledger reads like the article's chronology ---------------------------------


def test_sample_timeline_has_the_soleimani_strike_at_the_root(tmp_path: Path, cli: Callable[..., Any]) -> None:
    rows = records(cli, copy_sample(tmp_path))
    by_id = {r["id"]: r for r in rows}
    assert [r["number"] for r in rows] == list(range(1, 17))
    assert by_id[SOLEIMANI]["chain"] == [] and by_id[SOLEIMANI]["escalation"] == 7
    assert by_id[SIX_ROCKETS]["chain"] == [SOLEIMANI, ROCKETS, SERIES]
    chained = [r["id"] for r in rows if r["chain"]]
    # every incident that says it answers something in the Soleimani aftermath leads back to the strike
    assert all(by_id[i]["chain"][0] == SOLEIMANI for i in chained if "isis" not in i)
    assert by_id["2020-01-06-regime-forces-answer-isis-shelling-with-artillery-and-flares"]["chain"] == [
        "2020-01-06-isis-shells-regime-and-militia-positions-in-deir-ezzor"
    ]


def test_sample_timeline_table(tmp_path: Path, cli: Callable[..., Any]) -> None:
    result = cli("timeline", "--ledger", str(copy_sample(tmp_path)), "-f", "markdown")
    assert result.status == 0
    assert result.out == (
        "| # | date | time | escalation | ladder | change | days | title | chain |\n"
        "|---|---|---|---|---|---|---|---|---|\n"
        "| 1 | 2019-12-30~2020-01-06 |  | 2 | posture |  |  | New Iran-backed militia, the al-Sayyida Zeinab Regiment, arrives in Albukamal |  |\n"
        "| 2 | 2020-01-03 | night | 7 | strategic-strike | +5 | 4 | US air strike in Baghdad kills Quds Force commander Qasem Soleimani and Abu Mahdi al-Muhandis |  |\n"
        "| 3 | 2020-01-03~05 |  | 2 | posture | -5 | 0 | Iran-backed militias reportedly vacate their Albukamal headquarters for orchards along the Euphrates | 2 -> 3 |\n"
        "| 4 | 2020-01-03~06 |  | 2 | posture | 0 | 0 | Militias along the Iraq-Syria border on high alert after the Soleimani strike | 2 -> 4 |\n"
        "| 5 | 2020-01-04~06 |  | 4 | harassing-fire | +2 | 1 | Air strike on Iran-backed militias in Deir ez-Zor destroys three military vehicles |  |\n"
        "| 6 | 2020-01-04 | night | 4 | harassing-fire | 0 | 0 | Air strike reportedly hits an Iranian-militia base inside Syria near the Iraqi border |  |\n"
        "| 7 | 2020-01-04~05 | night | 5 | lethal-strike | +1 | 0 | Air strike on a Popular Mobilization Forces base on the Iraq-Syria border kills and injures several |  |\n"
        "| 8 | 2020-01-04 | night | 4 | harassing-fire | -1 | 0 | Saturday-night rockets target Baghdad's Green Zone and a base with US troops | 2 -> 8 |\n"
        "| 9 | 2020-01-04 | night | 5 | lethal-strike | +1 | 0 | Series of strikes on Iranian and Iran-aligned bases in Iraq and Syria | 2 -> 8 -> 9 |\n"
        "| 10 | 2020-01-05~06 |  | 3 | coercion | -2 | 1 | IRGC reportedly takes over civilian homes in the Deir ez-Zor area |  |\n"
        "| 11 | 2020-01-05 | night | 4 | harassing-fire | +1 | 0 | Syrian government forces and Iran-backed militias shell the Conoco gas field (three rounds) |  |\n"
        "| 12 | 2020-01-05 |  | 4 | harassing-fire | 0 | 0 | Six rockets land in and around Baghdad's Green Zone, injuring several civilians | 2 -> 8 -> 9 -> 12 |\n"
        "| 13 | 2020-01-06 |  | 3 | coercion | -1 | 1 | Albukamal land crossing between Iraq and Syria closed again |  |\n"
        "| 14 | 2020-01-06 | evening | 4 | harassing-fire | +1 | 0 | Strong explosions in Iran-backed militia areas near Albukamal |  |\n"
        "| 15 | 2020-01-06 | evening | 4 | harassing-fire | 0 | 0 | Islamic State fighters shell Syrian government and Iranian-militia positions in the Albukamal area |  |\n"
        "| 16 | 2020-01-06 | evening | 4 | harassing-fire | 0 | 0 | Syrian government forces answer ISIS shelling with heavy artillery and flares | 15 -> 16 |\n"
    )


def test_sample_chart_by_day(tmp_path: Path, cli: Callable[..., Any]) -> None:
    result = cli(
        "timeline", "--ledger", str(copy_sample(tmp_path)), "--by", "day", "-f", "table", env={"COLUMNS": "80"}
    )
    assert result.status == 0
    assert result.out == (
        "period      n  max  sum  killed  injured  escalation sum\n"
        "2019-12-30  1    2    2                   ███▍\n"  # 2/22 of 37 cells: 3 3/8
        "2019-12-31  0         0\n"
        "2020-01-01  0         0\n"
        "2020-01-02  0         0\n"
        "2020-01-03  3    7   11      12           ██████████████████▌\n"  # 11/22 of 37: 18 1/2
        "2020-01-04  5    5   22                   █████████████████████████████████████\n"
        "2020-01-05  3    4   11                   ██████████████████▌\n"
        "2020-01-06  4    4   15                   █████████████████████████▎\n"  # 15/22 of 37: 25.2 -> 25 2/8
    )


def test_filtered_timeline_chains_through_incidents_left_out(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = copy_sample(tmp_path)
    rows = records(cli, root, "--country", "IQ", "--since", "2020-01-05", "--type", "rocket-attack")
    assert [r["id"] for r in rows] == [SIX_ROCKETS]
    assert rows[0]["chain"] == [SOLEIMANI, ROCKETS, SERIES]
    assert rows[0]["change"] is None and rows[0]["days"] is None  # the first of the selection
    table = cli(
        "timeline", "--ledger", str(root), "country:IQ", "since:2020-01-05", "type:rocket-attack", "-f", "markdown"
    )
    assert f"| {SOLEIMANI} -> {ROCKETS} -> {SERIES} -> 1 |" in table.out


# -- order, changes and days on generated ledgers (oracle: the generator's own values) ------


def _naive_depth(spec_id: str, by_id: dict[str, Spec]) -> int:
    links = [t for t in by_id[spec_id].responds_to if t in by_id]
    return 0 if not links else 1 + max(_naive_depth(t, by_id) for t in links)


@pytest.mark.parametrize("seed", [1, 2])
def test_order_changes_days_and_chains_match_the_generated_values(
    tmp_path: Path, cli: Callable[..., Any], seed: int
) -> None:
    specs = random_specs(150, seed)
    rows = records(cli, write_ledger(tmp_path / "gen", specs))
    active = sorted(
        (s for s in specs if not s.withdrawn),
        key=lambda s: (s.date, s.time is not None, s.time or dt.time.min, s.id),
    )
    assert [r["id"] for r in rows] == [s.id for s in active]
    for previous, current, row in zip([None, *active], active, rows, strict=False):
        assert row["escalation"] == current.escalation
        assert row["change"] == (None if previous is None else current.escalation - previous.escalation)
        assert row["days"] == (None if previous is None else (current.date - previous.date).days)
        assert row["vague"] == (current.date_end is not None)
    by_id = {s.id: s for s in active}
    for row in rows:
        chain = row["chain"]
        assert len(chain) == _naive_depth(row["id"], by_id)  # the longest chain
        path = [*chain, row["id"]]
        assert all(a in by_id[b].responds_to for a, b in itertools.pairwise(path))
        assert not chain or not by_id[chain[0]].responds_to  # it starts at a root


def _oracle_periods(specs: list[Spec], by: str) -> list[dict[str, Any]]:
    def start(day: dt.date) -> dt.date:
        if by == "day":
            return day
        if by == "week":
            return day - dt.timedelta(days=day.weekday())
        return dt.date(day.year, day.month, 1)

    active = [s for s in specs if not s.withdrawn]
    first, last = min(s.date for s in active), max(s.date for s in active)
    starts: list[dt.date] = []
    day = first
    while day <= last:  # every day of the range, mapped to its period: the gaps are listed too
        if not starts or starts[-1] != start(day):
            starts.append(start(day))
        day += dt.timedelta(days=1)
    out = []
    for begin in starts:
        members = [s for s in active if start(s.date) == begin]
        out.append(
            {
                "start": begin.isoformat(),
                "count": len(members),
                "max_escalation": max((m.escalation for m in members), default=None),
                "sum_escalation": sum(m.escalation for m in members),
                **casualty_sums(members),
            }
        )
    return out


@pytest.mark.parametrize("by", ["day", "week", "month"])
def test_aggregation_matches_a_separate_computation(tmp_path: Path, cli: Callable[..., Any], by: str) -> None:
    specs = random_specs(200, seed=7, days=400)
    result = cli("timeline", "--ledger", str(write_ledger(tmp_path / "gen", specs)), "--by", by, "-f", "json")
    assert result.status == 0, result.err
    got = json.loads(result.out)
    assert [{k: v for k, v in row.items() if k not in ("period", "end")} for row in got] == _oracle_periods(specs, by)
    if by == "week":
        assert got[0]["period"] == "{}-W{:02d}".format(*dt.date.fromisoformat(got[0]["start"]).isocalendar()[:2])
    if by == "month":
        assert all(row["period"] == row["start"][:7] for row in got)


# -- ordering rules and edge cases ---------------------------------------------------------


def _entry(entry_id: str, text: str) -> model.Entry:
    import rtoml

    decoded, problems = decode(rtoml.loads(text), entry_id=entry_id)
    assert decoded is not None, problems
    return decoded


def test_an_answer_never_comes_before_its_cause_on_the_same_day(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = tmp_path / "l"
    (root / "entries").mkdir(parents=True)
    files = {
        "2020-01-03-zz-strike": entry(title="Strike", date="2020-01-03", escalation=7),
        "2020-01-03-aa-answer": entry(
            title="Answer", date="2020-01-03", escalation=2, extra='responds_to = ["2020-01-03-zz-strike"]\n'
        ),
        "2020-01-03-mm-other": entry(title="Other", date="2020-01-03", escalation=3),
    }
    for name, text in files.items():
        (root / "entries" / f"{name}.toml").write_text(text)
    rows = records(cli, root)
    assert [r["id"] for r in rows] == ["2020-01-03-mm-other", "2020-01-03-zz-strike", "2020-01-03-aa-answer"]
    assert [r["change"] for r in rows] == [None, 4, -5]


def test_time_known_sorts_after_unknown_and_by_time(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = tmp_path / "l"
    (root / "entries").mkdir(parents=True)
    for name, extra in {
        "2020-01-05-a": "time = 21:00:00\n",
        "2020-01-05-b": "time = 06:30:00\n",
        "2020-01-05-c": 'time_of_day = "evening"\n',
    }.items():
        (root / "entries" / f"{name}.toml").write_text(entry(date="2020-01-05", extra=extra))
    result = cli("timeline", "--ledger", str(root), "-f", "markdown")
    lines = result.out.splitlines()[2:]
    assert [line.split(" | ")[1:3] for line in lines] == [
        ["2020-01-05", "evening"],
        ["2020-01-05", "06:30"],
        ["2020-01-05", "21:00"],
    ]


def test_reverse_shows_newest_first_with_the_same_changes(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = copy_sample(tmp_path)
    forward = records(cli, root)
    backward = records(cli, root, "--reverse")
    assert backward == list(reversed(forward))


def test_limit_keeps_the_first_incidents(tmp_path: Path, cli: Callable[..., Any]) -> None:
    rows = records(cli, copy_sample(tmp_path), "--limit", "3")
    assert [r["number"] for r in rows] == [1, 2, 3]


def test_cycles_do_not_hang_the_timeline(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = tmp_path / "l"
    (root / "entries").mkdir(parents=True)
    for name, other in (("2020-01-05-a", "2020-01-05-b"), ("2020-01-05-b", "2020-01-05-a")):
        (root / "entries" / f"{name}.toml").write_text(entry(date="2020-01-05", extra=f'responds_to = ["{other}"]\n'))
    rows = records(cli, root)
    assert sorted(r["id"] for r in rows) == ["2020-01-05-a", "2020-01-05-b"]
    assert rows[1]["chain"] == [rows[0]["id"]]


def test_a_long_chain_needs_no_recursion(tmp_path: Path) -> None:
    first = _entry("2020-01-01-n0", entry(date="2020-01-01", type="raid", escalation=6))
    entries = [first]
    for i in range(1, 5000):
        entries.append(dataclasses.replace(first, id=f"2020-01-01-n{i}", responds_to=(f"2020-01-01-n{i - 1}",)))
    steps = timeline.steps(reversed(entries))
    assert [s.entry.id for s in steps[:3]] == ["2020-01-01-n0", "2020-01-01-n1", "2020-01-01-n2"]
    assert len(steps[-1].chain) == 4999
    lines = timeline.tree("2020-01-01-n4999", timeline.links_of(entries), timeline.BACKWARD)
    assert len(lines) == 5000 and lines[-1].depth == 4999


def test_empty_ledger(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = tmp_path / "l"
    (root / "entries").mkdir(parents=True)
    assert records(cli, root) == []
    for fmt in ("table", "tsv", "markdown"):
        result = cli("timeline", "--ledger", str(root), "--by", "week", "-f", fmt)
        assert result.status == 0
        assert result.out.count("\n") <= 2


def test_vague_dates_are_marked(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = tmp_path / "l"
    (root / "entries").mkdir(parents=True)
    cases = {
        "2020-01-30-a": 'date_end = 2020-02-02\ndate_precision = "days"\n',
        "2020-01-30-b": 'date_end = 2020-01-31\ndate_precision = "days"\n',
        "2020-01-30-c": 'date_precision = "month"\n',
        "2020-01-30-d": "",
    }
    for name, extra in cases.items():
        (root / "entries" / f"{name}.toml").write_text(entry(date="2020-01-30", extra=extra))
    result = cli("timeline", "--ledger", str(root), "-f", "markdown")
    dates = [line.split(" | ")[1] for line in result.out.splitlines()[2:]]
    assert dates == ["2020-01-30~02-02", "2020-01-30~31", "2020-01-30~month", "2020-01-30"]
    assert [r["vague"] for r in records(cli, root)] == [True, True, True, False]


# -- options and formats -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--by", "year"), '--by "year" is not one of: day, week, month'),
        (("--by", "day", "--bar", "mean"), '--bar "mean" is not one of'),
        (("-f", "yaml"), '--format "yaml" is not one of'),
        (("--by", "day", "-f", "svg"), '--format "svg" is not one of'),
        (("--by", "day", "-f", "ids"), '--format "ids" is not one of'),
    ],
)
def test_bad_options_are_usage_errors(
    tmp_path: Path, cli: Callable[..., Any], args: tuple[str, ...], message: str
) -> None:
    result = cli("timeline", "--ledger", str(copy_sample(tmp_path)), *args)
    assert result.status == 2
    assert message in result.err
    assert result.out == ""


def test_too_many_periods_asks_for_a_longer_one(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = tmp_path / "l"
    (root / "entries").mkdir(parents=True)
    for day in ("1700-01-01", "2020-01-01"):
        (root / "entries" / f"{day}-x.toml").write_text(entry(date=day))
    assert cli("timeline", "--ledger", str(root), "--by", "day").status == 2
    result = cli("timeline", "--ledger", str(root), "--by", "month", "-f", "jsonl")
    assert result.status == 0 and len(result.out.splitlines()) == 320 * 12 + 1


def test_text_formats(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = copy_sample(tmp_path)
    tsv = cli("timeline", "--ledger", str(root)).out.splitlines()  # piped: TSV
    assert tsv[0].split("\t")[:4] == ["number", "id", "path", "date"]
    assert len(tsv) == 17
    assert tsv[2].split("\t")[2] == f"entries/2020/01/{SOLEIMANI}.toml"
    csv_lines = cli("timeline", "--ledger", str(root), "-f", "csv").out.splitlines()
    assert csv_lines[0].startswith("number,id,path,date,date_end") and len(csv_lines) == 17
    jsonl = cli("timeline", "--ledger", str(root), "-f", "jsonl").out.splitlines()
    assert [json.loads(line)["number"] for line in jsonl] == list(range(1, 17))
    ids = cli("timeline", "--ledger", str(root), "-f", "ids").out.splitlines()
    assert ids[1] == SOLEIMANI and len(ids) == 16
    by_week = cli("timeline", "--ledger", str(root), "--by", "week").out.splitlines()
    assert by_week == [
        "period\tstart\tend\tcount\tmax_escalation\tsum_escalation"
        "\tkilled\tkilled_low\tkilled_high\tinjured\tinjured_low\tinjured_high",
        "2020-W01\t2019-12-30\t2020-01-05\t12\t7\t46\t12\t12\t12\t\t\t",
        "2020-W02\t2020-01-06\t2020-01-12\t4\t4\t15\t\t\t\t\t\t",
    ]


def test_json_record_shape(tmp_path: Path, cli: Callable[..., Any]) -> None:
    rows = records(cli, copy_sample(tmp_path))
    assert rows[1] == {
        "number": 2,
        "id": SOLEIMANI,
        "path": f"entries/2020/01/{SOLEIMANI}.toml",
        "date": "2020-01-03",
        "date_end": None,
        "date_precision": None,
        "vague": False,
        "time": None,
        "time_of_day": "night",
        "escalation": 7,
        "label": "strategic-strike",
        "change": 5,
        "days": 4,
        "type": "airstrike",
        "category": "remote-violence",
        "country": "IQ",
        "place": "Baghdad International Airport",
        "killed": 12,
        "injured": None,
        "title": "US air strike in Baghdad kills Quds Force commander Qasem Soleimani and Abu Mahdi al-Muhandis",
        "responds_to": [],
        "chain": [],
    }


def test_ladder_labels_come_from_ledger_toml(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = tmp_path / "l"
    (root / "entries").mkdir(parents=True)
    (root / "entries" / "2020-01-05-a.toml").write_text(entry(date="2020-01-05", escalation=4))
    (root / "ledger.toml").write_text('[ladder]\nlabels = ["s0", "s1", "s2", "s3", "fire", "s5", "s6", "s7"]\n')
    assert records(cli, root)[0]["label"] == "fire"
    svg = cli("timeline", "--ledger", str(root), "-f", "svg").out
    assert ">4 fire</text>" in svg


def test_withdrawn_entries_are_left_out_unless_asked(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = tmp_path / "l"
    (root / "entries").mkdir(parents=True)
    (root / "entries" / "2020-01-05-a.toml").write_text(entry(date="2020-01-05"))
    (root / "entries" / "2020-01-06-b.toml").write_text(
        entry(date="2020-01-06", extra='status = "withdrawn"\nwithdrawn_reason = "wrong"\n')
    )
    assert [r["id"] for r in records(cli, root)] == ["2020-01-05-a"]
    assert [r["id"] for r in records(cli, root, "--withdrawn")] == ["2020-01-05-a", "2020-01-06-b"]


def test_as_of_answers_from_an_earlier_revision(
    tmp_path: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_git import new_repo

    repo = new_repo(tmp_path, monkeypatch)
    repo.write("2020-01-05-rockets", entry(date="2020-01-05", escalation=4))
    first = repo.commit("First")
    repo.write("2020-01-05-rockets", entry(date="2020-01-05", escalation=6))
    repo.write("2020-01-07-raid", entry(date="2020-01-07", type="raid", escalation=6))
    repo.commit("Second")
    root = str(repo.root)
    assert [r["escalation"] for r in records(cli, repo.root)] == [6, 6]
    assert [r["escalation"] for r in records(cli, repo.root, "--as-of", first)] == [4]
    by_day = cli("timeline", "--ledger", root, "--by", "day", "--as-of", first, "-f", "json")
    assert [(p["period"], p["sum_escalation"]) for p in json.loads(by_day.out)] == [("2020-01-05", 4)]
    stats = cli("stats", "--ledger", root, "--by", "category", "--as-of", first, "-f", "tsv")
    assert stats.out.splitlines()[1:] == ["remote-violence\t1\t\t\t\t\t\t\t4"]
