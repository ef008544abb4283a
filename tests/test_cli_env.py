"""The shell's structure: one command table, no cycles, and the Environment that makes terminal paths testable."""

from __future__ import annotations

import ast
import io

import pytest
from conftest import ROOT, entry

from ledger.cli.commands import TABLE
from ledger.terminal.env import Environment

CLI = ROOT / "ledger" / "cli"
A = "2020-01-03-strike-on-convoy"
B = "2020-01-04-rockets-on-base"


def small(make_ledger):
    return make_ledger(
        {
            A: entry(title="Strike on a convoy", date="2020-01-03", type="airstrike", escalation=7),
            B: entry(title="Rockets on a base", date="2020-01-04", escalation=4),
        }
    )


# -- structure ----------------------------------------------------------------------------------


def _imports(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ledger"):
            yield node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            yield from ((a.name, []) for a in node.names if a.name.startswith("ledger"))


def test_command_modules_never_import_the_app_nor_each_others_private_names():
    wrong = []
    for path in sorted(CLI.glob("*.py")):
        for module, names in _imports(path):
            if (path.stem != "__init__" and module == "ledger.cli.app") or (module, names) == ("ledger.cli", ["app"]):
                wrong.append(f"{path.name} imports ledger.cli.app")
            wrong.extend(
                f"{path.name} imports {module}.{n}" for n in names if n.startswith("_") and not n.startswith("__")
            )
    assert wrong == []


def test_every_command_is_in_the_table_once():
    from ledger.cli.app import build
    from ledger.cli.commands import TABLE

    names = [c.name for c in TABLE]
    assert len(names) == len(set(names))
    registered = [info.name for info in build().registered_commands]
    assert registered == names


def test_a_command_line_builds_only_the_command_it_runs(monkeypatch):
    from ledger.cli.app import only

    monkeypatch.delenv("_LEDGER_COMPLETE", raising=False)
    assert only(["list", "-f", "tsv"]) == "list"
    assert only(["--ledger", "list", "timeline", "--help"]) == "timeline"  # a root option's value is no command
    assert only(["--no-pager", "--ledger=x", "show", "A"]) == "show"
    for whole in ([], ["--help"], ["-h", "list"], ["--help", "list"], ["lst"], ["--", "list"], ["--version"]):
        assert only(whole) is None, whole
    monkeypatch.setenv("_LEDGER_COMPLETE", "complete_bash")
    assert only(["list"]) is None  # completion's words come in the environment


@pytest.mark.parametrize(
    ("asked", "built"),
    [
        ({"COMP_WORDS": "ledger list --ty", "COMP_CWORD": "2"}, "list"),
        ({"COMP_WORDS": "ledger list ", "COMP_CWORD": "2"}, "list"),
        ({"COMP_WORDS": "ledger --ledger list ti", "COMP_CWORD": "3"}, None),  # `list` is the folder
        ({"COMP_WORDS": "ledger li", "COMP_CWORD": "1"}, None),  # the command word itself
        ({"COMP_WORDS": "ledger timeline --by m", "COMP_CWORD": "1"}, None),  # the cursor on the command word
        ({"_TYPER_COMPLETE_ARGS": "ledger show 2020"}, "show"),
        ({"_TYPER_COMPLETE_ARGS": "ledger show"}, None),
        ({"_TYPER_COMPLETE_ARGS": "ledger show "}, "show"),
        ({"_TYPER_COMPLETE_ARGS": "ledger 'show"}, None),  # an open quote: unsure, so every command
        ({"_TYPER_COMPLETE_ARGS": "ledger stats --by", "_TYPER_COMPLETE_WORD_TO_COMPLETE": "--by"}, "stats"),
        ({"_TYPER_COMPLETE_ARGS": "ledger -h stats "}, None),
    ],
)
def test_a_completion_builds_only_the_command_being_completed(monkeypatch, asked, built):
    from ledger.cli.app import only

    monkeypatch.setenv("_LEDGER_COMPLETE", "complete_zsh")
    for name in ("COMP_WORDS", "COMP_CWORD", "_TYPER_COMPLETE_ARGS", "_TYPER_COMPLETE_WORD_TO_COMPLETE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in asked.items():
        monkeypatch.setenv(name, value)
    assert only(["anything", "typed"]) == built


def test_no_command_declares_a_flag_twice():
    """A flag declared twice is parsed as the last declaration says and helped as both: `archive -n`
    was listed as --dry-run but parsed as the filters' --limit (and asked for a number)."""
    from ledger.cli.app import command

    group = command(None)
    for name, cmd in group.commands.items():
        flags = [flag for p in cmd.params for flag in (*p.opts, *p.secondary_opts) if flag.startswith("-")]
        assert len(flags) == len(set(flags)), (name, sorted(f for f in flags if flags.count(f) > 1))


def test_the_command_table_is_built_whole_only_when_needed():
    from ledger.cli.app import command

    assert list(command("list").commands) == ["list"]
    assert list(command(None).commands) == [c.name for c in TABLE]


def test_the_command_word_skips_the_values_of_exactly_the_root_options_that_take_one():
    from ledger.cli.app import command
    from ledger.terminal.pager import VALUED_ROOT_OPTIONS

    root = command(None)
    valued = {name for p in root.params if p.param_type_name == "option" and not p.is_flag for name in p.opts}
    assert valued == VALUED_ROOT_OPTIONS


def test_help_and_an_unknown_command_see_every_command(cli):
    from ledger.cli.commands import TABLE

    listed = cli("--help").out
    assert all(c.name in listed for c in TABLE if not c.hidden)
    assert all(c.name in cli("--help", "list").out for c in TABLE if not c.hidden)
    assert "Usage: ledger list" in cli("list", "--help").out
    wrong = cli("lst")
    assert wrong.status == 2 and "no such command 'lst'" in wrong.err


# -- the Environment ----------------------------------------------------------------------------


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_from_system_reads_the_streams_and_no_color():
    def env(**environ):
        return Environment.from_system(io.StringIO(), _Tty(), io.StringIO(), {"COLUMNS": "123", **environ})

    plain = env()
    assert (plain.stdin_isatty, plain.stdout_isatty, plain.stderr_isatty) == (False, True, False)
    assert plain.colors and plain.width == 123 and not plain.interactive
    assert not env(NO_COLOR="1").colors
    assert env(NO_COLOR="").colors  # only a non-empty NO_COLOR turns colour off (no-color.org)
    assert not env(TERM="dumb").colors
    assert env(PAGER="less -R").pager == "less -R"
    assert env(PAGER="less", LEDGER_PAGER="more").pager == "more"
    assert env(PAGER=" ").pager is None
    piped = Environment.from_system(io.StringIO(), io.StringIO(), io.StringIO(), {})
    assert not piped.colors and piped.pager == "less -FRX"  # the default; main pages only a terminal


def test_a_table_on_a_terminal_tsv_when_piped(make_ledger, cli, make_env):
    root = small(make_ledger)
    piped = cli("list", "--ledger", str(root), "--columns", "id,escalation", terminal=make_env())
    assert piped.out == f"id\tescalation\n{A}\t7\n{B}\t4\n"
    table = cli("list", "--ledger", str(root), "--columns", "id,escalation", terminal=make_env(tty=True))
    assert table.out.splitlines() == [
        "id                           escalation",  # no padding beyond the widest cell
        "---------------------------  ----------",
        f"{A}           7",
        f"{B}            4",
    ]


def test_the_terminal_width_comes_from_the_environment(make_ledger, cli, make_env):
    root = small(make_ledger)
    wide = cli("timeline", "--ledger", str(root), "--by", "day", terminal=make_env(tty=True, width=120)).out
    narrow = cli("timeline", "--ledger", str(root), "--by", "day", terminal=make_env(tty=True, width=50)).out
    assert max(map(len, wide.splitlines())) > 50 >= max(map(len, narrow.splitlines()))


def test_prompts_only_when_stdin_is_a_terminal(make_ledger, cli, make_env):
    root = make_ledger({})
    answers = "A strike\n2020-13-05\n2020-01-05\nairstrike\n5\nreported\nGreen Zone\nIQ\nReuters\n"
    refused = cli("new", "--ledger", str(root), terminal=make_env(answers))
    assert refused.status == 2
    assert refused.err.startswith("ledger: error: missing TITLE, --date, --type")
    asked = cli("new", "--ledger", str(root), terminal=make_env(answers, stdin_isatty=True))
    assert asked.status == 0, asked.err
    assert asked.out == "entries/2020/01/2020-01-05-a-strike.toml\n"
    assert asked.err.startswith("Title: Date (YYYY-MM-DD) [")  # the questions go to stderr
    assert '  "2020-13-05" is not a date (YYYY-MM-DD)\n' in asked.err  # asked again


def test_colour_follows_the_environment(make_ledger, cli, make_env, tmp_path):
    import subprocess

    root = small(make_ledger)
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "one"], check=True)
    path = next(root.rglob(f"{B}.toml"))
    path.write_text(path.read_text().replace("escalation = 4", "escalation = 5"))
    coloured = cli("diff", "--ledger", str(root), terminal=make_env(tty=True)).out
    plain = cli("diff", "--ledger", str(root), terminal=make_env(tty=True, colors=False)).out
    assert "\x1b[" in coloured and "\x1b[" not in plain
    assert plain == cli("diff", "--ledger", str(root)).out


def test_progress_is_drawn_only_on_a_terminal_and_never_when_quiet(make_ledger, cli, make_env):
    root = small(make_ledger)
    drawn = cli("index", "--ledger", str(root), "--rebuild", terminal=make_env(tty=True))
    assert "\rindexing" in drawn.err
    for env, quiet in ((make_env(), ()), (make_env(stdout_isatty=True), ()), (make_env(tty=True), ("-q",))):
        assert "indexing" not in cli("index", "--ledger", str(root), "--rebuild", *quiet, terminal=env).err


def test_an_imports_phases_are_drawn_only_on_a_terminal(make_ledger, cli, make_env, tmp_path):
    root = make_ledger({})
    row = '2020-01-{:02d},Strike {},airstrike,3,reported,Green Zone,IQ,"[{{""name"": ""Reuters""}}]"\n'
    header = "date,title,type,escalation,confidence,location.name,location.country,sources\n"
    (tmp_path / "many.csv").write_text(header + "".join(row.format(1 + n % 28, n) for n in range(600)))
    args = ("import", str(tmp_path / "many.csv"), "--from", "csv", "--ledger", str(root), "--dry-run")
    drawn = cli(*args, terminal=make_env(tty=True))
    assert drawn.status == 0, drawn.err
    assert "\rchecking" in drawn.err and drawn.err.count("\n") >= 2
    for env, quiet in ((make_env(), ()), (make_env(tty=True), ("-q",))):
        assert "\r" not in cli(*args, *quiet, terminal=env).err


def test_raw_output_keeps_the_bytes_a_name_could_not_decode(make_env):
    from dataclasses import replace

    from ledger.terminal.call import Call

    raw = io.BytesIO()
    env = replace(make_env(), stdout=io.TextIOWrapper(raw, encoding="utf-8", errors="strict"))
    Call(env, {}).write_raw("before\n# ledger: cannot read entries/caf\udce9.toml\n")
    assert raw.getvalue() == b"before\n# ledger: cannot read entries/caf\xe9.toml\n"
    text = io.StringIO()
    Call(replace(env, stdout=text), {}).write_raw("no buffer: written as text\n")
    assert text.getvalue() == "no buffer: written as text\n"
