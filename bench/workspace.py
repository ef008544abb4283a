"""The ledger under test: finding the `ledger` command, building the synthetic ledger,
editing it, and the two git revisions of the diff benchmark."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import baselines
import synth
from harness import TIMEOUT, log

REPO = Path(__file__).resolve().parent.parent
GIT_ID = ["-c", "user.name=b", "-c", "user.email=b@b"]


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


def bench_env(pycache: Path | None) -> dict[str, str]:
    """Return the environment for every timed command.

    With a pycache dir, bytecode is cached there (PYTHONPYCACHEPREFIX) even when the shell
    sets PYTHONDONTWRITEBYTECODE, as an installed package has its .pyc files: start-up is
    then measured as users see it, without writing into the source tree.
    """
    env = dict(os.environ)
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def find_ledger(override: str | None, env: dict[str, str]) -> LedgerCli:
    """Prefer `ledger` beside this interpreter, then on PATH, else `python -m ledger`."""
    env = dict(env)
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
            sys.exit(f"bench: {root} holds {count} entries and was not made by bench/synth.py; refusing to replace it")
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
        self.edits = 0

    def __call__(self, i: int) -> None:
        self.edits = i + 1
        lines = self.original.split("\n")
        n = next(k for k, line in enumerate(lines) if line.startswith("title = "))
        lines[n] = lines[n][:-1] + f' (bench edit {i})"'
        self.path.write_text("\n".join(lines), encoding="utf-8")

    def last_marker(self) -> str:
        """Return the text the last edit added (for a --text search)."""
        return f"(bench edit {self.edits - 1})"

    def restore(self) -> None:
        self.path.write_text(self.original, encoding="utf-8")


def git(root: Path, *args: str) -> str:
    """Run git in root and return its stdout (raises on failure)."""
    r = subprocess.run(["git", *args], cwd=root, capture_output=True, check=True, timeout=TIMEOUT)
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
