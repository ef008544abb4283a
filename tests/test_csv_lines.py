"""CSV export writes the lines the index keeps: the same bytes as flattening the records, never stale."""

from __future__ import annotations

import contextlib
import io
import sqlite3
from pathlib import Path
from typing import Any

from conftest import entry
from test_index import age, db

from ledger.api import Ledger
from ledger.index import lines
from ledger.interchange import exporters

TRICKY = {
    "2020-01-01-a": entry(title="=HYPERLINK(1)", date="2020-01-01", perpetrators=["A; B", "[C]"]),
    "2020-01-02-b": entry(title='Quote \\" and, comma', date="2020-01-02", extra='summary = """two\nlines"""'),
    "2020-01-03-c": entry(title="Plain", date="2020-01-03", tables="[casualties]\nkilled = { best = 3, low = 2 }\n"),
}


def exported(root: Path, *query: str) -> tuple[str, str]:
    """(CSV export as written, the same entries flattened from their records)."""
    with Ledger(root) as led:
        out, direct = io.StringIO(newline=""), io.StringIO(newline="")
        selection = led.find(" ".join(query)).selection if query else None
        written, _ = led.export(selection, "csv", out)
        exporters.write_csv_json(led.find(selection).records(), direct)
        assert written.count == len(list(led.find(selection).ids()))
        return out.getvalue(), direct.getvalue()


def stored(root: Path) -> int | None:
    with contextlib.closing(sqlite3.connect(db(root))) as conn:
        return conn.execute("SELECT count(*) FROM csv_lines").fetchone()[0] if lines.CSV.ready(conn) else None


def test_the_lines_are_the_flat_rows_and_follow_every_edit(make_ledger: Any) -> None:
    root = make_ledger(TRICKY)
    age(root)
    with Ledger(root) as led:
        led.index().conn()
    assert stored(root) is None  # a build does not make them
    first, direct = exported(root)
    assert first == direct and "'=HYPERLINK" in first and '"Quote "" and, comma"' in first
    assert stored(root) == 3
    assert exported(root) == (first, first)  # read back from the table
    some, direct = exported(root, "date>=2020-01-02")
    assert some == direct and "HYPERLINK" not in some and "Plain" in some
    folder = root / "entries/2020/01"
    (folder / "2020-01-01-a.toml").write_text(entry(title="+Edited", date="2020-01-01"), "utf-8")
    (folder / "2020-01-02-b.toml").unlink()
    (folder / "2020-01-04-d.toml").write_text(entry(title="-Added", date="2020-01-04"), "utf-8")
    after, direct = exported(root)
    assert after == direct and "'+Edited" in after and "'-Added" in after and "Quote" not in after
    assert stored(root) == 3


def test_lines_match_the_writer_for_each_record() -> None:
    records = [
        {"id": "x", "title": "@sum", "tags": ["a;b"], "location": {"name": "P", "country": "SY", "lat": 1.5}},
        {"id": "y", "title": "", "sources": [{"name": "R\nS"}], "casualties": {"killed": {"best": 1, "low": None}}},
    ]
    out = io.StringIO(newline="")
    exporters.write_csv_json(records, out)
    assert "".join(lines.csv_lines(records)) == out.getvalue().split("\r\n", 1)[1]


def test_a_small_selection_is_flattened_as_read_and_makes_no_lines(make_ledger: Any) -> None:
    root = make_ledger(TRICKY)
    age(root)
    some, direct = exported(root, "date>=2020-01-03")  # 1 of 3 entries: under half the ledger
    assert some == direct and "Plain" in some and "HYPERLINK" not in some
    assert stored(root) is None
    exported(root)
    assert stored(root) == 3
