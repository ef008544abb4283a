"""Evidence rules over one entry: the source registry, the ledger policy, capture fields (pure).

`entry_problems(entry, path, vocabulary)` returns, with line 0 (the caller locates keys only
for the files concerned):

- with a source registry (`[sources."NAME"]` in ledger.toml): a source name that is not in
  it (nor an alias of one) is a warning, with "did you mean"; an entry's own reliability
  grade that differs from the registry's is a warning (the entry's grade is used);
- with a `[policy]`, for active entries: a source with a `url` but no `capture`
  (`require_capture`); a "confirmed" entry citing fewer distinct sources than
  `min_sources` (registry aliases count as one source); a source without a reliability
  grade (its own or the registry's) or without a credibility grade (`require_grades`);
- always: a `capture` outside `evidence/`, or without the `sha256` it must match.

Whether a capture file exists and holds that page is checked at the edge (`api.evidence`).
"""

from __future__ import annotations

import re

from ledger.core import model
from ledger.core.errors import Problem, Severity
from ledger.core.vocab import Vocabulary

EVIDENCE = "evidence"
_W = Severity.WARNING
_SHA256 = re.compile(model.SHA256_PATTERN)
_CAPTURE = re.compile(model.CAPTURE_PATTERN)


def reliability(source: model.Source, vocabulary: Vocabulary) -> model.Reliability | None:
    """Return a source's reliability grade: its own, else the registry's."""
    if source.reliability is not None:
        return source.reliability
    info = vocabulary.source(source.name)
    return info.reliability if info is not None else None


def distinct_sources(entry: model.Entry, vocabulary: Vocabulary) -> list[str]:
    """Return the distinct sources an entry cites (registry names; aliases merged), in order."""
    return list(dict.fromkeys(vocabulary.source_key(s.name) for s in entry.sources))


def capture_problem(capture: str) -> str | None:
    """Return why a `capture` path is unacceptable, or None."""
    parts = capture.split("/")
    if "\\" in capture or parts[0] != EVIDENCE or len(parts) < 2:
        return f'"{capture}" is not a path under {EVIDENCE}/ (relative to the ledger folder, with /)'
    if any(part in ("", ".", "..") for part in parts):
        return f'"{capture}" has an empty, "." or ".." part'
    return None


def checkable(source: model.Source) -> bool:
    """Return whether a source's capture and sha256 are well-formed, so the file can be checked."""
    return (
        source.capture is not None
        and source.sha256 is not None
        and _SHA256.fullmatch(source.sha256) is not None
        and capture_problem(source.capture) is None
    )


def entry_problems(entry: model.Entry, path: str, vocabulary: Vocabulary) -> list[Problem]:
    """Check one entry's sources against the registry, the policy and the capture rules."""
    found: list[Problem] = []

    def add(field: str, message: str, severity: Severity = Severity.ERROR) -> None:
        found.append(Problem(path, 0, field, message, severity))

    registry = bool(vocabulary.sources)
    policy = vocabulary.policy
    active = not entry.withdrawn
    for i, source in enumerate(entry.sources):
        at = f"sources[{i}]"
        info = vocabulary.source(source.name)
        if registry and info is None:
            add(
                f"{at}.name",
                f'"{source.name}" is not in the source registry of ledger.toml{vocabulary.suggest_source(source.name)}',
                _W,
            )
        if info is not None and info.reliability is not None and source.reliability not in (None, info.reliability):
            add(
                f"{at}.reliability",
                f'{source.reliability}, but the registry grades "{info.name}" {info.reliability} '
                "(this entry's grade is used)",
                _W,
            )
        if source.capture is not None:
            wrong = capture_problem(source.capture)
            if wrong and _CAPTURE.match(source.capture):  # else the schema's pattern has said it
                add(f"{at}.capture", wrong)
            if source.sha256 is None:
                add(f"{at}.capture", "a capture needs the sha256 of its page (`ledger archive` writes both)")
        if not active:
            continue
        if policy.require_capture and source.url is not None and source.capture is None:
            add(f"{at}.url", "has a url but no capture (policy require_capture): run `ledger archive`")
        if policy.require_grades:
            if reliability(source, vocabulary) is None:
                add(at, f'"{source.name}" has no reliability grade, its own or the registry\'s (policy require_grades)')
            if source.credibility is None:
                add(at, f'"{source.name}" has no credibility grade (policy require_grades)')
    if active and policy.min_sources and entry.confidence is model.Confidence.CONFIRMED:
        distinct = distinct_sources(entry, vocabulary)
        if len(distinct) < policy.min_sources:
            names = ", ".join(distinct)
            add(
                "confidence",
                f'"confirmed" needs at least {policy.min_sources} distinct sources (policy min_sources); '
                f"this entry cites {len(distinct)}: {names}",
            )
    return found
