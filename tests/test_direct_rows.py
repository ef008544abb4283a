"""The cold build's fast path (index/direct.py) gives the rows the general road gives, or none.

The general road (decode, check, `row_of`) is the definition; `direct_row` may only decline
(None) or agree with it, column for column and type for type, the stored JSON and CSV line
byte for byte (and the line is the one `csv.writer` writes for the record: `lines.csv_lines`).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.api import loader
from ledger.index.direct import direct_row
from ledger.index.lines import csv_lines
from ledger.store import files

REL = "entries/2020/01/2020-01-05-green-zone-rockets.toml"
ITEM = (REL, 1234, 5678, 91)
PROPS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def general(item: tuple[str, int, int, int], data: bytes) -> Any:
    return loader.index_row(item, loader.load_bytes(item[0], data, loader.INDEX_DAY))


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types (33 == 33.0 in Python, not in the index)."""
    return a == b and [type(x) for x in a] == [type(x) for x in b]


def compare(data: bytes, item: tuple[str, int, int, int] = ITEM) -> Any:
    """Assert the fast path agrees with the general road on one file; return the direct row (or None)."""
    expected = general(item, data)
    if expected[5] == 1:  # a valid entry: its CSV line is the definition's
        assert expected[-1] == csv_lines([json.loads(expected[-2])])[0]
    text, _ = files.decode_bytes(item[0], data)
    raw = files.parse_toml(item[0], text)[0] if text is not None else None
    direct = direct_row(item, raw) if raw is not None else None
    if direct is not None:
        assert expected[5] == 1, "the fast path took a file the general road finds invalid"
        assert same(direct, expected)
    if text is not None:  # what the build and --as-of call
        assert same(loader.text_row(item, text), expected)
    return direct


FULL = """\
id = "2020-01-05-green-zone-rockets"
title = "Rockets hit the \\"Green Zone\\" \\u00e9 \\\\ near الزرقاء — ʼAyn"
date = 2020-01-05
date_end = 2020-01-07
date_precision = "days"
time = 21:30:00.250
time_of_day = "evening"
as_reported = "Sunday night"
type = "rocket-attack"
escalation = 7
confidence = "disputed"
responds_to = ["2020-01-03-soleimani-strike"]
related = ["2020-01-04-a", "2020-01-04-b"]
aliases = ["ACLED:IRQ1", "UCDP:\\"quoted\\""]
tags = ["green-zone", "us-iran"]
summary = '''
Six rockets fell in and near the Green Zone.\ttabbed "quotes" and \\ backslashes
Déjà vu in ﻿ الأنبار.
'''

[location]
name = "Green Zone (المنطقة الخضراء)"
country = "IQ"
admin1 = "Baghdad"
admin2 = "Karkh"
description = "near the embassy"
lat = -33.305
lon = 44.385
precision = "exact"

[actors]
perpetrators = ["Iran-backed militias", "Kata'ib Hezbollah"]
targets = ["US forces"]
associated = ["Iraqi Security Forces"]
attribution = "suspected"

[casualties]
killed = 9999999999
injured = { best = 3, low = 2, high = 5 }
note = "several civilians"

[[sources]]
name = "Reuters"
url = "https://example.org/a?x=1&y=\\"2\\""
published = 2020-01-05
reliability = "B"
credibility = "2"
quote = "\\"we heard six\\""
archive_url = "https://web.archive.org/web/2020/https://example.org/a"
captured = 2020-01-06T10:00:00+03:00
sha256 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
capture = "evidence/2020/a.warc.gz"

[[sources]]
name = "AP"
"""

MINIMAL = """\
title = "T"
date = 2020-01-05
type = "other"
escalation = 0
confidence = "reported"
location = { name = "X", country = "SY" }
sources = [{ name = "S" }]
"""


def test_full_and_minimal_entries_take_the_fast_path() -> None:
    assert compare(FULL.encode()) is not None
    assert compare(MINIMAL.encode()) is not None
    assert compare(("\ufeff" + FULL).encode()) is not None  # a BOM
    assert compare(FULL.replace("\n", "\r\n").encode()) is not None  # CRLF, also inside the ''' summary


FAST = [
    ("casualties", "killed = { best = 4 }\ninjured = { best = 0, high = 2 }\n"),
    ("casualties", "killed = { best = 4, low = 4 }\n"),
    ("casualties", ""),  # an empty table is kept: "casualties": {}
    ("actors", ""),
    ("actors", 'perpetrators = []\nattribution = "unknown"\n'),
    ("tags", "[]"),
    ("status", '"withdrawn"\nwithdrawn_reason = "a duplicate"\nduplicate_of = "2020-01-04-a"'),
    ("status", '"active"'),
    ("time", "00:00:00"),
    ("location", '{ name = "Ω", country = "XK", lat = 0.0, lon = -180.0 }'),
]

SLOW_BUT_VALID = [
    ("location", '{ name = "X", country = "IQ", lat = 33, lon = 44 }'),  # integers for floats: converted
]

INVALID = [
    ("casualties", "killed = 10000000001\n"),  # above COUNT_MAX
    ("casualties", "killed = 9223372036854775807\n"),
    ("casualties", "killed = -1\n"),
    ("casualties", "killed = true\n"),
    ("casualties", "killed = { best = 4, low = 5 }\n"),
    ("casualties", "killed = { best = 4, high = 3 }\n"),
    ("casualties", "killed = { best = 4, median = 3 }\n"),
    ("casualties", "killed = { low = 4 }\n"),
    ("casualties", "dead = 4\n"),
    ("escalation", "8"),
    ("escalation", "4.0"),
    ("type", '"Airstrike"'),
    ("date_end", "2020-01-04"),
    ("date", '"2020-01-05"'),
    ("date", "2020-01-05T10:00:00"),
    ("time", '"21:30"'),
    ("title", '""'),
    ("title", '"two\\nlines"'),
    ("title", '"bell\\u0007"'),
    ("title", '"bidi\\u202e"'),
    ("summary", '"   "'),
    ("tags", '["Not-A-Slug"]'),
    ("tags", '["ok", 3]'),
    ("responds_to", '["2020-01-05-green-zone-rockets"]'),
    ("related", '["2020-01-05-green-zone-rockets"]'),
    ("responds_to", '"2020-01-03-a"'),
    ("status", '"withdrawn"'),
    ("withdrawn_reason", '"why"'),
    ("duplicate_of", '"2020-01-04-a"'),
    ("location", '{ name = "X", country = "ZZ" }'),
    ("location", '{ name = "X", country = "iq" }'),
    ("location", '{ name = "X", country = "IQ", lat = 33.0 }'),
    ("location", '{ name = "X", country = "IQ", lat = 91.0, lon = 0.0 }'),
    ("location", '{ name = "X", country = "IQ", lat = nan, lon = 0.0 }'),
    ("location", '{ name = "X", country = "IQ", town = "Y" }'),
    ("location", '"Baghdad"'),
    ("actors", 'perpetrators = "one"\n'),
    ("sources", "[]"),
    ("sources", '[{ url = "https://x" }]'),
    ("sources", '[{ name = "S", captured = 2020-01-06T10:00:00 }]'),
    ("sources", '[{ name = "S", sha256 = "ABC" }]'),
    # the URL and capture patterns admit control characters: the per-field fast check must refuse them as `text` does
    ("sources", '[{ name = "S", archive_url = "https://a/\\u202eb" }]'),
    ("sources", '[{ name = "S", archive_url = "https://a/\\u0001" }]'),
    ("sources", '[{ name = "S", capture = "evidence/a\\u0007.warc" }]'),
    ("sources", '[{ name = "S", capture = "evidence/\\u2028" }]'),
    ("sources", '[{ name = "S" }, "T"]'),
    ("id", '"2020-01-05-other"'),
    ("id", "5"),
    ("extra", '"unknown key"'),
]


def with_field(name: str, value: str) -> str:
    """Return MINIMAL-like text with one field set (a table's body, or a value)."""
    lines = [line for line in MINIMAL.splitlines() if not line.startswith(f"{name} =")]
    if name in ("casualties", "actors") and not value.startswith(("{", '"')):
        return "\n".join(lines) + f"\n[{name}]\n{value}"
    return f"{name} = {value}\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize(("name", "value"), FAST)
def test_plainly_valid_shapes_take_the_fast_path(name: str, value: str) -> None:
    assert compare(with_field(name, value).encode()) is not None


@pytest.mark.parametrize(("name", "value"), SLOW_BUT_VALID + INVALID)
def test_other_shapes_take_the_general_road(name: str, value: str) -> None:
    data = with_field(name, value).encode()
    assert compare(data) is None
    assert (general(ITEM, data)[5] == 1) is ((name, value) in SLOW_BUT_VALID)


@pytest.mark.parametrize("rel", ["entries/2020/01/2020-01-05-Green.toml", "entries/2020/01/notes.toml"])
def test_a_file_name_that_is_no_id_takes_the_general_road(rel: str) -> None:
    assert compare(MINIMAL.encode(), (rel, 1, 2, 3)) is None


# -- generated entries, hostile text, and mutations of them -------------------------------------------------------


PIECES = [*"ab \"'\\\t\n\rzéي—#=[]{}.,", '"""', "'''", "\xa0", "\u200c", "\ufeff", "😀"]
TEXT = st.lists(st.sampled_from(PIECES), min_size=1, max_size=20).map("".join).filter(str.strip)
BAD_TEXT = st.sampled_from(["", " ", "a\x07", "\u2028", "b\u202e", "\x7f"])
LINE = st.text(alphabet=st.sampled_from(list("ab \"'\\#é—[]=ʼ’\u0301")), min_size=1, max_size=20).filter(str.strip)
BAD_LINE = st.sampled_from(["", " ", "two\nlines", "cr\r", "tab\tbed", "\x1f"])
SLUG = st.from_regex(r"[a-z]{1,8}(-[a-z0-9]{1,5}){0,2}", fullmatch=True)
ID = st.from_regex(r"20[0-2][0-9]-0[1-9]-[12][0-9](-[a-z0-9]{1,6}){1,2}", fullmatch=True)
SELF = "2020-01-05-green-zone-rockets"  # the id of REL: a link to itself
SMALL = st.integers(0, 10**10)
BAD_INT = st.sampled_from([10**10 + 1, 2**63 - 1, -1, True, 2.0])
DATES = st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31))


class Spoiler:
    """Draws good values, except at one randomly chosen place (or none) where it draws a bad one."""

    def __init__(self, draw: Any) -> None:
        self.draw = draw
        self.at = draw(st.sampled_from(range(36)))  # 0: none
        self.count = 0

    def __call__(self, good: Any, bad: Any) -> Any:
        self.count += 1
        return self.draw(bad if self.count == self.at else good)

    def maybe(self, data: dict[str, Any], key: str, good: Any, bad: Any) -> None:
        if self.draw(st.booleans()):
            data[key] = self(good, bad)


def count(pick: Spoiler) -> Any:
    best = pick(SMALL, BAD_INT)
    if pick.draw(st.booleans()):
        return best
    out = {"best": best}
    if pick.draw(st.booleans()):
        out["low"] = pick(st.integers(0, 10).map(lambda d: max(0, best - d)), st.just(best + 1))
    if pick.draw(st.booleans()):
        out["high"] = pick(st.integers(0, 10).map(lambda d: min(10**10, best + d)), st.just(best - 1))
    if pick(st.just(False), st.just(True)):
        out["median"] = best
    return out


@st.composite
def entries(draw: Any) -> dict[str, Any]:
    pick = Spoiler(draw)
    data: dict[str, Any] = {
        "title": pick(LINE, BAD_LINE),
        "date": draw(DATES),
        "type": pick(st.sampled_from(["airstrike", "raid", "other", "protest"]), st.just("Raid")),
        "escalation": pick(st.integers(0, 7), st.sampled_from([8, -1, 2.0, True])),
        "confidence": draw(st.sampled_from(["reported", "confirmed", "unverified"])),
    }
    late = st.integers(0, 30).map(lambda d: data["date"] + dt.timedelta(days=d))
    pick.maybe(data, "date_end", late, st.just(data["date"] - dt.timedelta(days=1)))
    pick.maybe(data, "date_precision", st.sampled_from(["day", "week", "month"]), st.just("year"))
    pick.maybe(data, "time", st.times(), st.just("21:30"))
    pick.maybe(data, "time_of_day", st.sampled_from(["night", "morning"]), st.just(3))
    pick.maybe(data, "as_reported", LINE, BAD_LINE)
    withdrawn = draw(st.booleans())
    if withdrawn or pick(st.just(False), st.just(True)):
        data["status"] = "withdrawn"
    elif draw(st.booleans()):
        data["status"] = "active"
    if pick(st.just(withdrawn), st.just(not withdrawn)):
        data["withdrawn_reason"] = pick(LINE, BAD_LINE)
        pick.maybe(data, "duplicate_of", ID, st.just("not-an-id"))
    elif pick(st.just(False), st.just(True)):
        data["duplicate_of"] = draw(ID)
    pick.maybe(data, "responds_to", st.lists(ID, max_size=3), st.just([SELF]))
    pick.maybe(data, "related", st.lists(ID, max_size=3), st.just(["x", SELF]))
    pick.maybe(data, "aliases", st.lists(LINE, max_size=3), st.lists(BAD_LINE, min_size=1, max_size=2))
    pick.maybe(data, "tags", st.lists(SLUG, max_size=4), st.just(["A"]))
    pick.maybe(data, "summary", TEXT, BAD_TEXT)
    location: dict[str, Any] = {
        "name": pick(LINE, BAD_LINE),
        "country": pick(st.sampled_from(["IQ", "SY", "XK"]), st.sampled_from(["ZZ", "iq"])),
    }
    pick.maybe(location, "admin1", LINE, BAD_LINE)
    pick.maybe(location, "admin2", LINE, BAD_LINE)
    if draw(st.booleans()):
        location["lat"] = pick(st.floats(-90, 90), st.sampled_from([33, 91.0, -90.5]))
        if pick(st.just(True), st.just(False)):
            location["lon"] = pick(st.floats(-180, 180), st.sampled_from([44, 180.5]))
    pick.maybe(location, "precision", st.sampled_from(["exact", "town"]), st.just("street"))
    data["location"] = location
    if draw(st.booleans()):
        actors: dict[str, Any] = {}
        for key in ("perpetrators", "targets", "associated"):
            pick.maybe(actors, key, st.lists(LINE, max_size=3), st.just("one"))
        data["actors"] = actors
    if draw(st.booleans()):
        casualties: dict[str, Any] = {}
        for key in ("killed", "injured"):
            if draw(st.booleans()):
                casualties[key] = count(pick)
        pick.maybe(casualties, "note", LINE, BAD_LINE)
        data["casualties"] = casualties
    sources = []
    for _ in range(pick(st.integers(1, 3), st.just(0))):
        source: dict[str, Any] = {"name": pick(LINE, BAD_LINE)}
        pick.maybe(source, "url", LINE, BAD_LINE)
        pick.maybe(source, "published", DATES, st.just("2020-01-01"))
        pick.maybe(source, "quote", TEXT, BAD_TEXT)
        offset = st.just(dt.timezone(dt.timedelta(hours=3)))
        pick.maybe(source, "captured", st.datetimes(timezones=offset), st.datetimes())
        sources.append(source)
    data["sources"] = sources
    return data


def encode(data: dict[str, Any], seed: int) -> bytes:
    """The TOML of an entry, its keys shuffled, sometimes with CRLF line ends or a BOM."""
    rng = random.Random(seed)
    keys = list(data)
    rng.shuffle(keys)
    text = tomli_w.dumps({k: data[k] for k in keys})
    if seed % 3 == 0:
        text = text.replace("\n", "\r\n")
    return (("\ufeff" if seed % 5 == 0 else "") + text).encode()


@PROPS
@given(entries(), st.integers(0, 2**16))
def test_generated_entries_agree(data: dict[str, Any], seed: int) -> None:
    compare(encode(data, seed))


@PROPS
@given(entries(), st.integers(0, 2**16), st.sampled_from(["", "x", "best", "name", "id"]), st.data())
def test_mutated_entries_agree(data: dict[str, Any], seed: int, key: str, draw: Any) -> None:
    tables = [v for v in data.values() if isinstance(v, dict)] + data["sources"]
    target = draw.draw(st.sampled_from([data, *tables]))
    value = draw.draw(st.one_of(st.integers(), st.booleans(), LINE, st.dates(), st.lists(st.integers(), max_size=2)))
    if key:
        target[key] = value
    elif target:
        target.pop(draw.draw(st.sampled_from(sorted(target))))
    compare(encode(data, seed))


def test_generated_entries_mostly_take_the_fast_path() -> None:
    """The property tests above would pass with a fast path that never answers: this one would not."""
    taken = 0
    for seed in range(60):
        rng = random.Random(seed)
        text = with_field("tags", f'["t{rng.randrange(99)}"]').replace('"T"', f'"T{seed} é \\" \\\\"')
        taken += compare(text.encode()) is not None
    assert taken == 60


def test_a_build_over_hostile_files_stores_the_general_roads_rows(tmp_path: Path) -> None:
    """The rows the build stores are the general road's, read back from the index file."""
    import sqlite3

    from ledger import index
    from ledger.api.ledger import Ledger

    texts = {
        "2020-01-05-full": FULL.replace("2020-01-05-green-zone-rockets", "2020-01-05-full"),
        "2020-01-05-minimal": MINIMAL,
        "2020-01-06-crlf": MINIMAL.replace("\n", "\r\n"),
        "2020-01-06-bad": with_field("status", '"withdrawn"'),
        "2020-01-07-slow": with_field(*SLOW_BUT_VALID[0]),
    }
    (tmp_path / "ledger.toml").write_text("# a ledger\n")
    for name, text in texts.items():
        path = tmp_path / "entries" / "2020" / "01" / f"{name}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())
    with Ledger(tmp_path) as led:
        led.refresh_index(rebuild=True)
    conn = sqlite3.connect(tmp_path / ".ledger" / "index.sqlite")
    stored = conn.execute(
        f"SELECT {', '.join(index.STORED)}, d.json, d.csv FROM entries e LEFT JOIN docs d ON d.entry = e.rowid "
        "ORDER BY path"
    ).fetchall()
    conn.close()
    assert len(stored) == len(texts)
    for row in stored:
        rel = row[0]
        expected = general((rel, *row[2:5]), (tmp_path / rel).read_bytes())
        assert same(row, expected), rel
