"""Every SQLite connection, file and process a command opens is closed when it ends.

Python 3.13 reports an unclosed SQLite connection as a ResourceWarning when it is collected
(3.11 and 3.12 do not), and every version does so for files and subprocess pipes. Here every
connection is also tracked as it is opened, so a leak fails on every version, and each
command runs with ResourceWarning turned into an error (as `-W error::ResourceWarning`).
"""

from __future__ import annotations

import gc
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
        ["list", "--as-of", "HEAD~1"],  # from the blob cache
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
