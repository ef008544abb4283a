"""Reading entries: one file's bytes or text -> parsed, decoded, checked (`Loaded`); pure but for `load_file`."""

from __future__ import annotations

import datetime as dt
import gc
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.core import checks, model, schema
from ledger.core.errors import Problem, Severity
from ledger.store import files


@dataclass(frozen=True, slots=True)
class Loaded:
    """One entry file after reading, parsing and decoding."""

    rel: str
    id: str
    entry: model.Entry | None
    problems: tuple[Problem, ...] = ()
    partial: model.Entry | None = None  # an invalid entry's usable fields (for ledger-wide checks)

    @property
    def ok(self) -> bool:
        return self.entry is not None and not any(p.severity is Severity.ERROR for p in self.problems)


def load_text(rel: str, text: str, today: dt.date | None = None) -> Loaded:
    """Parse and check one entry's text (pure: no filesystem)."""
    raw, problem = files.parse_toml(rel, text)
    return load_parsed(rel, text, raw, problem, today)


def load_parsed(rel: str, text: str, raw: Any, problem: Problem | None, today: dt.date | None = None) -> Loaded:
    """Check one entry's parsed text (`files.parse_toml`'s answer: the data, or None and the problem)."""
    entry_id = files.stem(rel)
    if raw is None:
        return Loaded(rel, entry_id, None, (problem,) if problem else ())
    line_of = _LazyLines(text)
    written_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    problems = checks.id_problems(rel, entry_id, written_id, line_of)
    decoded = schema.decode_all(raw, entry_id=entry_id, path=rel, line_of=line_of)
    problems.extend(decoded.problems)
    if decoded.partial is not None:  # every problem of a file in one run, also of an invalid one
        problems.extend(checks.entry_problems(decoded.partial, rel, line_of, today or dt.date.today(), decoded.bad))
    partial = decoded.partial if decoded.entry is None else None
    return Loaded(rel, entry_id, decoded.entry, tuple(problems), partial)


def load_bytes(rel: str, data: bytes, today: dt.date | None = None) -> Loaded:
    """Decode, parse and check one entry's bytes (as read from disk or from git)."""
    text, problem = files.decode_bytes(rel, data)
    if text is None:
        return Loaded(rel, files.stem(rel), None, (problem,) if problem else ())
    return load_text(rel, text, today)


class _LazyLines:
    """Locate keys only when a problem needs a line number."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.finder: Any = None

    def __call__(self, field_path: str) -> int:
        if self.finder is None:
            self.finder = files.line_finder(self.text)
        return int(self.finder(field_path))


def load_file(root: Path, rel: str, today: dt.date | None = None) -> Loaded:
    """Read, parse and check one entry file of the ledger (what is not one, by `files.entry_problem`, is never opened)."""
    plain = _read_plain(root, rel)
    if plain is not None:
        text, problem = plain
        return (
            load_text(rel, text, today)
            if text is not None
            else Loaded(rel, files.stem(rel), None, (problem,) if problem else ())
        )
    odd = files.entry_problem(root, rel)
    if odd is not None:
        return Loaded(rel, files.stem(rel), None, (odd,))
    text, problem = files.read_text(root, rel)
    if text is None:
        return Loaded(rel, files.stem(rel), None, (problem,) if problem else ())
    return load_text(rel, text, today)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # 0 where there is no such flag (Windows)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def _read_plain(root: Path, rel: str) -> tuple[str | None, Problem | None] | None:
    """Read an entry file that is a plain regular file (what `entry_problem` passes at once), else None.

    One open without following a final link does what `entry_problem`'s lstat and `read_text`
    do for the common file; None (a link, a folder, a FIFO, no such flag here, a trouble)
    leaves the file to the careful road, which names what it is.
    """
    if not _NOFOLLOW:
        return None
    try:
        fd = os.open(f"{root}/{rel}", os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except OSError:
        return None
    try:
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
    except OSError:
        regular = False
    if not regular:
        os.close(fd)
        return None
    return files.read_at(rel, rel, fd)


def load_rels(rels: list[str], *, root: Path, today: dt.date) -> list[Loaded]:
    return [load_file(root, rel, today) for rel in rels]


# The index holds what a file is, whatever the day: "in the future" is for `validate`.
INDEX_DAY = dt.date.max


def index_row(item: tuple[str, int, int, int], loaded: Loaded | None) -> Any:
    """Return the index row of one entry file: the one decision of the live index and of `--as-of`.

    Both build their rows here, so a committed tree gets the same rows, valid or not, either
    way; `loaded` must come from `load_file` or `load_bytes` with `INDEX_DAY` (None: a file
    that is not an entry, such as a broken link: an invalid row, counted as left out).
    """
    from ledger import index

    entry, ok = (loaded.entry, loaded.ok) if loaded is not None else (None, False)
    return index.row_of(item, entry, ok)


def file_rows(items: list[tuple[int, str, int, int, int]], *, root: Path) -> list[tuple[int, Any]]:
    """Read entry files of the ledger into numbered index rows (in worker processes for many).

    The collector is paused meanwhile: the rows are tuples of text and numbers, it finds no
    cycles in them, and its passes cost about 2% of a cold build.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        out = []
        for rowid, rel, size, mtime_ns, inode in items:
            item = (rel, size, mtime_ns, inode)
            plain = _read_plain(root, rel)
            if plain is None or plain[0] is None:  # not a plain file, or unreadable: the careful road
                out.append((rowid, index_row(item, load_file(root, rel, INDEX_DAY))))
            else:
                out.append((rowid, text_row(item, plain[0])))
        return out
    finally:
        if paused:
            gc.enable()


def text_row(item: tuple[str, int, int, int], text: str) -> Any:
    """Return the index row of an entry file's text: written straight from the parsed TOML when
    it is plainly valid (`index.direct`), else by decoding and checking it (`index_row`)."""
    from ledger.index.direct import direct_row

    rel = item[0]
    raw, problem = files.parse_toml(rel, text)
    row = direct_row(item, raw) if raw is not None else None
    return row if row is not None else index_row(item, load_parsed(rel, text, raw, problem, INDEX_DAY))


def blob_rows(triples: list[tuple[str, str, bytes | None]]) -> list[tuple[str, Any]]:
    """Parse blobs of a revision into index rows by blob id (`--as-of`; in worker processes for many).

    None for data: not an entry file at that revision (a broken link, a folder): an invalid row.
    """
    paused = gc.isenabled()
    gc.disable()  # as `file_rows`: rows of text and numbers, no cycles for it to find
    try:
        out = []
        for rel, blob, data in triples:
            item = (rel, len(data or b""), 0, 0)
            text = files.decode_bytes(rel, data)[0] if data is not None else None
            if text is None:  # not an entry file, or bytes that are not text: the careful road
                out.append((blob, index_row(item, load_bytes(rel, data, INDEX_DAY) if data is not None else None)))
            else:  # plainly valid TOML written straight to its row, as the live build does
                out.append((blob, text_row(item, text)))
        return out
    finally:
        if paused:
            gc.enable()


def load_outside(path: Path, rel: str, today: dt.date | None) -> Loaded:
    """Read, parse and check a file named explicitly, wherever it lies (a FIFO is refused, not waited on)."""
    text, problem = files.read_at(path, rel)
    if text is None:
        return Loaded(rel, files.stem(rel), None, (problem,) if problem else ())
    return load_text(rel, text, today)


def with_line(problem: Problem, line: int) -> Problem:
    return Problem(problem.path, line, problem.field, problem.message, problem.severity)


def relative(root: Path, path: str | os.PathLike[str]) -> str:
    """Return where a path lies in the ledger, however spelled (as given if it lies outside)."""
    rel = files.rel_of(root, path)
    return rel if rel is not None else Path(path).as_posix()
