"""Every SQLite connection, file and process a command opens is closed when it ends.

Python 3.13 reports an unclosed SQLite connection as a ResourceWarning when it is collected
(3.11 and 3.12 do not), and every version does so for files and subprocess pipes. Here every
connection is also tracked as it is opened, so a leak fails on every version, and each
command runs with ResourceWarning turned into an error (as `-W error::ResourceWarning`).
"""

from __future__ import annotations

import gc
import os
import sqlite3
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import entry
from test_git import GitRepo, new_repo

from ledger.api import Ledger

OPEN: set[int] = set()


class Tracked(sqlite3.Connection):
    """A connection that notes its opening and its closing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        OPEN.add(id(self))

    def close(self) -> None:
        OPEN.discard(id(self))
        super().close()


@pytest.fixture
def tracked(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[int]]:
    original = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        return original(*args, factory=Tracked, **kwargs)  # type: ignore[misc]

    monkeypatch.setattr(sqlite3, "connect", connect)
    OPEN.clear()
    yield OPEN
    OPEN.clear()


@pytest.fixture
def unraisable(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Collect what finalizers raise (a ResourceWarning turned into an error ends up there)."""
    seen: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda info: seen.append(f"{info.exc_value!r} in {info.object!r}"))
    return seen


def _ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    repo = new_repo(tmp_path, monkeypatch)
    repo.write("2020-01-03-strike", entry(title="Strike", date="2020-01-03", type="airstrike", escalation=5))
    repo.write(
        "2020-01-05-rockets", entry(title="Rockets", date="2020-01-05", extra='responds_to = ["2020-01-03-strike"]')
    )
    repo.commit("One")
    repo.write("2020-01-05-rockets", entry(title="Rockets", date="2020-01-05", escalation=6))
    repo.write("2020-01-06-rally", entry(title="Rally", date="2020-01-06", type="protest", escalation=0))
    repo.commit("Two")
    repo.write("2020-01-07-bad", 'title = "broken\n')
    return repo


def _commands(export: Path) -> list[list[str]]:
    return [
        ["index"],
        ["index", "--rebuild"],
        ["list"],
        ["list", "--format", "json", "type:airstrike"],
        ["list", "--as-of", "HEAD~1"],
        ["list", "--as-of", "HEAD~1"],  # from the revision index
        ["show", "2020-01-05-rockets"],
        ["show", "2020-01-05-rocket"],  # unknown: a suggestion from the index
        ["timeline"],
        ["timeline", "--format", "svg"],
        ["chain", "2020-01-05-rockets"],
        ["search", "rockets"],
        ["stats", "--by", "type"],
        ["dupes"],
        ["validate"],
        ["export", "--format", "json"],  # written to export.json for the import
        ["export", "--format", "ics"],
        ["import", str(export)],
        ["new", "Shelling near the border", "--date", "2020-01-08", "--type", "shelling", "--escalation", "4",
         "--confidence", "reported", "--place", "Albukamal", "--country", "SY", "--source", "Reuters"],
        ["fmt", "--check"],
        ["fmt"],
        ["diff", "HEAD~1", "HEAD"],
        ["diff"],
        ["log", "2020-01-05-rockets"],
        ["git-setup"],
    ]  # fmt: skip


def test_every_command_closes_what_it_opens(tmp_path, monkeypatch, cli, tracked, unraisable):
    repo = _ledger(tmp_path, monkeypatch)
    ran = []
    export = tmp_path / "export.json"
    for args in _commands(export):
        with warnings.catch_warnings():
            warnings.simplefilter("error", ResourceWarning)
            result = cli(*args, "--ledger", str(repo.root))
            gc.collect()
        if args[0] == "export" and args[2] == "json":
            export.write_text(result.out, encoding="utf-8")
        assert "Traceback" not in result.err, (args, result.err)
        assert tracked == set(), f"`ledger {' '.join(args)}` left {len(tracked)} SQLite connection(s) open"
        assert unraisable == [], (args, unraisable)
        ran.append((args[0], result.status, result.err[-200:]))
    assert [r for r in ran if r[1] not in (0, 1)] == []
    assert [r[0] for r in ran if r[1] == 0].count("list") == 4  # the operations ran, they did not just fail early


def test_the_tracking_catches_a_leak(tmp_path, monkeypatch, tracked):
    repo = _ledger(tmp_path, monkeypatch)
    ledger = Ledger(repo.root)
    assert ledger.lookup(["2020-01-03-strike"])
    assert len(tracked) == 1  # a Ledger keeps its index connection for its life...
    ledger.close()
    assert tracked == set()  # ...and closes it
    with Ledger(repo.root) as again:
        assert [e.id for e in again.select("type:airstrike")] == ["2020-01-03-strike"]
    assert tracked == set()


def test_a_revision_asked_again_opens_nothing_more(tmp_path, monkeypatch, tracked):
    repo = _ledger(tmp_path, monkeypatch)
    before = repo.git("rev-parse", "HEAD~1").strip()
    with Ledger(repo.root) as ledger:
        old = ledger.at("HEAD~1")
        for _ in range(3):  # a program asking as of the same commit again and again
            assert ledger.at(before) is old and len(old.select("")) == 2
        assert len(tracked) == 1
        assert ledger.at("HEAD") is not old and len(tracked) == 2
    assert tracked == set()


def test_a_revision_that_fails_half_way_closes_its_index(tmp_path, monkeypatch, tracked):
    from ledger.api import timetravel
    from ledger.core.errors import LedgerError

    repo = _ledger(tmp_path, monkeypatch)

    def broken(*args: Any) -> Any:
        assert len(tracked) == 1  # the revision index is open by now...
        raise LedgerError("git failed")

    monkeypatch.setattr(timetravel, "_vocabulary_at", broken)
    with Ledger(repo.root) as ledger, pytest.raises(LedgerError, match="git failed"):
        ledger.at("HEAD~1")
    assert tracked == set()  # ...and closed although `at` never returned it


# The library as another program uses it, in a fresh interpreter: `-W error::ResourceWarning`
# turns an unclosed file, pipe, process pool or (3.13) database into an exception when it is
# freed, which ends up in sys.unraisablehook; connections are also counted, for 3.11 and 3.12.
# Worker processes take part: the parallel threshold is lowered to 2 files.
_OPERATIONS = """
import gc, io, sqlite3, sys
from pathlib import Path

seen, open_now = [], set()
sys.unraisablehook = lambda u: seen.append(f"{u.exc_value!r} in {u.object!r}")

class Counted(sqlite3.Connection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        open_now.add(id(self))

    def close(self):
        open_now.discard(id(self))
        super().close()

connect = sqlite3.connect
sqlite3.connect = lambda *args, **kwargs: connect(*args, factory=Counted, **kwargs)

from ledger.api import Ledger, parallel
from ledger.query import Selection

parallel.PARALLEL_THRESHOLD = 2
root, export = Path(sys.argv[1]), Path(sys.argv[2])
with Ledger.open(root) as ledger:
    assert ledger.refresh_index(rebuild=True).how == "rebuilt"
    assert ledger.refresh_index().how == "fresh"
    assert [e.id for e in ledger.select("type:airstrike")] == ["2020-01-03-strike"]
    assert list(ledger.lookup(["2020-01-05-rockets"])) == ["2020-01-05-rockets"]
    assert ledger.suggest_id("2020-01-05-rocket")
    assert ledger.search("rockets").entries
    assert len(ledger.at("HEAD~1").select("")) == 2
    assert ledger.stats(Selection(), "type", as_of="HEAD~1").count == 2
    assert ledger.timeline(Selection()).steps and ledger.chain("2020-01-05-rockets")
    ledger.dupes(Selection())
    assert ledger.validate().errors == 1
    assert ledger.diff(["HEAD~1", "HEAD"]) and ledger.log("2020-01-05-rockets")
    out = io.StringIO()
    ledger.export(None, "json", out)
    export.write_text(out.getvalue(), encoding="utf-8")
    (root / "entries/2020/01/2020-01-06-rally.toml").unlink()  # the import brings it back
    plan = ledger.plan_import(export, None)
    assert [outcome for _, outcome in ledger.write_import(plan)] == ["created"]
    list(ledger.format(write=False))
    list(ledger.format())
assert len(ledger.select("")) == 3  # a closed Ledger opens its index again...
ledger.close()  # ...and closes it again
gc.collect()
print(f"unraisable: {seen}; connections open: {len(open_now)}")
sys.exit(1 if seen or open_now else 0)
"""


def test_the_library_closes_everything_in_a_fresh_interpreter(tmp_path, monkeypatch):
    import subprocess

    from conftest import ROOT

    repo = _ledger(tmp_path, monkeypatch)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-W", "error::ResourceWarning", "-c", _OPERATIONS, str(repo.root), str(tmp_path / "x.json")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert (done.returncode, done.stderr) == (0, ""), done.stdout + done.stderr
    assert done.stdout == "unraisable: []; connections open: 0\n"
