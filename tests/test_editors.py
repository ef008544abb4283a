"""Editors agree with the ledger: Taplo and Tombi format entries as `ledger fmt` does and apply the same schema.

Runs the real tools (test extras `taplo` and `tombi` from PyPI); skipped only where they are absent.
The configurations under test are the committed `.taplo.toml` and `tombi.toml`.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
import tomli_w
from conftest import ROOT, VALID

TAPLO = shutil.which("taplo")
TOMBI = shutil.which("tombi")
needs_taplo = pytest.mark.skipif(TAPLO is None, reason="taplo is not installed (pip install taplo)")
needs_tombi = pytest.mark.skipif(TOMBI is None, reason="tombi is not installed (pip install tombi)")

BASE = {
    "title": "Shelling near the border",
    "date": dt.date(2020, 1, 5),
    "type": "shelling",
    "escalation": 4,
    "confidence": "reported",
    "location": {"name": "Albukamal", "country": "SY"},
    "sources": [{"name": "Reuters"}],
}


def _slug(n: int) -> str:
    return ("abcdefghij" * 20)[:n]


# Layout edge cases: arrays either side of the 100-column limit, wide and combining text,
# ranges as inline tables, multi-line text with quotes and backslashes, long one-line values.
EDGES = {
    "two-tags-99": {"tags": [_slug(99 - 19), "bbbbb"]},
    "two-tags-100": {"tags": [_slug(100 - 19), "bbbbb"]},
    "two-tags-101": {"tags": [_slug(101 - 19), "bbbbb"]},
    "many-tags": {"tags": [f"tag-{i}" for i in range(30)]},
    "wide-aliases": {"aliases": ["火箭击中绿区" * 8, "火箭" * 3, "🚀" * 5]},
    "combining": {"aliases": ["é" * 40, "e\u0301" * 20], "title": "Café\u0301 attack, Zürich"},
    "ranges": {"casualties": {"killed": {"best": 3, "low": 2, "high": 5}, "injured": 4, "note": "a few"}},
    "summary": {"summary": 'line one "quoted" and \\ a backslash\nline two\n\n"""triple"""\n'},
    "long-title": {"title": "An incident whose title runs on " + "and on " * 20},
    "actors": {
        "actors": {
            "perpetrators": ["Iran-backed militias", "Kata'ib Hezbollah", "Popular Mobilization Forces", "IRGC"],
            "targets": ["US forces"],
            "attribution": "suspected",
        }
    },
    "sources": {
        "sources": [
            {"name": "Reuters", "quote": "first line\nsecond line", "published": dt.date(2020, 1, 6)},
            {"name": "SOHR", "url": "https://example.org/" + "y" * 100, "reliability": "C", "credibility": "3"},
        ]
    },
    "one-long-item": {"responds_to": [f"2020-01-03-{_slug(95)}"], "tags": ["c" * 100]},
    "links": {
        "responds_to": ["2020-01-03-us-airstrike-kills-soleimani-and-muhandis-in-baghdad", "2020-01-04-b"],
        "time": dt.time(21, 30),
        "date_end": dt.date(2020, 1, 6),
    },
}


def _messy(data: dict) -> str:
    """The entry written by another tool: keys in reverse order, tomli-w's own layout."""
    return tomli_w.dumps(dict(reversed(list(data.items()))), multiline_strings=True)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """A ledger laid out by `ledger fmt`, with the repository's editor configs and schema."""
    from conftest import run

    root = tmp_path_factory.mktemp("editors")
    for name in (".taplo.toml", "tombi.toml"):
        shutil.copy(ROOT / name, root / name)
    (root / "ledger" / "core").mkdir(parents=True)
    shutil.copy(ROOT / "ledger" / "core" / "entry.schema.json", root / "ledger" / "core")
    shutil.copytree(ROOT / "entries", root / "entries")
    edges = root / "entries" / "2020" / "02"
    edges.mkdir(parents=True)
    for name, change in EDGES.items():
        (edges / f"2020-01-05-{name}.toml").write_text(_messy({**BASE, **change}), encoding="utf-8")
    result = run("fmt", "--ledger", str(root), "--quiet")
    assert result.status == 0, result.err
    assert run("fmt", "--check", "--ledger", str(root), "--quiet").status == 0
    return root


def _entries(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in (root / "entries").rglob("*.toml"))


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=root, capture_output=True, text=True, check=False)


@needs_taplo
def test_taplo_fmt_leaves_what_ledger_fmt_wrote(workspace: Path) -> None:
    done = _run(workspace, "taplo", "fmt", "--check", *_entries(workspace))
    assert done.returncode == 0, done.stderr
    diff = _run(workspace, "taplo", "fmt", "--diff", *_entries(workspace))
    assert "@@" not in diff.stdout


@needs_taplo
def test_taplo_fmt_check_fails_on_another_layout(workspace: Path, tmp_path: Path) -> None:
    messy = workspace / "entries" / "2020" / "02" / "messy.toml"
    messy.write_text('title   =  "x"\ntags = [\n  "a", "b"]\n', encoding="utf-8")
    try:
        assert _run(workspace, "taplo", "fmt", "--check", str(messy.relative_to(workspace))).returncode != 0
    finally:
        messy.unlink()


@needs_tombi
def test_tombi_format_leaves_what_ledger_fmt_wrote(workspace: Path) -> None:
    done = _run(workspace, "tombi", "format", "--offline", "--check", *_entries(workspace))
    assert done.returncode == 0, done.stdout + done.stderr


BAD = {
    "country": VALID.replace('country = "IQ"', 'country = "XX"'),
    "lat-without-lon": VALID.replace("lon = 44.385\n", ""),
    "two-line-title": VALID.replace('title = "Rockets hit the Green Zone"', 'title = "Rockets\\nhit"'),
    "reason-when-active": VALID.replace(
        'confidence = "reported"\n', 'confidence = "reported"\nwithdrawn_reason = "x"\n'
    ),
    "escalation": VALID.replace("escalation = 4", "escalation = 9"),
}


@pytest.fixture(scope="module")
def bad_entries(workspace: Path) -> list[str]:
    folder = workspace / "bad" / "entries"
    folder.mkdir(parents=True)
    for name in (".taplo.toml", "tombi.toml"):
        shutil.copy(ROOT / name, workspace / "bad" / name)
    (workspace / "bad" / "ledger" / "core").mkdir(parents=True)
    shutil.copy(ROOT / "ledger" / "core" / "entry.schema.json", workspace / "bad" / "ledger" / "core")
    for name, text in BAD.items():
        (folder / f"2020-01-05-{name}.toml").write_text(text, encoding="utf-8")
    return sorted(BAD)


@needs_taplo
def test_taplo_lint_applies_the_schema(workspace: Path, bad_entries: list[str]) -> None:
    assert _run(workspace, "taplo", "lint", *_entries(workspace)).returncode == 0
    bad = workspace / "bad"
    for name in bad_entries:
        done = _run(bad, "taplo", "lint", f"entries/2020-01-05-{name}.toml")
        assert done.returncode != 0, name


@needs_tombi
def test_tombi_lint_applies_the_schema(workspace: Path, bad_entries: list[str]) -> None:
    done = _run(workspace, "tombi", "lint", "--offline", "--error-on-warnings", *_entries(workspace))
    assert done.returncode == 0, done.stdout + done.stderr
    bad = workspace / "bad"
    for name in bad_entries:
        done = _run(bad, "tombi", "lint", "--offline", f"entries/2020-01-05-{name}.toml")
        assert done.returncode != 0, name


def test_the_editor_configs_bind_the_committed_schema() -> None:
    import tomllib

    taplo = tomllib.loads((ROOT / ".taplo.toml").read_text())
    tombi = tomllib.loads((ROOT / "tombi.toml").read_text())
    assert taplo["rule"][0]["schema"]["path"] == "./ledger/core/entry.schema.json"
    assert tombi["schemas"][0]["path"] == "./ledger/core/entry.schema.json"
    assert taplo["rule"][0]["include"] == tombi["schemas"][0]["include"] == ["entries/**/*.toml"]
    from ledger.store.canonical import LINE_WIDTH

    assert taplo["formatting"]["column_width"] == tombi["format"]["rules"]["line-width"] == LINE_WIDTH
