"""The JSON Schemas derived from `model`: of an entry file, and of an output record.

Both are draft-07 with `definitions` (what Taplo, Tombi, VS Code and check-jsonschema read).
The entry schema says every rule of `validate` that draft-07 can say: types, enums, ranges,
patterns, one-line text without control characters, `lat` with `lon` (`dependencies`), the
country codes (`enum`), `withdrawn_reason`/`duplicate_of` only with `status = "withdrawn"`
(`if`/`then`/`else`). `NOT_EXPRESSIBLE` names the rules it cannot say; `core/checks.py` keeps
them. The output schema describes the records of `list`/`show`/`export --format json|jsonl`:
the same fields plus `path` and `category`, dates as ISO strings, and every casualty count in
one shape, `{"best", "low", "high"}` (`schema.count_json`).

Text patterns are written for both regex dialects in use: ECMA-262 (editors) and Python's
`re.search` (jsonschema), whose `$` also matches before a final newline; so "no newline, no
control character" is said as `not: {pattern: "[...]"}`, which reads the same in both.
"""

from __future__ import annotations

import datetime as dt
import typing
from typing import Any

from ledger.core import model, shapes
from ledger.core.countries import CODES

DRAFT = "http://json-schema.org/draft-07/schema#"
NESTED = shapes.records(model.Entry)

#: Rules of `validate` (errors) that draft-07 cannot say; `checks.py` and the decoder hold them.
NOT_EXPRESSIBLE = (
    "id: the file name is a valid id and equals a written `id` (the schema never sees the file name)",
    "date_end is on or after date (draft-07 cannot compare two values)",
    "date and date_end are not in the future (the schema has no clock)",
    "casualty ranges: low <= best <= high (draft-07 cannot compare two values)",
    "responds_to / related do not name the entry itself (needs the file name)",
    "links name existing, not later entries and form no cycle; ids are unique (the whole ledger)",
    "lat / lon are finite numbers (TOML nan and inf; JSON has neither)",
    "TOML types JSON lacks: a date written as a quoted string, an integer written as 4.0 (JSON sees the same value)",
)

_TEXT_BAD = f"[{model.CONTROL}]"  # what no text holds
_LINE_BAD = f"[{model.CONTROL}\\n\\r]"  # what no one-line text holds


def _text(spec: model.FieldSpec) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    one_line = spec.one_line or spec.pattern
    schema["pattern"] = spec.pattern or r"\S"  # a pattern, or at least one visible character
    if spec.max_length:
        schema["maxLength"] = spec.max_length
    schema["not"] = {"pattern": _LINE_BAD if one_line else _TEXT_BAD}
    return schema


def _scalar(tp: Any, spec: model.FieldSpec) -> dict[str, Any]:
    if tp is str:
        if spec.pattern == model.COUNTRY_PATTERN:
            return {"type": "string", "enum": sorted(CODES)}
        return _text(spec)
    if tp is dt.datetime:  # a TOML offset date-time (the decoder refuses one without an offset)
        return {"type": "string", "format": "date-time"}
    if tp is dt.date:
        return {"type": "string", "format": "date"}
    if tp is dt.time:
        # RFC 3339 partial-time: JSON Schema's "time" demands an offset that a TOML local time
        # lacks (Taplo rejects 21:30:00 under it); Tombi reads partial-time as a TOML local time.
        return {"type": "string", "format": "partial-time"}
    if tp not in (int, float):  # pragma: no cover - the model uses no other scalar types
        raise TypeError(f"no JSON Schema for {tp!r}")
    schema: dict[str, Any] = {"type": "integer" if tp is int else "number"}
    if spec.minimum is not None:
        schema["minimum"] = spec.minimum
    if spec.maximum is not None:
        schema["maximum"] = spec.maximum
    return schema


def _enum(tp: Any) -> dict[str, Any]:
    values = [str(m.value) for m in tp]
    doc = (tp.__doc__ or "").strip()
    return {
        "type": "string",
        "enum": values,
        "x-taplo": {"docs": {"enumValues": [f"{v}" + (f": {doc}" if doc else "") for v in values]}},
    }


def _field(tp: Any, spec: model.FieldSpec, output: bool) -> dict[str, Any]:
    shape = shapes.shape_of(tp)
    if shape.kind == "sequence":
        schema: dict[str, Any] = {"type": "array", "items": _field(shape.inner, spec, output)}
        if spec.min_items:
            schema["minItems"] = spec.min_items
        return schema
    if shape.kind == "count":
        if output:
            return {"$ref": "#/definitions/Count"}
        return {"oneOf": [_scalar(int, spec), {"$ref": f"#/definitions/{shape.inner.__name__}"}]}
    if shape.kind == "record":
        return {"$ref": f"#/definitions/{typing.cast(type, shape.inner).__name__}"}
    if shape.kind == "enum":
        return _enum(shape.inner)
    return _scalar(shape.inner, spec)


def _object(cls: type, output: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, tp, spec in shapes.fields(cls):
        properties[name] = {"description": spec.doc, **_field(tp, spec, output)}
        if (spec.required and name != "id") or (output and name == "id"):  # a file's id is its name
            required.append(name)
        if output and cls is model.Entry and name == "id":
            properties["path"] = {"description": "the entry file, relative to the ledger", "type": "string"}
            required.append("path")
        if output and cls is model.Entry and name == "type":
            properties["category"] = {
                "description": "the event family of the type (derived)",
                **_enum(model.Category),
            }
            required.append("category")
    schema: dict[str, Any] = {
        "type": "object",
        "description": (cls.__doc__ or "").strip(),
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    if cls is model.Location:  # give both lat and lon, or neither
        schema["dependencies"] = {"lat": ["lon"], "lon": ["lat"]}
    if cls is model.Entry:  # withdrawn_reason and duplicate_of only on a withdrawn entry, which needs a reason
        schema["if"] = {"properties": {"status": {"const": "withdrawn"}}, "required": ["status"]}
        schema["then"] = {"required": ["withdrawn_reason"]}
        schema["else"] = {"not": {"anyOf": [{"required": ["withdrawn_reason"]}, {"required": ["duplicate_of"]}]}}
    return schema


def _document(output: bool) -> dict[str, Any]:
    definitions = {cls.__name__: _object(cls, output) for cls in NESTED}
    if output:
        del definitions["Estimate"]
        count = {"type": ["integer", "null"], "minimum": 0, "maximum": model.COUNT_MAX}
        definitions["Count"] = {
            "type": "object",
            "description": "a casualty count: the best estimate and, when known, its range (else null)",
            "properties": {
                "best": {"description": "best estimate", "type": "integer", "minimum": 0, "maximum": model.COUNT_MAX},
                "low": {"description": "lowest credible count, or null", **count},
                "high": {"description": "highest credible count, or null", **count},
            },
            "required": ["best", "low", "high"],
            "additionalProperties": False,
        }
    name = "output" if output else "entry"
    return {
        "$schema": DRAFT,
        "$id": f"https://incident-ledger.invalid/{name}.schema.json",
        "title": "incident-ledger output record" if output else "incident-ledger entry",
        **_object(model.Entry, output),
        "definitions": definitions,
    }


def entry_schema() -> dict[str, Any]:
    """Return the JSON Schema of an entry file (TOML data as an editor sees it: dates as strings)."""
    return _document(output=False)


def output_schema() -> dict[str, Any]:
    """Return the JSON Schema of one output record (`list`/`show`/`export` as JSON or JSON Lines)."""
    return _document(output=True)
