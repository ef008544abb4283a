"""The filter language: tokens -> parser -> AST, a printer, and a pure Python evaluator.

Options (`--type a --since 2020-01-03`) and query text (`type:a since:2020-01-03`) build the
same AST; the index compiles it to parameterised SQL, `matches` evaluates it in Python over
`facts(entry)`, the same derived values the index stores, so both agree by construction.

One module per concern: `ast` (the nodes and their printer), `fields` (what a query can name
and the values each field takes), `parse` (text -> AST; the grammar is in its docstring),
`evaluate` (the Python predicate), `order` (sort and limit), `explain` (`--explain` prose),
`options` (filter options -> AST). The names below are the package's public face.
"""

from __future__ import annotations

from ledger.core.errors import QuerySyntaxError
from ledger.query.ast import And, Node, Not, Or, Selection, Term, all_of, quote, unparse
from ledger.query.columns import COLUMNS, FACT_COLUMNS, fact_values, record_value
from ledger.query.evaluate import (
    SEPARATOR,
    Facts,
    evaluate,
    facts,
    matches,
    mentions,
    shows_withdrawn,
    spellings,
)
from ledger.query.explain import describe
from ledger.query.fields import (
    ALIASES,
    BOUND,
    CHOICE,
    CHOICES,
    COMPARISONS,
    DATE,
    KINDS,
    NAME,
    NUMBER,
    TEXT,
    WORD,
    check_value,
    date_bounds,
    number_bounds,
)
from ledger.query.options import from_options
from ledger.query.order import SORT_FIELDS, SORT_KEYS, apply, check_sort, sort_value
from ledger.query.parse import parse, starts_query

__all__ = [
    "ALIASES",
    "BOUND",
    "CHOICE",
    "CHOICES",
    "COLUMNS",
    "COMPARISONS",
    "DATE",
    "FACT_COLUMNS",
    "KINDS",
    "NAME",
    "NUMBER",
    "SEPARATOR",
    "SORT_FIELDS",
    "SORT_KEYS",
    "TEXT",
    "WORD",
    "And",
    "Facts",
    "Node",
    "Not",
    "Or",
    "QuerySyntaxError",
    "Selection",
    "Term",
    "all_of",
    "apply",
    "check_sort",
    "check_value",
    "date_bounds",
    "describe",
    "evaluate",
    "fact_values",
    "facts",
    "from_options",
    "matches",
    "mentions",
    "number_bounds",
    "parse",
    "quote",
    "record_value",
    "shows_withdrawn",
    "sort_value",
    "spellings",
    "starts_query",
    "unparse",
]
