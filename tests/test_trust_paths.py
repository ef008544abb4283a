"""Issue 10: one rule for which files are entries, and one answer however a path is spelled."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import entry, posix_only

from ledger.store import files

GOOD = "2020-01-05-green-zone-rockets"
BAD = "2020-01-06-bad-escalation"
REL_GOOD = f"entries/2020/01/{GOOD}.toml"
REL_BAD = f"entries/2020/01/{BAD}.toml"
MESSY = entry().replace("escalation = 4\n", "escalation   =   4\n")


@pytest.fixture
def ledger(make_ledger, tmp_path) -> Path:
    """A ledger under a hidden folder, reachable through a link; a draft and a lock link inside."""
    root = make_ledger(
        {
            GOOD: MESSY,
            BAD: entry(date="2020-01-06", title="Bad escalation", escalation=9),
            "entries/.drafts/2020-01-07-draft.toml": "title = ",
        },
        root=tmp_path / ".cache" / "share" / "L",
    )
    os.symlink("user@host.1234", root / "entries" / "2020" / "01" / f".#{GOOD}.toml")  # an editor's lock
    os.symlink(root, tmp_path / "link")
    return root


def spellings(root: Path, rel: str, tmp_path: Path) -> dict[str, tuple[Path, str, str]]:
    """(cwd, --ledger, path) for each way of naming `rel` of the ledger at `root`."""
    link = tmp_path / "link"
    return {
        "absolute": (tmp_path, str(root), str(root / rel)),
        "relative": (root, ".", rel),
        "from below": (root / "entries", "..", os.path.normpath(os.path.join("..", rel))),
        "through a link": (link, str(link), str(link / rel)),
        "relative in a link": (link, str(link), rel),
        "with ..": (tmp_path, str(root / "entries" / ".."), str(root / "entries" / ".." / rel)),
    }


COMMANDS = {
    "validate": ["validate"],
    "fmt --check": ["fmt", "--check"],
    "fmt --diff": ["fmt", "--diff"],
}


@posix_only("symbolic links")
@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("target", [".", "entries", "entries/2020", REL_GOOD, REL_BAD])
def test_every_spelling_of_a_path_gives_the_same_answer(ledger, tmp_path, cli, command, target):
    answers = {}
    for name, (cwd, root_arg, path) in spellings(ledger, target, tmp_path).items():
        result = cli(*COMMANDS[command], "--ledger", root_arg, path, cwd=cwd)
        assert "Traceback" not in result.err, (name, result.err)
        answers[name] = (result.status, result.out, result.err)
    assert len(set(answers.values())) == 1, answers
    status, out, _err = answers["absolute"]
    if command == "validate":
        assert "is also used by" not in out  # a file is never a duplicate of itself
        if target != REL_GOOD:
            assert status == 1 and f"{REL_BAD}:4: escalation: 9 is out of range 0..7" in out
    elif target != REL_BAD:
        assert REL_GOOD in out  # a file under a hidden parent is still checked
        assert status == 1 or command == "fmt --diff"


@posix_only("symbolic links")
@pytest.mark.parametrize("target", [REL_GOOD])
def test_show_takes_a_path_however_spelled(ledger, tmp_path, cli, target):
    answers = set()
    for name, (cwd, root_arg, path) in spellings(ledger, target, tmp_path).items():
        result = cli("show", "--ledger", root_arg, path, "--format", "json", cwd=cwd)
        assert result.status == 0, (name, result.err)
        answers.add(result.out)
    assert len(answers) == 1


@posix_only("symbolic links")
def test_whole_ledger_and_entries_folder_agree(ledger, cli):
    whole = cli("validate", "--ledger", str(ledger))
    folder = cli("validate", "--ledger", str(ledger), str(ledger / "entries"))
    assert whole.out == folder.out and whole.err == folder.err
    assert ".drafts" not in whole.out and ".#" not in whole.out
    assert whole.err.startswith("2 files checked")


def test_the_rule_for_entry_files():
    assert files.is_entry_rel("entries/2020/01/2020-01-05-x.toml")
    assert files.is_entry_rel("entries/x.toml")
    assert not files.is_entry_rel("entries/.drafts/2020-01-05-x.toml")
    assert not files.is_entry_rel("entries/2020/01/.#2020-01-05-x.toml")
    assert not files.is_entry_rel("entries/2020/01/.2020-01-05-x.toml.abc.tmp")
    assert not files.is_entry_rel("ledger.toml")
    assert not files.is_entry_rel("notes/2020-01-05-x.toml")


@posix_only("symbolic links")
def test_walk_keeps_to_the_rule(ledger):
    assert all(files.is_entry_rel(f.rel) for f in files.walk(ledger))
    assert [f.rel for f in files.walk(ledger)] == [REL_GOOD, REL_BAD]
