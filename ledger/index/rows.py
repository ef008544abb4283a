"""Rows: what one entry file becomes in the index (its stats, the query facts, its JSON text and CSV line)."""

from __future__ import annotations

import datetime as dt
import json
import operator
import re
from typing import Any

from ledger import query
from ledger.core import model, schema
from ledger.core.escapes import TSV_SPECIAL, XML_SPECIAL, xml
from ledger.index import lines

# (rel, size, mtime_ns, inode)
Stat = tuple[str, int, int, int]
# The columns of `entries`, in order (the JSON text and the CSV line go to `docs`).
STORED = (
    "path", "folder", "size", "mtime_ns", "inode", "ok", "id", "date", "last_day", "chrono", "type", "category",
    "escalation", "confidence", "conf_rank", "status", "country", "place", "title", "killed", "injured",
    "text", "actors", "places", "tags", "sources",
    # what the chronology commands read without decoding the JSON (lists as JSON arrays)
    "date_end", "date_precision", "time", "time_of_day", "lat", "lon", "responds_to", "related", "duplicate_of",
    "aliases", "perpetrators", "targets", "associated", "tag_list",
    "killed_low", "killed_high", "injured_low", "injured_high",
    # the timeline's TSV cells, written once here (`cells`)
    "tsv_head", "tsv_tail", "day",
    # the title as the chart's templates hold it (`cells`, `markup`)
    "title_xml",
)  # fmt: skip
Row = tuple[Any, ...]  # STORED values, then the JSON text, then the CSV line (`lines.line`)
# Where `cells` finds its values in a row before them: the cells of `output.chrono_rows.PROGRAMS`
# that come from the index, before and after the ones the order decides (number, label, change, days).
_HEAD_AT = operator.itemgetter(*map(STORED.index, ("id", "path", "date", "date_end", "date_precision")))
_TIME_AT = operator.itemgetter(*map(STORED.index, ("time", "time_of_day", "escalation")))
_TAIL_AT = operator.itemgetter(
    *map(STORED.index, ("type", "category", "country", "place", "killed", "injured", "title"))
)
_TSV_ESCAPED = TSV_SPECIAL.search  # what TSV escapes but the tab (`output.render.tsv_line`)
_JULIAN = 1721424  # CAST(julianday(date) AS INTEGER) - date.toordinal()
_TITLE = STORED.index("title")
_XML_SPECIAL = XML_SPECIAL.search  # what `xml` changes (`markup` also doubles %)


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
    record = schema.to_json(entry, rel)
    text = schema.JSON_ENCODER.encode(record)  # `schema.json_text`
    loc, actors, c = entry.location, entry.actors, entry.casualties
    has_point = loc.lat is not None and loc.lon is not None
    killed_low, killed_high = _range(c.killed) if c else (None, None)
    injured_low, injured_high = _range(c.injured) if c else (None, None)
    return *cells((
        rel, folder, size, mtime_ns, inode, 1, f.id, f.date, f.last_day, chrono_key(entry), f.type, f.category,
        f.escalation, f.confidence, model.confidence_rank(f.confidence), f.status, f.country, loc.name,
        entry.title, f.killed, f.injured, f.text, f.actors, f.places, f.tags, f.sources,
        entry.date_end.isoformat() if entry.date_end else None,
        entry.date_precision.value if entry.date_precision else None,
        entry.time.isoformat() if entry.time else None,
        entry.time_of_day.value if entry.time_of_day else None,
        loc.lat if has_point else None, loc.lon if has_point else None,
        _array(entry.responds_to), _array(entry.related), entry.duplicate_of, _array(entry.aliases),
        _array(actors.perpetrators) if actors else None, _array(actors.targets) if actors else None,
        _array(actors.associated) if actors else None, _array(entry.tags),
        killed_low, killed_high, injured_low, injured_high,
        text,
    )), lines.line(record, text)  # fmt: skip


def cells(row: Row) -> Row:
    """Return a valid entry's row (its values up to `tsv_head`, then its JSON text) with the timeline's cells.

    `tsv_head` and `tsv_tail` are the TSV text of the cells from id to escalation and from
    type to title, as `timeline` writes them (None as '', the vague flag as true/false),
    both None when a cell holds something TSV escapes (then the line is written the general
    way); `day` numbers the first day as SQLite's `CAST(julianday(date) AS INTEGER)` does;
    `title_xml` is the title as the chart's templates hold it (`markup`). Both build roads (`row_of`, `direct.direct_row`) end here.
    """
    entry_id, path, date, date_end, precision = _HEAD_AT(row)
    time, part, escalation = _TIME_AT(row)
    kind, category, country, place, killed, injured, title = _TAIL_AT(row)
    vague = "true" if (precision is not None and precision != "day") or (date_end not in (None, date)) else "false"
    head: str | None = None
    tail: str | None = None
    if None not in (entry_id, path, date, escalation, kind, category, country, place, title):  # a valid entry's
        head = (
            f"{entry_id}\t{path}\t{date}\t{date_end or ''}\t{precision or ''}\t{vague}\t{time or ''}\t{part or ''}\t"
            f"{escalation}"
        )
        tail = (
            f"{kind}\t{category}\t{country}\t{place}\t{'' if killed is None else killed}\t"
            f"{'' if injured is None else injured}\t{title}"
        )
        text = f"{head}\t{tail}"  # one test of both: a line with either to escape is written the general way
        if _TSV_ESCAPED(text) or text.count("\t") != 15:
            head = tail = None
    day = dt.date.fromisoformat(date).toordinal() + _JULIAN
    return (*row[:-1], head, tail, day, markup(row[_TITLE]), row[-1])


def markup(title: str) -> str | None:
    """Return the title as the chart's SQL templates hold it (`title_xml`), or None to take it as it is.

    `core.escapes.xml` of it (& < > " ' escaped, what XML cannot hold dropped: the chart's
    own escaping), with `%` doubled for the `%`-formatting that fills the templates
    (`index.drawn_text`).
    """
    if _XML_SPECIAL(title) is None and "%" not in title:
        return None
    return xml(title).replace("%", "%%")


def _array(items: tuple[str, ...]) -> str | None:
    """Return a list of names as JSON text (what `JSON_ENCODER` writes: quoted as they are when nothing needs escaping)."""
    if not items:
        return None
    if _PLAIN("".join(items)) is not None:  # the names, not the joined text: its separator holds quotes
        return schema.JSON_ENCODER.encode(items)
    joined = '", "'.join(items)
    return f'["{joined}"]'


def names(text: str | None) -> tuple[str, ...]:
    """Return the names of a list as `_array` stored it (split where nothing was escaped: 5x json.loads's speed)."""
    if not text:
        return ()
    if "\\" in text:
        return tuple(json.loads(text))
    return tuple(text[2:-2].split('", "'))


_PLAIN = re.compile(r'[\x00-\x1f"\\]').search  # what JSON escapes (ensure_ascii=False): none of it -> as it is


def _range(count: int | model.Estimate | None) -> tuple[int | None, int | None]:
    """Return (low, high) of a casualty count: its range, else its best estimate or single figure."""
    if isinstance(count, model.Estimate):
        return (count.best if count.low is None else count.low, count.best if count.high is None else count.high)
    return count, count
