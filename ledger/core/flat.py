"""The flat (CSV) form of an entry: one column per field, derived from the model.

Columns are the dotted field paths in model order (`location.lat`, `actors.perpetrators`),
plus the derived `category` after `type` and the file's `path` at the end. A casualty count
takes three columns (`casualties.killed`, `casualties.killed.low`, `casualties.killed.high`);
lists are joined with "; " (written as a JSON array instead when an item holds ";" or starts
with "["); `sources` is a JSON array of source objects. An empty cell is an absent field.
`unflatten` turns such a row back into entry data, leaving values it cannot convert as strings
so that validation names them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from collections.abc import Callable, Mapping
from typing import Any

from ledger.core import model, shapes
from ledger.core.shapes import shape_of

LIST_SEPARATOR = "; "


@dataclasses.dataclass(frozen=True, slots=True)
class Column:
    name: str  # dotted path, the CSV header
    kind: str  # str, int, float, date, time, list, json, best, low, high, derived
    item: type | None = None  # the record type of a `json` column


@functools.cache
def columns() -> tuple[Column, ...]:
    """Return the flat columns in order (derived from `model.Entry`)."""
    out: list[Column] = []
    _walk(model.Entry, "", out)
    return (*out, Column("path", "derived"))


def _walk(cls: type, prefix: str, out: list[Column]) -> None:
    for field, tp, _ in shapes.fields(cls):
        name = f"{prefix}{field}"
        shape = shape_of(tp)
        if shape.kind == "sequence":
            item = shapes.record_of(tp)
            out.append(Column(name, "json", item) if item is not None else Column(name, "list"))
        elif shape.kind == "count":  # the number, then its range
            out.extend(Column(n, k) for n, k in ((name, "best"), (f"{name}.low", "low"), (f"{name}.high", "high")))
        elif shape.kind == "record":
            _walk(shape.inner, f"{name}.", out)
        elif shape.kind == "enum":
            out.append(Column(name, "str"))
        else:
            out.append(Column(name, _SCALAR_KINDS[shape.inner]))
        if name == "type":
            out.append(Column("category", "derived"))


_SCALAR_KINDS = {str: "str", int: "int", float: "float", dt.date: "date", dt.time: "time"}


def flatten(record: Mapping[str, Any]) -> dict[str, Any]:
    """Return the flat row of an entry's JSON form (`schema.to_json`): column -> cell value."""
    return dict(zip(_names(), cells(record), strict=True))


def cells(record: Mapping[str, Any], guard: Callable[[str], str] | None = None) -> list[Any]:
    """Return the cells of an entry's JSON form in column order ("" for an absent field).

    The record's own keys are walked (a record holds a dozen of the forty columns), each
    found through a plan of the columns worked out once. `guard` is applied to every text
    cell that is set (e.g. `neutralise` for CSV).
    """
    row: list[Any] = [""] * len(_names())
    _fill(record, _plan(), row, guard)
    return row


@dataclasses.dataclass(frozen=True, slots=True)
class _Leaf:
    index: int
    kind: str


@dataclasses.dataclass(slots=True)
class _Count:  # a casualty count: the number, or {best, low, high}
    best: int = -1
    low: int = -1
    high: int = -1


_Plan = dict[str, "_Leaf | _Count | _Plan"]


@functools.cache
def _names() -> tuple[str, ...]:
    return tuple(c.name for c in columns())


@functools.cache
def _plan() -> _Plan:
    """Per key of a record, the column it fills (or the plan of a nested record)."""
    plan: _Plan = {}
    for index, column in enumerate(columns()):
        parts = column.name.removesuffix(".low").removesuffix(".high").split(".")
        node = plan
        for part in parts[:-1]:
            inner = node.setdefault(part, {})
            assert isinstance(inner, dict)
            node = inner
        if column.kind in ("best", "low", "high"):
            count = node.setdefault(parts[-1], _Count())
            assert isinstance(count, _Count)
            setattr(count, column.kind, index)
        else:
            node[parts[-1]] = _Leaf(index, column.kind)
    return plan


def _fill(record: Mapping[str, Any], plan: _Plan, row: list[Any], guard: Callable[[str], str] | None) -> None:
    for key, value in record.items():
        slot = plan.get(key)
        if slot is None or value is None:
            continue
        if type(slot) is dict:
            if type(value) is dict or isinstance(value, Mapping):
                _fill(value, slot, row, guard)
            continue
        if type(slot) is _Count:
            parts: tuple[tuple[int, Any], ...]
            if type(value) is dict or isinstance(value, Mapping):
                parts = ((slot.best, value.get("best")), (slot.low, value.get("low")), (slot.high, value.get("high")))
            else:
                parts = ((slot.best, value),)
            for index, part in parts:
                if part is not None and index >= 0:
                    row[index] = guard(part) if guard is not None and type(part) is str else part
            continue
        assert type(slot) is _Leaf
        kind = slot.kind
        if kind == "list":
            value = _join(value)
        elif kind == "json":
            value = json.dumps(value, ensure_ascii=False)
        row[slot.index] = guard(value) if guard is not None and type(value) is str else value


def _get(record: Mapping[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _join(items: list[str]) -> str:
    if any(";" in item or item.startswith("[") for item in items):
        return json.dumps(items, ensure_ascii=False)
    return LIST_SEPARATOR.join(items)


def unflatten(row: Mapping[str, str]) -> dict[str, Any]:
    """Return entry data (TOML types) from a flat row; unknown columns are kept for validation to report."""
    data: dict[str, Any] = {}
    known = {c.name: c for c in columns()}
    for name, cell in row.items():
        if name is None or cell is None or not str(cell).strip():
            continue
        column = known.get(name, Column(name, "str"))
        if column.kind == "derived":
            continue
        value = _convert(column, str(cell).strip() if column.kind != "str" else str(cell))
        if column.kind in ("low", "high"):
            key = name.rsplit(".", 1)[0]
            current = _get(data, key)
            estimate = dict(current) if isinstance(current, Mapping) else {}
            if current is not None and not isinstance(current, Mapping):
                estimate["best"] = current
            estimate[column.kind] = value
            _put(data, key, estimate)
        elif column.kind == "best" and isinstance(_get(data, name), Mapping):
            _put(data, name, {"best": value, **_get(data, name)})
        else:
            _put(data, name, value)
    return data


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value


def _convert(column: Column, cell: str) -> Any:
    kind = column.kind
    try:
        if kind in ("int", "best", "low", "high"):
            return int(cell)
        if kind == "float":
            return float(cell)
        if kind == "date":
            return dt.date.fromisoformat(cell)
        if kind == "time":
            return dt.time.fromisoformat(cell)
    except ValueError:
        return cell  # validation reports "expected an integer, found a string"
    if kind == "list":
        if cell.startswith("["):
            try:
                items = json.loads(cell)
            except ValueError:
                return cell
            return items
        return [item.strip() for item in cell.split(";") if item.strip()]
    if kind == "json":
        try:
            return revive(json.loads(cell), column.item)
        except ValueError:
            return cell
    return cell


def revive(value: Any, cls: type | None = None) -> Any:
    """Turn the ISO strings of JSON data into dates and times, guided by the model (tolerantly)."""
    if isinstance(value, list):
        return [revive(item, cls) for item in value]
    if not isinstance(value, dict):
        return value
    owner = cls or model.Entry
    hints = shapes.hints(owner) if dataclasses.is_dataclass(owner) else {}
    out: dict[str, Any] = {}
    for key, item in value.items():
        tp = hints.get(key)
        shape = None if tp is None else shape_of(tp)
        if shape is not None and shape.kind == "sequence":
            shape = shape_of(shape.inner)
        record = shape.inner if shape is not None and shape.kind in ("record", "count") else None
        scalar = shape.inner if shape is not None and shape.kind == "scalar" else None
        if isinstance(item, str) and scalar in (dt.date, dt.time, dt.datetime):
            try:
                item = scalar.fromisoformat(item)
            except ValueError:
                pass  # left as text: validation names it
        elif isinstance(item, dict | list) and record is not None:
            item = revive(item, record)
        out[key] = item
    return out


# -- CSV cells: formula neutralising that import can undo ---------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: Any) -> Any:
    """Return a CSV cell that a spreadsheet will not run as a formula: a `'` goes in front.

    Numbers stay numbers. A text that already starts with `'` gets one more, so that
    `restore` gives back exactly what was written.
    """
    if not isinstance(cell, str) or not cell:
        return cell
    if cell.startswith(_FORMULA_START) or cell.startswith("'"):
        return "'" + cell
    return cell


def restore(cell: str, *, strict: bool = True) -> str:
    """Undo `neutralise`; with `strict=False` remove a `'` only where it guards a formula start."""
    if cell.startswith("'") and (strict or cell[1:].startswith(_FORMULA_START)):
        return cell[1:]
    return cell
