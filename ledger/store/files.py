"""The filesystem edge: find the ledger, walk `entries/`, read files safely, parse TOML.

Every hostile case (binary, invalid UTF-8, huge, symlink out of the ledger, a directory
named `x.toml`, unreadable) becomes a Problem, never an exception.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.core.errors import LedgerError, Problem
from ledger.store.lines import key_lines as key_lines
from ledger.store.lines import line_finder as line_finder

ENTRIES = "entries"
CONFIG = "ledger.toml"
MAX_FILE_BYTES = 1_000_000  # an entry is about 1 KB; anything near 1 MB is not an entry
_TOML_ERROR_AT = re.compile(r"\(?at line (\d+),? column (\d+)\)?")


def find_root(start: Path | None = None, explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the ledger directory: explicit (--ledger / LEDGER_DIR) or found upwards."""
    if explicit is None:
        explicit = os.environ.get("LEDGER_DIR") or None
    if explicit is not None:
        root = Path(explicit).expanduser()
        if not root.is_dir():
            raise LedgerError(f"ledger directory not found: {root.as_posix()}")
        if not (root / ENTRIES).is_dir() and not (root / CONFIG).is_file():
            raise LedgerError(f"not a ledger: no {ENTRIES}/ or {CONFIG} in {root.as_posix()}")
        return root.resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ENTRIES).is_dir() or (folder / CONFIG).is_file():
            return folder
    raise LedgerError(f"no ledger here: no {ENTRIES}/ or {CONFIG} in {here} or above (use --ledger DIR)")


@dataclass(frozen=True, slots=True)
class FileStat:
    """What the index compares to notice an edit without reading the file."""

    rel: str  # path relative to the ledger root, with forward slashes
    size: int
    mtime_ns: int  # the later of mtime and ctime: a restored mtime cannot hide an edit
    inode: int


def walk(root: Path, problems: list[Problem] | None = None) -> Iterator[FileStat]:
    """Yield every regular `*.toml` file under entries/, sorted; report oddities to problems."""
    base = root / ENTRIES
    if not base.is_dir():
        return
    yield from _walk_dir(root, base, problems)


def _walk_dir(root: Path, folder: Path, problems: list[Problem] | None) -> Iterator[FileStat]:
    try:
        with os.scandir(folder) as it:
            items = sorted(it, key=lambda e: e.name)
    except OSError as err:
        if problems is not None:
            problems.append(Problem(_rel(root, folder), 0, "", f"cannot read folder: {err.strerror}"))
        return
    for item in items:
        if item.name.startswith("."):
            continue
        rel = _rel(root, Path(item.path))
        if item.is_symlink():
            if item.name.endswith(".toml") or _is_dir_link(item.path):
                report = entry_problem(root, rel, Path(item.path))
                if report is not None and problems is not None:
                    problems.append(report)
                if report is None and item.name.endswith(".toml"):
                    st = _stat(item.path)
                    if st is not None:
                        yield FileStat(rel, st.st_size, max(st.st_mtime_ns, st.st_ctime_ns), st.st_ino)
            continue
        if item.is_dir(follow_symlinks=False):
            if item.name.endswith(".toml") and problems is not None:
                problems.append(Problem(rel, 0, "", IS_FOLDER))
            yield from _walk_dir(root, Path(item.path), problems)
        elif item.name.endswith(".toml"):
            try:
                st = item.stat(follow_symlinks=False)
            except OSError as err:
                if problems is not None:
                    problems.append(Problem(rel, 0, "", f"cannot stat: {err.strerror}"))
                continue
            if stat.S_ISREG(st.st_mode):
                yield FileStat(rel, st.st_size, max(st.st_mtime_ns, st.st_ctime_ns), st.st_ino)
            elif problems is not None:
                problems.append(Problem(rel, 0, "", NOT_REGULAR))


IS_FOLDER = "is a directory, not an entry file"
NOT_REGULAR = "is not a regular file"


def entry_problem(root: Path, rel: str, path: Path | None = None) -> Problem | None:
    """Return why a `*.toml` name under entries/ is not an entry file, or None when it is one.

    The one rule `walk` applies and the index build applies again before reading (a file may
    have changed in between): a regular file, or a link to a regular file inside the ledger.
    A broken link, a link out of the ledger or to a folder, a folder, a FIFO or a device is
    left out, with this reason; such a file is never opened (a FIFO would block the reader).
    A file that cannot be looked at is left to the reader to report.
    """
    path = root / rel if path is None else path
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if stat.S_ISREG(st.st_mode):
        return None
    if stat.S_ISLNK(st.st_mode):
        return _symlink_problem(root, path, rel)
    return Problem(rel, 0, "", IS_FOLDER if stat.S_ISDIR(st.st_mode) else NOT_REGULAR)


# -- paths the user gives: one resolution, one rule ----------------------------------------
#
# Which files are entries: the `*.toml` files under `entries/` whose path *inside entries/*
# has no part starting with a dot (`.drafts/`, an editor's `.#x.toml` lock link, `.x.toml.*.tmp`),
# that are regular files or links to regular files inside the ledger. What lies above the
# ledger (`~/.cache/...`, `~/.local/share/...`) never matters. Every command that walks the
# ledger or a folder argument keeps to `walk`; a file named explicitly is taken as named.


def locate(given: str | os.PathLike[str]) -> Path:
    """Return a path as the real path of its folder plus its own name (links, `..`, `.` resolved).

    The last part is kept as named, so a link to an entry keeps its own name and place; a
    folder is resolved whole.
    """
    path = Path(os.path.abspath(os.fspath(given)))
    if path.is_dir():
        return Path(os.path.realpath(path))
    return Path(os.path.realpath(path.parent)) / path.name


def rel_of(root: Path, given: str | os.PathLike[str]) -> str | None:
    """Return where a path lies in the ledger (`entries/...`), however spelled; None outside."""
    try:
        return locate(given).relative_to(Path(os.path.realpath(root))).as_posix()
    except ValueError:
        return None


def is_entry_rel(rel: str) -> bool:
    """Return whether a path inside the ledger names an entry file by the one rule (see above)."""
    parts = rel.split("/")
    return (
        len(parts) >= 2
        and parts[0] == ENTRIES
        and parts[-1].endswith(".toml")
        and not any(part.startswith(".") for part in parts[1:])
    )


def targets(
    root: Path,
    given: list[str | os.PathLike[str]],
    problems: list[Problem] | None = None,
    *,
    config: bool = False,
) -> list[str]:
    """Return the files paths name, in order, without repeats: folders walked by the rule of `walk`.

    Files of the ledger come back relative to its root, others as absolute paths. With
    `config`, `ledger.toml` is included when named or when the ledger's root is.
    """
    real_root = Path(os.path.realpath(root))
    out: dict[str, None] = {}
    inside: list[FileStat] | None = None
    walk_problems: list[Problem] = []
    for item in given:
        path = locate(item)
        if not path.exists() and not path.is_symlink():
            raise LedgerError(f"no such file or folder: {item}")
        rel = rel_of(real_root, path)
        if not path.is_dir():
            out[rel if rel is not None else path.as_posix()] = None
            continue
        if rel is None:  # a folder outside the ledger: the same rule, relative to it
            out.update((f"{path.as_posix()}/{f.rel}", None) for f in _walk_dir(path, path, problems))
            continue
        if inside is None:
            inside = list(walk(real_root, walk_problems))
        prefix = "" if rel == "." else rel + "/"
        if config and prefix == "" and (real_root / CONFIG).is_file():
            out[CONFIG] = None
        out.update((f.rel, None) for f in inside if f.rel.startswith(prefix))
        if problems is not None:
            problems.extend(p for p in walk_problems if p.path.startswith(prefix) and p not in problems)
    return list(out)


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _is_dir_link(path: str) -> bool:
    return os.path.isdir(path)


def _symlink_problem(root: Path, link: Path, rel: str) -> Problem | None:
    """Return a problem unless the link leads to a regular file inside the ledger (links to folders are never followed)."""
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):
        return Problem(rel, 0, "", "is a broken symbolic link")
    if target.is_dir():
        return Problem(rel, 0, "", "is a symbolic link to a folder; not followed")
    try:
        target.relative_to(root.resolve())
    except ValueError:
        return Problem(rel, 0, "", f"is a symbolic link out of the ledger ({target}); not followed")
    if not target.is_file():
        return Problem(rel, 0, "", "is a symbolic link to something that is not a regular file")
    return None


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def stem(rel: str) -> str:
    """Return the entry id a file path implies."""
    name = rel.rsplit("/", 1)[-1]
    return name[: -len(".toml")] if name.endswith(".toml") else name


_BINARY = getattr(os, "O_BINARY", 0)  # Windows: bytes as they are (no CRLF -> LF, no stop at Ctrl-Z)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # opening a FIFO does not wait for a writer: it is refused below


def read_text(root: Path, rel: str) -> tuple[str | None, Problem | None]:
    """Read an entry file as UTF-8 text, refusing huge, binary and undecodable files."""
    return read_at(root / rel, rel)


def read_at(path: Path | str, rel: str, opened: int | None = None) -> tuple[str | None, Problem | None]:
    """Read a file (reported as `rel`; `opened`: its fd, closed here) as `read_text` does: by its size, no FIFO."""
    try:
        fd = os.open(path, os.O_RDONLY | _BINARY | _NONBLOCK) if opened is None else opened
    except OSError as err:
        return None, Problem(rel, 0, "", f"cannot read: {err.strerror}")
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None, Problem(rel, 0, "", NOT_REGULAR)
        data = os.read(fd, min(st.st_size, MAX_FILE_BYTES) + 1)  # fewer bytes than asked: the end
        while st.st_size < len(data) <= MAX_FILE_BYTES and (more := os.read(fd, 65536)):  # it grew since
            data += more
    except OSError as err:
        return None, Problem(rel, 0, "", f"cannot read: {err.strerror}")
    finally:
        os.close(fd)
    return decode_bytes(rel, data)


def decode_bytes(rel: str, data: bytes) -> tuple[str | None, Problem | None]:
    """Check size, binary content and encoding of a file's bytes; return its text."""
    if len(data) > MAX_FILE_BYTES:
        return None, Problem(rel, 0, "", f"file is larger than the limit of {MAX_FILE_BYTES:,} bytes")
    if not data.strip():
        return None, Problem(rel, 1, "", "file is empty")
    if b"\x00" in data:
        return None, Problem(rel, 0, "", "binary file (contains NUL bytes), not TOML")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        return None, Problem(rel, line, "", f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start})")
    return text, None


def parse_toml(rel: str, text: str) -> tuple[dict[str, Any] | None, Problem | None]:
    """Parse TOML text; a syntax error becomes a Problem with its line and column.

    Line endings are not data: CRLF (a checkout with `core.autocrlf`) reads as LF, also inside
    multi-line strings, so such a file holds the same values as its LF twin.
    """
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    try:
        if _needs_stdlib(text):
            # rtoml also takes TOML 1.1 drafts (times without seconds, \x escapes, multi-line or
            # trailing-comma inline tables) that tomllib, taplo and git tools refuse: such text,
            # or anything that looks like it, goes to the stdlib parser (TOML 1.0).
            return _STDLIB(text), None
        return _PARSER(text), None
    except RecursionError:
        return None, Problem(rel, 0, "", "TOML syntax: nesting is too deep")
    except _PARSE_ERRORS as err:
        return None, _syntax_problem(rel, text, err)


def _syntax_problem(rel: str, text: str, err: Exception) -> Problem:
    import tomllib  # the stdlib's message is the one we document

    try:
        tomllib.loads(text)
        message = str(err)  # rtoml refused what tomllib accepts: report rtoml's words
    except tomllib.TOMLDecodeError as std:
        message = str(std)
    except RecursionError:
        return Problem(rel, 0, "", "TOML syntax: nesting is too deep")
    found = _TOML_ERROR_AT.search(message)
    line = int(found.group(1)) if found else 0
    column = int(found.group(2)) if found else 0
    if not found and "(at end of document)" in message:
        line = len(text.splitlines()) or 1  # tomllib gives no line there: the last one is where it ended
        message = message.replace("(at end of document)", "")
    message = _TOML_ERROR_AT.sub("", message).strip().rstrip(".").splitlines()[0]
    where = f" (column {column})" if column else ""
    return Problem(rel, line, "", f"TOML syntax: {message}{where}")


def _pick_parser() -> tuple[Any, tuple[type[Exception], ...]]:
    import tomllib

    try:
        import rtoml  # compiled, about 10x faster than tomllib; conformance is tested
    except ImportError:  # pragma: no cover - rtoml is a dependency, but stay usable without
        return tomllib.loads, (tomllib.TOMLDecodeError, ValueError)
    return rtoml.loads, (rtoml.TomlParsingError, tomllib.TOMLDecodeError, ValueError)


_PARSER, _PARSE_ERRORS = _pick_parser()


def _STDLIB(text: str) -> dict[str, Any]:
    import tomllib

    return tomllib.loads(text)


_INLINE_NEWLINE = re.compile(r"\{[^}\n]*\n")
_TRAILING_COMMA = re.compile(r",\s*\}")
_DIGITS = "0123456789"


def _needs_stdlib(text: str) -> bool:
    """A loose, fast net for what rtoml accepts and TOML 1.0 does not (tests/test_toml_parser.py)."""
    if "\\x" in text or text.startswith("\ufeff"):  # 1.1 byte escapes; a second byte order mark
        return True
    if "{" in text and (_INLINE_NEWLINE.search(text) or _TRAILING_COMMA.search(text)):
        return True
    at = text.find(":")
    while at != -1:  # HH:MM not followed by :SS (a regex costs more than rtoml's whole parse)
        if (
            text[at - 2 : at].isdigit()
            and text[at + 1 : at + 3].isdigit()
            and (text[at + 3 : at + 4] or " ") not in _DIGITS + ":"
            and (text[at - 3 : at - 2] if at >= 3 else " ") not in _DIGITS + ":"
        ):
            return True
        at = text.find(":", at + 1)
    return False
