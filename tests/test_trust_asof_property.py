"""Issue 10, property (3): on a committed tree, every answer live equals the answer at `--as-of HEAD`.

Small random ledgers hold the edge cases where the two once differed: entries dated after
today, one id in two files, withdrawn entries and merged duplicates, invalid files, hidden
drafts, symbolic links inside and out of the ledger, broken ones, and a folder named `*.toml`.
Each is committed with git in a temporary folder, then list, timeline, stats, show, a few
queries and the duplicate candidates are asked both ways.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import entry, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.api import Ledger, chronology
from ledger.query import Selection

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="symbolic links: POSIX only")

DATES = ["2020-01-03", "2020-01-05", "2999-01-01"]  # the last one after today
WORDS = ["strike", "rockets", "rally"]
FOLDERS = ["entries/2020/01", "entries/2020/02", "entries/old"]
KINDS = ["valid", "valid", "valid", "withdrawn", "invalid", "bad-value", "hidden", "link", "broken-link", "out-link"]

spec = st.tuples(
    st.sampled_from(DATES),
    st.sampled_from(WORDS),
    st.sampled_from(FOLDERS),
    st.sampled_from(KINDS),
    st.sampled_from(["airstrike", "rocket-attack", "protest"]),
    st.sampled_from(["IQ", "SY"]),
    st.integers(0, 6),
    st.booleans(),  # responds to the entry before it
)
ledgers = st.lists(spec, min_size=1, max_size=7)


def write(root: Path, specs: list[tuple[str, str, str, str, str, str, int, bool]]) -> list[str]:
    """Write the entries of the specs (later ones may take an earlier path); return their ids."""
    ids: list[str] = []
    for number, (date, word, folder, kind, kind_of_event, country, level, answers) in enumerate(specs):
        entry_id = f"{date}-{word}"
        base = root / folder
        if kind == "hidden":
            base = base / ".drafts"
        base.mkdir(parents=True, exist_ok=True)
        path = base / f"{entry_id}.toml"
        if path.is_symlink() or path.exists():
            path.unlink()
        extra = ""
        if answers and ids:
            extra += f'responds_to = ["{ids[-1]}"]\n'
        if kind == "withdrawn":
            extra += 'status = "withdrawn"\nwithdrawn_reason = "merged"\n'
            extra += f'duplicate_of = "{ids[-1]}"\n' if ids else ""
        text = entry(
            title=f"Event {number}", date=date, type=kind_of_event, escalation=level, country=country, extra=extra
        )
        if kind == "link" and ids:
            path.symlink_to(os.path.relpath(root / "entries" / "targets" / f"{ids[-1]}.toml", base))
        elif kind == "broken-link":
            path.symlink_to("missing.toml")
        elif kind == "out-link":
            path.symlink_to(root.parent / "outside.toml")
        elif kind == "invalid":
            path.write_text("title = ")
        else:
            path.write_text(text.replace(f"escalation = {level}", "escalation = 9") if kind == "bad-value" else text)
        targets = root / "entries" / "targets"
        targets.mkdir(parents=True, exist_ok=True)
        (targets / f"{entry_id}.toml").write_text(text)  # what a link leads to
        ids.append(entry_id)
    (root / "entries" / "folder.toml").mkdir(exist_ok=True)  # a folder named *.toml: no entry
    (root / "entries" / "folder.toml" / "2020-01-09-inside.toml").write_text(entry(date="2020-01-09"))
    return ids


def commit(root: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull})
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-m", "one"],
    ):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


QUESTIONS = [
    ["list", "--format", "json", "--withdrawn"],
    ["list", "--format", "tsv", "country:IQ", "escalation>=3", "--sort", "escalation"],
    ["timeline"],
    ["stats", "--by", "type"],
    ["stats", "--by", "country", "--format", "json"],
    ["dupes", "--format", "json"],
]


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=ledgers)
def test_live_and_as_of_head_answer_alike(specs, monkeypatch):
    with tempfile.TemporaryDirectory() as folder:
        monkeypatch.setenv("HOME", folder)
        monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
        root = Path(folder) / "ledger"
        (Path(folder) / "outside.toml").write_text(entry())
        ids = write(root, specs)
        commit(root)
        for question in [*QUESTIONS, *(["show", i, "--format", "json"] for i in ids[:2])]:
            live = run(*question, "--ledger", str(root))
            then = run(*question, "--ledger", str(root), "--as-of", "HEAD")
            assert live == then, question
        with Ledger(root) as ledger:
            selection = Selection(include_withdrawn=False)
            assert chronology.dupes(ledger, selection) == chronology.dupes(ledger.at("HEAD"), selection)
            assert sorted(ledger.find().invalid()) == sorted(ledger.at("HEAD").find().invalid())
