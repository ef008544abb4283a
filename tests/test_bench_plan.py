"""bench/: choosing groups of rows, the targets table, the cost per entry (no command is run)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import chrono
import harness
import plan
import run
from harness import Measurement, Target


def secs(name: str, *runs: float) -> Measurement:
    return Measurement(name, runs=list(runs))


def test_select_all_only_skip_in_run_order() -> None:
    assert plan.select(None, None) == list(plan.GROUPS)
    assert plan.select("scaling,timeline", None) == ["timeline", "scaling"]
    assert plan.select(None, "links,asof") == [g for g in plan.GROUPS if g not in ("links", "asof")]
    assert plan.select("timeline,stats", "stats") == ["timeline"]


def test_unknown_group_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(plan.SelectionError, match="timelnie"):
        plan.select("timelnie", None)
    with pytest.raises(SystemExit) as e:
        run.parse_args(["--skip", "nope"])
    assert e.value.code == 2
    assert "unknown group nope" in capsys.readouterr().err


def test_no_links_is_skip_links() -> None:
    args = run.parse_args(["--no-links", "--skip", "dupes"])
    assert plan.select(args.only, args.skip) == [g for g in plan.GROUPS if g not in ("dupes", "links")]


def test_every_group_has_a_step() -> None:
    handled_apart = {"links", "diff", "asof", "scaling"}
    assert set(run.STEPS) | handled_apart == set(plan.GROUPS)
    assert not set(run.STEPS) & handled_apart


def test_verdicts() -> None:
    assert Target("t", secs("t", 2.0), 1.0, "peer", "<=", 2).verdict() == "met"
    assert Target("t", secs("t", 2.1), 1.0, "peer", "<=", 2).verdict() == "**missed**"
    assert Target("t", secs("t", 1.0), 60.0, "peer", ">=", 50).verdict() == "met"
    assert Target("t", secs("t", 1.0), 40.0, "peer", ">=", 50).verdict() == "**missed**"
    assert Target("t", secs("t", 1.0), None, "peer", "<=", 2).verdict() == "n/a"
    assert Target("t", Measurement("t", error="exit 2: boom"), 1.0, "peer", "<=", 2).verdict() == "n/a"
    assert Target("t", secs("t", 9.0), 1.0, "peer", "info", 0).verdict() == "(no target)"


def test_table_leaves_out_rows_not_run_and_counts_misses(capsys: pytest.CaptureFixture[str]) -> None:
    m = {"timeline": secs("ledger timeline", 3.0), "duck_timeline": secs("duck", 1.0)}
    missed = harness.print_targets(chrono.chrono_targets(m))
    out = capsys.readouterr().out
    assert missed == 1
    assert "| timeline | 3.000 s | DuckDB timeline, 1.000 s | 3.00x | <= 2x | **missed** |" in out
    assert "svg" not in out and "dupes" not in out
    assert "0 met, 1 missed, 0 n/a, " in out


def test_cost_per_entry_as_measured_and_less_start_up() -> None:
    got = {"": secs("big", 4.0), "_small": secs("small", 1.0), "_empty": secs("empty", 0.5)}
    measured, bare = chrono._per_entry("list", got, n=300_000, small_n=10_000)
    assert measured.reference == pytest.approx(30.0)
    assert measured.ratio() == pytest.approx(4.0 / 30.0)
    assert bare.value.value == pytest.approx(3.5)
    assert bare.reference == pytest.approx(0.5 * 30)
    assert bare.verdict() == "met"
    got["_small"] = secs("small", 0.6)  # 0.1 s of work for 10,000 entries: 3.5 s for 300,000 is 1.17x
    assert chrono._per_entry("list", got, n=300_000, small_n=10_000)[1].verdict() == "met"
    got["_small"] = secs("small", 0.58)
    assert chrono._per_entry("list", got, n=300_000, small_n=10_000)[1].verdict() == "**missed**"
