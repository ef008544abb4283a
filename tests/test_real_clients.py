"""The outputs read by the tools users pair a ledger with, not by our own re-readings.

iCalendar through `icalendar` (what calendar apps' Python tooling uses), GeoJSON through
`geojson` (RFC 7946 validity), and the pre-commit hook through the real `pre-commit` on a
real commit. Each is a test extra; a test skips, saying so, only when its tool is absent.
"""

from __future__ import annotations

import datetime as dt
import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import copy_sample, entry
from test_git import GitRepo, new_repo
from test_git_setup import hook, identify, ledger_command

from ledger.api import Ledger


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_sample(tmp_path / "sample")


def test_icalendar_reads_one_event_per_incident(sample: Path, cli) -> None:
    icalendar = pytest.importorskip("icalendar")
    result = cli("export", "-f", "ics", "--ledger", str(sample))
    assert result.status == 0, result.err
    calendar = icalendar.Calendar.from_ical(result.out)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    with Ledger(sample) as ledger:
        entries = [e for e in ledger.entries() if not e.withdrawn]
    assert len(events) == len(entries) > 10
    for incident in entries:
        event = events[f"{incident.id}@incident-ledger"]
        assert str(event["SUMMARY"]) == incident.title  # unescaped and unfolded by the parser
        assert event.decoded("DTSTART") == incident.date
        assert event.decoded("DTEND") == incident.last_day + dt.timedelta(days=1)  # exclusive end, RFC 5545
        assert incident.id in str(event["DESCRIPTION"])
        if incident.location.lat is not None:
            assert [float(x) for x in event["GEO"].to_ical().split(";")] == [
                incident.location.lat,
                incident.location.lon,
            ]


def test_geojson_is_valid_rfc_7946_for_a_geojson_parser(sample: Path, cli) -> None:
    geojson = pytest.importorskip("geojson")
    result = cli("export", "-f", "geojson", "--ledger", str(sample))
    assert result.status == 0, result.err
    collection = geojson.loads(result.out)
    assert isinstance(collection, geojson.FeatureCollection)
    assert collection.is_valid, collection.errors()
    with Ledger(sample) as ledger:
        placed = {e.id: e for e in ledger.entries() if not e.withdrawn and e.location.lat is not None}
    assert {f["id"] for f in collection["features"]} == set(placed) and placed
    for feature in collection["features"]:
        assert isinstance(feature["geometry"], geojson.Point) and feature.is_valid
        lon, lat = feature["geometry"]["coordinates"]
        assert (lat, lon) == (placed[feature["id"]].location.lat, placed[feature["id"]].location.lon)
    json.dumps(collection)  # and back: nothing the parser cannot write


# -- the pre-commit hook, run by pre-commit itself ---------------------------------------------


def hook_config() -> str:
    """A local pre-commit config with our hook's fields as .pre-commit-hooks.yaml declares them.

    `language: system` runs the installed ledger (no virtualenv for pre-commit to build offline);
    `files`, `pass_filenames` and the entry come from the published hook file.
    """
    fields = hook()  # the published hook, read as test_git_setup reads it
    entry_args = shlex.split(fields["entry"])
    assert entry_args[0] == "ledger"
    command = shlex.join([*ledger_command(), *entry_args[1:]])
    return (
        "repos:\n"
        "  - repo: local\n"
        "    hooks:\n"
        f"      - id: {fields['id']}\n"
        f"        name: {fields['name']}\n"
        f"        entry: {command}\n"
        "        language: system\n"
        f"        files: '{fields['files']}'\n"
        f"        pass_filenames: {fields['pass_filenames']}\n"
        f"        require_serial: {fields['require_serial']}\n"
    )


@pytest.fixture
def hooked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    pytest.importorskip("pre_commit")
    repo = new_repo(tmp_path, monkeypatch)
    identify(repo)
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-cache"))
    repo.env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-cache")
    (repo.root / ".pre-commit-config.yaml").write_text(hook_config())
    repo.git("add", ".pre-commit-config.yaml")
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"], cwd=repo.root, env=repo.env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr + done.stdout
    return repo


def commit(repo: GitRepo, message: str) -> tuple[int, str]:
    """Commit what is staged, hooks on; return git's status and what the hook said (both streams)."""
    done = subprocess.run(
        ["git", "commit", "-q", "-m", message], cwd=repo.root, env=repo.env, capture_output=True, text=True
    )
    return done.returncode, done.stdout + done.stderr


def test_pre_commit_blocks_a_bad_entry_and_passes_a_good_one(hooked: GitRepo) -> None:
    hooked.write("2020-01-05-rockets", entry())
    hooked.git("add", "-A")
    status, said = commit(hooked, "A valid entry")
    assert status == 0 and "ledger validate" in said and "Passed" in said, said

    hooked.write("2020-01-06-bad", entry(date="2020-01-06", escalation=9))
    hooked.git("add", "-A")
    status, said = commit(hooked, "A broken entry")
    assert status == 1 and "Failed" in said and "2020-01-06-bad.toml:4: escalation:" in said, said
    assert hooked.git("log", "--format=%s").splitlines() == ["A valid entry"]  # nothing committed


def test_pre_commit_checks_what_is_staged_not_the_working_tree(hooked: GitRepo) -> None:
    hooked.write("2020-01-05-rockets", entry())
    hooked.git("add", "-A")
    hooked.write("2020-01-06-draft", entry(date="2020-01-06", escalation=9))  # untracked, broken
    status, said = commit(hooked, "The valid entry only")
    assert status == 0, said
    # a staged link to an entry that is only in the working tree would break the next clone
    hooked.write("2020-01-07-answer", entry(date="2020-01-07", extra='responds_to = ["2020-01-06-draft"]\n'))
    hooked.git("add", "entries/2020/01/2020-01-07-answer.toml")
    status, said = commit(hooked, "An answer to a draft")
    assert status == 1 and 'responds_to[0]: no entry "2020-01-06-draft"' in said, said
    assert hooked.git("log", "--format=%s").splitlines() == ["The valid entry only"]
