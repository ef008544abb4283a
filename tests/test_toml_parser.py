"""The TOML parser entries go through (`files.parse_toml`): fast, and held to TOML 1.0.

rtoml is about ten times faster than tomllib, but it also takes TOML 1.1 drafts (times
without seconds, `\\x` escapes, multi-line or trailing-comma inline tables) that tomllib,
taplo and git tools refuse; parse_toml hands such text to tomllib. Every case here is
checked against tomllib itself, so the fast path cannot drift from the standard one.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib

import pytest

from ledger.store import files


def parse(text: str):
    data, problem = files.parse_toml("e.toml", text)
    return data, problem


VALID = {
    "dates": (
        "d = 2020-01-05\nlist = [2019-12-31, 2020-02-29]",
        {"d": dt.date(2020, 1, 5), "list": [dt.date(2019, 12, 31), dt.date(2020, 2, 29)]},
    ),
    "times": ("t = 21:30:00\nu = 07:05:09.123456", {"t": dt.time(21, 30), "u": dt.time(7, 5, 9, 123456)}),
    "local datetime": ("x = 2020-01-05T21:30:00", {"x": dt.datetime(2020, 1, 5, 21, 30)}),
    "datetime with offset": (
        "x = 2020-01-05 21:30:00+03:00",
        {"x": dt.datetime(2020, 1, 5, 21, 30, tzinfo=dt.timezone(dt.timedelta(hours=3)))},
    ),
    "utc datetime": ("x = 2020-01-05T21:30:00Z", {"x": dt.datetime(2020, 1, 5, 21, 30, tzinfo=dt.UTC)}),
    "multi-line basic": ('s = """\nline one\n  line two \\\n    joined"""', {"s": "line one\n  line two joined"}),
    "multi-line literal": ("s = '''\nC:\\path\\no escapes\n'''", {"s": "C:\\path\\no escapes\n"}),
    "quotes inside multi-line": ('s = """She said "hi"."""', {"s": 'She said "hi".'}),
    "escapes": ('s = "tab\\tnl\\nquote\\"back\\\\u\\u00e9U\\U0001F600"', {"s": 'tab\tnl\nquote"back\\uéU😀'}),
    "unicode": ('name = "الميادين"\n"ключ" = "Дейр-эз-Зор"', {"name": "الميادين", "ключ": "Дейр-эз-Зор"}),
    "literal string": ("s = 'no \\t escape'", {"s": "no \\t escape"}),
    "inline table": ("k = { best = 3, low = 2, high = 5 }", {"k": {"best": 3, "low": 2, "high": 5}}),
    "array of tables": (
        '[[sources]]\nname = "A"\n[[sources]]\nname = "B"\nurl = "u"',
        {"sources": [{"name": "A"}, {"name": "B", "url": "u"}]},
    ),
    "dotted keys": ("location.name = 'X'\nlocation.lat = 1.5", {"location": {"name": "X", "lat": 1.5}}),
    "numbers": (
        "a = 1_000\nb = -0.5e2\nc = 0x1F\nd = inf\ne = +12",
        {"a": 1000, "b": -50.0, "c": 31, "d": math.inf, "e": 12},
    ),
    "booleans and comments": ("a = true # yes\n# whole line\nb = false", {"a": True, "b": False}),
    "multi-line array with trailing comma": ("a = [\n  1,\n  2,\n]", {"a": [1, 2]}),
    "summary after keys": (
        'title = "x"\nsummary = """\nA\nB\n"""\n[location]\nname = "y"',
        {"title": "x", "summary": "A\nB\n", "location": {"name": "y"}},
    ),
    "url with colons": ('url = "https://example.org:8080/a?t=12:30"', {"url": "https://example.org:8080/a?t=12:30"}),
    "time in a string": ('as_reported = "at 21:30 local time"', {"as_reported": "at 21:30 local time"}),
}


@pytest.mark.parametrize("name", VALID)
def test_valid_toml_parses_like_tomllib(name):
    text, expected = VALID[name]
    data, problem = parse(text)
    assert problem is None
    assert data == expected
    assert data == tomllib.loads(text)


INVALID = {
    "time without seconds": ("title = 'x'\ntime = 21:30", 2),
    "datetime without seconds": ("x = 2020-01-05T21:30", 1),
    "byte escape": ('a = 1\ns = "\\x41"', 2),
    "trailing comma in inline table": ("\n\nk = { best = 3, }", 3),
    "inline table over two lines": ("k = { best = 3,\n  low = 2 }", 1),
    "unterminated string": ('title = "Rockets\ndate = 2020-01-05', 1),
    "unterminated multi-line": ('a = 1\ns = """\nno end', 3),  # tomllib: "at end of document"
    "duplicate key": ("a = 1\nb = 2\na = 3", 3),
    "duplicate table": ("[location]\nname = 'a'\n[location]\nname = 'b'", 3),
    "key after value on one line": ("a = 1 b = 2", 1),
    "bad date": ("d = 2020-02-30", 1),
    "bad escape": ('s = "\\q"', 1),
    "bare string value": ("type = rocket-attack", 1),
    "missing value": ("a = \n", 1),
    "control character in string": ('s = "a\x07b"', 1),
    "leading zero": ("n = 012", 1),
}


@pytest.mark.parametrize("name", INVALID)
def test_invalid_toml_is_a_problem_with_its_line(name):
    text, line = INVALID[name]
    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads(text)
    data, problem = parse(text)
    assert data is None
    assert problem is not None
    assert (problem.path, problem.line) == ("e.toml", line)
    assert problem.message.startswith("TOML syntax: ")
    assert "at line" not in problem.message  # the line is in the Problem, not repeated in the words


def test_deep_nesting_is_a_problem_not_a_crash():
    data, problem = parse("a = " + "[" * 5000 + "]" * 5000)
    assert data is None and problem is not None and "TOML syntax" in problem.message


@pytest.mark.parametrize(
    ("text", "suspect"),
    [
        ("time = 21:30", True),
        ("time = 21:30:00", False),
        ("x = [21:30]", True),
        ("d = 1987-07-05T17:45Z", True),
        ('url = "https://x"', False),
        ("t = 12:34:56.5", False),
        ('s = "\\x41"', True),
        ("k = {a = 1,}", True),
        ("k = {\na = 1}", True),
        ("k = { a = 1 }", False),
        ("", False),
        ("\ufeffa = 1", True),
    ],
)
def test_the_net_for_what_rtoml_accepts_beyond_toml_1_0(text, suspect):
    assert files._needs_stdlib(text) is suspect


def test_a_second_byte_order_mark_is_refused():
    text, problem = files.decode_bytes("e.toml", b"\xef\xbb\xbf\xef\xbb\xbfa = 1\n")
    assert problem is None and text is not None
    data, problem = files.parse_toml("e.toml", text)
    assert data is None and problem is not None and problem.line == 1
