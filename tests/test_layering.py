"""Imports point downward only (STYLE.md): a module may import its own layer or those below."""

from __future__ import annotations

import ast

from conftest import ROOT

LAYERS = {
    0: {"__init__", "model", "errors", "countries"},  # base
    1: {"schema", "vocab", "query", "canonical", "comments", "slug", "gazetteer", "flat"},  # derived
    2: {"checks", "diff", "timeline", "stats", "dupes", "importers", "datasets", "importing"},  # pure
    3: {"files", "scan", "git", "index", "writing"},  # edges
    4: {"history", "snapshot", "formatting"},  # edges put together
    5: {"api"},  # facade
    6: {"render", "chart", "diffrender", "chrono_rows", "exporters", "ics"},  # output
    7: {"cli", "__main__"},  # shell
}
RANK = {name: rank for rank, names in LAYERS.items() for name in names}
EDGES = {"files", "git", "index"}  # never each other


def imports_of(path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ledger"):
            parts = node.module.split(".")
            if len(parts) == 1:
                found.update(alias.name for alias in node.names)
            else:
                found.add(parts[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("ledger."))
    return found


def test_every_module_has_a_layer():
    modules = {p.stem for p in (ROOT / "ledger").glob("*.py")} | {"cli"}
    assert modules - set(RANK) == set(), "give new modules a layer in tests/test_layering.py"


def test_imports_point_downward():
    wrong = []
    for path in sorted((ROOT / "ledger").glob("*.py")):
        for target in imports_of(path) - {"__version__"}:
            if RANK[target] > RANK[path.stem]:
                wrong.append(f"{path.stem} imports {target}")
            if path.stem in EDGES and target in EDGES - {path.stem}:
                wrong.append(f"edge {path.stem} imports edge {target}")
    assert wrong == []


def test_only_the_shell_knows_typer():
    for path in sorted((ROOT / "ledger").glob("*.py")):
        assert "typer" not in {n.split(".")[0] for n in _plain_imports(path)}, path


def _plain_imports(path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names
