"""The output registry: rows in, text out; hostile text stays harmless in every format."""

from __future__ import annotations

import csv
import io
import json

import pytest

from ledger.output import render

HOSTILE = {"id": "x", "title": "\x1b[2J\x1b]0;pwned\x07 =cmd\t|\r\nnext \u202eevil\x9b"}
COLUMNS = ["id", "title"]


def out(fmt: str, rows=(HOSTILE,), columns=COLUMNS, is_tty: bool = False, **kw) -> str:
    stream = io.StringIO()
    render.render_rows(list(rows), columns, fmt, stream, is_tty, **kw)
    return stream.getvalue()


@pytest.mark.parametrize("fmt", ["table", "tsv", "markdown", "ids"])
@pytest.mark.parametrize("is_tty", [True, False])
def test_text_formats_never_emit_control_characters(fmt, is_tty):
    text = out(fmt, is_tty=is_tty)
    unsafe = [c for c in text if (ord(c) < 32 and c not in "\t\n") or 0x7F <= ord(c) <= 0x9F or c == "\u202e"]
    assert unsafe == [], repr(text)


def test_clean_shows_escapes_as_text():
    assert render.clean("a\x1b[31mb\x07\u202ec") == "a\\x1b[31mb\\x07c"


def test_tsv_keeps_one_record_per_line():
    assert out("tsv", header=False) == "x\t\\x1b[2J\\x1b]0;pwned\\x07 =cmd\\t|\\r\\nnext evil\\x9b\n"


def test_csv_round_trips_through_the_csv_module_and_neutralises_formulas():
    rows = [
        {"id": "a", "n": 3, "t": "=1+1"},
        {"id": "b", "n": None, "t": "-2"},
        {"id": "c", "n": 0, "t": 'ok, "quoted"\nline'},
    ]
    text = out("csv", rows, ["id", "n", "t"])
    assert list(csv.reader(io.StringIO(text))) == [
        ["id", "n", "t"],
        ["a", "3", "'=1+1"],
        ["b", "", "'-2"],
        ["c", "0", 'ok, "quoted"\nline'],
    ]
    # RFC 4180: records end in CRLF; a line break inside a quoted cell stays as written
    assert text.startswith("id,n,t\r\na,3,'=1+1\r\n") and text.endswith('"ok, ""quoted""\nline"\r\n')


def test_csv_on_a_terminal_is_also_cleaned():
    assert "\x1b" not in out("csv", is_tty=True)
    assert "\x1b" in out("csv", is_tty=False)  # data for a program: kept, quoted by csv


def test_json_and_jsonl_parse_and_keep_the_data():
    assert json.loads(out("json")) == [HOSTILE]
    assert [json.loads(line) for line in out("jsonl").splitlines()] == [HOSTILE]
    assert json.loads(out("json", rows=())) == []


def test_json_on_a_terminal_escapes_what_json_leaves_raw():
    text = out("json", is_tty=True)
    assert "\u202e" not in text and "\x9b" not in text
    assert json.loads(text) == [HOSTILE]


def test_json_without_columns_writes_whole_records():
    rows = [{"id": "a", "nested": {"k": [1, 2]}}]
    assert json.loads(out("json", rows, None)) == rows


def test_markdown_escapes_pipes_and_newlines():
    rows = [{"a": "x|y", "b": "one\ntwo"}]
    assert out("markdown", rows, ["a", "b"]) == "| a | b |\n|---|---|\n| x\\|y | one<br>two |\n"


def test_table_clips_long_cells_to_the_width():
    rows = [{"id": "2020-01-05-a", "title": "word " * 40}]
    text = out("table", rows, ["id", "title"], width=60)
    assert max(len(line) for line in text.splitlines()) <= 60
    assert "…" in text


def test_table_of_nothing_is_empty():
    assert out("table", rows=()) == ""


def test_cells_join_lists_and_leave_unknown_empty():
    assert out("tsv", [{"a": ["x", "y"], "b": None, "c": True, "d": 1.5}], ["a", "b", "c", "d"], header=False) == (
        "x, y\t\ttrue\t1.5\n"
    )


def test_unknown_format_is_a_usage_error():
    from ledger.core.errors import UsageError

    with pytest.raises(UsageError, match='--format "xml" is not one of'):
        out("xml")


def test_progress_bar_draws_and_ends_the_line():
    stream = io.StringIO()
    bar = render.ProgressBar(stream, "indexing", every=0)
    bar(500, 1000)
    bar(1000, 1000)
    assert stream.getvalue() == (
        "\rindexing       500/1,000 [###############               ]  50%"
        "\rindexing     1,000/1,000 [##############################] 100%\n"
    )


def test_no_color_counts_only_when_non_empty():
    from ledger.terminal.env import Environment

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    def colors(environ):
        return Environment.from_system(io.StringIO(), Terminal(), io.StringIO(), environ).colors

    assert colors({})
    assert colors({"NO_COLOR": ""})  # set but empty: no-color.org says it does not count
    assert not colors({"NO_COLOR": "1"})
    assert not colors({"TERM": "dumb"})
