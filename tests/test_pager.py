"""The pager: long output on a terminal goes through it; short output, pipes and --no-pager never do."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from ledger.terminal import pager
from ledger.terminal.env import Environment


def fake_pager(tmp_path: Path) -> tuple[str, Path]:
    """A pager command that copies what it is given to a file (as `less` would show it)."""
    out = tmp_path / "paged.txt"
    code = f"import sys; open({str(out)!r}, 'w').write(sys.stdin.read())"
    return f"{shlex.quote(sys.executable)} -c {shlex.quote(code)}", out


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    import shutil

    root = tmp_path / "sample"
    shutil.copytree(ROOT / "entries", root / "entries")
    shutil.copy(ROOT / "ledger.toml", root / "ledger.toml")
    return root


def test_long_output_on_a_terminal_goes_to_the_pager(cli, make_env, sample, tmp_path):
    command, paged = fake_pager(tmp_path)
    terminal = make_env(tty=True, height=5, width=200, pager=command)
    result = cli("list", "--ledger", str(sample), terminal=terminal)
    assert result.status == 0, result.err
    assert result.out == ""
    text = paged.read_text()
    assert text.count("\n") == 18 and "2020-01-03-us-airstrike-kills-soleimani" in text


def test_output_that_fits_is_written_straight(cli, make_env, sample, tmp_path):
    command, paged = fake_pager(tmp_path)
    terminal = make_env(tty=True, height=40, width=200, pager=command)
    result = cli("list", "--ledger", str(sample), terminal=terminal)
    assert result.status == 0
    assert result.out.count("\n") == 18
    assert not paged.exists()


def test_wrapped_lines_count_towards_the_screen(cli, make_env, sample, tmp_path):
    command, paged = fake_pager(tmp_path)
    # 17 lines, each wider than 30 columns: more than 20 screen lines
    result = cli(
        "list", "--ledger", str(sample), "-f", "tsv", terminal=make_env(tty=True, height=20, width=30, pager=command)
    )
    assert result.out == "" and paged.read_text().count("\n") == 17


@pytest.mark.parametrize("where", ["before", "after"])
def test_no_pager(cli, make_env, sample, tmp_path, where):
    command, paged = fake_pager(tmp_path)
    terminal = make_env(tty=True, height=5, width=200, pager=command)
    args = (
        ["--no-pager", "list", "--ledger", str(sample)]
        if where == "before"
        else ["list", "--ledger", str(sample), "--no-pager"]
    )
    result = cli(*args, terminal=terminal)
    assert result.status == 0, result.err
    assert result.out.count("\n") == 18 and not paged.exists()


def test_never_when_piped(cli, make_env, sample, tmp_path):
    command, paged = fake_pager(tmp_path)
    result = cli("list", "--ledger", str(sample), terminal=make_env(stdout_isatty=False, height=5, pager=command))
    assert result.out.count("\n") == 17 and not paged.exists()  # TSV when piped


def test_a_pager_that_cannot_be_found_is_no_pager(cli, make_env, sample):
    terminal = make_env(tty=True, height=5, width=200, pager="no-such-pager-here -R")
    result = cli("list", "--ledger", str(sample), terminal=terminal)
    assert result.status == 0 and result.out.count("\n") == 18


def test_commands_that_write_files_or_ask_are_not_paged():
    assert pager.wanted(["list", "--no-pager"]) == (False, ["list"])
    assert pager.wanted(["--ledger", "x", "timeline"]) == (True, ["--ledger", "x", "timeline"])
    assert pager.wanted(["list", "--", "--no-pager"]) == (True, ["list", "--", "--no-pager"])
    for command in ("new", "fmt", "import", "export", "index", "git-setup", "textconv"):
        assert pager.wanted([command])[0] is False, command


@pytest.mark.parametrize(
    ("environ", "chosen"),
    [
        ({}, "less -FRX"),
        ({"PAGER": "more"}, "more"),
        ({"PAGER": "more", "LEDGER_PAGER": "less -S"}, "less -S"),
        ({"PAGER": "more", "LEDGER_PAGER": ""}, None),
        ({"PAGER": ""}, None),
        ({"PAGER": "cat"}, None),
    ],
)
def test_which_pager(environ, chosen):
    import io

    assert Environment.from_system(io.StringIO(), io.StringIO(), io.StringIO(), environ).pager == chosen
