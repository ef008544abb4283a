"""The git edge: the one module that runs git (the pager, `terminal/pager.py`, is the only other process).

Every call is read-only plumbing (`rev-parse`, `diff-tree`, `diff-index`, `ls-tree`,
`ls-files`, `cat-file --batch`, `log`), except `config_set` for `ledger git-setup`. Safety:

- nothing the user typed reaches git as an option: revisions are checked by
  `check_revision` (no leading `-`, no control characters, bounded length) and then
  verified with `rev-parse --verify --end-of-options REV^{commit}`; later calls only ever
  see the full commit id; paths go after `--` as `:(literal)` pathspecs;
- git runs with a scrubbed environment (no inherited `GIT_*` that would redirect it to
  another repository, index or external diff), `GIT_OPTIONAL_LOCKS=0` (a read never
  writes the index), `core.fsmonitor=false` (a repository's config cannot start a
  program), `--no-ext-diff --no-textconv` and `-z` output.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ledger.core.errors import LedgerError, UsageError
from ledger.vcs.gitout import LOG_MARK, Commit, RawChange, TreeItem, parse_log, parse_raw, split

MAX_REVISION = 256  # longer than any sane ref name or expression
_HEX = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_KEEP_GIT_VARS = {
    # the user's choice of configuration files and repository discovery limits
    "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_SYSTEM",
    "GIT_CONFIG_NOSYSTEM",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    "GIT_EXEC_PATH",
}
_GLOBAL_OPTIONS = ("--no-pager", "-c", "core.fsmonitor=false", "-c", "core.quotepath=false")
_DIFF_OPTIONS = ("-z", "--raw", "--no-abbrev", "--no-renames", "--no-ext-diff", "--no-textconv", "--ignore-submodules")


def check_revision(text: str) -> str:
    """Refuse a revision that could be taken for an option or smuggle anything; return it."""
    if not text:
        raise UsageError("empty revision")
    shown = repr(text[:40]) + ("..." if len(text) > 40 else "")
    if text.startswith("-"):
        raise UsageError(f"refusing revision {shown}: a revision cannot start with '-'")
    if _CONTROL.search(text):
        raise UsageError(f"refusing revision {shown}: it contains control characters")
    if len(text) > MAX_REVISION:
        raise UsageError(f"refusing revision {shown}: longer than {MAX_REVISION} characters")
    return text


def scrubbed_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return the environment git runs in: no inherited GIT_* redirections, no optional locks."""
    env = {
        key: value
        for key, value in (os.environ if base is None else base).items()
        if not key.startswith("GIT_") or key in _KEEP_GIT_VARS
    }
    env.update(
        {
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_PAGER": "cat",
            "LC_ALL": "C",
            "LANGUAGE": "C",
        }
    )
    return env


def literal(path: str) -> str:
    """Return a pathspec that matches `path` literally (no glob, no magic)."""
    return f":(literal){path}"


def glob_escape(path: str) -> str:
    """Escape the characters a `:(glob)` pathspec would interpret."""
    return re.sub(r"([*?\[\]\\])", r"\\\1", path)


class Repo:
    """A git work tree, seen from the ledger root inside it."""

    def __init__(self, top: Path, prefix: str, shallow: bool, env: dict[str, str]) -> None:
        self.top = top
        self.prefix = prefix  # ledger root relative to `top`, "" or ending in "/"
        self.shallow = shallow
        self.env = env

    @classmethod
    def discover(cls, folder: Path, hint: str = "") -> Repo:
        """Find the repository holding `folder`; LedgerError if git or the repository is missing (`hint` ends it)."""
        env = scrubbed_environment()
        out = _run(["rev-parse", "--show-toplevel", "--show-prefix", "--is-shallow-repository"], folder, env, None)
        if out.returncode != 0:
            message = _first_line(out.stderr)
            if "not a git repository" in message:
                raise LedgerError(f"not a git repository: {folder.as_posix()} (git needs one{hint})")
            raise LedgerError(f"git cannot read the repository at {folder.as_posix()}: {message}")
        lines = out.stdout.decode("utf-8", "surrogateescape").split("\n")
        if len(lines) < 3:
            raise LedgerError(f"not a git work tree: {folder.as_posix()}")
        return cls(Path(lines[0]), lines[1], lines[2].strip() == "true", env)

    # -- running ---------------------------------------------------------------------

    def run(self, args: list[str], stdin: bytes | None = None, ok: Iterable[int] = (0,)) -> bytes:
        """Run git in the top folder; LedgerError with git's message when it fails."""
        out = _run(args, self.top, self.env, stdin)
        if out.returncode not in tuple(ok):
            raise LedgerError(f"git {args[0]} failed: {_first_line(out.stderr) or f'exit {out.returncode}'}")
        return out.stdout

    def pathspec(self, under: str = "entries") -> str:
        """Return the literal pathspec of a folder of the ledger."""
        return literal(self.prefix + under)

    def rel(self, repo_path: str) -> str:
        """Turn a path relative to the repository top into one relative to the ledger root."""
        return repo_path[len(self.prefix) :] if repo_path.startswith(self.prefix) else repo_path

    # -- revisions -------------------------------------------------------------------

    def resolve(self, revision: str) -> str:
        """Verify that `revision` names a commit; return its full id."""
        check_revision(revision)
        out = _run(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"], self.top, self.env, None
        )
        found = out.stdout.decode("ascii", "replace").strip()
        if out.returncode != 0 or not _HEX.match(found):
            hint = " (this is a shallow clone: the commit may not have been fetched)" if self.shallow else ""
            raise LedgerError(f"unknown revision: {revision!r}{hint}")
        return found

    def head(self) -> str | None:
        """Return the commit HEAD points to, or None in a repository without commits."""
        out = _run(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], self.top, self.env, None)
        found = out.stdout.decode("ascii", "replace").strip()
        return found if out.returncode == 0 and _HEX.match(found) else None

    def empty_tree(self) -> str:
        """Return the id of the empty tree (in this repository's hash)."""
        return self.run(["hash-object", "-t", "tree", "--stdin"], stdin=b"").decode().strip()

    def merge_base(self, a: str, b: str) -> str:
        """Return the best common ancestor of two verified commits."""
        out = _run(["merge-base", "--end-of-options", a, b], self.top, self.env, None)
        found = out.stdout.decode("ascii", "replace").strip()
        if out.returncode != 0 or not _HEX.match(found):
            hint = " (shallow clone: the history may be cut)" if self.shallow else ""
            raise LedgerError(f"no common ancestor of {a[:12]} and {b[:12]}{hint}")
        return found

    # -- trees -----------------------------------------------------------------------

    def tree_changes(self, old: str, new: str, under: str = "entries") -> list[RawChange]:
        """Return the paths under `under` that differ between two trees or commits."""
        out = self.run(["diff-tree", "-r", *_DIFF_OPTIONS, "--end-of-options", old, new, "--", self.pathspec(under)])
        return parse_raw(out)

    def worktree_changes(self, old: str, under: str = "entries") -> list[RawChange]:
        """Return the paths under `under` where the working tree differs from `old`.

        Tracked files come from `diff-index` (git's stat cache: unchanged files are not
        read); untracked files (ignored ones too: the ledger reads them) are added as new.
        A new side of None means: read the file from disk.
        """
        out = self.run(["diff-index", *_DIFF_OPTIONS, "--end-of-options", old, "--", self.pathspec(under)])
        changes = parse_raw(out)
        listed = self.run(["ls-files", "-z", "--others", "--", self.pathspec(under)])
        for path in split(listed):
            changes.append(RawChange("000000", "100644", None, None, "?", path))
        return changes

    def ls_tree(self, commit: str, under: str = "entries") -> list[TreeItem]:
        """List every blob under `under` at a commit."""
        out = self.run(["ls-tree", "-r", "-z", "--full-tree", "--end-of-options", commit, "--", self.pathspec(under)])
        items = []
        for record in split(out):
            meta, _, path = record.partition("\t")
            mode, kind, blob = meta.split(" ")
            if kind == "blob":
                items.append(TreeItem(mode, kind, blob, path))
        return items

    def staged(self, under: str = "entries") -> list[TreeItem]:
        """List every blob git's index holds under `under`: what the next commit will contain."""
        out = self.run(["ls-files", "--stage", "-z", "--", self.pathspec(under)])
        items = []
        for record in split(out):
            meta, _, path = record.partition("\t")
            mode, blob, stage = meta.split(" ")
            if stage in ("0", "2"):  # merged, or "ours" of a conflict
                items.append(TreeItem(mode, "blob", blob, path))
        return items

    def children(self, commit: str, folders: Sequence[str]) -> list[TreeItem]:
        """List what the given ledger folders hold directly (blobs and trees) at a commit."""
        specs = [self.pathspec(f.rstrip("/") + "/") for f in folders]
        out = self.run(["ls-tree", "-z", "--full-tree", "--end-of-options", commit, "--", *specs])
        items = []
        for record in split(out):
            meta, _, path = record.partition("\t")
            mode, kind, blob = meta.split(" ")
            items.append(TreeItem(mode, kind, blob, path))
        return items

    def names(self, commit: str, folders: Sequence[str] = ("entries",)) -> list[str]:
        """List the file paths (relative to the top) under some ledger folders at a commit."""
        specs = [self.pathspec(f) for f in folders]
        return split(
            self.run(["ls-tree", "-r", "-z", "--full-tree", "--name-only", "--end-of-options", commit, "--", *specs])
        )

    def read_blobs(self, blob_ids: Iterable[str]) -> dict[str, bytes]:
        """Read blobs with one `cat-file --batch`; missing ids are left out."""
        wanted = list(dict.fromkeys(b for b in blob_ids if _HEX.match(b)))
        if not wanted:
            return {}
        data = self.run(["cat-file", "--batch"], stdin="".join(f"{b}\n" for b in wanted).encode())
        found: dict[str, bytes] = {}
        at = 0
        for blob in wanted:
            end = data.index(b"\n", at)
            header = data[at:end].decode("ascii", "replace").split(" ")
            at = end + 1
            if len(header) == 3 and header[0] == blob:
                size = int(header[2])
                if header[1] == "blob":
                    found[blob] = data[at : at + size]
                at += size + 1
        return found

    # -- history ---------------------------------------------------------------------

    def log(self, start: str, pathspecs: list[str]) -> list[Commit]:
        """Return the commits from `start` back that changed the paths, newest first."""
        fmt = f"{LOG_MARK}%H%x00%P%x00%an%x00%ae%x00%aI%x00%B"
        out = self.run(
            [
                "log",
                "-z",
                "--raw",
                "--no-abbrev",
                "--no-renames",
                "--no-ext-diff",
                "--no-textconv",
                "--diff-merges=first-parent",
                f"--format={fmt}",
                "--end-of-options",
                start,
                "--",
                *pathspecs,
            ]
        )
        return parse_log(out)

    def renamed_from(self, commit: str, parent: str, path: str) -> tuple[str, str] | None:
        """Return (old path, old blob) if git's rename detection says `path` came from there."""
        out = self.run(
            [
                "diff-tree",
                "-r",
                "-z",
                "--raw",
                "--no-abbrev",
                "-M50%",
                "--diff-filter=R",
                "--no-ext-diff",
                "--no-textconv",
                "--end-of-options",
                parent,
                commit,
                "--",
                self.pathspec(),
            ]
        )
        tokens = split(out)
        for i in range(0, len(tokens) - 2, 3):
            if tokens[i + 2] == path:
                old_blob = tokens[i].lstrip("\n").split(" ")[2]
                return tokens[i + 1], old_blob
        return None

    # -- configuration (git-setup) ---------------------------------------------------

    def config_set(self, key: str, value: str) -> None:
        """Set a key in the repository's own config (.git/config)."""
        self.run(["config", "--local", "--end-of-options", key, value])

    def config_get(self, key: str) -> str | None:
        """Read a key of the repository's own config."""
        out = _run(["config", "--local", "--get", "--end-of-options", key], self.top, self.env, None)
        return out.stdout.decode("utf-8", "replace").strip() if out.returncode == 0 else None

    def has_identity(self) -> bool:
        """Tell whether git can write a commit here (a name and e-mail are configured or guessable)."""
        return _run(["var", "GIT_COMMITTER_IDENT"], self.top, self.env, None).returncode == 0


def _first_line(data: bytes) -> str:
    for line in data.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if line:
            return line.removeprefix("fatal: ").removeprefix("error: ")
    return ""


def _run(args: list[str], cwd: Path, env: dict[str, str], stdin: bytes | None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *_GLOBAL_OPTIONS, *args],
            cwd=cwd,
            env=env,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError as err:
        if err.filename == "git" or not Path(cwd).is_dir():
            raise LedgerError("git is not installed (or not on PATH)") from err
        raise LedgerError(f"cannot run git: {err}") from err
    except (OSError, ValueError) as err:
        raise LedgerError(f"cannot run git: {err}") from err
