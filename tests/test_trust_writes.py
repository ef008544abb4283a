"""Issue 10: writes stay inside the ledger, fail in one line, keep the lock, report what they did."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

from conftest import ROOT, VALID, entry

from ledger.api import Ledger
from ledger.store import writing

ID = "2020-01-05-green-zone-rockets"
NEW = ["new", "Rockets hit the airport", "--date", "2020-01-07", "--type", "rocket-attack", "--escalation", "4"]
NEW += ["--confidence", "reported", "--place", "Baghdad", "--country", "IQ", "--source", "Reuters"]


def exported(cli, tmp_path, records_from: dict[str, str]) -> list[dict]:
    source = tmp_path / "source"
    source.mkdir()
    (source / "entries").mkdir()
    for name, text in records_from.items():
        path = source / "entries" / name[:4] / name[5:7] / f"{name}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return json.loads(cli("export", "--ledger", str(source)).out)


def test_new_does_not_write_through_a_linked_folder(make_ledger, cli, tmp_path):
    root = make_ledger({})
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "entries" / "2020").mkdir()
    os.symlink(outside, root / "entries" / "2020" / "01")  # entries/2020/01 -> outside the ledger
    result = cli(*NEW, "--ledger", str(root))
    assert result.status == 2, result.err
    assert result.err.splitlines() == [
        "ledger: error: cannot write entries/2020/01/2020-01-07-rockets-hit-the-airport.toml: entries/2020/01 is a "
        "symbolic link; entries are written only in real folders of the ledger"
    ]
    assert list(outside.iterdir()) == []


def test_import_path_column_does_not_write_through_a_linked_folder(make_ledger, cli, tmp_path):
    records = exported(cli, tmp_path, {ID: VALID})
    records[0]["path"] = f"entries/archive/{ID}.toml"
    file = tmp_path / "e.json"
    file.write_text(json.dumps(records))
    root = make_ledger({}, root=tmp_path / "ledger")
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, root / "entries" / "archive")
    result = cli("import", str(file), "--ledger", str(root))
    assert result.status == 2
    assert "entries/archive is a symbolic link" in result.err and "Traceback" not in result.err
    assert list(outside.iterdir()) == []


def test_new_when_the_month_folder_is_a_file(make_ledger, cli):
    root = make_ledger({})
    (root / "entries" / "2020").mkdir()
    (root / "entries" / "2020" / "01").write_text("not a folder")
    result = cli(*NEW, "--ledger", str(root))
    assert result.status == 2
    assert result.err == (
        "ledger: error: cannot write entries/2020/01/2020-01-07-rockets-hit-the-airport.toml: "
        "entries/2020/01 is a file, not a folder\n"
    )


def test_the_write_lock_survives_deleting_the_cache(make_ledger, cli):
    root = make_ledger({ID: VALID.replace("escalation = 4", "escalation=4")})
    cli("list", "--ledger", str(root))
    assert (root / ".ledger").is_dir()
    in_flight = root / "entries" / "2020" / "01" / f".{ID}.toml.abc123.tmp"  # an import's temp file
    with writing.write_lock(root):
        in_flight.write_text("half")
        import shutil

        shutil.rmtree(root / ".ledger")  # "always safe to delete"
        result = cli("fmt", "--ledger", str(root))
        assert result.status == 2
        assert "another ledger command is writing" in result.err
        assert in_flight.exists()  # the other writer's temp file is left alone
    assert cli("fmt", "--ledger", str(root)).status == 0
    assert not in_flight.exists()  # removed by the next writer, under the lock


def test_import_rejects_a_row_whose_id_another_command_took(make_ledger, cli, tmp_path, monkeypatch):
    records = exported(cli, tmp_path, {ID: VALID, "2020-01-06-other": entry(date="2020-01-06", title="Other")})
    file = tmp_path / "e.json"
    file.write_text(json.dumps(records))
    root = make_ledger({}, root=tmp_path / "ledger")
    planned = Ledger.plan_import

    def plan_then_race(self, *args, **kwargs):
        plan = planned(self, *args, **kwargs)
        other = root / "entries" / "elsewhere" / f"{ID}.toml"  # `new --id` or another import, meanwhile
        other.parent.mkdir(parents=True)
        other.write_text(VALID.replace("escalation = 4", "escalation = 5"))
        return plan

    monkeypatch.setattr(Ledger, "plan_import", plan_then_race)
    result = cli("import", str(file), "--ledger", str(root))
    assert result.status == 1
    assert result.out == "entries/2020/01/2020-01-06-other.toml\n"
    assert f"{ID}.toml was created by another command meanwhile; not overwritten" in result.err
    assert "1 entry created, 0 already in the ledger or repeated, 1 rejected" in result.err
    assert not (root / "entries" / "2020" / "01" / f"{ID}.toml").exists()  # no id in two files
    assert cli("validate", "--ledger", str(root)).status == 0


def test_import_prints_each_path_as_it_is_written(make_ledger, cli, tmp_path, monkeypatch):
    records = exported(cli, tmp_path, {ID: VALID, "2020-01-06-other": entry(date="2020-01-06", title="Other")})
    file = tmp_path / "e.json"
    file.write_text(json.dumps(records))
    root = make_ledger({}, root=tmp_path / "ledger")
    created = writing.create
    calls = []

    def fail_second(root_, rel, text):
        calls.append(rel)
        if len(calls) == 2:
            raise writing.WriteFailed(f"cannot write {rel}: No space left on device")
        return created(root_, rel, text)

    monkeypatch.setattr(writing, "create", fail_second)
    result = cli("import", str(file), "--ledger", str(root))
    assert result.status == 2
    assert result.out == f"entries/2020/01/{ID}.toml\n"  # what was written is named
    assert result.err.splitlines()[-1] == (
        "ledger: error: cannot write entries/2020/01/2020-01-06-other.toml: No space left on device "
        "(1 entry written, listed on stdout; run the import again to add the rest)"
    )


def test_crlf_files_are_written_with_lf_and_keep_their_values(make_ledger, cli):
    text = entry(extra='summary = """\nline one\nline two\n"""\n')
    root = make_ledger({ID: text.replace("\n", "\r\n").encode()})
    before = json.loads(cli("show", ID, "--format", "json", "--ledger", str(root)).out)
    assert before["summary"] == "line one\nline two\n"
    assert cli("validate", "--ledger", str(root)).status == 0
    assert cli("fmt", "--ledger", str(root)).status == 0
    data = (root / "entries" / "2020" / "01" / f"{ID}.toml").read_bytes()
    assert b"\r" not in data and b"\\u000d" not in data
    assert json.loads(cli("show", ID, "--format", "json", "--ledger", str(root)).out) == before


def test_an_empty_gitignore_of_the_cache_is_rewritten(make_ledger, cli):
    root = make_ledger({ID: VALID})
    (root / ".ledger").mkdir()
    (root / ".ledger" / ".gitignore").write_text("")  # what a full disk left
    assert cli("list", "--ledger", str(root)).status == 0
    assert "*" in (root / ".ledger" / ".gitignore").read_text().splitlines()


SIGTERM_DURING_BUILD = textwrap.dedent(
    """
    import os, signal, sys
    from ledger.api import indexing
    real = indexing._index_part
    def part(items, **kw):
        out = real(items, **kw)
        os.kill(os.getpid(), signal.SIGTERM)  # mid-build: a part is written, the index is not
        return out
    indexing._index_part = part
    from ledger.cli import main
    main(["list", "--ledger", sys.argv[1]])
    """
)


def test_sigterm_during_a_cold_build_cleans_up_like_ctrl_c(make_ledger, tmp_path):
    root = make_ledger({ID: VALID, "2020-01-06-other": entry(date="2020-01-06", title="Other")})
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(scratch)}
    done = subprocess.run(
        [sys.executable, "-c", SIGTERM_DURING_BUILD, str(root)], env=env, capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stderr) == (130, "ledger: interrupted\n")
    assert list(scratch.iterdir()) == []
    assert not list((root / ".ledger").glob("*.tmp"))


def test_debris_of_a_killed_build_is_removed_by_the_next_one(make_ledger, tmp_path, cli):
    root = make_ledger({ID: VALID})
    dead = _dead_pid()
    (root / ".ledger").mkdir()
    (root / ".ledger" / f"index.sqlite.{dead}.tmp").write_text("half an index")
    scratch = tmp_path / "tmp"
    (scratch / f"ledger-index-{dead}-abc").mkdir(parents=True)
    (scratch / f"ledger-index-{os.getpid()}-live").mkdir()  # a live process's: kept
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(scratch)}
    done = subprocess.run(
        [sys.executable, "-m", "ledger", "list", "--ledger", str(root)], env=env, capture_output=True, check=False
    )
    assert done.returncode == 0
    assert not list((root / ".ledger").glob("*.tmp"))
    assert [p.name for p in scratch.iterdir()] == [f"ledger-index-{os.getpid()}-live"]


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_sigterm_handler_is_installed_by_main():
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import signal\nfrom ledger.terminal import process\nprocess.terminate_like_interrupt()\n"
            "print(signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL)",
        ],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.strip() == "True"
    assert signal.SIGTERM  # the platform has it
