"""Benchmark incident-ledger against the targets of DESIGN.md section 4, in one run.

    python bench/run.py [--n 100000] [--keep DIR] [--quick] [--git | --no-git]

Builds a synthetic ledger (bench/synth.py) or reuses --keep DIR, times every command as a
subprocess (median of several runs), and prints the figures, then one line per target with
its ratio and PASS/FAIL. A command that fails is reported as "n/a (error: ...)" and the run
goes on. Exit status: 0 when nothing FAILed (n/a is not a failure), 1 otherwise.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import harness  # noqa: E402
from chrono import (  # noqa: E402
    chrono_targets,
    measure_as_of,
    measure_broken_links,
    measure_chrono,
    measure_scaling,
    per_entry,
)
from harness import Measurement, Target, log, measure, measure_peak, print_figures, print_targets, total  # noqa: E402
from workspace import (  # noqa: E402
    LedgerCli,
    TitleEditor,
    bench_env,
    find_ledger,
    is_synthetic,
    pick_entry,
    prepare_git_revisions,
    prepare_ledger,
    reset_git_revisions,
)

TYPER_FLOOR = "import typer; app = typer.Typer(); app.command()(lambda: print('ok')); app()"
FILTER = ["--type", "airstrike", "--country", "SY"]
# a name through ledger.toml's aliases, a place in Latin letters (the summaries also write it in Arabic)
SEARCH = ["Hizballah", "Albukamal"]


def compare_ids(warm: Measurement, naive: Measurement) -> str:
    """Say whether the warm list and the naive re-parse found the same incidents."""
    if warm.value is None or naive.value is None:
        return "result check: n/a"
    a, b = warm.stdout.split(), naive.stdout.split()
    if a == b:
        return f"result check: ledger list and the naive re-parse agree ({len(a)} ids, same order)"
    if sorted(a) == sorted(b):
        return f"result check: same {len(a)} ids, different order"
    return (
        f"result check: MISMATCH: ledger list gave {len(a)} ids, naive re-parse {len(b)} "
        f"({len(set(a) - set(b))} only in ledger, {len(set(b) - set(a))} only in naive)"
    )


# --------------------------------------------------------------------------- main


@dataclass(frozen=True)
class Repeats:
    """How many timed runs: fast commands, heavy (whole-ledger) ones."""

    fast: int
    heavy: int


@dataclass(frozen=True)
class Setup:
    """Everything the measuring steps share."""

    cli: LedgerCli
    root: Path  # the synthetic ledger
    empty: Path  # a ledger with an empty entries/
    stamp: Path  # touched before any measurement, for `find -newer`
    reps: Repeats
    quick: bool

    @property
    def py(self) -> str:
        return self.cli.python

    def ledger(self, command: str, *args: str) -> list[str]:
        """Return argv of a ledger command on the synthetic ledger."""
        return self.cli.cmd(command, *args, ledger=self.root)

    def list_argv(self) -> list[str]:
        """The warm filtered list every list figure times."""
        return self.ledger("list", *FILTER, "--format", "ids")

    def baseline(self, *args: str) -> list[str]:
        return [self.py, str(BENCH / "baselines.py"), *args, str(self.root)]


W = 1  # one discarded run before timing: warm page cache and bytecode cache


def measure_startup(s: Setup) -> dict[str, Measurement]:
    """Floors and the start-up targets."""
    env, fast = s.cli.env, s.reps.fast
    return {
        "pass": measure("python -c pass", [s.py, "-c", "pass"], fast, env=env, warmup=W),
        "typer": measure("start-up floor (typer no-op)", [s.py, "-c", TYPER_FLOOR], fast, env=env, warmup=W),
        "stat": measure(
            "stat floor (find -newer)", ["find", "entries", "-newer", str(s.stamp)], fast, cwd=s.root, warmup=W
        ),
        "version": measure("ledger --version", [*s.cli.argv, "--version"], fast, env=env, warmup=W),
        "empty": measure(
            "ledger list (empty ledger)",
            s.cli.cmd("list", ledger=s.empty),
            fast,
            cwd=s.empty,
            env=s.cli.env_for(s.empty),
            warmup=W,
        ),
    }


def measure_index_and_list(s: Setup) -> dict[str, Measurement]:
    """Cold index against tomllib on all cores; warm list, its memory, the naive re-parse."""
    env, lenv = s.cli.env, s.cli.env_for(s.root)
    m = {"allcores": measure("tomllib on all cores", s.baseline("allcores"), s.reps.heavy, env=env, warmup=W)}
    m["index"] = measure(
        "ledger index --rebuild (cold)", s.ledger("index", "--rebuild"), s.reps.heavy, cwd=s.root, env=lenv
    )
    m["warm"] = measure("ledger list (warm, filtered)", s.list_argv(), s.reps.fast, cwd=s.root, env=lenv, warmup=W)
    search = s.ledger("search", *SEARCH, *FILTER, "--format", "ids")
    m["search"] = measure("ledger search (warm, filtered)", search, s.reps.fast, cwd=s.root, env=lenv, warmup=W)
    m["peak"] = measure_peak("peak memory of warm list", s.py, s.list_argv(), 1 if s.quick else 3, cwd=s.root, env=lenv)
    m["naive"] = measure("naive re-parse + filter", [*s.baseline("naive"), *FILTER], s.reps.heavy, env=env)
    return m


def measure_refresh(s: Setup) -> tuple[Measurement, str]:
    """Time the list right after each edit of one entry; check the edit is seen."""
    lenv = s.cli.env_for(s.root)
    editor = TitleEditor(pick_entry(s.root))
    try:
        m = measure(
            "ledger list after 1 edit", s.list_argv(), s.reps.fast, cwd=s.root, env=lenv, before=editor, warmup=W
        )
        seen = subprocess.run(
            s.ledger("list", "--text", editor.last_marker(), "--format", "ids"),
            cwd=s.root,
            env=lenv,
            capture_output=True,
            text=True,
        )
    finally:
        editor.restore()
    subprocess.run(s.list_argv(), cwd=s.root, env=lenv, capture_output=True)  # re-sync the index
    if m.value is None:
        return m, "refresh check: n/a"
    found = seen.returncode == 0 and editor.path.stem in seen.stdout.split()
    verdict = "the edited title is found" if found else "MISSING: the edited title is not found"
    return m, f"refresh check: `list --text '{editor.last_marker()}'` after the edits: {verdict}"


def run_all(args: argparse.Namespace, tmp: Path) -> int:
    """Build or reuse the ledger, measure everything, print the report."""
    reps = Repeats(fast=args.repeats or (5 if args.quick else 15), heavy=1 if args.quick else 3)
    root = prepare_ledger(args.keep, args.n, args.seed, tmp)
    (tmp / "empty" / "entries").mkdir(parents=True)
    (tmp / "stamp").touch()
    cli = find_ledger(args.ledger_cmd, bench_env(None if args.no_pyc else tmp / "pycache"))
    log(f"ledger command: {shlex.join(cli.argv)} (floors use {cli.python})")
    s = Setup(cli, root, tmp / "empty", tmp / "stamp", reps, args.quick)

    m = measure_startup(s) | measure_index_and_list(s)
    m["refresh"], refresh_note = measure_refresh(s)
    m["validate"] = measure("ledger validate", s.ledger("validate"), reps.heavy, cwd=root, env=cli.env_for(root))
    notes = [compare_ids(m["warm"], m["naive"]), refresh_note]
    m |= measure_chrono(s, tmp) | measure_scaling(s)
    if args.links:
        m |= measure_broken_links(s, tmp, n=min(20_000, args.n), broken=min(2_000, args.n // 10))
    if want_git(args, root):
        m |= measure_diff(cli, root, args.seed, reps, as_of=lambda: measure_as_of(s))
        notes.append(diff_note(m["diff"]))
    scaled: list[Target] = []
    if args.per_entry and args.per_entry < args.n:
        small = prepare_ledger(None, args.per_entry, args.seed, tmp / "small")
        m_small = measure_scaling(dataclasses.replace(s, root=small))
        m |= {f"{k}_small": dataclasses.replace(v, name=f"{v.name} ({args.per_entry:,})") for k, v in m_small.items()}
        scaled = per_entry(m_small, m, args.per_entry, args.n)

    print_header(args, root, cli)
    print_figures(list(m.values()))
    print("\n" + "\n".join(notes) + "\n")
    return print_targets(targets(m) + chrono_targets(m) + scaled)


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
    cli: LedgerCli, root: Path, seed: int, reps: Repeats, as_of: Callable[[], dict[str, Measurement]] | None = None
) -> dict[str, Measurement]:
    """Time `ledger diff HEAD~1 HEAD` and `git diff --stat` over a 10-entry change."""
    out: dict[str, Measurement] = {}
    try:
        prepare_git_revisions(root, seed)
    except (OSError, subprocess.SubprocessError) as e:
        out["diff"] = Measurement("ledger diff HEAD~1 HEAD", error=f"git setup failed: {e}")
        return out
    try:
        out["gitstat"] = measure(
            "git diff --stat HEAD~1 HEAD", ["git", "diff", "--stat", "HEAD~1", "HEAD"], reps.fast, cwd=root, warmup=1
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
    """The checks of DESIGN.md section 4."""
    floors = total(m["typer"], m["stat"])
    none = Measurement("not run", error="skipped (use --git)")
    diff_ref = total(m.get("gitstat", none), m["typer"])
    return [
        Target("ledger --version", m["version"], m["pass"].value, "python -c pass", "<=", 6),
        Target("empty ledger list", m["empty"], m["pass"].value, "python -c pass", "<=", 6),
        Target("cold index", m["index"], m["allcores"].value, "tomllib all cores", "<=", 0.75),
        Target("warm list", m["warm"], floors, "floors", "<=", 1.5),
        Target("warm list vs re-parse", m["warm"], m["naive"].value, "naive re-parse", ">=", 50),
        Target("warm search", m["search"], m["warm"].value, "warm filtered list", "<=", 2),
        Target("refresh after 1 edit", m["refresh"], floors, "floors", "<=", 2),
        Target("peak memory of warm list", m["peak"], None, "", "<", 100),
        Target("validate", m["validate"], m["index"].value, "cold index", "<=", 1.5),
        Target("diff of 10 entries", m.get("diff", none), diff_ref, "(git diff --stat + start-up floor)", "<=", 3),
    ]


def print_header(args: argparse.Namespace, root: Path, cli: LedgerCli) -> None:
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
    print(f"filter: {' '.join(FILTER)}; {'quick' if args.quick else 'full'} run; {clock}\n")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=100_000, help="entries in the ledger (default 100000)")
    p.add_argument("--keep", type=Path, help="build the ledger here and keep it, or reuse it")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quick", action="store_true", help="fewer repeats, for a smoke run")
    p.add_argument("--repeats", type=int, help="runs of each fast command (default 15, quick 5)")
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
        help="validate a 20,000-entry ledger intact and with 2,000 broken links (default on)",
    )
    p.add_argument(
        "--per-entry",
        type=int,
        default=10_000,
        metavar="N",
        help="also time list, timeline --by month and stats on an N-entry ledger: cost per entry (0: off)",
    )
    p.add_argument(
        "--no-pyc",
        action="store_true",
        help="keep the environment's bytecode settings (default: cache .pyc in a temp dir)",
    )
    args = p.parse_args(argv)
    if args.keep is not None:
        args.keep = args.keep.resolve()
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
