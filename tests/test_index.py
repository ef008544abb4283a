"""The index: refreshed by stat, rebuilt or bypassed when damaged, locked or unwritable; never wrong."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import entry, posix_only
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import index
from ledger.api import Ledger
from ledger.store import files, lock, scan

IDS = [f"2020-01-0{d}-event-{d}" for d in range(1, 8)]


def ledger_of(make_ledger, count: int = 7) -> Path:
    root = make_ledger({i: entry(title=f"Event {n}", date=i[:10], escalation=n % 8) for n, i in enumerate(IDS[:count])})
    age(root)
    return root


def age(root: Path, seconds: int = 3600) -> None:
    """Move every file's mtime into the past: no file is "racily clean"."""
    past = time.time() - seconds
    for dirpath, _, names in os.walk(root / "entries"):
        for name in [*names, "."]:
            os.utime(os.path.join(dirpath, name), (past, past))
    time.sleep(0.15)  # utime sets ctime to now: let it leave the racy window (scan.RACY_NS) too


def ids(cli, root: Path, *args: str) -> list[str]:
    result = cli("list", "--ledger", str(root), "--format", "ids", *args)
    assert result.status == 0, result.err
    assert "Traceback" not in result.err
    return result.out.splitlines()


def status(root: Path) -> index.Status:
    with Ledger(root) as led:
        idx = led.index()
        idx.conn()
        return idx.status


def db(root: Path) -> Path:
    return root / ".ledger" / "index.sqlite"


# -- refreshing ----------------------------------------------------------------------------


def test_first_query_builds_the_index_and_the_next_reads_nothing(make_ledger, cli):
    root = ledger_of(make_ledger)
    assert ids(cli, root) == IDS
    assert db(root).is_file()
    assert (root / ".ledger" / ".gitignore").read_text() == "# the index is a cache: never commit it\n*\n"
    again = status(root)
    assert (again.how, again.reparsed, again.files) == ("fresh", 0, 7)


def test_an_edit_shows_up_and_only_that_file_is_read(make_ledger, cli):
    root = ledger_of(make_ledger)
    assert ids(cli, root, "escalation>=6") == IDS[6:7]
    path = root / "entries/2020/01" / f"{IDS[0]}.toml"
    path.write_text(path.read_text().replace("escalation = 0", "escalation = 7"))
    assert ids(cli, root, "escalation>=6") == [IDS[0], IDS[6]]
    age(root)
    ids(cli, root)
    path.write_text(path.read_text().replace("escalation = 7", "escalation = 6"))
    st = status(root)
    assert (st.how, st.reparsed, st.removed) == ("refreshed", 1, 0)


def test_an_edit_in_the_same_clock_tick_with_the_same_size_still_shows_up(make_ledger, cli):
    root = make_ledger({IDS[0]: entry(escalation=3)})
    path = root / "entries/2020/01" / f"{IDS[0]}.toml"
    assert ids(cli, root, "escalation:3") == [IDS[0]]
    before = os.stat(path)
    path.write_text(path.read_text().replace("escalation = 3", "escalation = 4"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # size, inode and mtime as before
    assert os.stat(path).st_size == before.st_size and os.stat(path).st_ino == before.st_ino
    assert ids(cli, root, "escalation:3") == []
    assert ids(cli, root, "escalation:4") == [IDS[0]]


def test_added_removed_and_moved_files_show_up(make_ledger, cli):
    root = ledger_of(make_ledger, 3)
    assert ids(cli, root) == IDS[:3]
    make_ledger({IDS[4]: entry(date=IDS[4][:10])}, root=root)
    assert ids(cli, root) == [*IDS[:3], IDS[4]]
    (root / "entries/2020/01" / f"{IDS[1]}.toml").unlink()
    assert ids(cli, root) == [IDS[0], IDS[2], IDS[4]]
    target = root / "entries/archive" / f"{IDS[0]}.toml"
    target.parent.mkdir()
    os.rename(root / "entries/2020/01" / f"{IDS[0]}.toml", target)
    result = cli("list", "--ledger", str(root), "--format", "jsonl", "--columns", "id,path")
    assert result.out.splitlines()[0] == f'{{"id": "{IDS[0]}", "path": "entries/archive/{IDS[0]}.toml"}}'
    os.rename(target, target.with_name("2020-01-01-renamed.toml"))
    assert ids(cli, root) == ["2020-01-01-renamed", IDS[2], IDS[4]]


def test_a_renamed_or_moved_folder_shows_up(make_ledger, cli):
    root = ledger_of(make_ledger, 3)
    assert ids(cli, root) == IDS[:3]
    os.rename(root / "entries/2020/01", root / "entries/2020/january")
    paths = cli("list", "--ledger", str(root), "--format", "tsv", "--columns", "path", "--no-header").out.split()
    assert paths == [f"entries/2020/january/{i}.toml" for i in IDS[:3]]
    os.rename(root / "entries/2020", root / "entries/old")
    assert ids(cli, root) == IDS[:3]
    assert status(root).files == 3


def test_an_entry_that_becomes_invalid_is_left_out_and_counted(make_ledger, cli):
    root = ledger_of(make_ledger, 3)
    path = root / "entries/2020/01" / f"{IDS[1]}.toml"
    path.write_text(path.read_text().replace('type = "rocket-attack"', 'type = "rocket"'))
    result = cli("list", "--ledger", str(root), "--format", "ids")
    assert result.out.splitlines() == [IDS[0], IDS[2]]
    assert result.err == "ledger: 1 invalid entry file left out (see `ledger validate`)\n"
    path.write_text(path.read_text().replace('type = "rocket"', 'type = "rocket-attack"'))
    assert cli("list", "--ledger", str(root), "--format", "ids").err == ""


def test_the_invalid_files_are_counted_from_their_index(make_ledger):
    """A cheap read of every query: the skipped count from the partial index `entries_invalid`, not a scan."""
    root = ledger_of(make_ledger, 3)
    assert status(root).how == "rebuilt"
    with Ledger(root) as led:
        conn = led.index().conn()
        assert led.index().status.how == "fresh"
        seen: list[str] = []
        conn.set_trace_callback(seen.append)
        assert led.find(None).skipped == 0
        conn.set_trace_callback(None)
        plan = conn.execute("EXPLAIN QUERY PLAN " + seen[-1]).fetchall()
        assert "entries_invalid" in str(plan)


@posix_only("symbolic links and FIFOs")
def test_the_stat_walk_sees_the_files_files_walk_sees(make_ledger, tmp_path):
    root = ledger_of(make_ledger, 2)
    base = root / "entries"
    (base / ".hidden.toml").write_text("x")
    (base / ".git").mkdir()
    (base / ".git" / "2020-01-01-x.toml").write_text("x")
    (base / "notes.md").write_text("x")
    (base / "folder.toml").mkdir()
    (base / "folder.toml" / "2020-01-03-inside.toml").write_text(entry())
    (base / "link.toml").symlink_to(base / "2020/01" / f"{IDS[0]}.toml")
    outside = tmp_path / "outside.toml"
    outside.write_text(entry())
    (base / "2020-01-04-out.toml").symlink_to(outside)
    (base / "2020-01-05-broken.toml").symlink_to(tmp_path / "missing.toml")
    (base / "dirlink").symlink_to(base / "2020")
    os.mkfifo(base / "2020-01-06-fifo.toml")
    problems: list = []
    walked = {f.rel: (f.size, f.mtime_ns, f.inode) for f in files.walk(root, problems)}
    found = scan.scan(root).files()
    assert sorted(walked) == [
        "entries/2020/01/2020-01-01-event-1.toml",
        "entries/2020/01/2020-01-02-event-2.toml",
        "entries/folder.toml/2020-01-03-inside.toml",
        "entries/link.toml",
    ]
    assert {rel: stats for rel, stats in found.items() if rel in walked} == walked
    # what the walk reports as not an entry, by name `*.toml`, is listed too: the index counts it
    left_out = sorted(p.path for p in problems if p.path.endswith(".toml"))
    assert (
        sorted(set(found) - set(walked))
        == left_out
        == [
            "entries/2020-01-04-out.toml",
            "entries/2020-01-05-broken.toml",
            "entries/2020-01-06-fifo.toml",
            "entries/folder.toml",
        ]
    )


def test_the_two_process_stat_walk_agrees_with_the_serial_one(make_ledger, monkeypatch):
    root = make_ledger(
        {f"2020-{m:02d}-{d:02d}-e": entry(date=f"2020-{m:02d}-{d:02d}") for m in range(1, 7) for d in (1, 2)}
    )
    serial = scan.scan(root)
    monkeypatch.setattr(scan, "_can_fork", lambda: True)
    twice = scan.scan(root, expected=10**9)
    assert twice.child is not None
    assert (twice.signature, twice.newest_ns) == (serial.signature, serial.newest_ns)
    assert twice.files() == serial.files()
    again = scan.scan(root, expected=10**9)
    again.close()  # the helper is let go when the signature was enough
    assert again.signature == serial.signature


def test_signature_changes_with_any_edit_rename_or_removal(make_ledger):
    root = ledger_of(make_ledger, 3)
    seen = {scan.scan(root).signature}
    path = root / "entries/2020/01" / f"{IDS[0]}.toml"
    path.write_text(path.read_text() + "\n")
    seen.add(scan.scan(root).signature)
    os.rename(path, path.with_name("2020-01-01-other.toml"))
    seen.add(scan.scan(root).signature)
    path.with_name("2020-01-01-other.toml").unlink()
    seen.add(scan.scan(root).signature)
    assert len(seen) == 4


# -- damaged, locked, unwritable -----------------------------------------------------------


def garbage(path: Path) -> None:
    path.write_bytes(b"this is not a database\n" * 100)


def truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def emptied(path: Path) -> None:
    path.write_bytes(b"")


def scribbled(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for offset in range(100, len(data), 997):
        data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def newer(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("PRAGMA user_version = 99")


def older(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("PRAGMA user_version = 0")
        conn.execute("DROP TABLE docs")


def tables_dropped(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("DROP TABLE entries")


def folder_instead(path: Path) -> None:
    path.unlink()
    path.mkdir()


@pytest.mark.parametrize(
    "damage",
    [garbage, truncated, emptied, scribbled, newer, older, tables_dropped, Path.unlink],
    ids=lambda f: f.__name__,
)
def test_a_damaged_index_never_changes_an_answer(make_ledger, cli, damage):
    root = ledger_of(make_ledger)
    expected = ids(cli, root, "escalation>=2", "--reverse")
    damage(db(root))
    assert ids(cli, root, "escalation>=2", "--reverse") == expected
    assert ids(cli, root, "escalation>=2", "--reverse") == expected
    with contextlib.closing(sqlite3.connect(db(root))) as conn, conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_folder_where_the_index_file_should_be_is_bypassed(make_ledger, cli):
    root = ledger_of(make_ledger)
    expected = ids(cli, root)
    folder_instead(db(root))
    assert ids(cli, root) == expected
    assert status(root).how == "memory"


def test_an_index_folder_that_cannot_be_created_is_bypassed(make_ledger, cli):
    root = ledger_of(make_ledger)
    (root / ".ledger").write_text("a file, not a folder")
    assert ids(cli, root, "--limit", "2") == IDS[:2]
    result = cli("index", "--ledger", str(root))
    assert result.status == 2
    assert result.err.startswith(f"ledger: error: cannot write the index in {(root / '.ledger').as_posix()} (")


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root writes to read-only folders")
def test_a_read_only_ledger_is_queried_without_writing(make_ledger, cli):
    root = ledger_of(make_ledger)
    os.chmod(root, 0o555)
    try:
        assert ids(cli, root) == IDS
        assert not (root / ".ledger").exists()
    finally:
        os.chmod(root, 0o755)


def test_an_index_locked_by_another_process_is_bypassed(make_ledger, cli, monkeypatch):
    monkeypatch.setattr(index.storage, "BUSY_TIMEOUT", 0.05)
    root = ledger_of(make_ledger)
    expected = ids(cli, root)
    holder = sqlite3.connect(db(root), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert ids(cli, root) == expected
        (root / "entries/2020/01" / f"{IDS[0]}.toml").unlink()
        assert ids(cli, root) == expected[1:]
        assert status(root).how == "memory"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert ids(cli, root) == expected[1:]
    assert status(root).how == "fresh"


def test_a_refresh_lock_held_too_long_is_bypassed(make_ledger, cli, monkeypatch):
    monkeypatch.setattr(index.storage, "LOCK_TIMEOUT", 0.05)
    root = ledger_of(make_ledger)
    ids(cli, root)
    with lock.exclusive(root / ".ledger" / "lock"):
        (root / "entries/2020/01" / f"{IDS[0]}.toml").unlink()
        assert ids(cli, root) == IDS[1:]
        assert status(root).how == "memory"
    assert status(root).how == "refreshed"


def test_damage_found_in_the_middle_of_a_query_is_repaired(make_ledger):
    root = ledger_of(make_ledger)
    with Ledger(root) as led:
        idx = led.index()
        idx.conn()
        err = sqlite3.DatabaseError("database disk image is malformed")
        idx.recover(err)  # what a query does on the first damaged page
        assert idx.status.how == "rebuilt"
        assert [e.id for e in led.select("escalation>=3")] == IDS[3:]


def test_processes_building_and_refreshing_at_once_agree(make_ledger):
    root = make_ledger(
        {f"2020-02-{d:02d}-event-{n}": entry(date=f"2020-02-{d:02d}") for n in range(60) for d in [n % 28 + 1]}
    )
    command = [sys.executable, "-m", "ledger", "list", "--ledger", str(root), "--format", "ids"]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(4)]
    extra = root / "entries/2020/02/2020-02-28-late.toml"
    extra.write_text(entry(date="2020-02-28"))
    runs += [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(3)]
    results = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), [err for _, err in results]
    assert all(err == b"" for _, err in results)
    final = subprocess.run(command, capture_output=True, check=True, env=env).stdout.decode().splitlines()
    assert len(final) == 61 and final[-1] == "2020-02-28-late"
    for out, _ in results:
        assert out.decode().splitlines() in (final, [i for i in final if i != "2020-02-28-late"])
    with contextlib.closing(sqlite3.connect(db(root))) as conn, conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_index_command_reports_and_rebuilds(make_ledger, cli):
    root = ledger_of(make_ledger)
    first = cli("index", "--ledger", str(root))
    assert first.status == 0
    assert first.err.startswith("index: 7 entry files; rebuilt in ")
    assert cli("index", "--ledger", str(root)).err.startswith("index: 7 entry files; up to date in ")
    (root / "entries/2020/01" / f"{IDS[0]}.toml").write_text("broken = \n")
    changed = cli("index", "--ledger", str(root))
    assert changed.err.startswith(
        "index: 7 entry files, 1 invalid (see `ledger validate`); refreshed: 1 read, 0 removed"
    )
    assert cli("index", "--ledger", str(root), "--rebuild").err.startswith("index: 7 entry files, 1 invalid")
    assert cli("index", "--ledger", str(root), "--quiet").err == ""


# -- SQL -----------------------------------------------------------------------------------


def test_values_are_bound_never_pasted_into_sql():
    from ledger import query

    text = 'text:"\'; DROP TABLE entries; --" actor:"O\'Brien" place:x type:raid date:2020-01 killed>1'
    sql, params = index.compile_where(query.parse(text))
    assert "DROP" not in sql and "O'Brien" not in sql and "2020" not in sql and "raid" not in sql
    assert "; drop table entries; --" in params and "\x1fobrien\x1f" in params  # folded: names.fold


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(st.sampled_from('a "\\\x00\x1f\nü\u2028') | st.characters(), max_size=8), min_size=1, max_size=4)
)
def test_name_lists_are_stored_as_the_json_encoder_writes_them(names: list[str]) -> None:
    from ledger.core import schema
    from ledger.index.rows import _array

    assert _array(tuple(names)) == schema.JSON_ENCODER.encode(tuple(names))
