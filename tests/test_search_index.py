"""The full-text table is made on the first search, kept in step by refreshes, never read stale or half-made."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import entry
from test_index import age, db

from ledger import index
from ledger.api import Ledger
from ledger.index import build, fts
from ledger.store import lock

NAMES = {f"2020-01-0{n}-e{n}": f"Strike near {place}" for n, place in enumerate(("Albukamal", "Mayadin", "Hajin"), 1)}


def ledger_of(make_ledger: Any) -> Path:
    root = make_ledger({i: entry(title=title, date=i[:10]) for i, title in NAMES.items()})
    age(root)
    return root


def found(root: Path, text: str) -> list[str]:
    with Ledger(root) as led:
        return list(led.search(text).ids())


def table_rows(root: Path) -> int | None:
    """Rows of the file's full-text table (None: no table)."""
    with contextlib.closing(sqlite3.connect(db(root))) as conn:
        return conn.execute("SELECT count(*) FROM search").fetchone()[0] if fts.SEARCH.ready(conn) else None


def path_of(entry_id: str) -> Path:
    return Path("entries") / entry_id[:4] / entry_id[5:7] / f"{entry_id}.toml"


def test_a_build_leaves_the_table_out_and_the_first_search_fills_it(make_ledger, cli):
    root = ledger_of(make_ledger)
    assert cli("index", "--ledger", str(root), "--rebuild").status == 0
    assert table_rows(root) is None
    with contextlib.closing(sqlite3.connect(db(root))) as conn, pytest.raises(sqlite3.OperationalError):
        conn.execute("SELECT rowid FROM search WHERE search MATCH 'albukamal'")  # no table: loud, never empty
    assert found(root, "Albukamal") == ["2020-01-01-e1"]
    assert table_rows(root) == 3
    assert found(root, "Mayadin") == ["2020-01-02-e2"]  # the second search reads what the first made
    assert found(root, "Mayadeen") == ["2020-01-02-e2"]  # by sound
    assert found(root, "Albukamall") == ["2020-01-01-e1"]  # by edit distance (the word list)


def test_refreshes_keep_the_table_in_step_with_edits_additions_and_removals(make_ledger):
    root = ledger_of(make_ledger)
    assert found(root, "Albukamal") == ["2020-01-01-e1"]
    (root / path_of("2020-01-01-e1")).write_text(entry(title="Shelling of Deir ez-Zor", date="2020-01-01"), "utf-8")
    (root / path_of("2020-01-02-e2")).unlink()
    (root / path_of("2020-01-04-e4")).parent.mkdir(parents=True, exist_ok=True)
    (root / path_of("2020-01-04-e4")).write_text(entry(title="Albukamal again", date="2020-01-04"), "utf-8")
    age(root)  # no file racily clean: the last open below is fresh however fast the searches ran
    assert found(root, "Albukamal") == ["2020-01-04-e4"]  # the old words are gone, the new ones there
    assert found(root, "Deir ez-Zor") == ["2020-01-01-e1"]
    assert found(root, "Mayadin") == []
    assert table_rows(root) == 3
    with Ledger(root) as led:
        led.index().conn()  # the status says how this open was served (before it, only its default)
        assert led.index().status.how == "fresh"


def test_a_refresh_of_most_of_the_ledger_drops_the_table_and_the_next_search_fills_it(make_ledger, monkeypatch):
    monkeypatch.setattr(build, "DERIVED_KEPT", 0)
    root = ledger_of(make_ledger)
    assert found(root, "Hajin") == ["2020-01-03-e3"]
    for entry_id in ("2020-01-01-e1", "2020-01-02-e2"):  # 2 of 3 files: more than a quarter
        (root / path_of(entry_id)).write_text(entry(title="Raid on Hajin", date=entry_id[:10]), "utf-8")
    with Ledger(root) as led:
        led.index().conn()
    assert table_rows(root) is None
    assert found(root, "Hajin") == ["2020-01-01-e1", "2020-01-02-e2", "2020-01-03-e3"]
    assert table_rows(root) == 3


def test_a_lock_held_too_long_fills_a_table_for_this_run_only(make_ledger, monkeypatch):
    monkeypatch.setattr(index.storage, "LOCK_TIMEOUT", 0.05)
    root = ledger_of(make_ledger)
    with Ledger(root) as led:
        led.index().conn()
    with lock.exclusive(root / ".ledger" / "lock"):
        assert found(root, "Albukamal") == ["2020-01-01-e1"]
        assert table_rows(root) is None
    assert found(root, "Albukamal") == ["2020-01-01-e1"]
    assert table_rows(root) == 3


def test_an_index_damaged_after_the_table_was_made_is_rebuilt_and_searched(make_ledger, cli):
    root = ledger_of(make_ledger)
    assert found(root, "Mayadin") == ["2020-01-02-e2"]
    db(root).write_bytes(b"garbage" * 100)
    assert found(root, "Mayadin") == ["2020-01-02-e2"]
    with Ledger(root) as led:
        led.index().conn()
        assert led.index().status.how == "fresh"
    db(root).unlink()
    result = cli("search", "--ledger", str(root), "Hajin", "-f", "ids")
    assert (result.status, result.out, result.err) == (0, "2020-01-03-e3\n", "")


def test_an_index_in_memory_is_searched(make_ledger, monkeypatch):
    root = ledger_of(make_ledger)
    with Ledger(root) as led:
        idx = led.index()
        idx._conn = idx.in_memory()
        assert list(led.search("Hajin").ids()) == ["2020-01-03-e3"]
    assert not db(root).exists()
