"""Validation orchestration: every file checked on all cores, then the ledger-wide rules (links, ids, tags)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ledger.api.loader import Loaded, load_file, load_outside, load_text, with_line
from ledger.api.parallel import map_chunks
from ledger.core import checks, schema, vocab
from ledger.core.errors import Problem, Severity
from ledger.store import files


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


def _check_rels(
    rels: list[str], *, root: Path, today: dt.date, vocabulary: vocab.Vocabulary | None = None
) -> list[Checked]:
    # Workers send back Checked, not whole entries: far less to pickle for 100,000 files.
    from ledger.api import evidence

    out = []
    for rel in rels:
        item = load_file(root, rel, today)
        checked = Checked.of(item)
        if vocabulary is not None and item.entry is not None:  # the registry, the policy, the captures
            extra = evidence.check_entry(root, rel, item.entry, vocabulary)
            if extra:
                found = checked.problems + tuple(evidence.with_lines(root, rel, extra))
                checked = dataclasses.replace(checked, problems=found)
        out.append(checked)
    return out


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

    @property
    def summary(self) -> str:
        """`3 files checked: 1 error, 0 warnings`."""
        from ledger.output.render import plural

        checked = f"{plural(self.files, 'file')} checked: {plural(self.errors, 'error')}"
        return f"{checked}, {plural(self.warnings, 'warning')}"


def validate(
    root: Path,
    config_problems: list[Problem],
    tags: frozenset[str] | None,
    paths: Iterable[str | os.PathLike[str]] = (),
    today: dt.date | None = None,
    vocabulary: vocab.Vocabulary | None = None,
) -> ValidationReport:
    """Check every file (or those under `paths`) and the ledger-wide rules; report all problems.

    `config_problems` are those of ledger.toml, `tags` its tag list (None: any tag);
    `vocabulary` brings the source registry and the policy (`api.evidence.check_entry`).
    """
    walk_problems: list[Problem] = []
    rels = [f.rel for f in files.walk(root, walk_problems)]
    loaded: list[Checked] = []
    day = today or dt.date.today()
    for chunk in map_chunks(_check_rels, rels, root=root, today=day, vocabulary=vocabulary):
        loaded.extend(chunk)
    paths = list(paths)
    wanted = _select(root, config_problems, paths, loaded, today) if paths else None
    if wanted is not None:
        known = {x.rel for x in loaded}
        loaded = loaded + [item for item in wanted.values() if item is not None and item.rel not in known]
    problems = list(walk_problems)
    problems.extend(config_problems)
    for checked in loaded:
        problems.extend(checked.problems)
    nodes = [checked.node for checked in loaded if checked.node is not None]
    undecoded = [(checked.id, checked.rel) for checked in loaded if checked.node is None and checked.id]
    problems.extend(_fill_lines(root, checks.ledger_problems(nodes, undecoded)))
    if tags is not None:
        problems.extend(_fill_lines(root, _unknown_tags(nodes, tags)))
    if wanted is not None:
        problems = [p for p in problems if p.path in wanted]
        count = sum(item is not None for item in wanted.values())
    else:
        count = len(loaded)
    problems = sorted(set(problems), key=Problem.sort_key)
    return ValidationReport(problems, count)


def validate_staged(root: Path, today: dt.date | None = None) -> ValidationReport:
    """Check what the next commit will contain (git's index), not the working tree.

    Entries and ledger.toml are read from the staged blobs with git plumbing (`ls-files
    --stage`, `cat-file --batch`), by the same rule for which files are entries, so an
    untracked draft neither blocks a commit nor lets a link to it pass.
    """
    from ledger.api.loader import load_bytes
    from ledger.core import vocab
    from ledger.vcs import git
    from ledger.vcs.tree import entry_files

    repo = git.Repo.discover(root)
    tree = entry_files(repo.staged("entries"), repo.rel, repo.read_blobs, root, repo.staged)
    config = [i for i in repo.staged(files.CONFIG) if repo.rel(i.path) == files.CONFIG]
    blobs = repo.read_blobs([*tree.blobs.values(), *(i.blob for i in config)])
    texts: dict[str, str | None] = {}
    problems: list[Problem] = []
    tags: frozenset[str] | None = None
    if config:
        text, problem = files.decode_bytes(files.CONFIG, blobs.get(config[0].blob, b""))
        raw, problem = files.parse_toml(files.CONFIG, text) if text is not None else (None, problem)
        if raw is None:
            problems.extend([problem] if problem else [])
        else:
            found, config_problems = vocab.parse(raw, files.CONFIG)
            line_of = files.line_finder(text or "")
            problems.extend(with_line(p, line_of(p.field)) for p in config_problems)
            tags = found.tags
    loaded: list[Checked] = []
    problems.extend(tree.odd.values())  # not entry files (a broken link, a folder named *.toml)
    for rel, blob in sorted(tree.blobs.items()):
        data = blobs.get(blob, b"")
        texts[rel], _ = files.decode_bytes(rel, data)
        loaded.append(Checked.of(load_bytes(rel, data, today or dt.date.today())))
    for checked in loaded:
        problems.extend(checked.problems)
    nodes = [checked.node for checked in loaded if checked.node is not None]
    undecoded = [(checked.id, checked.rel) for checked in loaded if checked.node is None and checked.id]
    wide = checks.ledger_problems(nodes, undecoded)
    if tags is not None:
        wide.extend(_unknown_tags(nodes, tags))
    for problem in wide:
        text = texts.get(problem.path)
        line = problem.line or (files.line_finder(text)(problem.field) if text is not None else 0)
        problems.append(with_line(problem, line))
    return ValidationReport(sorted(set(problems), key=Problem.sort_key), len(loaded))


def load_new(root: Path, vocabulary: vocab.Vocabulary, rel: str, text: str, today: dt.date) -> Loaded:
    """Check the text of an entry about to be written (`new`, `import`) by every rule `validate` applies to one file.

    `load_text` (syntax, schema, the entry's own rules), then what `validate` adds from
    ledger.toml: the tag list (`_unknown_tags`) and the source registry, policy and captures
    (`evidence.check_entry`), so a writer never writes what `validate` then rejects. The
    rules across entries (`checks.ledger_problems`) are the caller's: it knows the others.
    """
    from ledger.api import evidence

    loaded = load_text(rel, text, today)
    if loaded.entry is None:
        return loaded
    extra = evidence.check_entry(root, rel, loaded.entry, vocabulary)
    if vocabulary.tags is not None:
        extra.extend(_unknown_tags([checks.Node.of(loaded.entry, rel)], vocabulary.tags))
    if not extra:
        return loaded
    line_of = files.line_finder(text)
    found = tuple(with_line(p, p.line or line_of(p.field)) for p in extra)
    return dataclasses.replace(loaded, problems=loaded.problems + found)


def _select(
    root: Path,
    config_problems: list[Problem],
    paths: Iterable[str | os.PathLike[str]],
    loaded: list[Checked],
    today: dt.date | None,
) -> dict[str, Checked | None]:
    """Map the files under the given paths to their loaded form (loading outsiders too).

    Paths that only have problems of the walk (a broken link) map to None.
    """
    by_rel = {item.rel: item for item in loaded}
    chosen: dict[str, Checked | None] = {}
    found: list[Problem] = []
    for rel in files.targets(root, list(paths), found, config=True):
        if rel == files.CONFIG:  # the vocabulary, not an entry
            chosen[rel] = Checked(rel, "", None, tuple(config_problems))
        elif rel in by_rel:
            chosen[rel] = by_rel[rel]
        else:
            chosen[rel] = Checked.of(load_outside(root / rel, rel, today))
    for problem in found:
        chosen.setdefault(problem.path, None)
    return chosen


def _fill_lines(root: Path, problems: list[Problem]) -> list[Problem]:
    """Give line numbers to ledger-wide problems, reading only the files concerned."""
    by_path: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        by_path[problem.path].append(problem)
    out: list[Problem] = []
    for path, group in by_path.items():
        text, _ = files.read_text(root, path)
        line_of = files.line_finder(text) if text is not None else (lambda _f: 0)
        out.extend(with_line(p, p.line or line_of(p.field)) for p in group)
    return out


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
