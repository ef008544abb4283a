"""What each type in the model is, said once: every walker over the model asks `shape_of`.

Decoding and encoding (`schema`), the JSON Schema and the field table, the flat CSV form
(`flat`) and the TOML layout (`store.canonical`) all walk the model's field types. They ask
here rather than inspecting `typing` themselves, so the one rule that is not plain - a union
of `int` and a record is a *count*, a number that may carry its range as a table
(`int | Estimate`) - is written in one place, and it names the record from the model.

>>> from ledger.core import model
>>> shape_of(int | model.Estimate | None)
Shape(kind='count', inner=<class 'ledger.core.model.Estimate'>, optional=True)
>>> shape_of(tuple[str, ...])
Shape(kind='sequence', inner=<class 'str'>, optional=False)
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from typing import Any, Literal

from ledger.core import model

Kind = Literal["scalar", "enum", "record", "sequence", "count"]


@dataclasses.dataclass(frozen=True, slots=True)
class Shape:
    """A field type classified: `inner` is the scalar type, the enum, the record class, the
    item type of a sequence, or the record of a count; `optional` when None is allowed."""

    kind: Kind
    inner: Any
    optional: bool


def strip_optional(tp: Any) -> Any:
    """Return `X` for `X | None` (a type that is not optional comes back as it is)."""
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in args:
        rest = tuple(a for a in args if a is not type(None))
        return rest[0] if len(rest) == 1 else functools.reduce(lambda a, b: a | b, rest)
    return tp


@functools.cache
def shape_of(tp: Any) -> Shape:
    """Classify a model field type once: scalar, enum, record, sequence (of an item) or count."""
    bare = strip_optional(tp)
    optional = bare is not tp
    origin = typing.get_origin(bare)
    if origin is tuple:
        return Shape("sequence", typing.get_args(bare)[0], optional)
    if origin in (typing.Union, types.UnionType):
        members = typing.get_args(bare)
        records = [m for m in members if dataclasses.is_dataclass(m)]
        if len(members) == 2 and int in members and len(records) == 1:
            return Shape("count", records[0], optional)
        raise TypeError(f"the model has no rule for the union {bare!r}")
    if dataclasses.is_dataclass(bare):
        return Shape("record", bare, optional)
    if isinstance(bare, type) and issubclass(bare, enum.Enum):
        return Shape("enum", bare, optional)
    return Shape("scalar", bare, optional)


def record_of(tp: Any) -> type | None:
    """Return the record class a field's tables hold (a record, a list of them, a count's range)."""
    shape = shape_of(tp)
    if shape.kind == "sequence":
        shape = shape_of(shape.inner)
    return typing.cast(type, shape.inner) if shape.kind in ("record", "count") else None


@functools.cache
def hints(cls: type) -> dict[str, Any]:
    """Return the resolved field types of a model class."""
    return typing.get_type_hints(cls)


@functools.cache
def fields(cls: type) -> tuple[tuple[str, Any, model.FieldSpec], ...]:
    """Return (name, type, spec) for each field of a model class, in canonical order."""
    types_ = hints(cls)
    return tuple((f.name, types_[f.name], model.spec_of(f)) for f in dataclasses.fields(cls))


def records(cls: type = model.Entry) -> tuple[type, ...]:
    """Return the record classes reachable from `cls` (itself excluded), in field order."""
    found: list[type] = []

    def walk(owner: type) -> None:
        for _, tp, _ in fields(owner):
            inner = record_of(tp)
            if inner is not None and inner not in found:
                found.append(inner)
                walk(inner)

    walk(cls)
    return tuple(found)
