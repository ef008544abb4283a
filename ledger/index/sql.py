"""SQL: filters (the query AST) compiled to parameterised SQL over `entries e`, in result order.

The conditions test the values `query.facts` derives, the same values `query.matches`
evaluates in Python (a test holds the two to the same answers).
"""

from __future__ import annotations

from typing import Any

from ledger import query
from ledger.core.names import fold

#: `--sort FIELD` -> its column: the one of the same name (`query.SORT_KEYS`), confidence by rank
_SORT_SQL = {field: f"e.{'conf_rank' if field == 'confidence' else field}" for field in query.SORT_KEYS}
#: output columns the entries table holds (the others come from the stored JSON record)
SQL_COLUMNS = {column: f"e.{column}" for column in query.FACT_COLUMNS}
COLUMNS = query.COLUMNS  # every column `Found.rows` (and so `--columns`) can give


def compile_where(node: query.Node | None, vocabulary: Any = None) -> tuple[str, list[Any]]:
    """Compile a query AST to an SQL condition over `entries e` and its parameters."""
    params: list[Any] = []
    if node is None:
        return "1", params
    return _sql(node, vocabulary, params), params


def _sql(node: query.Node, vocabulary: Any, params: list[Any]) -> str:
    if isinstance(node, query.Term):
        return _joined(" OR ", [_term_sql(node.field, node.op, v, vocabulary, params) for v in node.values])
    if isinstance(node, query.Not):
        return f"NOT {_sql(node.item, vocabulary, params)}"
    joiner = " AND " if isinstance(node, query.And) else " OR "
    return _joined(joiner, [_sql(item, vocabulary, params) for item in node.items])


def _joined(joiner: str, parts: list[str]) -> str:
    """Join conditions as a balanced tree: SQLite parses `a OR b OR c ...` one level deeper per
    term and refuses 1,000 levels (`id:a,b,...` with 1,000 ids); halves keep the depth at log2(n)."""
    if len(parts) == 1:
        return parts[0]
    if len(parts) <= 8:
        return "(" + joiner.join(parts) + ")"
    half = len(parts) // 2
    return "(" + _joined(joiner, parts[:half]) + joiner + _joined(joiner, parts[half:]) + ")"


def _term_sql(field: str, op: str, value: str, vocabulary: Any, params: list[Any]) -> str:
    kind = query.KINDS[field]
    sep = query.SEPARATOR
    if kind in (query.DATE, query.BOUND):
        lo, hi = query.date_bounds(value)
        if kind == query.BOUND:
            op = ">=" if field == "since" else "<="
        if op == ">=":
            return _bind(params, "e.last_day >= ?", lo)
        if op == ">":
            return _bind(params, "e.last_day > ?", hi)
        if op == "<=":
            return _bind(params, "e.date <= ?", hi)
        if op == "<":
            return _bind(params, "e.date < ?", lo)
        conds = []
        if hi is not None:
            conds.append(_bind(params, "e.date <= ?", hi))
        if lo is not None:
            conds.append(_bind(params, "e.last_day >= ?", lo))
        return "(" + " AND ".join(conds) + ")"
    if kind == query.NUMBER:
        column = f"e.{field}"
        nlo, nhi = query.number_bounds(value)
        if op != ":":
            return f"({column} IS NOT NULL AND {_bind(params, f'{column} {op} ?', nlo)})"
        conds = [f"{column} IS NOT NULL"]
        if nlo is not None:
            conds.append(_bind(params, f"{column} >= ?", nlo))
        if nhi is not None:
            conds.append(_bind(params, f"{column} <= ?", nhi))
        return "(" + " AND ".join(conds) + ")"
    if kind == query.CHOICE:
        return _bind(params, f"e.{field} = ?", value.lower())
    if field == "country":
        return _bind(params, "e.country = ?", value.upper())
    if field == "id":
        return _bind(params, "e.id = ?", value)
    if field == "tag":
        return _bind(params, "instr(e.tags, ?) > 0", sep + value.casefold() + sep)
    if kind == query.NAME:
        column = "e.actors" if field == "actor" else "e.places"
        names = sorted(query.spellings(field, value, vocabulary))
        return _joined(" OR ", [_bind(params, f"instr({column}, ?) > 0", sep + name + sep) for name in names])
    column = "e.text" if field == "text" else "e.sources"
    return _bind(params, f"instr({column}, ?) > 0", fold(value))


def _bind(params: list[Any], sql: str, value: Any) -> str:
    params.append(value)
    return sql


def order_sql(selection: query.Selection) -> str:
    """Return the ORDER BY terms of a selection (over `entries e`): its sort, then chronological."""
    sort = query.check_sort(selection.sort)
    direction = " DESC" if selection.reverse else ""
    order = [f"e.chrono{direction}", f"e.path{direction}"]
    if sort not in (None, "date"):
        column = _SORT_SQL[sort]
        order[:0] = [f"({column} IS NOT NULL){direction}", f"{column}{direction}"]
    return ", ".join(order)


def where_sql(selection: query.Selection, vocabulary: Any) -> tuple[str, list[Any]]:
    """Return the condition (over `entries e`) of the entries a selection chooses, before its sort and limit."""
    where, params = compile_where(selection.where, vocabulary)
    conds = ["e.ok = 1", where]
    if not query.shows_withdrawn(selection):
        conds.append("e.status = 'active'")
    return " AND ".join(conds), params


def select_sql(
    selection: query.Selection, vocabulary: Any, what: str, ranked: tuple[str, list[Any]] | None = None
) -> tuple[str, list[Any]]:
    """Return the SELECT of `what` (columns over `entries e`) for a selection, in its order.

    `ranked` (ledger search) is a SELECT of (r, tier, score) rows and its parameters: only the
    entries with rowid r are selected, and best first (tier, then score) unless sorted.
    """
    sort = query.check_sort(selection.sort)
    where, params = where_sql(selection, vocabulary)
    source = "entries e"
    if ranked is not None:
        source = f"({ranked[0]}) h JOIN entries e ON e.rowid = h.r"
        params[:0] = ranked[1]
    conds = [where]
    direction = " DESC" if selection.reverse else ""
    order = [f"e.chrono{direction}", f"e.path{direction}"]
    if sort not in (None, "date"):
        column = _SORT_SQL[sort]
        order[:0] = [f"({column} IS NOT NULL){direction}", f"{column}{direction}"]
    elif ranked is not None and sort is None:
        order[:0] = [f"h.tier{direction}", f"h.score{direction}"]
    sql = f"SELECT {what} FROM {source} WHERE {' AND '.join(conds)} ORDER BY {', '.join(order)}"
    if selection.limit is not None:
        sql += " LIMIT ?"
        params.append(min(max(selection.limit, 0), 2**63 - 1))  # SQLite's integers are 64-bit: beyond is all
    return sql, params
