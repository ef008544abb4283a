"""`ledger git-setup` with real git (textconv driver), `ledger textconv`, and the pre-commit hook."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, entry
from test_git import GitRepo, new_repo

from ledger import __version__

ID = "2020-01-05-rockets"
MESSY = """\
confidence = "reported"
escalation = 4
type = "rocket-attack"
date = 2020-01-05
title = "Rockets hit the Green Zone"
tags = [ "green-zone",   "baghdad" ]

[[sources]]
name = "Reuters"

[location]
country = "IQ"
name = "Green Zone"
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    return new_repo(tmp_path, monkeypatch)


def ledger_command() -> list[str]:
    """The installed console script, or this Python running the package."""
    found = shutil.which("ledger")
    return [found] if found else [sys.executable, "-m", "ledger"]


def identify(repo: GitRepo) -> None:
    repo.git("config", "user.name", "Tester")
    repo.git("config", "user.email", "tester@example.org")


def test_git_setup_writes_attributes_and_config(repo: GitRepo, cli) -> None:
    identify(repo)
    (repo.root / ".gitattributes").write_text("*.png binary")  # kept, no final newline
    result = cli("git-setup", "--ledger", str(repo.root), "--command", "ledger textconv")
    assert result.status == 0, result.err
    assert result.out == (
        ".gitattributes: added `entries/**/*.toml diff=ledger` (commit it)\n"
        "git config diff.ledger.textconv 'ledger textconv'\n"
        "git config diff.ledger.xfuncname '^title = .*$'\n"
        "git config diff.ledger.cachetextconv 'true'\n"
    )
    assert result.err == "git diff driver set up\n"
    assert (repo.root / ".gitattributes").read_text() == "*.png binary\nentries/**/*.toml diff=ledger\n"
    assert repo.git("config", "--local", "diff.ledger.textconv").strip() == "ledger textconv"
    again = cli("git-setup", "--ledger", str(repo.root), "--command", "ledger textconv")
    assert (again.status, again.out, again.err) == (0, "", "git diff driver already set up\n")
    assert (repo.root / ".gitattributes").read_text().count("diff=ledger") == 1


def test_git_setup_default_command_is_this_python(repo: GitRepo, cli) -> None:
    identify(repo)
    assert cli("git-setup", "--ledger", str(repo.root)).status == 0
    assert (
        repo.git("config", "--local", "diff.ledger.textconv").strip()
        == f"{shlex.quote(sys.executable)} -m ledger textconv --ledger-version {__version__}"
    )
    assert repo.git("config", "--local", "diff.ledger.cachetextconv").strip() == "true"


def test_git_caches_the_converted_text_under_the_versioned_command(repo: GitRepo, cli) -> None:
    repo.write(ID, MESSY)
    repo.commit("Add")
    repo.write(ID, entry(escalation=5))
    repo.commit("Raise")
    identify(repo)
    assert cli("git-setup", "--ledger", str(repo.root)).status == 0
    first = repo.git("log", "-p", "--no-color", "-U0", "--", "entries")
    assert "-escalation = 4\n+escalation = 5\n" in first
    # git keeps the converted blobs in a notes ref whose commit names the command (the cache key)
    key = repo.git("log", "-1", "--format=%s", "refs/notes/textconv/ledger").strip()
    assert key.endswith(f"textconv --ledger-version {__version__}")
    assert repo.git("log", "-p", "--no-color", "-U0", "--", "entries") == first
    # another command (an upgrade) is another key: git drops the cached text and converts again
    command = repo.git("config", "--local", "diff.ledger.textconv").strip()
    repo.git("config", "diff.ledger.textconv", command + ".1")
    repo.git("log", "-p", "--no-color", "-U0", "--", "entries")
    assert repo.git("log", "-1", "--format=%s", "refs/notes/textconv/ledger").strip() == key + ".1"


def test_no_cache_without_a_git_identity(repo: GitRepo, cli) -> None:
    # git writes its textconv cache as a notes commit: with no identity `git log -p` would fail
    repo.write(ID, MESSY)
    repo.commit("Add")
    result = cli("git-setup", "--ledger", str(repo.root))
    assert result.status == 0
    assert "cachetextconv left off: git has no user.name/user.email here" in result.out
    assert "cachetextconv" not in repo.git("config", "--local", "--list")
    assert "+title = " in repo.git("log", "-p", "--no-color", "--", "entries")


def test_git_setup_outside_a_repository(make_ledger, cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = make_ledger({ID: entry()})
    result = cli("git-setup", "--ledger", str(root))
    assert result.status == 2
    assert "not a git repository" in result.err
    assert not (root / ".gitattributes").exists()


def test_git_diff_shows_the_normalised_form(repo: GitRepo, cli) -> None:
    repo.write(ID, MESSY)
    repo.commit("Add")
    assert cli("git-setup", "--ledger", str(repo.root)).status == 0
    # Reorder keys and reformat (no change in data) and raise the escalation (a change).
    repo.write(ID, entry(escalation=5, extra='tags = ["green-zone", "baghdad"]\n'))
    out = repo.git("diff", "--no-color", "-U0", "--", "entries")
    changed = [line for line in out.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ["-escalation = 4", "+escalation = 5"]
    assert '@@ title = "Rockets hit the Green Zone"' in out  # hunk headers name the incident
    shown = repo.git("show", "--no-color", "--textconv", f"HEAD:entries/2020/01/{ID}.toml")
    assert shown == (
        'title = "Rockets hit the Green Zone"\n'
        "date = 2020-01-05\n"
        'type = "rocket-attack"\n'
        "escalation = 4\n"
        'confidence = "reported"\n'
        'tags = ["green-zone", "baghdad"]\n'
        "\n"
        "[location]\n"
        'name = "Green Zone"\n'
        'country = "IQ"\n'
        "\n"
        "[[sources]]\n"
        'name = "Reuters"\n'
    )
    repo.commit("Raise")
    log = repo.git("log", "-p", "--no-color", "-U0", "-1", "--", "entries")
    assert "-escalation = 4\n+escalation = 5\n" in log


def test_git_diff_survives_a_broken_entry(repo: GitRepo, cli) -> None:
    repo.write(ID, MESSY)
    repo.commit("Add")
    assert cli("git-setup", "--ledger", str(repo.root)).status == 0
    repo.write(ID, 'title = "unterminated\n')
    out = repo.git("diff", "--no-color", "--", "entries")
    assert "+# ledger: TOML syntax: " in out
    assert '+title = "unterminated' in out


@pytest.mark.parametrize(
    ("data", "first_line"),
    [
        (b'title = "x\n', "# ledger: TOML syntax: "),
        (b"\x00\x01\x02", "# ledger: binary file"),
        (b"\xff\xfe bad utf-8", "# ledger: not valid UTF-8"),
        (b"", "# ledger: file is empty"),
        (b"sources = 3\n", "sources = 3"),  # parses, but not an entry: shown as parsed
    ],
)
def test_textconv_exits_0_on_bad_input(tmp_path: Path, cli, data: bytes, first_line: str) -> None:
    path = tmp_path / "x.toml"
    path.write_bytes(data)
    result = cli("textconv", str(path))
    assert result.status == 0
    assert result.out.startswith(first_line)


def test_textconv_of_a_missing_file_exits_0(tmp_path: Path, cli) -> None:
    result = cli("textconv", str(tmp_path / "nope.toml"))
    assert result.status == 0
    assert result.out.startswith("# ledger: cannot read this file")


def test_textconv_as_a_process_is_canonical(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text(MESSY)
    done = subprocess.run([*ledger_command(), "textconv", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert done.stdout.splitlines()[:2] == ['title = "Rockets hit the Green Zone"', "date = 2020-01-05"]


# -- the pre-commit hook -----------------------------------------------------------------


def hook() -> dict[str, str]:
    """Read the one hook of .pre-commit-hooks.yaml (flat `key: value` lines)."""
    fields: dict[str, str] = {}
    for line in (ROOT / ".pre-commit-hooks.yaml").read_text().splitlines():
        if line.startswith(("- ", "  ")) and ":" in line and not line.lstrip().startswith("#"):
            key, _, value = line[2:].partition(":")
            fields[key.strip()] = value.strip()
    return fields


def run_hook(repo: GitRepo) -> subprocess.CompletedProcess[str]:
    """Run the hook as pre-commit does: from the top of the repository, on the staged files."""
    import re

    spec = hook()
    staged = repo.git("diff", "--cached", "--name-only", "-z").split("\0")
    matching = [name for name in staged if name and re.search(spec["files"], name)]
    assert matching, "pre-commit would not run the hook"
    command = shlex.split(spec["entry"])
    if command[0] == "ledger":
        command = [*ledger_command(), *command[1:]]
    if spec["pass_filenames"] == "true":
        command += matching
    return subprocess.run(command, cwd=repo.root, capture_output=True, text=True, check=False, env=repo.env)


def test_hook_declaration() -> None:
    spec = hook()
    assert spec["id"] == "ledger-validate"
    assert spec["entry"] == "ledger validate --staged"
    assert spec["language"] == "python"
    assert spec["pass_filenames"] == "false"
    import re

    files = re.compile(spec["files"])
    assert files.search("entries/2020/01/2020-01-05-x.toml")
    assert files.search("ledger.toml")
    assert not files.search("README.md") and not files.search("notes/entries.toml")


def test_hook_passes_a_valid_commit_and_blocks_a_bad_one(repo: GitRepo) -> None:
    repo.write(ID, entry())
    repo.git("add", "-A")
    done = run_hook(repo)
    assert done.returncode == 0, done.stderr
    repo.write("2020-01-06-bad", entry(date="2020-01-06", escalation=9))
    repo.git("add", "-A")
    done = run_hook(repo)
    assert done.returncode == 1
    assert "entries/2020/01/2020-01-06-bad.toml:4: escalation:" in done.stdout
    # ledger-wide rules too: a link to an incident that is not there
    repo.write("2020-01-06-bad", entry(date="2020-01-06", extra=f'responds_to = ["{ID}-gone"]\n'))
    repo.git("add", "-A")
    done = run_hook(repo)
    assert done.returncode == 1
    assert f"{ID}-gone" in done.stdout


# -- the hook checks what is being committed (issue 10) ----------------------------------------


def test_an_untracked_broken_draft_does_not_block_a_valid_commit(repo: GitRepo) -> None:
    repo.write(ID, entry())
    repo.git("add", "-A")
    repo.write("2020-01-06-draft", entry(date="2020-01-06", escalation=9))  # not staged
    done = run_hook(repo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 file checked: 0 errors" in done.stderr


def test_a_commit_linking_to_an_untracked_entry_is_blocked(repo: GitRepo) -> None:
    repo.write("2020-01-04-cause", entry(date="2020-01-04", title="Cause"))  # exists, but not staged
    repo.write(ID, entry(extra='responds_to = ["2020-01-04-cause"]\n'))
    repo.git("add", repo.path(ID).relative_to(repo.root).as_posix())
    done = run_hook(repo)
    assert done.returncode == 1
    assert 'responds_to[0]: no entry "2020-01-04-cause"' in done.stdout


def test_staged_content_is_checked_not_the_working_file(repo: GitRepo) -> None:
    repo.write(ID, entry(escalation=9))
    repo.git("add", "-A")
    repo.write(ID, entry())  # fixed on disk, but the broken version is what would be committed
    done = run_hook(repo)
    assert done.returncode == 1
    assert "escalation: 9 is out of range 0..7" in done.stdout
