"""`--watch`: each group's ledger rows again with `ledger watch` running (the stat walk skipped).

The plain rows are measured first, as always; then a watcher is started on the ledger, the
index is brought under its session (one walk), and the group's own `ledger` rows are timed
again as "NAME [watched]" right after, so each pair comes from the same minutes. The
watcher's own CPU over those runs (its answers to the commands' cookies) is reported
beside them: it is work the watched rows do not count.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from typing import Any

from harness import log

SUFFIX = " [watched]"


def measure_group(s: Any, run: Callable[[Any], None]) -> None:
    """Run a group's step, then its ledger rows again with a watcher running; note the ratios."""
    before = set(s.m)
    run(s)
    ours = [k for k in s.m if k not in before and s.m[k].argv[: len(s.cli.argv)] == s.cli.argv]
    if not ours:
        return
    plain = {k: s.m.pop(k) for k in ours}  # Setup is frozen: its dict is changed in place
    proc = start(s)
    try:
        s.sync_index()  # the first command walks once and takes the session's token
        cpu = _cpu(proc.pid)
        run(s)
        spent = _cpu(proc.pid) - cpu
    finally:
        proc.terminate()
        proc.wait()
    watched = {k: s.m.pop(k) for k in ours if k in s.m}
    s.m.update(plain)
    for key, m in watched.items():
        m.name += SUFFIX
        s.m[key + SUFFIX] = m
        a, b = plain[key].value, m.value
        ratio = f"{b / a:.2f}x" if a and b else "n/a"
        s.notes.append(f"{plain[key].name}: with `ledger watch` {m.show()} against {plain[key].show()} ({ratio})")
    s.notes.append(f"  the watcher's own CPU over those runs: {spent:.3f} s")


def start(s: Any) -> subprocess.Popen[bytes]:
    """Start `ledger watch` on the synthetic ledger; return once its journal is open."""
    journal = s.root / ".ledger" / "watch.journal"
    proc = subprocess.Popen(s.ledger("watch"), cwd=s.root, env=s.lenv, stderr=subprocess.DEVNULL)
    t0 = time.perf_counter()
    while not (journal.is_file() and journal.read_bytes().startswith(b"ledger-watch ")):
        if proc.poll() is not None:
            raise RuntimeError("ledger watch ended at once")
        time.sleep(0.05)
    log(f"  ledger watch (pid {proc.pid}) ready in {time.perf_counter() - t0:.1f} s")
    return proc


def _cpu(pid: int) -> float:
    """User + system CPU seconds of a running process (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
