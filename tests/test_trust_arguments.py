"""Issue 10: a path argument that is missing, a folder where a file is needed, or unreadable is trouble (exit 2), in one line."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from conftest import entry

GOOD = "2020-01-05-rockets"

# command -> how it is given the path (PATH is replaced)
COMMANDS = {
    "validate": ["validate", "PATH"],
    "fmt": ["fmt", "PATH"],
    "fmt --check": ["fmt", "--check", "PATH"],
    "fmt --diff": ["fmt", "--diff", "PATH"],
    "import": ["import", "PATH"],
    "import --from csv": ["import", "--from", "csv", "PATH"],
    "show": ["show", "PATH"],
    "show --format toml": ["show", "--format", "toml", "PATH"],
    "diff (first folder)": ["diff", "PATH", "LEDGER"],
    "diff (second folder)": ["diff", "LEDGER", "PATH"],
    "list --ledger": ["list", "--ledger", "PATH"],
    "validate --ledger": ["validate", "--ledger", "PATH"],
}
# commands that take a folder as well as a file (a folder is walked, or compared)
TAKE_FOLDERS = {"validate", "fmt", "fmt --check", "fmt --diff", "diff (first folder)", "diff (second folder)"}


def given(command: str, path: Path, root: Path) -> list[str]:
    args = [str(path) if a == "PATH" else str(root) if a == "LEDGER" else a for a in COMMANDS[command]]
    return args if "--ledger" in args else [*args, "--ledger", str(root)]


def one_line_trouble(result) -> None:  # type: ignore[no-untyped-def]
    assert result.status == 2, result
    assert result.err.startswith("ledger: error: "), result
    assert len(result.err.splitlines()) == 1, result
    assert "Traceback" not in result.err


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_missing_path_is_trouble(make_ledger, cli, tmp_path, command):
    root = make_ledger({GOOD: entry()})
    missing = tmp_path / "nowhere" / "2020-01-06-missing.toml"
    result = cli(*given(command, missing, root), cwd=root)
    one_line_trouble(result)
    assert "nowhere" in result.err


@pytest.mark.parametrize("command", sorted(set(COMMANDS) - TAKE_FOLDERS))
def test_a_folder_where_a_file_is_needed_is_trouble(make_ledger, cli, tmp_path, command):
    root = make_ledger({GOOD: entry()})
    folder = tmp_path / "a-folder.toml"
    folder.mkdir()
    one_line_trouble(cli(*given(command, folder, root), cwd=root))  # --ledger: a folder that is no ledger


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads any file; POSIX modes")
def test_an_unreadable_file_to_import_is_trouble(make_ledger, cli, tmp_path):
    root = make_ledger({GOOD: entry()})
    file = tmp_path / "rows.csv"
    file.write_text("title\nx\n")
    file.chmod(0)
    one_line_trouble(cli("import", str(file), "--ledger", str(root)))


def test_an_unknown_id_is_a_finding_not_trouble(make_ledger, cli):
    root = make_ledger({GOOD: entry()})
    result = cli("show", "2020-01-05-rocket", "--ledger", str(root))
    assert result.status == 1
    assert result.err == 'ledger: error: no entry "2020-01-05-rocket" (did you mean "2020-01-05-rockets"?)\n'
