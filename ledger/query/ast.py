"""The filter AST (terms joined by and/or/not) and its printer: `unparse` parses back the same."""

from __future__ import annotations

from dataclasses import dataclass


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


def quote(value: str) -> str:
    """Return a value as the parser reads it back: bare when safe, else double-quoted."""
    if value and not any(c.isspace() or c in '(),"\\' for c in value) and value[0] != "'":
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
