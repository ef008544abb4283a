"""CSV export: SQLite writes each line (`index.lines`), byte for byte what `csv.writer` writes for the flat cells."""

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
        written, _ = led.export(selection, "csv", out)
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


def test_the_lines_follow_every_edit_and_no_table_is_kept(make_ledger: Any) -> None:
    root = make_ledger(HOSTILE)
    age(root)
    first, direct = exported(root)
    assert first == direct
    folder = root / "entries/2020/01"
    (folder / "2020-01-01-formulas.toml").write_text(entry(title="+Edited", date="2020-01-01"), "utf-8")
    (folder / "2020-01-02-quotes.toml").unlink()
    (folder / "2020-01-07-added.toml").write_text(entry(title="-Added", date="2020-01-07"), "utf-8")
    after, direct = exported(root)
    assert after == direct and "'+Edited" in after and "'-Added" in after and "Quote" not in after
    with contextlib.closing(sqlite3.connect(db(root))) as conn:
        names = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        assert "csv_lines" not in names
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_an_index_that_kept_csv_lines_is_rebuilt_once(make_ledger: Any) -> None:
    root = make_ledger(HOSTILE)
    exported(root)
    with contextlib.closing(sqlite3.connect(db(root))) as conn, conn:  # what schema 10 left behind
        conn.execute("CREATE TABLE csv_lines (entry INTEGER PRIMARY KEY, line TEXT NOT NULL)")
        conn.execute("INSERT INTO csv_lines SELECT entry, 'stale' FROM docs")
        conn.execute("PRAGMA user_version = 10")
    text, direct = exported(root)
    assert text == direct and "stale" not in text
    with contextlib.closing(sqlite3.connect(db(root))) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert not conn.execute("SELECT name FROM sqlite_master WHERE name = 'csv_lines'").fetchall()


def test_sqlite_writes_every_line_but_those_with_an_escape(make_ledger: Any, monkeypatch: Any) -> None:
    called: list[int] = []
    python = lines.csv_lines
    monkeypatch.setattr(lines, "csv_lines", lambda records: called.append(len(records)) or python(records))
    root = make_ledger(HOSTILE)
    text, direct = exported(root)
    assert text == direct and called == [1]  # the entry with a quote and a backslash in its names
    called.clear()
    exported(make_ledger({k: v for k, v in HOSTILE.items() if "escapes" not in k}, root=root.parent / "other"))
    assert called == []


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
    for name in lines.ONE_LINE:
        assert specs[name][1].one_line, name
    kinds = {c.name: c.kind for c in flat.columns()}
    for run in lines.RUNS.values():  # written as the items of a JSON array: numbers and words without "null"
        for name in run:
            assert kinds[name] in ("float", "best", "low", "high") or name in lines.PLAIN, name
            shape = specs[name.removesuffix(".low").removesuffix(".high")][0]
            if shape.kind == "enum":
                assert not any("null" in m.value for m in typing.cast(type[enum.Enum], shape.inner)), name
    assert shapes.fields(model.Entry)[-1][0] == "sources" == [c.name for c in flat.columns()][-2]
    assert "->" not in "".join(lines._plan())  # json_extract only: SQLite before 3.38 has no -> or ->>


def test_sources_is_the_last_key_of_every_record(make_ledger: Any) -> None:
    """The sources cell is cut from the end of the stored text: `sources` must be the record's last key."""
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
