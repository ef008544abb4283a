"""Order and limit: `--sort`, `--reverse`, `--limit` applied in Python (the index does it in SQL)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ledger.core import model
from ledger.core.errors import UsageError
from ledger.core.model import chronological
from ledger.query.ast import Selection
from ledger.query.evaluate import matches, shows_withdrawn


def _count(field: str) -> Callable[[model.Entry], int | None]:
    return lambda e: model.best(getattr(e.casualties, field)) if e.casualties else None


#: `--sort FIELD` -> the value an entry sorts by (None sorts first), after the chronological
#: "date". The index stores each of these values in the column of the same name (confidence as
#: its rank) and sorts there in SQL; `apply` sorts here by the same values.
SORT_KEYS: dict[str, Callable[[model.Entry], Any]] = {
    "id": lambda e: e.id,
    "title": lambda e: e.title,
    "type": lambda e: str(e.type),
    "category": lambda e: str(e.category),
    "escalation": lambda e: e.escalation,
    "confidence": lambda e: model.confidence_rank(e.confidence),
    "country": lambda e: e.location.country.upper(),
    "place": lambda e: e.location.name,
    "killed": _count("killed"),
    "injured": _count("injured"),
}
SORT_FIELDS = ("date", *SORT_KEYS)


def sort_value(entry: model.Entry, field: str) -> Any:
    """Return the primary sort value of an entry for `--sort FIELD` (None sorts first)."""
    return SORT_KEYS[field](entry)


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
