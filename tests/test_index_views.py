"""The index's SQL views (`entry`, `entry_actor`, `entry_tag`, `entry_link`, `entry_source`) against an oracle.

The oracle is the generator's own plain values (`test_timeline_synth.Spec`), never what the
code under test parsed: every view row of a generated ledger must equal what was written.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import entry
from test_timeline_synth import CATEGORY, Spec, random_specs, write_ledger

from ledger.index import views

SPECS = random_specs(150, seed=12)
# links the generator does not write: `related`, and a withdrawn duplicate
EXTRA = {
    "2021-06-01-linked": entry(
        title="Linked", date="2021-06-01", extra=f'related = ["{SPECS[0].id}", "{SPECS[1].id}"]\n'
    ),
    "2021-06-02-copy": entry(
        title="Copy",
        date="2021-06-02",
        extra='status = "withdrawn"\nwithdrawn_reason = "twice"\nduplicate_of = "2021-06-01-linked"\n',
    ),
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import run

    root = write_ledger(tmp_path_factory.mktemp("views") / "ledger", SPECS)
    for name, text in EXTRA.items():
        (root / "entries/2021/06").mkdir(parents=True, exist_ok=True)
        (root / f"entries/2021/06/{name}.toml").write_text(text, encoding="utf-8")
    (root / "entries/2021/06/2021-06-03-broken.toml").write_text("title = \n", encoding="utf-8")
    assert run("index", "--ledger", str(root)).status == 0
    return root / ".ledger" / "index.sqlite"


def query(index: Path, sql: str) -> list[dict[str, Any]]:
    conn = sqlite3.connect(f"{index.as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(sql)]
    finally:
        conn.close()


def count(value: int | dict[str, int] | None) -> tuple[int | None, int | None, int | None]:
    if isinstance(value, dict):
        return value["best"], value["low"], value["high"]
    return value, None, None


def oracle_row(s: Spec) -> dict[str, Any]:
    killed, injured = count(s.killed), count(s.injured)
    return {
        "id": s.id,
        "path": f"entries/{s.id[:4]}/{s.id[5:7]}/{s.id}.toml",
        "date": s.date.isoformat(),
        "date_end": s.date_end.isoformat() if s.date_end else None,
        "time": s.time.isoformat() if s.time else None,
        "type": s.type,
        "category": CATEGORY[s.type],
        "escalation": s.escalation,
        "confidence": "reported",
        "status": "withdrawn" if s.withdrawn else "active",
        "country": s.country,
        "admin1": None,
        "place": s.place,
        "lat": s.lat,
        "lon": s.lon,
        "precision": None,
        **{f"killed_{end}": v for end, v in zip(("best", "low", "high"), killed, strict=True)},
        **{f"injured_{end}": v for end, v in zip(("best", "low", "high"), injured, strict=True)},
        "actors": sorted(set(s.perpetrators + s.targets)),
        "tags": s.tags,
        "sources": ["Test"],
        "title": f"Incident {s.id}",
    }


def test_one_flat_row_per_valid_entry_equals_what_was_written(index: Path):
    rows = {row["id"]: row for row in query(index, "SELECT * FROM entry")}
    assert set(rows) == {s.id for s in SPECS} | set(EXTRA)  # the invalid file has no row
    for row in rows.values():
        row["actors"], row["tags"], row["sources"] = (json.loads(row[k]) for k in ("actors", "tags", "sources"))
    for spec in SPECS:
        assert rows[spec.id] == oracle_row(spec)
    assert list(rows[SPECS[0].id]) == [*oracle_row(SPECS[0])]  # the documented column order
    assert rows["2021-06-02-copy"]["status"] == "withdrawn"


def test_one_row_per_pair(index: Path):
    actors = {(r["id"], r["role"], r["actor"]) for r in query(index, "SELECT * FROM entry_actor")}
    assert actors == {(s.id, "perpetrators", a) for s in SPECS for a in s.perpetrators} | {
        (s.id, "targets", a) for s in SPECS for a in s.targets
    }
    tags = sorted((r["id"], r["tag"]) for r in query(index, "SELECT * FROM entry_tag"))
    assert tags == sorted((s.id, t) for s in SPECS for t in s.tags)
    links = sorted(tuple(r.values()) for r in query(index, "SELECT id, kind, target FROM entry_link"))
    assert links == sorted(
        [(s.id, "responds_to", r) for s in SPECS for r in s.responds_to]
        + [("2021-06-01-linked", "related", SPECS[0].id), ("2021-06-01-linked", "related", SPECS[1].id)]
        + [("2021-06-02-copy", "duplicate_of", "2021-06-01-linked")]
    )
    sources = query(index, "SELECT * FROM entry_source WHERE id NOT LIKE '2021-06-0%' ORDER BY id")
    assert sources == [
        {
            "id": s.id,
            "position": 1,
            "name": "Test",
            "url": None,
            "published": None,
            "reliability": None,
            "credibility": None,
        }
        for s in sorted(SPECS, key=lambda s: s.id)
    ]


def test_the_views_answer_group_by_like_the_oracle(index: Path):
    got = query(index, "SELECT country, count(*) AS n, sum(killed_best) AS killed FROM entry GROUP BY country")
    want: dict[str, list[int]] = {}
    for s in SPECS:
        n, killed = want.setdefault(s.country, [0, 0])
        want[s.country] = [n + 1, killed + (count(s.killed)[0] or 0)]
    want["IQ"][0] += len(EXTRA)  # conftest.entry's country
    assert {r["country"]: [r["n"], r["killed"] or 0] for r in got} == want


def test_filters_on_the_keyed_columns_use_the_indexes(index: Path):
    for column in ("id", "date", "type", "country"):
        plan = " ".join(
            r["detail"] for r in query(index, f"EXPLAIN QUERY PLAN SELECT * FROM entry WHERE {column} = 'x'")
        )
        assert re.search(rf"USING (COVERING )?INDEX entries_{column} ", plan), plan
    plan = " ".join(r["detail"] for r in query(index, "EXPLAIN QUERY PLAN SELECT * FROM entry_tag WHERE id = 'x'"))
    assert re.search(r"USING (COVERING )?INDEX entries_id ", plan), plan


def test_an_index_of_the_version_before_the_views_is_rebuilt_with_them(index: Path, tmp_path: Path):
    import shutil

    from conftest import run

    root = tmp_path / "old"
    shutil.copytree(index.parent.parent, root)
    conn = sqlite3.connect(root / ".ledger" / "index.sqlite")
    try:
        for name in views.NAMES:
            conn.execute(f"DROP VIEW {name}")
        conn.execute("PRAGMA user_version = 6")
        conn.commit()
    finally:
        conn.close()
    result = run("index", "--ledger", str(root))
    assert "rebuilt" in result.out + result.err
    names = {
        r["name"]
        for r in query(root / ".ledger" / "index.sqlite", "SELECT name FROM sqlite_master WHERE type = 'view'")
    }
    assert names == set(views.NAMES)
