"""The git edge: real repositories in temp folders, hostile revisions, scrubbed environment.

`GitRepo` (imported by the other git test modules) builds a ledger in a fresh repository
and commits with fixed names and dates, so commit ids are reproducible.
"""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import pytest
from conftest import entry

from ledger.core.errors import LedgerError, UsageError
from ledger.vcs import git, gitout

AUTHORS = {"Ana": "ana@example.org", "Bo": "bo@example.org", "Cy": "cy@example.org"}


def git_env(home: Path) -> dict[str, str]:
    """An environment for the test's own git calls: no user config, no inherited GIT_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull})
    return env


class GitRepo:
    """A ledger inside a git repository; `commit` uses fixed authors and dates."""

    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.env = git_env(home)
        (root / "entries").mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.day = 0

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            ["git", *args], cwd=self.root, env={**self.env, **(env or {})}, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def path(self, name: str) -> Path:
        """entries/YYYY/MM/<id>.toml for an id, or the relative path as given."""
        if "/" in name or name.endswith(".toml"):
            return self.root / name
        return self.root / "entries" / name[:4] / name[5:7] / f"{name}.toml"

    def write(self, name: str, text: str | bytes) -> Path:
        path = self.path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def remove(self, name: str) -> None:
        self.path(name).unlink()

    def move(self, name: str, to: str) -> None:
        target = self.root / to
        target.parent.mkdir(parents=True, exist_ok=True)
        self.path(name).rename(target)

    def commit(self, message: str, author: str = "Ana", merge: bool = False) -> str:
        """Stage everything and commit on a fixed date (one day later each time); return the id."""
        self.day += 1
        when = f"2020-02-{self.day:02d}T10:00:00+00:00"
        self.git("add", "-A")
        dates = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        self.git(
            "-c", f"user.name={author}", "-c", f"user.email={AUTHORS[author]}", "commit", "-q", "-m", message, env=dates
        )
        return self.rev("HEAD")

    def rev(self, name: str) -> str:
        return self.git("rev-parse", name).strip()


def new_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """Make a GitRepo at tmp_path/ledger with HOME and git's config isolated."""
    home = tmp_path / "home"
    home.mkdir()
    # The ledger's own git calls inherit HOME: keep the user's git config out of the tests.
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    return GitRepo(tmp_path / "ledger", home)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    return new_repo(tmp_path, monkeypatch)


def two_commits(repo: GitRepo) -> tuple[str, str]:
    repo.write("2020-01-05-rockets", entry(date="2020-01-05"))
    first = repo.commit("First")
    repo.write("2020-01-05-rockets", entry(date="2020-01-05", escalation=5))
    return first, repo.commit("Second")


# -- check_revision ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["--output=/tmp/x", "-c", "-cfoo=bar", "--", "-", "HEAD\nrm", "HEAD\x00", "a\x1b[31m", "", "A" * 300],
)
def test_check_revision_refuses(text: str) -> None:
    with pytest.raises(UsageError):
        git.check_revision(text)


@pytest.mark.parametrize("text", ["HEAD", "HEAD~1", "main", "v1.0", "HEAD^2", "abc123", "HEAD@{1}", "feature/x-y"])
def test_check_revision_accepts(text: str) -> None:
    assert git.check_revision(text) == text


# -- hostile revisions reach nothing -----------------------------------------------------

HOSTILE = [
    "--output={out}",
    "--output",
    "-c",
    "-ccore.pager=touch {out}",
    "--exec-path={out}",
    "HEAD;touch {out}",
    "$(touch {out})",
    "`touch {out}`",
    "HEAD\ntouch {out}",
    "HEAD|touch {out}",
    "A" * 5000,
    "HEAD..--output={out}",
    "--output={out}..HEAD",
    "HEAD...-c",
]


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_revision_exits_2_without_side_effect(repo: GitRepo, cli, tmp_path: Path, template: str) -> None:
    two_commits(repo)
    out = tmp_path / "pwned"
    revision = template.format(out=out)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = cli("diff", "--ledger", str(repo.root), "--", revision)
    assert result.status == 2, result
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert result.out == ""
    assert "Traceback" not in result.err


@pytest.mark.parametrize("template", ["--output={out}", "-c", "-ccore.pager=touch {out}"])
def test_hostile_option_like_words_are_refused_by_the_parser(repo: GitRepo, cli, tmp_path: Path, template: str) -> None:
    two_commits(repo)
    out = tmp_path / "pwned"
    result = cli("diff", "--ledger", str(repo.root), template.format(out=out))
    assert result.status == 2
    assert not out.exists()


@pytest.mark.parametrize("template", ["--output={out}", "-c", "HEAD;touch {out}", "$(touch {out})"])
def test_hostile_revision_in_log_and_as_second_side(repo: GitRepo, cli, tmp_path: Path, template: str) -> None:
    two_commits(repo)
    out = tmp_path / "pwned"
    revision = template.format(out=out)
    root = str(repo.root)
    for args in (
        ("diff", "--ledger", root, "--", "HEAD", revision),
        ("diff", "--ledger", root, "--", revision, "HEAD"),
        ("log", "--ledger", root, "2020-01-05-rockets", "--rev", revision),
    ):
        result = cli(*args)
        assert result.status == 2, (args, result)
        assert not out.exists()


def test_hostile_log_id_is_refused(repo: GitRepo, cli) -> None:
    two_commits(repo)
    for bad in ("../../etc/passwd", "*", "2020-01-05-*", ":(glob)**", "-x", "A" * 200):
        result = cli("log", "--ledger", str(repo.root), "--", bad)
        assert result.status == 2, (bad, result)
        assert "not an incident id" in result.err


# -- clear trouble -----------------------------------------------------------------------


def test_not_a_repository(make_ledger, cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = make_ledger({"2020-01-05-x": entry()})
    result = cli("diff", "--ledger", str(root))
    assert result.status == 2
    assert (
        result.err
        == f"ledger: error: not a git repository: {root.as_posix()} (git needs one; to compare folders give DIR_A DIR_B)\n"
    )
    # the hint about folders belongs to `diff` alone
    for args in (("log", "2020-01-05-x"), ("list", "--as-of", "HEAD"), ("git-setup",)):
        result = cli(*args, "--ledger", str(root))
        assert (result.status, result.err) == (
            2,
            f"ledger: error: not a git repository: {root.as_posix()} (git needs one)\n",
        ), args


def test_unknown_revision(repo: GitRepo, cli) -> None:
    two_commits(repo)
    result = cli("diff", "--ledger", str(repo.root), "no-such-branch")
    assert result.status == 2
    assert result.err == "ledger: error: unknown revision: 'no-such-branch'\n"
    result = cli("diff", "--ledger", str(repo.root), "HEAD~5..HEAD")
    assert result.status == 2
    assert "unknown revision: 'HEAD~5'" in result.err


def test_shallow_clone(repo: GitRepo, cli, tmp_path: Path) -> None:
    two_commits(repo)
    repo.write("2020-01-06-other", entry(date="2020-01-06"))
    repo.commit("Third")
    clone = tmp_path / "clone"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone))
    result = cli("diff", "--ledger", str(clone), "HEAD~1", "HEAD")
    assert result.status == 2
    assert result.err == (
        "ledger: error: unknown revision: 'HEAD~1' (this is a shallow clone: the commit may not have been fetched)\n"
    )
    logged = cli("log", "--ledger", str(clone), "2020-01-06-other")
    assert logged.status == 0
    assert "warning: this is a shallow clone" in logged.err


def test_git_missing(repo: GitRepo, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    two_commits(repo)
    monkeypatch.setenv("PATH", str(repo.root / "nowhere"))
    result = cli("diff", "--ledger", str(repo.root))
    assert result.status == 2
    assert result.err == "ledger: error: git is not installed (or not on PATH)\n"


def test_repository_without_commits(repo: GitRepo, cli) -> None:
    repo.write("2020-01-05-rockets", entry())
    result = cli("diff", "--ledger", str(repo.root), "--format", "json")
    assert result.status == 1
    assert '"from": "4b825dc642cb6eb9a060e54bf8d69288fbee4904"' in result.out
    assert '"id": "2020-01-05-rockets"' in result.out
    assert cli("log", "--ledger", str(repo.root), "2020-01-05-rockets").status == 1


# -- the environment git runs in ---------------------------------------------------------


def test_scrubbed_environment_drops_redirections() -> None:
    env = git.scrubbed_environment(
        {
            "PATH": "/bin",
            "HOME": "/h",
            "GIT_DIR": "/elsewhere",
            "GIT_WORK_TREE": "/w",
            "GIT_INDEX_FILE": "/i",
            "GIT_EXTERNAL_DIFF": "touch /tmp/x",
            "GIT_CONFIG_PARAMETERS": "'core.pager'='x'",
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "diff.external",
            "GIT_CONFIG_VALUE_0": "x",
            "GIT_CONFIG_GLOBAL": "/g",
            "GIT_CEILING_DIRECTORIES": "/c",
        }
    )
    assert env == {
        "PATH": "/bin",
        "HOME": "/h",
        "GIT_CONFIG_GLOBAL": "/g",
        "GIT_CEILING_DIRECTORIES": "/c",
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_PAGER": "cat",
        "LC_ALL": "C",
        "LANGUAGE": "C",
    }


def test_inherited_git_variables_do_not_redirect_or_run_anything(
    repo: GitRepo, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = two_commits(repo)
    other = GitRepo(tmp_path / "other", tmp_path / "home")
    other.write("2020-01-09-elsewhere", entry(date="2020-01-09"))
    other.commit("Other")
    marker = tmp_path / "ran"
    script = tmp_path / "ext.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\n")
    script.chmod(0o755)
    monkeypatch.setenv("GIT_DIR", str(other.root / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other.root))
    monkeypatch.setenv("GIT_EXTERNAL_DIFF", str(script))
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "core.fsmonitor")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", str(script))
    result = cli("diff", "--ledger", str(repo.root), "HEAD~1", "HEAD", "--format", "json")
    assert result.status == 1
    assert f'"from": "{first}"' in result.out and f'"to": "{second}"' in result.out
    assert "2020-01-09-elsewhere" not in result.out
    assert not marker.exists()


def test_repository_config_cannot_start_programs(repo: GitRepo, cli, tmp_path: Path) -> None:
    two_commits(repo)
    marker = tmp_path / "ran"
    script = tmp_path / "hook.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\n")
    script.chmod(0o755)
    repo.git("config", "core.fsmonitor", str(script))
    repo.git("config", "diff.external", str(script))
    repo.write("2020-01-05-rockets", entry(date="2020-01-05", escalation=6))
    assert cli("diff", "--ledger", str(repo.root)).status == 1
    assert cli("log", "--ledger", str(repo.root), "2020-01-05-rockets").status == 0
    assert not marker.exists()


def test_read_only_calls_leave_the_index_alone(repo: GitRepo, cli) -> None:
    two_commits(repo)
    repo.write("2020-01-05-rockets", entry(date="2020-01-05", escalation=6))
    index = repo.root / ".git" / "index"
    before = (index.stat().st_mtime_ns, index.read_bytes())
    assert cli("diff", "--ledger", str(repo.root)).status == 1
    assert (index.stat().st_mtime_ns, index.read_bytes()) == before
    assert not (repo.root / ".git" / "index.lock").exists()


# -- plumbing parsers --------------------------------------------------------------------


def test_parse_raw_records() -> None:
    data = (
        b":100644 100644 " + b"a" * 40 + b" " + b"b" * 40 + b" M\0entries/x y.toml\0"
        b":000000 100644 " + b"0" * 40 + b" " + b"c" * 40 + b" A\0entries/new\ttab.toml\0"
    )
    assert gitout.parse_raw(data) == [
        gitout.RawChange("100644", "100644", "a" * 40, "b" * 40, "M", "entries/x y.toml"),
        gitout.RawChange("000000", "100644", None, "c" * 40, "A", "entries/new\ttab.toml"),
    ]


def test_repo_outside_the_top(repo: GitRepo, tmp_path: Path) -> None:
    sub = GitRepo(tmp_path / "mono", tmp_path / "home")
    (sub.root / "data" / "ledger" / "entries").mkdir(parents=True)
    found = git.Repo.discover(sub.root / "data" / "ledger")
    assert found.prefix == "data/ledger/"
    assert found.rel("data/ledger/entries/a.toml") == "entries/a.toml"
    with pytest.raises(LedgerError):
        found.resolve("HEAD")  # no commits yet
