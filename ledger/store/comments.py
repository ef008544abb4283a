"""TOML comments: find them and the key or header each belongs to, and place them in new text.

`scan(text)` reads (valid) TOML text and returns its comments, each tied to the statement it
belongs to: a whole-line comment to the key or table header that follows it, a comment at the
end of a line to that line's key, a comment block at the top of the file that is followed by a
blank line to the file's start, comments after the last statement to its end. `place(lines,
found)` puts them into new text made of `Line`s that say which key or header they write.
Comments inside multi-line values are reported (`Scan.inner`): they have no safe place.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class Line:
    """A line of new text and what it writes."""

    anchor: str | None  # the key path ("location.name") or "table:NAME" it writes; None for blank lines
    text: str  # without the final newline; a multi-line value spans several lines


@dataclass(slots=True)
class Comment:
    """One comment of the text and the statement it belongs to."""

    line: int
    text: str  # from "#" to the end of the line, trailing blanks removed
    trailing: bool  # written after a key or header on the same line
    anchor: str = "END"  # the statement it belongs to; "START" / "END" for the file's ends
    blank_before: bool = False
    blank_after: bool = False


@dataclass(slots=True)
class Scan:
    """The comments of a text."""

    comments: list[Comment]
    inner: list[int]  # lines of comments inside multi-line values (cannot be placed)


class _Scanner:
    """Find the comments of (valid) TOML text and the key or header each belongs to."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.line = 1
        self.table = ""
        self.counts: dict[str, int] = {}
        self.comments: list[Comment] = []
        self.inner: list[int] = []
        self.pending: list[Comment] = []
        self.last_line = 0  # the last line holding a statement or a comment
        self.first_statement = True

    def run(self) -> Scan:
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
        return Scan(self.comments, self.inner)

    def comment(self, *, trailing: bool) -> Comment:
        end = self.text.find("\n", self.i)
        end = len(self.text) if end < 0 else end
        found = Comment(self.line, self.text[self.i : end].rstrip(), trailing)
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


def scan(text: str) -> Scan | None:
    """Return the comments of TOML text, or None if the text is not TOML as this scanner reads it."""
    try:
        return _Scanner(text).run()
    except (IndexError, ValueError):  # not TOML as this scanner reads it: make no promise
        return None


def place(lines: list[Line], found: Scan) -> list[Line] | str:
    """Put each comment before (or after) the line of its key; return a reason when one has no place."""
    where: dict[str, int] = {line.anchor: i for i, line in enumerate(lines) if line.anchor is not None}
    before: dict[int, list[Comment]] = {}
    after: dict[int, Comment] = {}
    start: list[Comment] = []
    end: list[Comment] = []
    for comment in found.comments:
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
    out: list[Line] = []
    _emit(out, start)
    for i, line in enumerate(lines):
        _emit(out, before.get(i, []))
        if i in after:
            line = Line(line.anchor, f"{line.text}  {after[i].text}")
        out.append(line)
    _emit(out, end)
    return out


def _emit(out: list[Line], block: list[Comment]) -> None:
    for comment in block:
        if comment.blank_before and out and out[-1].text != "":
            out.append(Line(None, ""))
        out.append(Line(None, comment.text))
    if block and block[-1].blank_after:
        out.append(Line(None, ""))


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
