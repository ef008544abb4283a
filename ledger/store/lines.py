"""Where keys are in an entry file's text: the line numbers problems point at.

`key_lines` maps every dotted key path (`location.lat`, `sources[1].url`) to its line;
`line_finder` answers for a field path, falling back to the nearest enclosing key. Only the
few files with problems pay for this.
"""

from __future__ import annotations

import re
from typing import Any

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*([A-Za-z0-9_\-]+|"[^"]*"|'[^']*')\s*(?:\.\s*[A-Za-z0-9_\-"']+\s*)*=""")
_INLINE_KEY = re.compile(r"""[{,]\s*([A-Za-z0-9_\-]+)\s*=""")
_STRING_ITEM = re.compile(r""""(?:[^"\\]|\\.)*"|'[^']*'""")


def key_lines(text: str) -> dict[str, int]:
    """Map dotted field paths (`location.lat`, `sources[1].name`) to the line defining them.

    Items of arrays of strings get their own lines (`responds_to[1]`), also when the array
    spans several lines.
    """
    lines: dict[str, int] = {}
    table = ""
    counts: dict[str, int] = {}
    in_multiline: str | None = None
    array: tuple[str, int] | None = None  # (path, items seen) of an open multi-line array
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        if array is not None:
            path, seen = array
            for _ in _STRING_ITEM.finditer(line):
                lines.setdefault(f"{path}[{seen}]", number)
                seen += 1
            array = None if "]" in _STRING_ITEM.sub("", line) else (path, seen)
            continue
        header = _HEADER.match(line)
        if header:
            name = _dotted(header.group(2))
            if header.group(1) == "[[":
                index = counts.get(name, -1) + 1
                counts[name] = index
                table = f"{name}[{index}]"
                lines.setdefault(name, number)
            else:
                table = name
            lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            name = key.group(1).strip("\"'")
            path = f"{table}.{name}" if table else name
            lines.setdefault(path, number)
            rest = line[key.end() :]
            for inner in _INLINE_KEY.finditer(rest):
                lines.setdefault(f"{path}.{inner.group(1)}", number)
            if rest.lstrip().startswith("["):
                items = list(_STRING_ITEM.finditer(rest))
                for i, _ in enumerate(items):
                    lines.setdefault(f"{path}[{i}]", number)
                if "]" not in _STRING_ITEM.sub("", rest):
                    array = (path, len(items))
                continue
        for quote in ('"""', "'''"):
            if line.count(quote) % 2 == 1:
                in_multiline = quote
                break
    return lines


_KEY_PART = re.compile(r"""\s*("[^"]*"|'[^']*'|[^."']+)\s*(?:\.|$)""")


def _dotted(key: str) -> str:
    """Return a table header's dotted key with quotes and the blanks around parts removed."""
    parts = [m.group(1).strip() for m in _KEY_PART.finditer(key)]
    return ".".join(p[1:-1] if p[:1] in "\"'" and len(p) > 1 else p for p in parts)


def line_finder(text: str) -> Any:
    """Return a function from field path to line, falling back to the enclosing key."""
    lines = key_lines(text)

    def line_of(field: str) -> int:
        path = field
        while path:
            if path in lines:
                return lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return 1

    return line_of
