"""Tables fit the terminal: measured in display cells, the widest text column cut first.

Every table command (list, timeline, dupes, stats) at 40, 60, 80 and 120 columns, over a ledger
whose titles, places and actors hold wide CJK, emoji and combining characters.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import entry, write_files

from ledger.output.render import display_width, fit, truncate

MILITIA = "伊朗支持的民兵组织"  # "Iran-backed militias"


def green_zone(title: str, **more: Any) -> str:
    """An entry of 2020-01-03 in the Green Zone, written in Chinese, by the militias."""
    return entry(title=title, date="2020-01-03", place="巴格达绿区", perpetrators=[MILITIA], **more)


WIDE = {
    "2020-01-03-wide-one": green_zone(
        "火箭袭击巴格达绿区，造成多名平民受伤 🚀🚀 and a long English tail to make it wide",
        extra='tags = ["green-zone"]\n',
        targets=["Forças dos EUA"],
    ),
    "2020-01-03-wide-two": green_zone(
        "Rockets hit the Green Zone in Baghdad, Cafe\u0301 district, several civilians hurt badly", source="Al Arabiya"
    ),
    "2020-01-04-wide-three": entry(
        title="Ne\u0301ouveau tir d'obus à Albukamal 💥 — قصف مدفعي على البوكمال",
        date="2020-01-04",
        type="shelling",
        escalation=5,
        place="Albukamal",
        country="SY",
        extra='responds_to = ["2020-01-03-wide-one"]\n',
        perpetrators=["Syrian government forces (القوات الحكومية السورية)"],
    ),
}

COMMANDS = [
    ("list",),
    ("list", "--columns", "id,date,place,actors,title,killed"),
    ("timeline",),
    ("dupes",),
    ("stats", "--by", "actor"),
    ("stats", "--by", "type"),
]


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    return write_files(tmp_path_factory.mktemp("wide") / "ledger", WIDE)


@pytest.mark.parametrize("width", [40, 60, 80, 120])
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_table_fits_the_terminal(cli, make_env, wide, command, width):
    result = cli(*command, "--ledger", str(wide), terminal=make_env(tty=True, width=width, height=500))
    assert result.status in (0, 1), result.err  # dupes: 1 = candidates found
    lines = result.out.splitlines()
    assert len(lines) >= 3, result.out
    widest = max(display_width(line) for line in lines)
    assert widest <= width, "\n" + result.out
    if width == 120 and command == ("list",):
        assert widest > 100  # room is used, not wasted


def test_the_widest_text_column_is_cut_first(cli, make_env, wide):
    out = cli("list", "--ledger", str(wide), terminal=make_env(tty=True, width=120, height=500)).out
    rows = out.splitlines()[2:]
    assert all("2020-01-0" in row for row in rows)  # dates whole
    assert any(row.rstrip().endswith("…") for row in rows)  # titles cut
    assert "2020-01-03-wide-one " in out  # ids whole while the titles can give room


def test_piped_tables_are_not_cut(cli, make_env, wide):
    out = cli("list", "--ledger", str(wide), "-f", "table", terminal=make_env(stdout_isatty=False, width=40)).out
    assert "🚀🚀 and a long English tail to make it wide" in out


@pytest.mark.parametrize(
    ("text", "cells", "expected"),
    [
        ("abcdef", 6, "abcdef"),
        ("abcdef", 4, "abc…"),
        ("火箭袭击", 5, "火箭…"),  # 2 + 2 + 1: a wide character never straddles the edge
        ("火箭袭击", 4, "火…"),
        ("Cafe\u0301 au lait", 5, "Cafe\u0301…"),  # the accent stays with its letter
        ("🚀🚀🚀", 3, "🚀…"),
        ("x", 0, ""),
    ],
)
def test_truncate_counts_display_cells(text, cells, expected):
    assert truncate(text, cells) == expected
    assert display_width(truncate(text, cells)) <= cells


def test_fit_cuts_headers_only_as_a_last_resort():
    cells = [["2020-01-05", "x" * 50, "7"]]
    fitted, headers = fit(cells, ["date", "title", "escalation"], 40)
    assert headers == ["date", "title", "escalation"] and fitted[0][0] == "2020-01-05"
    assert display_width(fitted[0][1]) == 40 - 10 - 10 - 4
    fitted, headers = fit(cells, ["date", "title", "escalation"], 20)
    assert sum(display_width(h) for h in headers) + 4 <= 20
