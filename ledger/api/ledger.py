"""The facade: class `Ledger`, one ledger directory, wiring the edges (files, index, git) to the pure core.

Each concern lives in its own module of this package (loader, pool, validation, timetravel,
gitsetup, authoring, fmt, imports); `Ledger` is the one door to them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ledger.api import authoring, form, gitsetup, imports, indexing, lookup, timetravel, validation
from ledger.api.indexing import IndexReport
from ledger.api.loader import Loaded, load_rels, relative, with_line
from ledger.api.parallel import map_chunks
from ledger.api.validation import ValidationReport
from ledger.core import checks, model, version, vocab
from ledger.core.errors import LedgerError, Problem, Severity, UsageError
from ledger.store import files

if TYPE_CHECKING:
    from ledger.api import chronology, chronology_chart
    from ledger.api.evidence import ArchiveReport, Merged
    from ledger.api.evidence import Progress as ArchiveProgress
    from ledger.index import Found, Index
    from ledger.index.search import Searched
    from ledger.interchange.exporters import Written
    from ledger.interchange.fetch import Limits
    from ledger.interchange.importing import Plan, Planned
    from ledger.interchange.importing import Progress as ImportProgress
    from ledger.interchange.rows import Overrides
    from ledger.query import Selection
    from ledger.query.view import Progress, View
    from ledger.reports.diff import Diff
    from ledger.reports.sources import SourceRow
    from ledger.store.formatting import Formatted
    from ledger.store.writing import Created
    from ledger.vcs.compare import Spec
    from ledger.vcs.history import History


class Ledger:
    """A ledger directory: `entries/` and optional `ledger.toml`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def open(cls, explicit: str | os.PathLike[str] | None = None, start: Path | None = None) -> Ledger:
        """Find the ledger (explicit dir, LEDGER_DIR, or upwards from `start`)."""
        return cls(files.find_root(start, explicit))

    def close(self) -> None:
        """Close the index connection this Ledger keeps (it reopens on the next query)."""
        cached = self.__dict__.get("_index")
        if cached is not None:
            cached.close()
        for snapshot in self.__dict__.pop("_snapshots", {}).values():  # the revision indexes `at` opened
            snapshot.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- vocabulary ----------------------------------------------------------------------

    @cached_property
    def _vocab(self) -> tuple[vocab.Vocabulary, list[Problem]]:
        path = self.root / files.CONFIG
        if not path.is_file():
            return vocab.Vocabulary(), []
        text, problem = files.read_text(self.root, files.CONFIG)
        if text is None:
            return vocab.Vocabulary(), [problem] if problem else []
        raw, problem = files.parse_toml(files.CONFIG, text)
        if raw is None:
            return vocab.Vocabulary(), [problem] if problem else []
        found, problems = vocab.parse(raw, files.CONFIG)
        line_of = files.line_finder(text)
        return found, [with_line(p, line_of(p.field)) for p in problems]

    @property
    def vocabulary(self) -> vocab.Vocabulary:
        """Return the vocabulary of ledger.toml; refuse to answer queries from a broken one.

        Without it, aliases silently stop matching: a different answer with exit 0.
        """
        found, problems = self._vocab
        errors = [p for p in problems if p.severity is Severity.ERROR]
        if errors:
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            raise LedgerError(f"{errors[0]}{more}; fix ledger.toml (see `ledger validate`)")
        return found

    # -- files ---------------------------------------------------------------------------

    def walk(self, problems: list[Problem] | None = None) -> list[files.FileStat]:
        """Return every entry file, sorted by path."""
        return list(files.walk(self.root, problems))

    def load_all(self, problems: list[Problem] | None = None, today: dt.date | None = None) -> list[Loaded]:
        """Read and check every entry file (in parallel for big ledgers)."""
        rels = [f.rel for f in self.walk(problems)]
        return self.load(rels, today)

    def load(self, rels: Sequence[str], today: dt.date | None = None) -> list[Loaded]:
        """Read and check the given entry files (paths relative to the root)."""
        out: list[Loaded] = []
        for chunk in map_chunks(load_rels, list(rels), root=self.root, today=today or dt.date.today()):
            out.extend(chunk)
        return out

    def entries(self, problems: list[Problem] | None = None) -> list[model.Entry]:
        """Return every entry that decodes, in path order (errors go to `problems`)."""
        loaded = self.load_all(problems)
        if problems is not None:
            for item in loaded:
                problems.extend(item.problems)
        return [item.entry for item in loaded if item.entry is not None]

    # -- queries: the index (ledger/index/, ledger/query/) -------------------------------

    def index(self, progress: Progress | None = None) -> Index:
        """Return the ledger's `index.Index` (cold builds use all cores).

        The index is refreshed on its first use and then kept for the life of this Ledger:
        call `.index().refresh()` (or open a new Ledger) to see files changed since.
        """
        cached: Index | None = self.__dict__.get("_index")
        if cached is not None:
            cached.progress = progress or cached.progress
            return cached
        made = self.__dict__["_index"] = indexing.open_index(self.root, progress)
        return made

    def find(self, selection: Selection | str | None = None, *, progress: Progress | None = None) -> Found:
        """Run a `query.Selection` on the refreshed index: an `index.Found` streaming rows in order."""
        from ledger import index

        return index.Found(self.index(progress), _as_selection(selection), self.vocabulary)

    def search(
        self, text: str, selection: Selection | str | None = None, *, progress: Progress | None = None
    ) -> Searched:
        """Search the entries for text (`query.search`): an `index.search.Searched`, best first.

        The selection filters, sorts and limits as in `find`; UsageError when text has no word.
        """
        from ledger.index.search import Searched
        from ledger.query.search import plan

        found = plan(text, self.vocabulary)
        if not found.concepts:
            raise UsageError("nothing to search for: give at least one word")
        return Searched(self.index(progress), _as_selection(selection), self.vocabulary, found)

    def select(self, selection: Selection | str | None = None, *, include_withdrawn: bool = False) -> list[model.Entry]:
        """Return the entries a `query.Selection` (or query text) picks, in its order.

        Invalid entry files are left out (`find(...).skipped` counts them).
        """
        return list(self.find(_as_selection(selection, include_withdrawn)).entries())

    def lookup(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Return the JSON records (`schema.to_json`) of the given ids; unknown ones are left out."""
        return dict(self.index().lookup(ids))

    def invalid_paths(self, entry_id: str) -> list[str]:
        """Return the paths of invalid entry files named for this id."""
        return list(self.index().invalid_paths(entry_id))

    def suggest_id(self, entry_id: str) -> str:
        """Return ' (did you mean "x"?)' for the nearest known id, or ''."""
        return checks.suggest_id(entry_id, self.index().near_ids(entry_id))  # bounded: one date, same words

    def records(self, given: Sequence[str]) -> list[dict[str, Any]]:
        """Return the JSON records of entries named by id or entry file path; NotFound says why one is unknown."""
        return lookup.records(self, given)

    def refresh_index(self, *, rebuild: bool = False, progress: Any = None) -> IndexReport:
        """Bring the index in .ledger/ up to date (or rebuild it); LedgerError when it cannot be written."""
        return indexing.refresh(self.index(progress), lambda: self.find(None).skipped, rebuild=rebuild)

    # -- chronology: timeline, periods, stats, dupes, chain (api/chronology.py) ----------

    def timeline(
        self, selection: Selection, *, as_of: str | None = None, plain: bool = False, drawn: bool = False
    ) -> chronology.Timeline:
        """Return the selected incidents in order, with escalation steps and the chains they pass through.

        With `plain` the incidents are `index.chrono.Plain` rows (values as stored, ISO text);
        with `drawn`, `index.drawn.Drawn` rows and the picture's frame (`timeline --format svg|html`).
        """
        from ledger.api import chronology

        return chronology.timeline(self.at(as_of), selection, plain, drawn)

    def timeline_written(
        self, selection: Selection, fmt: str, *, as_of: str | None = None
    ) -> chronology.Written | None:
        """Return the timeline with its lines' cells written by SQL for a program format (None: use `timeline`)."""
        from ledger.api import chronology

        return chronology.written(self.at(as_of), selection, fmt)

    def timeline_charted(
        self, selection: Selection, *, as_of: str | None = None, chains: bool = True
    ) -> chronology_chart.Charted | None:
        """Return the chart of a big timeline with its lines written by SQL (None: use `timeline`, drawn).

        `chains`: the HTML table's (the SVG alone needs none).
        """
        from ledger.api import chronology_chart
        from ledger.output.marks import SPREAD_LIMIT

        return chronology_chart.charted(self.at(as_of), selection, SPREAD_LIMIT, chains)

    def periods(self, selection: Selection, by: str, *, as_of: str | None = None) -> chronology.Periods:
        """Return the selection aggregated by day, week or month."""
        from ledger.api import chronology

        return chronology.periods(self.at(as_of), selection, by)

    def stats(self, selection: Selection, by: str, *, as_of: str | None = None) -> chronology.Stats:
        """Return incidents, killed, injured and the highest escalation per group of `by`."""
        from ledger.api import chronology

        return chronology.stats(self.at(as_of), selection, by)

    def dupes(self, selection: Selection, *, as_of: str | None = None, **options: Any) -> chronology.Dupes:
        """Return candidate duplicates among the selection (days, km, min_score, same_dataset)."""
        from ledger.api import chronology

        return chronology.dupes(self.at(as_of), selection, **options)

    def chain(self, entry_id: str) -> chronology.Chain:
        """Return what an incident answers (back to the roots) and what answered it."""
        from ledger.api import chronology

        return chronology.chain(self, entry_id)

    # -- validation ----------------------------------------------------------------------

    def validate(self, paths: Iterable[str | os.PathLike[str]] = (), today: dt.date | None = None) -> ValidationReport:
        """Check every file (or those under `paths`) and the ledger-wide rules; report all problems."""
        vocabulary = self._vocab[0]
        return validation.validate(self.root, self._vocab[1], vocabulary.tags, paths, today, vocabulary)

    def validate_staged(self, today: dt.date | None = None) -> ValidationReport:
        """Check what the next commit will contain (git's index): the pre-commit hook's check."""
        return validation.validate_staged(self.root, today)

    def relative(self, path: str | os.PathLike[str]) -> str:
        """Return where a path lies in the ledger, however spelled (as given if it lies outside)."""
        return relative(self.root, path)

    # -- git: diff, log, entries at a revision, git-setup (vcs/compare, vcs/history, vcs/git) --

    def diff(self, spec: Spec | Sequence[str] = ()) -> Diff:
        """Compare two sides incident by incident (default: HEAD against the working tree).

        `spec` is a `compare.Spec` or the `ledger diff` arguments (REV, A B, A..B, DIR_A DIR_B).
        """
        from ledger.vcs import compare

        if not isinstance(spec, compare.Spec):
            spec = compare.parse_spec(list(spec))
        return compare.compare(self.root, spec)

    def log(self, entry_id: str, start: str | None = None) -> History:
        """Return the commits that changed an incident (newest first), following moves."""
        from ledger.vcs import history

        return history.log(self.root, history.entry_id_of(entry_id), start)

    def at(self, rev: str | None) -> View:
        """Return the ledger as it was at a git revision (`--as-of`), or itself for None.

        The result answers `find`, `select`, `lookup`, `invalid_paths`, `suggest_id`,
        `source_text` and `vocabulary` like a Ledger (see `snapshot.Snapshot`).
        """
        if rev is None:
            return self
        # One per commit, kept (and closed) with this Ledger: asking again opens nothing more.
        return timetravel.at(self.root, rev, self.vocabulary, self.__dict__.setdefault("_snapshots", {}))

    def source_text(self, rel: str) -> tuple[str | None, Problem | None]:
        """Return an entry file's text (a Snapshot answers the same from git)."""
        return files.read_text(self.root, rel)

    def git_setup(self, textconv: str | None = None) -> list[str]:
        """Name the `ledger` diff driver in .gitattributes and put its command (default: ours) in .git/config."""
        if textconv is not None and not textconv.strip():
            raise UsageError("--command cannot be empty")
        return gitsetup.git_setup(self.root, textconv or gitsetup.default_textconv())

    # -- authoring and interchange: new, fmt, import, export -------------------------------

    def missing_fields(self, fields: dict[str, Any]) -> list[str]:
        """Fill a known place's country into `fields`; return the values `new` still needs (form.REQUIRED, policy grades)."""
        return authoring.missing(self.vocabulary, fields)

    def new_entry(self, fields: dict[str, Any], entry_id: str | None = None) -> Created:
        """Build an entry from the values of `ledger new` and write it (see create_entry)."""
        return self.create_entry(form.entry_data(fields), entry_id)

    def create_entry(self, data: dict[str, Any], entry_id: str | None = None, today: dt.date | None = None) -> Created:
        """Check new entry data and write it at entries/YYYY/MM/<id>.toml, never over another file.

        Returns `writing.Created` (path and problems); writes nothing when there are errors.
        """
        return authoring.create_entry(self.root, self.vocabulary, data, entry_id, today)

    def place_defaults(self, data: dict[str, Any]) -> dict[str, Any]:
        """Use ledger.toml's canonical actor and place names; fill a known place's country and coordinates."""
        return authoring.place_defaults(self.vocabulary, data)

    def format(
        self, paths: Iterable[str | os.PathLike[str]] = (), *, write: bool = True, keep_text: bool = False
    ) -> Iterator[Formatted]:
        """Lay out entry files canonically (all, or those under `paths`); yield `formatting.Formatted`."""
        from ledger.api import fmt  # the formatter is loaded only to format

        return fmt.format_files(self.root, paths, write=write, keep_text=keep_text)

    def plan_import(
        self,
        file: Path,
        source: str | None,
        overrides: Overrides | None = None,
        *,
        today: dt.date | None = None,
        progress: ImportProgress | None = None,
    ) -> Plan:
        """Read a file of another dataset (or of `export`) and plan its import (`importing.Plan`): nothing is written."""
        return imports.plan_import(
            self.root, self.load_all, self.vocabulary, file, source, overrides, today=today, progress=progress
        )

    def export(self, selection: Selection | None, fmt: str, out: TextIO, *, is_tty: bool = False) -> Written:
        """Write the selected entries in an export format; return what was written and left out (`exporters.Written`)."""
        imports.export_format(fmt)
        found = self.find(selection)
        return dataclasses.replace(
            imports.export(found, fmt, out, self.vocabulary.labels, is_tty), invalid=found.skipped
        )

    def write_import(self, plan: Plan, progress: ImportProgress | None = None) -> Iterator[tuple[Planned, str]]:
        """Create the files of an import plan one by one; yield (planned item, outcome) as each is done.

        Outcomes: "created", "existed" (the same text is there), "taken" (another command
        created that id since the plan was made: not overwritten). See imports.write_import.
        """
        return imports.write_import(self.root, plan, progress)

    # -- evidence: archive, sources, merge (ledger/api/evidence.py) ------------------------

    def archive(
        self,
        selection: Selection | str | None = None,
        limits: Limits | None = None,
        *,
        dry_run: bool = False,
        progress: ArchiveProgress | None = None,
        software: str = version.SOFTWARE,
    ) -> ArchiveReport:
        """Capture the selected sources that have a url and no capture (`dry_run`: only list them).

        `limits` bound each fetch; `software` names the capturer in each WARC file; `progress`
        hears of each source captured or failed.
        """
        from ledger.api import evidence

        records = self.find(_as_selection(selection)).records()
        return evidence.archive_records(
            self.root, records, limits, dry_run=dry_run, progress=progress, software=software
        )

    def source_rows(self, selection: Selection | str | Found | None = None) -> list[SourceRow]:
        """Return one row per source of the selected entries (registry aliases merged); `selection` may be a `find` result."""
        from ledger.api import evidence
        from ledger.index import Found

        found = selection if isinstance(selection, Found) else self.find(_as_selection(selection))
        return evidence.source_rows(found.records(), self.vocabulary)

    def merge(self, keep: str, dups: Sequence[str], reason: str | None = None) -> Merged:
        """Merge duplicate entries into KEEP, rewriting only their files."""
        from ledger.api import evidence

        if keep in dups:
            raise UsageError(f"{keep} cannot be merged into itself")
        records = self.lookup([keep, *dups])
        for entry_id in (keep, *dups):
            if entry_id not in records:
                raise lookup.not_found(self, entry_id)
        pairs = [(i, records[i]["path"]) for i in dict.fromkeys(dups)]
        return evidence.merge(self.root, (keep, records[keep]["path"]), pairs, self.vocabulary, reason=reason)


def _as_selection(selection: Selection | str | None, include_withdrawn: bool = False) -> Selection:
    """Accept a Selection, query text or None (everything)."""
    from ledger import query

    if selection is None or isinstance(selection, str):
        return query.Selection(query.parse(selection or ""), include_withdrawn=include_withdrawn)
    if include_withdrawn and not selection.include_withdrawn:
        return dataclasses.replace(selection, include_withdrawn=True)
    return selection
