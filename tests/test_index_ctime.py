"""The index notices content changed behind a restored mtime (`touch -r`, `rsync -t --inplace`)."""

from __future__ import annotations

import os

from conftest import entry


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
