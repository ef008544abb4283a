"""The library's front door: `Ledger` wires the edges (files, index, git) to the pure core."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ledger.api.parallel import map_chunks
from ledger.core import checks, model, schema, vocab
from ledger.core.errors import LedgerError, NotFound, Problem, Severity, UsageError
from ledger.store import files


@dataclass(frozen=True, slots=True)
class Loaded:
    """One entry file after reading, parsing and decoding."""

    rel: str
    id: str
    entry: model.Entry | None
    problems: tuple[Problem, ...] = ()
    partial: model.Entry | None = None  # an invalid entry's usable fields (for ledger-wide checks)

    @property
    def ok(self) -> bool:
        return self.entry is not None and not any(p.severity is Severity.ERROR for p in self.problems)


def load_text(rel: str, text: str, today: dt.date | None = None) -> Loaded:
    """Parse and check one entry's text (pure: no filesystem)."""
    entry_id = files.stem(rel)
    raw, problem = files.parse_toml(rel, text)
    if raw is None:
        return Loaded(rel, entry_id, None, (problem,) if problem else ())
    line_of = _LazyLines(text)
    written_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    problems = checks.id_problems(rel, entry_id, written_id, line_of)
    decoded = schema.decode_all(raw, entry_id=entry_id, path=rel, line_of=line_of)
    problems.extend(decoded.problems)
    if decoded.partial is not None:  # every problem of a file in one run, also of an invalid one
        problems.extend(checks.entry_problems(decoded.partial, rel, line_of, today or dt.date.today(), decoded.bad))
    partial = decoded.partial if decoded.entry is None else None
    return Loaded(rel, entry_id, decoded.entry, tuple(problems), partial)


def load_bytes(rel: str, data: bytes, today: dt.date | None = None) -> Loaded:
    """Decode, parse and check one entry's bytes (as read from disk or from git)."""
    text, problem = files.decode_bytes(rel, data)
    if text is None:
        return Loaded(rel, files.stem(rel), None, (problem,) if problem else ())
    return load_text(rel, text, today)


class _LazyLines:
    """Locate keys only when a problem needs a line number."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.finder: Any = None

    def __call__(self, field_path: str) -> int:
        if self.finder is None:
            self.finder = files.line_finder(self.text)
        return int(self.finder(field_path))


def load_file(root: Path, rel: str, today: dt.date | None = None) -> Loaded:
    """Read, parse and check one entry file of the ledger."""
    text, problem = files.read_text(root, rel)
    if text is None:
        return Loaded(rel, files.stem(rel), None, (problem,) if problem else ())
    return load_text(rel, text, today)


def _load_rels(rels: list[str], *, root: Path, today: dt.date) -> list[Loaded]:
    return [load_file(root, rel, today) for rel in rels]


@dataclass(frozen=True, slots=True)
class Checked:
    """One file as validation keeps it: its problems and what the ledger-wide checks need."""

    rel: str
    id: str
    node: checks.Node | None
    problems: tuple[Problem, ...]

    @classmethod
    def of(cls, item: Loaded) -> Checked:
        decoded = item.entry or item.partial
        node = checks.Node.of(decoded, item.rel) if decoded is not None else None
        return cls(item.rel, item.id, node, item.problems)


def _check_rels(rels: list[str], *, root: Path, today: dt.date) -> list[Checked]:
    # Workers send back Checked, not whole entries: far less to pickle for 100,000 files.
    return [Checked.of(load_file(root, rel, today)) for rel in rels]


@dataclass
class ValidationReport:
    problems: list[Problem] = field(default_factory=list)
    files: int = 0

    @property
    def errors(self) -> int:
        return sum(p.severity is Severity.ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity is Severity.WARNING for p in self.problems)


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
        return found, [_with_line(p, line_of(p.field)) for p in problems]

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
        for chunk in map_chunks(_load_rels, list(rels), root=self.root, today=today or dt.date.today()):
            out.extend(chunk)
        return out

    def entries(self, problems: list[Problem] | None = None) -> list[model.Entry]:
        """Return every entry that decodes, in path order (errors go to `problems`)."""
        loaded = self.load_all(problems)
        if problems is not None:
            for item in loaded:
                problems.extend(item.problems)
        return [item.entry for item in loaded if item.entry is not None]

    # -- queries: the index (ledger/index.py, ledger/query.py) ---------------------------

    def index(self, progress: Any = None) -> Any:
        """Return the ledger's `index.Index` (cold builds use all cores).

        The index is refreshed on its first use and then kept for the life of this Ledger:
        call `.index().refresh()` (or open a new Ledger) to see files changed since.
        """
        from ledger import index

        cached = self.__dict__.get("_index")
        if cached is not None:
            cached.progress = progress or cached.progress
            return cached
        root = self.root

        def build(items: list[tuple[int, str, int, int, int]], folder: str) -> Iterator[tuple[str, int]]:
            return map_chunks(_index_part, items, root=root, folder=folder)

        self.__dict__["_index"] = index.Index(root, build, progress)
        return self.__dict__["_index"]

    def find(self, selection: Any = None, *, progress: Any = None) -> Any:
        """Run a `query.Selection` on the refreshed index: an `index.Found` streaming rows in order."""
        from ledger import index

        return index.Found(self.index(progress), _as_selection(selection), self.vocabulary)

    def search(self, text: str, selection: Any = None, *, progress: Any = None) -> Any:
        """Search the entries for text (`query.search`): an `index.search.Searched`, best first.

        The selection filters, sorts and limits as in `find`; UsageError when text has no word.
        """
        from ledger.index.search import Searched
        from ledger.query.search import plan

        found = plan(text, self.vocabulary)
        if not found.concepts:
            raise UsageError("nothing to search for: give at least one word")
        return Searched(self.index(progress), _as_selection(selection), self.vocabulary, found)

    def select(self, selection: Any = None, *, include_withdrawn: bool = False) -> list[model.Entry]:
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
        return checks.suggest_id(entry_id, self.index().ids())

    # -- validation ----------------------------------------------------------------------

    def validate(self, paths: Iterable[str | os.PathLike[str]] = (), today: dt.date | None = None) -> ValidationReport:
        """Check every file (or those under `paths`) and the ledger-wide rules; report all problems."""
        walk_problems: list[Problem] = []
        rels = [f.rel for f in self.walk(walk_problems)]
        loaded: list[Checked] = []
        for chunk in map_chunks(_check_rels, rels, root=self.root, today=today or dt.date.today()):
            loaded.extend(chunk)
        wanted = self._select(paths, loaded, today) if paths else None
        if wanted is not None:
            known = {x.rel for x in loaded}
            loaded = loaded + [item for item in wanted.values() if item is not None and item.rel not in known]
        problems = list(walk_problems)
        problems.extend(self._vocab[1])
        for item in loaded:
            problems.extend(item.problems)
        nodes = [item.node for item in loaded if item.node is not None]
        undecoded = [(item.id, item.rel) for item in loaded if item.node is None and item.id]
        problems.extend(self._fill_lines(checks.ledger_problems(nodes, undecoded)))
        tags = self._vocab[0].tags
        if tags is not None:
            problems.extend(self._fill_lines(_unknown_tags(nodes, tags)))
        if wanted is not None:
            problems = [p for p in problems if p.path in wanted]
            count = sum(item is not None for item in wanted.values())
        else:
            count = len(loaded)
        problems = sorted(set(problems), key=Problem.sort_key)
        return ValidationReport(problems, count)

    def _select(
        self, paths: Iterable[str | os.PathLike[str]], loaded: list[Checked], today: dt.date | None
    ) -> dict[str, Checked | None]:
        """Map the files under the given paths to their loaded form (loading outsiders too).

        Paths that only have problems of the walk (a broken link) map to None.
        """
        by_rel = {item.rel: item for item in loaded}
        chosen: dict[str, Checked | None] = {}
        found: list[Problem] = []
        for rel in files.targets(self.root, list(paths), found, config=True):
            if rel == files.CONFIG:  # the vocabulary, not an entry
                chosen[rel] = Checked(rel, "", None, tuple(self._vocab[1]))
            elif rel in by_rel:
                chosen[rel] = by_rel[rel]
            else:
                chosen[rel] = Checked.of(_load_outside(self.root / rel, rel, today))
        for problem in found:
            chosen.setdefault(problem.path, None)
        return chosen

    def relative(self, path: str | os.PathLike[str]) -> str:
        """Return where a path lies in the ledger, however spelled (as given if it lies outside)."""
        rel = files.rel_of(self.root, path)
        return rel if rel is not None else Path(path).as_posix()

    def _fill_lines(self, problems: list[Problem]) -> list[Problem]:
        """Give line numbers to ledger-wide problems, reading only the files concerned."""
        by_path: dict[str, list[Problem]] = defaultdict(list)
        for problem in problems:
            by_path[problem.path].append(problem)
        out: list[Problem] = []
        for path, group in by_path.items():
            text, _ = files.read_text(self.root, path)
            line_of = files.line_finder(text) if text is not None else (lambda _f: 0)
            out.extend(_with_line(p, p.line or line_of(p.field)) for p in group)
        return out

    # -- git: diff, log, entries at a revision, git-setup (ledger/history.py, ledger/git.py) --

    def diff(self, spec: Any = ()) -> Any:
        """Compare two sides incident by incident (default: HEAD against the working tree).

        `spec` is a `history.Spec` or the `ledger diff` arguments (REV, A B, A..B, DIR_A DIR_B).
        """
        from ledger.vcs import history

        if not isinstance(spec, history.Spec):
            spec = history.parse_spec(list(spec))
        return history.compare(self.root, spec)

    def log(self, entry_id: str, start: str | None = None) -> Any:
        """Return the commits that changed an incident (newest first), following moves."""
        from ledger.vcs import history

        return history.log(self.root, history.entry_id_of(entry_id), start)

    def snapshot(self, rev: str, today: dt.date | None = None) -> list[Loaded]:
        """Return every entry as it was at a revision: one ls-tree, one cat-file, cached by blob id."""
        return self._snapshot(rev, today)[2]

    def at(self, rev: str | None) -> Any:
        """Return the ledger as it was at a git revision (`--as-of`), or itself for None.

        The result answers `find`, `select`, `lookup`, `invalid_paths`, `suggest_id`,
        `source_text` and `vocabulary` like a Ledger (see `snapshot.Snapshot`).
        """
        if rev is None:
            return self
        from ledger.vcs import snapshot

        repo, commit, loaded, blobs = self._snapshot(rev)
        vocabulary = self.vocabulary
        config = repo.ls_tree(commit, files.CONFIG)
        if config:
            text, _ = files.decode_bytes(files.CONFIG, repo.read_blobs([config[0].blob]).get(config[0].blob, b""))
            raw, _ = files.parse_toml(files.CONFIG, text) if text is not None else (None, None)
            vocabulary = vocab.parse(raw, files.CONFIG)[0] if raw is not None else vocab.Vocabulary()
        elif (self.root / files.CONFIG).is_file():
            vocabulary = vocab.Vocabulary()  # ledger.toml did not exist yet at that revision

        def source(rel: str) -> tuple[str | None, Problem | None]:
            blob = blobs.get(rel)
            data = repo.read_blobs([blob]).get(blob) if blob else None
            if data is None:
                return None, Problem(rel, 0, "", f"not in revision {rev}")
            return files.decode_bytes(rel, data)

        return snapshot.Snapshot(self.root, commit, loaded, vocabulary, source)

    def source_text(self, rel: str) -> tuple[str | None, Problem | None]:
        """Return an entry file's text (a Snapshot answers the same from git)."""
        return files.read_text(self.root, rel)

    def _snapshot(self, rev: str, today: dt.date | None = None) -> tuple[Any, str, list[Loaded], dict[str, str]]:
        """Return (repo, commit, entries, blob id by path) at a revision, parsing only uncached blobs."""
        from ledger.vcs import git

        repo = git.Repo.discover(self.root)
        commit = repo.resolve(rev)
        items = [i for i in repo.ls_tree(commit) if i.path.endswith(".toml")]
        with _blob_cache(self.root) as cache:
            return self._read_revision(repo, commit, items, cache, today)

    def _read_revision(
        self, repo: Any, commit: str, items: list[Any], cache: Any, today: dt.date | None
    ) -> tuple[Any, str, list[Loaded], dict[str, str]]:
        known = cache.get_many([i.blob for i in items]) if cache is not None else {}
        out: list[Loaded] = []
        missing = []
        for item in items:
            rel = repo.rel(item.path)
            cached = known.get(item.blob)
            if cached is not None and cached.get("id") == files.stem(rel):
                out.append(Loaded(rel, files.stem(rel), schema.from_json(cached)))
            else:
                out.append(Loaded(rel, files.stem(rel), None))
                missing.append((len(out) - 1, item))
        data = repo.read_blobs(item.blob for _, item in missing if not item.mode.startswith("12"))
        pairs = [(out[index].rel, data.get(item.blob)) for index, item in missing]
        parsed: list[Loaded] = []
        for chunk in map_chunks(_load_blobs, pairs, today=today or dt.date.today()):
            parsed.extend(chunk)
        fresh: dict[str, dict[str, Any]] = {}
        for (index, item), loaded in zip(missing, parsed, strict=True):
            out[index] = loaded
            if loaded.ok and loaded.entry is not None:  # only clean entries: a hit must mean "ok"
                fresh[item.blob] = schema.to_json(loaded.entry, loaded.rel)
        if cache is not None and fresh:
            cache.put_many(fresh)
        return repo, commit, out, {repo.rel(i.path): i.blob for i in items}

    def git_setup(self, textconv: str) -> list[str]:
        """Name the `ledger` diff driver in .gitattributes and put its command in .git/config."""
        from ledger.vcs import git

        repo = git.Repo.discover(self.root)
        done = []
        attributes = self.root / ".gitattributes"
        line = f"{files.ENTRIES}/**/*.toml diff=ledger"
        old = attributes.read_text(encoding="utf-8") if attributes.is_file() else ""
        if line not in old.splitlines():
            text = old + ("" if not old or old.endswith("\n") else "\n") + line + "\n"
            files.write_atomic(attributes, text)
            done.append(f"{self.relative(attributes)}: added `{line}` (commit it)")
        settings = [("diff.ledger.textconv", textconv), ("diff.ledger.xfuncname", "^title = .*$")]
        # git keeps the converted text in refs/notes (one Python start per blob, once), as a notes
        # commit: without a committer identity every `git log -p` would fail, so the cache waits.
        if repo.has_identity():
            settings.append(("diff.ledger.cachetextconv", "true"))
        elif repo.config_get("diff.ledger.cachetextconv") is None:
            done.append("git config diff.ledger.cachetextconv left off: git has no user.name/user.email here")
        for key, value in settings:
            if repo.config_get(key) != value:
                repo.config_set(key, value)
                done.append(f"git config {key} {value!r}")
        return done

    # -- authoring and interchange: new, fmt, import, export -------------------------------
    # (ledger/canonical.py, formatting.py, writing.py, importing.py, importers.py, exporters.py)

    def create_entry(self, data: dict[str, Any], entry_id: str | None = None, today: dt.date | None = None) -> Any:
        """Check new entry data and write it at entries/YYYY/MM/<id>.toml, never over another file.

        Returns `writing.Created` (path and problems); writes nothing when there are errors.
        """
        from ledger.core import slug
        from ledger.store import canonical, writing

        data = self.place_defaults(data)
        date, title = data.get("date"), data.get("title")
        if entry_id is None and isinstance(date, dt.date) and isinstance(title, str):
            entry_id = slug.make_id(date, title)
        entry_id = entry_id or "1970-01-01-invalid"
        if not checks.is_valid_id(entry_id):
            raise UsageError(f'"{entry_id}" is not a valid id {checks.ID_RULE}')
        rel = f"{files.ENTRIES}/{entry_id[:4]}/{entry_id[5:7]}/{entry_id}.toml"
        text = canonical.dumps(data)
        loaded = load_text(rel, text, today)
        problems = list(loaded.problems)
        taken = {files.stem(f.rel): f.rel for f in self.walk()}
        if entry_id in taken:
            raise LedgerError(f"{taken[entry_id]} already exists and is not overwritten (change the title or --id)")
        if loaded.entry is not None:
            problems.extend(checks.missing_links(checks.Node.of(loaded.entry, rel), taken.keys()))
        if not loaded.ok or any(p.severity is Severity.ERROR for p in problems):
            return writing.Created(rel, text, tuple(problems), written=False)
        with writing.write_lock(self.root):
            again = next((f.rel for f in self.walk() if files.stem(f.rel) == entry_id), None)  # under the lock
            if again is not None or not writing.create(self.root, rel, text):
                raise LedgerError(f"{again or rel} already exists and is not overwritten")
        return writing.Created(rel, text, tuple(problems), written=True)

    def place_defaults(self, data: dict[str, Any]) -> dict[str, Any]:
        """Use ledger.toml's canonical actor and place names; fill a known place's country and coordinates."""
        actors = data.get("actors")
        if isinstance(actors, dict):
            canon = self.vocabulary.canonical_actor
            named = {k: list(dict.fromkeys(canon(n) for n in v)) for k, v in actors.items() if isinstance(v, list)}
            data = {**data, "actors": {**actors, **named}}
        location = data.get("location")
        if not isinstance(location, dict) or not isinstance(location.get("name"), str):
            return data
        from ledger.core.names import fold

        folded = fold(location["name"])
        for place in self.vocabulary.places.values():
            if folded in {fold(place.name), *(fold(a) for a in place.aliases)}:
                filled = {**location, "name": place.name}
                if place.country and not filled.get("country"):
                    filled["country"] = place.country
                if place.lat is not None and place.lon is not None and "lat" not in filled and "lon" not in filled:
                    filled["lat"], filled["lon"] = place.lat, place.lon
                return {**data, "location": filled}
        return data

    def format(
        self, paths: Iterable[str | os.PathLike[str]] = (), *, write: bool = True, keep_text: bool = False
    ) -> Iterator[Any]:
        """Lay out entry files canonically (all, or those under `paths`); yield `formatting.Formatted`."""
        import contextlib

        from ledger.store import formatting, writing

        rels = self._format_targets(paths)
        with writing.write_lock(self.root) if write else contextlib.nullcontext():
            for chunk in map_chunks(
                formatting.format_rels, rels, root=self.root, write=write, keep_text=keep_text, check=load_text
            ):
                yield from chunk

    def _format_targets(self, paths: Iterable[str | os.PathLike[str]]) -> list[str]:
        given = list(paths)
        if not given:
            return [f.rel for f in self.walk()]
        return files.targets(self.root, given)

    def plan_import(
        self, file: Path, source: str | None, overrides: Any = None, *, today: Any = None, progress: Any = None
    ) -> Any:
        """Read a file of another dataset (or of `export`) and plan its import (`importing.Plan`): nothing is written."""
        from ledger.interchange import importers, importing

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
        loaded = self.load_all()
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
                canonical_actor=self.vocabulary.canonical_actor,
                progress=progress,
            )
        except ValueError as err:
            raise LedgerError(f"{file}: {err}") from None

    def write_import(self, plan: Any, progress: Any = None) -> Iterator[tuple[Any, str]]:
        """Create the files of an import plan one by one; yield (planned item, outcome) as each is done.

        Outcomes: "created"; "existed" (a file of that id with the same text is there);
        "taken" (another command created that id, with other content, after the plan was
        made: not overwritten, the row is rejected). Ids are checked again under the write
        lock, so no id ends up in two files. If the filesystem fails, the error says how many
        entries were written before it (the caller has seen them: an import can be resumed by
        running it again).
        """
        from ledger.store import writing

        done = 0
        with writing.write_lock(self.root):
            now = {files.stem(f.rel): f.rel for f in self.walk()}
            for number, item in enumerate(plan.create, start=1):
                taken = now.get(files.stem(item.rel))
                try:
                    if taken is None and writing.create(self.root, item.rel, item.text):
                        done += 1
                        outcome = "created"
                    else:
                        text, _ = files.read_text(self.root, taken or item.rel)
                        outcome = "existed" if text == item.text else "taken"
                except writing.WriteFailed as err:
                    raise writing.WriteFailed(
                        f"{err} ({done} {'entry' if done == 1 else 'entries'} written before it, listed on stdout;"
                        " run the import again to add the rest)"
                    ) from None
                yield item, outcome
                if progress and (number % 100 == 0 or number == len(plan.create)):
                    progress("writing", number, len(plan.create))


def _load_blobs(pairs: list[tuple[str, bytes | None]], *, today: dt.date) -> list[Loaded]:
    """Parse blobs read from git (None: a symbolic link, or a blob git did not give)."""
    out = []
    for rel, data in pairs:
        if data is None:
            problem = Problem(rel, 0, "", "is a symbolic link in git, not an entry file")
            out.append(Loaded(rel, files.stem(rel), None, (problem,)))
        else:
            out.append(load_bytes(rel, data, today))
    return out


def _blob_cache(root: Path) -> Any:
    """Return the index's cache of parsed entries by git blob id (a context manager that closes it)."""
    from ledger.index import BlobCache

    return BlobCache(root)


def _as_selection(selection: Any, include_withdrawn: bool = False) -> Any:
    """Accept a Selection, query text or None (everything)."""
    from ledger import query

    if selection is None or isinstance(selection, str):
        return query.Selection(query.parse(selection or ""), include_withdrawn=include_withdrawn)
    if include_withdrawn and not selection.include_withdrawn:
        return dataclasses.replace(selection, include_withdrawn=True)
    return selection


def _index_part(items: list[tuple[int, str, int, int, int]], *, root: Path, folder: str) -> tuple[str, int]:
    """Parse entry files into an index part file (in worker processes for many files)."""
    from ledger import index

    rows = []
    for rowid, rel, size, mtime_ns, inode in items:
        # date.max: "in the future" is for `validate`; the index must not depend on today
        loaded = load_file(root, rel, dt.date.max)
        rows.append((rowid, index.row_of((rel, size, mtime_ns, inode), loaded.entry, loaded.ok)))
    return index.write_part(folder, rows)


def _load_outside(path: Path, rel: str, today: dt.date | None) -> Loaded:
    try:
        with open(path, "rb") as handle:
            data = handle.read(files.MAX_FILE_BYTES + 1)
    except OSError as err:
        return Loaded(rel, files.stem(rel), None, (Problem(rel, 0, "", f"cannot read: {err.strerror}"),))
    return load_bytes(rel, data, today)


def _unknown_tags(nodes: list[checks.Node], tags: frozenset[str]) -> list[Problem]:
    found = []
    for node in nodes:
        for i, tag in enumerate(node.tags):
            if tag not in tags:
                found.append(
                    Problem(
                        node.path,
                        0,
                        f"tags[{i}]",
                        f'"{tag}" is not in the tags of ledger.toml' + schema.suggest(tag, tags),
                    )
                )
    return found


def _with_line(problem: Problem, line: int) -> Problem:
    return Problem(problem.path, line, problem.field, problem.message, problem.severity)
