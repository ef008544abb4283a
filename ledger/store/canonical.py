"""The one TOML layout of an entry file, and the check that a rewrite loses nothing.

`ledger new`, `ledger import` and `ledger fmt` all write this layout:

- top-level keys first, in the field order of `model.Entry`; then the tables `[location]`,
  `[actors]`, `[casualties]` (keys in model order); then one `[[sources]]` table per source;
- a blank line before each table; an array on one line when the line fits in 100 characters,
  else one item per line; casualty ranges as inline tables `{ best = 3, low = 2, high = 5 }`;
- values as tomli-w writes them: TOML dates and times (never quoted strings), multi-line text
  as a `\"\"\"` string.

Keys the model does not know keep their relative order after the known ones: nothing is dropped.

Comments are kept where it can be done safely: a whole-line comment moves with the key or
table header it precedes, a comment at the end of a line stays at the end of that key's line,
a comment block at the top of the file that is followed by a blank line stays at the top, and
comments after the last key stay at the end. A comment inside a multi-line array has no safe
place: such a file is refused. `reformat` re-parses what it made and compares data and comments
before it says yes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ledger.core import model, shapes
from ledger.store.comments import Line, place, scan

LINE_WIDTH = 100
Loads = Callable[[str], dict[str, Any]]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


# -- the layout ----------------------------------------------------------------------------


def dumps(data: Mapping[str, Any]) -> str:
    """Return entry data (as parsed, or from `schema.to_toml_data`) as canonical TOML text."""
    return _join(_layout(data))


def _join(lines: list[Line]) -> str:
    return "".join(line.text + "\n" for line in lines)


def _layout(data: Mapping[str, Any]) -> list[Line]:
    items = _ordered(data, model.Entry)
    lines = [Line(k, _assign(k, v)) for k, v in items if not isinstance(v, dict) and not _is_aot(v)]
    for key, table in ((k, v) for k, v in items if isinstance(v, dict)):
        lines.extend(_table(f"[{_key(key)}]", f"table:{key}", key, table, _nested(model.Entry, key), bool(lines)))
    for key, tables in ((k, v) for k, v in items if _is_aot(v)):
        cls = _nested(model.Entry, key)
        for i, table in enumerate(tables):
            lines.extend(_table(f"[[{_key(key)}]]", f"table:{key}[{i}]", f"{key}[{i}]", table, cls, bool(lines)))
    return lines


def _table(header: str, anchor: str, prefix: str, table: Mapping[str, Any], cls: type | None, gap: bool) -> list[Line]:
    lines = [Line(None, "")] if gap else []
    lines.append(Line(anchor, header))
    lines.extend(Line(f"{prefix}.{k}", _assign(k, v, cls)) for k, v in _ordered(table, cls))
    return lines


def _assign(key: str, value: Any, owner: type | None = None) -> str:
    """Return `key = value`, the array on one line if it fits, else one item per line."""
    head = f"{_key(key)} = "
    if isinstance(value, list | tuple) and value:  # even one item is broken out when too long (as Taplo does)
        one_line = head + _value(value)
        if len(one_line) <= LINE_WIDTH:
            return one_line
        return head + "[\n" + "".join(f"    {_value(item)},\n" for item in value) + "]"
    return head + _value(value, multiline=True, cls=_nested(owner, key) if owner else None)


def _value(value: Any, *, multiline: bool = False, cls: type | None = None) -> str:
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in _ordered(value, cls)) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, str):
        if multiline and "\n" in value:
            return _text_block(value)
        if not _NEEDS_ESCAPE.search(value):
            return f'"{value}"'  # what tomli-w writes for such text, without its per-call cost
    elif isinstance(value, bool):
        return "true" if value else "false"
    elif type(value) in (int, float, dt.date, dt.time):
        return str(value)  # as tomli-w writes them (dates and times ISO, floats by repr)
    import tomli_w  # the writer is needed only when writing

    return tomli_w.dumps({"v": value})[len("v = ") : -1]


_NEEDS_ESCAPE = re.compile(r'[\x00-\x08\x0a-\x1f\x7f"\\]')


def _text_block(text: str) -> str:
    """Return a multi-line basic string that escapes only what it must (tomli-w escapes every quote)."""
    out = ['"""\n']
    quotes = 0
    for i, char in enumerate(text):
        if char == '"':
            # A third quote in a row, or one just before the closing delimiter, must be escaped.
            quotes += 1
            if quotes == 3 or i == len(text) - 1:
                out.append('\\"')
                quotes = 0
            else:
                out.append(char)
            continue
        quotes = 0
        if char == "\\":
            out.append("\\\\")
        elif char in "\n\t" or (char >= " " and char != "\x7f"):
            out.append(char)
        else:  # carriage returns and other controls stay visible as escapes
            out.append(f"\\u{ord(char):04x}")
    out.append('"""')
    return "".join(out)


@functools.lru_cache(maxsize=256)
def _key(key: str) -> str:
    if _BARE_KEY.fullmatch(key):
        return key
    import tomli_w

    return tomli_w.dumps({key: 0})[: -len(" = 0\n")]


def _is_aot(value: Any) -> bool:
    return isinstance(value, list | tuple) and bool(value) and all(isinstance(v, dict) for v in value)


def _ordered(table: Mapping[str, Any], cls: type | None) -> list[tuple[str, Any]]:
    """Return the items of a table: known fields in model order, then the rest as found."""
    names = _field_names(cls) if cls else ()
    known = [(name, table[name]) for name in names if name in table]
    return known + [(k, v) for k, v in table.items() if k not in names]


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


@functools.cache
def _nested(cls: type | None, name: str) -> type | None:
    """Return the model class of a field's tables (Location for `location`, Source for `sources`)."""
    if cls is None or name not in _field_names(cls):
        return None
    return shapes.record_of(shapes.hints(cls)[name])


# -- "does the rewrite lose anything?" --------------------------------------------------------


def same_data(a: Any, b: Any) -> bool:
    """Return whether two parsed TOML documents hold exactly the same data (types included)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_data(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)


@dataclass(frozen=True, slots=True)
class Reformatted:
    """The canonical text of a file, or why it cannot safely be rewritten."""

    text: str | None
    refused: str = ""


def reformat(text: str, loads: Loads | None = None) -> Reformatted:
    """Return the canonical layout of TOML text, keeping its comments, or the reason not to."""
    loads = loads or _tomllib_loads
    return rewrite(text, loads(text), loads)


def rewrite(text: str, data: Mapping[str, Any], loads: Loads | None = None) -> Reformatted:
    """Return new data for a file in the canonical layout, keeping the comments of its old `text`.

    The writer of `fmt`, for commands that change entries (`archive`, `merge`): the result
    is refused unless it parses back to exactly `data` and holds every comment of `text`.
    """
    loads = loads or _tomllib_loads
    found = scan(text)
    if found is None:
        return Reformatted(None, "could not be read for comments")
    if found.inner:
        return Reformatted(
            None, f"has a comment inside a multi-line value (line {found.inner[0]}); comments kept as they are"
        )
    lines = _layout(data)
    if found.comments:
        placed = place(lines, found)
        if isinstance(placed, str):
            return Reformatted(None, placed)
        lines = placed
    new = _join(lines)
    try:
        again_data = loads(new)
    except ValueError as err:
        return Reformatted(None, f"the rewritten text would not parse ({err})")
    if not same_data(again_data, data):
        return Reformatted(None, "the rewritten text would not hold the same data")
    again = scan(new)
    if again is None or again.inner or sorted(c.text for c in again.comments) != sorted(c.text for c in found.comments):
        return Reformatted(None, "its comments could not all be kept")
    return Reformatted(new)


def _tomllib_loads(text: str) -> dict[str, Any]:
    import tomllib

    return tomllib.loads(text)
