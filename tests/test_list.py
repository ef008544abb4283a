"""`ledger list`: output formats, the piped default, filters and query text, errors, start-up cost."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, entry, posix_only

from ledger import query
from ledger.api import Ledger

A = "2020-01-03-strike-on-convoy"
B = "2020-01-04-rockets-on-base"
C = "2020-01-05-border-closed"
W = "2020-01-05-withdrawn-duplicate"


@pytest.fixture
def small(make_ledger) -> Path:
    return make_ledger(
        {
            A: entry(
                title="Strike on a convoy near the airport",
                date="2020-01-03",
                type="airstrike",
                escalation=7,
                confidence="confirmed",
                place="Baghdad",
                extra='time = 00:45:00\ntags = ["leadership-strike"]\nsummary = "Line one\\twith a tab.\\nLine two."\n',
                tables='[actors]\nperpetrators = ["US"]\ntargets = ["IRGC"]\n\n[casualties]\nkilled = { best = 10, low = 8, high = 12 }\n',
            ),
            B: entry(
                title='=HYPERLINK(\\"http://evil.example\\") | rockets',
                date="2020-01-04",
                escalation=4,
                place="Ain al-Asad",
                extra='date_end = 2020-01-06\ndate_precision = "days"\n',
                tables='[actors]\nperpetrators = ["Kataib Hezbollah"]\n',
            ),
            C: entry(
                title="Border crossing closed",
                date="2020-01-05",
                type="border-closure",
                escalation=3,
                country="SY",
                place="Albukamal",
                source="SOHR",
            ),
            W: entry(
                title="Duplicate report",
                date="2020-01-05",
                escalation=4,
                extra=f'status = "withdrawn"\nwithdrawn_reason = "duplicate"\nduplicate_of = "{B}"\n',
            ),
        },
        config='[actors."United States"]\naliases = ["US"]\n[actors."Islamic Revolutionary Guard Corps"]\naliases = ["IRGC"]\n',
    )


def run(cli, root: Path, *args: str) -> str:
    result = cli("list", "--ledger", str(root), *args)
    assert result.status == 0, result.err
    assert result.err == ""
    return result.out


# -- formats -------------------------------------------------------------------------------


def test_piped_default_is_tsv_with_a_header(small, cli):
    assert run(cli, small) == textwrap.dedent(
        f"""\
        id\tdate\ttype\tescalation\tcountry\ttitle
        {A}\t2020-01-03\tairstrike\t7\tIQ\tStrike on a convoy near the airport
        {B}\t2020-01-04\trocket-attack\t4\tIQ\t=HYPERLINK("http://evil.example") | rockets
        {C}\t2020-01-05\tborder-closure\t3\tSY\tBorder crossing closed
        """
    )


def test_no_header_and_columns(small, cli):
    out = run(cli, small, "--no-header", "--columns", "id,killed,perpetrators,tags,label,date_end")
    assert out.splitlines() == [
        f"{A}\t10\tUS\tleadership-strike\tstrategic-strike\t",
        f"{B}\t\tKataib Hezbollah\t\tharassing-fire\t2020-01-06",
        f"{C}\t\t\t\tcoercion\t",
    ]


def test_tsv_escapes_tabs_and_newlines_so_a_record_stays_one_line(small, cli):
    out = run(cli, small, "--columns", "id,summary", "--no-header", "type:airstrike")
    assert out == f"{A}\tLine one\\twith a tab.\\nLine two.\n"


def test_tsv_parses_with_the_csv_module(small, cli):
    text = run(cli, small, "--columns", "id,title,summary,tags,killed")
    rows = list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == ["id", "title", "summary", "tags", "killed"]
    assert [len(r) for r in rows] == [5, 5, 5, 5]
    assert rows[1] == [
        A,
        "Strike on a convoy near the airport",
        "Line one\\twith a tab.\\nLine two.",
        "leadership-strike",
        "10",
    ]


def test_csv_parses_and_formula_cells_are_neutralised(small, cli):
    rows = list(csv.reader(io.StringIO(run(cli, small, "--format", "csv", "--columns", "id,title,escalation,summary"))))
    assert rows[0] == ["id", "title", "escalation", "summary"]
    assert rows[1] == [A, "Strike on a convoy near the airport", "7", "Line one\twith a tab.\nLine two."]
    assert rows[2][1] == '\'=HYPERLINK("http://evil.example") | rockets'
    assert len(rows) == 4


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_every_formula_start_is_neutralised(make_ledger, cli, start):
    root = make_ledger({A: entry(title=f"{start}1+2")})
    rows = list(csv.reader(io.StringIO(run(cli, root, "--format", "csv", "--columns", "title"))))
    assert rows[1] == [f"'{start}1+2"]


def test_json_is_the_documented_record_form(small, cli):
    records = json.loads(run(cli, small, "--format", "json"))
    assert [r["id"] for r in records] == [A, B, C]
    assert records[0] == {
        "id": A,
        "path": f"entries/2020/01/{A}.toml",
        "title": "Strike on a convoy near the airport",
        "date": "2020-01-03",
        "time": "00:45:00",
        "type": "airstrike",
        "category": "remote-violence",
        "escalation": 7,
        "confidence": "confirmed",
        "tags": ["leadership-strike"],
        "summary": "Line one\twith a tab.\nLine two.",
        "location": {"name": "Baghdad", "country": "IQ"},
        "actors": {"perpetrators": ["US"], "targets": ["IRGC"]},
        "casualties": {"killed": {"best": 10, "low": 8, "high": 12}},
        "sources": [{"name": "Reuters"}],
    }
    assert records[1]["date_end"] == "2020-01-06"


def test_jsonl_has_one_record_per_line_and_columns_select_keys(small, cli):
    lines = run(cli, small, "--format", "jsonl").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [A, B, C]
    picked = run(cli, small, "--format", "jsonl", "--columns", "id,killed,tags").splitlines()
    assert json.loads(picked[0]) == {"id": A, "killed": 10, "tags": ["leadership-strike"]}


def test_json_of_nothing_is_an_empty_array(small, cli):
    assert json.loads(run(cli, small, "--format", "json", "type:protest")) == []
    assert run(cli, small, "--format", "jsonl", "type:protest") == ""


def test_markdown_escapes_pipes(small, cli):
    out = run(cli, small, "--format", "markdown", "--columns", "date,title", "type:rocket-attack")
    assert out == '| date | title |\n|---|---|\n| 2020-01-04 | =HYPERLINK("http://evil.example") \\| rockets |\n'


def test_table_format_on_request(small, cli):
    out = run(cli, small, "--format", "table", "--columns", "id,escalation,country", "--sort", "escalation")
    assert out.splitlines() == [
        "id                           escalation  country",
        "---------------------------  ----------  -------",
        f"{C}              3  SY",
        f"{B}            4  IQ",
        f"{A}           7  IQ",
    ]


def test_ids_format(small, cli):
    assert run(cli, small, "--format", "ids", "--reverse") == f"{C}\n{B}\n{A}\n"


def test_no_colour_and_no_escape_sequences_either_way(small, cli):
    plain = run(cli, small, "--format", "table")
    assert "\x1b" not in plain
    assert cli("list", "--ledger", str(small), "--format", "table", env={"NO_COLOR": "1"}).out == plain


def test_entry_text_with_control_characters_never_reaches_the_output(make_ledger, cli):
    root = make_ledger({A: entry(title="Strike \\u001b[31mred\\u001b[0m"), B: entry(title="fine", date="2020-01-04")})
    result = cli("list", "--ledger", str(root), "--format", "table", "--columns", "id,title")
    assert "\x1b" not in result.out and "red" not in result.out
    assert result.err == "ledger: 1 invalid entry file left out (see `ledger validate`)\n"


# -- filters -------------------------------------------------------------------------------


def ids(cli, root: Path, *args: str) -> list[str]:
    return run(cli, root, "--format", "ids", *args).splitlines()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--type", "airstrike", "--type", "border-closure"], [A, C]),
        (["type:airstrike,border-closure"], [A, C]),
        (["--country", "sy"], [C]),
        (["--actor", "united states"], [A]),
        (["actor:irgc"], [A]),
        (["--actor", "Islamic Revolutionary Guard Corps"], [A]),
        (["--since", "2020-01-05"], [B, C]),
        (["--until", "2020-01-04"], [A, B]),
        (["--on", "2020-01-06"], [B]),
        (["date:2020-01-04..2020-01-05"], [B, C]),
        (["--min-escalation", "4", "--max-escalation", "6"], [B]),
        (["--max-escalation", "0"], []),  # 0 is a bound, not "no option" (was ignored)
        (["--min-escalation", "0", "--max-escalation", "3"], [C]),
        (["killed>5"], [A]),
        (["not:killed>5"], [B, C]),
        (["--text", "CONVOY"], [A]),
        (["--source", "sohr"], [C]),
        (["--place", "albukamal"], [C]),
        (["--tag", "leadership-strike"], [A]),
        (["confidence:confirmed or escalation:3"], [A, C]),
        (["--confidence", "confirmed", "--confidence", "reported"], [A, B, C]),
        (["--confidence", "claimed"], []),
        (["--withdrawn"], [A, B, C, W]),
        (["status:withdrawn"], [W]),
        (["--sort", "escalation", "--reverse", "--limit", "2"], [A, B]),
        (["--sort", "killed"], [B, C, A]),
        (["--limit", "0"], []),
    ],
)
def test_filters(small, cli, args, expected):
    assert ids(cli, small, *args) == expected


def test_options_and_query_text_build_the_same_tree(small, cli):
    from ledger.cli.filters import selection_from

    options = selection_from({"q_type": ["airstrike", "shelling"], "q_since": ["2020-01"], "q_min_escalation": 3})
    text = selection_from({"query_words": ["since:2020-01 type:airstrike,shelling escalation>=3"]})
    assert options.where == query.parse("since:2020-01 type:airstrike,shelling escalation>=3")
    assert set(options.where.items) == set(text.where.items)  # the same terms, in option order


def test_a_syntax_error_shows_the_query_with_a_caret(small, cli):
    result = cli("list", "--ledger", str(small), "type:airstrike", "actor:IRGC", "date:2020-1")
    assert result.status == 2
    assert result.out == ""
    assert result.err == (
        'ledger: error: query: "2020-1" is not a date (YYYY, YYYY-MM or YYYY-MM-DD) (column 32)\n'
        "  type:airstrike actor:IRGC date:2020-1\n"
        "                                 ^\n"
    )


def test_a_bad_option_value_is_one_line(small, cli):
    result = cli("list", "--ledger", str(small), "--type", "airstrik")
    assert (result.status, result.out) == (2, "")
    assert result.err == 'ledger: error: --type: "airstrik" is not a type (did you mean "airstrike"?)\n'


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], '--format "xml" is not one of: table, tsv, csv, json, jsonl, markdown, ids\n'),
        (["--columns", "id,titel"], '--columns "titel" is not one of: id, '),
        (["--sort", "escalaton"], 'cannot sort by "escalaton" (did you mean "escalation"?)'),
    ],
)
def test_bad_choices_are_one_line_errors(small, cli, args, message):
    result = cli("list", "--ledger", str(small), *args)
    assert (result.status, result.out) == (2, "")
    assert result.err.startswith(f"ledger: error: {message}")
    assert result.err.count("\n") == 1


def test_explain_prints_the_understood_query_and_stops(small, cli):
    result = cli("list", "--ledger", str(small), "--type", "airstrike", "actor:US not:killed>5", "--explain")
    assert (result.status, result.out) == (0, "")
    assert result.err == textwrap.dedent(
        """\
        query: type:airstrike (actor:US not:killed>5)
        matches:
          all of:
            type is airstrike
            all of:
              actor is one of: "united states", us (any case, accent or letter form)
              not:
                killed > 5 (unknown never matches)
        withdrawn entries: left out (--withdrawn or status: in the query brings them in)
        order: date, time (unknown first), id
        """
    )


def test_select_api_takes_a_selection_or_text(small):
    with Ledger(small) as led:
        assert [e.id for e in led.select()] == [A, B, C]
        assert [e.id for e in led.select("escalation>=4")] == [A, B]
        chosen = led.select(query.Selection(query.parse("escalation>=4"), include_withdrawn=True, reverse=True))
        assert [e.id for e in chosen] == [W, B, A]
        assert led.find(query.Selection()).skipped == 0


# -- processes: closed pipes, start-up imports ---------------------------------------------


@posix_only("bash pipelines")
def test_a_closed_pipe_ends_quietly(make_ledger, tmp_path):
    root = make_ledger(
        {f"2020-02-{d:02d}-event-{n}": entry(date=f"2020-02-{d:02d}") for n in range(400) for d in [n % 28 + 1]}
    )
    script = f"{sys.executable} -m ledger list --ledger {root} --format jsonl --columns id,title,path | head -1"
    result = subprocess.run(["bash", "-c", script + "; echo ${PIPESTATUS[0]} >&2"], capture_output=True, text=True)
    assert result.stdout.count("\n") == 1
    assert result.stderr == "0\n"


def test_list_as_json_imports_nothing_heavy(small):
    code = textwrap.dedent(
        f"""
        import sys
        from ledger.cli import main
        for fmt in ("json", "ids", "jsonl", "tsv"):
            try:
                main(["list", "--ledger", {str(small)!r}, "--format", fmt, "--type", "airstrike"])
            except SystemExit:
                pass
        heavy = {{"tabulate", "tomli_w", "multiprocessing", "concurrent.futures", "jsonschema", "pydantic", "rich"}}
        print(sorted(heavy & set(sys.modules)), file=sys.stderr)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stderr == "[]\n"
