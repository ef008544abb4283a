"""Time travel: the ledger as it was at a git revision (`--as-of`), parsing only blobs not seen before."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger.api.loader import blob_rows
from ledger.api.parallel import map_chunks
from ledger.core import vocab
from ledger.core.errors import Problem
from ledger.store import files

if TYPE_CHECKING:
    from ledger.vcs.snapshot import Snapshot

#: the blob id of a tree's path that is not an entry file (a broken link, a folder named *.toml)
NOT_AN_ENTRY = "-"


def at(root: Path, rev: str, vocabulary: vocab.Vocabulary, opened: dict[str, Snapshot] | None = None) -> Snapshot:
    """Return the ledger as it was at a git revision: a `snapshot.Snapshot` answering like a Ledger.

    `vocabulary` is today's, used when the revision's ledger.toml is the same file. `opened`
    holds the snapshots made so far by commit: one of the same commit is returned again, a new
    one is added (its owner closes them).
    """
    from ledger.index.revision import RevisionIndex
    from ledger.vcs import git, snapshot
    from ledger.vcs.tree import entry_files

    repo = git.Repo.discover(root)
    commit = repo.resolve(rev)
    if opened is not None and commit in opened:
        return opened[commit]

    def pairs() -> list[tuple[str, str]]:  # asked only for a revision the cache has not met
        # The one rule for which files are entries, applied to the tree (as `files.walk` to a checkout).
        tree = entry_files(repo.ls_tree(commit), repo.rel, repo.read_blobs, root, look_up)
        return [*tree.blobs.items(), *((rel, NOT_AN_ENTRY) for rel in tree.odd)]  # odd: left out, and counted

    def look_up(path: str) -> list[Any]:
        return repo.ls_tree(commit, path)

    def parse(missing: list[tuple[str, str]]) -> Iterator[tuple[str, Any]]:
        data = repo.read_blobs(blob for _, blob in missing if blob != NOT_AN_ENTRY)
        for chunk in map_chunks(blob_rows, [(rel, blob, data.get(blob)) for rel, blob in missing]):
            yield from chunk

    # Rows by (path, blob) in .ledger/revisions.sqlite, parsed once; queried like the live index.
    # A revision's entry files depend on its commit and on where the ledger lies (absolute links).
    key = json.dumps([commit, str(root), os.path.realpath(root)])
    revision = RevisionIndex(root, key, pairs, parse)
    try:
        vocabulary = _vocabulary_at(repo, commit, root, vocabulary)
    except BaseException:  # git failed (or an interrupt): the caller never gets the index to close
        revision.close()
        raise

    def source(rel: str) -> tuple[str | None, Problem | None]:
        blob = revision.blob_of(rel)
        data = repo.read_blobs([blob]).get(blob) if blob and blob != NOT_AN_ENTRY else None
        if data is None:
            return None, Problem(rel, 0, "", f"not in revision {rev}")
        return files.decode_bytes(rel, data)

    made = snapshot.Snapshot(root, commit, revision, vocabulary, source)
    if opened is not None:
        opened[commit] = made
    return made


def _vocabulary_at(repo: Any, commit: str, root: Path, today: vocab.Vocabulary) -> vocab.Vocabulary:
    """Return the vocabulary of the revision's ledger.toml (empty if it had none; `today` if neither has one)."""
    config = repo.ls_tree(commit, files.CONFIG)
    if config:
        text, _ = files.decode_bytes(files.CONFIG, repo.read_blobs([config[0].blob]).get(config[0].blob, b""))
        raw, _ = files.parse_toml(files.CONFIG, text) if text is not None else (None, None)
        return vocab.parse(raw, files.CONFIG)[0] if raw is not None else vocab.Vocabulary()
    if (root / files.CONFIG).is_file():
        return vocab.Vocabulary()  # ledger.toml did not exist yet at that revision
    return today
