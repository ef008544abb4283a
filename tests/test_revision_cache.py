"""The revision cache (`index.revision`): a revision answers as the live index of its checkout.

Revisions where files were renamed, deleted, copied (two paths, one blob) and restored; a
revision met before (no `ls-tree`, nothing parsed); a set-up interrupted at each step; a
cache of another layout; revisions forgotten beyond `KEEP`; a cache that cannot be opened.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import entry
from test_git import GitRepo, new_repo

from ledger import query
from ledger.api import Ledger
from ledger.index import revision
from ledger.index.storage import SCHEMA_VERSION

SELECTIONS = ("", "escalation>=4", "country:SY", "id:2020-01-05-b")
FORMATS = ("tsv", "json")
BAD = "entries/2020/01/2020-01-09-bad.toml"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    return new_repo(tmp_path, monkeypatch)


def history(repo: GitRepo) -> list[str]:
    """Four commits: renamed, deleted, copied, invalid, restored files; links between them."""
    repo.write("2020-01-03-a", entry(title="A", date="2020-01-03", escalation=5))
    repo.write("2020-01-05-b", entry(title="B", date="2020-01-05", extra='responds_to = ["2020-01-03-a"]'))
    repo.write("2020-01-05-c", entry(title="C", date="2020-01-05", country="SY", escalation=2))
    first = repo.commit("One")
    repo.move("2020-01-05-b", "entries/moved/2020-01-05-b.toml")  # renamed: same blob, another path
    repo.write("2020-01-07-c", entry(title="C", date="2020-01-05", country="SY", escalation=2))  # C's blob again
    repo.remove("2020-01-03-a")
    repo.write("2020-01-09-bad", 'title = "broken\n')
    second = repo.commit("Two")
    repo.move("entries/moved/2020-01-05-b.toml", "entries/2020/01/2020-01-05-b.toml")  # back where it was
    repo.write("2020-01-03-a", entry(title="A", date="2020-01-03", escalation=5))  # restored: the first blob
    repo.write("2020-01-05-c", entry(title="C", date="2020-01-05", country="SY", escalation=6))
    third = repo.commit("Three")
    repo.remove("2020-01-09-bad")
    repo.write("2020-01-08-d", entry(title="D", date="2020-01-08", extra='responds_to = ["2020-01-05-c"]'))
    fourth = repo.commit("Four")
    return [first, second, third, fourth]


def checkout(repo: GitRepo, commit: str, where: Path) -> Path:
    """A checkout of the commit (its live index is what the revision must answer)."""
    if not where.exists():
        repo.git("worktree", "add", "-q", "--detach", str(where), commit)
    return where


def answers(view: Any) -> list[Any]:
    out: list[Any] = []
    for text in SELECTIONS:
        found = view.find(query.Selection(query.parse(text)) if text else None)
        out.append((text, list(found.ids()), found.keys(), list(found.incidents()), list(found.json_texts())))
        out.append((found.skipped, found.invalid()))
    out.append(view.lookup(["2020-01-03-a", "2020-01-05-b", "2020-01-07-c"]))
    return out


def assert_as_checkout(repo: GitRepo, commit: str, tmp_path: Path, cli: Any) -> None:
    live_root = checkout(repo, commit, tmp_path / f"co-{commit[:8]}")
    with Ledger(repo.root) as ledger, Ledger(live_root) as live:
        assert answers(ledger.at(commit)) == answers(live)
        for rel in ("entries/moved/2020-01-05-b.toml", "entries/2020/01/2020-01-05-c.toml", BAD):
            file = live_root / rel
            assert ledger.at(commit).source_text(rel)[0] == (file.read_text("utf-8") if file.exists() else None)
    for fmt in FORMATS:
        old = cli("timeline", "--ledger", str(repo.root), "--as-of", commit, "--format", fmt)
        now = cli("timeline", "--ledger", str(live_root), "--format", fmt)
        assert (old.status, old.out) == (now.status, now.out), fmt


def opened(repo: GitRepo, commit: str) -> revision.RevisionIndex:
    with Ledger(repo.root) as ledger:
        index = ledger.at(commit).revision
        assert isinstance(index, revision.RevisionIndex)
        return index


def interrupt_after_one_parse(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Parse a revision's pairs one at a time and press Ctrl-C after the first; return the real `_add`."""
    monkeypatch.setattr(revision, "CHUNK", 1)
    add = revision.RevisionIndex._add

    def stop_parsing(self: revision.RevisionIndex, conn: Any, key: str, pairs: Any, parse_rows: Any) -> int:
        def some(missing: list[tuple[str, str]]) -> Any:
            if self.parsed >= 1:
                raise KeyboardInterrupt
            return parse_rows(missing)

        return add(self, conn, key, pairs, some)

    monkeypatch.setattr(revision.RevisionIndex, "_add", stop_parsing)
    return add


def test_each_revision_answers_as_its_checkout(repo: GitRepo, tmp_path: Path, cli: Any) -> None:
    commits = history(repo)
    for commit in [*commits, commits[0]]:  # the first again: met before
        assert_as_checkout(repo, commit, tmp_path, cli)


def test_a_revision_met_before_lists_and_parses_nothing(repo: GitRepo, tmp_path: Path, cli: Any) -> None:
    first, _, third, _ = history(repo)
    new = opened(repo, first)
    assert (new.listed, new.parsed, new.how) == (True, 3, "file")
    again = opened(repo, first)
    assert (again.listed, again.parsed) == (False, 0)
    shared = opened(repo, third)  # every blob met before (a and b restored; only c's new text)
    assert (shared.listed, shared.parsed) == (True, 3)  # a and b as in the first: their rows are shared
    assert_as_checkout(repo, third, tmp_path, cli)


def test_an_interrupted_set_up_is_done_again(
    repo: GitRepo, tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, *_ = history(repo)
    known = revision._known
    calls: list[str] = []

    def interrupted(conn: sqlite3.Connection, key: str) -> int | None:
        calls.append(key)
        if len(calls) == 2:  # inside the transaction that records the members: after every row is in
            raise KeyboardInterrupt
        return known(conn, key)

    monkeypatch.setattr(revision, "_known", interrupted)
    with pytest.raises(KeyboardInterrupt), Ledger(repo.root) as ledger:
        ledger.at(first)
    monkeypatch.setattr(revision, "_known", known)
    again = opened(repo, first)
    assert (again.listed, again.parsed) == (True, 0)  # listed again, its rows kept
    assert_as_checkout(repo, first, tmp_path, cli)

    parse = interrupt_after_one_parse(monkeypatch)
    with pytest.raises(KeyboardInterrupt), Ledger(repo.root) as ledger:
        ledger.at(second)
    monkeypatch.setattr(revision.RevisionIndex, "_add", parse)
    rest = opened(repo, second)
    assert (rest.listed, rest.parsed) == (True, 2)  # of its three new pairs (b moved, c copied, bad), one was kept
    assert_as_checkout(repo, second, tmp_path, cli)


def test_a_cache_of_another_layout_starts_over(repo: GitRepo, tmp_path: Path, cli: Any) -> None:
    first, *_ = history(repo)
    (repo.root / ".ledger").mkdir(exist_ok=True)
    path = repo.root / ".ledger" / revision.FILE
    with sqlite3.connect(path) as old:  # layout 1: rows by (blob, path), no members; one row of junk
        old.execute("CREATE TABLE rows (blob TEXT NOT NULL, path TEXT, id TEXT, ok INTEGER, PRIMARY KEY (blob, path))")
        old.execute("INSERT INTO rows VALUES ('x', 'entries/2020/01/2020-01-03-a.toml', 'junk', 1)")
        old.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    old.close()
    assert_as_checkout(repo, first, tmp_path, cli)
    with sqlite3.connect(path) as now:
        assert now.execute("PRAGMA user_version").fetchone()[0] == revision.VERSION
        assert now.execute("SELECT count(*) FROM rows WHERE id = 'junk'").fetchone()[0] == 0
    now.close()


def test_revisions_beyond_keep_are_listed_again(
    repo: GitRepo, tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(revision, "KEEP", 2)
    commits = history(repo)
    for commit in commits:
        assert opened(repo, commit).listed
    assert not opened(repo, commits[-1]).listed
    forgotten = opened(repo, commits[0])
    assert (forgotten.listed, forgotten.parsed) == (True, 0)  # its members were dropped, its rows kept
    assert_as_checkout(repo, commits[0], tmp_path, cli)
    with sqlite3.connect(repo.root / ".ledger" / revision.FILE) as conn:
        assert conn.execute("SELECT count(DISTINCT rev) FROM members").fetchone()[0] == 2
    conn.close()


def test_a_cache_that_cannot_open_is_bypassed(repo: GitRepo, tmp_path: Path, cli: Any) -> None:
    first, *_ = history(repo)
    (repo.root / ".ledger" / revision.FILE).mkdir(parents=True)  # a folder where the file goes
    assert opened(repo, first).how == "memory"
    assert_as_checkout(repo, first, tmp_path, cli)


def test_a_first_fill_interrupted_keeps_the_indexes(
    repo: GitRepo, tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first fill makes the indexes at its end: interrupted before, the next open makes them."""
    first, *_ = history(repo)
    add = interrupt_after_one_parse(monkeypatch)
    with pytest.raises(KeyboardInterrupt), Ledger(repo.root) as ledger:
        ledger.at(first)
    path = repo.root / ".ledger" / revision.FILE
    with sqlite3.connect(path) as conn:
        names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    conn.close()
    assert "rows_chrono" not in names
    monkeypatch.setattr(revision.RevisionIndex, "_add", add)
    assert opened(repo, first).parsed == 2
    with sqlite3.connect(path) as conn:
        names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        # the path: a column of rows_chrono's own (rows_drawn, the chart's, holds the id too and is wider)
        plan = " ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN SELECT path FROM rows ORDER BY chrono"))
    conn.close()
    assert {"rows_chrono", "rows_drawn", "rows_id", "rows_invalid"} <= names and "rows_chrono" in plan
    assert_as_checkout(repo, first, tmp_path, cli)
