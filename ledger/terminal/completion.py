"""Shell completion (typer's own, for bash, zsh and fish): what an option or argument can take.

Choices (types, categories, confidence grades, precisions, formats, sort fields) come from the
model and the option tables; entry ids, actors, places, tags and countries from the ledger's
index file (`ledger.api.completion`), read as it is: never built for a completion, no entry
file loaded, so a tab press stays quick on a large ledger. Without a ledger or an index there
is nothing to offer, and a completer never raises: a traceback in the middle of a command
line would be worse than no completion.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Completer = Callable[..., list[str]]

#: query field -> what the index lists for it (`ledger.api.completion.KINDS`)
INDEXED = {"id": "ids", "actor": "actors", "place": "places", "tag": "tags", "country": "countries"}


def named(choices: Sequence[str] | str) -> Sequence[str]:
    """Return fixed choices as they are, or those a module names (`"ledger.reports.stats:BY"`), imported now."""
    if isinstance(choices, str):
        import importlib

        module, name = choices.split(":")
        found: Sequence[str] = getattr(importlib.import_module(module), name)
        return found
    return choices


def among(choices: Sequence[str] | str) -> Completer:
    """Complete from fixed choices, or from those a module names (imported on a tab press)."""
    return lambda incomplete: [c for c in named(choices) if c.startswith(incomplete)]


def from_index(kind: str) -> Completer:
    """Complete from the values of one kind (ids, actors, places, tags, countries) in the ledger's index."""

    def complete(ctx: Any, incomplete: str) -> list[str]:
        try:
            from ledger.api.completion import values

            return values(kind, incomplete, ledger_dir(ctx))
        except Exception:  # noqa: BLE001 - completion offers nothing rather than a traceback on the command line
            return []

    return complete


def for_field(field: str) -> Completer | None:
    """Return the completer of a query field: its choices, or the index's values; None for free text and numbers."""
    from ledger.query.fields import CHOICES

    if field in CHOICES:
        return among(CHOICES[field])
    return from_index(INDEXED[field]) if field in INDEXED else None


def ledger_dir(ctx: Any) -> str | None:
    """Return the --ledger given so far on the command line (the command's or the root's), else LEDGER_DIR."""
    while ctx is not None:
        given = ctx.params.get("ledger_dir")
        if given:
            return str(given)
        ctx = ctx.parent
    return os.environ.get("LEDGER_DIR") or None


def completed_words(environ: Mapping[str, str]) -> list[str]:
    """Return the words before the one being completed, as typer's shells hand them over (fewer when unsure).

    bash gives the words and the cursor's (COMP_WORDS, COMP_CWORD); zsh, fish and PowerShell
    the line (_TYPER_COMPLETE_ARGS), whose last word is incomplete unless a space ends it.
    Dropping a word is always safe: at worst every command is built.
    """
    import shlex

    line = environ.get("COMP_WORDS", environ.get("_TYPER_COMPLETE_ARGS", ""))
    try:
        words = shlex.split(line)
        if "COMP_WORDS" in environ:
            return words[1 : int(environ.get("COMP_CWORD", "0"))]
    except ValueError:
        return []
    return words[1:-1] if environ.get("_TYPER_COMPLETE_WORD_TO_COMPLETE") or not line.endswith(" ") else words[1:]
