"""Writers against a read-only folder and a full filesystem: exit 2, one line, nothing damaged.

The filesystems are small tmpfs mounts (`mount -t tmpfs -o size=...`), which needs root; as
another user the read-only case uses file modes and the full-disk case is skipped, each
saying why.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import VALID, entry

ID = "2020-01-05-green-zone-rockets"
MESSY = VALID.replace("escalation = 4", "escalation=4")
NEW = ["new", "Rockets hit the airport", "--date", "2020-01-07", "--type", "rocket-attack", "--escalation", "4"]
NEW += ["--confidence", "reported", "--place", "Baghdad", "--country", "IQ", "--source", "Reuters"]


def _can_mount(where: Path) -> str:
    """Return why a tmpfs cannot be mounted here ('' when it can)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        return "mounting a tmpfs needs root and mount(8)"
    where.mkdir(exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)], capture_output=True, check=False
    )
    if done.returncode != 0:
        return f"mount -t tmpfs is not permitted here: {done.stderr.decode(errors='replace').strip()}"
    subprocess.run(["umount", str(where)], check=False)
    return ""


@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir(exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "entries").rglob("*")) if p.is_file()
    }


def the_ledger(root: Path) -> Path:
    for name, text in {ID: MESSY, "2020-01-06-other": entry(date="2020-01-06", title="Other")}.items():
        path = root / "entries" / name[:4] / name[5:7] / f"{name}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def import_file(tmp_path: Path, cli) -> Path:
    source = the_ledger(tmp_path / "source")
    (source / "entries" / "2020" / "01" / f"{ID}.toml").write_text(VALID)
    records = json.loads(cli("export", "--ledger", str(source)).out)
    records = [{**r, "id": r["id"] + "-imported", "path": None} for r in records]
    file = tmp_path / "rows.json"
    file.write_text(json.dumps(records))
    return file


def check_writers(cli, root: Path, file: Path) -> None:
    """Run every writer; each must stop with exit 2 and one line, leaving the ledger as it was."""
    before = snapshot(root)
    for args in (NEW, ["fmt"], ["import", str(file)]):
        result = cli(*args, "--ledger", str(root))
        assert result.status == 2, (args, result.err)
        assert "Traceback" not in result.err
        errors = [line for line in result.err.splitlines() if line.startswith("ledger: error: ")]
        assert len(errors) == 1, (args, result.err)
        if args[0] == "import":
            assert "(0 entries written, listed on stdout" in errors[0]
    assert snapshot(root) == before  # nothing damaged, no temp file left
    assert cli("validate", "--ledger", str(root)).status == 0


def test_writers_on_a_read_only_folder(tmp_path, cli):
    file = import_file(tmp_path, cli)
    reason = _can_mount(tmp_path / "probe")
    if reason:
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            pytest.skip(f"root ignores file modes, and {reason}")
        root = the_ledger(tmp_path / "ledger")
        folders = [p for p in (root / "entries").rglob("*") if p.is_dir()] + [root / "entries"]
        for folder in folders:
            folder.chmod(0o555)
        try:
            check_writers(cli, root, file)
        finally:
            for folder in folders:
                folder.chmod(0o755)
        return
    with tmpfs(tmp_path / "mnt", "1m") as mount:
        root = the_ledger(mount / "ledger")
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        check_writers(cli, root, file)
        assert cli("list", "--ledger", str(root)).status == 0  # readers still work (index in memory)


def test_writers_on_a_full_filesystem(tmp_path, cli):
    reason = _can_mount(tmp_path / "probe")
    if reason:
        pytest.skip(reason)
    file = import_file(tmp_path, cli)
    with tmpfs(tmp_path / "mnt", "256k") as mount:
        root = the_ledger(mount / "ledger")
        filler = mount / "filler"
        with contextlib.suppress(OSError), open(filler, "wb") as handle:
            while True:
                handle.write(b"\0" * 4096)
                handle.flush()
        check_writers(cli, root, file)
