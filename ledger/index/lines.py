"""The CSV line of an entry (`ledger export --format csv`): made by the build, stored beside the JSON.

A line is exactly what `csv.writer` (RFC 4180: CRLF) writes for `flat.cells(record,
flat.neutralise)` of the entry's JSON record: the flat cells in the order of `flat.columns()`,
text guarded against formulas, quoted where it holds a comma, a quote or a line break.
`csv_lines` is that definition (and the tests' oracle); it costs about 55 µs an entry. `line`
writes the same text from the record the build holds anyway, in about a third of that, so
each row carries its line (`docs.csv`) and an export reads stored text, as JSON lines does.
Both build roads call it (`rows.row_of`, `direct.direct_row`); tests/test_csv_lines.py holds
it to `csv_lines` over hostile records, and both roads to the same line.

`line` knows the columns by name (a straight-line walk is what makes it fast); its test
fails when `flat.columns()` and it part ways. What it leaves unguarded and unquoted are the
cells validation keeps plain (`PLAIN`, `PLAIN_LISTS`: enum values, ids, slugs, ISO dates and
times, country codes), held to the model by a test.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ledger.core import flat

#: text cells validation keeps free of what csv.writer quotes and of formula starts (enum values, ids,
#: slugs, ISO dates and times, country codes): written as they are (`tests/test_csv_lines.py` holds this)
PLAIN = frozenset({
    "id", "date", "date_end", "date_precision", "time", "time_of_day", "type", "category", "confidence",
    "status", "duplicate_of", "location.country", "location.precision", "actors.attribution",
})  # fmt: skip
#: lists of ids or slugs (no ";", no "[", nothing to guard or quote): joined with "; " as they are
PLAIN_LISTS = frozenset({"responds_to", "related", "tags"})

_FORMULA = frozenset("=+-@\t\r'")  # `flat.neutralise`: a formula start, or the guard's own quote
_SOURCES = '"sources": ['  # the record's last key (`schema.to_json`: model order, sources last)
_NONE: Mapping[str, Any] = {}
_NO_COUNT = ("", "", "")


def line(r: Mapping[str, Any], text: str) -> str:
    """Return the CSV line (CRLF included) of a valid entry's JSON record `r`; `text` is its JSON text.

    The `sources` cell is the record's own JSON text of its list, cut from `text`: that is
    `json.dumps(r["sources"], ensure_ascii=False)`, which the build has written already.
    An absent value costs no call: most optional fields are absent from most entries.
    """
    g = r.get
    loc = r["location"]
    actors = g("actors") or _NONE
    cas = g("casualties") or _NONE
    as_reported, withdrawn_reason, summary = g("as_reported"), g("withdrawn_reason"), g("summary")
    responds_to, related, aliases, tags = g("responds_to"), g("related"), g("aliases"), g("tags")
    admin1, admin2, description = loc.get("admin1"), loc.get("admin2"), loc.get("description")
    lat, lon = loc.get("lat"), loc.get("lon")
    perpetrators, targets, associated = actors.get("perpetrators"), actors.get("targets"), actors.get("associated")
    killed, injured, note = cas.get("killed"), cas.get("injured"), cas.get("note")
    sources = text[text.rindex(_SOURCES) + len(_SOURCES) - 1 : -1]
    cells = (
        r["id"], _text(r["title"]), r["date"], g("date_end", ""), g("date_precision", ""), g("time", ""),
        g("time_of_day", ""), _text(as_reported) if as_reported else "", r["type"], r["category"],
        str(r["escalation"]), r["confidence"], g("status", ""),
        _text(withdrawn_reason) if withdrawn_reason else "", g("duplicate_of", ""),
        "; ".join(responds_to) if responds_to else "", "; ".join(related) if related else "",
        _names(aliases) if aliases else "", "; ".join(tags) if tags else "", _text(summary) if summary else "",
        _text(loc["name"]), loc["country"], _text(admin1) if admin1 else "", _text(admin2) if admin2 else "",
        _text(description) if description else "", "" if lat is None else str(lat),
        "" if lon is None else str(lon), loc.get("precision", ""),
        _names(perpetrators) if perpetrators else "", _names(targets) if targets else "",
        _names(associated) if associated else "", actors.get("attribution", ""),
        *(_NO_COUNT if killed is None else _count(killed)), *(_NO_COUNT if injured is None else _count(injured)),
        _text(note) if note else "", '"' + sources.replace('"', '""') + '"', _text(r["path"]),
    )  # fmt: skip
    return ",".join(cells) + "\r\n"


def _text(value: str) -> str:
    """Return a text cell as csv.writer writes `flat.neutralise` of it (`value` is not empty)."""
    if value[0] in _FORMULA:
        value = "'" + value
    if "," in value or '"' in value or "\n" in value or "\r" in value:  # memchr each: 4x a regex's speed
        return '"' + value.replace('"', '""') + '"'
    return value


def _names(items: Sequence[str]) -> str:
    """Return a list of names as `flat` joins it: with "; ", or as a JSON array when an item holds ";" or starts with "["."""
    if len(items) == 1:  # most lists of names hold one
        joined = items[0]
        if ";" in joined or joined[:1] == "[":
            joined = json.dumps(list(items), ensure_ascii=False)
    else:
        joined = "; ".join(items)
        if joined.count(";") != len(items) - 1 or joined[:1] == "[" or "; [" in joined:
            joined = json.dumps(list(items), ensure_ascii=False)
    return _text(joined) if joined else joined


def _count(count: Any) -> tuple[str, str, str]:
    """Return the three cells of a casualty count (`{best, low, high}`, or a number)."""
    if type(count) is int:
        return str(count), "", ""
    best, low, high = count["best"], count.get("low"), count.get("high")
    return str(best), "" if low is None else str(low), "" if high is None else str(high)


def written(found: Any) -> Iterator[str]:
    """Yield the stored CSV line of each entry a query selects (`found`: an `index.Found`), in its order.

    A row without a line (the revision cache keeps none: no export reads a revision) gives
    its JSON record instead (a line starts with the id, a record with "{"), and Python writes
    that line.
    """
    for (text,) in found.run("(SELECT coalesce(csv, json) FROM docs WHERE entry = e.rowid)"):
        yield text if text[0] != "{" else csv_lines([json.loads(text)])[0]


def csv_lines(records: Sequence[Mapping[str, Any]]) -> list[str]:
    """Return the CSV line (CRLF included) of each JSON record, written by `csv.writer` (the definition)."""
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
