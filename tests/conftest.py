"""Shared fixtures: ledgers written from inline TOML, and the CLI run in-process."""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import shutil
import sqlite3
import sys
import textwrap
import traceback
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ledger.terminal.env import Environment

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="rewrite tests/golden/ from the current outputs (test_golden.py) instead of comparing",
    )


def posix_only(what: str) -> pytest.MarkDecorator:
    """Skip on Windows a test of what only POSIX systems have (symbolic links without privileges, FIFOs, modes, signals)."""
    return pytest.mark.skipif(sys.platform == "win32", reason=f"{what}: POSIX only")


# A source registry for ledger.toml (the registry, the policy and validate's source warnings).
REGISTRY = """\
[sources."Deir Ezzor 24"]
aliases = ["DeirEzzor24", "Deir ez-Zor 24"]
reliability = "C"
url = "https://deirezzor24.net/"
kind = "local news"
language = "ar"

[sources.Reuters]
reliability = "B"
language = "en-GB"
"""

# A complete, valid entry; tests change what they are about with `entry(...)`.
VALID = """\
title = "Rockets hit the Green Zone"
date = 2020-01-05
time_of_day = "evening"
type = "rocket-attack"
escalation = 4
confidence = "reported"
tags = ["green-zone"]
summary = "Six rockets fell in and near the Green Zone."

[location]
name = "Green Zone"
country = "IQ"
admin1 = "Baghdad"
lat = 33.305
lon = 44.385
precision = "town"

[actors]
perpetrators = ["Iran-backed militias"]
targets = ["US forces"]
attribution = "suspected"

[casualties]
injured = { best = 3, low = 2, high = 5 }
note = "several civilians"

[[sources]]
name = "Reuters"
url = "https://example.org/a"
published = 2020-01-05
reliability = "B"
credibility = "2"
"""


def entry(
    title: str = "Rockets hit the Green Zone",
    date: str = "2020-01-05",
    type: str = "rocket-attack",
    escalation: int = 4,
    confidence: str = "reported",
    place: str = "Green Zone",
    country: str = "IQ",
    extra: str = "",
    tables: str = "",
    source: str = "Reuters",
    perpetrators: Sequence[str] = (),
    targets: Sequence[str] = (),
) -> str:
    """Return the text of a valid entry; `extra` adds top-level keys, `tables` adds tables, and
    `perpetrators` / `targets` an [actors] table."""
    if perpetrators or targets:
        roles = {"perpetrators": perpetrators, "targets": targets}
        written = "".join(f"{k} = {json.dumps(list(v), ensure_ascii=False)}\n" for k, v in roles.items() if v)
        tables = f"[actors]\n{written}\n{textwrap.dedent(tables)}"
    return (
        f'title = "{title}"\ndate = {date}\ntype = "{type}"\nescalation = {escalation}\n'
        f'confidence = "{confidence}"\n{textwrap.dedent(extra)}\n'
        f'[location]\nname = "{place}"\ncountry = "{country}"\n\n{textwrap.dedent(tables)}\n'
        f'[[sources]]\nname = "{source}"\n'
    )


def write_files(base: Path, files: Mapping[str, str | bytes], config: str | None = None) -> Path:
    """Write a ledger at base: {relative path or id: TOML text}; ids go to entries/YYYY/MM/<id>.toml."""
    (base / "entries").mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if "/" in name or name.endswith(".toml"):
            path = base / name
        else:
            path = base / "entries" / name[:4] / name[5:7] / f"{name}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    if config is not None:
        (base / "ledger.toml").write_text(textwrap.dedent(config), encoding="utf-8")
    return base


@pytest.fixture
def make_ledger(tmp_path: Path) -> Callable[..., Path]:
    """Write a ledger (`write_files`) under tmp_path/ledger unless `root` says where."""

    def make(files: Mapping[str, str | bytes], config: str | None = None, root: Path | None = None) -> Path:
        return write_files(root or tmp_path / "ledger", files, config)

    return make


def copy_sample(target: Path) -> Path:
    """Copy the repository's sample ledger (entries/ and ledger.toml) to target, so tests never touch it."""
    shutil.copytree(ROOT / "entries", target / "entries", dirs_exist_ok=True)
    shutil.copy(ROOT / "ledger.toml", target / "ledger.toml")
    return target


@dataclass
class Result:
    status: int
    out: str
    err: str


@contextlib.contextmanager
def _cwd(path: Path | None) -> Iterator[None]:
    old = os.getcwd()
    if path is not None:
        os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def run(
    *args: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: str = "",
    terminal: Environment | None = None,
) -> Result:
    """Run `ledger ARGS` in-process (stdout and stderr captured, not a terminal unless `terminal` says so)."""
    from ledger.cli import main

    out, err = io.StringIO(), io.StringIO()
    if terminal is not None:
        out, err = terminal.stdout, terminal.stderr
        assert isinstance(out, io.StringIO) and isinstance(err, io.StringIO)
    old_env = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    old_in = sys.stdin
    sys.stdin = io.StringIO(stdin)
    status = 0
    try:
        with _cwd(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(list(args), terminal)
            except SystemExit as stop:
                status = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 2)
    finally:
        sys.stdin = old_in
        for key, value in old_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return Result(status, out.getvalue(), err.getvalue())


@pytest.fixture
def cli() -> Callable[..., Result]:
    return run


def make_terminal(
    stdin: str = "",
    *,
    tty: bool = False,
    stdin_isatty: bool | None = None,
    stdout_isatty: bool | None = None,
    stderr_isatty: bool | None = None,
    width: int = 80,
    height: int = 24,
    colors: bool | None = None,
    pager: str | None = None,
    editor: str = "vi",
) -> Environment:
    """Return an Environment over in-memory streams: `tty=True` for a terminal on all three (httpie's MockEnvironment)."""
    out_tty = tty if stdout_isatty is None else stdout_isatty
    return Environment(
        stdin=io.StringIO(stdin),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        stdin_isatty=tty if stdin_isatty is None else stdin_isatty,
        stdout_isatty=out_tty,
        stderr_isatty=tty if stderr_isatty is None else stderr_isatty,
        width=width,
        height=height,
        colors=out_tty if colors is None else colors,
        pager=pager,
        editor=editor,
    )


@pytest.fixture
def make_env() -> Callable[..., Environment]:
    """Build the Environment a command runs in; pass it to `cli(..., terminal=env)`."""
    return make_terminal


@pytest.fixture(autouse=True)
def _no_ambient_ledger(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEDGER_DIR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """The local test web server (tests/localweb.py), with every connection off the machine failing the test."""
    from localweb import install_guard, serve

    attempts = install_guard(monkeypatch)
    with serve() as server:
        yield server
    assert attempts == []


# -- every SQLite connection a test opens is closed by it, on every Python -------------------------
# An unclosed connection is freed only by the garbage collector (its statement cache refers back
# to it), and Python 3.13 then reports it as a ResourceWarning in whatever test runs at that
# moment; 3.11 and 3.12 say nothing. Here each connection remembers the test and the lines that
# opened it; when a test ends with some of its connections open, the collector runs, and one
# freed unclosed fails that test, on every version, saying where it was opened. One still
# reachable then (a module's fixture keeps it) and never closed fails the next test's teardown
# after the collector frees it, or the run at the final collection: still naming its opener.
_RUNNING = ["(collection)"]
_OPENED: list[weakref.ref[sqlite3.Connection]] = []
_LEAKED: list[str] = []


class _Watched(sqlite3.Connection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        here = [f for f in traceback.extract_stack(limit=40)[:-2] if f.filename.startswith(str(ROOT))]
        self._opened = f"{_RUNNING[0]}:\n" + "".join(traceback.format_list(here))
        _OPENED.append(weakref.ref(self))

    def __del__(self) -> None:
        if _is_open(self):
            _LEAKED.append(self._opened)
            self.close()


def _is_open(conn: sqlite3.Connection) -> bool:
    try:
        conn.total_changes  # noqa: B018 - raises on a closed connection
    except sqlite3.ProgrammingError:
        return False
    return True


def _watched_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
    kwargs.setdefault("factory", _Watched)
    return _sqlite_connect(*args, **kwargs)


_sqlite_connect, sqlite3.connect = sqlite3.connect, _watched_connect


def pytest_runtest_setup(item: pytest.Item) -> None:
    _RUNNING[0] = item.nodeid


@pytest.fixture(autouse=True)
def _closes_its_connections() -> Iterator[None]:
    yield
    still_open = any(c is not None and _is_open(c) for c in (ref() for ref in _OPENED))
    _OPENED.clear()
    if still_open:
        gc.collect()
    if _LEAKED:
        leaked = _LEAKED[:]
        _LEAKED.clear()
        pytest.fail(f"{len(leaked)} SQLite connection(s) never closed, opened by\n" + "\n".join(leaked), pytrace=False)


def pytest_sessionfinish(session: pytest.Session) -> None:
    gc.collect()
    if _LEAKED:
        sys.stderr.write("SQLite connections never closed, opened by\n" + "\n".join(_LEAKED))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
