"""What git prints for a program, parsed: the changes of `--raw -z`, a tree's items, `log`'s commits.

`git.Repo` runs git and hands its output here; nothing here starts a process.
"""

from __future__ import annotations

from dataclasses import dataclass

LOG_MARK = "\x01"  # starts each commit's header in `Repo.log`'s format


@dataclass(frozen=True, slots=True)
class RawChange:
    """One changed path from `--raw -z` output (paths relative to the repository top)."""

    old_mode: str
    new_mode: str
    old_blob: str | None  # None: the path did not exist (or is unknown) on that side
    new_blob: str | None  # None: absent, or a working-tree file git has not hashed
    status: str
    path: str

    @property
    def is_file(self) -> bool:
        """Return True unless both sides are something other than a regular file or symlink."""
        return any(m[:2] in ("10", "12") for m in (self.old_mode, self.new_mode) if m != "000000")


@dataclass(frozen=True, slots=True)
class TreeItem:
    mode: str
    kind: str  # blob, tree or commit
    blob: str
    path: str


@dataclass(frozen=True, slots=True)
class Commit:
    """A commit as `log` shows it, with the raw changes to the paths asked about."""

    id: str
    parents: tuple[str, ...]
    author: str
    email: str
    date: str  # ISO 8601 with offset (author date)
    message: str
    changes: tuple[RawChange, ...]


def parse_raw(data: bytes) -> list[RawChange]:
    """Parse `--raw -z` records (`:old_mode new_mode old new status NUL path NUL`)."""
    tokens = split(data)
    changes = []
    i = 0
    while i + 1 < len(tokens):
        change = _raw_record(tokens[i], tokens[i + 1])
        if change is None:
            i += 1
            continue
        changes.append(change)
        i += 2
    return changes


def _raw_record(meta: str, path: str) -> RawChange | None:
    meta = meta.lstrip("\n")
    if not meta.startswith(":"):
        return None
    fields = meta[1:].split(" ")
    if len(fields) < 5:
        return None
    old_mode, new_mode, old, new, status = fields[:5]
    return RawChange(old_mode, new_mode, _blob(old), _blob(new), status[:1], path)


def parse_log(data: bytes) -> list[Commit]:
    """Parse the output of `Repo.log` (a marked header of six fields, then raw records)."""
    tokens = split(data)
    commits: list[Commit] = []
    i = 0
    while i < len(tokens):
        token = tokens[i].lstrip("\n")
        if not token.startswith(LOG_MARK):
            i += 1
            continue
        head = [token[1:], *tokens[i + 1 : i + 6]]
        i += 6
        changes = []
        while i + 1 < len(tokens) and (change := _raw_record(tokens[i], tokens[i + 1])) is not None:
            changes.append(change)
            i += 2
        commits.append(
            Commit(
                head[0],
                tuple(head[1].split()),
                head[2],
                head[3],
                head[4],
                head[5].strip("\n"),
                tuple(changes),
            )
        )
    return commits


def _blob(text: str) -> str | None:
    return None if set(text) == {"0"} else text


def split(data: bytes) -> list[str]:
    text = data.decode("utf-8", "surrogateescape")
    parts = text.split("\0")
    if parts and parts[-1] in ("", "\n"):
        parts.pop()
    return parts
