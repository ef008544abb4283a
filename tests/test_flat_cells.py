"""The flat (CSV) cells of a record: walked by the record's keys, held to a column-by-column walk."""

from __future__ import annotations

import json
from typing import Any

from ledger.core import flat


def by_column(record: dict[str, Any]) -> list[Any]:
    """The plain definition: each column's dotted path looked up in the record."""
    out = []
    for column in flat.columns():
        value: Any = record
        for part in column.name.removesuffix(".low").removesuffix(".high").split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if column.kind in ("best", "low", "high") and isinstance(value, dict):
            value = value.get(column.kind)
        elif column.kind in ("low", "high"):
            value = None
        elif column.kind == "list" and value is not None:
            plain = not any(";" in v or v.startswith("[") for v in value)
            value = flat.LIST_SEPARATOR.join(value) if plain else json.dumps(value, ensure_ascii=False)
        elif column.kind == "json" and value is not None:
            value = json.dumps(value, ensure_ascii=False)
        out.append("" if value is None else value)
    return out


RECORDS = [
    {"id": "2020-01-01-a", "title": "=cmd", "date": "2020-01-01", "escalation": 3, "path": "entries/a.toml"},
    {
        "id": "2020-01-02-b",
        "title": "'quoted",
        "tags": ["x", "y;z"],
        "responds_to": ["2020-01-01-a"],
        "location": {"name": "-Basra", "country": "IQ", "lat": 30.5, "lon": 47.7},
        "actors": {"perpetrators": ["[A]"], "targets": ["B"]},
        "casualties": {"killed": {"best": 3, "low": 2, "high": 9}, "injured": 4, "note": "@n"},
        "sources": [{"name": "S", "url": "https://s.example/"}],
        "category": "violent",
        "unknown": 1,
    },
    {  # hostile text: quotes, commas, line breaks, tabs, formula starts, non-ASCII, empty lists, big counts
        "id": "2020-01-04-d",
        "title": '+1 "quoted", comma',
        "status": "withdrawn",
        "withdrawn_reason": "@see\r\nother",
        "duplicate_of": "2020-01-01-a",
        "tags": [],
        "aliases": ["\tX; Y", "=Z"],
        "summary": "ب 😀\nline\ttab",
        "location": {"name": "\u00e9=", "admin1": "-1", "lat": -0.0, "lon": 1e-05},
        "actors": {"perpetrators": ['A "q"', "back\\slash"], "targets": []},
        "casualties": {"killed": {"best": 10**10, "low": 0, "high": 10**20}, "injured": {"best": 0}},
        "sources": [{"name": 'S, "T"', "quote": "=x\ny"}],
    },
    {
        "id": "2020-01-03-c",
        "location": "not a table",
        "casualties": {"killed": {"low": 1}, "injured": "=x"},
        "summary": None,
    },
]


def test_cells_equal_the_column_walk() -> None:
    for record in RECORDS:
        assert flat.cells(record) == by_column(record)
        assert flat.flatten(record) == dict(zip([c.name for c in flat.columns()], by_column(record), strict=True))


def test_the_guard_touches_only_text_cells() -> None:
    assert flat.cells(RECORDS[2], flat.neutralise) == [flat.neutralise(v) for v in by_column(RECORDS[2])]
    cells = flat.cells(RECORDS[1], flat.neutralise)
    expected = [flat.neutralise(v) for v in by_column(RECORDS[1])]
    assert cells == expected
    assert "'=cmd" in flat.cells(RECORDS[0], flat.neutralise)
    hostile = flat.cells(RECORDS[2], flat.neutralise)
    assert '\'+1 "quoted", comma' in hostile and "'@see\r\nother" in hostile and 10**20 in hostile
    assert '["\\tX; Y", "=Z"]' in hostile and "'-1" in hostile and -0.0 in hostile and "" in hostile
    assert 3 in cells and "''quoted" in cells and "'-Basra" in cells and "'@n" in cells
