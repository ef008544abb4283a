"""The CSV lines of `timeline --format csv` from the cells SQLite gives as they are (`index.chrono_text`).

Only the place and the title hold free text in a valid ledger: they are quoted and guarded
here (`csv_text`) when they need it; the other cells are checked (commas counted, quotes,
line ends, formula starts after a comma) and, in the rare line where one needs it (a path
with a comma), taken quoted from SQL (`Written.quoted`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# What `flat.neutralise` guards at the start of a CSV cell (str methods: a regex costs several µs a line).
_FORMULA = ("=", "+", "-", "@", "\t", "\r", "'")


def _csv_plain(cells: str) -> bool:
    """Return whether cells joined by commas (none inside one) need no quotes and no guard."""
    return not (
        '"' in cells or "\n" in cells or "\r" in cells or cells.startswith(_FORMULA) or ",=" in cells
        or ",+" in cells or ",-" in cells or ",@" in cells or ",\t" in cells or ",'" in cells
    )  # fmt: skip


_HEAD_COMMAS = 8  # between the cells id ... escalation of `chrono_rows.PROGRAMS`
_MID_COMMAS = 2  # between type, category, country


def written_csv(found: Any, ends: dict[int, str], unlinked: str) -> Iterator[str]:
    """The CSV lines of `chrono_rows.written_lines`: the cells as SQLite gave them, quoted where they need it.

    `ends` holds the text after the title (links, chain, line end) by rowid, `unlinked` the one of the others.
    """
    label = found.vocabulary.label
    labels: dict[int, str] = {}
    escalation = day = 0
    change: Any = ""
    gap: Any = ""
    for number, (rowid, level, this_day, head, mid, place, counts, title) in enumerate(found.rows, 1):
        if number > 1:
            change, gap = level - escalation, this_day - day
        escalation, day = level, this_day
        text = labels.get(level)
        if text is None:
            text = labels[level] = csv_text(label(level))
        if head.count(",") != _HEAD_COMMAS or mid.count(",") != _MID_COMMAS or not _csv_plain(f"{head},{mid}"):
            head, mid = found.quoted(rowid)  # a cell to quote or guard (none in a valid ledger's usual text)
        if place is None:
            place = ""
        elif "," in place or '"' in place or "\n" in place or "\r" in place or place.startswith(_FORMULA):
            place = csv_text(place)
        if "," in title or '"' in title or "\n" in title or "\r" in title or title.startswith(_FORMULA):
            title = csv_text(title)
        yield f"{number},{head},{text},{change},{gap},{mid},{place},{counts},{title}{ends.get(rowid, unlinked)}"


def csv_text(text: str) -> str:
    """Return a text cell as `csv.writer` writes it after `flat.neutralise` (the formula guard)."""
    from ledger.core.flat import neutralise

    text = neutralise(text)
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text
