"""Derived from `model`: decode TOML data to records, encode them back, JSON Schema, docs.

`decode` never raises on bad data: it returns the record (or None) and every problem found.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import enum
import functools
import math
import re
import typing
from collections.abc import Callable, Mapping
from json import JSONEncoder
from typing import Any

from ledger.core import model, shapes
from ledger.core.errors import Problem, Severity
from ledger.core.shapes import shape_of

LineOf = Callable[[str], int]


def _no_line(_field: str) -> int:
    return 0


@functools.cache
def _names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls))


_LINE_CHARS = rf"[^{model.CONTROL}\t\n\r]"
_TEXT_CHARS = rf"[^{model.CONTROL}]"
_GOOD_LINE = re.compile(rf"(?=\s*\S){_LINE_CHARS}+")  # fullmatch: not blank, no control character
_GOOD_TEXT = re.compile(rf"(?=\s*\S){_TEXT_CHARS}+")


def _quick(tp: Any, spec: model.FieldSpec) -> Any:
    """Return a cheap test that a raw value is valid as it stands (None: no fast path)."""
    lo, hi = spec.minimum, spec.maximum
    if tp is str:
        limit = spec.max_length or 0
        if spec.pattern:
            good = re.compile(spec.pattern).fullmatch
        else:
            good = (_GOOD_LINE if spec.one_line else _GOOD_TEXT).fullmatch
        return lambda v: type(v) is str and good(v) is not None and (not limit or len(v) <= limit)
    if tp is int:
        return lambda v: type(v) is int and (lo is None or v >= lo) and (hi is None or v <= hi)
    if tp is float:  # the model bounds every float; NaN and inf fail here and take the careful road
        low, high = (-math.inf if lo is None else lo), (math.inf if hi is None else hi)
        return lambda v: type(v) is float and low <= v <= high and math.isfinite(v)
    if tp in (dt.date, dt.time):
        return lambda v: type(v) is tp
    return None


@functools.cache
def _plan(cls: type) -> tuple[tuple[str, Any, model.FieldSpec, str, Any], ...]:
    """Return (name, type, spec, kind, fast check) per field of a model dataclass."""
    plan = []
    for name, tp, spec in shapes.fields(cls):
        shape = shape_of(tp)
        kind, inner = shape.kind, shape.inner
        quick: Any = None
        if kind == "enum":
            quick = {m.value: m for m in inner}
        elif kind == "scalar" or (kind == "sequence" and shape_of(inner).kind == "scalar"):
            quick = _quick(inner, spec)
        plan.append((name, tp, spec, kind, quick))
    return tuple(plan)


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dt.datetime):
        return "a date-time"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, dt.time):
        return "a time"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def suggest(word: str, choices: typing.Iterable[str]) -> str:
    """Return ' (did you mean "x"?)' for a near miss, or ''."""
    close = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


class _Decoder:
    """Walks raw TOML data against the model, collecting problems."""

    def __init__(self, path: str, line_of: LineOf, fixed: Mapping[str, Any] | None = None) -> None:
        self.path = path
        self.fixed = fixed or {}
        self.line_of = line_of
        self.problems: list[Problem] = []
        self.bad: set[str] = set()  # fields given with an unusable value, or required and missing
        self.partial: dict[str, Any] = {}  # where -> the record built from what was usable

    def problem(self, where: str, message: str, severity: Severity = Severity.ERROR) -> None:
        self.problems.append(Problem(self.path, self.line_of(where), where, message, severity))

    def record(self, cls: type, raw: Any, where: str) -> Any:
        if not isinstance(raw, dict):
            self.problem(where or "(file)", f"expected a table, found {_type_name(raw)}")
            return None
        known = _names(cls)
        for key in raw:
            if key not in known:
                at = f"{where}.{key}" if where else key
                if where and key in _TOP_LEVEL:
                    hint = " (a top-level key written after a table? move it above the first table)"
                else:
                    hint = suggest(key, known)
                self.problem(at, f"unknown key{hint}")
        values: dict[str, Any] = {}
        ok = True
        fixed = self.fixed if not where else {}
        for name, tp, spec, kind, quick in _plan(cls):
            if name in fixed:
                values[name] = fixed[name]
                continue
            if name not in raw:
                if spec.required:
                    at = f"{where}.{name}" if where else name
                    self.problem(at, "required field is missing")
                    self.bad.add(at)
                    ok = False
                continue
            given = raw[name]
            # Fast paths for the common, valid case; anything else takes the careful road below.
            if kind == "enum":
                member = quick.get(given) if type(given) is str else None
                if member is not None:
                    values[name] = member
                    continue
            elif quick is not None and (
                quick(given)
                if kind == "scalar"
                else type(given) is list and len(given) >= (spec.min_items or 0) and all(map(quick, given))
            ):
                values[name] = tuple(given) if kind == "sequence" else given
                continue
            at = f"{where}.{name}" if where else name
            value = self.value(tp, given, at, spec)
            if value is _BAD:
                ok = False if spec.required else ok
                self.bad.add(at)
                if spec.required and at in self.partial:  # the checks still see the rest of it
                    values[name] = self.partial[at]
                continue
            values[name] = value
        if not ok:
            self.partial[where] = _partial(cls, values)
            return None
        return cls(**values)

    def value(self, tp: Any, raw: Any, at: str, spec: model.FieldSpec) -> Any:
        shape = shape_of(tp)
        kind, inner = shape.kind, shape.inner
        if kind == "scalar":
            return self.scalar(inner, raw, at, spec)
        if kind == "enum":
            return self.choice(inner, raw, at)
        if kind == "record":
            result = self.record(inner, raw, at)
            return _BAD if result is None else result
        if kind == "sequence":
            return self.sequence(inner, raw, at, spec)
        if isinstance(raw, dict):  # a count given with its range
            return self.estimate(inner, raw, at)
        return self.scalar(int, raw, at, spec)

    def sequence(self, item: Any, raw: Any, at: str, spec: model.FieldSpec) -> Any:
        if not isinstance(raw, list):
            self.problem(at, f"expected an array, found {_type_name(raw)}")
            return _BAD
        if spec.min_items and len(raw) < spec.min_items:
            self.problem(at, f"needs at least {spec.min_items} item(s)")
        out = []
        for i, element in enumerate(raw):
            value = self.value(item, element, f"{at}[{i}]", spec)
            if value is not _BAD:
                out.append(value)
        return tuple(out)

    def estimate(self, cls: type, raw: dict[str, Any], at: str) -> Any:
        est = self.record(cls, raw, at)
        if est is None:
            return _BAD
        low, high = est.low, est.high
        if (low is not None and low > est.best) or (high is not None and high < est.best):
            self.problem(at, f"needs low <= best <= high, found {low} / {est.best} / {high}")
        if low is not None and high is not None and low > high:
            self.problem(at, f"low {low} is above high {high}")
        return est

    def scalar(self, tp: Any, raw: Any, at: str, spec: model.FieldSpec) -> Any:
        if tp is str:
            if not isinstance(raw, str):
                return self.wrong(at, "a string", raw)
            self.text(raw, at, spec)
            return raw
        if tp is int:
            if isinstance(raw, bool) or not isinstance(raw, int):
                return self.wrong(at, "an integer", raw)
        elif tp is float:
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                return self.wrong(at, "a number", raw)
            if not math.isfinite(raw):
                self.problem(at, f"must be a finite number, found {raw}")
                return _BAD
            raw = float(raw)
        elif tp is dt.date:
            if isinstance(raw, dt.datetime) or not isinstance(raw, dt.date):
                hint = " (write a TOML date without quotes: 2020-01-05)" if isinstance(raw, str) else ""
                return self.wrong(at, "a date", raw, hint)
        elif tp is dt.time and not isinstance(raw, dt.time):
            hint = " (write a TOML time without quotes: 21:30:00)" if isinstance(raw, str) else ""
            return self.wrong(at, "a time", raw, hint)
        lo, hi = spec.minimum, spec.maximum
        if (lo is not None and raw < lo) or (hi is not None and raw > hi):
            self.problem(at, _range_message(raw, lo, hi))
            return _BAD
        return raw

    def text(self, raw: str, at: str, spec: model.FieldSpec) -> None:
        if not raw.strip():
            self.problem(at, "must not be empty")
        if spec.one_line and ("\n" in raw or "\r" in raw):
            self.problem(at, "must be one line")
        if _CONTROL.search(raw):
            self.problem(at, "contains a control character")
        if spec.max_length and len(raw) > spec.max_length:
            self.problem(at, f"is longer than {spec.max_length} characters")
        if spec.pattern and not re.fullmatch(spec.pattern, raw):
            self.problem(at, f'"{_clip(raw)}" does not match {spec.pattern}')

    def choice(self, tp: type[enum.Enum], raw: Any, at: str) -> Any:
        if not isinstance(raw, str):
            return self.wrong(at, "a string", raw)
        try:
            return tp(raw)
        except ValueError:
            allowed = [str(m.value) for m in tp]
            hint = suggest(raw, allowed) or f" (one of: {', '.join(allowed)})"
            self.problem(at, f'"{_clip(raw)}" is not allowed{hint}')
            return _BAD

    def wrong(self, at: str, expected: str, raw: Any, hint: str = "") -> Any:
        self.problem(at, f"expected {expected}, found {_type_name(raw)}{hint}")
        return _BAD


def _partial(cls: type, values: dict[str, Any]) -> Any:
    """Build a record from its usable values: a required field left out is None (see `Decoded`)."""
    unset = dataclasses.MISSING
    left_out = {f.name: None for f in dataclasses.fields(cls) if f.name not in values and f.default is unset}
    return cls(**left_out, **values)


_BAD: Any = object()
_TOP_LEVEL = frozenset(f.name for f in dataclasses.fields(model.Entry))
_CONTROL = re.compile(f"[{model.CONTROL}]")


def _clip(text: str, width: int = 40) -> str:
    text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= width else text[: width - 3] + "..."


def _range_message(value: Any, lo: Any, hi: Any) -> str:
    if lo is not None and hi is not None and abs(hi) < 1_000_000:  # a scale: 0..7, -90..90
        return f"{value} is out of range {lo}..{hi}"
    if lo is not None and value < lo:
        return f"{value} is below the minimum {lo}"
    return f"{value} is above the maximum {hi:,}"


@dataclasses.dataclass(frozen=True, slots=True)
class Decoded:
    """What decoding found: the entry (None if a required field is unusable), every problem,
    and, for the checks that span fields, the entry built from the usable fields (`partial`,
    whose unusable required fields are None) with the paths of the fields left out (`bad`).
    """

    entry: model.Entry | None
    problems: list[Problem]
    partial: model.Entry | None
    bad: frozenset[str]


def decode(
    raw: Any, *, entry_id: str, path: str = "", line_of: LineOf = _no_line
) -> tuple[model.Entry | None, list[Problem]]:
    """Turn parsed TOML into an Entry; return it (None if unusable) and every problem."""
    found = decode_all(raw, entry_id=entry_id, path=path, line_of=line_of)
    return found.entry, found.problems


def decode_all(raw: Any, *, entry_id: str, path: str = "", line_of: LineOf = _no_line) -> Decoded:
    """Turn parsed TOML into an Entry, keeping what is usable of an invalid one (see `Decoded`)."""
    # The file name is the id; a written `id` must be a string (equality is checks.id_problems').
    decoder = _Decoder(path, line_of, {"id": entry_id})
    if isinstance(raw, dict) and "id" in raw and not isinstance(raw["id"], str):
        decoder.wrong("id", "a string", raw["id"])
    entry = decoder.record(model.Entry, raw, "")
    partial = entry if entry is not None else decoder.partial.get("")
    return Decoded(entry, decoder.problems, partial, frozenset(decoder.bad))


# -- encoding ---------------------------------------------------------------------------


def encode(record: Any, *, json: bool = False) -> Any:
    """Return a record as plain data in canonical key order; dates as ISO strings if `json`.

    Unset optional fields and empty lists are left out, so TOML output stays minimal.
    """
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        out: dict[str, Any] = {}
        for name, _, _ in shapes.fields(type(record)):
            value = getattr(record, name)
            if value is None or value == ():
                continue
            out[name] = encode(value, json=json)
        return out
    if isinstance(record, tuple | list):
        return [encode(v, json=json) for v in record]
    if isinstance(record, enum.Enum):
        return record.value
    if json and isinstance(record, dt.date | dt.time):
        return record.isoformat()
    return record


def to_toml_data(entry: model.Entry) -> dict[str, Any]:
    """Return the data a file holds for `entry` (no `id`: the file name carries it)."""
    data = encode(entry)
    data.pop("id", None)
    return typing.cast(dict[str, Any], data)


def to_json(entry: model.Entry, path: str) -> dict[str, Any]:
    """Return the documented JSON form of an entry: id, path, fields, derived category.

    Equal to `encode(entry, json=True)` with `path` and `category` added, but planned once per
    record class: the index writes 100,000 of these on a cold build.
    """
    out: dict[str, Any] = {"id": entry.id, "path": path}
    for name, write in _writers(model.Entry):
        value = getattr(entry, name)
        if value is None or value == () or name == "id":
            continue
        out[name] = write(value)
        if name == "type":
            out["category"] = entry.category.value
    return out


#: the one JSON writer for records (what `json.dumps(..., ensure_ascii=False)` writes, faster)
JSON_ENCODER = JSONEncoder(ensure_ascii=False, check_circular=False)


def json_text(entry: model.Entry, path: str) -> str:
    """Return `to_json(entry, path)` as JSON text (the form the index stores)."""
    return JSON_ENCODER.encode(to_json(entry, path))


@functools.cache
def _writers(cls: type) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """Return, per field of a model class, how `encode(json=True)` writes its value."""
    return tuple((name, _writer(tp)) for name, tp, _ in shapes.fields(cls))


def _writer(tp: Any) -> Callable[[Any], Any]:
    shape = shape_of(tp)
    if shape.kind == "sequence":
        item = _writer(shape.inner)
        return lambda values: [item(v) for v in values]
    if shape.kind in ("record", "count"):
        cls = typing.cast(type, shape.inner)
        if shape.kind == "count":
            return lambda v: v if isinstance(v, int) else _write_record(v, cls)
        return lambda v: _write_record(v, cls)
    if shape.kind == "enum":
        return lambda v: v.value
    if shape.inner in (dt.date, dt.time):
        return lambda v: v.isoformat()
    return _same


def _write_record(record: Any, cls: type) -> dict[str, Any]:
    out = {}
    for name, write in _writers(cls):
        value = getattr(record, name)
        if value is not None and value != ():
            out[name] = write(value)
    return out


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


def _same(value: Any) -> Any:
    return value


def _converter(tp: Any) -> Callable[[Any], Any]:
    shape = shape_of(tp)
    if shape.kind == "count":  # a table is the record, a number stays as it is
        read = _reader(shape.inner)
        return lambda value: read(value) if isinstance(value, dict) else value
    if shape.kind == "sequence":
        item = _converter(shape.inner)
        return lambda values: tuple(item(v) for v in values)
    if shape.kind == "record":
        return _reader(shape.inner)
    if shape.kind == "enum":
        return typing.cast(Callable[[Any], Any], shape.inner)
    if shape.inner is dt.date:
        return dt.date.fromisoformat
    if shape.inner is dt.time:
        return dt.time.fromisoformat
    return _same


# -- JSON Schema and docs -----------------------------------------------------------------

_ENTRY_ONLY = {"id"}  # allowed in files, but described as derived


def _scalar_schema(tp: Any, spec: model.FieldSpec) -> dict[str, Any]:
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        values = [str(m.value) for m in tp]
        schema: dict[str, Any] = {"type": "string", "enum": values}
        doc = (tp.__doc__ or "").strip()
        schema["x-taplo"] = {"docs": {"enumValues": [f"{v}" + (f": {doc}" if doc else "") for v in values]}}
        return schema
    if tp is str:
        schema = {"type": "string", "minLength": 1}
        if spec.pattern:
            schema["pattern"] = spec.pattern
        if spec.max_length:
            schema["maxLength"] = spec.max_length
        return schema
    if tp is int:
        schema = {"type": "integer"}
    elif tp is float:
        schema = {"type": "number"}
    elif tp is dt.date:
        return {"type": "string", "format": "date"}
    elif tp is dt.time:
        return {"type": "string", "format": "time"}
    else:  # pragma: no cover - the model uses no other scalar types
        raise TypeError(f"no JSON Schema for {tp!r}")
    if spec.minimum is not None:
        schema["minimum"] = spec.minimum
    if spec.maximum is not None:
        schema["maximum"] = spec.maximum
    return schema


def _field_schema(tp: Any, spec: model.FieldSpec) -> dict[str, Any]:
    shape = shape_of(tp)
    if shape.kind == "sequence":
        schema: dict[str, Any] = {"type": "array", "items": _field_schema(shape.inner, spec)}
        if spec.min_items:
            schema["minItems"] = spec.min_items
        return schema
    if shape.kind == "count":
        return {"oneOf": [_scalar_schema(int, spec), {"$ref": f"#/definitions/{shape.inner.__name__}"}]}
    if shape.kind == "record":
        return {"$ref": f"#/definitions/{shape.inner.__name__}"}
    return _scalar_schema(shape.inner, spec)


def _object_schema(cls: type) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, tp, spec in shapes.fields(cls):
        prop = _field_schema(tp, spec)
        prop = {"description": spec.doc, **prop}
        properties[name] = prop
        if spec.required and name not in _ENTRY_ONLY:
            required.append(name)
    schema: dict[str, Any] = {
        "type": "object",
        "description": (cls.__doc__ or "").strip(),
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    return schema


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema (Draft 7, editor-friendly) of an entry file."""
    root = _object_schema(model.Entry)
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://incident-ledger.invalid/entry.schema.json",
        "title": "incident-ledger entry",
        **root,
        "definitions": {cls.__name__: _object_schema(cls) for cls in shapes.records(model.Entry)},
    }


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
    return {str: "string", int: "integer", float: "number", dt.date: "date", dt.time: "time"}[shape.inner]


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
