"""Derived from `model`: records encoded as TOML data and JSON, read back, the JSON Schema, docs.

Decoding (TOML data -> records, collecting problems) lives in `decoding`; `decode`,
`decode_all`, `Decoded`, `LineOf` and `suggest` are re-exported here for the callers that
know them by this name.
"""

from __future__ import annotations

import datetime as dt
import functools
import typing
from collections.abc import Callable, Mapping
from json import JSONEncoder
from typing import Any

from ledger.core import model, shapes
from ledger.core.decoding import Decoded as Decoded
from ledger.core.decoding import LineOf as LineOf
from ledger.core.decoding import decode as decode
from ledger.core.decoding import decode_all as decode_all
from ledger.core.decoding import suggest as suggest
from ledger.core.shapes import shape_of

# -- encoding ---------------------------------------------------------------------------


def encode(record: Any, *, json: bool = False) -> dict[str, Any]:
    """Return a model record as plain data in canonical key order; dates as ISO strings if `json`.

    Unset optional fields and empty lists are left out, so TOML output stays minimal. The
    writers are planned once per record class: the index writes 100,000 of these on a cold build.
    """
    return _write_record(record, type(record), json)


def to_toml_data(entry: model.Entry) -> dict[str, Any]:
    """Return the data a file holds for `entry` (no `id`: the file name carries it)."""
    data = encode(entry)
    data.pop("id", None)
    return data


def to_json(entry: model.Entry, path: str) -> dict[str, Any]:
    """Return the documented JSON form of an entry: id, path, fields, derived category.

    That is `encode(entry, json=True)` with `path` and `category` added. One JSON shape per
    field: a casualty count is always `{"best", "low", "high"}` (`count_json`).
    """
    out: dict[str, Any] = {"id": entry.id, "path": path}
    for name, write in _writers(model.Entry, True):
        value = getattr(entry, name)
        if value is None or value == () or name == "id":
            continue
        out[name] = write(value)
        if name == "type":
            out["category"] = entry.category.value
    return out


class _Encoder(JSONEncoder):
    """`JSONEncoder.encode` with its C encoder made once: the stdlib makes one per call (~2 us a record)."""

    def __init__(self) -> None:
        super().__init__(ensure_ascii=False, check_circular=False)
        import json.encoder as stdlib  # `iterencode` makes it so for one whole text

        make = getattr(stdlib, "c_make_encoder", None)  # None: no C accelerator, the stdlib's road
        try:
            args = (None, self.default, stdlib.encode_basestring, None, self.key_separator, self.item_separator)
            self._once: Any = make(*args, False, False, True) if make is not None else None
        except TypeError:  # pragma: no cover - another Python's signature
            self._once = None

    def encode(self, o: Any) -> str:
        if self._once is None or type(o) is str:
            return super().encode(o)
        return "".join(self._once(o, 0))


#: the one JSON writer for records (what `json.dumps(..., ensure_ascii=False)` writes, faster)
JSON_ENCODER: JSONEncoder = _Encoder()


def json_text(entry: model.Entry, path: str) -> str:
    """Return `to_json(entry, path)` as JSON text (the form the index stores)."""
    return JSON_ENCODER.encode(to_json(entry, path))


@functools.cache
def _writers(cls: type, json: bool) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """Return, per field of a model class, how `encode` writes its value."""
    return tuple((name, _writer(tp, json)) for name, tp, _ in shapes.fields(cls))


def _writer(tp: Any, json: bool) -> Callable[[Any], Any]:
    shape = shape_of(tp)
    if shape.kind == "sequence":
        item = _writer(shape.inner, json)
        return lambda values: [item(v) for v in values]
    if shape.kind in ("record", "count"):
        cls = typing.cast(type, shape.inner)
        if shape.kind == "count":
            if json:  # one JSON shape per field: {"best", "low", "high"}
                return count_json
            return lambda v: v if isinstance(v, int) else _write_record(v, cls, json)
        return lambda v: _write_record(v, cls, json)
    if shape.kind == "enum":
        return lambda v: v.value
    if json and shape.inner in (dt.date, dt.time, dt.datetime):
        return lambda v: v.isoformat()
    return _same


def _write_record(record: Any, cls: type, json: bool) -> dict[str, Any]:
    out = {}
    for name, write in _writers(cls, json):
        value = getattr(record, name)
        if value is not None and value != ():
            out[name] = write(value)
    return out


def count_json(count: Any) -> dict[str, Any]:
    """Return a count (an int or an Estimate) as `{"best", "low", "high"}`, the unknown ends None."""
    if isinstance(count, model.Estimate):
        return {"best": count.best, "low": count.low, "high": count.high}
    return {"best": count, "low": None, "high": None}


def from_json(data: Mapping[str, Any]) -> model.Entry:
    """Rebuild an entry from its trusted JSON form (`to_json`, e.g. from the index), without re-validating.

    Keys that are not fields (`path`, `category`) are ignored. Time-travel queries rebuild
    100,000 entries this way, so a reader is planned once per record class.
    """
    return typing.cast(model.Entry, _reader(model.Entry)(data))


@functools.cache
def _reader(cls: type) -> Callable[[Mapping[str, Any]], Any]:
    plan = [(name, _converter(tp)) for name, tp, _ in shapes.fields(cls)]

    def read(data: Mapping[str, Any]) -> Any:
        return cls(**{name: convert(data[name]) for name, convert in plan if name in data})

    return read


def _count(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if value.get("low") is None and value.get("high") is None:
        return value["best"]  # `{ best = 4 }` is the count 4 (as decoding reads it)
    return model.Estimate(value["best"], value.get("low"), value.get("high"))


def _same(value: Any) -> Any:
    return value


def _converter(tp: Any) -> Callable[[Any], Any]:
    shape = shape_of(tp)
    if shape.kind == "count":  # `{best, low, high}` (or an old record's bare number) -> the model's form
        return _count
    if shape.kind == "sequence":
        item = _converter(shape.inner)
        return lambda values: tuple(item(v) for v in values)
    if shape.kind == "record":
        return _reader(shape.inner)
    if shape.kind == "enum":
        return typing.cast(Callable[[Any], Any], shape.inner)
    if shape.inner is dt.datetime:
        return dt.datetime.fromisoformat
    if shape.inner is dt.date:
        return dt.date.fromisoformat
    if shape.inner is dt.time:
        return dt.time.fromisoformat
    return _same


# -- docs (the JSON Schemas: core/json_schema.py) -----------------------------------------------------------------

_ENTRY_ONLY = {"id"}  # allowed in files, but described as derived


def _type_label(tp: Any) -> str:
    shape = shape_of(tp)
    if shape.kind == "sequence":
        return f"list of {_type_label(shape.inner)}"
    if shape.kind == "count":
        return "int or {" + ", ".join(name for name, _, _ in shapes.fields(shape.inner)) + "}"
    if shape.kind == "record":
        return "table"
    if shape.kind == "enum":
        return "enum: " + ", ".join(f"`{m.value}`" for m in shape.inner)
    names = {str: "string", int: "integer", float: "number", dt.date: "date", dt.time: "time", dt.datetime: "date-time"}
    return names[shape.inner]


def field_table() -> str:
    """Return the Markdown field reference (the README embeds it; a test keeps it current)."""
    lines = ["| field | type | required | meaning |", "|---|---|---|---|"]

    counts: dict[type, list[str]] = {}  # the record of a count -> the fields that are counts

    def rows(cls: type, prefix: str) -> None:
        for name, tp, spec in shapes.fields(cls):
            label = f"{prefix}{name}"
            req = "yes" if spec.required and name not in _ENTRY_ONLY else ""
            doc = spec.doc.replace("|", "\\|")
            lines.append(f"| `{label}` | {_type_label(tp)} | {req} | {doc} |")
            shape = shape_of(tp)
            if shape.kind == "count":
                counts.setdefault(shape.inner, []).append(name)
            inner = shapes.record_of(tp)
            if inner is not None and shape.kind != "count":
                rows(inner, f"{label}{'[].' if shape.kind == 'sequence' else '.'}")

    rows(model.Entry, "")
    for record, names in counts.items():
        parts = [(name, spec.required) for name, _, spec in shapes.fields(record)]
        lines.append(
            f"| {', '.join(f'`*.{n}`' for n in names)} as table | {', '.join(f'`{n}`' for n, _ in parts)} | "
            f"{', '.join(f'`{n}`' for n, req in parts if req)} | a range: `low <= best <= high`, none negative |"
        )
    return "\n".join(lines)
