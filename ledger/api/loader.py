"""Reading entries: one file's bytes or text -> parsed, decoded, checked (`Loaded`); pure but for `load_file`."""

from __future__ import annotations

import datetime as dt
import os
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
    entry_id = files.stem(rel)
    raw, problem = files.parse_toml(rel, text)
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
    """Read, parse and check one entry file of the ledger."""
    text, problem = files.read_text(root, rel)
    if text is None:
        return Loaded(rel, files.stem(rel), None, (problem,) if problem else ())
    return load_text(rel, text, today)


def load_rels(rels: list[str], *, root: Path, today: dt.date) -> list[Loaded]:
    return [load_file(root, rel, today) for rel in rels]


def load_blobs(pairs: list[tuple[str, bytes | None]], *, today: dt.date) -> list[Loaded]:
    """Parse blobs read from git (None: a symbolic link, or a blob git did not give)."""
    out = []
    for rel, data in pairs:
        if data is None:
            problem = Problem(rel, 0, "", "is a symbolic link in git, not an entry file")
            out.append(Loaded(rel, files.stem(rel), None, (problem,)))
        else:
            out.append(load_bytes(rel, data, today))
    return out


def blob_rows(triples: list[tuple[str, str, bytes | None]]) -> list[tuple[str, Any]]:
    """Parse blobs of a revision into index rows by blob id (`--as-of`; in worker processes for many)."""
    from ledger import index

    out = []
    for rel, blob, data in triples:
        # date.max as in the live index: a revision's rows must not depend on today
        loaded = load_bytes(rel, data, dt.date.max) if data is not None else None
        entry, ok = (loaded.entry, loaded.ok) if loaded is not None else (None, False)
        out.append((blob, index.row_of((rel, len(data or b""), 0, 0), entry, ok)))
    return out


def load_outside(path: Path, rel: str, today: dt.date | None) -> Loaded:
    try:
        with open(path, "rb") as handle:
            data = handle.read(files.MAX_FILE_BYTES + 1)
    except OSError as err:
        return Loaded(rel, files.stem(rel), None, (Problem(rel, 0, "", f"cannot read: {err.strerror}"),))
    return load_bytes(rel, data, today)


def with_line(problem: Problem, line: int) -> Problem:
    return Problem(problem.path, line, problem.field, problem.message, problem.severity)


def relative(root: Path, path: str | os.PathLike[str]) -> str:
    """Return where a path lies in the ledger, however spelled (as given if it lies outside)."""
    rel = files.rel_of(root, path)
    return rel if rel is not None else Path(path).as_posix()
