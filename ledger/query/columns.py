"""Output columns: what `--columns` can show of an entry, and how each is read, said once.

The first columns (`FACT_COLUMNS`) are values the index stores beside each entry, derived by
`fact_values` from the same `facts` the filters test; the others come from the entry's JSON
record (`record_value`), and `label` from the escalation ladder. The index and the snapshot of
a revision both give rows of these columns.
"""

from __future__ import annotations

from typing import Any

from ledger.core import model
from ledger.query.evaluate import facts

#: columns the index stores (each in the column of the same name)
FACT_COLUMNS = (
    "id", "path", "date", "title", "type", "category", "escalation", "confidence", "status", "country", "place",
    "killed", "injured",
)  # fmt: skip
#: every column a result row can give, in the order `--columns` lists them
COLUMNS = (
    *FACT_COLUMNS, "label", "date_end", "date_precision", "time", "time_of_day", "as_reported", "admin1", "admin2",
    "lat", "lon", "actors", "perpetrators", "targets", "associated", "attribution", "tags", "sources",
    "responds_to", "related", "aliases", "summary",
)  # fmt: skip

_LOCATION = ("admin1", "admin2", "lat", "lon")
_ACTORS = ("perpetrators", "targets", "associated", "attribution")


def fact_values(entry: model.Entry, rel: str) -> dict[str, Any]:
    """Return the `FACT_COLUMNS` of an entry filed at `rel`: what the index stores for it."""
    f = facts(entry)
    return {
        "id": entry.id,
        "path": rel,
        "date": f.date,
        "title": entry.title,
        "type": f.type,
        "category": f.category,
        "escalation": f.escalation,
        "confidence": f.confidence,
        "status": f.status,
        "country": f.country,
        "place": entry.location.name,
        "killed": f.killed,
        "injured": f.injured,
    }


def record_value(record: dict[str, Any], column: str) -> Any:
    """Return one output column's value from an entry's JSON record (not `label`)."""
    if column in ("place", "country", *_LOCATION):
        return record.get("location", {}).get("name" if column == "place" else column)
    if column in _ACTORS:
        return record.get("actors", {}).get(column)
    if column == "actors":
        actors = record.get("actors", {})
        return [name for part in ("perpetrators", "targets", "associated") for name in actors.get(part, [])]
    if column == "sources":
        return [source.get("name") for source in record.get("sources", [])]
    if column in ("killed", "injured"):
        value = record.get("casualties", {}).get(column)
        return value.get("best") if isinstance(value, dict) else value
    return record.get(column)
