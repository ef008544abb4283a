"""One error path: every mistake is one `ledger: error: ...` line on stderr and an exit status, printed in one place."""

from __future__ import annotations

import io
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import entry

from ledger.core.errors import ExitStatus, LedgerError, NotFound, QuerySyntaxError
from ledger.terminal import errors
from ledger.terminal.env import Environment

A = "2020-01-03-strike-on-convoy"


@pytest.fixture
def root(make_ledger):
    return make_ledger({A: entry(title="Strike on a convoy", date="2020-01-03", type="airstrike", escalation=7)})


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["validate", "-f", "xml"], '--format "xml" is not one of: text, json'),
        (["chain", A, "-f", "xml"], '--format "xml" is not one of: text, json'),
        (["log", A, "-f", "xml"], '--format "xml" is not one of: text, json'),
        (["schema", "-f", "xml"], '--format "xml" is not one of: json, markdown'),
        (
            ["list", "-f", "jsn"],
            '--format "jsn" is not one of: table, tsv, csv, json, jsonl, markdown, ids (did you mean "json"?)',
        ),
        (["export", "-f", "xml"], '--format "xml" is not one of: csv, json, jsonl, geojson, ics, acled'),
        (["diff", "--color", "sometimes"], '--color "sometimes" is not one of: auto, always, never'),
        (["stats", "--by", "place"], '--by "place" is not one of: type, category, actor, country, month, tag'),
        (
            ["list", "--fomat", "json"],
            "no such option: --fomat (Possible options: --format, --sort) (see `ledger list --help`)",
        ),
        (
            ["list", "--min-escalation", "9"],
            "invalid value for '--min-escalation': 9 is not in the range 0<=x<=7 (see `ledger list --help`)",
        ),
        (["show"], "missing argument 'ID...' (see `ledger show --help`)"),
        (["chain", A, "B"], "got unexpected extra argument(s) (B) (see `ledger chain --help`)"),
        (["lsit"], "no such command 'lsit'. Did you mean 'list'? (see `ledger --help`)"),
        (
            ["new", "T", "--date", "2020-13-01"],
            "missing --type, --escalation, --confidence, --place, --country,"
            " --source (give them as options; on a terminal they are asked for)",
        ),
        (
            [
                "new",
                "T",
                "--date",
                "5 Jan",
                "--type",
                "raid",
                "-e",
                "3",
                "-c",
                "reported",
                "--place",
                "X",
                "--country",
                "IQ",
                "--source",
                "S",
            ],
            '--date "5 Jan" is not a date (YYYY-MM-DD)',
        ),
    ],
)
def test_every_usage_mistake_is_one_error_line_and_exit_2(root, cli, args, line):
    result = cli(*args, cwd=root)
    assert (result.status, result.out, result.err) == (2, "", f"ledger: error: {line}\n")


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--bar", "nope"], '--bar "nope" is not one of: sum, max, count, killed, injured'),
        (["--by", "year"], '--by "year" is not one of: day, week, month'),
        (["validate", "--staged", "entries/x.toml"], "--staged checks the whole staged ledger: give no paths with it"),
        (["stats", "--by", "nope"], '--by "nope" is not one of: type, category, actor, country, month, tag'),
        (["export", "-f", "nope"], '--format "nope" is not one of: csv, json, jsonl, geojson, ics, acled'),
        (["import", "x.csv", "--from", "nope"], '--from "nope" is not one of: csv, json, acled, ucdp'),
        (
            ["--by", "month", "-f", "svg"],
            '--format "svg" is not one of: table, tsv, csv, json, jsonl, markdown (did you mean "tsv"?)',
        ),
    ],
)
def test_a_usage_mistake_is_said_before_the_ledger_is_looked_for(tmp_path, cli, args, line):
    for where in (["--ledger", str(tmp_path / "nowhere")], []):  # a wrong --ledger; no ledger above the cwd
        command = [] if args[0] in ("validate", "stats", "export", "import") else ["timeline"]
        result = cli(*command, *args, *where, cwd=tmp_path)
        assert (result.status, result.err) == (2, f"ledger: error: {line}\n")


def test_bare_ledger_shows_the_help_on_stderr_and_exits_2(cli):
    result = cli()
    assert result.status == 2 and result.out == ""
    assert result.err.startswith("Usage: ledger") and "timeline" in result.err


def test_typer_aborting_is_one_error_line():
    import typer

    from ledger.cli.app import stopped

    env = _env()
    assert stopped(typer.Abort(), env) == ExitStatus.TROUBLE
    assert env.stderr.getvalue() == "ledger: error: aborted\n"


def test_the_same_mistake_reads_the_same_in_every_command(root, cli):
    said = {cli(*args, "-f", "xml", "--ledger", str(root)).err for args in (["validate"], ["chain", A], ["log", A])}
    assert said == {'ledger: error: --format "xml" is not one of: text, json\n'}


def test_a_query_syntax_error_draws_its_caret(root, cli):
    result = cli("list", "--ledger", str(root), "type:airstrike", "escalation>=3,4")
    assert (result.status, result.out) == (2, "")
    assert result.err == (
        "ledger: error: query: escalation>= takes one value (column 29)\n"
        "  type:airstrike escalation>=3,4\n"
        "                              ^\n"
    )


def test_the_diff_query_words_give_the_same_caret(root, cli):
    result = cli("diff", "--ledger", str(root), "HEAD", "type:(")
    assert result.status == 2
    assert result.err.startswith("ledger: error: query: ")
    assert result.err.endswith("  type:(\n       ^\n")


def test_not_found_is_one_line_and_exit_1(root, cli):
    result = cli("show", "--ledger", str(root), "2020-01-03-strike-on-convoi")
    assert (result.status, result.out) == (1, "")
    assert result.err == f'ledger: error: no entry "2020-01-03-strike-on-convoi" (did you mean "{A}"?)\n'


def test_an_interrupt_says_so_and_exits_130(root, cli, monkeypatch):
    from ledger.api import Ledger

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Ledger, "open", interrupted)
    result = cli("list", "--ledger", str(root))
    assert (result.status, result.out, result.err) == (130, "", "ledger: interrupted\n")


def test_an_interrupt_while_the_options_are_parsed_says_so_too(root, cli, monkeypatch):
    """typer turns Ctrl-C in its parsing (a callback, a completer) into a silent exit 130."""
    from ledger.cli import options

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(options, "a_number", interrupted)
    result = cli("dupes", "--km", "1", "--ledger", str(root))
    assert (result.status, result.out, result.err) == (130, "", "ledger: interrupted\n")


def _env() -> Environment:
    return Environment(io.StringIO(), io.StringIO(), io.StringIO())


def test_report_prints_the_error_and_its_context_and_returns_its_status():
    env = _env()
    err = QuerySyntaxError('"x" is not a date', 5, "date:x")
    assert errors.report(err, env) == ExitStatus.TROUBLE
    assert env.stderr.getvalue() == 'ledger: error: query: "x" is not a date (column 6)\n  date:x\n       ^\n'
    env = _env()
    assert errors.report(NotFound("no entry"), env) == ExitStatus.FOUND
    assert env.stderr.getvalue() == "ledger: error: no entry\n"
    assert errors.report(BrokenPipeError(), _env()) == ExitStatus.OK


def test_a_defect_is_not_hidden():
    with pytest.raises(ZeroDivisionError):
        errors.report(ZeroDivisionError("a bug"), _env())
    assert issubclass(QuerySyntaxError, LedgerError)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux, BSD)")
@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("timeline",),
        ("timeline", "-f", "svg"),
        ("export", "-f", "csv"),
        ("show", A),
        ("validate", "-f", "json"),
    ],
)
def test_output_to_a_full_disk_is_one_error_line_and_exit_2(root, args):
    """`ledger list > /dev/full`: the real device refuses every write with ENOSPC, as a full disk does."""
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "ledger", *args, "--ledger", str(root)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert (done.returncode, done.stderr) == (2, "ledger: error: No space left on device\n")


def test_a_system_refusal_names_its_file():
    env = _env()
    err = PermissionError(13, "Permission denied", "/ledger/.ledger/index.sqlite")
    assert errors.report(err, env) == ExitStatus.TROUBLE
    assert env.stderr.getvalue() == "ledger: error: Permission denied: /ledger/.ledger/index.sqlite\n"


@pytest.mark.parametrize(
    "args",
    [("list",), ("timeline",), ("timeline", "-f", "svg"), ("search", "strike"), ("export", "-f", "csv"), ("dupes",)],
)
def test_a_limit_beyond_sqlite_integers_means_all(root, cli, args):
    """`--limit 10**23` cannot reach SQLite as it is (64-bit integers): it is every row, not an OverflowError."""
    whole = cli(*args, "--ledger", str(root))
    giant = cli(*args, "--ledger", str(root), "--limit", str(10**23))
    assert (giant.status, giant.out, giant.err) == (whole.status, whole.out, whole.err)


@pytest.mark.skipif(sys.platform == "win32", reason="closes descriptors with POSIX sh")
@pytest.mark.parametrize(
    ("args", "closing", "status"),
    [
        ("list", ">&-", 2),  # the output cannot be written: trouble, as `ls >&-` says
        ("list", ">&- 2>&-", 2),
        ("list --limit x", "2>&-", 2),  # the usage error's message is lost, its status is not
        ("show no-such-id", "2>&-", 1),
        ("list", "2>&- >/dev/null", 0),
    ],
)
def test_a_closed_standard_stream_keeps_the_exit_status(root, args, closing, status):
    """The shell may close stdout or stderr (`>&-`); no traceback, and the status still tells."""
    command = f"{shlex.quote(sys.executable)} -m ledger {args} --ledger {shlex.quote(str(root))} {closing}"
    done = subprocess.run(["sh", "-c", command], capture_output=True, text=True, check=False)
    assert done.returncode == status
    assert "Traceback" not in done.stderr
