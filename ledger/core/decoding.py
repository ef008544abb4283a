"""TOML data -> records, checked against the model: every problem collected, none raised.

`decode` returns the entry (None if it is unusable) and every problem found; `decode_all`
also keeps what is usable of an invalid entry for the checks. Valid values take per-field
fast paths planned once per record class; anything else takes the careful road that names
the trouble.
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
_OPEN = re.compile(r"\[\^|\.|\\[SWDPXs]")  # what lets a pattern match characters it does not list


def _quick(tp: Any, spec: model.FieldSpec) -> Any:
    """Return a cheap test that a raw value is valid as it stands (None: no fast path)."""
    lo, hi = spec.minimum, spec.maximum
    if tp is str:
        limit = spec.max_length or 0
        chars = _LINE_CHARS if spec.one_line else _TEXT_CHARS
        if spec.pattern and not _OPEN.search(spec.pattern):  # only listed characters (ids, slugs): no control
            good = re.compile(spec.pattern).fullmatch
        elif spec.pattern:  # [^\s], [^\\]: also what `text` checks (no control character, not blank)
            good = re.compile(rf"(?=\s*\S)(?={chars}*\Z)(?:{spec.pattern})").fullmatch
        else:  # not blank, no control character (nor a line break in one line)
            good = re.compile(rf"(?=\s*\S){chars}+").fullmatch
        return lambda v: type(v) is str and good(v) is not None and (not limit or len(v) <= limit)
    if tp is int:
        return lambda v: type(v) is int and (lo is None or v >= lo) and (hi is None or v <= hi)
    if tp is float:  # the model bounds every float; NaN and inf fail here and take the careful road
        low, high = (-math.inf if lo is None else lo), (math.inf if hi is None else hi)
        return lambda v: type(v) is float and low <= v <= high and math.isfinite(v)
    if tp in (dt.date, dt.time):
        return lambda v: type(v) is tp
    if tp is dt.datetime:
        return lambda v: type(v) is dt.datetime and v.tzinfo is not None
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


def quick_plan(cls: type) -> tuple[tuple[str, Any, model.FieldSpec, str, Any], ...]:
    """Return (name, type, spec, kind, fast check) per field: the checks a valid value passes as it stands.

    A value passing its fast check is kept as it is, with no problem (the index's direct rows
    rely on it: index/direct.py); None for kinds checked by the careful road only.
    """
    return _plan(cls)


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
        if low is None and high is None:
            return est.best  # `{ best = 5 }` is the count 5: one value, one form
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
        elif tp is dt.datetime:
            if not isinstance(raw, dt.datetime):
                hint = " (write a TOML offset date-time without quotes: 2020-01-05T21:30:00Z)"
                return self.wrong(at, "an offset date-time", raw, hint if isinstance(raw, str) else "")
            if raw.tzinfo is None:
                self.problem(at, f"{raw.isoformat()} has no UTC offset (write 2020-01-05T21:30:00Z or +03:00)")
                return _BAD
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
