"""Timing subprocesses and reporting against targets, for bench/run.py (stdlib only)."""

from __future__ import annotations

import re
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PEAK_WRAPPER = (
    "import resource, subprocess, sys; "
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); "
    "sys.stderr.write(r.stderr.decode(errors='replace')); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)"
)
TIMEOUT = 900.0
#: "wall" (elapsed) or "cpu" (user + system time of the command and its children, from
#: RUSAGE_CHILDREN): on a machine shared with other work, CPU time is the steadier figure.
CLOCK = {"kind": "wall"}


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


def measure(
    name: str,
    argv: Sequence[str],
    repeats: int,
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    ok_codes: Sequence[int] = (0,),
    warmup: int = 0,
    before: Callable[[int], None] | None = None,
) -> Measurement:
    """Run argv warmup+repeats times and keep the wall-clock time of the last repeats."""
    m = Measurement(name, list(argv))
    log(f"{name}: {shlex.join(a if len(a) < 60 else a[:57] + '...' for a in argv)}")
    for i in range(warmup + repeats):
        if before is not None:
            before(i)
        t0, c0 = time.perf_counter(), _children_cpu()
        try:
            r = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, timeout=TIMEOUT)
        except FileNotFoundError:
            m.error = f"command not found: {argv[0]}"
            return m
        except subprocess.TimeoutExpired:
            m.error = f"timed out after {TIMEOUT:.0f} s"
            return m
        elapsed = time.perf_counter() - t0 if CLOCK["kind"] == "wall" else _children_cpu() - c0
        if r.returncode not in ok_codes:
            m.error = f"exit {r.returncode}: {error_line(r.stderr)}"
            return m
        if i >= warmup:
            m.runs.append(elapsed)
        m.stdout = r.stdout.decode(errors="replace")
    return m


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure_peak(
    name: str,
    python: str,
    argv: Sequence[str],
    repeats: int,
    *,
    cwd: Path,
    env: dict[str, str],
    ok_codes: Sequence[int] = (0,),
) -> Measurement:
    """Peak RSS (MB) of argv, read by a tiny wrapper process from RUSAGE_CHILDREN."""
    m = measure(name, [python, "-c", PEAK_WRAPPER, *argv], repeats, cwd=cwd, env=env, ok_codes=ok_codes)
    if m.error is None:
        m.runs = [int(m.stdout.split()[-1]) / 1024]  # ru_maxrss is in KiB on Linux
        m.unit = "MB"
    return m


#: the error of a row whose group was not run (--only / --skip): left out of the targets table
SKIPPED = "skipped"


class Figures:
    """Look up measurements by key; a missing one reads as skipped."""

    def __init__(self, m: dict[str, Measurement]) -> None:
        self.m = m

    def get(self, key: str) -> Measurement:
        return self.m.get(key) or Measurement(key, error=SKIPPED)

    def value(self, key: str) -> float | None:
        return self.get(key).value


def total(*ms: Measurement) -> float | None:
    """Sum of medians, None if any is missing."""
    values = [m.value for m in ms]
    return sum(v for v in values if v is not None) if None not in values else None


@dataclass(frozen=True)
class Target:
    """One target: a measurement compared with its peer (a reference), or an absolute limit."""

    label: str
    value: Measurement
    reference: float | None
    ref_name: str
    op: str  # "<=" ratio at most, ">=" reference/value at least ("x faster"), "<" absolute, "info" no target
    limit: float

    @property
    def skipped(self) -> bool:
        """True if the row's group was not run."""
        return self.value.error == SKIPPED

    def ratio(self) -> float | None:
        """value/reference (reference/value for ">="), None without both."""
        v = self.value.value
        if v is None or self.op == "<" or self.reference is None or self.reference <= 0 or v <= 0:
            return None
        return self.reference / v if self.op == ">=" else v / self.reference

    def verdict(self) -> str:
        """met, missed or n/a."""
        v = self.value.value
        if v is None:
            return "n/a"
        if self.op == "<":
            return _verdict(v < self.limit)
        r = self.ratio()
        if r is None:
            return "n/a"
        if self.op == "info":
            return "(no target)"
        return _verdict(r >= self.limit if self.op == ">=" else r <= self.limit)

    def cells(self) -> list[str]:
        """The row of the targets table: target, ledger, peer, ratio, limit, verdict."""
        ledger = self.value.show()
        if self.op == "<":
            return [self.label, ledger, "", "", f"< {self.limit:g} {self.value.unit}", self.verdict()]
        peer = self.ref_name if self.reference is None else f"{self.ref_name}, {self.reference:.3f} s"
        r = self.ratio()
        ratio = "" if r is None else f"{r:.1f}x faster" if self.op == ">=" else f"{r:.2f}x"
        limit = {">=": f">= {self.limit:g}x faster", "<=": f"<= {self.limit:g}x"}.get(self.op, "")
        return [self.label, ledger, peer, ratio, limit, self.verdict()]


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def print_figures(ms: list[Measurement]) -> None:
    """Print the raw figures table."""
    width = max((len(m.name) for m in ms), default=10)
    print(f"{'measurement':<{width}}  {'median':>9}  {'min':>8}  {'max':>8}  runs")
    for m in ms:
        if m.value is None:
            print(f"{m.name:<{width}}  {m.show()}")
        elif m.unit == "MB":
            print(f"{m.name:<{width}}  {m.show():>9}  {'':>8}  {'':>8}  {len(m.runs)}")
        else:
            print(f"{m.name:<{width}}  {m.value:>7.3f} s  {min(m.runs):>6.3f} s  {max(m.runs):>6.3f} s  {len(m.runs)}")


def print_targets(targets: list[Target]) -> int:
    """Print the targets of the rows that were run as a Markdown table; return how many were missed."""
    rows = [t.cells() for t in targets if not t.skipped]
    print("| target | ledger | peer (same run) | ratio | limit | |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    verdicts = [row[-1] for row in rows]
    met, missed = verdicts.count("met"), verdicts.count("**missed**")
    left = len(targets) - len(rows)
    print(f"\n{met} met, {missed} missed, {verdicts.count('n/a')} n/a" + (f", {left} not run" if left else ""))
    return missed
