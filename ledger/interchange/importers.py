"""Rows of other datasets -> entry data (pure: text in, plain data out; no files).

`read(source, text)` yields the rows of a file; `mapper(source)` turns one row into entry data
(TOML types: dates as `datetime.date`), its source id for `aliases` and notes about repairs.
Sources: `csv` / `json` (this tool's own export, `json` also reads JSON Lines), `acled`
(ACLED's CSV export), `ucdp` (UCDP GED's CSV, with or without its HXL tag row); the
mappers of the two datasets live in `datasets`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from typing import Any

from ledger.core import flat, model
from ledger.interchange import datasets
from ledger.interchange.rows import Mapped as Mapped
from ledger.interchange.rows import Mapper as Mapper
from ledger.interchange.rows import Overrides as Overrides
from ledger.interchange.rows import Row as Row

SOURCES = ("csv", "json", "acled", "ucdp")
MAX_FIELD = 1_000_000  # a CSV cell may hold up to an entry file's size limit (files.MAX_FILE_BYTES)


# -- reading -------------------------------------------------------------------------------


def read(source: str, text: str) -> Iterator[Row]:
    """Yield the rows of a file's text for an import source."""
    return read_json(text) if source == "json" else read_csv(text)


def read_csv(text: str) -> Iterator[Row]:
    """Yield CSV records (header row first; a HXL hashtag row right after it is skipped)."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    start = 1  # the line the record being read starts on (csv's line_num can lag behind it)
    item = 0
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, MAX_FIELD))  # a valid entry's own export must read back
    try:
        header = reader.fieldnames or []
        twice = sorted({name for name in header if header.count(name) > 1})
        if twice:
            names = ", ".join(f'"{name}"' for name in twice)
            raise ValueError(f"line 1: the header names {names} more than once (which column is meant?)")
        start = reader.line_num + 1
        for values in reader:
            line, start = start, reader.line_num + 1
            if item == 0 and line == 2 and _is_hxl(values):
                continue
            item += 1
            yield Row(line, item, values)
    except csv.Error as err:
        raise ValueError(f"line {start}: not valid CSV: {err}") from None
    finally:
        csv.field_size_limit(limit)


def _is_hxl(values: Mapping[str, Any]) -> bool:
    cells = [v for v in values.values() if isinstance(v, str) and v.strip()]
    return bool(cells) and all(v.strip().startswith("#") for v in cells)


def read_json(text: str) -> Iterator[Row]:
    """Yield the objects of a JSON array, or of JSON Lines (one object per line)."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except ValueError as err:
            raise ValueError(f"not valid JSON: {err}") from None
        except RecursionError:
            raise ValueError("JSON nesting is too deep") from None
        for number, value in enumerate(items, start=1):
            yield Row(0, number, value if isinstance(value, dict) else {"": value})
        return
    item = 0
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        item += 1
        try:
            value = json.loads(line)
        except ValueError as err:
            raise ValueError(f"line {number}: not valid JSON: {err}") from None
        except RecursionError:
            raise ValueError(f"line {number}: JSON nesting is too deep") from None
        yield Row(number, item, value if isinstance(value, dict) else {"": value})


#: The columns that tell a CSV layout, in the order `detect` tries them.
LAYOUTS = {
    "acled": frozenset({"event_id_cnty", "event_date", "sub_event_type"}),
    "ucdp": frozenset({"type_of_violence", "side_a", "side_b", "date_start"}),
    "csv": frozenset({"title", "date", "location.name"}),
}


def _header(text: str) -> set[str]:
    return set(next(csv.reader(io.StringIO(text.removeprefix("\ufeff"))), []))


def detect(text: str) -> str | None:
    """Guess the source of a file from its first line: JSON, or the header of a known CSV layout."""
    first = text.lstrip("\ufeff \t\r\n")[:1]
    if first in ("[", "{"):
        return "json"
    header = _header(text)
    return next((source for source, columns in LAYOUTS.items() if columns <= header), None)


def mismatch(source: str, text: str) -> str | None:
    """Say why a file cannot be of the CSV layout `--from` names: none of its columns (None: it may be)."""
    if source not in LAYOUTS or _header(text) & LAYOUTS[source]:
        return None  # a file with some of the columns: each row's problems say the rest
    found = detect(text)
    hint = f"; it looks like {found}: give --from {found}" if found else ""
    return f"the header has none of {source}'s columns ({', '.join(sorted(LAYOUTS[source]))}){hint}"


def mapper(source: str) -> Mapper:
    """Return the row mapper of an import source."""
    mappers: dict[str, Mapper] = {"csv": own_csv, "json": own_json, "acled": datasets.acled, "ucdp": datasets.ucdp}
    return mappers[source]


# -- this tool's own export ---------------------------------------------------------------------


def own_csv(row: Mapping[str, Any], overrides: Overrides) -> Mapped:
    """Map a row of `ledger export --format csv`."""
    cells = {k: flat.restore(v) if isinstance(v, str) else v for k, v in row.items() if k is not None}
    return _own(flat.unflatten(cells), overrides, cells.get("path"))


def own_json(row: Mapping[str, Any], overrides: Overrides) -> Mapped:
    """Map an object of `ledger export --format json` or `jsonl`."""
    data = _drop_nulls({k: v for k, v in row.items() if k not in ("path", "category")})
    casualties = data.get("casualties")
    if isinstance(casualties, dict):  # a count `{"best": 4, "low": null, "high": null}` is the file's `4`
        for key, value in casualties.items():
            if isinstance(value, dict) and list(value) == ["best"]:
                casualties[key] = value["best"]
    return _own(flat.revive(data, model.Entry), overrides, row.get("path"))


def _drop_nulls(value: Any) -> Any:
    """Return JSON data without nulls (null means absent; TOML has no null)."""
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value if v is not None]
    return value


def _own(data: dict[str, Any], overrides: Overrides, path: Any) -> Mapped:
    entry_id = data.pop("id", None)
    for key, value in (("type", overrides.type), ("escalation", overrides.escalation)):
        if value is not None:
            data[key] = value
    if overrides.confidence:
        data["confidence"] = overrides.confidence
    if overrides.tags:
        given = data.get("tags")
        tags: list[Any] = given if isinstance(given, list) else []
        data["tags"] = [*tags, *(t for t in overrides.tags if t not in tags)]
    entry_id = entry_id if isinstance(entry_id, str) else None
    return Mapped(data, entry_id, None, path=path if isinstance(path, str) else None)
