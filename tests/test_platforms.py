"""What must hold on Linux, macOS and Windows alike: worker processes under spawn, the write lock."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, entry

from ledger.api import Ledger, parallel
from ledger.core.errors import LedgerError, UsageError
from ledger.store import lock, scan, writing

# -- the start method ----------------------------------------------------------------------

MARK = "as imported"  # the parent changes it: a forked worker sees the change, a spawned one does not


def _probe(items: list[int]) -> list[tuple[int, str, int]]:
    return [(item, MARK, os.getpid()) for item in items]


def test_fork_is_chosen_only_on_linux_without_threads(monkeypatch):
    monkeypatch.delenv(parallel.ENV, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert parallel.start_method() == "fork"
    for platform in ("darwin", "win32"):
        monkeypatch.setattr(sys, "platform", platform)
        assert parallel.start_method() == "spawn"
    monkeypatch.setattr(sys, "platform", "linux")
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait)
    helper.start()
    try:
        assert parallel.start_method() == "spawn"  # forking a threaded process is unsafe
    finally:
        stop.set()
        helper.join()


def test_the_start_method_can_be_forced_and_a_wrong_one_is_refused(monkeypatch):
    monkeypatch.setenv(parallel.ENV, "spawn")
    assert parallel.start_method() == "spawn"
    monkeypatch.setenv(parallel.ENV, "vfork")
    with pytest.raises(UsageError, match="LEDGER_START_METHOD='vfork' is not a start method here"):
        parallel.start_method()


def test_forced_spawn_really_spawns_fresh_workers(monkeypatch):
    monkeypatch.setenv(parallel.ENV, "spawn")
    monkeypatch.setattr(parallel, "PARALLEL_THRESHOLD", 10)
    monkeypatch.setattr(sys.modules[__name__], "MARK", "changed in the parent")
    results = [row for chunk in parallel.map_chunks(_probe, list(range(500)), jobs=2) for row in chunk]
    assert [item for item, _, _ in results] == list(range(500))  # in order
    assert {mark for _, mark, _ in results} == {"as imported"}
    assert os.getpid() not in {pid for _, _, pid in results}
    inline = [row for chunk in parallel.map_chunks(_probe, list(range(5)), jobs=2) for row in chunk]
    assert {mark for _, mark, _ in inline} == {"changed in the parent"}  # below the threshold: in-process


def _big_ledger(make_ledger, n: int) -> Path:
    files = {
        f"2020-01-{1 + i % 28:02d}-incident-{i:04d}": entry(
            f"Incident number {i}", f"2020-01-{1 + i % 28:02d}", place=f"Town {i}"
        )
        for i in range(n)
    }
    files["2020-02-01-broken"] = entry(date="2020-02-01", extra='responds_to = ["2020-01-01-nowhere"]')
    files["2020-02-02-invalid"] = 'title = "no date"\n'
    return make_ledger(files)


def test_validate_and_a_cold_index_agree_under_spawn_and_inline(make_ledger, monkeypatch):
    root = _big_ledger(make_ledger, 250)
    monkeypatch.setenv(parallel.ENV, "spawn")
    inline = Ledger(root).validate()
    monkeypatch.setattr(parallel, "PARALLEL_THRESHOLD", 100)
    spawned = Ledger(root).validate()
    assert (spawned.files, spawned.problems) == (inline.files, inline.problems)
    assert spawned.files == 252 and spawned.errors >= 2
    ledger = Ledger(root)
    index = ledger.index()
    conn = index.connect(rebuild=True)
    try:
        assert index.status.how == "rebuilt"
        assert conn.execute("SELECT count(*), sum(ok) FROM entries").fetchone() == (252, 251)
    finally:
        conn.close()


def test_the_command_line_validates_under_spawn(make_ledger):
    # `python -m ledger`: spawned workers must not run the command line again
    root = _big_ledger(make_ledger, parallel.PARALLEL_THRESHOLD)
    env = {
        **os.environ,
        parallel.ENV: "spawn",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "ledger", "validate", "--ledger", str(root)],
        capture_output=True, text=True, encoding="utf-8", env=env, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "2020-02-02-invalid.toml:1: date: required field is missing" in done.stdout
    assert "2020-01-01-nowhere" in done.stdout
    assert done.stderr == f"{parallel.PARALLEL_THRESHOLD + 2} files checked: 7 errors, 0 warnings\n"


# -- the write lock ------------------------------------------------------------------------

HOLDER = """
import sys
from pathlib import Path
from ledger.store import lock
with lock.exclusive(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.readline()
print("released", flush=True)
"""


def _holder(path: Path, script: str = HOLDER) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline() == "held\n"
    return proc


def test_a_lock_held_by_another_process_refuses_then_waits_then_is_taken(tmp_path):
    path = tmp_path / "write.lock"
    with _holder(path) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        with pytest.raises(lock.Busy), lock.exclusive(path):
            pass
        started = time.monotonic()
        with pytest.raises(lock.Busy), lock.exclusive(path, wait=0.3):
            pass
        assert time.monotonic() - started >= 0.3  # it waited before giving up
        proc.stdin.write("go\n")
        proc.stdin.flush()
        with lock.exclusive(path, wait=60):  # taken as soon as the holder lets go
            assert proc.stdout.readline() == "released\n"
        proc.stdin.close()
    assert proc.returncode == 0


def test_a_lock_is_released_when_its_holder_dies(tmp_path):
    path = tmp_path / "write.lock"
    with _holder(path) as proc:
        proc.kill()
        proc.wait()
        assert proc.stdin is not None
        proc.stdin.close()
    with lock.exclusive(path, wait=60):
        pass
    assert path.exists()  # the meeting point stays


def test_two_handles_in_one_process_exclude_each_other_and_the_lock_is_reusable(tmp_path):
    path = tmp_path / "write.lock"
    with lock.exclusive(path), pytest.raises(lock.Busy), lock.exclusive(path):
        pass
    with lock.exclusive(path):
        pass


WRITER = """
import sys
from pathlib import Path
from ledger.store import writing
with writing.write_lock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.readline()
"""


def test_a_second_writer_stops_at_once_with_a_clear_error(make_ledger):
    root = make_ledger({"2020-01-05-rockets": entry()})
    (root / ".ledger").mkdir()
    refused = r"another ledger command is writing to this ledger; try again when it is done"
    with _holder(root, WRITER) as proc:
        with pytest.raises(LedgerError, match=refused), writing.write_lock(root):
            pass
        assert proc.stdin is not None
        proc.stdin.close()
    with writing.write_lock(root) as removed:
        assert removed == 0


# -- text: UTF-8 out whatever the code page, LF in files, the Windows folder walk -----------

ARABIC = "قصف صاروخي على قاعدة عين الأسد"


def test_output_is_utf8_whatever_the_console_code_page(make_ledger):
    root = make_ledger({"2020-01-08-ain-al-asad": entry(title=ARABIC, date="2020-01-08")})
    env = {
        **os.environ,
        "PYTHONIOENCODING": "cp1252",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    for args in (["list", "--format", "tsv", "--columns", "id,title"], ["show", "2020-01-08-ain-al-asad"]):
        done = subprocess.run(
            [sys.executable, "-m", "ledger", *args, "--ledger", str(root)], capture_output=True, env=env, check=False
        )
        assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
        assert ARABIC in done.stdout.decode("utf-8")


def test_a_windows_console_stream_becomes_utf8_with_lf():
    from ledger.terminal.process import utf8_streams

    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="cp1252", newline="\r\n")  # what a redirected Windows stdout is
    utf8_streams(stream)
    stream.write(f"{ARABIC}\nBEGIN:VCALENDAR\r\n")
    stream.flush()
    assert raw.getvalue() == f"{ARABIC}\nBEGIN:VCALENDAR\r\n".encode()  # no CR CR LF for the ICS
    other = io.StringIO()
    utf8_streams(other)  # not a console stream: left alone
    assert other.write("x") == 1


def test_written_entry_files_have_lf_line_ends(make_ledger, cli):
    root = make_ledger({"2020-01-05-rockets": entry().replace("\n", "\r\n")})
    assert cli("fmt", "--ledger", str(root), "--quiet").status == 0
    made = cli(
        "new", "Shelling near the border", "--date", "2020-01-08", "--type", "shelling", "--escalation", "4",
        "--confidence", "reported", "--place", ARABIC, "--country", "IQ", "--source", "Reuters", "--ledger", str(root),
    )  # fmt: skip
    assert made.status == 0, made.err
    written = [path.read_bytes() for path in sorted((root / "entries").rglob("*.toml"))]
    assert len(written) == 2 and all(b"\r" not in data for data in written)
    assert ARABIC.encode() in written[1]


def test_the_windows_folder_walk_finds_what_the_descriptor_walk_finds(make_ledger, monkeypatch):
    root = make_ledger(
        {f"2020-{m:02d}-0{d}-event": entry(date=f"2020-{m:02d}-0{d}") for m in (1, 2, 3) for d in (1, 2)}
    )
    (root / "entries/2020/01/.hidden.toml").write_text(entry())
    by_descriptor = scan.scan(root)
    monkeypatch.setattr(sys, "platform", "win32")
    by_path = scan.scan(root)
    assert by_path.files() == by_descriptor.files() and len(by_path.files()) == 6
    assert by_path.signature == by_descriptor.signature


def test_no_process_is_signalled_to_ask_whether_it_lives_on_windows(monkeypatch):
    from ledger.index import debris

    signalled: list[tuple[int, int]] = []
    monkeypatch.setattr(os, "kill", lambda pid, sig: signalled.append((pid, sig)))
    monkeypatch.setattr(sys, "platform", "linux")
    assert debris._alive("4242") is True  # POSIX: signal 0 only asks
    assert signalled == [(4242, 0)]
    monkeypatch.setattr(sys, "platform", "win32")
    assert debris._alive("4242") is True  # Windows: os.kill would terminate it, so it is never called
    assert signalled == [(4242, 0)]
