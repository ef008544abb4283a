"""Help text speaks one placeholder convention: UPPER-CASE metavars (FILE, DIR, REV, FORMAT, QUERY, ID), as git and gh do."""

from __future__ import annotations

import re

import pytest
import typer

from ledger.cli.app import command
from ledger.cli.commands import TABLE

ANGLED = re.compile(r"<[^<>\s]*>")  # <str>, <path>, <id>


def _root() -> typer.main.TyperGroup:
    group = command(None)
    assert isinstance(group, typer.main.TyperGroup)
    return group


def placeholders(command_name: str | None) -> tuple[list[str], str]:
    """Return the metavars a command's help shows for its options and arguments, and the whole help text."""
    root = _root()
    command = root if command_name is None else root.commands[command_name]
    with typer.Context(root, info_name="ledger") as parent:
        ctx = typer.Context(command, info_name=command_name, parent=parent) if command_name else parent
        shown = [p.make_metavar(ctx) for p in command.params if not getattr(p, "is_flag", False)]
        return shown, command.get_help(ctx)


def wrong_placeholders(shown: list[str], text: str) -> list[str]:
    wrong = [m for m in shown if re.search(r"[a-z<>]", m)]
    return wrong + ANGLED.findall(text)


@pytest.mark.parametrize("name", [None, *(c.name for c in TABLE)])
def test_help_placeholders_are_upper_case(name):
    shown, text = placeholders(name)
    assert wrong_placeholders(shown, text) == [], text


def test_the_check_fails_on_lower_case_and_angled_placeholders():
    assert wrong_placeholders(["<str>", "[paths]...", "FILE"], "--ledger <path>  Ledger") == [
        "<str>",
        "[paths]...",
        "<path>",
    ]
    assert wrong_placeholders(["[QUERY]...", "[REV | A B | A..B] [QUERY]...", "ID..."], "no placeholders") == []


def test_help_shows_the_placeholders(cli):
    result = cli("validate", "--help")
    assert "--ledger DIR" in result.out and "-f, --format FORMAT" in result.out and "[PATH]..." in result.out
    assert "<" not in result.out
