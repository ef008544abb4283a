"""Issue 10: findings keep exit 1 under a closed pipe; user arguments are escaped in errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, entry

ID = "2020-01-05-green-zone-rockets"
TWIN = "2020-01-05-rockets-on-the-green-zone"

pytestmark = pytest.mark.skipif(shutil.which("bash") is None or shutil.which("head") is None, reason="needs bash")


def piped(root, *args: str) -> int:
    """Run `ledger ARGS | head -1` under `set -o pipefail`, as CI does; return the pipeline's status."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = " ".join([sys.executable, "-m", "ledger", *args, "--ledger", str(root)])
    done = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command} 2>/dev/null | head -1 >/dev/null"],
        env=env,
        capture_output=True,
        check=False,
    )
    return done.returncode


def many_problems() -> str:
    """An entry with thousands of unknown keys: more findings than a pipe holds (64 KiB)."""
    keys = "".join(f"unknown_key_number_{i} = 1\n" for i in range(3000))
    return entry(extra=keys)


@pytest.mark.parametrize("size", ["small", "large"])
def test_validate_keeps_exit_1_when_the_reader_stops(make_ledger, size):
    text = entry(escalation=9) if size == "small" else many_problems()
    root = make_ledger({ID: text})
    assert piped(root, "validate") == 1
    assert piped(root, "validate", "--format", "json") == 1


def test_dupes_keeps_exit_1_when_the_reader_stops(make_ledger):
    root = make_ledger({ID: entry(), TWIN: entry(title="Rockets on the Green Zone")})
    assert piped(root, "dupes") == 1


def test_fmt_check_keeps_exit_1_when_the_reader_stops(make_ledger):
    messy = {
        f"2020-01-{d:02d}-x{n}": entry(date=f"2020-01-{d:02d}").replace("escalation = 4", "escalation=4")
        for d in range(1, 29)
        for n in range(3)
    }
    root = make_ledger(messy)
    assert piped(root, "fmt", "--check") == 1


def test_a_clean_run_under_a_closed_pipe_is_still_0(make_ledger):
    root = make_ledger({ID: entry()})
    assert piped(root, "list") == 0
    assert piped(root, "validate") == 0


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--type", "\x1b[2Jx"],
        ["list", "--columns", "id,\x1b[31m"],
        ["list", "--format", "\x07json"],
        ["validate", "/nowhere/\x1b[31mx.toml"],
        ["import", "/nowhere/\x1b[31mx.csv"],
        ["list", "--ledger", "/nowhere/\x1b]0;title\x07"],
        ["show", "\x1b[2J2020-01-01-x\u202e"],
    ],
)
def test_user_arguments_are_escaped_in_error_messages(make_ledger, cli, args):
    root = make_ledger({ID: entry()})
    ledger = [] if "--ledger" in args else ["--ledger", str(root)]
    result = cli(*args, *ledger)
    assert result.status in (1, 2)
    assert result.err.startswith("ledger: error: ")
    assert "\x1b" not in result.err and "\x07" not in result.err and "\u202e" not in result.err
    assert result.err.count("\n") == 1
    assert "\\x1b" in result.err or "\\x07" in result.err


def test_a_query_of_a_thousand_terms_works(make_ledger, cli):
    root = make_ledger({ID: entry()})
    ids = ",".join([*(f"2020-01-01-n{i}" for i in range(1000)), ID])
    result = cli("list", f"id:{ids}", "--format", "ids", "--ledger", str(root))
    assert (result.status, result.out) == (0, ID + "\n")
    countries = [arg for i in range(1000) for arg in ("--country", "IQ" if i == 999 else "SY")]
    result = cli("list", *countries, "--format", "ids", "--ledger", str(root))
    assert (result.status, result.out) == (0, ID + "\n")
