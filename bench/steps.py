"""The measuring steps of DESIGN.md section 4 (start-up, index, list, refresh, validate) and
what every step shares (`Setup`: the ledger, how to run it, the figures measured so far)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from harness import Measurement, error_line, log, measure, measure_peak
from workspace import LedgerCli, TitleEditor, pick_entry

BENCH = Path(__file__).resolve().parent

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


@dataclass(frozen=True)
class Repeats:
    """How many timed runs: fast commands, heavy (whole-ledger) ones."""

    fast: int
    heavy: int


@dataclass(frozen=True)
class Setup:
    """Everything the measuring steps share, and the figures measured so far."""

    cli: LedgerCli
    root: Path  # the synthetic ledger
    empty: Path  # a ledger with an empty entries/
    stamp: Path  # touched before any measurement, for `find -newer`
    reps: Repeats
    quick: bool
    tmp: Path = Path()
    m: dict[str, Measurement] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def py(self) -> str:
        return self.cli.python

    @property
    def lenv(self) -> dict[str, str]:
        """The environment of a command on the synthetic ledger."""
        return self.cli.env_for(self.root)

    def once(self, key: str, thunk: Callable[[], Measurement]) -> Measurement:
        """Measure key unless an earlier group did (a peer is measured once per run)."""
        if key not in self.m:
            self.m[key] = thunk()
        return self.m[key]

    def ledger(self, command: str, *args: str) -> list[str]:
        """Return argv of a ledger command on the synthetic ledger."""
        return self.cli.cmd(command, *args, ledger=self.root)

    def list_argv(self) -> list[str]:
        """The warm filtered list every list figure times."""
        return self.ledger("list", *FILTER, "--format", "ids")

    def baseline(self, *args: str) -> list[str]:
        return [self.py, str(BENCH / "baselines.py"), *args, str(self.root)]

    def measure_index(self) -> None:
        measure_index(self)

    def measure_warm(self) -> None:
        measure_warm(self)

    def sync_index(self, root: Path | None = None) -> None:
        """Bring an index up to date before timing (a fresh or changed ledger would time a build)."""
        root = root or self.root
        log(f"bringing the index of {root} up to date (not timed)")
        argv = self.cli.cmd("list", "--format", "ids", ledger=root)
        t0 = time.perf_counter()
        r = subprocess.run(argv, cwd=root, env=self.cli.env_for(root), capture_output=True)  # a 300k build: no timeout
        if r.returncode != 0:
            log(f"  the index could not be brought up to date: {error_line(r.stderr)}")
        log(f"  done in {time.perf_counter() - t0:.1f} s")


W = 1  # one discarded run before timing: warm page cache and bytecode cache


def measure_startup(s: Setup) -> None:
    """Floors and the start-up targets."""
    env, fast = s.cli.env, s.reps.fast
    s.once("pass", lambda: measure("python -c pass", [s.py, "-c", "pass"], fast, env=env, warmup=W))
    floors(s)
    s.once("version", lambda: measure("ledger --version", [*s.cli.argv, "--version"], fast, env=env, warmup=W))
    s.once(
        "empty",
        lambda: measure(
            "ledger list (empty ledger)",
            s.cli.cmd("list", ledger=s.empty),
            fast,
            cwd=s.empty,
            env=s.cli.env_for(s.empty),
            warmup=W,
        ),
    )


def floors(s: Setup) -> None:
    """The start-up floor (a typer no-op) and the stat floor (`find -newer`)."""
    env, fast = s.cli.env, s.reps.fast
    s.once("typer", lambda: measure("start-up floor (typer no-op)", [s.py, "-c", TYPER_FLOOR], fast, env=env, warmup=W))
    s.once(
        "stat",
        lambda: measure(
            "stat floor (find -newer)", ["find", "entries", "-newer", str(s.stamp)], fast, cwd=s.root, warmup=W
        ),
    )


def measure_allcores(s: Setup) -> None:
    """The tomllib floor: every file parsed by the stdlib parser on all cores."""
    s.once(
        "allcores",
        lambda: measure("tomllib on all cores", s.baseline("allcores"), s.reps.heavy, env=s.cli.env, warmup=W),
    )


def measure_index(s: Setup) -> None:
    """Cold index against tomllib on all cores."""
    measure_allcores(s)
    argv = s.ledger("index", "--rebuild")
    s.once("index", lambda: measure("ledger index --rebuild (cold)", argv, s.reps.heavy, cwd=s.root, env=s.lenv))


def measure_warm(s: Setup) -> None:
    """The warm filtered list (the list targets' subject, the `show` target's peer)."""
    floors(s)
    s.once(
        "warm",
        lambda: measure("ledger list (warm, filtered)", s.list_argv(), s.reps.fast, cwd=s.root, env=s.lenv, warmup=W),
    )


def measure_list(s: Setup) -> None:
    """Warm list, warm search, the list's peak memory."""
    measure_warm(s)
    search = s.ledger("search", *SEARCH, *FILTER, "--format", "ids")
    s.once(
        "search",
        lambda: measure("ledger search (warm, filtered)", search, s.reps.fast, cwd=s.root, env=s.lenv, warmup=W),
    )
    runs = 1 if s.quick else 3
    s.once("peak", lambda: measure_peak("peak memory of warm list", s.py, s.list_argv(), runs, cwd=s.root, env=s.lenv))


def measure_naive(s: Setup) -> None:
    """The warm list against re-parsing every file; check both found the same ids."""
    measure_warm(s)
    argv = [*s.baseline("naive"), *FILTER]
    naive = s.once("naive", lambda: measure("naive re-parse + filter", argv, s.reps.heavy, env=s.cli.env))
    s.notes.append(compare_ids(s.m["warm"], naive))


def measure_refresh(s: Setup) -> None:
    """Time the list right after each edit of one entry; check the edit is seen."""
    floors(s)
    lenv = s.lenv
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
    s.m["refresh"] = m
    if m.value is None:
        s.notes.append("refresh check: n/a")
        return
    found = seen.returncode == 0 and editor.path.stem in seen.stdout.split()
    verdict = "the edited title is found" if found else "MISSING: the edited title is not found"
    s.notes.append(f"refresh check: `list --text '{editor.last_marker()}'` after the edits: {verdict}")


def measure_validate(s: Setup) -> None:
    """validate (whole ledger) against tomllib on all cores."""
    measure_allcores(s)
    argv = s.ledger("validate")
    s.once("validate", lambda: measure("ledger validate", argv, s.reps.heavy, cwd=s.root, env=s.lenv))
