"""Git set-up: the `ledger` diff driver named in .gitattributes, its textconv command in .git/config."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from ledger.api.loader import relative
from ledger.core.version import VERSION
from ledger.store import atomic, files


def default_textconv() -> str:
    """Return the textconv command for .git/config: this Python running `-m ledger textconv`.

    The command names the ledger version: git keys its textconv cache by the command, so an
    upgrade (which may change the canonical layout) drops the cached text.
    """
    return f"{shlex.quote(sys.executable)} -m ledger textconv --ledger-version {shlex.quote(VERSION)}"


def git_setup(root: Path, textconv: str) -> list[str]:
    """Name the `ledger` diff driver in .gitattributes and put its command in .git/config."""
    from ledger.vcs import git

    repo = git.Repo.discover(root)
    done = []
    attributes = root / ".gitattributes"
    line = f"{files.ENTRIES}/**/*.toml diff=ledger"
    old = attributes.read_text(encoding="utf-8") if attributes.is_file() else ""
    if line not in old.splitlines():
        text = old + ("" if not old or old.endswith("\n") else "\n") + line + "\n"
        atomic.write_atomic(attributes, text)
        done.append(f"{relative(root, attributes)}: added `{line}` (commit it)")
    settings = [("diff.ledger.textconv", textconv), ("diff.ledger.xfuncname", "^title = .*$")]
    # git keeps the converted text in refs/notes (one Python start per blob, once), as a notes
    # commit: without a committer identity every `git log -p` would fail, so the cache waits.
    if repo.has_identity():
        settings.append(("diff.ledger.cachetextconv", "true"))
    elif repo.config_get("diff.ledger.cachetextconv") is None:
        done.append("git config diff.ledger.cachetextconv left off: git has no user.name/user.email here")
    for key, value in settings:
        if repo.config_get(key) != value:
            repo.config_set(key, value)
            done.append(f"git config {key} {value!r}")
    return done


def textconv(path: str) -> str:
    """Return an entry file in the canonical layout for git's diff driver (the file itself if it cannot be)."""
    from ledger.vcs import history

    return history.textconv(path)
