"""`ledger dupes`' output: a candidate pair as a JSON record or a flat row, with the merge command that settles it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ledger.reports.dupes import merge_command

if TYPE_CHECKING:
    from ledger.core import model


DUPE_COLUMNS = ("score", "first", "second", "days_apart", "km", "first_type", "second_type", "related", "merge")


def dupe_record(c: Any, paths: Mapping[str, str]) -> dict[str, Any]:
    """Return the JSON record of a candidate pair."""

    def side(e: model.Entry) -> dict[str, Any]:
        return {
            "id": e.id,
            "path": paths.get(e.id),
            "date": e.date.isoformat(),
            "date_end": e.date_end.isoformat() if e.date_end else None,
            "type": str(e.type),
            "place": e.location.name,
            "title": e.title,
        }

    when, where, kind, who = c.parts
    return {
        "score": c.score,
        "first": side(c.first),
        "second": side(c.second),
        "days_apart": c.days_apart,
        "km": c.km,
        "same_place_name": c.km is None,
        "related": c.related,
        "parts": {"when": when, "where": where, "kind": kind, "who": who},
        "merge": merge_command(c),
    }


def dupe_row(c: Any) -> dict[str, Any]:
    """Return a candidate pair as a flat row for tables, TSV and CSV."""
    return {
        "score": f"{c.score:.2f}",
        "first": c.first.id,
        "second": c.second.id,
        "days_apart": c.days_apart,
        "km": "same name" if c.km is None else f"{c.km:.1f}",
        "first_type": str(c.first.type),
        "second_type": str(c.second.type),
        "related": "related" if c.related else "",
        "merge": merge_command(c),
    }
