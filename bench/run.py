"""Benchmark incident-ledger against the targets of DESIGN.md section 4, in one run.

    python bench/run.py [--n 100000] [--keep DIR] [--quick] [--git | --no-git]

Builds a synthetic ledger (bench/synth.py) or reuses --keep DIR, times every command as a
subprocess (median of several runs), and prints the figures, then one line per target with
its ratio and PASS/FAIL. A command that fails is reported as "n/a (error: ...)" and the run
goes on. Exit status: 0 when nothing FAILed (n/a is not a failure), 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
import baselines  # noqa: E402
import synth  # noqa: E402

TYPER_FLOOR = "import typer; app = typer.Typer(); app.command()(lambda: print('ok')); app()"
PEAK_WRAPPER = (
    "import resource, subprocess, sys; "
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); "
    "sys.stderr.write(r.stderr.decode(errors='replace')); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)"
)
FILTER = ["--type", "airstrike", "--country", "SY"]
TIMEOUT = 900.0
GIT_ID = ["-c", "user.name=b", "-c", "user.email=b@b"]


def log(msg: str) -> None:
    """Progress goes to stderr; stdout holds only the report."""
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- measuring

@dataclass
class Measurement:
    """Wall-clock runs of one command (seconds), or why it could not be measured."""

    name: str
    argv: list[str] = field(default_factory=list)
    runs: list[float] = field(default_factory=list)
    error: str | None = None
    stdout: str = ""
    unit: str = "s"

    @property
    def value(self) -> float | None:
        """Median of the runs, None when the command failed."""
        return statistics.median(self.runs) if self.error is None and self.runs else None

    def show(self) -> str:
        """Return the median as text, or the n/a reason."""
        if self.value is None:
            return f"n/a (error: {self.error or 'not run'})"
        return f"{self.value:.1f} MB" if self.unit == "MB" else f"{self.value:.3f} s"


def error_line(stderr: bytes) -> str:
    """Return the most telling line of a failed command's stderr (last one with words)."""
    for line in reversed(stderr.decode(errors="replace").splitlines()):
        text = line.strip(" \t│╭╮╰╯─|")
        if re.search(r"[A-Za-z]", text):
            return text[:160]
    return "no message"


def measure(name: str, argv: Sequence[str], repeats: int, *, cwd: Path | None = None,
            env: dict[str, str] | None = None, ok_codes: Sequence[int] = (0,), warmup: int = 0,
            before: Callable[[int], None] | None = None) -> Measurement:
    """Run argv warmup+repeats times and keep the wall-clock time of the last repeats."""
    m = Measurement(name, list(argv))
    log(f"{name}: {shlex.join(a if len(a) < 60 else a[:57] + '...' for a in argv)}")
    for i in range(warmup + repeats):
        if before is not None:
            before(i)
        t0 = time.perf_counter()
        try:
            r = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=TIMEOUT)
        except FileNotFoundError:
            m.error = f"command not found: {argv[0]}"
            return m
        except subprocess.TimeoutExpired:
            m.error = f"timed out after {TIMEOUT:.0f} s"
            return m
        elapsed = time.perf_counter() - t0
        if r.returncode not in ok_codes:
            m.error = f"exit {r.returncode}: {error_line(r.stderr)}"
            return m
        if i >= warmup:
            m.runs.append(elapsed)
        m.stdout = r.stdout.decode(errors="replace")
    return m


def measure_peak(name: str, python: str, argv: Sequence[str], repeats: int, *, cwd: Path,
                 env: dict[str, str]) -> Measurement:
    """Peak RSS (MB) of argv, read by a tiny wrapper process from RUSAGE_CHILDREN."""
    m = measure(name, [python, "-c", PEAK_WRAPPER, *argv], repeats, cwd=cwd, env=env)
    if m.error is None:
        m.runs = [int(m.stdout.split()[-1]) / 1024]  # ru_maxrss is in KiB on Linux
        m.unit = "MB"
    return m


def total(*ms: Measurement) -> float | None:
    """Sum of medians, None if any is missing."""
    values = [m.value for m in ms]
    return None if any(v is None for v in values) else sum(values)  # type: ignore[misc]


# --------------------------------------------------------------------------- the ledger

@dataclass(frozen=True)
class LedgerCli:
    """How to invoke `ledger` and which interpreter its floors must use."""

    argv: list[str]
    python: str
    env: dict[str, str]

    def cmd(self, command: str, *args: str, ledger: Path) -> list[str]:
        """Return argv for `ledger COMMAND ARGS --ledger DIR`."""
        return [*self.argv, command, *args, "--ledger", str(ledger)]

    def env_for(self, ledger: Path) -> dict[str, str]:
        """Return the environment with LEDGER_DIR pointing at ledger."""
        return {**self.env, "LEDGER_DIR": str(ledger)}


def shebang_python(script: str) -> str | None:
    """Return the interpreter of a console script if it is a Python one."""
    try:
        with open(script, "rb") as f:
            first = f.readline(300).decode(errors="replace")
    except OSError:
        return None
    if first.startswith("#!"):
        parts = first[2:].split()
        if parts and os.path.basename(parts[0]).startswith("python") and os.access(parts[0], os.X_OK):
            return parts[0]
    return None


def find_ledger(override: str | None) -> LedgerCli:
    """Prefer `ledger` beside this interpreter, then on PATH, else `python -m ledger`."""
    env = dict(os.environ)
    if override:
        argv = shlex.split(override)
    else:
        beside = Path(sys.executable).parent / "ledger"
        exe = str(beside) if beside.exists() else shutil.which("ledger")
        if exe:
            argv = [exe]
        else:
            argv = [sys.executable, "-m", "ledger"]
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return LedgerCli(argv, shebang_python(argv[0]) or sys.executable, env)


def is_synthetic(root: Path) -> bool:
    """True if root was made by bench/synth.py (so it may be deleted and rebuilt)."""
    try:
        return (root / "ledger.toml").read_text(encoding="utf-8").startswith(synth.MARKER)
    except OSError:
        return False


def prepare_ledger(keep: Path | None, n: int, seed: int, tmp: Path) -> Path:
    """Return a ledger of n synthetic entries: --keep DIR reused if it holds n, else built."""
    root = keep if keep is not None else tmp / "ledger"
    if root.exists() and any(root.iterdir()):
        count = len(baselines.entry_files(str(root)))
        if count == n:
            log(f"reusing {root} ({n} entries)")
            return root
        if not is_synthetic(root):
            sys.exit(f"bench: {root} holds {count} entries and was not made by bench/synth.py; "
                     "refusing to replace it")
        log(f"{root} holds {count} entries, not {n}: rebuilding it")
        shutil.rmtree(root)
    t0 = time.perf_counter()
    synth.generate(root, n, seed)
    log(f"generated {n} entries in {root} in {time.perf_counter() - t0:.1f} s")
    return root


def pick_entry(root: Path) -> Path:
    """Return one entry in the middle of the ledger (the one the refresh test edits)."""
    files = sorted(baselines.entry_files(str(root)))
    return Path(files[len(files) // 2])


class TitleEditor:
    """Edit one entry's title before each run (so its content changes), then restore it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.original = path.read_text(encoding="utf-8")

    def __call__(self, i: int) -> None:
        lines = self.original.split("\n")
        n = next(k for k, line in enumerate(lines) if line.startswith("title = "))
        lines[n] = lines[n][:-1] + f' (bench edit {i})"'
        self.path.write_text("\n".join(lines), encoding="utf-8")

    def restore(self) -> None:
        self.path.write_text(self.original, encoding="utf-8")


# --------------------------------------------------------------------------- git

def git(root: Path, *args: str) -> str:
    """Run git in root and return its stdout (raises on failure)."""
    r = subprocess.run(["git", *args], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       check=True, timeout=TIMEOUT)
    return r.stdout.decode(errors="replace")


def commit_all(root: Path, message: str) -> None:
    """Stage everything and commit if anything changed."""
    git(root, "add", "-A")
    if git(root, "status", "--porcelain"):
        git(root, *GIT_ID, "commit", "-q", "--no-verify", "-m", message)


def prepare_git_revisions(root: Path, seed: int) -> None:
    """Make root a git repo whose HEAD~1..HEAD changes 10 entries."""
    if not (root / ".git").exists():
        (root / ".gitignore").write_text(".ledger/\n", encoding="utf-8")
        log("git init + add + commit of the whole ledger (slow for 100k files)")
        t0 = time.perf_counter()
        git(root, "init", "-q")
        commit_all(root, "bench: synthetic ledger")
        log(f"  done in {time.perf_counter() - t0:.1f} s")
    else:
        commit_all(root, "bench: baseline")
    count = int(git(root, "rev-list", "--count", "HEAD"))
    synth.mutate(root, 10, seed + count)
    commit_all(root, "bench: mutate 10 entries")


def reset_git_revisions(root: Path) -> None:
    """Drop the mutation commit so a kept ledger stays as generated."""
    git(root, "reset", "-q", "--hard", "HEAD~1")


# --------------------------------------------------------------------------- report

@dataclass(frozen=True)
class Target:
    """One line of DESIGN.md section 4: value compared to a reference."""

    label: str
    value: Measurement
    reference: float | None
    ref_name: str
    op: str  # "<=" ratio at most, ">=x faster" reference/value at least, "<" absolute
    limit: float

    def verdict(self) -> tuple[str, str]:
        """Return (line, PASS|FAIL|n/a)."""
        v = self.value.value
        if v is None:
            return f"{self.label}: {self.value.show()}", "n/a"
        if self.op == "<":
            ok = v < self.limit
            return f"{self.label}: {self.value.show()} (target < {self.limit:g} {self.value.unit})", _pf(ok)
        if self.reference is None or self.reference <= 0:
            return f"{self.label}: {self.value.show()} vs {self.ref_name}: n/a", "n/a"
        if self.op == ">=":
            ratio = self.reference / v
            text = (f"{self.label}: {self.value.show()} = {ratio:.1f}x faster than {self.ref_name} "
                    f"{self.reference:.3f} s (target >= {self.limit:g}x)")
            return text, _pf(ratio >= self.limit)
        ratio = v / self.reference
        text = (f"{self.label}: {self.value.show()} = {ratio:.2f}x {self.ref_name} "
                f"{self.reference:.3f} s (target <= {self.limit:g}x)")
        return text, _pf(ratio <= self.limit)


def _pf(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_figures(ms: list[Measurement]) -> None:
    """Print the raw figures table."""
    width = max(len(m.name) for m in ms)
    print(f"{'measurement':<{width}}  {'median':>9}  {'min':>8}  {'max':>8}  runs")
    for m in ms:
        if m.value is None:
            print(f"{m.name:<{width}}  {m.show()}")
        elif m.unit == "MB":
            print(f"{m.name:<{width}}  {m.show():>9}  {'':>8}  {'':>8}  {len(m.runs)}")
        else:
            print(f"{m.name:<{width}}  {m.value:>7.3f} s  {min(m.runs):>6.3f} s  "
                  f"{max(m.runs):>6.3f} s  {len(m.runs)}")


def print_targets(targets: list[Target]) -> int:
    """Print one line per target; return how many FAILed."""
    counts = {"PASS": 0, "FAIL": 0, "n/a": 0}
    for t in targets:
        text, verdict = t.verdict()
        counts[verdict] += 1
        print(f"{text} {verdict}" if verdict != "n/a" else text)
    print(f"\n{counts['PASS']} PASS, {counts['FAIL']} FAIL, {counts['n/a']} n/a")
    return counts["FAIL"]


def compare_ids(warm: Measurement, naive: Measurement) -> str:
    """Say whether the warm list and the naive re-parse found the same incidents."""
    if warm.value is None or naive.value is None:
        return "result check: n/a"
    a, b = warm.stdout.split(), naive.stdout.split()
    if a == b:
        return f"result check: ledger list and the naive re-parse agree ({len(a)} ids, same order)"
    if sorted(a) == sorted(b):
        return f"result check: same {len(a)} ids, different order"
    return (f"result check: MISMATCH: ledger list gave {len(a)} ids, naive re-parse {len(b)} "
            f"({len(set(a) - set(b))} only in ledger, {len(set(b) - set(a))} only in naive)")


# --------------------------------------------------------------------------- main

@dataclass(frozen=True)
class Repeats:
    """How many timed runs: fast commands, heavy (whole-ledger) ones."""

    fast: int
    heavy: int


def run_all(args: argparse.Namespace, tmp: Path) -> int:
    """Build or reuse the ledger, measure everything, print the report."""
    reps = Repeats(fast=args.repeats or (5 if args.quick else 15), heavy=1 if args.quick else 3)
    root = prepare_ledger(args.keep, args.n, args.seed, tmp)
    empty = tmp / "empty"
    (empty / "entries").mkdir(parents=True)
    stamp = tmp / "stamp"
    stamp.touch()
    cli = find_ledger(args.ledger_cmd)
    py, env, lenv = cli.python, cli.env, cli.env_for(root)
    base = [py, str(BENCH / "baselines.py")]
    log(f"ledger command: {shlex.join(cli.argv)} (floors use {py})")

    m: dict[str, Measurement] = {}
    m["pass"] = measure("python -c pass", [py, "-c", "pass"], reps.fast)
    m["typer"] = measure("start-up floor (typer no-op)", [py, "-c", TYPER_FLOOR], reps.fast)
    m["stat"] = measure("stat floor (find -newer)", ["find", "entries", "-newer", str(stamp)],
                        reps.fast, cwd=root)
    m["version"] = measure("ledger --version", [*cli.argv, "--version"], reps.fast, env=env)
    m["empty"] = measure("ledger list (empty ledger)", cli.cmd("list", ledger=empty), reps.fast,
                         cwd=empty, env=cli.env_for(empty))
    m["allcores"] = measure("tomllib on all cores", [*base, "allcores", str(root)], reps.heavy)
    m["index"] = measure("ledger index --rebuild (cold)", cli.cmd("index", "--rebuild", ledger=root),
                         reps.heavy, cwd=root, env=lenv)
    list_argv = cli.cmd("list", *FILTER, "--format", "ids", ledger=root)
    m["warm"] = measure("ledger list (warm, filtered)", list_argv, reps.fast, cwd=root, env=lenv,
                        warmup=1)
    m["peak"] = measure_peak("peak memory of warm list", py, list_argv, 1 if args.quick else 3,
                             cwd=root, env=lenv)
    m["naive"] = measure("naive re-parse + filter", [*base, "naive", str(root), *FILTER],
                         reps.heavy)
    editor = TitleEditor(pick_entry(root))
    try:
        m["refresh"] = measure("ledger list after 1 edit", list_argv, reps.fast, cwd=root,
                               env=lenv, before=editor)
    finally:
        editor.restore()
    subprocess.run(list_argv, cwd=root, env=lenv, capture_output=True)  # re-sync the index
    m["validate"] = measure("ledger validate", cli.cmd("validate", ledger=root), reps.heavy,
                            cwd=root, env=lenv)
    if want_git(args, root):
        m.update(measure_diff(cli, root, args.seed, reps))

    print_header(args, root, cli)
    print_figures(list(m.values()))
    print()
    print(compare_ids(m["warm"], m["naive"]))
    print()
    return print_targets(targets(m))


def want_git(args: argparse.Namespace, root: Path) -> bool:
    """--git / --no-git decide; by default run it when it is cheap or already set up."""
    if args.git is not None:
        return bool(args.git)
    return (root / ".git").exists() or args.n <= 20000


def measure_diff(cli: LedgerCli, root: Path, seed: int, reps: Repeats) -> dict[str, Measurement]:
    """Time `ledger diff HEAD~1 HEAD` and `git diff --stat` over a 10-entry change."""
    out: dict[str, Measurement] = {}
    try:
        prepare_git_revisions(root, seed)
    except (OSError, subprocess.SubprocessError) as e:
        out["diff"] = Measurement("ledger diff HEAD~1 HEAD", error=f"git setup failed: {e}")
        return out
    try:
        out["gitstat"] = measure("git diff --stat HEAD~1 HEAD",
                                 ["git", "diff", "--stat", "HEAD~1", "HEAD"], reps.fast, cwd=root)
        out["diff"] = measure("ledger diff HEAD~1 HEAD", cli.cmd("diff", "HEAD~1", "HEAD", ledger=root),
                              reps.fast, cwd=root, env=cli.env_for(root), ok_codes=(0, 1))
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
        Target("warm list", m["warm"], m["naive"].value, "naive re-parse", ">=", 50),
        Target("refresh after 1 edit", m["refresh"], floors, "floors", "<=", 2),
        Target("peak memory of warm list", m["peak"], None, "", "<", 100),
        Target("validate", m["validate"], m["index"].value, "cold index", "<=", 1.5),
        Target("diff of 10 entries", m.get("diff", none), diff_ref,
               "(git diff --stat + start-up floor)", "<=", 3),
    ]


def print_header(args: argparse.Namespace, root: Path, cli: LedgerCli) -> None:
    """Print what was measured where."""
    typer_v = subprocess.run([cli.python, "-c", "import typer; print(typer.__version__)"],
                             capture_output=True, text=True).stdout.strip() or "?"
    print(f"incident-ledger benchmark: {args.n} entries in {root}")
    print(f"python {sys.version.split()[0]} ({cli.python}), typer {typer_v}, "
          f"{os.cpu_count()} cpus, ledger = {shlex.join(cli.argv)}")
    print(f"filter: {' '.join(FILTER)}; {'quick' if args.quick else 'full'} run\n")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=100_000, help="entries in the ledger (default 100000)")
    p.add_argument("--keep", type=Path, help="build the ledger here and keep it, or reuse it")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quick", action="store_true", help="fewer repeats, for a smoke run")
    p.add_argument("--repeats", type=int, help="runs of each fast command (default 15, quick 5)")
    p.add_argument("--git", action=argparse.BooleanOptionalAction, default=None,
                   help="run the diff benchmark (default: if N <= 20000 or DIR is a git repo)")
    p.add_argument("--ledger-cmd", help="how to run ledger, e.g. 'python -m ledger'")
    args = p.parse_args(argv)
    if args.keep is not None:
        args.keep = args.keep.resolve()
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as tmp:
        return 1 if run_all(args, Path(tmp)) else 0


if __name__ == "__main__":
    sys.exit(main())
