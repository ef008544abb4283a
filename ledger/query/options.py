"""The filter options (`--since`, `--type`, ...): one table, mapped to the same AST as query text.

`OPTIONS` declares each option once: the query field and comparison it builds, its help, and
the placeholder the help shows. The shell generates its options from this table (and their
completions from the field's kind); `from_options` builds the AST of what was given, and
`selection` the whole `Selection` with the positional query text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.core.errors import UsageError
from ledger.query.ast import Node, Selection, Term, all_of
from ledger.query.fields import BOUND, DATE, KINDS, NAME, NUMBER, TEXT, check_value


@dataclass(frozen=True, slots=True)
class FilterOption:
    """`--NAME VALUE` means the query term `FIELD OP VALUE`; repeated, its values are ORed (AND for comparisons)."""

    name: str
    field: str
    op: str
    help: str
    short: str | None = None
    placeholder: str | None = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def metavar(self) -> str:
        """The help's placeholder: DATE, N, NAME, TEXT by the field's kind, else the field in capitals."""
        kind = KINDS[self.field]
        return self.placeholder or {DATE: "DATE", BOUND: "DATE", NUMBER: "N", NAME: "NAME", TEXT: "TEXT"}.get(
            kind, self.field.upper()
        )

    @property
    def repeats(self) -> bool:
        """Whether the option may be given more than once (all but the escalation bounds)."""
        return KINDS[self.field] != NUMBER


OPTIONS: tuple[FilterOption, ...] = (
    FilterOption("since", "since", ":", "On or after this date (YYYY, YYYY-MM, YYYY-MM-DD)."),
    FilterOption("until", "until", ":", "On or before this date (inclusive)."),
    FilterOption("on", "date", ":", "Span overlaps this date or range A..B."),
    FilterOption("type", "type", ":", "Event type (repeat to OR).", short="-t"),
    FilterOption("category", "category", ":", "Event category (repeat to OR)."),
    FilterOption("actor", "actor", ":", "Actor name or alias from ledger.toml.", short="-a"),
    FilterOption("country", "country", ":", "Country: ISO code or name.", short="-c", placeholder="CC"),
    FilterOption("place", "place", ":", "Place, admin1 or admin2 name, or an alias."),
    FilterOption("tag", "tag", ":", "A whole tag (repeat to OR)."),
    FilterOption("min_escalation", "escalation", ">=", "Escalation >= N."),
    FilterOption("max_escalation", "escalation", "<=", "Escalation <= N."),
    FilterOption("confidence", "confidence", ":", "Confidence grade (repeat to OR).", placeholder="GRADE"),
    FilterOption("text", "text", ":", "Substring of title, summary or place name (any case)."),
    FilterOption("source", "source", ":", "Substring of a source name or URL (any case)."),
)


def from_options(options: Mapping[str, Any]) -> Node | None:
    """Build the AST of the filter options (by `FilterOption.name`: a list of strings, a number, or None)."""
    terms: list[Node] = []
    for option in OPTIONS:
        given = options.get(option.name)
        if given is None or given == []:
            continue
        try:
            given = given if isinstance(given, list | tuple) else [given]
            values = tuple(check_value(option.field, option.op, str(v)) for v in given)
        except ValueError as err:
            raise UsageError(f"{option.flag}: {err}") from None
        if option.op == ":":
            terms.append(Term(option.field, option.op, values))
        else:
            terms.extend(Term(option.field, option.op, (v,)) for v in values)
    return all_of(*terms)


def selection(
    words: Sequence[str],
    options: Mapping[str, Any],
    *,
    include_withdrawn: bool = False,
    sort: str | None = None,
    reverse: bool = False,
    limit: int | None = None,
) -> Selection:
    """Return the Selection of query text and filter options together (a syntax error raises QuerySyntaxError)."""
    from ledger.query.order import check_sort
    from ledger.query.parse import parse

    parsed = parse(" ".join(words))
    where = all_of(from_options(options), parsed)
    return Selection(where, include_withdrawn=include_withdrawn, sort=check_sort(sort), reverse=reverse, limit=limit)
