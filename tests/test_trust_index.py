"""Issue 10: the index counts every file it leaves out, and answers like `--as-of` on a committed tree."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import entry, posix_only
from test_git import GitRepo, new_repo

from ledger.api import Ledger

GOOD = "2020-01-05-rockets"
REL_GOOD = f"entries/2020/01/{GOOD}.toml"


class Hung(BaseException):
    """Not an OSError: nothing on the way may take it for a failed read."""


@contextlib.contextmanager
def within(seconds: int) -> Iterator[None]:
    """Fail instead of hanging (a FIFO opened for reading waits for a writer forever)."""

    def stop(*_: object) -> None:
        raise Hung(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def left_out(cli, root: Path, *args: str) -> str:  # type: ignore[no-untyped-def]
    with within(20):
        result = cli("list", "--ledger", str(root), "--format", "ids", *args)
    assert result.status == 0, result.err
    return result.err


# -- 1. every kind of file left out is counted ------------------------------------------------

KINDS = {
    "a link out of the ledger": ("is a symbolic link out of the ledger", lambda p, out: p.symlink_to(out)),
    "a broken link": ("is a broken symbolic link", lambda p, out: p.symlink_to(out.parent / "missing.toml")),
    "a link to a folder": ("is a symbolic link to a folder", lambda p, out: p.symlink_to(out.parent)),
    "a FIFO": ("is not a regular file", lambda p, out: os.mkfifo(p)),
    "a folder": ("is a directory, not an entry file", lambda p, out: p.mkdir()),
    "invalid TOML": ("TOML syntax", lambda p, out: p.write_text("title = ")),
}


@posix_only("symbolic links and FIFOs")
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_of_file_left_out_is_counted_and_reported(make_ledger, tmp_path, cli, kind):
    root = make_ledger({GOOD: entry()})
    outside = tmp_path / "outside.toml"
    outside.write_text(entry())  # a valid entry, but not of this ledger
    reason, make = KINDS[kind]
    odd = root / "entries" / "2020" / "01" / "2020-01-06-odd.toml"
    make(odd, outside)
    assert left_out(cli, root) == "ledger: 1 invalid entry file left out (see `ledger validate`)\n"
    with within(20):
        checked = cli("validate", "--ledger", str(root))
        named = cli("validate", "--ledger", str(root), str(odd))
    assert checked.status == 1
    assert [line for line in checked.out.splitlines() if "odd" in line and reason in line]
    if "folder" not in kind:  # a folder named explicitly is walked, not taken as a file
        assert named.status == 1
        assert [line for line in named.out.splitlines() if "odd" in line and reason in line]
    index = cli("index", "--ledger", str(root))
    assert "2 entry files, 1 invalid" in index.err + index.out


@posix_only("symbolic links and FIFOs")
def test_all_kinds_together_and_the_count_follows_changes(make_ledger, tmp_path, cli):
    root = make_ledger({GOOD: entry()})
    outside = tmp_path / "outside.toml"
    outside.write_text(entry())
    folder = root / "entries" / "2020" / "01"
    for number, (_, make) in enumerate(KINDS.values()):
        make(folder / f"2020-01-1{number}-odd.toml", outside)
    assert left_out(cli, root) == f"ledger: {len(KINDS)} invalid entry files left out (see `ledger validate`)\n"
    broken = folder / "2020-01-11-odd.toml"
    assert not broken.exists() and broken.is_symlink()
    broken.unlink()
    broken.symlink_to(folder / f"{GOOD}.toml")  # now a link to an entry inside: followed
    assert left_out(cli, root) == f"ledger: {len(KINDS) - 1} invalid entry files left out (see `ledger validate`)\n"
    target = tmp_path / "target.toml"
    (folder / "2020-01-20-later.toml").symlink_to(target)  # broken until the target appears...
    assert left_out(cli, root).startswith(f"ledger: {len(KINDS)} invalid")
    target.write_text(entry())  # ...outside the ledger: still left out, still counted
    assert left_out(cli, root).startswith(f"ledger: {len(KINDS)} invalid")


@posix_only("FIFOs")
def test_no_command_waits_on_a_fifo_named_explicitly(make_ledger, cli):
    root = make_ledger({GOOD: entry()})
    fifo = root / "entries" / "2020" / "01" / "2020-01-06-fifo.toml"
    os.mkfifo(fifo)
    for command in (["validate"], ["fmt", "--check"], ["fmt", "--diff"], ["fmt"], ["show"]):
        with within(20):
            result = cli(*command, "--ledger", str(root), str(fifo))
        assert result.status == 1, (command, result)
        assert "is not a regular file" in result.out + result.err or command == ["show"], (command, result)
        assert "cannot read" not in result.out + result.err, (command, result)


# -- 2. the index and --as-of agree on the same committed tree -----------------------------------


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    return new_repo(tmp_path, monkeypatch)


def both(repo: GitRepo, cli, *args: str) -> tuple[object, object]:  # type: ignore[no-untyped-def]
    """The answer of a command live and at HEAD (status, output and talk)."""
    live = cli(*args, "--ledger", str(repo.root))
    then = cli(*args, "--ledger", str(repo.root), "--as-of", "HEAD")
    return live, then


def test_an_entry_dated_after_today_is_listed_both_ways(repo, cli):
    repo.write(GOOD, entry())
    repo.write("2999-01-01-future", entry(date="2999-01-01", title="Scheduled"))
    repo.commit("one")
    live, then = both(repo, cli, "list", "--format", "ids")
    assert live == then
    assert live.out.split() == [GOOD, "2999-01-01-future"]  # type: ignore[attr-defined]
    assert cli("validate", "--ledger", str(repo.root)).status == 1  # validate says "in the future"


def test_an_id_held_by_two_files_gives_the_same_answer_both_ways(repo, cli):
    repo.write(GOOD, entry(title="First copy"))
    repo.write(f"entries/2020/02/{GOOD}.toml", entry(title="Second copy"))
    repo.write(f"entries/2019/{GOOD}.toml", entry(title="Third copy"))
    repo.commit("one")
    for command in (["show", GOOD, "--format", "json"], ["list", "--format", "json"], ["timeline"]):
        live, then = both(repo, cli, *command)
        assert live == then, command
    shown = cli("show", GOOD, "--ledger", str(repo.root)).out
    assert "Third copy" in shown  # the first path in order: entries/2019/...


@posix_only("symbolic links and FIFOs")
def test_the_rule_for_entry_files_is_the_same_at_a_revision(repo, cli, tmp_path):
    """Hidden files, links inside and out, broken links, folders named *.toml: the same answer."""
    repo.write(GOOD, entry())
    repo.write("entries/.drafts/2020-01-07-draft.toml", "title = ")  # hidden: not an entry
    repo.write("entries/2020/01/.2020-01-08-temp.toml", "title = ")
    repo.write("entries/folder.toml/2020-01-09-inside.toml", entry(date="2020-01-09"))  # a folder named *.toml
    repo.write("entries/2020/01/2020-01-10-bad.toml", "title = ")
    links = repo.root / "entries" / "2021"
    links.mkdir(parents=True)
    (links / "2021-01-01-inside.toml").symlink_to(f"../2020/01/{GOOD}.toml")
    (links / "2021-01-02-chain.toml").symlink_to("2021-01-01-inside.toml")
    (links / "2021-01-03-absolute.toml").symlink_to(repo.root / REL_GOOD)
    (links / "2021-01-04-out.toml").symlink_to("../../../outside.toml")
    (tmp_path / "outside.toml").write_text(entry())
    (links / "2021-01-05-broken.toml").symlink_to("missing.toml")
    (links / "2021-01-06-folder.toml").symlink_to("../2020")
    (links / "2021-01-07-config.toml").symlink_to("../../ledger.toml")
    (repo.root / "ledger.toml").write_text("# no vocabulary\n")
    repo.commit("one")
    live, then = both(repo, cli, "list", "--format", "ids")
    assert live == then
    assert sorted(live.out.split()) == [  # type: ignore[attr-defined]
        GOOD,
        "2020-01-09-inside",
        "2021-01-01-inside",
        "2021-01-02-chain",
        "2021-01-03-absolute",
    ]
    assert live.err == "ledger: 6 invalid entry files left out (see `ledger validate`)\n"  # type: ignore[attr-defined]
    at_head = Ledger(repo.root)
    try:
        found = at_head.at("HEAD").find()
        assert found.invalid() == at_head.find().invalid()
    finally:
        at_head.close()


@posix_only("symbolic links")
def test_validate_staged_applies_the_same_rule_to_links(repo, cli):
    repo.write(GOOD, entry())
    repo.write("entries/.drafts/2020-01-07-draft.toml", "title = ")  # hidden: never checked
    links = repo.root / "entries" / "2021"
    links.mkdir(parents=True)
    (links / "2021-01-01-inside.toml").symlink_to(f"../2020/01/{GOOD}.toml")
    repo.git("add", "-A")
    staged = cli("validate", "--staged", "--ledger", str(repo.root))
    live = cli("validate", "--ledger", str(repo.root))
    assert (staged.status, staged.out) == (live.status, live.out)  # a link to an entry inside: an entry
    assert "symbolic link" not in staged.out
    (links / "2021-01-02-broken.toml").symlink_to("missing.toml")
    repo.git("add", "-A")
    staged = cli("validate", "--staged", "--ledger", str(repo.root))
    assert staged.status == 1
    assert "entries/2021/2021-01-02-broken.toml: is a broken symbolic link\n" in staged.out


def test_diff_between_revisions_skips_hidden_files_as_the_checkout_does(repo, cli):
    repo.write(GOOD, entry())
    repo.commit("one")
    repo.write("entries/.drafts/2020-01-07-draft.toml", "title = ")
    repo.write("2020-01-08-added", entry(date="2020-01-08", title="Added"))
    repo.commit("two")
    between = cli("diff", "HEAD~1", "HEAD", "--ledger", str(repo.root))
    assert "draft" not in between.out + between.err
    assert "2020-01-08-added" in between.out
    assert cli("diff", "HEAD~1", "HEAD", "--ledger", str(repo.root)).status == between.status
