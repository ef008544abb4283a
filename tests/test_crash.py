"""Crash safety: `ledger import` and `ledger fmt` killed (SIGKILL) half-way leave every file whole.

Each test runs the command as a separate process group, kills it as soon as it has written
something, then proves: every file is absent or complete (old or new, byte for byte, valid),
nothing is truncated, and the next run finishes the job and leaves no temp file behind.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import ROOT, VALID, posix_only

from ledger.api import Ledger
from ledger.store import atomic, canonical

pytestmark = posix_only("process groups and SIGKILL")

N = 2000
HEADER = (
    "id,type_of_violence,conflict_name,side_a,side_b,source_office,source_date,source_headline,where_prec,"
    "where_coordinates,adm_1,latitude,longitude,country,iso3,event_clarity,date_prec,date_start,date_end,low,best,high"
)


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    """Return a folder in memory (/dev/shm) when there is one: a kill does not depend on the disk, and it is fast."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    path = Path(tempfile.mkdtemp(prefix="ledger-crash-", dir=shm))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def ucdp_file(path: Path, rows: int) -> Path:
    lines = [HEADER]
    start = dt.date(2014, 1, 1)
    for i in range(rows):
        day = start + dt.timedelta(days=i % 700)
        lines.append(
            f"{100000 + i},{1 + i % 3},Iraq: Government,Government of Iraq,IS,Reuters News,{day},Clash number {i},1,"
            f"Town {i % 50} town,Province {i % 7},33.{i:04d},43.{i:04d},Iraq,IRQ,1,1,{day},{day},{i % 5},{i % 5},{i % 5}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def spawn(*args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "ledger", *args, "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,  # its own process group: the kill reaches any worker too
    )


def kill_when(proc: subprocess.Popen[bytes], ready: Callable[[], bool], timeout: float = 60) -> None:
    """SIGKILL the command's process group as soon as `ready()` (it has written something)."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, "the command ended before it was killed"
        assert time.monotonic() < deadline, "the command wrote nothing in time"
        time.sleep(0.002)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def entry_files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in (root / "entries").rglob("*.toml")}


def any_entry(root: Path) -> bool:
    return any(name.endswith(".toml") for _, _, names in os.walk(root / "entries") for name in names)


def test_import_killed_half_way(make_ledger, cli, scratch):
    root = make_ledger({}, root=scratch / "ledger")
    source = ucdp_file(scratch / "ged.csv", N)
    expected = {item.rel: item.text for item in Ledger(root).plan_import(source, "ucdp").create}
    assert len(expected) == N

    kill_when(spawn("import", str(source), "--from", "ucdp", "--ledger", str(root)), lambda: any_entry(root))

    found = entry_files(root)
    assert 0 < len(found) < N, "the kill did not come half-way"
    for rel, text in found.items():
        assert text == expected[rel], f"{rel} is not complete"
    assert Ledger(root).validate().errors == 0  # temp files (dotfiles) are never read as entries

    again = cli("import", str(source), "--from", "ucdp", "--ledger", str(root), "--quiet")
    assert again.status == 0, again.err
    assert entry_files(root) == expected
    assert list(atomic.stale_temp_files(root)) == []
    assert list(root.rglob("*.tmp")) == []


def messy(i: int) -> str:
    """Return a valid entry out of the canonical order (its title after `confidence`)."""
    body = VALID.replace('title = "Rockets hit the Green Zone"\n', "")
    return body.replace('confidence = "reported"\n', f'confidence = "reported"\ntitle = "Rockets number {i}"\n', 1)


def test_fmt_killed_half_way(make_ledger, cli, scratch):
    old = {f"entries/2020/{1 + i % 12:02d}/2020-{1 + i % 12:02d}-05-rockets-{i:04d}.toml": messy(i) for i in range(N)}
    root = make_ledger(old, root=scratch / "ledger")
    new = {rel: canonical.reformat(text).text for rel, text in old.items()}
    assert all(new[rel] not in (None, old[rel]) for rel in old)
    first = root / min(old)

    kill_when(spawn("fmt", "--ledger", str(root)), lambda: first.read_text() != old[min(old)])

    found = entry_files(root)
    assert found.keys() == old.keys()
    done = sum(text == new[rel] for rel, text in found.items())
    assert all(text in (old[rel], new[rel]) for rel, text in found.items()), "a file is neither old nor new"
    assert 0 < done < N, "the kill did not come half-way"

    again = cli("fmt", "--ledger", str(root), "--quiet")
    assert again.status == 0, again.err
    assert entry_files(root) == new
    assert list(root.rglob("*.tmp")) == []
