"""The filter language: tokens -> parser -> AST, a printer, and a pure Python evaluator.

Options (`--type a --since 2020-01-03`) and query text (`type:a since:2020-01-03`) build the
same AST; `index.py` compiles it to parameterised SQL, `matches` evaluates it in Python over
`facts(entry)`, the same derived values the index stores, so both agree by construction.

Grammar (whitespace separates terms; keywords are case-insensitive)::

    query   := or_expr? EOF
    or_expr := and_expr ("or" and_expr)*
    and_expr:= unary (["and"] unary)*           terms side by side AND together
    unary   := "not:" unary | "(" or_expr ")" | term
    term    := FIELD ":" value ("," value)*      the values OR together
             | FIELD OP value                    OP is one of >= <= > < =
             | value                             a bare word or quoted text: text:value
    value   := '"' chars '"'                     backslash escapes " and \\
             | "'" chars "'"
             | chars                             no whitespace ( ) , " and no leading '

Fields (aliases in brackets): date [on], since, until, type, category, confidence, status,
country, actor [actors], place, tag [tags], text, source [sources], id, escalation [esc],
killed, injured. Dates are `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, or ranges `A..B`, `A..`,
`..B` (both ends included, a month or year as an end means all of it); numbers take
`N`, `N..M` and comparisons. An incident matches a date filter when its span
`[date, date_end or date]` overlaps the range.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from ledger.core import model
from ledger.core.errors import UsageError
from ledger.core.model import chronological

# -- the AST -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Term:
    """One filter: `field` compared by `op` (":" for membership) with values that OR together."""

    field: str
    op: str
    values: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.field}{self.op}{','.join(quote(v) for v in self.values)}"


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]

    def __str__(self) -> str:
        return " ".join(_wrap(item, (And, Or)) for item in self.items)


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]

    def __str__(self) -> str:
        return " or ".join(_wrap(item, (Or,)) for item in self.items)


@dataclass(frozen=True, slots=True)
class Not:
    item: Node

    def __str__(self) -> str:
        return "not:" + _wrap(self.item, (And, Or))


Node = Term | And | Or | Not


def _wrap(node: Node, kinds: tuple[type, ...]) -> str:
    return f"({node})" if isinstance(node, kinds) else str(node)


def unparse(node: Node | None) -> str:
    """Return the canonical text of a query (parses back to the same AST)."""
    return "" if node is None else str(node)


def all_of(*nodes: Node | None) -> Node | None:
    """AND the given nodes together (None is "everything")."""
    present = tuple(n for n in nodes if n is not None)
    if not present:
        return None
    return present[0] if len(present) == 1 else And(present)


@dataclass(frozen=True)
class Selection:
    """What a query command asks for: a filter, the withdrawn rule, order and limit."""

    where: Node | None = None
    include_withdrawn: bool = False
    sort: str | None = None
    reverse: bool = False
    limit: int | None = None


# -- fields --------------------------------------------------------------------------------

DATE, NUMBER, CHOICE, NAME, WORD, TEXT, BOUND = "date", "number", "choice", "name", "word", "text", "bound"
KINDS: dict[str, str] = {
    "date": DATE,
    "since": BOUND,
    "until": BOUND,
    "type": CHOICE,
    "category": CHOICE,
    "confidence": CHOICE,
    "status": CHOICE,
    "country": WORD,
    "actor": NAME,
    "place": NAME,
    "tag": WORD,
    "text": TEXT,
    "source": TEXT,
    "id": WORD,
    "escalation": NUMBER,
    "killed": NUMBER,
    "injured": NUMBER,
}
ALIASES = {"on": "date", "actors": "actor", "tags": "tag", "sources": "source", "esc": "escalation"}
CHOICES: dict[str, tuple[str, ...]] = {
    "type": tuple(m.value for m in model.EventType),
    "category": tuple(m.value for m in model.Category),
    "confidence": tuple(m.value for m in model.Confidence),
    "status": tuple(m.value for m in model.Status),
}
COMPARISONS = (">=", "<=", ">", "<", "=")
SORT_FIELDS = (
    "date",
    "id",
    "title",
    "type",
    "category",
    "escalation",
    "confidence",
    "country",
    "place",
    "killed",
    "injured",
)
KEYWORDS = ("or", "and")

_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", re.ASCII)
_INT = re.compile(r"\d{1,9}", re.ASCII)
_COUNTRY = re.compile(r"[A-Za-z]{2}")
_NAME = re.compile(r"[A-Za-z_]+")
# Entries never hold these (validation refuses them), and SQLite cannot take lone surrogates.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class QuerySyntaxError(UsageError):
    """A query that cannot be understood; `position` is the 0-based column of the trouble."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at column {position + 1})")
        self.message = message
        self.position = position

    def caret(self, text: str) -> str:
        """Return the query and a caret under the column at fault (two lines)."""
        # One column per character, nothing a terminal would act on.
        shown = "".join(" " if c.isspace() else c if c.isprintable() else "?" for c in text)
        return f"{shown}\n{' ' * min(self.position, len(shown))}^"


# -- values --------------------------------------------------------------------------------


def date_bounds(text: str) -> tuple[str | None, str | None]:
    """Return the first and last ISO day a date or range names (None: open end)."""
    if ".." in text:
        lo, hi = text.split("..", 1)
        return (_day_range(lo)[0] if lo else None, _day_range(hi)[1] if hi else None)
    return _day_range(text)


def _day_range(text: str) -> tuple[str, str]:
    found = _DATE.fullmatch(text)
    if not found:
        raise ValueError(f'"{text}" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)')
    year, month, day = (int(g) if g else None for g in found.groups())
    assert year is not None
    try:
        if month is None:
            return dt.date(year, 1, 1).isoformat(), dt.date(year, 12, 31).isoformat()
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, 1).isoformat(), dt.date(year, month, last).isoformat()
        single = dt.date(year, month, day).isoformat()
    except ValueError:
        raise ValueError(f'"{text}" is not a valid date') from None
    return single, single


def number_bounds(text: str) -> tuple[int | None, int | None]:
    """Return the bounds of a number or range (None: open end)."""
    if ".." in text:
        lo, hi = text.split("..", 1)
        return (_int(lo) if lo else None, _int(hi) if hi else None)
    value = _int(text)
    return value, value


def _int(text: str) -> int:
    if not _INT.fullmatch(text):
        raise ValueError(f'"{text}" is not a whole number')
    return int(text)


def _check_value(field: str, op: str, value: str) -> None:
    """Raise ValueError when a value does not fit its field."""
    kind = KINDS[field]
    if kind == DATE:
        if op != ":" and ".." in value:
            raise ValueError(f"date{op} takes one date, not a range")
        lo, hi = date_bounds(value)
        if lo is None and hi is None:
            raise ValueError('".." needs at least one end')
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f'"{value}" ends before it starts')
    elif kind == BOUND:
        if ".." in value:
            raise ValueError(f"{field}: takes one date, not a range")
        date_bounds(value)
    elif kind == NUMBER:
        if op != ":" and ".." in value:
            raise ValueError(f"{field}{op} takes one number, not a range")
        low, high = number_bounds(value)
        if low is None and high is None:
            raise ValueError('".." needs at least one end')
        if low is not None and high is not None and low > high:
            raise ValueError(f'"{value}" ends before it starts')
    elif kind == CHOICE:
        allowed = CHOICES[field]
        if value.lower() not in allowed:
            from ledger.core.schema import suggest

            hint = suggest(value, allowed) or f" (one of: {', '.join(allowed)})"
            raise ValueError(f'"{value}" is not a {field}{hint}')
    elif field == "country" and not _COUNTRY.fullmatch(value):
        raise ValueError(f'"{value}" is not a two-letter ISO country code')


def quote(value: str) -> str:
    """Return a value as the parser reads it back: bare when safe, else double-quoted."""
    if value and not any(c.isspace() or c in '(),"\\' for c in value) and value[0] != "'":
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# -- the parser ----------------------------------------------------------------------------


class _Parser:
    """Recursive descent over the characters of the query (the scanner is inline)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0

    def fail(self, message: str, position: int | None = None) -> QuerySyntaxError:
        return QuerySyntaxError(message, self.pos if position is None else position)

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek_keyword(self) -> str | None:
        """Return "or"/"and" if the next word is that keyword standing alone."""
        self.skip()
        for word in KEYWORDS:
            end = self.pos + len(word)
            if self.text[self.pos : end].lower() == word and (end == len(self.text) or self._ends(end)):
                return word
        return None

    def _ends(self, index: int) -> bool:
        return self.text[index].isspace() or self.text[index] in "()"

    def parse(self) -> Node | None:
        bad = _UNSAFE.search(self.text)
        if bad:
            raise self.fail(f"the query holds a control or invalid character (U+{ord(bad.group()):04X})", bad.start())
        self.skip()
        if self.pos == len(self.text):
            return None
        node = self.or_expr()
        self.skip()
        if self.pos < len(self.text):
            raise self.fail("unexpected ')' (no '(' opens it)")
        return node

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self.peek_keyword() == "or":
            self.pos += 2
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self) -> Node:
        items = [self.unary()]
        while True:
            keyword = self.peek_keyword()
            if keyword == "and":
                self.pos += 3
                items.append(self.unary())
                continue
            if keyword == "or" or self.pos == len(self.text) or self.text[self.pos] == ")":
                break
            items.append(self.unary())
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self) -> Node:
        self.skip()
        if self.pos == len(self.text):
            raise self.fail("expected a term, found the end of the query")
        char = self.text[self.pos]
        if char == "(":
            start = self.pos
            self.pos += 1
            self.depth += 1
            if self.depth > 100:
                raise self.fail("parentheses nest too deeply")
            self.skip()
            if self.pos < len(self.text) and self.text[self.pos] == ")":
                raise self.fail("empty parentheses")
            node = self.or_expr()
            self.skip()
            if self.pos == len(self.text) or self.text[self.pos] != ")":
                raise self.fail("'(' is never closed", start)
            self.pos += 1
            self.depth -= 1
            return node
        if char == ")":
            raise self.fail("expected a term, found ')'")
        keyword = self.peek_keyword()
        if keyword is not None:
            raise self.fail(f'"{keyword}" needs a term before it (quote it to search the word)')
        name = _NAME.match(self.text, self.pos)
        if name:
            after = name.end()
            word = name.group().lower()
            if word == "not" and self.text[after : after + 1] == ":":
                self.pos = after + 1
                if self.pos == len(self.text) or self.text[self.pos].isspace():
                    raise self.fail('expected a term right after "not:"')
                self.depth += 1
                if self.depth > 100:
                    raise self.fail("negations nest too deeply")
                inner = self.unary()
                self.depth -= 1
                return Not(inner)
            op = self._op(after)
            if op is not None:
                return self.term(word, name.start(), after, op)
        start = self.pos
        value = self.value(bare=True)
        return Term("text", ":", (value,)) if value else self._empty(start)

    def _empty(self, start: int) -> Node:
        raise self.fail("expected a term", start)

    def _op(self, index: int) -> str | None:
        if self.text[index : index + 1] == ":":
            return ":"
        for op in COMPARISONS:
            if self.text.startswith(op, index):
                return op
        return None

    def term(self, word: str, start: int, after: int, op: str) -> Term:
        field = ALIASES.get(word, word)
        if field not in KINDS:
            from ledger.core.schema import suggest

            raise self.fail(f'unknown field "{word}"{suggest(word, [*KINDS, *ALIASES])}', start)
        if op != ":" and KINDS[field] not in (NUMBER, DATE):
            raise self.fail(f'{field} cannot be compared with "{op}" (write {field}:VALUE)', after)
        self.pos = after + len(op)
        values = []
        while True:
            at = self.pos
            if at == len(self.text) or self.text[at].isspace() or self.text[at] in "),":
                raise self.fail(f"expected a value after {field}{op}" if at == after + len(op) else "expected a value")
            value = self.value(bare=False)
            try:
                _check_value(field, op, value)
            except ValueError as err:
                raise self.fail(str(err), at) from None
            values.append(value)
            if self.pos < len(self.text) and self.text[self.pos] == ",":
                if op != ":":
                    raise self.fail(f"{field}{op} takes one value")
                self.pos += 1
                continue
            return Term(field, op, tuple(values))

    def value(self, *, bare: bool) -> str:
        """Read one value: quoted, or a run of plain characters."""
        text, start = self.text, self.pos
        if start < len(text) and text[start] in "\"'":
            quote_char = text[start]
            out = []
            i = start + 1
            while i < len(text) and text[i] != quote_char:
                if quote_char == '"' and text[i] == "\\" and i + 1 < len(text):
                    i += 1
                out.append(text[i])
                i += 1
            if i >= len(text):
                raise self.fail("quote is never closed", start)
            self.pos = i + 1
            if self.pos < len(text) and not (
                text[self.pos].isspace() or text[self.pos] in "()" or (not bare and text[self.pos] == ",")
            ):
                raise self.fail("expected a space after the closing quote")
            return "".join(out)
        i = start
        stops = '()"' if bare else '(),"'
        while i < len(text) and not text[i].isspace() and text[i] not in stops:
            i += 1
        if i < len(text) and text[i] == '"':
            raise self.fail("unexpected quote inside a word (quote the whole value)", i)
        if i < len(text) and text[i] == "(":
            raise self.fail("unexpected '(' inside a word (quote the value)", i)
        self.pos = i
        return text[start:i]


def parse(text: str) -> Node | None:
    """Parse a query; None means "everything". Raise QuerySyntaxError with a position."""
    return _Parser(text).parse()


# -- evaluation ----------------------------------------------------------------------------

SEPARATOR = "\x1f"  # never inside a valid entry's text (control characters are refused)


class Facts(NamedTuple):
    """What filters look at, derived once per entry: the index stores exactly these values.

    Lists are stored as one string, each item case-folded and wrapped in SEPARATOR, so
    "has item x" is the substring test `SEPARATOR + x + SEPARATOR in value` in Python and
    `instr(value, ?)` in SQL alike.
    """

    id: str
    date: str
    last_day: str
    type: str
    category: str
    escalation: int
    confidence: str
    status: str
    country: str
    killed: int | None
    injured: int | None
    text: str
    actors: str
    places: str
    tags: str
    sources: str


def _joined(items: Iterable[str | None]) -> str:
    present = [item.casefold() for item in items if item]
    return SEPARATOR + SEPARATOR.join(present) + SEPARATOR if present else ""


def facts(entry: model.Entry) -> Facts:
    """Derive the matchable values of an entry (case-folded where matching ignores case)."""
    loc = entry.location
    actors = entry.actors
    casualties = entry.casualties
    return Facts(
        id=entry.id,
        date=entry.date.isoformat(),
        last_day=entry.last_day.isoformat(),
        type=str(entry.type),
        category=str(entry.category),
        escalation=entry.escalation,
        confidence=str(entry.confidence),
        status=str(entry.status or model.Status.ACTIVE),
        country=loc.country.upper(),
        killed=model.best(casualties.killed) if casualties else None,
        injured=model.best(casualties.injured) if casualties else None,
        text=SEPARATOR.join((entry.title, entry.summary or "", loc.name)).casefold(),
        actors=_joined((*actors.perpetrators, *actors.targets, *actors.associated) if actors else ()),
        places=_joined((loc.name, loc.admin1, loc.admin2)),
        tags=_joined(entry.tags),
        sources=_joined(x for s in entry.sources for x in (s.name, s.url)),
    )


def spellings(field: str, value: str, vocabulary: Any) -> frozenset[str]:
    """Return the case-folded names an actor or place value stands for (aliases included)."""
    if vocabulary is None:
        return frozenset({value.casefold()})
    if field == "actor":
        return frozenset(vocabulary.actor_names(value))
    return frozenset(vocabulary.place_names(value))


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
}


def _date_match(f: Facts, op: str, value: str) -> bool:
    lo, hi = date_bounds(value)
    if op == ">=":
        return lo is not None and f.last_day >= lo
    if op == ">":
        return hi is not None and f.last_day > hi
    if op == "<=":
        return hi is not None and f.date <= hi
    if op == "<":
        return lo is not None and f.date < lo
    return (hi is None or f.date <= hi) and (lo is None or f.last_day >= lo)


def _value_match(f: Facts, field: str, op: str, value: str, vocabulary: Any) -> bool:
    kind = KINDS[field]
    if kind == DATE:
        return _date_match(f, op, value)
    if kind == BOUND:
        return _date_match(f, ">=" if field == "since" else "<=", value)
    if kind == NUMBER:
        actual = getattr(f, field)
        if actual is None:
            return False
        lo, hi = number_bounds(value)
        if op in _COMPARE:
            return bool(_COMPARE[op](actual, lo))
        return (lo is None or actual >= lo) and (hi is None or actual <= hi)
    if kind == CHOICE:
        return bool(getattr(f, field) == value.lower())
    if field == "country":
        return f.country == value.upper()
    if field == "id":
        return f.id == value
    if field == "tag":
        return SEPARATOR + value.casefold() + SEPARATOR in f.tags
    if kind == NAME:
        have = f.actors if field == "actor" else f.places
        return any(SEPARATOR + name + SEPARATOR in have for name in spellings(field, value, vocabulary))
    return value.casefold() in (f.text if field == "text" else f.sources)


def evaluate(node: Node, f: Facts, vocabulary: Any = None) -> bool:
    """Evaluate a query over precomputed facts."""
    if isinstance(node, Term):
        return any(_value_match(f, node.field, node.op, v, vocabulary) for v in node.values)
    if isinstance(node, And):
        return all(evaluate(item, f, vocabulary) for item in node.items)
    if isinstance(node, Or):
        return any(evaluate(item, f, vocabulary) for item in node.items)
    return not evaluate(node.item, f, vocabulary)


def matches(node: Node | None, entry: model.Entry, vocabulary: Any = None) -> bool:
    """Return whether an entry matches a query (exactly as the index's SQL would say)."""
    return node is None or evaluate(node, facts(entry), vocabulary)


def mentions(node: Node | None, field: str) -> bool:
    """Return whether a query has a term on `field` (e.g. status, which lifts the withdrawn rule)."""
    if node is None:
        return False
    if isinstance(node, Term):
        return node.field == field
    if isinstance(node, Not):
        return mentions(node.item, field)
    return any(mentions(item, field) for item in node.items)


def shows_withdrawn(selection: Selection) -> bool:
    """Return whether withdrawn entries stay in (asked for, or the query speaks of status)."""
    return selection.include_withdrawn or mentions(selection.where, "status")


# -- order ---------------------------------------------------------------------------------

_CONFIDENCE_RANK = {m.value: i for i, m in enumerate(model.Confidence)}


def sort_value(entry: model.Entry, field: str) -> Any:
    """Return the primary sort value of an entry for `--sort FIELD` (None sorts first)."""
    if field == "title":
        return entry.title
    if field == "type":
        return str(entry.type)
    if field == "category":
        return str(entry.category)
    if field == "escalation":
        return entry.escalation
    if field == "confidence":
        return _CONFIDENCE_RANK[str(entry.confidence)]
    if field == "country":
        return entry.location.country.upper()
    if field == "place":
        return entry.location.name
    if field in ("killed", "injured"):
        casualties = entry.casualties
        return model.best(getattr(casualties, field)) if casualties else None
    return entry.id  # "id"


def check_sort(field: str | None) -> str | None:
    """Return the sort field, or raise UsageError naming the choices."""
    if field is None or field in SORT_FIELDS:
        return field
    from ledger.core.schema import suggest

    raise UsageError(f'cannot sort by "{field}"{suggest(field, SORT_FIELDS)} (choose from: {", ".join(SORT_FIELDS)})')


def apply(selection: Selection, entries: Iterable[model.Entry], vocabulary: Any = None) -> list[model.Entry]:
    """Filter, sort and limit entries in Python (the index does the same in SQL)."""
    sort = check_sort(selection.sort)
    keep_withdrawn = shows_withdrawn(selection)
    where = selection.where
    chosen = [e for e in entries if (keep_withdrawn or not e.withdrawn) and matches(where, e, vocabulary)]
    if sort in (None, "date"):
        chosen.sort(key=chronological, reverse=selection.reverse)
    else:

        def key(entry: model.Entry) -> tuple[bool, Any, Any]:
            value = sort_value(entry, sort)
            return (value is not None, value if value is not None else 0, chronological(entry))

        chosen.sort(key=key, reverse=selection.reverse)
    if selection.limit is not None:
        chosen = chosen[: max(selection.limit, 0)]
    return chosen


def describe(node: Node | None, vocabulary: Any = None, indent: str = "") -> list[str]:
    """Explain a query in words, one line per term (for --explain)."""
    if node is None:
        return [f"{indent}every entry"]
    if isinstance(node, Term):
        return [indent + _describe_term(node, vocabulary)]
    if isinstance(node, Not):
        return [f"{indent}not:", *describe(node.item, vocabulary, indent + "  ")]
    head = "all of:" if isinstance(node, And) else "any of:"
    lines = [indent + head]
    for item in node.items:
        lines.extend(describe(item, vocabulary, indent + "  "))
    return lines


def _describe_term(term: Term, vocabulary: Any) -> str:
    kind = KINDS[term.field]
    if kind in (CHOICE, WORD):
        return f"{term.field} is " + " or ".join(quote(v) for v in term.values)
    parts = []
    for value in term.values:
        if kind in (DATE, BOUND):
            lo, hi = date_bounds(value)
            op = {"since": ">=", "until": "<="}.get(term.field, term.op)
            parts.append(_describe_date(op, lo, hi))
        elif kind == NAME:
            names = sorted(spellings(term.field, value, vocabulary))
            parts.append(f"{term.field} is one of: {', '.join(quote(n) for n in names)} (any case)")
        elif kind == NUMBER:
            lo_n, hi_n = number_bounds(value)
            unknown = "" if term.field == "escalation" else " (unknown never matches)"
            if term.op != ":":
                parts.append(f"{term.field} {term.op} {lo_n}{unknown}")
            elif lo_n == hi_n:
                parts.append(f"{term.field} = {lo_n}{unknown}")
            else:
                lo_s = "" if lo_n is None else f"{lo_n} <= "
                hi_s = "" if hi_n is None else f" <= {hi_n}"
                parts.append(f"{lo_s}{term.field}{hi_s}{unknown}")
        else:
            where = "title, summary or place name" if term.field == "text" else "a source name or url"
            parts.append(f"{where} contains {quote(value)} (any case)")
    return " or ".join(parts)


def _describe_date(op: str, lo: str | None, hi: str | None) -> str:
    if op == ">=":
        return f"ends on or after {lo}"
    if op == ">":
        return f"ends after {hi}"
    if op == "<=":
        return f"starts on or before {hi}"
    if op == "<":
        return f"starts before {lo}"
    if lo == hi:
        return f"span includes {lo}"
    return f"span overlaps {lo or '...'}..{hi or '...'}"


def from_options(options: Mapping[str, Any]) -> Node | None:
    """Build the AST of the filter options (each a list of strings, or None)."""
    terms: list[Node] = []
    for option, field, op in _OPTION_TERMS:
        given = options.get(option)
        if not given:
            continue
        values = tuple(str(v) for v in (given if isinstance(given, list | tuple) else [given]))
        for value in values:
            try:
                _check_value(field, op, value)
            except ValueError as err:
                raise UsageError(f"--{option.replace('_', '-')}: {err}") from None
        if op == ":":
            terms.append(Term(field, op, values))
        else:
            terms.extend(Term(field, op, (v,)) for v in values)
    return all_of(*terms)


#: option name -> the term it builds (the CLI declares these as --since, --type, ...).
_OPTION_TERMS: tuple[tuple[str, str, str], ...] = (
    ("since", "since", ":"),
    ("until", "until", ":"),
    ("on", "date", ":"),
    ("type", "type", ":"),
    ("category", "category", ":"),
    ("actor", "actor", ":"),
    ("country", "country", ":"),
    ("place", "place", ":"),
    ("tag", "tag", ":"),
    ("min_escalation", "escalation", ">="),
    ("max_escalation", "escalation", "<="),
    ("confidence", "confidence", ":"),
    ("text", "text", ":"),
    ("source", "source", ":"),
)
