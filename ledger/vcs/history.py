"""An incident's history in git (`ledger log`), and the canonical text git's diff driver shows (`textconv`).

Each commit that touched the incident's file is read as the two sides `compare` reads; moves
and id renames are followed back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ledger.core.errors import NotFound, Problem, UsageError
from ledger.reports import diff
from ledger.store import files
from ledger.vcs import git, gitout
from ledger.vcs.compare import from_blob, is_entry

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


# -- an incident's history ---------------------------------------------------------------


@dataclass(frozen=True)
class LogRecord:
    """What one commit did to an incident."""

    commit: gitout.Commit
    kind: str  # added, removed, changed, moved, renamed, reformatted, unparseable
    path: str  # the path after the commit (before it, for a removal)
    old_path: str | None = None  # the path before the commit, when it moved
    renamed_from: str | None = None  # the id before the commit, when the id was renamed
    changes: tuple[diff.FieldChange, ...] = ()
    problems: tuple[tuple[str, Problem], ...] = ()  # ("before" | "after", problem)

    def as_json(self) -> dict[str, object]:
        c = self.commit
        return {
            "commit": c.id,
            "parents": list(c.parents),
            "author": c.author,
            "email": c.email,
            "date": c.date,
            "message": c.message,
            "kind": self.kind,
            "path": self.path,
            "old_path": self.old_path,
            "renamed_from": self.renamed_from,
            "changes": [ch.as_json() for ch in self.changes],
            "problems": diff.problems_json(self.problems),
        }


@dataclass(frozen=True)
class History:
    id: str
    records: tuple[LogRecord, ...]
    shallow: bool = False


def entry_id_of(text: str) -> str:
    """Return the incident id a `log` argument names (an id, or an entry file's path)."""
    candidate = files.stem(text.replace("\\", "/")) if text.endswith(".toml") else text
    if not _ID.match(candidate):
        shown = repr(text[:60])
        raise UsageError(f"not an incident id: {shown} (ids are lowercase letters, digits and dashes)")
    return candidate


def log(root: Path, entry_id: str, start: str | None = None) -> History:
    """Return the commits that changed an incident, newest first, following moves and id renames."""
    repo = git.Repo.discover(root)
    if start is None:
        head = repo.head()
        if head is None:
            raise NotFound("no commits yet")
        start = head
    else:
        start = repo.resolve(start)
    records: list[LogRecord] = []
    current, seen = entry_id, {entry_id}
    while True:
        spec = f":(glob){git.glob_escape(repo.prefix)}{files.ENTRIES}/**/{current}.toml"
        commits = repo.log(start, [spec])
        found = _records(repo, commits)
        if not found:
            break
        records.extend(found)
        last = found[-1]
        parent = last.commit.parents[0] if last.commit.parents else None
        if last.kind != "added" or parent is None:
            break
        renamed = _renamed(repo, last, parent, current)
        if renamed is None or renamed[0].renamed_from in seen:
            break
        records[-1] = renamed[0]
        current, start = renamed[1], parent
        seen.add(current)
    if not records:
        raise NotFound(f"no commit changed {entry_id} (is it committed?)")
    return History(entry_id, tuple(records), repo.shallow)


def _records(repo: git.Repo, commits: list[gitout.Commit]) -> list[LogRecord]:
    blobs = [b for c in commits for ch in c.changes for b in (ch.old_blob, ch.new_blob) if b]
    data = repo.read_blobs(blobs)
    out = []
    for commit in commits:
        before = [ch for ch in commit.changes if ch.old_blob and is_entry(repo, ch.path)]
        after = [ch for ch in commit.changes if ch.new_blob and is_entry(repo, ch.path)]
        old = from_blob(repo.rel(before[0].path), before[0].old_mode, before[0].old_blob, data) if before else None
        new = from_blob(repo.rel(after[0].path), after[0].new_mode, after[0].new_blob, data) if after else None
        if old is None and new is None:
            continue
        out.append(_record(commit, old, new))
    return out


def _record(
    commit: gitout.Commit, old: diff.Version | None, new: diff.Version | None, renamed: str | None = None
) -> LogRecord:
    problems = tuple(
        (side, v.problem) for side, v in (("before", old), ("after", new)) if v is not None and v.problem is not None
    )
    path = new.rel if new is not None else old.rel if old is not None else ""
    old_path = old.rel if old is not None and new is not None and old.rel != new.rel else None
    if problems:
        return LogRecord(commit, "unparseable", path, old_path, renamed, problems=problems)
    if old is None or old.entry is None:
        return LogRecord(commit, "added", path)
    if new is None or new.entry is None:
        return LogRecord(commit, "removed", path)
    changes = tuple(diff.field_changes(old.entry, new.entry))
    kind = "renamed" if renamed else "changed" if changes else "moved" if old_path else "reformatted"
    return LogRecord(commit, kind, path, old_path, renamed, changes)


def _renamed(repo: git.Repo, last: LogRecord, parent: str, current: str) -> tuple[LogRecord, str] | None:
    """Ask git's rename detection whether the added file was another id's file; return that record."""
    found = repo.renamed_from(last.commit.id, parent, repo.prefix + last.path)
    if found is None:
        return None
    old_path, old_blob = found
    old_id = files.stem(repo.rel(old_path))
    if old_id == current:
        return None
    new_blob = next((ch.new_blob for ch in last.commit.changes if ch.new_blob and repo.rel(ch.path) == last.path), None)
    data = repo.read_blobs([old_blob, *([new_blob] if new_blob else [])])
    old = from_blob(repo.rel(old_path), "100644", old_blob, data)
    new = from_blob(last.path, "100644", new_blob, data)
    return _record(last.commit, old, new, renamed=old_id), old_id


# -- git's textconv ----------------------------------------------------------------------


def textconv(path: str) -> str:
    """Return what git's textconv shows for a file: `normalised`, or a comment; never raises."""
    try:
        with open(path, "rb") as handle:
            return normalised(handle.read(files.MAX_FILE_BYTES + 1))
    except Exception as err:  # noqa: BLE001 - git aborts the whole diff when a textconv fails
        return f"# ledger: cannot read this file: {err}\n"


def normalised(data: bytes) -> str:
    """Return an entry file in the canonical layout (for `git diff`); unparseable text as it is.

    Never raises: git aborts a whole diff when its textconv fails. A file that cannot be
    parsed is shown unchanged below a comment saying why.
    """
    from ledger.store import canonical

    text, problem = files.decode_bytes("entry", data)
    if text is None:
        reason = problem.message if problem else "unreadable"
        return f"# ledger: {reason}\n" + data.decode("utf-8", "replace")
    raw, problem = files.parse_toml("entry", text)
    if raw is None:
        where = f" (line {problem.line})" if problem and problem.line else ""
        reason = problem.message if problem else "cannot parse"
        return f"# ledger: {reason}{where}\n{text}"
    try:
        return canonical.dumps(raw)
    except Exception:  # noqa: BLE001 - odd data (a table where a list belongs) stays readable as written
        return text
