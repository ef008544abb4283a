"""Locating keys for problem lines; atomic writes."""

from __future__ import annotations

import os
import stat

import pytest
from conftest import posix_only

from ledger.api.loader import _read_plain
from ledger.store import atomic, files

TEXT = '''\
title = "x"
summary = """
tags = ["not", "a key"]
"""
responds_to = [
    "2020-01-01-a",  # a comment
    "2020-01-02-b", "2020-01-03-c",
]
related = ["2020-01-04-d", "2020-01-05-e"]

[location]
name = "y"

[casualties]
killed = { best = 3, low = 2 }

[[sources]]
name = "a"

[[sources]]
name = "b"
'''


def test_key_lines():
    lines = files.key_lines(TEXT)
    assert lines["title"] == 1
    assert "tags" not in lines  # inside a multi-line string
    assert [lines[f"responds_to[{i}]"] for i in range(3)] == [6, 7, 7]
    assert (lines["related[0]"], lines["related[1]"]) == (9, 9)
    assert lines["location"] == 11 and lines["location.name"] == 12
    assert lines["casualties.killed"] == lines["casualties.killed.low"] == 15
    assert (lines["sources[0].name"], lines["sources[1].name"]) == (18, 21)


def test_line_finder_falls_back_to_the_enclosing_key():
    line_of = files.line_finder(TEXT)
    assert line_of("location.lat") == 11
    assert line_of("sources[1].url") == 20
    assert line_of("nothing") == 1


@posix_only("file modes")
def test_write_atomic_keeps_mode_and_leaves_no_temp(tmp_path):
    path = tmp_path / "entries" / "a.toml"
    atomic.write_atomic(path, "one\n")
    path.chmod(0o600)
    atomic.write_atomic(path, "two\n")
    assert path.read_text() == "two\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["a.toml"]


def test_write_atomic_exclusive_refuses_to_overwrite(tmp_path):
    path = tmp_path / "a.toml"
    path.write_text("mine\n")
    try:
        atomic.write_atomic(path, "theirs\n", exclusive=True)
    except FileExistsError:
        pass
    else:
        raise AssertionError("overwrote an existing file")
    assert path.read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.toml"]


@posix_only("symbolic links and FIFOs")
def test_read_plain_takes_only_plain_files_and_reads_them_like_read_text(tmp_path):
    (tmp_path / "entries").mkdir()
    plain = tmp_path / "entries" / "a.toml"
    plain.write_bytes(b'\xef\xbb\xbftitle = "x"\n')
    big = tmp_path / "entries" / "big.toml"
    big.write_bytes(b"#" * (files.MAX_FILE_BYTES + 5))
    (tmp_path / "entries" / "link.toml").symlink_to(plain)
    (tmp_path / "entries" / "dir.toml").mkdir()
    os.mkfifo(tmp_path / "entries" / "fifo.toml")
    for rel in ("entries/a.toml", "entries/big.toml"):
        assert _read_plain(tmp_path, rel) == files.read_text(tmp_path, rel)
    assert _read_plain(tmp_path, "entries/a.toml") == ('title = "x"\n', None)
    assert "larger than the limit" in _read_plain(tmp_path, "entries/big.toml")[1].message
    for rel in ("entries/link.toml", "entries/dir.toml", "entries/fifo.toml", "entries/gone.toml"):
        assert _read_plain(tmp_path, rel) is None  # the careful road names what these are


def test_a_file_longer_than_its_stated_size_is_read_whole():
    # A file that grew after its size was read, as one whose size reads 0 (Linux's /proc files):
    # one read gives what was stated, more reads the rest.
    status = "/proc/self/status"
    if not os.path.isfile(status) or os.stat(status).st_size != 0:
        pytest.skip("needs a file whose stated size is less than its length (Linux /proc)")
    text, problem = files.read_at(status, "status")
    assert problem is None and text is not None and text.startswith("Name:") and text.endswith("\n")
