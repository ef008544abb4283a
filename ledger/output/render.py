"""Plain rows in, text out. The caller says whether the stream is a terminal.

The output formats are a registry (`FORMATS`): `render_rows(rows, columns, fmt, stream,
is_tty)` writes rows (mappings of column -> value) in one of them. Entry text is untrusted:
terminal control characters never reach the stream in the text formats (table, tsv,
markdown, ids) nor in JSON written to a terminal; CSV cells that a spreadsheet would run as a
formula are neutralised; TSV escapes tabs and newlines so one record stays one line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TextIO

from ledger.core import model
from ledger.core.escapes import TSV_SPECIAL
from ledger.core.flat import neutralise  # the one formula guard; `flat.restore` undoes it

# C0 and C1 controls except tab and newline, DEL, and bidi overrides that can disguise text.
_CONTROL = re.compile(rf"[{model.CONTROL}\r]")
# What JSON leaves raw but a terminal would act on (C0 controls are always escaped by json).
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

Row = Mapping[str, Any]
FORMATS = ("table", "tsv", "csv", "json", "jsonl", "markdown", "ids")


def clean(text: str) -> str:
    """Strip terminal control characters (escape sequences stay visible as text, harmless)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else "", text)


def default_format(is_tty: bool) -> str:
    """Return the format used when none is asked for: a table for people, TSV for pipes."""
    return "table" if is_tty else "tsv"


def check_format(fmt: str, allowed: Sequence[str] = FORMATS) -> str:
    """Return the format if known, else raise UsageError naming the choices."""
    if fmt in allowed:
        return fmt
    from ledger.core.errors import not_one_of

    raise not_one_of("--format", fmt, allowed)


def cell(value: Any) -> str:
    """Return a value as one line of plain text (lists joined, None empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=False)
    return str(value)


def json_safe(text: str) -> str:
    """Escape, inside JSON text, the characters a terminal would act on."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# -- the formats ---------------------------------------------------------------------------


def _tsv_escape(text: str) -> str:
    return clean(text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r"))


# Anything `_tsv_escape` would change but a tab: most rows have none, and are written as they are.
_TSV_SPECIAL = TSV_SPECIAL


def _tsv(rows: Iterable[Row], columns: Sequence[str], out: TextIO, is_tty: bool, header: bool) -> None:
    _tsv_values((map(row.get, columns) for row in rows), columns, out, header)


def _tsv_values(rows: Iterable[Iterable[Any]], columns: Sequence[str], out: TextIO, header: bool) -> None:
    if header:
        out.write("\t".join(columns) + "\n")
    special = _TSV_SPECIAL.search
    write = out.write
    tabs = len(columns) - 1  # a line with more holds a tab inside a cell
    for values in rows:
        cells = ["" if v is None else v if type(v) is str else str(v) if type(v) is int else cell(v) for v in values]
        line = "\t".join(cells)
        if line.count("\t") != tabs or special(line):
            line = "\t".join(map(_tsv_escape, cells))
        write(line + "\n")


def tsv_special(line: str) -> bool:
    """Return whether a TSV line holds something `tsv_line` would escape but a tab."""
    return _TSV_SPECIAL.search(line) is not None


def tsv_line(values: Iterable[Any]) -> str:
    """Return one TSV line (no newline) of a row's values, as `render_values` writes it."""
    cells = ["" if v is None else v if type(v) is str else str(v) if type(v) is int else cell(v) for v in values]
    line = "\t".join(cells)
    if line.count("\t") != len(cells) - 1 or _TSV_SPECIAL.search(line):
        line = "\t".join(map(_tsv_escape, cells))
    return line


def _csv(rows: Iterable[Row], columns: Sequence[str], out: TextIO, is_tty: bool, header: bool) -> None:
    import csv

    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180: CRLF
    fix: Callable[[str], str] = (lambda s: clean(neutralise(s))) if is_tty else neutralise
    if header:
        writer.writerow(columns)
    for row in rows:
        values = []
        for c in columns:
            value = row.get(c)
            values.append(value if isinstance(value, int | float) and not isinstance(value, bool) else fix(cell(value)))
        writer.writerow(values)


def _json_value(row: Row, columns: Sequence[str] | None) -> dict[str, Any]:
    return dict(row) if columns is None else {c: row.get(c) for c in columns}


def _json(rows: Iterable[Row], columns: Sequence[str] | None, out: TextIO, is_tty: bool, header: bool) -> None:
    write_json_texts((json.dumps(_json_value(r, columns), ensure_ascii=False) for r in rows), "json", out, is_tty)


def _jsonl(rows: Iterable[Row], columns: Sequence[str] | None, out: TextIO, is_tty: bool, header: bool) -> None:
    write_json_texts((json.dumps(_json_value(r, columns), ensure_ascii=False) for r in rows), "jsonl", out, is_tty)


def write_json_texts(texts: Iterable[str], fmt: str, out: TextIO, is_tty: bool) -> None:
    """Write already-serialised JSON records as a JSON array (one per line) or JSON lines."""
    safe = json_safe if is_tty else None
    if fmt == "jsonl":
        for text in texts:
            out.write((safe(text) if safe else text) + "\n")
        return
    first = True
    for text in texts:
        out.write(("[\n" if first else ",\n") + (safe(text) if safe else text))
        first = False
    out.write("[]\n" if first else "\n]\n")


def _ids(rows: Iterable[Row], columns: Sequence[str], out: TextIO, is_tty: bool, header: bool) -> None:
    for row in rows:
        out.write(clean(cell(row.get("id"))) + "\n")


def _markdown(rows: Iterable[Row], columns: Sequence[str], out: TextIO, is_tty: bool, header: bool) -> None:
    def md(value: Any) -> str:
        text = cell(value).replace("\\", "\\\\").replace("|", "\\|").replace("\t", " ")
        return clean(text.replace("\r\n", "<br>").replace("\n", "<br>").replace("\r", "<br>"))

    # A Markdown table needs its header row; --no-header has nothing to leave out.
    out.write("| " + " | ".join(md(c) for c in columns) + " |\n")
    out.write("|" + "|".join("---" for _ in columns) + "|\n")
    for row in rows:
        out.write("| " + " | ".join(md(row.get(c)) for c in columns) + " |\n")


def _table(
    rows: Iterable[Row], columns: Sequence[str], out: TextIO, is_tty: bool, header: bool, width: int | None = None
) -> None:
    import tabulate as tabulate_module

    cells = [[clean(cell(row.get(c))).replace("\n", " ").replace("\t", " ") for c in columns] for row in rows]
    if not cells:
        return
    headers = [clean(c) for c in columns] if header else []
    if width:
        cells, headers = fit(cells, headers, width)
    align = ["right" if c in _NUMERIC else "left" for c in columns]
    # tabulate pads a column whose header is its widest cell by two more; the fitted widths are exact.
    tabulate_module.MIN_PADDING = 0
    text = tabulate_module.tabulate(cells, headers=headers, tablefmt="simple", colalign=align, disable_numparse=True)
    out.write(text + "\n")


_NUMERIC = {"escalation", "killed", "injured", "lat", "lon", "#", "change", "days", "count", "max_escalation"}
_NUMBER_LIKE = re.compile(r"[-+0-9.,:/ ]*")  # numbers, dates and times: cut last
_GAP = 2  # columns between two columns of tabulate's "simple" table


def display_width(text: str) -> int:
    """Return how many terminal cells `text` takes: wide CJK and emoji 2, combining marks 0."""
    import wcwidth

    found = wcwidth.wcswidth(text)
    return found if found >= 0 else sum(max(wcwidth.wcwidth(c), 0) for c in text)


def truncate(text: str, cells: int) -> str:
    """Return `text` cut to at most `cells` terminal cells, ending in an ellipsis when cut."""
    if display_width(text) <= cells:
        return text
    if cells <= 1:
        return "…"[:cells]
    import wcwidth

    out: list[str] = []
    used = 0
    for char in text:
        size = max(wcwidth.wcwidth(char), 0)
        if used + size > cells - 1:
            break
        out.append(char)  # a combining mark (size 0) stays with the character before it
        used += size
    return "".join(out) + "…"


def fit(cells: list[list[str]], headers: list[str], width: int) -> tuple[list[list[str]], list[str]]:
    """Cut cells (and, as a last resort, headers) with an ellipsis so the table fits `width` cells.

    Widths are measured in terminal cells. The widest text column is cut first, down to the
    width of the next widest, and so on, no text column below its header (at most 12 cells);
    numbers and dates are cut only when the text columns alone cannot make room.
    """
    count = len(cells[0])
    heads = headers or [""] * count
    widths = [max([display_width(r[i]) for r in cells] + [display_width(heads[i])]) for i in range(count)]
    room = width - _GAP * (count - 1)
    text = [i for i in range(count) if any(not _NUMBER_LIKE.fullmatch(r[i]) for r in cells)]

    def shrink(candidates: Sequence[int], floor: Callable[[int], int]) -> None:
        while sum(widths) > room:
            able = [i for i in candidates if widths[i] > floor(i)]
            if not able:
                return
            widest = max(able, key=lambda i: widths[i])
            others = [widths[i] for i in able if i != widest]
            target = max(floor(widest), widths[widest] - (sum(widths) - room), max(others, default=0))
            widths[widest] = min(target, widths[widest] - 1)

    shrink(text, lambda i: min(max(display_width(heads[i]), 4), 12))
    shrink(range(count), lambda i: 2)
    cut = [[truncate(v, widths[i]) for i, v in enumerate(r)] for r in cells]
    return cut, [truncate(h, widths[i]) for i, h in enumerate(headers)]


_WRITERS: dict[str, Callable[..., None]] = {
    "table": _table,
    "tsv": _tsv,
    "csv": _csv,
    "json": _json,
    "jsonl": _jsonl,
    "markdown": _markdown,
    "ids": _ids,
}


def render_rows(
    rows: Iterable[Row],
    columns: Sequence[str] | None,
    fmt: str,
    stream: TextIO,
    is_tty: bool,
    header: bool = True,
    width: int | None = None,
) -> None:
    """Write rows in a format of FORMATS; columns None means whole records (json/jsonl only).

    `width` (a terminal's columns) lets the table clip long cells to fit.
    """
    writer = _WRITERS[check_format(fmt)]
    if columns is None and fmt not in ("json", "jsonl", "ids"):
        raise ValueError(f"format {fmt} needs columns")
    if fmt == "table":
        _table(rows, columns or (), stream, is_tty, header, width)
    else:
        writer(rows, columns, stream, is_tty, header)


def render_values(
    rows: Iterable[Sequence[Any]], columns: Sequence[str], fmt: str, stream: TextIO, is_tty: bool, header: bool = True
) -> None:
    """Write rows given as values in `columns` order; the same text as `render_rows` of their mappings.

    TSV is written from the values directly (no mapping made per row).
    """
    if check_format(fmt) == "tsv":
        _tsv_values(rows, columns, stream, header)
    else:
        render_rows((dict(zip(columns, values, strict=True)) for values in rows), columns, fmt, stream, is_tty, header)


# -- one entry, laid out for reading (ledger show) ------------------------------------------


def _count(value: Any) -> str:
    if isinstance(value, dict):
        low, high = value.get("low"), value.get("high")
        span = f" ({low if low is not None else '?'}-{high if high is not None else '?'})" if low or high else ""
        return f"{value.get('best')}{span}"
    return str(value)


def entry_lines(record: Mapping[str, Any], labels: Sequence[str]) -> list[tuple[str, str]]:
    """Return (label, text) pairs describing an entry's JSON record, in reading order."""
    r = record
    lines: list[tuple[str, str]] = []
    when = r["date"] + (f" to {r['date_end']}" if r.get("date_end") else "")
    details = [r[k] for k in ("date_precision", "time", "time_of_day") if r.get(k)]
    if r.get("as_reported"):
        details.append(f'"{r["as_reported"]}"')
    lines.append(("date", when + (f" ({', '.join(details)})" if details else "")))
    lines.append(("type", f"{r['type']} ({r['category']})"))
    level = r["escalation"]
    lines.append(("escalation", f"{level} {labels[level] if 0 <= level < len(labels) else ''}".rstrip()))
    lines.append(("confidence", r["confidence"]))
    if r.get("status") == "withdrawn":
        extra = f"; duplicate of {r['duplicate_of']}" if r.get("duplicate_of") else ""
        lines.append(("status", f"withdrawn: {r.get('withdrawn_reason', '')}{extra}"))
    loc = r["location"]
    place = ", ".join(str(loc[k]) for k in ("name", "admin2", "admin1", "country") if loc.get(k))
    if loc.get("description"):
        place += f" ({loc['description']})"
    lines.append(("location", place))
    if loc.get("lat") is not None:
        lines.append(("", f"{loc['lat']}, {loc['lon']}" + (f" ({loc['precision']})" if loc.get("precision") else "")))
    actors = r.get("actors", {})
    label = "actors"
    for part in ("perpetrators", "targets", "associated"):
        if actors.get(part):
            how = f" ({actors['attribution']})" if part == "perpetrators" and actors.get("attribution") else ""
            lines.append((label, f"{part}: {', '.join(actors[part])}{how}"))
            label = ""
    casualties = r.get("casualties", {})
    counts = [f"{k} {_count(casualties[k])}" for k in ("killed", "injured") if k in casualties]
    if casualties.get("note"):
        counts.append(f'"{casualties["note"]}"')
    if counts:
        lines.append(("casualties", "; ".join(counts)))
    for key, name in (("responds_to", "responds to"), ("related", "related"), ("aliases", "aliases")):
        for i, value in enumerate(r.get(key, [])):
            lines.append((name if i == 0 else "", value))
    if r.get("tags"):
        lines.append(("tags", ", ".join(r["tags"])))
    for i, source in enumerate(r.get("sources", [])):
        grade = "".join(str(source[k]) for k in ("reliability", "credibility") if source.get(k))
        head = ", ".join(x for x in (source.get("name"), source.get("published"), grade) if x)
        lines.append(("sources" if i == 0 else "", head))
        if source.get("url"):
            lines.append(("", f"  {source['url']}"))
        if source.get("quote"):
            lines.append(("", f'  "{source["quote"]}"'))
        if source.get("capture"):
            lines.append(("", f"  captured {source.get('captured', '')}: {source['capture']}"))
        if source.get("archive_url"):
            lines.append(("", f"  archived: {source['archive_url']}"))
    return lines


def render_entry(record: Mapping[str, Any], labels: Sequence[str], stream: TextIO, width: int = 100) -> None:
    """Write one entry laid out for reading: title, id and path, fields, then the summary."""
    import textwrap

    out = [clean(str(record["title"])), clean(f"{record['id']}  ({record['path']})"), ""]
    for label, text in entry_lines(record, labels):
        body = clean(str(text)).replace("\n", " ")
        out.append(f"{label:<12}  {body}".rstrip())
    summary = record.get("summary")
    if summary:
        out.append("")
        for paragraph in clean(str(summary)).strip().splitlines():
            wrapped = textwrap.wrap(paragraph, max(width - 2, 20)) or [""]
            out.extend("  " + line for line in wrapped)
    stream.write("\n".join(out) + "\n")


class ProgressBar:
    """A progress bar on a terminal stream (the caller checks that it is a terminal)."""

    def __init__(self, stream: TextIO, label: str, every: float = 0.1) -> None:
        self.stream = stream
        self.label = label
        self.every = every
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        import time

        now = time.monotonic()
        if done < total and now - self.last < self.every:
            return
        self.last = now
        share = done / total if total else 1.0
        bar = "#" * int(share * 30)
        self.stream.write(f"\r{self.label} {done:>9,}/{total:,} [{bar:<30}] {share:4.0%}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def invalid_left_out(count: int) -> str:
    """`ledger: 2 invalid entry files left out (see `ledger validate`)`: what a query or export did not answer from."""
    return f"ledger: {plural(count, 'invalid entry file')} left out (see `ledger validate`)"


def plural(count: int, one: str, many: str | None = None) -> str:
    """Return `1 entry`, `2 entries`."""
    return f"{count} {one if count == 1 else many or one + 's'}"
