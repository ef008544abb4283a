"""Import reading: a file of another dataset (or of `export`) read, planned against the ledger, then written."""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ledger.api.loader import Loaded
from ledger.api.validation import load_new
from ledger.core import checks, vocab
from ledger.core.errors import LedgerError, UsageError

if TYPE_CHECKING:
    from ledger.interchange.exporters import Written
    from ledger.interchange.importing import Plan, Planned, Progress
    from ledger.interchange.rows import Overrides
    from ledger.query.view import Results


def plan_import(
    root: Path,
    load_all: Callable[[], list[Loaded]],
    vocabulary: vocab.Vocabulary,
    file: Path,
    source: str | None,
    overrides: Overrides | None = None,
    *,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Read a file of another dataset (or of `export`) and plan its import (`importing.Plan`): nothing is written."""
    from ledger.core.errors import not_one_of
    from ledger.interchange import importers, importing

    if source is not None and source not in importers.SOURCES:
        raise not_one_of("--from", source, importers.SOURCES)
    try:
        data = file.read_bytes()
    except FileNotFoundError:  # trouble with the arguments (exit 2), as for every command given a path
        raise LedgerError(f"no such file: {file.as_posix()}") from None
    except OSError as err:
        raise LedgerError(f"cannot read {file.as_posix()}: {err.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise LedgerError(f"{file} is not UTF-8 text (byte offset {err.start})") from None
    if source is not None and (why := importers.mismatch(source, text)) is not None:
        raise UsageError(f"{file}: {why}")
    source = source or importers.detect(text)
    if source not in importers.SOURCES:
        raise UsageError(f"cannot tell the layout of {file}: give --from {'|'.join(importers.SOURCES)}")
    loaded = load_all()  # only once the file is known to be readable
    entries = {item.id: item.entry for item in loaded if item.entry is not None}
    existing = importing.Existing(
        ids=frozenset(item.id for item in loaded),
        aliases={alias: e.id for e in entries.values() for alias in e.aliases},
        entries=entries,
        nodes=[checks.Node.of(item.entry, item.rel) for item in loaded if item.entry is not None],
        undecoded=[(item.id, item.rel) for item in loaded if item.entry is None],
    )
    try:
        rows = list(importers.read(source, text))
        return importing.make_plan(
            Path(file).as_posix(),
            rows,
            source,
            overrides or importers.Overrides(),
            existing,
            functools.partial(load_new, root, vocabulary),  # every rule of validate, ledger.toml's too
            today or dt.date.today(),
            canonical_actor=vocabulary.canonical_actor,
            progress=progress,
        )
    except RecursionError:
        raise LedgerError(f"{file}: nesting is too deep") from None
    except ValueError as err:
        raise LedgerError(f"{file}: {err}") from None


WRITERS = 8  # files written at once: the disk joins their fsyncs (measured: 1,000 files 10 s -> 0.75 s)


def write_import(root: Path, plan: Plan, progress: Progress | None = None) -> Iterator[tuple[Planned, str]]:
    """Create the files of an import plan; yield (planned item, outcome) in plan order as each is done.

    Outcomes: "created"; "existed" (a file of that id with the same text is there);
    "taken" (another command created that id, with other content, after the plan was
    made: not overwritten, the row is rejected). Ids are checked again under the write
    lock, so no id ends up in two files. WRITERS files are written at once (each atomically,
    with its fsync: the disk commits them together). If the filesystem fails, the writes under
    way finish and are yielded, nothing more is started, and the error says how many entries
    were written (the caller has seen them: an import can be resumed by running it again).
    """
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor
    from itertools import islice

    from ledger.store import files, writing

    def write(item: Planned) -> str:
        taken = now.get(files.stem(item.rel))
        if taken is None and writing.create(root, item.rel, item.text):
            return "created"
        text, _ = files.read_text(root, taken or item.rel)
        return "existed" if text == item.text else "taken"

    done = number = 0
    failed: writing.WriteFailed | None = None
    with writing.write_lock(root):
        now = {files.stem(f.rel): f.rel for f in files.walk(root)}
        with ThreadPoolExecutor(WRITERS) as pool:
            queue = iter(plan.create)
            pending = deque((item, pool.submit(write, item)) for item in islice(queue, 2 * WRITERS))
            while pending:
                item, future = pending.popleft()
                try:
                    outcome = future.result()
                except writing.WriteFailed as err:
                    failed = failed or err
                    continue
                done += outcome == "created"
                number += 1
                yield item, outcome
                if progress and (number % 100 == 0 or number == len(plan.create)):
                    progress("writing", number, len(plan.create))
                following = next(queue, None) if failed is None else None
                if following is not None:
                    pending.append((following, pool.submit(write, following)))
    if failed is not None:
        raise writing.WriteFailed(
            f"{failed} ({done} {'entry' if done == 1 else 'entries'} written, listed on stdout;"
            " run the import again to add the rest)"
        )


@dataclass
class Imported:
    """An import under way: each written item counted as it comes, then said in one line."""

    plan: Plan
    dry_run: bool
    started: float  # time.perf_counter() when the import began, before the plan
    created: int = 0
    existed: int = 0
    rejected: int = 0

    def count(self, written: Iterable[tuple[Planned, str]]) -> Iterator[tuple[str, str | None]]:
        """Yield (path, None) per entry created (dry: to create); (path, trouble) per id taken by another command."""
        self.rejected = len(self.plan.rejected)
        for item, outcome in ((item, "created") for item in self.plan.create) if self.dry_run else written:
            if outcome == "created":
                self.created += 1
                yield item.rel, None
            elif outcome == "existed":
                self.existed += 1
            else:
                self.rejected += 1
                file, row = self.plan.file, item.row
                where = f"{file}:{row.line}" if row.line else f"{file}: [{row.item}]"
                yield item.rel, f"{where}: id: {item.rel} was created by another command meanwhile; not overwritten"

    def said(self, verbose: bool, quiet: bool) -> Iterator[str]:
        """The plan's problems, its notes (unless quiet), and why each row was skipped (when verbose)."""
        plan = self.plan
        yield from map(str, plan.problems)
        yield from () if quiet else map(str, plan.notes)
        yield from (f"{plan.file}: {row.where}: skipped: {why}" for row, why in plan.skipped) if verbose else ()

    def refused(self) -> str:
        """What `--strict` says when a row is rejected: nothing is written."""
        return f"{self.plan.rows} rows: {len(self.plan.rejected)} rejected; nothing written (--strict)"

    def summary(self) -> str:
        """`3 rows (csv): 2 entries created, 1 already in the ledger or repeated, 0 rejected (0.1 s)`."""
        from ledger.output.render import plural

        plan, would = self.plan, "would be created" if self.dry_run else "created"
        seconds = time.perf_counter() - self.started
        return (
            f"{plural(plan.rows, 'row')} ({plan.source}): {plural(self.created, 'entry', 'entries')} {would}, "
            f"{len(plan.skipped) + self.existed} already in the ledger or repeated, {self.rejected} rejected "
            f"({seconds:.1f} s)"
        )


def overrides(
    event_type: str | None = None,
    escalation: int | None = None,
    confidence: str | None = None,
    tags: Sequence[str] = (),
) -> Overrides:
    """Return the values `import --type --escalation --confidence --tag` give every entry, each checked."""
    from ledger.core import model
    from ledger.core.errors import not_one_of
    from ledger.interchange import importers

    for value, enum, flag in ((event_type, model.EventType, "--type"), (confidence, model.Confidence, "--confidence")):
        if value is not None and value not in set(enum):
            raise not_one_of(flag, value, [m.value for m in enum])
    return importers.Overrides(event_type, escalation, confidence, tuple(tags))


def export_format(fmt: str) -> str:
    """Return `fmt` if it is a format of `export`, else raise the usage error naming them."""
    from ledger.core.errors import not_one_of
    from ledger.interchange import exporters

    if fmt not in exporters.FORMATS:
        raise not_one_of("--format", fmt, exporters.FORMATS)
    return fmt


def export(found: Results, fmt: str, out: TextIO, labels: Sequence[str], is_tty: bool) -> Written:
    """Write the entries found as csv, json, jsonl, geojson, ics or acled (`exporters.Written`).

    ICS stamps come from SOURCE_DATE_EPOCH when set (reproducible calendars).
    """
    import os

    from ledger.interchange import exporters

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    stamp = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch and epoch.isdigit() else None
    written: Written = exporters.export_found(found, fmt, out, labels=labels, is_tty=is_tty, stamp=stamp)
    return written
