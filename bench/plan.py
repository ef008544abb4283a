"""Which rows of the benchmark a run measures: `--only` and `--skip` (stdlib only).

Each group is a set of rows with their targets; a row's peer (DuckDB's query, the cold
index, the floors, the live list) is measured once, by the first group that needs it, so
`--only timeline` still pairs `timeline` with DuckDB in the same run.
"""

from __future__ import annotations

#: group name -> what it measures, in the order a run measures them
GROUPS: dict[str, str] = {
    "startup": "python -c pass, the typer and find -newer floors, --version, list on an empty ledger",
    "index": "cold index --rebuild against tomllib on all cores",
    "list": "warm filtered list and search, the list's peak memory (peers: the floors)",
    "naive": "the warm list against a naive re-parse of every file",
    "refresh": "the list after editing one entry",
    "validate": "validate against tomllib on all cores (and the cold index, if measured)",
    "timeline": "timeline and its peak memory against DuckDB's window query",
    "svg": "timeline --format svg and its peak memory against DuckDB's timeline",
    "html": "timeline --format html and its peak memory against DuckDB's timeline",
    "stats": "stats --by actor and its peak memory against DuckDB's unnest + group by",
    "dupes": "dupes and its peak memory against DuckDB's candidate self-join",
    "export": "export --format csv against export --format jsonl",
    "show": "show of an unknown id against start-up + warm list",
    "links": "validate on 20,000 entries intact and with 2,000 broken links (a ledger of its own)",
    "diff": "ledger diff HEAD~1 HEAD against git diff --stat (needs git: --git)",
    "asof": "list/timeline --as-of HEAD~1 cold and warm against the live list, cold index, DuckDB (needs --git)",
    "scaling": "list, timeline --by month, stats: with --per-entry N, cost per entry N vs --n",
}
#: groups that need the ledger to be a git repository
GIT_GROUPS = frozenset({"diff", "asof"})


class SelectionError(ValueError):
    """An unknown group name in --only or --skip."""


def _names(text: str | None) -> list[str]:
    names = [part.strip() for part in (text or "").split(",") if part.strip()]
    unknown = [name for name in names if name not in GROUPS]
    if unknown:
        raise SelectionError(f"unknown group {', '.join(unknown)}; groups: {', '.join(GROUPS)}")
    return names


def select(only: str | None, skip: str | None) -> list[str]:
    """Return the groups to measure, in run order: all of them, or --only's, minus --skip's."""
    chosen = set(_names(only)) or set(GROUPS)
    chosen -= set(_names(skip))
    return [name for name in GROUPS if name in chosen]


def describe() -> str:
    """The groups and what each measures, for --help."""
    return "\n".join(f"  {name:<9} {text}" for name, text in GROUPS.items())
