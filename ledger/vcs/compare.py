"""The two sides of a `ledger diff`: revisions, the working tree, or two folders, as entry versions.

Cost follows the change: a diff reads only the blobs `diff-tree` (or, for the working
tree, `diff-index` and `ls-files --others`) names, with one `cat-file --batch`; an entry
that does not parse at either side becomes an `Unparseable` with the side named.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ledger.core import schema
from ledger.core.errors import LedgerError, Problem, Severity, UsageError
from ledger.reports import diff
from ledger.store import files
from ledger.vcs import git, gitout

WORKTREE = "working tree"


# -- reading one version -----------------------------------------------------------------


def decode_text(rel: str, text: str) -> diff.Version:
    """Parse and decode an entry's text; any decoding error makes it unparseable."""
    raw, problem = files.parse_toml(rel, text)
    if raw is None:
        return diff.Version(rel, None, problem)
    entry, problems = schema.decode(raw, entry_id=files.stem(rel), path=rel)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if entry is None or errors:
        first = errors[0] if errors else Problem(rel, 0, "", "cannot be decoded")
        line = files.line_finder(text)(first.field) if first.field else first.line
        return diff.Version(rel, None, Problem(rel, int(line or 0), first.field, first.message))
    return diff.Version(rel, entry)


def decode_bytes(rel: str, data: bytes) -> diff.Version:
    """Check, parse and decode an entry's bytes (from git or disk)."""
    text, problem = files.decode_bytes(rel, data)
    if text is None:
        return diff.Version(rel, None, problem)
    return decode_text(rel, text)


def is_entry(repo: git.Repo, path: str) -> bool:
    """Return whether a path git gives names an entry file by the one rule (`files.is_entry_rel`)."""
    return files.is_entry_rel(repo.rel(path))


def _symlink(rel: str) -> diff.Version:
    return diff.Version(rel, None, Problem(rel, 0, "", "is a symbolic link in git, not an entry file"))


# -- what to compare ---------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """The two sides the user asked for: revisions (None = working tree) or two folders."""

    old: str | None = None  # None with new None: HEAD vs the working tree
    new: str | None = None
    merge_base: bool = False  # A...B: from the common ancestor of A and B
    folders: tuple[Path, Path] | None = None


def parse_spec(args: Sequence[str], is_dir: Callable[[str], bool] = os.path.isdir) -> Spec:
    """Turn the command's arguments into a Spec (the forms of DESIGN.md section 3)."""
    if len(args) > 2:
        raise UsageError("give at most two revisions, or two folders")
    if len(args) == 2 and all(is_dir(a) for a in args):
        return Spec(folders=(Path(args[0]), Path(args[1])))
    if len(args) == 2 and any(is_dir(a) for a in args):  # a folder and a path that is none: say so
        other = next(a for a in args if not is_dir(a))
        if other.startswith((".", "/", "~")) or os.sep in other.rstrip(os.sep):
            raise UsageError(f"not a folder: {other} (compare two folders, or two revisions)")
    for arg in args:
        git.check_revision(arg)
    if len(args) == 2:
        if any(".." in a for a in args):
            raise UsageError("give either A..B or A B, not both")
        return Spec(args[0], args[1])
    if len(args) == 1:
        text = args[0]
        dots = "..." if "..." in text else ".." if ".." in text else None
        if dots is None:
            return Spec(text, None)
        a, _, b = text.partition(dots)
        for part in (a, b):
            if part:
                git.check_revision(part)
        return Spec(a or "HEAD", b or "HEAD", merge_base=dots == "...")
    return Spec()


@dataclass
class _Sides:
    old: dict[str, list[diff.Version]] = field(default_factory=lambda: defaultdict(list))
    new: dict[str, list[diff.Version]] = field(default_factory=lambda: defaultdict(list))


def compare(root: Path, spec: Spec, place: bool = True) -> diff.Diff:
    """Compare the two sides of `spec` for the ledger at `root`."""
    if spec.folders is not None:
        return compare_folders(*spec.folders, place=place)
    repo = git.Repo.discover(root, "; to compare folders give DIR_A DIR_B")
    if spec.old is None:
        head = repo.head()
        if head is not None:
            old, old_label, old_json = head, f"HEAD ({head[:7]})", head
        else:
            old = repo.empty_tree()
            old_label, old_json = "(no commits)", old
    else:
        old = repo.resolve(spec.old)
        old_label, old_json = f"{spec.old} ({old[:7]})", old
    if spec.new is None:
        changes = repo.worktree_changes(old)
        new_label, new_json, new = WORKTREE, WORKTREE, None
    else:
        new = repo.resolve(spec.new)
        if spec.merge_base:
            old = repo.merge_base(old, new)
            old_label, old_json = f"merge-base of {spec.old} and {spec.new} ({old[:7]})", old
        new_label, new_json = f"{spec.new} ({new[:7]})", new
        changes = repo.tree_changes(old, new)
    sides, present = _read_changes(
        repo, root, [c for c in changes if is_entry(repo, c.path) and c.is_file], new is None
    )
    result = diff.compare(sides.old, sides.new, old_json, new_json)
    result = _labelled(result, old_label, new_label)
    if place and any(i.change("date") for i in result.changed):
        result = diff.place_moves(result, _placements(result, repo, old, new, present))
    return result


def _labelled(result: diff.Diff, old_label: str, new_label: str) -> diff.Diff:
    return replace(result, labels=(old_label, new_label))


def _read_changes(
    repo: git.Repo, root: Path, changes: list[gitout.RawChange], worktree: bool
) -> tuple[_Sides, dict[str, bool]]:
    """Read both sides of the changed paths: blobs in one batch, working-tree files from disk."""
    old_blobs: dict[str, gitout.RawChange] = {}
    new_blobs: dict[str, gitout.RawChange] = {}
    paths: dict[str, bool] = {}  # repo path -> present on the new side
    for change in changes:
        if change.old_blob and change.path not in old_blobs:
            old_blobs[change.path] = change
        if not worktree and change.new_blob:
            new_blobs[change.path] = change
        paths.setdefault(change.path, False)
    data = repo.read_blobs(
        [c.old_blob for c in old_blobs.values() if c.old_blob] + [c.new_blob for c in new_blobs.values() if c.new_blob]
    )
    sides = _Sides()
    for path, change in old_blobs.items():
        rel = repo.rel(path)
        sides.old[files.stem(rel)].append(from_blob(rel, change.old_mode, change.old_blob, data))
    for path in paths:
        rel = repo.rel(path)
        if worktree:
            if not os.path.lexists(root / rel):
                continue
            text, problem = files.read_text(root, rel)
            version = decode_text(rel, text) if text is not None else diff.Version(rel, None, problem)
        elif path in new_blobs:
            change = new_blobs[path]
            version = from_blob(rel, change.new_mode, change.new_blob, data)
        else:
            continue
        paths[path] = True
        sides.new[files.stem(rel)].append(version)
    return sides, paths


def from_blob(rel: str, mode: str, blob: str | None, data: dict[str, bytes]) -> diff.Version:
    if mode.startswith("12"):
        return _symlink(rel)
    if blob is None or blob not in data:
        return diff.Version(rel, None, Problem(rel, 0, "", "blob missing from the repository"))
    return decode_bytes(rel, data[blob])


def _placements(
    result: diff.Diff, repo: git.Repo, old: str, new: str | None, present: dict[str, bool]
) -> dict[str, tuple[str | None, str | None]]:
    """Place moved dates among the new side's ids: first in the month folders around them."""
    window = _month_window(result)
    if window is not None and _filed_by_month(repo, new or old, window, present):
        placed = diff.placements(result, _target_ids(repo, old, new, present, window))
        if all(after is not None and before is not None for after, before in placed.values()):
            return placed
    return diff.placements(result, _target_ids(repo, old, new, present, [files.ENTRIES]))


_MONTH_PATH = re.compile(r"^entries/(\d{4})/(\d{2})/(\d{4})-(\d{2})-\d{2}-[^/]*\.toml$")
_YEAR, _MONTH = re.compile(r"^\d{4}$"), re.compile(r"^\d{2}$")


def _month_window(result: diff.Diff) -> list[str] | None:
    """Return the month folders around each moved date, if the moved entries are filed by month."""
    folders = set()
    for item in result.changed:
        if item.change("date") is None:
            continue
        found = _MONTH_PATH.match(item.path)
        if found is None or found.group(1, 2) != found.group(3, 4):
            return None
        for step in (-1, 0, 1):
            month = item.date.year * 12 + item.date.month - 1 + step
            folders.add(f"{files.ENTRIES}/{month // 12:04d}/{month % 12 + 1:02d}")
    return sorted(folders)


def _filed_by_month(repo: git.Repo, commit: str, window: list[str], present: dict[str, bool]) -> bool:
    """Check that entries/ holds only year folders, and the window's years only month folders."""
    years = sorted({folder.rsplit("/", 2)[1] for folder in window})
    top = repo.children(commit, [files.ENTRIES])
    if any(item.kind != "tree" or not _YEAR.match(item.path.rsplit("/", 1)[1]) for item in top):
        return False
    inside = repo.children(commit, [f"{files.ENTRIES}/{year}" for year in years])
    if any(item.kind != "tree" or not _MONTH.match(item.path.rsplit("/", 1)[1]) for item in inside):
        return False
    return all(_MONTH_PATH.match(repo.rel(path)) for path, there in present.items() if there)


def _target_ids(
    repo: git.Repo, old: str, new: str | None, present: dict[str, bool], folders: Sequence[str]
) -> list[str]:
    """Return the ids at the new side under some folders, from names only (no blob is read)."""
    if new is not None:
        return [files.stem(p) for p in repo.names(new, folders) if is_entry(repo, p)]
    names = {p for p in repo.names(old, folders) if is_entry(repo, p)}
    names.difference_update(p for p, there in present.items() if not there)
    names.update(p for p, there in present.items() if there)
    return [files.stem(p) for p in names]


def compare_folders(a: Path, b: Path, place: bool = True) -> diff.Diff:
    """Compare two ledger folders; files with identical bytes at the same path are not parsed."""
    for folder in (a, b):
        if not (folder / files.ENTRIES).is_dir():
            raise LedgerError(f"not a ledger folder (no {files.ENTRIES}/ inside): {folder.as_posix()}")
    walk_a = {f.rel: f for f in files.walk(a.resolve())}
    walk_b = {f.rel: f for f in files.walk(b.resolve())}
    sides = _Sides()
    for rel in sorted(set(walk_a) | set(walk_b)):
        text_a = files.read_text(a, rel) if rel in walk_a else None
        text_b = files.read_text(b, rel) if rel in walk_b else None
        if text_a and text_b and text_a[0] is not None and text_a[0] == text_b[0]:
            continue
        for loaded, side in ((text_a, sides.old), (text_b, sides.new)):
            if loaded is not None:
                text, problem = loaded
                side[files.stem(rel)].append(
                    decode_text(rel, text) if text is not None else diff.Version(rel, None, problem)
                )
    result = diff.compare(sides.old, sides.new, str(a), str(b))
    result = _labelled(result, str(a), str(b))
    if place:
        result = diff.place_moves(result, diff.placements(result, [files.stem(rel) for rel in walk_b]))
    return result
