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
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ledger import model

LINE_WIDTH = 100
Loads = Callable[[str], dict[str, Any]]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


# -- the layout ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Line:
    anchor: str | None  # the key path or "table:NAME" the line writes; None for a blank line
    text: str  # without the final newline; a multi-line value spans several lines


def dumps(data: Mapping[str, Any]) -> str:
    """Return entry data (as parsed, or from `schema.to_toml_data`) as canonical TOML text."""
    return _join(_layout(data))


def _join(lines: list[_Line]) -> str:
    return "".join(line.text + "\n" for line in lines)


def _layout(data: Mapping[str, Any]) -> list[_Line]:
    items = _ordered(data, model.Entry)
    lines = [_Line(k, _assign(k, v)) for k, v in items if not isinstance(v, dict) and not _is_aot(v)]
    for key, table in ((k, v) for k, v in items if isinstance(v, dict)):
        lines.extend(_table(f"[{_key(key)}]", f"table:{key}", key, table, _nested(model.Entry, key), bool(lines)))
    for key, tables in ((k, v) for k, v in items if _is_aot(v)):
        cls = _nested(model.Entry, key)
        for i, table in enumerate(tables):
            lines.extend(_table(f"[[{_key(key)}]]", f"table:{key}[{i}]", f"{key}[{i}]", table, cls, bool(lines)))
    return lines


def _table(header: str, anchor: str, prefix: str, table: Mapping[str, Any], cls: type | None, gap: bool) -> list[_Line]:
    lines = [_Line(None, "")] if gap else []
    lines.append(_Line(anchor, header))
    lines.extend(_Line(f"{prefix}.{k}", _assign(k, v, cls)) for k, v in _ordered(table, cls))
    return lines


def _assign(key: str, value: Any, owner: type | None = None) -> str:
    """Return `key = value`, the array on one line if it fits, else one item per line."""
    head = f"{_key(key)} = "
    if isinstance(value, list | tuple) and len(value) > 1:
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
    tp = typing.get_type_hints(cls)[name]
    candidates = [tp]
    while candidates:
        tp = candidates.pop()
        if dataclasses.is_dataclass(tp):
            return typing.cast(type, tp)
        if typing.get_origin(tp) in (typing.Union, types.UnionType, tuple):
            candidates.extend(typing.get_args(tp))
    return None


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
    data = loads(text)
    scan = _scan(text)
    if scan is None:
        return Reformatted(None, "could not be read for comments")
    if scan.inner:
        return Reformatted(
            None, f"has a comment inside a multi-line value (line {scan.inner[0]}); comments kept as they are"
        )
    lines = _layout(data)
    if scan.comments:
        placed = _place_comments(lines, scan)
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
    again = _scan(new)
    if again is None or again.inner or sorted(c.text for c in again.comments) != sorted(c.text for c in scan.comments):
        return Reformatted(None, "its comments could not all be kept")
    return Reformatted(new)


def _tomllib_loads(text: str) -> dict[str, Any]:
    import tomllib

    return tomllib.loads(text)


# -- comments ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Comment:
    line: int
    text: str  # from "#" to the end of the line, trailing blanks removed
    trailing: bool  # written after a key or header on the same line
    anchor: str = "END"  # the statement it belongs to; "START" / "END" for the file's ends
    blank_before: bool = False
    blank_after: bool = False


@dataclass(slots=True)
class _Scan:
    comments: list[_Comment]
    inner: list[int]  # lines of comments inside multi-line values (cannot be placed)


class _Scanner:
    """Find the comments of (valid) TOML text and the key or header each belongs to."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.line = 1
        self.table = ""
        self.counts: dict[str, int] = {}
        self.comments: list[_Comment] = []
        self.inner: list[int] = []
        self.pending: list[_Comment] = []
        self.last_line = 0  # the last line holding a statement or a comment
        self.first_statement = True

    def run(self) -> _Scan:
        text, n = self.text, len(self.text)
        while self.i < n:
            c = text[self.i]
            if c == "\n":
                self.line += 1
                self.i += 1
            elif c in " \t\r":
                self.i += 1
            elif c == "#":
                self.comment(trailing=False)
            else:
                self.statement()
        for comment in self.pending:
            comment.anchor = "END"
        return _Scan(self.comments, self.inner)

    def comment(self, *, trailing: bool) -> _Comment:
        end = self.text.find("\n", self.i)
        end = len(self.text) if end < 0 else end
        found = _Comment(self.line, self.text[self.i : end].rstrip(), trailing)
        self.i = end
        if not trailing:
            found.blank_before = self.item(self.line)
            self.pending.append(found)
        self.comments.append(found)
        return found

    def item(self, line: int) -> bool:
        """Note that a comment or statement starts on `line`; return whether a blank line precedes it."""
        gap = self.last_line > 0 and line > self.last_line + 1
        if self.pending:
            self.pending[-1].blank_after = gap
        self.last_line = line
        return gap

    def statement(self) -> None:
        self.item(self.line)
        if self.text[self.i] == "[":
            anchor = self.header()
        else:
            parts = self.key_path("=")
            self.i += 1  # "="
            anchor = ".".join([self.table, *parts]) if self.table else ".".join(parts)
            self.value()
        if self.first_statement:
            self.first_statement = False
            block = [c for c in self.pending if c.blank_after]
            if block:  # a comment block set off from the first key is the file's header
                cut = self.pending.index(block[-1]) + 1
                for comment in self.pending[:cut]:
                    comment.anchor = "START"
                self.pending = self.pending[cut:]
        for comment in self.pending:
            comment.anchor = anchor
        self.pending = []
        self.last_line = self.line
        self.rest_of_line(anchor)

    def header(self) -> str:
        double = self.text.startswith("[[", self.i)
        self.i += 2 if double else 1
        name = ".".join(self.key_path("]"))
        self.i += 2 if double else 1
        if double:
            index = self.counts[name] = self.counts.get(name, -1) + 1
            name = f"{name}[{index}]"
        self.table = name
        return f"table:{name}"

    def key_path(self, stop: str) -> list[str]:
        text, parts = self.text, []
        while True:
            while text[self.i] in " \t":
                self.i += 1
            c = text[self.i]
            if c in "\"'":
                start = self.i
                self.skip_string()
                parts.append(_unquote(text[start : self.i]))
            else:
                match = _BARE_KEY.match(text, self.i)
                if match is None:
                    raise ValueError(f"unexpected {c!r} in a key at line {self.line}")
                parts.append(match.group())
                self.i = match.end()
            while text[self.i] in " \t":
                self.i += 1
            if text[self.i] == ".":
                self.i += 1
            elif text.startswith(stop, self.i):
                return parts
            else:
                raise ValueError(f"unexpected {text[self.i]!r} after a key at line {self.line}")

    def value(self) -> None:
        text, n, depth = self.text, len(self.text), 0
        while self.i < n:
            c = text[self.i]
            if c in "\"'":
                self.skip_string()
            elif c in "[{":
                depth += 1
                self.i += 1
            elif c in "]}":
                depth -= 1
                self.i += 1
            elif c == "#" and depth > 0:
                self.inner.append(self.line)
                self.comment(trailing=True)
            elif c == "\n":
                if depth <= 0:
                    return
                self.line += 1
                self.i += 1
            elif c == "#":
                return
            else:
                self.i += 1

    def rest_of_line(self, anchor: str) -> None:
        text, n = self.text, len(self.text)
        while self.i < n and text[self.i] in " \t\r":
            self.i += 1
        if self.i < n and text[self.i] == "#":
            self.comment(trailing=True).anchor = anchor

    def skip_string(self) -> None:
        text, quote = self.text, self.text[self.i]
        if text.startswith(quote * 3, self.i):
            self.i += 3
            while not text.startswith(quote * 3, self.i):
                if text[self.i] == "\\" and quote == '"':
                    self.i += 1
                if text[self.i] == "\n":
                    self.line += 1
                self.i += 1
            while text.startswith(quote, self.i + 3):  # up to two quotes belong to the text
                self.i += 1
            self.i += 3
            return
        self.i += 1
        while text[self.i] != quote:
            if text[self.i] == "\\" and quote == '"':
                self.i += 1
            self.i += 1
        self.i += 1


def _unquote(key: str) -> str:
    if key.startswith("'") or "\\" not in key:
        return key[1:-1]
    import tomllib

    return str(next(iter(tomllib.loads(f"{key} = 0"))))


def _scan(text: str) -> _Scan | None:
    try:
        return _Scanner(text).run()
    except (IndexError, ValueError):  # not TOML as this scanner reads it: make no promise
        return None


def _place_comments(lines: list[_Line], scan: _Scan) -> list[_Line] | str:
    """Put each comment before (or after) the line of its key; return a reason when one has no place."""
    where: dict[str, int] = {line.anchor: i for i, line in enumerate(lines) if line.anchor is not None}
    before: dict[int, list[_Comment]] = {}
    after: dict[int, _Comment] = {}
    start: list[_Comment] = []
    end: list[_Comment] = []
    for comment in scan.comments:
        if comment.anchor == "START":
            start.append(comment)
            continue
        if comment.anchor == "END":
            end.append(comment)
            continue
        if comment.trailing and comment.anchor in where:
            after[where[comment.anchor]] = comment
            continue
        index = _resolve(comment.anchor, where)
        if index is None:
            return f"has a comment on line {comment.line} whose place cannot be kept"
        if comment.trailing:
            comment = dataclasses.replace(comment, trailing=False, blank_before=False, blank_after=False)
        before.setdefault(index, []).append(comment)
    out: list[_Line] = []
    _emit(out, start)
    for i, line in enumerate(lines):
        _emit(out, before.get(i, []))
        if i in after:
            line = _Line(line.anchor, f"{line.text}  {after[i].text}")
        out.append(line)
    _emit(out, end)
    return out


def _emit(out: list[_Line], block: list[_Comment]) -> None:
    for comment in block:
        if comment.blank_before and out and out[-1].text != "":
            out.append(_Line(None, ""))
        out.append(_Line(None, comment.text))
    if block and block[-1].blank_after:
        out.append(_Line(None, ""))


def _resolve(anchor: str, where: Mapping[str, int]) -> int | None:
    """Find the line for a key or header the new layout writes differently (a table as inline, ...)."""
    path = anchor.removeprefix("table:")
    while path:
        for candidate in (path, f"table:{path}"):
            if candidate in where:
                return where[candidate]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None
