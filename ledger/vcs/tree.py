"""Which blobs of a git tree are entry files: the rule of `store.files.walk`, applied to a tree.

`--as-of` (the revision index) and `validate --staged` both ask here, so a committed tree
gives the answers its checkout gives:

- names starting with a dot inside `entries/` are skipped (`files.is_entry_rel`);
- a symbolic link is followed when, resolved inside the tree (links on the way too), it
  leads to a regular file of the ledger: the entry is the link's name with its target's text;
- a broken link, a link out of the ledger, a link to a folder and a folder named `*.toml`
  are not entries: each is left out with the reason `walk` gives (and counted).

What a tree cannot say is left alone: a link through a folder outside `entries/` is followed
only as far as the tree's listing of `entries/` and one look-up of its final path.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ledger.core.errors import Problem
from ledger.store import files
from ledger.vcs.gitout import TreeItem

MAX_HOPS = 40  # as the kernel's limit on links in one path (ELOOP)
LINK = "120000"


@dataclass(frozen=True, slots=True)
class TreeEntries:
    """The entry files of a tree: the blob holding each one's text, and why others are left out."""

    blobs: dict[str, str] = field(default_factory=dict)  # rel -> blob id (a followed link: its target's)
    odd: dict[str, Problem] = field(default_factory=dict)  # rel -> why it is not an entry file


def entry_files(
    items: Iterable[TreeItem],
    rel: Callable[[str], str],
    read: Callable[[list[str]], dict[str, bytes]],
    root: Path,
    look_up: Callable[[str], list[TreeItem]] | None = None,
) -> TreeEntries:
    """Sort the blobs under `entries/` of a tree (`items`, paths as git gives them) by the one rule.

    `rel` turns a git path into one relative to the ledger; `read` reads blobs (the links'
    targets); `root` is where the ledger is checked out (a link's absolute target is read
    against it); `look_up` lists a path of the tree outside `entries/` (a link may lead there).
    """
    regular: dict[str, str] = {}
    links: dict[str, str] = {}
    out = TreeEntries()
    for item in items:
        path = rel(item.path)
        if item.mode == LINK:
            links[path] = item.blob
        else:
            regular[path] = item.blob
        if ".toml/" in path:  # a folder on the way named *.toml: no entry (git lists no empty folder)
            parts = path.split("/")
            for end in range(2, len(parts)):
                folder = "/".join(parts[:end])
                if folder.endswith(".toml") and files.is_entry_rel(folder):
                    out.odd.setdefault(folder, Problem(folder, 0, "", files.IS_FOLDER))
    for path, blob in regular.items():
        if files.is_entry_rel(path):
            out.blobs[path] = blob
    if links:
        texts = {blob: os.fsdecode(data) for blob, data in read(list(links.values())).items()}
        resolver = _Resolver(regular, {p: texts.get(b) for p, b in links.items()}, root, look_up)
        for path in sorted(p for p in links if files.is_entry_rel(p)):
            target, problem = resolver.follow(path)
            if target is not None:
                out.blobs[path] = target
            elif problem is not None:
                out.odd[path] = Problem(path, 0, "", problem)
    return out


class _Resolver:
    """Resolve a link's path inside a tree, as the kernel would in the checkout."""

    def __init__(
        self,
        regular: dict[str, str],
        links: dict[str, str | None],
        root: Path,
        look_up: Callable[[str], list[TreeItem]] | None,
    ) -> None:
        self.regular, self.links = regular, links
        self._folders: set[str] | None = None
        self.roots = {os.path.normpath(root), os.path.realpath(root)}
        self.real_root = os.path.realpath(root)
        self.look_up = look_up

    def follow(self, link: str) -> tuple[str | None, str | None]:
        """Return (blob of the regular file a link leads to, None) or (None, why it is not followed)."""
        parts = link.split("/")
        done: list[str] = []
        hops = 0
        while parts:
            part = parts.pop(0)
            if part in ("", "."):
                continue
            if part == "..":
                if not done:
                    return None, self._out("/".join(["..", *parts]))
                done.pop()
                continue
            done.append(part)
            here = "/".join(done)
            if here in self.links:
                hops += 1
                target = self.links[here]
                if target is None or hops > MAX_HOPS:
                    return None, "is a broken symbolic link"
                done.pop()
                if posixpath.isabs(target):
                    inside = self._inside(target)
                    if inside is None:
                        return None, self._out_absolute(target)
                    done = []
                    target = inside
                parts = target.split("/") + parts
        final = "/".join(done)
        if final in self.regular:
            return self.regular[final], None
        if final == "" or final in self.folders:
            return None, "is a symbolic link to a folder; not followed"
        if self.look_up is not None and final.split("/")[0] != files.ENTRIES:
            found = self.look_up(final)
            exact = [i for i in found if i.path.endswith("/" + final) or i.path == final]
            if exact and exact[0].mode != LINK:
                return exact[0].blob, None
            if found and not exact:
                return None, "is a symbolic link to a folder; not followed"
        return None, "is a broken symbolic link"

    @property
    def folders(self) -> set[str]:
        """Every folder of the tree's listing (made when a link's target is not a file)."""
        if self._folders is None:
            self._folders = {p[:i] for p in (*self.regular, *self.links) for i in _slashes(p)}
        return self._folders

    def _inside(self, target: str) -> str | None:
        normal = posixpath.normpath(target)
        for base in self.roots:
            if normal == base:
                return ""
            if normal.startswith(base.rstrip("/") + "/"):
                return normal[len(base.rstrip("/")) + 1 :]
        return None

    def _out(self, rest: str) -> str:
        where = os.path.normpath(os.path.join(self.real_root, rest))
        return f"is a symbolic link out of the ledger ({where}); not followed"

    def _out_absolute(self, target: str) -> str:
        return f"is a symbolic link out of the ledger ({posixpath.normpath(target)}); not followed"


def _slashes(path: str) -> list[int]:
    return [i for i, c in enumerate(path) if c == "/"]
