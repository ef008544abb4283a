"""The parser of query text: characters -> AST, each syntax error with its column.

Query text (`type:a since:2020-01-03`) builds the same AST as the filter options
(`options.py`); nothing here touches an entry or the index.

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

import re

from ledger.core import model
from ledger.core.errors import QuerySyntaxError
from ledger.query.ast import And, Node, Not, Or, Term
from ledger.query.fields import ALIASES, COMPARISONS, DATE, INSTEAD, KINDS, NUMBER, check_value

KEYWORDS = ("or", "and")
_NAME = re.compile(r"[A-Za-z_]+")
# Entries never hold these (validation refuses model.CONTROL), and SQLite cannot take lone surrogates.
_UNSAFE = re.compile(f"[{model.CONTROL}\ud800-\udfff]")


class _Parser:
    """Recursive descent over the characters of the query (the scanner is inline)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0

    def fail(self, message: str, position: int | None = None) -> QuerySyntaxError:
        return QuerySyntaxError(message, self.pos if position is None else position, self.text)

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
            from ledger.core.decoding import suggest

            instead = INSTEAD.get(word.lower())
            hint = f' (did you mean "{instead}"?)' if instead else suggest(word, [*KINDS, *ALIASES])
            raise self.fail(f'unknown field "{word}"{hint}', start)
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
                value = check_value(field, op, value)
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


def starts_query(word: str) -> bool:
    """Whether a command-line word belongs to a query: a keyword, a parenthesis, `not:`, or NAME: / NAME>= ...

    `ledger diff REV... QUERY...` uses it to tell revisions from query words: git ref names
    cannot contain ':' and never look like this.
    """
    lowered = word.lower()
    if lowered in KEYWORDS or word[:1] in ("(", ")") or lowered.startswith("not:"):
        return True
    name = _NAME.match(word)
    return name is not None and word[name.end() :].startswith((":", *COMPARISONS))
