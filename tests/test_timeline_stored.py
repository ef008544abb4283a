"""The timeline's TSV cells stored by the build (`index.rows.cells`): what SQLite would have written,
None where a cell needs escaping, and a ladder label to escape still written the general way."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

from test_timeline_synth import random_specs, write_ledger

from ledger import query
from ledger.api import Ledger
from ledger.core import model
from ledger.index import rows
from ledger.output import chrono_rows as cr
from ledger.output import render


def _cells(**values: Any) -> tuple[Any, Any]:
    """Return (tsv_head, tsv_tail) of a row with these values (the others None)."""
    row: list[Any] = [None] * rows.STORED.index("tsv_head")
    given = {"id": "2020-01-02-a", "path": "entries/2020/01/2020-01-02-a.toml", "date": "2020-01-02"}
    given |= {"escalation": 3, "type": "airstrike", "category": "kinetic", "country": "SY", "place": "P"}
    for name, value in (given | {"title": "T"} | values).items():
        row[rows.STORED.index(name)] = value
    out = rows.cells((*row, "{}"))
    at = rows.STORED.index("tsv_head")
    return out[at], out[at + 1]


def test_the_cells_escape_what_tsv_escapes() -> None:
    everything = "".join(map(chr, range(sys.maxunicode + 1))).replace("\ud800", "")  # no lone surrogates kept
    escaped = {c for c in everything if c != "\t" and render.tsv_special(c)}
    assert {c for c in everything if rows._TSV_ESCAPED(c)} == escaped
    path = "entries/2020/01/2020-01-02-a.toml"
    assert _cells(killed=0) == (
        f"2020-01-02-a\t{path}\t2020-01-02\t\t\tfalse\t\t\t3",
        "airstrike\tkinetic\tSY\tP\t0\t\tT",
    )
    head, tail = _cells(date_end="2020-01-03", time="10:00", injured=2)
    assert head == f"2020-01-02-a\t{path}\t2020-01-02\t2020-01-03\t\ttrue\t10:00\t\t3" and tail.endswith("\t\t2\tT")
    assert _cells(date_precision="month")[0].endswith("\tmonth\ttrue\t\t\t3")
    for bad in ("tab\there", "back\\slash", "line\nbreak", "bidi\u202e"):
        assert _cells(title=bad) == (None, None)
        assert _cells(place=bad) == (None, None)


def test_the_day_is_sqlites_julian_day() -> None:
    days = [dt.date(1, 1, 1), dt.date(1582, 10, 15), dt.date(2000, 2, 29), dt.date(2024, 12, 31), dt.date(9999, 12, 31)]
    with contextlib.closing(sqlite3.connect(":memory:")) as conn:
        for day in days:
            expected = conn.execute("SELECT CAST(julianday(?) AS INTEGER)", (day.isoformat(),)).fetchone()[0]
            assert day.toordinal() + rows._JULIAN == expected


def test_a_label_to_escape_is_written_the_general_way(tmp_path: Path) -> None:
    root = write_ledger(tmp_path / "l", random_specs(40, seed=5, days=10))
    labels = [label for label, _ in model.LADDER]
    labels[2] = "back\\slash"  # the only thing TSV escapes that the vocabulary takes
    toml = (root / "ledger.toml").read_text("utf-8")
    (root / "ledger.toml").write_text(toml + f"\n[ladder]\nlabels = {json.dumps(labels)}\n")  # TOML's escapes
    with Ledger(root) as led:
        assert led.vocabulary.label(2) == "back\\slash"
        out = io.StringIO()
        found = led.timeline_written(query.Selection(), "tsv")
        assert found is not None
        cr.write_written(found, "tsv", out, False)
        general = io.StringIO()
        steps = led.timeline(query.Selection(), plain=True)
        values = (cr.program_values(s, led.vocabulary.label, True) for s in steps)
        render.render_values(values, cr.PROGRAMS, "tsv", general, False)
    assert out.getvalue() == general.getvalue()
    assert "back\\\\slash" in out.getvalue()
