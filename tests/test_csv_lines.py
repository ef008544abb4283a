"""CSV export: the build stores each entry's line (`index.lines.line`), byte for byte what `csv.writer` writes for its flat cells."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import enum
import io
import itertools
import json
import re
import sqlite3
import sys
import typing
from pathlib import Path
from typing import Any

import pytest
from conftest import entry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_git import new_repo
from test_index import age, db

from ledger.api import Ledger
from ledger.core import flat, model, schema, shapes
from ledger.index import lines
from ledger.index.storage import SCHEMA_VERSION
from ledger.interchange import exporters


def toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a TOML basic string (JSON's escapes are TOML's)


def actors(perpetrators: list[str] = [], targets: list[str] = []) -> str:  # noqa: B006 - read only
    roles = {"perpetrators": perpetrators, "targets": targets}
    return "[actors]\n" + "".join(f"{k} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in roles.items() if v)


MULTILINE = 'two\nlines, "quoted" and\ttab\r\nand CR\r'
HOSTILE = {
    "2020-01-01-formulas": entry(
        title="=HYPERLINK(1)",
        date="2020-01-01",
        extra=f"as_reported = {toml('+1 day')}\nsummary = {toml('@sum, with comma')}\ntags = []",
        place="-Basra",
        tables='admin1 = "\'quoted"\nadmin2 = "\\tTab start"\ndescription = "=near"\nlat = -33.5\nlon = -0.0\n'
        + actors(["=A", "B"], ["-T"])
        + '[casualties]\nnote = "@dozens"\n',
    ),
    "2020-01-02-quotes": entry(
        title='Quote \\" and, comma',
        date="2020-01-02",
        extra=f'summary = {toml(MULTILINE)}\naliases = ["X; Y", "Z"]',
        tables='lat = 1e-5\nlon = 179.999999999999\nprecision = "near"\n'
        "[casualties]\nkilled = { best = 10000000000, low = 1, high = 10000000000 }\n",
        source='Src \\"q\\", with comma',
    ),
    "2020-01-03-lists": entry(
        title="Ünïcode ب 😀 title",
        date="2020-01-03",
        extra='tags = ["a-b", "c"]\nresponds_to = ["2020-01-01-formulas"]\nrelated = ["2020-01-02-quotes"]',
        tables=actors(["[bracketed]", "plain"], ["semi;colon"])
        + "[casualties]\ninjured = { best = 5, high = 9 }\nkilled = 0\n",
    ),
    "2020-01-04-escapes": entry(  # a name with a quote or a backslash: Python writes this line
        title="Escapes",
        date="2020-01-04",
        extra='time = 03:15:00\ntime_of_day = "night"\ndate_end = 2020-01-06\ndate_precision = "week"',
        tables=actors(['Jaish "al" Q', "back\\slash"]),
    ),
    "2020-01-05-withdrawn": entry(
        title="Withdrawn, merged",
        date="2020-01-05",
        extra='status = "withdrawn"\nwithdrawn_reason = "=duplicate, see other"\nduplicate_of = "2020-01-01-formulas"',
    ),
    "2020-01-06-plain": entry(title="Plain", date="2020-01-06", confidence="confirmed"),
}


def exported(root: Path, query: str = "", **options: Any) -> tuple[str, str]:
    """(CSV export as written, the same entries flattened from their records by csv.writer).

    `options` are the Selection's (include_withdrawn, sort, reverse, limit), as `--withdrawn` etc. give them.
    """
    with Ledger(root) as led:
        out, direct = io.StringIO(newline=""), io.StringIO(newline="")
        selection = dataclasses.replace(led.find(query).selection, **options)
        written = led.export(selection, "csv", out)
        exporters.write_csv_json(led.find(selection).records(), direct)
        assert written.count == len(list(led.find(selection).ids()))
        return out.getvalue(), direct.getvalue()


def test_every_entry_shape_is_written_as_csv_writer_writes_it(make_ledger: Any) -> None:
    root = make_ledger(HOSTILE)
    with Ledger(root) as led:
        assert led.find("").skipped == 0  # every entry above is valid
    text, direct = exported(root)
    assert text == direct
    assert text.count("\r\n") == 7  # header, five active entries, and the CR LF inside a quoted cell
    assert "'=HYPERLINK(1)" in text and "'-Basra" in text and "'@dozens" in text and ",-33.5,-0.0," in text
    assert (
        '"Quote "" and, comma"' in text
        and ",1e-05,179.999999999999,near," in text
        and ",10000000000,1,10000000000," in text
    )
    assert '"[""[bracketed]"", ""plain""]"' in text and "'=A; B" in text and '"[""semi;colon""]"' in text


@pytest.mark.parametrize(
    ("query", "options"),
    [
        ("status:withdrawn", {}),
        ("", {"include_withdrawn": True}),
        ("date>=2020-01-03", {}),
        ("", {"sort": "title", "reverse": True, "include_withdrawn": True}),
        ("", {"sort": "killed", "limit": 2}),
        ("", {"limit": 0}),
        ("actor:plain", {}),
    ],
)
def test_filters_sorts_and_limits_write_the_same_lines(make_ledger: Any, query: str, options: dict[str, Any]) -> None:
    text, direct = exported(make_ledger(HOSTILE), query, **options)
    assert text == direct and text.startswith("id,title,")


def stored(root: Path) -> dict[str, str]:
    """The CSV line the index holds for each valid entry, by path."""
    with contextlib.closing(sqlite3.connect(db(root))) as conn:
        rows = conn.execute("SELECT e.path, d.json, d.csv FROM entries e JOIN docs d ON d.entry = e.rowid").fetchall()
    for _, record, line in rows:  # each is the definition's line for its record
        assert line == lines.csv_lines([json.loads(record)])[0]
    return {path: line for path, _, line in rows}


def test_a_refresh_writes_the_lines_of_the_files_it_reads_again(make_ledger: Any) -> None:
    root = make_ledger(HOSTILE)
    age(root)
    first, direct = exported(root)
    assert first == direct
    before = stored(root)
    folder = root / "entries/2020/01"
    (folder / "2020-01-01-formulas.toml").write_text(entry(title="+Edited", date="2020-01-01"), "utf-8")
    (folder / "2020-01-02-quotes.toml").unlink()
    (folder / "2020-01-07-added.toml").write_text(entry(title="-Added", date="2020-01-07"), "utf-8")
    after, direct = exported(root)
    assert after == direct and "'+Edited" in after and "'-Added" in after and "Quote" not in after
    now = stored(root)
    edited = "entries/2020/01/2020-01-01-formulas.toml"
    assert now[edited] != before[edited] and now[edited].startswith("2020-01-01-formulas,'+Edited,")
    kept = {p: v for p, v in before.items() if "formulas" not in p and "quotes" not in p}
    assert {p: v for p, v in now.items() if "formulas" not in p and "added" not in p} == kept


def test_an_index_without_lines_is_rebuilt_once(make_ledger: Any) -> None:
    root = make_ledger(HOSTILE)
    exported(root)
    with contextlib.closing(sqlite3.connect(db(root))) as conn, conn:  # what schema 11 left behind
        conn.execute("ALTER TABLE docs DROP COLUMN csv")
        conn.execute("PRAGMA user_version = 11")
    text, direct = exported(root)
    assert text == direct
    with contextlib.closing(sqlite3.connect(db(root))) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert len(stored(root)) == len(HOSTILE)


def test_the_export_reads_stored_lines_and_a_revision_has_them_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The live index holds every line; the revision cache keeps none, and Python writes them (`lines.written`)."""
    called: list[int] = []
    python = lines.csv_lines
    monkeypatch.setattr(lines, "csv_lines", lambda records: called.append(len(records)) or python(records))
    repo = new_repo(tmp_path, monkeypatch)
    for name, text in HOSTILE.items():
        repo.write(name, text)
    repo.commit("Hostile")
    with Ledger(repo.root) as led:
        live = list(led.find("").csv_lines())
        assert called == [] and len(live) == len(HOSTILE) - 1  # stored lines only (the withdrawn one left out)
        at_head = led.at("HEAD").find("")
        assert list(at_head.csv_lines()) == live == python(list(at_head.records()))
    assert called == [1] * len(live)


def test_csv_readers_read_the_cells_back(make_ledger: Any, tmp_path: Path) -> None:
    root = make_ledger(HOSTILE)
    text, _ = exported(root)
    with Ledger(root) as led:
        records = list(led.find(None).records())
    names = [c.name for c in flat.columns()]
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == names
    expected = [[str(cell) for cell in flat.cells(r, flat.neutralise)] for r in records]
    assert rows[1:] == expected
    duckdb = pytest.importorskip("duckdb")
    path = tmp_path / "export.csv"
    path.write_text(text, "utf-8", newline="")
    con = duckdb.connect()
    try:
        read = con.execute(f"SELECT * FROM read_csv('{path}', header = true, all_varchar = true)").fetchall()
    finally:
        con.close()
    assert [[cell or "" for cell in row] for row in read] == expected


def test_the_plain_columns_are_plain_by_the_model() -> None:
    """Cells written without the guard and quoting hold only what validation lets through."""
    specs = {}

    def walk(cls: type, prefix: str) -> None:
        for name, tp, spec in shapes.fields(cls):
            shape = shapes.shape_of(tp)
            if shape.kind == "record":
                walk(shape.inner, f"{prefix}{name}.")
            specs[f"{prefix}{name}"] = (shape, spec)

    walk(model.Entry, "")
    patterns = {model.ID_PATTERN, model.SLUG_PATTERN, model.COUNTRY_PATTERN}
    plain_text = re.compile(r"[0-9a-z][0-9a-z-]*|[A-Z0-9]+")
    for name in lines.PLAIN | lines.PLAIN_LISTS:
        if name == "category":
            values = [c.value for c in model.Category]
        else:
            shape, spec = specs[name]
            inner = shapes.shape_of(shape.inner) if shape.kind == "sequence" else shape
            if inner.kind == "enum":
                values = [m.value for m in typing.cast(type[enum.Enum], inner.inner)]
            else:
                assert inner.inner in (dt.date, dt.time) or spec.pattern in patterns, name
                continue
        assert all(plain_text.fullmatch(v) for v in values), name
    assert shapes.fields(model.Entry)[-1][0] == "sources" == [c.name for c in flat.columns()][-2]


def test_sources_is_the_last_key_of_every_record(make_ledger: Any) -> None:
    """The sources cell is cut from the end of the JSON text (`lines.line`): `sources` must be the record's last key."""
    with Ledger(make_ledger(HOSTILE)) as led:
        records = list(led.find("").records())
    assert records and all(list(record)[-1] == "sources" for record in records)
    assert schema.JSON_ENCODER.encode(records[0]).endswith("]}")


ALPHABET = st.sampled_from(
    [",", '"', "\n", "\r", "\t", "=", "+", "-", "@", "'", ";", "[", "\\", "a", "é", "ب", "😀", " "]
)
TEXT = st.text(ALPHABET, min_size=1, max_size=8).filter(lambda s: bool(s.strip()))
LINE = TEXT.filter(lambda s: "\n" not in s and "\r" not in s)
_COUNT = itertools.count()  # a new ledger folder per example


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(LINE, TEXT, st.lists(LINE, max_size=3), LINE), min_size=1, max_size=6))
def test_random_hostile_text_is_written_as_csv_writer_writes_it(
    tmp_path: Path, make_ledger: Any, cases: list[tuple[str, str, list[str], str]]
) -> None:
    files = {}
    for number, (title, summary, names, note) in enumerate(cases, 1):
        roles = f"perpetrators = {json.dumps(names, ensure_ascii=False)}\n" if names else ""
        files[f"2021-01-{number:02d}-case"] = entry(
            title=title.replace("\\", "\\\\").replace('"', '\\"'),
            extra=f"summary = {toml(summary)}",
            tables=f"admin1 = {toml(note)}\n[actors]\n{roles}",
        )
    root = make_ledger(files, root=tmp_path / f"h{next(_COUNT)}")
    with Ledger(root) as led:
        assert led.find("").skipped == 0  # every generated entry is valid: each line is compared
    text, direct = exported(root)
    assert text == direct


def test_a_path_with_a_comma_a_quote_or_a_line_break_is_quoted(make_ledger: Any) -> None:
    """Any folder under entries/ is read: the `path` cell is free text, quoted as csv.writer quotes it."""
    folders = ["with, comma", 'with "quote"', "with\nnew line", "with\rreturn", "=start"]
    if sys.platform == "win32":  # no quote or line break in a Windows folder name
        folders = folders[:1] + folders[-1:]
    files = {
        f"entries/{folder}/2020-02-0{n}-odd.toml": entry(date=f"2020-02-0{n}") for n, folder in enumerate(folders, 1)
    }
    root = make_ledger(files)
    text, direct = exported(root)
    assert text == direct
    assert '"entries/with, comma/' in text and '"entries/with ""quote""/' in text and '"entries/with\nnew line/' in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert sorted(row[-1] for row in rows[1:]) == sorted(
        f"entries/{f}/2020-02-0{n}-odd.toml" for n, f in enumerate(folders, 1)
    )


# -- the formatter alone, over records no ledger needs to hold (hundreds of them, in milliseconds) --------------

ID = st.sampled_from(["2020-01-01-a", "2021-12-31-long-id-9"])
DAY = st.sampled_from(["2020-01-01", "0999-12-31"])
NAMES = st.lists(TEXT, max_size=3)  # empty lists too; items with ";" or starting "[", quotes, backslashes
COUNT = st.one_of(
    st.integers(0, 10**10),
    st.builds(
        lambda best, low, high: {"best": best, "low": low, "high": high},
        st.integers(0, 10**10),
        st.none() | st.integers(0, 10**10),
        st.none() | st.integers(0, 10**10),
    ),
)


def optional(**fields: Any) -> Any:
    """A dict holding any of the given fields (each drawn from its strategy), in the order given."""
    return st.fixed_dictionaries({}, optional=fields).map(lambda d: {k: d[k] for k in fields if k in d})


@st.composite
def records(draw: Any) -> dict[str, Any]:
    """A JSON record (`schema.to_json`'s shape): plain values where validation keeps them plain, text anywhere else."""
    head = {"id": draw(ID), "path": f"entries/{draw(TEXT)}/x.toml", "title": draw(TEXT), "date": draw(DAY)}
    middle = optional(
        date_end=DAY, date_precision=st.just("week"), time=st.just("03:15:00.250"), time_of_day=st.just("night"),
        as_reported=TEXT,
    )  # fmt: skip
    kind = {"type": "airstrike", "category": "kinetic", "escalation": draw(st.integers(0, 7)), "confidence": "reported"}
    status = draw(st.sampled_from(["", "active", "withdrawn"]))
    withdrawn = {"status": "withdrawn", "withdrawn_reason": draw(TEXT)} if status == "withdrawn" else {}
    tail = optional(
        duplicate_of=ID, responds_to=st.lists(ID, max_size=2), related=st.lists(ID, max_size=2), aliases=NAMES,
        tags=st.lists(st.sampled_from(["a-b", "c"]), max_size=2), summary=TEXT,
    )  # fmt: skip
    location = {"name": draw(TEXT), "country": "IQ"} | draw(
        optional(admin1=TEXT, admin2=TEXT, description=TEXT, precision=st.just("exact"))
    )
    if draw(st.booleans()):
        location |= {"lat": draw(st.floats(-90, 90)), "lon": draw(st.sampled_from([-0.0, 1e-05, -179.999999999999]))}
    groups = optional(
        actors=optional(perpetrators=NAMES, targets=NAMES, associated=NAMES, attribution=st.just("claimed")),
        casualties=optional(killed=COUNT, injured=COUNT, note=TEXT),
    )
    source = st.fixed_dictionaries({"name": TEXT}, optional={"url": TEXT, "published": DAY, "quote": TEXT})
    record = head | draw(middle) | kind | ({"status": status} if status else {}) | withdrawn | draw(tail)
    return record | {"location": location} | draw(groups) | {"sources": draw(st.lists(source, min_size=1, max_size=3))}


@settings(max_examples=100, deadline=None)
@given(records())
def test_the_formatter_writes_what_csv_writer_writes(record: dict[str, Any]) -> None:
    assert lines.line(record, schema.JSON_ENCODER.encode(record)) == lines.csv_lines([record])[0]
