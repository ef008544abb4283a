"""Order and limit: `--sort`, `--reverse`, `--limit` applied in Python (the index does it in SQL)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ledger.core import model
from ledger.core.errors import UsageError
from ledger.core.model import chronological
from ledger.query.ast import Selection
from ledger.query.evaluate import matches, shows_withdrawn
from ledger.query.fields import SORT_FIELDS

_CONFIDENCE_RANK = {m.value: i for i, m in enumerate(model.Confidence)}


def sort_value(entry: model.Entry, field: str) -> Any:
    """Return the primary sort value of an entry for `--sort FIELD` (None sorts first)."""
    if field == "title":
        return entry.title
    if field == "type":
        return str(entry.type)
    if field == "category":
        return str(entry.category)
    if field == "escalation":
        return entry.escalation
    if field == "confidence":
        return _CONFIDENCE_RANK[str(entry.confidence)]
    if field == "country":
        return entry.location.country.upper()
    if field == "place":
        return entry.location.name
    if field in ("killed", "injured"):
        casualties = entry.casualties
        return model.best(getattr(casualties, field)) if casualties else None
    return entry.id  # "id"


def check_sort(field: str | None) -> str | None:
    """Return the sort field, or raise UsageError naming the choices."""
    if field is None or field in SORT_FIELDS:
        return field
    from ledger.core.decoding import suggest

    raise UsageError(f'cannot sort by "{field}"{suggest(field, SORT_FIELDS)} (choose from: {", ".join(SORT_FIELDS)})')


def apply(selection: Selection, entries: Iterable[model.Entry], vocabulary: Any = None) -> list[model.Entry]:
    """Filter, sort and limit entries in Python (the index does the same in SQL)."""
    sort = check_sort(selection.sort)
    keep_withdrawn = shows_withdrawn(selection)
    where = selection.where
    chosen = [e for e in entries if (keep_withdrawn or not e.withdrawn) and matches(where, e, vocabulary)]
    if sort in (None, "date"):
        chosen.sort(key=chronological, reverse=selection.reverse)
    else:

        def key(entry: model.Entry) -> tuple[bool, Any, Any]:
            value = sort_value(entry, sort)
            return (value is not None, value if value is not None else 0, chronological(entry))

        chosen.sort(key=key, reverse=selection.reverse)
    if selection.limit is not None:
        chosen = chosen[: max(selection.limit, 0)]
    return chosen
