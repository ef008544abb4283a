"""`ledger export`: entries out as csv, json, jsonl, geojson, ics or acled (pure: records in, text out).

Every writer takes `Record`s (an entry and its file's path) and a text stream, and streams.
The shapes are documented in the README (Interchange):

- `json` / `jsonl`: the documented JSON form of an entry (`schema.to_json`), what `import` reads;
- `csv`: the flat form (`flat.columns()`), one column per field, what `import --from csv` reads;
- `geojson`: an RFC 7946 FeatureCollection of Points `[lon, lat]` with flat properties
  (`GEOJSON_PROPERTIES`); entries without coordinates are left out and counted;
- `ics`: an RFC 5545 calendar, one all-day VEVENT per incident (`ledger.ics`);
- `acled`: ACLED's columns (`ACLED_COLUMNS`), as far as an entry fills them.

CSV cells that a spreadsheet would run as a formula get a `'` in front (`flat.neutralise`).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TextIO, TypeVar

from ledger.core import flat, gazetteer, model, schema
from ledger.interchange import ics

FORMATS = ("csv", "json", "jsonl", "geojson", "ics", "acled")
T = TypeVar("T")
DEFAULT_LABELS = tuple(name for name, _ in model.LADDER)


@dataclass(frozen=True, slots=True)
class Record:
    entry: model.Entry
    path: str  # relative to the ledger root


@dataclass(frozen=True, slots=True)
class Written:
    """What an export wrote: records out, those left out (no coordinates, for GeoJSON), invalid files left out."""

    count: int
    left_out: int = 0
    invalid: int = 0

    def warnings(self) -> list[str]:
        """What was left out, said whatever --quiet says: the output is not the whole selection."""
        from ledger.output.render import invalid_left_out, plural

        said = []
        if self.left_out:
            said.append(
                f"ledger: {plural(self.left_out, 'entry', 'entries')} without coordinates left out of the GeoJSON"
            )
        if self.invalid:
            said.append(invalid_left_out(self.invalid))
        return said


def export(
    fmt: str,
    records: Iterable[Record],
    out: TextIO,
    *,
    is_tty: bool = False,
    labels: Sequence[str] = DEFAULT_LABELS,
    stamp: dt.datetime | None = None,
) -> Written:
    """Write records in one of FORMATS to `out`; return the counts."""
    if fmt in ("json", "jsonl"):
        return write_json(records, out, fmt, is_tty)
    if fmt == "csv":
        return write_csv(records, out)
    if fmt == "geojson":
        return write_geojson(records, out, labels)
    if fmt == "ics":
        return write_ics(records, out, labels, stamp or dt.datetime.now(dt.UTC))
    if fmt == "acled":
        return write_acled(records, out)
    raise ValueError(f"unknown export format {fmt!r}")


class _Counter(Generic[T]):
    def __init__(self, items: Iterable[T]) -> None:
        self.items = items
        self.count = 0

    def __iter__(self) -> Iterator[T]:
        for item in self.items:
            self.count += 1
            yield item


def write_json(records: Iterable[Record], out: TextIO, fmt: str, is_tty: bool) -> Written:
    """Write the documented JSON form of each entry: a JSON array, or JSON Lines."""
    texts = (json.dumps(schema.to_json(r.entry, r.path), ensure_ascii=False) for r in records)
    return write_json_texts(texts, fmt, out, is_tty)


def write_json_texts(texts: Iterable[str], fmt: str, out: TextIO, is_tty: bool) -> Written:
    """Write entries already in their JSON form (as the index stores them)."""
    from ledger.output.render import write_json_texts as write

    counted = _Counter(texts)
    write(counted, fmt, out, is_tty)
    return Written(counted.count)


def write_csv(records: Iterable[Record], out: TextIO) -> Written:
    """Write the flat form: a header of dotted field names, one row per entry."""
    return write_csv_json((schema.to_json(record.entry, record.path) for record in records), out)


def write_csv_json(records: Iterable[Mapping[str, Any]], out: TextIO) -> Written:
    """Write the flat form of JSON records (`schema.to_json`, as the index stores them)."""
    names = [c.name for c in flat.columns()]
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180: CRLF
    writer.writerow(names)
    count = 0
    cells, neutralise = flat.cells, flat.neutralise
    for record in records:
        writer.writerow(cells(record, neutralise))
        count += 1
    return Written(count)


def write_csv_lines(lines: Iterable[str], out: TextIO) -> Written:
    """Write the header and CSV lines made already (`write_csv_json`'s rows, as the index stores them)."""
    csv.writer(out, lineterminator="\r\n").writerow([c.name for c in flat.columns()])
    counted = _Counter(lines)
    out.writelines(counted)
    return Written(counted.count)


# -- GeoJSON ----------------------------------------------------------------------------------

#: The properties of every feature (all present, null when unknown), documented in the README (Interchange).
GEOJSON_PROPERTIES = (
    "id",
    "title",
    "date",
    "date_end",
    "type",
    "category",
    "escalation",
    "escalation_label",
    "confidence",
    "status",
    "place",
    "country",
    "admin1",
    "admin2",
    "precision",
    "perpetrators",
    "targets",
    "killed",
    "injured",
    "tags",
    "sources",
    "url",
    "path",
)


def geojson_feature(record: Record, labels: Sequence[str]) -> dict[str, Any] | None:
    """Return the GeoJSON Feature of an entry, or None when it has no coordinates."""
    entry, loc = record.entry, record.entry.location
    if loc.lat is None or loc.lon is None:
        return None
    killed = model.best(entry.casualties.killed) if entry.casualties else None
    injured = model.best(entry.casualties.injured) if entry.casualties else None
    actors = entry.actors or model.Actors()
    properties: dict[str, Any] = {
        "id": entry.id,
        "title": entry.title,
        "date": entry.date.isoformat(),
        "date_end": entry.date_end.isoformat() if entry.date_end else None,
        "type": str(entry.type),
        "category": str(entry.category),
        "escalation": entry.escalation,
        "escalation_label": labels[entry.escalation] if entry.escalation < len(labels) else None,
        "confidence": str(entry.confidence),
        "status": str(entry.status or model.Status.ACTIVE),
        "place": loc.name,
        "country": loc.country,
        "admin1": loc.admin1,
        "admin2": loc.admin2,
        "precision": str(loc.precision) if loc.precision else None,
        "perpetrators": _joined(actors.perpetrators),
        "targets": _joined(actors.targets),
        "killed": killed,
        "injured": injured,
        "tags": _joined(entry.tags),
        "sources": _joined(s.name for s in entry.sources),
        "url": next((s.url for s in entry.sources if s.url), None),
        "path": record.path,
    }
    return {
        "type": "Feature",
        "id": entry.id,
        "geometry": {"type": "Point", "coordinates": [loc.lon, loc.lat]},
        "properties": properties,
    }


def _joined(items: Iterable[str]) -> str | None:
    text = "; ".join(items)
    return text or None


def write_geojson(records: Iterable[Record], out: TextIO, labels: Sequence[str]) -> Written:
    """Write a FeatureCollection, one feature per line; count the entries without coordinates."""
    out.write('{"type": "FeatureCollection", "features": [')
    count = left_out = 0
    for record in records:
        feature = geojson_feature(record, labels)
        if feature is None:
            left_out += 1
            continue
        out.write(("\n" if count == 0 else ",\n") + json.dumps(feature, ensure_ascii=False))
        count += 1
    out.write("\n]}\n" if count else "]}\n")
    return Written(count, left_out)


# -- iCalendar --------------------------------------------------------------------------------


def describe(entry: model.Entry, labels: Sequence[str]) -> str:
    """Return the plain-text description of an incident (for calendars)."""
    level = labels[entry.escalation] if entry.escalation < len(labels) else str(entry.escalation)
    lines = [
        f"Type: {entry.type} ({entry.category})",
        f"Escalation: {entry.escalation} ({level})",
        f"Confidence: {entry.confidence}",
    ]
    if entry.actors:
        for name, values in (("Perpetrators", entry.actors.perpetrators), ("Targets", entry.actors.targets)):
            if values:
                lines.append(f"{name}: {', '.join(values)}")
    if entry.casualties:
        for name, count in (("Killed", entry.casualties.killed), ("Injured", entry.casualties.injured)):
            if count is not None:
                lines.append(f"{name}: {_count(count)}")
    if entry.summary:
        lines.extend(["", entry.summary.strip()])
    lines.append("")
    lines.extend(f"Source: {s.name}" + (f" {s.url}" if s.url else "") for s in entry.sources)
    lines.append(f"Id: {entry.id}")
    return "\n".join(lines)


def _count(count: int | model.Estimate) -> str:
    if isinstance(count, model.Estimate):
        low = count.low if count.low is not None else "?"
        high = count.high if count.high is not None else "?"
        return f"{count.best} ({low}-{high})"
    return str(count)


def write_ics(records: Iterable[Record], out: TextIO, labels: Sequence[str], stamp: dt.datetime) -> Written:
    """Write an iCalendar file: one all-day VEVENT per incident, CRLF line ends, folded lines."""
    counted = _Counter(records)
    events = (
        ics.event(
            r.entry,
            stamp,
            labels[r.entry.escalation] if r.entry.escalation < len(labels) else str(r.entry.escalation),
            describe(r.entry, labels),
            next((s.url for s in r.entry.sources if s.url), None),
        )
        for r in counted
    )
    for line in ics.calendar(events):
        out.write(line)
    return Written(counted.count)


# -- ACLED ------------------------------------------------------------------------------------

ACLED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "actor2",
    "assoc_actor_2",
    "country",
    "admin1",
    "admin2",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
    "tags",
)
_DISORDER = {
    model.Category.REMOTE_VIOLENCE: "Political violence",
    model.Category.BATTLE: "Political violence",
    model.Category.VIOLENCE_AGAINST_CIVILIANS: "Political violence",
    model.Category.DEMONSTRATION: "Demonstrations",
    model.Category.STRATEGIC_DEVELOPMENT: "Strategic developments",
}
_TIME_PRECISION = {None: 1, "day": 1, "days": 2, "week": 2, "month": 3}
_GEO_PRECISION = {"exact": 1, "town": 1, "near": 2, "admin2": 2, "admin1": 3, "region": 3, "country": 3}


def acled_row(record: Record) -> dict[str, Any]:
    """Return an entry in ACLED's columns (empty where the entry says nothing)."""
    entry, loc = record.entry, record.entry.location
    _, event_type, sub_event_type = model.TAXONOMY[entry.type]
    actors = entry.actors or model.Actors()
    acled_id = next((a.split(":", 1)[1] for a in entry.aliases if a.upper().startswith("ACLED:")), entry.id)
    killed = model.best(entry.casualties.killed) if entry.casualties else None
    precision = entry.date_precision.value if entry.date_precision else None
    return {
        "event_id_cnty": acled_id,
        "event_date": entry.date.isoformat(),
        "year": entry.date.year,
        "time_precision": _TIME_PRECISION[precision],
        "disorder_type": _DISORDER[entry.category],
        "event_type": event_type,
        "sub_event_type": sub_event_type,
        "actor1": actors.perpetrators[0] if actors.perpetrators else "",
        "assoc_actor_1": "; ".join((*actors.perpetrators[1:], *actors.associated)),
        "actor2": actors.targets[0] if actors.targets else "",
        "assoc_actor_2": "; ".join(actors.targets[1:]),
        "country": gazetteer.name_of(loc.country),
        "admin1": loc.admin1 or "",
        "admin2": loc.admin2 or "",
        "location": loc.name,
        "latitude": "" if loc.lat is None else loc.lat,
        "longitude": "" if loc.lon is None else loc.lon,
        "geo_precision": _GEO_PRECISION.get(loc.precision.value, "") if loc.precision else "",
        "source": "; ".join(s.name for s in entry.sources),
        "notes": (entry.summary or entry.title).strip(),
        "fatalities": "" if killed is None else killed,
        "tags": "; ".join(entry.tags),
    }


def write_acled(records: Iterable[Record], out: TextIO) -> Written:
    """Write ACLED's column layout as CSV."""
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180: CRLF
    writer.writerow(ACLED_COLUMNS)
    count = 0
    for record in records:
        row = acled_row(record)
        writer.writerow([flat.neutralise(row[c]) for c in ACLED_COLUMNS])
        count += 1
    return Written(count)


def export_found(
    found: Any, fmt: str, out: TextIO, *, labels: Sequence[str], is_tty: bool = False, stamp: dt.datetime | None = None
) -> Any:
    """Write a query's result (`Ledger.find`) in an export format; return what was written."""
    if fmt in ("json", "jsonl"):  # the index holds each entry's JSON form already
        return write_json_texts(found.json_texts(), fmt, out, is_tty)
    if fmt == "csv":  # the index holds each entry's CSV line, written by the build (`index.lines`)
        return write_csv_lines(found.csv_lines(), out)
    records = (Record(schema.from_json(r), r["path"]) for r in found.records())
    return export(fmt, records, out, is_tty=is_tty, labels=labels, stamp=stamp)
