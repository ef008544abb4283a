"""The index notices content changed behind a restored mtime (`touch -r`, `rsync -t --inplace`)."""

from __future__ import annotations

import os
import time

from conftest import entry

from ledger.api import Ledger
from ledger.store import scan


def test_restored_mtime_does_not_hide_an_edit(make_ledger, cli):
    root = make_ledger({"2020-01-05-a": entry(type="raid", escalation=6)})
    path = root / "entries" / "2020" / "01" / "2020-01-05-a.toml"
    old = (1_577_836_800, 1_577_836_800)  # 2020-01-01: far from any racy window
    os.utime(path, old)
    assert cli("list", "--ledger", str(root), "--type", "raid", "--format", "ids").out == "2020-01-05-a\n"
    text = path.read_text()
    path.write_text(text.replace('type = "raid"', 'type = "ied" '))  # same size
    os.utime(path, old)
    assert path.stat().st_size == len(text.encode())
    assert cli("list", "--ledger", str(root), "--type", "raid", "--format", "ids").out == ""
    assert cli("list", "--ledger", str(root), "--type", "ied", "--format", "ids").out == "2020-01-05-a\n"


def test_a_change_of_ctime_alone_keeps_the_index_racy(make_ledger, monkeypatch):
    """A file's ctime counts for the racy window as its mtime does (review9, F2).

    Else an edit behind a restored mtime, read within the window, is stored as settled, and a
    second such edit in the same ctime tick (a second, on HFS+ or ext4 with small inodes) is
    never seen. The window is widened so that no load can close it: the mtimes are an hour old,
    the ctimes (set by that utime) are now.
    """
    monkeypatch.setattr(scan, "RACY_NS", 600 * 10**9)
    root = make_ledger({"2020-01-05-a": entry(type="raid")})
    old = time.time() - 3600
    for dirpath, _, names in os.walk(root / "entries"):
        for name in [*names, "."]:
            os.utime(os.path.join(dirpath, name), (old, old))
    with Ledger(root) as led:
        led.index().conn()  # built
    with Ledger(root) as led:
        led.index().conn()
        assert (led.index().status.how, led.index().status.reparsed) == ("refreshed", 1)  # read again
