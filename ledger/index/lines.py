"""The CSV lines of `ledger export --format csv`, kept beside the records (a `derived.Derived` table).

A line is exactly what `csv.writer` (RFC 4180: CRLF) writes for `flat.cells(record,
flat.neutralise)` of the stored JSON record: the flat form, formula cells neutralised, in
the order of `flat.columns()`. Decoding the JSON, flattening and quoting cost about 95 µs an
entry, three times what `export --format jsonl` costs in all: with the lines stored, CSV
writes stored text as JSON lines does. The first CSV export makes them (once), refreshes
keep them in step.
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Sequence
from typing import Any

from ledger.core import flat
from ledger.index.derived import Derived


def csv_lines(records: Sequence[dict[str, Any]]) -> list[str]:
    """Return the CSV line (CRLF included) of each JSON record."""
    lines: list[str] = []
    writer = csv.writer(_Lines(lines), lineterminator="\r\n")
    cells, neutralise = flat.cells, flat.neutralise
    for record in records:
        writer.writerow(cells(record, neutralise))
    return lines


class _Lines:
    """A file that keeps each write (csv.writer writes a row in one call)."""

    def __init__(self, lines: list[str]) -> None:
        self.write = lines.append


def _insert(conn: sqlite3.Connection, schema_name: str, records: Sequence[tuple[int, dict[str, Any]]]) -> None:
    lines = csv_lines([record for _, record in records])
    rows = [(rowid, line) for (rowid, _), line in zip(records, lines, strict=True)]
    conn.executemany(f"INSERT INTO {schema_name}.csv_lines (entry, line) VALUES (?, ?)", rows)


CSV = Derived("csv_lines", "CREATE TABLE {schema}.csv_lines (entry INTEGER PRIMARY KEY, line TEXT NOT NULL)", _insert)
