"""Rows: what one entry file becomes in the index (its stats, the query facts, its JSON text)."""

from __future__ import annotations

from typing import Any

from ledger import query
from ledger.core import model, schema
from ledger.index.fts import search_row

# (rel, size, mtime_ns, inode)
Stat = tuple[str, int, int, int]
# The columns of `entries`, in order (json goes to `docs`).
STORED = (
    "path", "folder", "size", "mtime_ns", "inode", "ok", "id", "date", "last_day", "chrono", "type", "category",
    "escalation", "confidence", "conf_rank", "status", "country", "place", "title", "killed", "injured",
    "text", "actors", "places", "tags", "sources",
)  # fmt: skip
Row = tuple[Any, ...]  # STORED values, then the JSON text, then the full-text row (`fts.search_row`)


def chrono_key(entry: model.Entry) -> str:
    """Return a string that sorts like `query.chronological` (date, time unknown first, id)."""
    when = f"1 {entry.time.isoformat()}" if entry.time is not None else "0"
    return f"{entry.date.isoformat()} {when} {entry.id}"


def row_of(item: Stat, entry: model.Entry | None, ok: bool) -> Row:
    """Return the stored row of one entry file (an invalid file keeps only its stats)."""
    rel, size, mtime_ns, inode = item
    folder = rel[len("entries/") : rel.rfind("/") + 1]
    if entry is None or not ok:
        return (rel, folder, size, mtime_ns, inode, 0, *([None] * (len(STORED) - 6)), None, None)
    f = query.facts(entry)
    record = schema.json_text(entry, rel)
    return (
        rel, folder, size, mtime_ns, inode, 1, f.id, f.date, f.last_day, chrono_key(entry), f.type, f.category,
        f.escalation, f.confidence, model.confidence_rank(f.confidence), f.status, f.country, entry.location.name,
        entry.title, f.killed, f.injured, f.text, f.actors, f.places, f.tags, f.sources, record, search_row(entry),
    )  # fmt: skip
