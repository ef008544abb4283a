"""`ledger watch`: every change a user can make is seen without the stat walk, and anything doubtful walks.

One watcher process serves the change tests of a module (they build on each other's
ledger); each checks that the index answered through the journal (`status.watched`) and
holds exactly what a fresh build from the files holds. Nothing here waits on a clock: the
cookie's timeout is raised far beyond any delay, and readiness is awaited, not timed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import entry, write_files

from ledger.api import Ledger
from ledger.index import watched
from ledger.store import journal, monitor

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify: Linux only")

ROWS = "SELECT e.path, e.ok, e.id, e.title, d.json FROM entries e LEFT JOIN docs d ON d.entry = e.rowid ORDER BY 1"


def start(root: Path) -> subprocess.Popen[bytes]:
    """Start `ledger watch` on root and wait until it says it is watching (readiness, not a timing).

    Not "until a journal looks live": a killed watcher's journal looks live from the moment the
    new watcher takes the lock until it retires that journal and sweeps old cookies.
    """
    proc = subprocess.Popen([sys.executable, "-m", "ledger", "watch", "--ledger", str(root)], stderr=subprocess.PIPE)
    assert proc.stderr is not None
    said = b""
    while not said.startswith(b"watch: watching"):
        said = proc.stderr.readline()
        assert said, f"the watcher ended: {proc.wait()}"
    assert journal.token(root) is not None
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    if proc.stderr:
        proc.stderr.close()


@contextlib.contextmanager
def one_entry_watched(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[bytes]]]:
    """A ledger of one entry ("One") under a watcher, its index once walked (the walk takes the session's token)."""
    root = write_files(tmp_path / "ledger", {"2020-01-01-one": entry(title="One")})
    proc = start(root)
    try:
        check(root, watched_path=False)
        yield root, proc
    finally:
        stop(proc)


@contextlib.contextmanager
def one_entry_watcher(tmp_path: Path) -> Iterator[tuple[Path, monitor.Watcher]]:
    """A ledger of one entry and a watcher of it in this process, fed events by hand (`handle`)."""
    root = write_files(tmp_path / "ledger", {"2020-01-01-one": entry(title="One")})
    (root / ".ledger").mkdir()
    watcher = monitor.Watcher(root, note=lambda _: None)
    watcher.start()
    try:
        yield root, watcher
    finally:
        watcher.end()


def check(root: Path, watched_path: bool = True, cookies: bool = True) -> list[tuple[object, ...]]:
    """Refresh the index, assert how (through the journal or not) and that it equals a build from the files."""
    with Ledger(root) as led:
        idx = led.index()
        rows = idx.conn().execute(ROWS).fetchall()
        assert idx.status.watched is watched_path, idx.status
        fresh = idx.in_memory()
        try:
            assert rows == fresh.execute(ROWS).fetchall()
        finally:
            fresh.close()
    assert not cookies or not [p for p in (root / "entries").iterdir() if p.name.startswith(journal.COOKIE)]
    return rows


def title(root: Path, rel: str) -> str:
    rows = {r[0]: r[3] for r in check(root)}
    return str(rows.get(rel))


@pytest.fixture(autouse=True)
def _patient(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_WATCH_TIMEOUT", "120")


@pytest.fixture(scope="module")
def watching(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = write_files(
        tmp_path_factory.mktemp("watch") / "ledger",
        {f"2020-01-0{d}-event-{d}": entry(title=f"Event {d}", date=f"2020-01-0{d}") for d in range(1, 6)},
    )
    (root / "shared").mkdir()
    os.link(path(root, 3), root.parent / "elsewhere.toml")
    proc = start(root)
    try:
        check(root, watched_path=False)  # the first walk takes the session's token
        yield root
    finally:
        stop(proc)


def path(root: Path, d: int) -> Path:
    return root / "entries" / "2020" / "01" / f"2020-01-0{d}-event-{d}.toml"


def test_in_place_edit_with_the_mtime_restored(watching: Path) -> None:
    file = path(watching, 1)
    before = file.stat()
    file.write_text(file.read_text().replace("Event 1", "Event X"))  # same size
    os.utime(file, ns=(before.st_atime_ns, before.st_mtime_ns))  # touch -r
    assert title(watching, "entries/2020/01/2020-01-01-event-1.toml") == "Event X"


def test_new_file_and_delete(watching: Path) -> None:
    new = watching / "entries" / "2020" / "01" / "2020-01-07-event-7.toml"
    new.write_text(entry(title="Event 7", date="2020-01-07"))
    assert title(watching, "entries/2020/01/2020-01-07-event-7.toml") == "Event 7"
    new.unlink()
    assert "entries/2020/01/2020-01-07-event-7.toml" not in {r[0] for r in check(watching)}


def test_rename_in_and_out(watching: Path, tmp_path: Path) -> None:
    outside = tmp_path / "2020-01-08-event-8.toml"
    outside.write_text(entry(title="Event 8", date="2020-01-08"))
    inside = watching / "entries" / "2020" / "01" / outside.name
    os.rename(outside, inside)
    assert title(watching, "entries/2020/01/2020-01-08-event-8.toml") == "Event 8"
    os.rename(inside, outside)
    assert "entries/2020/01/2020-01-08-event-8.toml" not in {r[0] for r in check(watching)}


def test_new_folders_with_files(watching: Path, tmp_path: Path) -> None:
    made = watching / "entries" / "2021" / "02"
    made.mkdir(parents=True)
    (made / "2021-02-01-made.toml").write_text(entry(title="Made", date="2021-02-01"))
    moved = tmp_path / "03"
    moved.mkdir()
    (moved / "2021-03-01-moved.toml").write_text(entry(title="Moved", date="2021-03-01"))
    os.rename(moved, watching / "entries" / "2021" / "03")
    rows = {r[0]: r[3] for r in check(watching)}
    assert rows["entries/2021/02/2021-02-01-made.toml"] == "Made"
    assert rows["entries/2021/03/2021-03-01-moved.toml"] == "Moved"
    (made / "2021-02-02-later.toml").write_text(entry(title="Later", date="2021-02-02"))  # watched since
    assert title(watching, "entries/2021/02/2021-02-02-later.toml") == "Later"
    os.rename(watching / "entries" / "2021", watching / "entries" / "2022")  # a folder moved inside
    rows = {r[0]: r[3] for r in check(watching)}
    assert rows["entries/2022/02/2021-02-02-later.toml"] == "Later"
    assert not [p for p in rows if p.startswith("entries/2021/")]
    (watching / "entries" / "2022" / "03" / "2021-03-01-moved.toml").write_text(entry(title="Again", date="2021-03-01"))
    assert title(watching, "entries/2022/03/2021-03-01-moved.toml") == "Again"  # its watch follows the move


def test_symlinked_entry(watching: Path) -> None:
    target = watching / "shared" / "linked.toml"
    target.write_text(entry(title="Linked", date="2020-02-01"))
    link = watching / "entries" / "2020" / "2020-02-01-linked.toml"
    link.symlink_to(target)
    assert title(watching, "entries/2020/2020-02-01-linked.toml") == "Linked"
    target.write_text(entry(title="Edited elsewhere", date="2020-02-01"))  # no watch sees this folder
    assert title(watching, "entries/2020/2020-02-01-linked.toml") == "Edited elsewhere"


def test_hard_linked_entries(watching: Path) -> None:
    other = watching.parent / "elsewhere.toml"  # linked before the watcher started (the fixture)
    with open(other, "r+") as out:  # edited in place through the other name: no watch sees the write
        text = out.read()
        out.seek(0)
        out.write(text.replace("Event 3", "Linked 3"))
    assert title(watching, "entries/2020/01/2020-01-03-event-3.toml") == "Linked 3"
    made = watching.parent / "made.toml"
    made.write_text(entry(title="Made", date="2020-03-01"))
    os.link(made, watching / "entries" / "2020" / "2020-03-01-made.toml")  # a link made in entries/
    assert title(watching, "entries/2020/2020-03-01-made.toml") == "Made"
    made.write_text(entry(title="Made again", date="2020-03-01"))
    assert title(watching, "entries/2020/2020-03-01-made.toml") == "Made again"


def test_a_hard_link_made_while_watching_keeps_both_names_fresh(tmp_path: Path) -> None:
    """A write through one name of a hard-linked file is journalled under that name only (review8, W1).

    Each case links a file that had one name until then (none is compared by stats already),
    and edits it through the new name before the next command.
    """
    root = write_files(tmp_path / "ledger", {f"2020-01-0{d}-event-{d}": entry(title=f"Event {d}") for d in (1, 2, 3)})
    proc = start(root)
    try:
        check(root, watched_path=False)
        cases = {
            1: root / "entries" / "2021" / "02" / "2021-02-01-copy-1.toml",  # in a new folder: walked whole
            2: path(root, 2).with_name("2020-01-02-copy-2.toml"),  # beside it
            3: root / "entries" / "2020" / "2020-01-03-copy-3.toml",  # in another watched folder
        }
        for d, second in cases.items():
            first = path(root, d)
            second.parent.mkdir(parents=True, exist_ok=True)
            os.link(first, second)
            for name, old, new in ((second, f"Event {d}", f"Again {d}"), (first, f"Again {d}", f"Event {d}")):
                with open(name, "r+") as out:  # in place, same size: one inode, two names
                    text = out.read()
                    out.seek(0)
                    out.write(text.replace(f'"{old}"', f'"{new}"'))
                titles = {r[0].rsplit("/", 1)[1]: r[3] for r in check(root)}  # check(): equal to a fresh build
                assert titles[first.name] == titles[second.name] == new, d
    finally:
        stop(proc)


def test_a_moved_ledger_folder_is_not_vouched_for(tmp_path: Path) -> None:
    """The watcher's paths name the old place: a folder made after the move would never be watched (W3)."""
    with one_entry_watched(tmp_path) as (root, proc):
        check(root)
        moved = root.rename(tmp_path / "moved")
        later = write_files(moved, {"2021-02-01-later": entry(title="Later", date="2021-02-01")})
        assert later == moved
        check(moved, watched_path=False)  # the watcher ends its session at the cookie: the walk answers
        assert proc.wait() == 2
        assert proc.stderr is not None and b"the ledger folder moved" in proc.stderr.read()
        file = moved / "entries" / "2021" / "02" / "2021-02-01-later.toml"
        file.write_text(file.read_text().replace("Later", "Edited"))
        assert {r[3] for r in check(moved, watched_path=False)} == {"One", "Edited"}


def test_a_stopped_watcher_is_not_waited_for(tmp_path: Path) -> None:
    """Ctrl-Z in the watcher's terminal: a command walks at once instead of waiting out its cookie (W4)."""
    import threading

    with one_entry_watched(tmp_path) as (root, proc):
        assert not journal.halted(proc.pid)
        proc.send_signal(signal.SIGSTOP)
        while not journal.halted(proc.pid):  # the kernel stops it soon after the signal
            time.sleep(0.01)
        token = journal.token(root)
        assert token is not None
        answers: list[object] = []
        waiting = threading.Thread(target=lambda: answers.append(journal.sync(root, *token)), daemon=True)
        waiting.start()
        waiting.join(60)  # a hang guard, far past any delay: the cookie's own timeout is 120 s here
        assert answers == [None]
        check(root, watched_path=False)
        proc.send_signal(signal.SIGCONT)
        check(root)  # the walk kept the session's token: the watcher answers again


def test_editor_style_atomic_replace(watching: Path) -> None:
    file = path(watching, 2)
    temp = file.with_name(f".{file.name}.swp")
    temp.write_text(file.read_text().replace("Event 2", "Saved 2"))
    os.replace(temp, file)
    assert title(watching, "entries/2020/01/2020-01-02-event-2.toml") == "Saved 2"


def test_many_commands_nothing_changed(watching: Path) -> None:
    first = check(watching)
    assert check(watching) == first


def test_killed_watcher_walks(tmp_path: Path) -> None:
    root = write_files(tmp_path / "ledger", {"2020-01-01-one": entry(title="One")})
    check(root, watched_path=False)  # an index from before the watcher
    proc = start(root)
    check(root, watched_path=False)  # nothing changed, but the walk takes the new session's token
    check(root)
    second = subprocess.run([sys.executable, "-m", "ledger", "watch", "--ledger", str(root)], capture_output=True)
    assert second.returncode == 2
    assert b"another `ledger watch` is running" in second.stderr
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.stderr is not None
    proc.stderr.close()
    file = root / "entries" / "2020" / "01" / "2020-01-01-one.toml"
    file.write_text(file.read_text().replace("One", "Two"))
    assert (root / ".ledger" / journal.JOURNAL).exists()  # a journal and a lock file are left: no proof of life
    left = root / "entries" / f"{journal.COOKIE}123-abc"  # a command killed while it waited
    left.touch()
    rows = check(root, watched_path=False, cookies=False)
    assert rows[0][3] == "Two"
    stop(start(root))  # the next watcher sweeps it away
    assert not left.exists()


def test_a_linked_entries_folder_is_watched_as_the_walk_follows_it(tmp_path: Path) -> None:
    real = write_files(tmp_path / "real", {"2020-01-01-one": entry(title="One")})
    (tmp_path / "ledger").mkdir()
    (tmp_path / "ledger" / "entries").symlink_to(real / "entries")
    root = tmp_path / "ledger"
    proc = start(root)
    try:
        check(root, watched_path=False)
        file = real / "entries" / "2020" / "01" / "2020-01-01-one.toml"
        file.write_text(file.read_text().replace("One", "Two"))
        assert check(root)[0][3] == "Two"
    finally:
        stop(proc)


def test_stale_truncated_or_ended_journal_walks(tmp_path: Path) -> None:
    with one_entry_watched(tmp_path) as (root, _):
        file = root / "entries" / "2020" / "01" / "2020-01-01-one.toml"
        log = root / ".ledger" / journal.JOURNAL
        head = log.read_bytes().split(b"\n")[0] + b"\n"
        file.write_text(file.read_text().replace("One", "Two"))
        check(root)  # the offset now lies past the head: cut the journal back to it
        with open(log, "r+b") as out:
            out.truncate(len(head))
        file.write_text(file.read_text().replace("Two", "Six"))
        assert check(root, watched_path=False)[0][3] == "Six"
        with open(log, "ab") as out:
            out.write(b"X\n")  # what an overflow writes: the session is over
        assert check(root, watched_path=False)[0][3] == "Six"


def test_overflow_starts_a_new_session(tmp_path: Path) -> None:
    with one_entry_watcher(tmp_path) as (root, watcher):
        first = journal.Journal(root)
        overflow = monitor.EVENT.pack(-1, monitor.IN_Q_OVERFLOW, 0, 0)
        assert watcher.handle(overflow) is None
        watcher.end("overflow")
        watcher.start()
        assert first.position() is None  # the old session's journal says it is over
        assert journal.Journal(root).session != first.session
        first.close()


def test_a_folder_name_the_journal_cannot_hold_stops_the_watcher(tmp_path: Path) -> None:
    with one_entry_watcher(tmp_path) as (_, watcher):
        name = b"a\nb".ljust(16, b"\0")
        made = monitor.EVENT.pack(watcher.root_wd, monitor.IN_CREATE | monitor.IN_ISDIR, 0, len(name)) + name
        with pytest.raises(monitor.Stopped):
            watcher.handle(made)  # no watch could be journalled for it: nothing below it would be seen


def test_changes_parse_only_what_the_watcher_writes(tmp_path: Path) -> None:
    log = tmp_path / ".ledger" / journal.JOURNAL
    log.parent.mkdir()
    log.write_bytes(b"ledger-watch 1 abc 1\nF 2020/x.toml\nD 2021/\nL y.toml\nC .ledger-cookie-1\nQ junk\n")
    opened = journal.Journal(tmp_path)
    try:
        end = log.read_bytes().index(b"Q")
        found = opened.changes(opened.start, end)
        assert found is not None
        assert (found.files, found.folders, found.links) == ({"entries/2020/x.toml"}, {"2021/"}, {"entries/y.toml"})
        assert opened.changes(opened.start, end + 7) is None  # a line it does not write
        assert opened.changes(opened.start + 1, end) is None  # not at a line's start
    finally:
        opened.close()
    assert watched.ADVANCE > 0
