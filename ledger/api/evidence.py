"""Evidence at the edges: capture sources (`archive`), check captures (`validate`), record merges.

`archive` fetches each selected source that has a `url` and no `capture` yet
(`interchange.fetch`), stores the exchange as a WARC file named by the page's SHA-256
(`interchange.warc`, `evidence/ab/<sha256>.warc.gz`, written once and never replaced), and
writes `captured`, `sha256` and `capture` into the entry with `fmt`'s comment-keeping writer.
An entry is written only when every source of it that was due was captured: a source that
cannot be fetched is reported, and its entry is left exactly as it was.

`check_entry` is `validate`'s part: the registry and policy rules (`core.evidence`) and,
for every capture, that the file exists and holds a page whose SHA-256 is the entry's.

`merge` records a merge of duplicates (`core.merge`) in KEEP's and the DUPs' files only.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ledger.api.loader import load_text
from ledger.core import evidence, model, version
from ledger.core.errors import LedgerError, Problem, Severity
from ledger.core.vocab import Vocabulary
from ledger.store import atomic, canonical, files, writing

if TYPE_CHECKING:
    from ledger.interchange.fetch import Limits
    from ledger.reports.sources import SourceRow

# -- validate: the captures exist and hold their pages -----------------------------------------

_HASHES: dict[tuple[str, int, int, int], str] = {}  # per process: a capture cited twice is read once


def capture_sha256(root: Path, capture: str) -> str:
    """Return the SHA-256 of the page a capture file holds; raise OSError or ValueError."""
    from ledger.interchange import warc

    path = root / capture
    st = os.stat(path)
    key = (str(path), st.st_size, st.st_mtime_ns, st.st_ino)
    if key not in _HASHES:
        _HASHES[key] = warc.page_sha256(path)
    return _HASHES[key]


def capture_problem(root: Path, capture: str, sha256: str) -> str | None:
    """Return why a capture does not prove its page (missing, unreadable, another page), or None."""
    try:
        found = capture_sha256(root, capture)
    except FileNotFoundError:
        return f"the capture {capture} is missing (the entry's sha256 is {sha256})"
    except OSError as err:
        return f"the capture {capture} cannot be read ({err.strerror}; the entry's sha256 is {sha256})"
    except ValueError as err:
        if _lfs_pointer(root / capture):
            return f"the capture {capture} is a git LFS pointer, not the file: run `git lfs pull` (the entry's sha256 is {sha256})"
        return f"the capture {capture} {err} (the entry's sha256 is {sha256})"
    if found != sha256:
        return f"the capture {capture} holds a page with sha256 {found}, not the entry's sha256 {sha256}"
    return None


def _lfs_pointer(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(40).startswith(b"version https://git-lfs.github.com/spec/")
    except OSError:
        return False


def check_entry(root: Path, rel: str, entry: model.Entry, vocabulary: Vocabulary) -> list[Problem]:
    """Return the evidence problems of one entry (line 0: the caller locates the keys)."""
    found = evidence.entry_problems(entry, rel, vocabulary)
    for i, source in enumerate(entry.sources):
        if not evidence.checkable(source) or source.capture is None or source.sha256 is None:
            continue
        why = capture_problem(root, source.capture, source.sha256)
        if why:
            found.append(Problem(rel, 0, f"sources[{i}].capture", why))
    return found


def with_lines(root: Path, rel: str, problems: list[Problem]) -> list[Problem]:
    """Give problems found at line 0 the line of their key (reads the file once, only when needed)."""
    if not problems:
        return problems
    text, _ = files.read_text(root, rel)
    if text is None:
        return problems
    line_of = files.line_finder(text)
    return [Problem(p.path, p.line or line_of(p.field), p.field, p.message, p.severity) for p in problems]


# -- archive ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """A source due for capture: it has a url and no capture."""

    rel: str
    id: str
    index: int
    url: str
    sha256: str | None  # a hash recorded by hand: the page fetched must match it

    @property
    def where(self) -> str:
        return f"{self.rel}: sources[{self.index}]"


@dataclass(frozen=True, slots=True)
class Captured:
    failed: ClassVar[bool] = False
    target: Target
    sha256: str
    capture: str
    captured: dt.datetime
    stored: bool  # False: an identical page was stored before, and is shared

    @property
    def line(self) -> str:
        return f"{self.target.where}: {self.target.url} -> {self.capture}"


@dataclass(frozen=True, slots=True)
class Failed:
    failed: ClassVar[bool] = True
    target: Target
    message: str

    @property
    def line(self) -> str:
        return f"ledger: {self.target.where}: {self.message}"


@dataclass
class ArchiveReport:
    targets: list[Target]
    captured: list[Captured] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    untouched: list[str] = field(default_factory=list)  # entries left as they were because a source failed

    def summary(self, dry_run: bool = False) -> str:
        """Say in one line what was captured (`dry_run`: what would be fetched), and what failed."""
        from ledger.output.render import plural

        if dry_run:
            entries = len({t.rel for t in self.targets})
            return f"{plural(len(self.targets), 'source')} of {plural(entries, 'entry', 'entries')} would be fetched"
        if not self.targets:
            return "nothing to capture: every selected source with a url has a capture"
        stored = sum(c.stored for c in self.captured)
        entries = len({c.target.rel for c in self.captured})
        summary = (
            f"{plural(len(self.captured), 'source')} captured in {plural(entries, 'entry', 'entries')} "
            f"({stored} stored, {len(self.captured) - stored} already in evidence/)"
        )
        if not self.failed:
            return summary
        failed = f"{plural(len(self.failed), 'source')} failed"
        return f"{summary}; {failed}: {plural(len(self.untouched), 'entry', 'entries')} left unchanged"


def targets(entries: Iterable[tuple[str, model.Entry]]) -> list[Target]:
    """Return the sources of (path, entry) pairs that have a url and no capture, in order."""
    return [
        Target(rel, entry.id, i, source.url, source.sha256)
        for rel, entry in entries
        for i, source in enumerate(entry.sources)
        if source.url is not None and source.capture is None
    ]


Fetcher = Callable[[str], Any]  # url -> interchange.fetch.Fetched, raising FetchError
Progress = Callable[[Any], None]
Check = Callable[[str, str], Any]  # (path, text) -> api.Loaded: the checks a rewritten entry must pass


def archive_records(
    root: Path,
    records: Iterable[dict[str, Any]],
    limits: Limits | None = None,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    software: str = version.SOFTWARE,
) -> ArchiveReport:
    """Capture the due sources of the selected entries' JSON records (`dry_run`: only list them)."""
    from ledger.core import schema
    from ledger.interchange import fetch

    due = targets((r["path"], schema.from_json(r)) for r in records)
    if dry_run:
        return ArchiveReport(due)
    bounds = limits or fetch.Limits()
    return archive(root, due, lambda url: fetch.fetch(url, bounds), progress=progress, software=software)


def source_rows(records: Iterable[dict[str, Any]], vocabulary: Vocabulary) -> list[SourceRow]:
    """Return the sources report of the selected entries' JSON records."""
    from ledger.core import schema
    from ledger.reports import sources

    return sources.rows((schema.from_json(r) for r in records), vocabulary)


def archive(
    root: Path,
    due: Sequence[Target],
    fetcher: Fetcher,
    check: Check = load_text,
    progress: Progress | None = None,
    software: str = version.SOFTWARE,
) -> ArchiveReport:
    """Capture the due sources entry by entry; write an entry only when all of its due sources were captured."""
    from ledger.interchange import warc
    from ledger.interchange.fetch import FetchError

    report = ArchiveReport(list(due))
    by_entry: dict[str, list[Target]] = defaultdict(list)
    for target in due:
        by_entry[target.rel].append(target)
    pages: dict[str, Any] = {}  # url -> Fetched or FetchError: one fetch per url per run
    for rel, group in by_entry.items():
        done: list[tuple[Target, Any]] = []
        failed: list[Failed] = []
        for target in group:
            if target.url not in pages:
                try:
                    pages[target.url] = fetcher(target.url)
                except FetchError as err:
                    pages[target.url] = err
            page = pages[target.url]
            if isinstance(page, FetchError):
                failed.append(Failed(target, f"cannot capture {target.url}: {page}"))
            elif target.sha256 is not None and page.sha256 != target.sha256:
                failed.append(
                    Failed(
                        target,
                        f"{target.url} now serves a page with sha256 {page.sha256}, not the entry's {target.sha256}",
                    )
                )
            else:
                done.append((target, page))
        if not failed:
            try:
                captured = [_store(root, target, page, warc.build(page, software)) for target, page in done]
                _write_entry(root, rel, captured, check)
            except LedgerError as err:
                failed = [Failed(target, str(err)) for target, _ in done]
            else:
                report.captured.extend(captured)
                for stored in captured:
                    if progress:
                        progress(stored)
        if failed:
            report.failed.extend(failed)
            report.untouched.append(rel)
            for item in failed:
                if progress:
                    progress(item)
    return report


def _store(root: Path, target: Target, page: Any, data: bytes) -> Captured:
    """Write the capture file (`data`) of a page unless an identical page is stored already."""
    from ledger.interchange import warc

    sha = page.sha256
    rel = warc.capture_path(sha)
    path = root / rel
    stored = True
    try:
        atomic.write_atomic(path, data, exclusive=True)
    except FileExistsError:
        stored = False
        why = capture_problem(root, rel, sha)
        if why:
            raise LedgerError(f"{why}: it is not overwritten; move it away and run `ledger archive` again") from None
    except OSError as err:
        raise LedgerError(f"cannot write {rel}: {err.strerror}") from None
    return Captured(target, sha, rel, page.final.date, stored)


def _write_entry(root: Path, rel: str, captured: Sequence[Captured], check: Check) -> None:
    """Write captured, sha256 and capture into the entry's sources, keeping its comments."""
    with writing.write_lock(root):
        text, problem = files.read_text(root, rel)
        if text is None:
            raise LedgerError(f"{rel}: {problem.message if problem else 'cannot be read'}")
        data = _loads(text, rel)
        sources = data.get("sources")
        for item in captured:
            index = item.target.index
            source = sources[index] if isinstance(sources, list) and index < len(sources) else None
            if not isinstance(source, dict) or source.get("url") != item.target.url or "capture" in source:
                raise LedgerError(f"{rel} changed while its sources were fetched: not written")
            source["captured"] = item.captured
            source["sha256"] = item.sha256
            source["capture"] = item.capture
        _replace(root, rel, text, data, check)


def _loads(text: str, rel: str) -> dict[str, Any]:
    data, problem = files.parse_toml(rel, text)
    if data is None:
        raise LedgerError(str(problem) if problem else f"{rel} is not TOML")
    return data


def _replace(root: Path, rel: str, old: str, data: dict[str, Any], check: Check) -> None:
    """Rewrite one entry file with new data in fmt's layout, its comments kept; refuse a bad result."""
    new = _new_text(rel, old, data, check)
    if not writing.replace(root, rel, new, old):
        raise LedgerError(f"{rel} changed while it was being written: not written")


def _new_text(rel: str, old: str, data: dict[str, Any], check: Check) -> str:
    """Return the new text of an entry: fmt's layout, the old comments, and no error."""
    result = canonical.rewrite(old, data, lambda text: _loads(text, rel))
    if result.text is None:
        raise LedgerError(f"{rel} {result.refused}: not written")
    errors = [p for p in check(rel, result.text).problems if p.severity is Severity.ERROR]
    if errors:
        raise LedgerError(f"{rel} would not be valid ({errors[0].field}: {errors[0].message}): not written")
    return result.text


# -- merge -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Merged:
    """What `merge` did: the files it rewrote and what KEEP gained."""

    keep: str  # path of KEEP
    written: tuple[str, ...]  # paths rewritten, KEEP first
    sources: int
    tags: tuple[str, ...]
    aliases: tuple[str, ...]
    done_before: tuple[str, ...]  # DUP ids merged into KEEP already

    def summary(self, keep_id: str) -> list[str]:
        """Say what the merge into `keep_id` did (or that there was nothing to do), a line each."""
        from ledger.output.render import plural

        before = [f"already merged into {keep_id}: {', '.join(self.done_before)}"] if self.done_before else []
        if not self.written:
            return [*before, "nothing to change"]
        aliases = plural(len(self.aliases), "alias", "aliases")
        gained = f"{plural(self.sources, 'source')}, {plural(len(self.tags), 'tag')}, {aliases}"
        merged = len(self.written) - (1 if self.keep in self.written else 0)
        return [
            *before,
            f"merged {plural(merged, 'duplicate')} into {keep_id} (+{gained}); "
            "`git diff` shows the merge, `git revert` undoes it once committed",
        ]


def merge(
    root: Path,
    keep: tuple[str, str],
    dups: Sequence[tuple[str, str]],
    vocabulary: Vocabulary,
    check: Check = load_text,
    reason: str | None = None,
) -> Merged:
    """Merge DUP entries into KEEP ((id, path) pairs): rewrite their files only, all checked before any is written."""
    from ledger.core import merge as planner

    keep_id, keep_rel = keep
    with writing.write_lock(root):
        texts: dict[str, str] = {}
        for _, rel in (keep, *dups):
            text, problem = files.read_text(root, rel)
            if text is None:
                raise LedgerError(f"{rel}: {problem.message if problem else 'cannot be read'}")
            texts[rel] = text
        rel_of = dict(dups)
        old = {rel: _loads(text, rel) for rel, text in texts.items()}
        try:
            plan = planner.plan(
                keep_id,
                old[keep_rel],
                {dup_id: old[rel] for dup_id, rel in dups},
                source_key=vocabulary.source_key,
                reason=reason,
            )
        except planner.MergeRefused as err:
            raise LedgerError(str(err)) from None
        changes = {keep_rel: plan.keep} | {rel_of[dup_id]: data for dup_id, data in plan.dups.items()}
        changes = {rel: data for rel, data in changes.items() if not canonical.same_data(data, old[rel])}
        new = {rel: _new_text(rel, texts[rel], data, check) for rel, data in changes.items()}
        written = []
        for rel, text in new.items():  # KEEP first: an interruption leaves DUP active, and a re-run finishes
            if not writing.replace(root, rel, text, texts[rel]):
                raise LedgerError(f"{rel} changed while it was being written: not written")
            written.append(rel)
    return Merged(keep_rel, tuple(written), plan.sources, plan.tags, plan.aliases, plan.done_before)
