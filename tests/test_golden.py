"""Golden files: every output format of the sample ledger, pinned byte for byte in tests/golden/.

Each case runs one command on a copy of the sample ledger (entries/ and ledger.toml; the diff
case on a two-commit git history of it) in a pinned environment, replaces the volatile parts
listed in VOLATILE, and compares the bytes with tests/golden/NAME. After an intended change:

    python -m pytest tests/test_golden.py --update-goldens   # rewrites tests/golden/
    git diff tests/golden/                                   # read it: is every change meant?
"""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import ROOT, Result, copy_sample, make_terminal, run
from test_git import new_repo

from ledger import __version__

GOLDEN = ROOT / "tests" / "golden"
# The environment of every case, so that no terminal, time zone, language or colour setting of
# the machine running the tests can change a byte.
PINNED = {"COLUMNS": "80", "LINES": "24", "TZ": "UTC", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "NO_COLOR": "1"}
# What differs between runs or machines, replaced in the output before comparing (and storing).
LEDGER = "<ledger>"
VOLATILE: list[tuple[str, str]] = [
    (r"DTSTAMP:\d{8}T\d{6}Z", "DTSTAMP:<now>"),  # ICS: when the calendar was written (today)
    (r"\((?:[0-9a-f]{7,40})\)", "(<commit>)"),  # diff: the commits compared, abbreviated...
    (r"\b[0-9a-f]{40}\b", "<commit>"),  # ...and in full (diff -f json)
    (re.escape(__version__), "<version>"),  # the ledger's version, wherever an output names it
]
ROCKETS = "2020-01-05-six-rockets-fall-in-and-near-baghdad-green-zone"
STRIKE = "2020-01-03-us-airstrike-kills-soleimani-and-muhandis-in-baghdad"
SAMPLE_EDIT = (f"entries/2020/01/{ROCKETS}.toml", "escalation = 4")

# name in tests/golden/ -> (arguments, exit status); "terminal" cases run as on an 80-column terminal
CASES: dict[str, tuple[tuple[str, ...], int]] = {
    "list.table.txt": (("list", "-f", "table"), 0),
    "list.terminal-80.txt": (("list",), 0),
    "list.tsv": (("list", "-f", "tsv"), 0),
    "list.csv": (("list", "-f", "csv"), 0),
    "list.json": (("list", "-f", "json"), 0),
    "list.jsonl": (("list", "-f", "jsonl"), 0),
    "list.md": (("list", "-f", "markdown"), 0),
    "list.ids.txt": (("list", "-f", "ids"), 0),
    "export.csv": (("export", "-f", "csv"), 0),
    "export.json": (("export", "-f", "json"), 0),
    "export.jsonl": (("export", "-f", "jsonl"), 0),
    "export.geojson": (("export", "-f", "geojson"), 0),
    "export.ics": (("export", "-f", "ics"), 0),
    "export.acled.csv": (("export", "-f", "acled"), 0),
    "timeline.txt": (("timeline", "-f", "table"), 0),
    "timeline.svg": (("timeline", "-f", "svg"), 0),
    "timeline.html": (("timeline", "-f", "html"), 0),
    "timeline-by-week.txt": (("timeline", "--by", "week", "-f", "table"), 0),
    "show.txt": (("show", ROCKETS), 0),
    "show.json": (("show", ROCKETS, "-f", "json"), 0),
    "chain.txt": (("chain", STRIKE), 0),
    "chain.json": (("chain", STRIKE, "-f", "json"), 0),
    "stats.txt": (("stats", "-f", "table"), 0),
    "stats-by-actor.txt": (("stats", "--by", "actor", "-f", "table"), 0),
    "dupes.txt": (("dupes", "-f", "table"), 1),
    "diff.txt": (("diff", "HEAD~1"), 1),
    "diff.json": (("diff", "HEAD~1", "-f", "json"), 1),
    "diff.md": (("diff", "HEAD~1", "-f", "markdown"), 1),
}


def normalise(text: str, root: Path) -> str:
    text = text.replace(str(root), LEDGER)
    for pattern, replacement in VOLATILE:
        text = re.sub(pattern, replacement, text)
    return text


def check(name: str, got: str, update: bool) -> None:
    """Compare `got` with tests/golden/NAME byte for byte (or write it, with --update-goldens)."""
    path = GOLDEN / name
    data = got.encode("utf-8")
    if update:
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(data)
        return
    assert path.is_file(), f"no golden file {path}: run pytest tests/test_golden.py --update-goldens"
    want = path.read_bytes()
    if data != want:
        shown = difflib.unified_diff(
            want.decode("utf-8", "replace").splitlines(keepends=True),
            got.splitlines(keepends=True),
            f"tests/golden/{name}",
            "output",
        )
        lines = [repr(line) if line.rstrip("\n") != line.rstrip() else line for line in shown]
        raise AssertionError(
            f"{name} differs from its golden file (run with --update-goldens if the change is meant):\n"
            + "".join(lines[:60])
        )


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    tzset = getattr(time, "tzset", lambda: None)  # POSIX only; Windows reads TZ at start-up alone
    for key, value in PINNED.items():
        monkeypatch.setenv(key, value)
    tzset()
    yield
    monkeypatch.undo()
    tzset()


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_sample(tmp_path_factory.mktemp("golden") / "sample")


def with_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample committed, then one entry changed and committed again: `diff HEAD~1` shows it."""
    repo = new_repo(tmp_path, monkeypatch)
    copy_sample(repo.root)
    repo.commit("The sample")
    path, line = SAMPLE_EDIT
    edited = repo.root / path
    edited.write_text(edited.read_text(encoding="utf-8").replace(line, "escalation = 5", 1), encoding="utf-8")
    repo.commit("Raise the escalation")
    return repo.root


@pytest.mark.parametrize("name", list(CASES))
def test_output_matches_its_golden_file(
    name: str,
    sample: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pinned: None,
    request: pytest.FixtureRequest,
):
    args, status = CASES[name]
    root = with_history(tmp_path, monkeypatch) if args[0] == "diff" else sample
    terminal = make_terminal(tty=True, width=80, colors=False) if "terminal" in name else None
    result: Result = run(*args, "--ledger", str(root), cwd=root, terminal=terminal)
    assert result.status == status, result.err
    check(name, normalise(result.out, root), request.config.getoption("--update-goldens"))


def test_every_golden_file_has_its_case():
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(CASES)


@pytest.mark.parametrize(
    "change",
    [
        lambda b: b[:100] + bytes([b[100] ^ 1]) + b[101:],  # one bit of one byte
        lambda b: b + b"\n",  # a line end more
        lambda b: b.replace(b"\r\n", b"\n", 1),  # CRLF -> LF once
        lambda b: b.replace(b"\n", b" \n", 1),  # a trailing blank
    ],
    ids=["bit", "newline", "crlf", "trailing-blank"],
)
def test_a_change_of_one_byte_fails(change: Callable[[bytes], bytes], tmp_path: Path):
    want = (GOLDEN / "list.csv").read_bytes()
    changed = change(want)
    assert changed != want
    check("list.csv", want.decode("utf-8"), update=False)
    with pytest.raises(AssertionError, match="differs from its golden file"):
        check("list.csv", changed.decode("utf-8", "replace"), update=False)


def test_volatile_parts_are_replaced(tmp_path: Path):
    full = "712c0b40b9ca4e7cfcbf54c530564d0fc15b4523"
    text = f"DTSTAMP:20261201T133725Z\r\n--- HEAD~1 (c1e2a01)\n{full}\nledger {__version__} at {tmp_path}/x\n"
    want = "DTSTAMP:<now>\r\n--- HEAD~1 (<commit>)\n<commit>\nledger <version> at <ledger>/x\n"
    assert normalise(text, tmp_path) == want
