"""Benchmark incident-ledger against the targets of DESIGN.md section 4, in one run.

    python bench/run.py [--n 100000] [--keep DIR] [--quick] [--cpu] [--git | --no-git]
                        [--only GROUP,...] [--skip GROUP,...] [--per-entry N [--per-entry-keep DIR]] [--watch]

Builds a synthetic ledger (bench/synth.py) or reuses --keep DIR, times every command as a
subprocess (median of several runs), and prints the figures, then a table of the targets:
each row, its peer measured in the same run, the ratio, met or missed. --only/--skip pick
groups of rows (bench/plan.py; each still measures its peer). A command that fails is
reported as "n/a (error: ...)" and the run goes on. Exit status: 0 when no target is
missed (n/a is not a miss), 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import chrono  # noqa: E402
import harness  # noqa: E402
import plan  # noqa: E402
import steps  # noqa: E402
import watched  # noqa: E402
from harness import Figures, Measurement, Target, log, measure, print_figures, print_targets, total  # noqa: E402
from steps import FILTER, Repeats, Setup  # noqa: E402
from workspace import (  # noqa: E402
    LedgerCli,
    bench_env,
    find_ledger,
    is_synthetic,
    prepare_git_revisions,
    prepare_ledger,
    reset_git_revisions,
)

STEPS: dict[str, Callable[[Setup], None]] = {
    "startup": steps.measure_startup,
    "index": steps.measure_index,
    "list": steps.measure_list,
    "naive": steps.measure_naive,
    "refresh": steps.measure_refresh,
    "validate": steps.measure_validate,
    "timeline": chrono.measure_timeline,
    "svg": chrono.measure_svg,
    "html": chrono.measure_html,
    "stats": chrono.measure_stats,
    "dupes": chrono.measure_dupes,
    "export": chrono.measure_export,
    "show": chrono.measure_show,
}


def run_all(args: argparse.Namespace, tmp: Path) -> int:
    """Build or reuse the ledger, measure the selected groups, print the report."""
    groups = plan.select(args.only, args.skip)
    started = f"{time.strftime('%H:%M', time.gmtime())} UTC, load average {_load()}"
    reps = Repeats(fast=args.repeats or (5 if args.quick else 15), heavy=args.heavy or (1 if args.quick else 3))
    root = prepare_ledger(args.keep, args.n, args.seed, tmp)
    (tmp / "empty" / "entries").mkdir(parents=True)
    (tmp / "stamp").touch()
    cli = find_ledger(args.ledger_cmd, bench_env(None if args.no_pyc else tmp / "pycache"))
    log(f"ledger command: {shlex.join(cli.argv)} (floors use {cli.python}); groups: {', '.join(groups)}")
    s = Setup(cli, root, tmp / "empty", tmp / "stamp", reps, args.quick, tmp)
    if "index" not in groups:
        s.sync_index()

    scaled: list[Target] = []
    for group in groups:
        if group in STEPS and args.watch:
            watched.measure_group(s, STEPS[group])
        elif group in STEPS:
            STEPS[group](s)
        elif group == "links":
            s.m.update(chrono.measure_broken_links(s, tmp, n=min(20_000, args.n), broken=min(2_000, args.n // 10)))
    git_groups = [g for g in groups if g in plan.GIT_GROUPS]
    if git_groups and want_git(args, root):
        if "diff" in git_groups:
            steps.floors(s)  # the diff's peer: git diff --stat + the start-up floor
        as_of = (lambda: chrono.measure_as_of(s)) if "asof" in git_groups else None
        s.m.update(measure_diff(cli, root, args.seed, reps, as_of=as_of, diff="diff" in git_groups))
        if "diff" in git_groups:
            s.notes.append(diff_note(s.m["diff"]))
    elif git_groups:
        s.notes.append(f"not run: {', '.join(git_groups)} (the ledger is not a git repo: use --git)")
    if "scaling" in groups:
        scaled = chrono.measure_scaling(s, args.n, args.per_entry, args.per_entry_keep, args.seed)

    print_header(args, root, cli, groups, started)
    print_figures(list(s.m.values()))
    print("\n" + "\n".join(s.notes) + "\n")
    return print_targets(targets(s.m) + chrono.chrono_targets(s.m) + scaled)


def diff_note(diff: Measurement) -> str:
    """Say whether `ledger diff` saw the 10 changed entries."""
    if diff.value is None:
        return "diff check: n/a"
    named = sum(1 for word in diff.stdout.split() if re.fullmatch(r"\d{4}-\d\d-\d\d-[a-z0-9-]+", word))
    return f"diff check: ledger diff output names {named} incident ids (10 changed)"


def want_git(args: argparse.Namespace, root: Path) -> bool:
    """--git / --no-git decide; by default run it when it is cheap or already set up."""
    if args.git is not None:
        return bool(args.git)
    return (root / ".git").exists() or args.n <= 20000


def measure_diff(
    cli: LedgerCli,
    root: Path,
    seed: int,
    reps: Repeats,
    as_of: Callable[[], dict[str, Measurement]] | None = None,
    diff: bool = True,
) -> dict[str, Measurement]:
    """Time `ledger diff HEAD~1 HEAD` and `git diff --stat` over a 10-entry change (and then as_of)."""
    out: dict[str, Measurement] = {}
    try:
        prepare_git_revisions(root, seed)
    except (OSError, subprocess.SubprocessError) as e:
        out["diff" if diff else "asof_warm"] = Measurement("git revisions", error=f"git setup failed: {e}")
        return out
    try:
        if diff:
            out["gitstat"] = measure(
                "git diff --stat HEAD~1 HEAD",
                ["git", "diff", "--stat", "HEAD~1", "HEAD"],
                reps.fast,
                cwd=root,
                warmup=1,
            )
            out["diff"] = measure(
                "ledger diff HEAD~1 HEAD",
                cli.cmd("diff", "HEAD~1", "HEAD", ledger=root),
                reps.fast,
                cwd=root,
                env=cli.env_for(root),
                ok_codes=(0, 1),
                warmup=1,
            )
        if as_of is not None:
            out |= as_of()
    finally:
        if is_synthetic(root):
            try:
                reset_git_revisions(root)
            except (OSError, subprocess.SubprocessError) as e:
                log(f"could not drop the mutation commit: {e}")
    return out


def targets(m: dict[str, Measurement]) -> list[Target]:
    """The checks of DESIGN.md section 4 (a row whose group was not run is left out)."""
    get, value = Figures(m).get, Figures(m).value
    floors = total(get("typer"), get("stat"))
    diff_ref = total(get("gitstat"), get("typer"))
    warm_if_naive = get("warm") if "naive" in m else get("naive")  # the row of the naive group
    return [
        Target("ledger --version", get("version"), value("pass"), "python -c pass", "<=", 6),
        Target("empty ledger list", get("empty"), value("pass"), "python -c pass", "<=", 6),
        Target("cold index", get("index"), value("allcores"), "tomllib all cores", "<=", 0.75),
        Target("warm list", get("warm"), floors, "floors", "<=", 1.5),
        Target("warm list vs re-parse", warm_if_naive, value("naive"), "naive re-parse", ">=", 50),
        Target("warm search", get("search"), value("warm"), "warm filtered list", "<=", 2),
        Target("refresh after 1 edit", get("refresh"), floors, "floors", "<=", 2),
        Target("peak memory of warm list", get("peak"), None, "", "<", 100),
        Target("validate", get("validate"), value("index"), "cold index", "<=", 1.5),
        Target("diff of 10 entries", get("diff"), diff_ref, "(git diff --stat + start-up floor)", "<=", 3),
    ]


def print_header(args: argparse.Namespace, root: Path, cli: LedgerCli, groups: list[str], started: str) -> None:
    """Print what was measured where."""
    typer_v = (
        subprocess.run(
            [cli.python, "-c", "import typer; print(typer.__version__)"], capture_output=True, text=True
        ).stdout.strip()
        or "?"
    )
    print(f"incident-ledger benchmark: {args.n} entries in {root}")
    print(
        f"python {sys.version.split()[0]} ({cli.python}), typer {typer_v}, "
        f"{os.cpu_count()} cpus, ledger = {shlex.join(cli.argv)}"
    )
    clock = "CPU time (user + system)" if args.cpu else "wall-clock time"
    print(f"filter: {' '.join(FILTER)}; {'quick' if args.quick else 'full'} run; {clock}")
    print(f"groups: {', '.join(groups) if groups != list(plan.GROUPS) else 'all'}")
    print(f"started {started}; ended {time.strftime('%H:%M', time.gmtime())} UTC, load average {_load()}\n")


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="groups (for --only / --skip):\n" + plan.describe(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--n", type=int, default=100_000, help="entries in the ledger (default 100000)")
    p.add_argument("--keep", type=Path, help="build the ledger here and keep it, or reuse it")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quick", action="store_true", help="fewer repeats, for a smoke run")
    p.add_argument("--repeats", type=int, help="runs of each fast command (default 15, quick 5)")
    p.add_argument("--heavy", type=int, metavar="R", help="runs of each whole-ledger command (default 3, quick 1)")
    p.add_argument("--only", metavar="G,G", help="measure only these groups (and their peers); see below")
    p.add_argument("--skip", metavar="G,G", help="leave these groups out")
    p.add_argument(
        "--git",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run the diff benchmark (default: if N <= 20000 or DIR is a git repo)",
    )
    p.add_argument("--ledger-cmd", help="how to run ledger, e.g. 'python -m ledger'")
    p.add_argument(
        "--cpu",
        action="store_true",
        help="time CPU (user + system of each command and its children) instead of wall-clock time",
    )
    p.add_argument(
        "--links",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="validate a 20,000-entry ledger intact and with 2,000 broken links (default on; = --skip links)",
    )
    p.add_argument(
        "--per-entry",
        type=int,
        default=10_000,
        metavar="N",
        help="also time list, timeline --by month and stats on an N-entry ledger: cost per entry (0: off)",
    )
    p.add_argument(
        "--per-entry-keep",
        type=Path,
        metavar="DIR",
        help="build the --per-entry ledger here and keep it, or reuse it (default: a temp dir)",
    )
    p.add_argument(
        "--watch",
        action="store_true",
        help="also time each group's ledger rows with `ledger watch` running (Linux), right after the plain ones",
    )
    p.add_argument(
        "--no-pyc",
        action="store_true",
        help="keep the environment's bytecode settings (default: cache .pyc in a temp dir)",
    )
    args = p.parse_args(argv)
    if not args.links:
        args.skip = ",".join(filter(None, [args.skip, "links"]))
    try:
        plan.select(args.only, args.skip)
    except plan.SelectionError as e:
        p.error(str(e))
    for name in ("keep", "per_entry_keep"):
        if getattr(args, name) is not None:
            setattr(args, name, getattr(args, name).resolve())
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    if args.cpu:
        harness.CLOCK["kind"] = "cpu"
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as tmp:
        return 1 if run_all(args, Path(tmp)) else 0


if __name__ == "__main__":
    sys.exit(main())
