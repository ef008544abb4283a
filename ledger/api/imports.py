"""Import reading: a file of another dataset (or of `export`) read, planned against the ledger, then written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ledger.api.loader import Loaded, load_text
from ledger.core import checks, vocab
from ledger.core.errors import LedgerError, NotFound, UsageError

if TYPE_CHECKING:
    from ledger.interchange.exporters import Written
    from ledger.interchange.importing import Plan, Planned, Progress
    from ledger.interchange.rows import Overrides
    from ledger.query.view import Results


def plan_import(
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
    except FileNotFoundError:
        raise NotFound(f"no such file: {file.as_posix()}") from None
    except OSError as err:
        raise LedgerError(f"cannot read {file.as_posix()}: {err.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise LedgerError(f"{file} is not UTF-8 text (byte offset {err.start})") from None
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
            load_text,
            today or dt.date.today(),
            canonical_actor=vocabulary.canonical_actor,
            progress=progress,
        )
    except RecursionError:
        raise LedgerError(f"{file}: nesting is too deep") from None
    except ValueError as err:
        raise LedgerError(f"{file}: {err}") from None


def write_import(root: Path, plan: Plan, progress: Progress | None = None) -> Iterator[tuple[Planned, str]]:
    """Create the files of an import plan one by one; yield (planned item, outcome) as each is done.

    Outcomes: "created"; "existed" (a file of that id with the same text is there);
    "taken" (another command created that id, with other content, after the plan was
    made: not overwritten, the row is rejected). Ids are checked again under the write
    lock, so no id ends up in two files. If the filesystem fails, the error says how many
    entries were written before it (the caller has seen them: an import can be resumed by
    running it again).
    """
    from ledger.store import files, writing

    done = 0
    with writing.write_lock(root):
        now = {files.stem(f.rel): f.rel for f in files.walk(root)}
        for number, item in enumerate(plan.create, start=1):
            taken = now.get(files.stem(item.rel))
            try:
                if taken is None and writing.create(root, item.rel, item.text):
                    done += 1
                    outcome = "created"
                else:
                    text, _ = files.read_text(root, taken or item.rel)
                    outcome = "existed" if text == item.text else "taken"
            except writing.WriteFailed as err:
                raise writing.WriteFailed(
                    f"{err} ({done} {'entry' if done == 1 else 'entries'} written before it, listed on stdout;"
                    " run the import again to add the rest)"
                ) from None
            yield item, outcome
            if progress and (number % 100 == 0 or number == len(plan.create)):
                progress("writing", number, len(plan.create))


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
