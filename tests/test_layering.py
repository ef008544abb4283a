"""The folder listing is the layer map (STYLE.md): imports point downward only, and never in a cycle.

`ledger/` holds one folder per layer; `LAYERS` names them from the top (the shell) down to the
core. A module may import its own layer or those below it, never above; function-level imports
count. A new folder must be given its place here, so the map cannot drift from the tree.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "ledger"
LAYERS = ("cli", "terminal", "api", "interchange", "output", "vcs", "reports", "index", "store", "query", "core")
RANK = {name: rank for rank, name in enumerate(reversed(LAYERS))}
TOP_LEVEL = {"__init__", "__main__"}  # the package's own door: __version__, Ledger and `python -m ledger`


def modules() -> dict[str, Path]:
    """Every module by dotted name (`ledger.core.model`)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else None


def imports_of(path: Path, module: str) -> set[str]:
    """The ledger modules `path` imports, anywhere in it (function-level imports included)."""
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            if not base.startswith("ledger"):
                continue
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.add(child if child in modules() else base)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("ledger"))
    return found - {module}


def graph() -> dict[str, set[str]]:
    return {name: imports_of(path, name) for name, path in modules().items()}


def test_every_folder_is_a_layer():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(LAYERS), "give a new folder its place in LAYERS (tests/test_layering.py)"
    loose = {p.stem for p in PACKAGE.glob("*.py")} - TOP_LEVEL
    assert loose == set(), "every module lives in a layer folder"


def test_imports_point_downward():
    wrong = []
    for module, targets in graph().items():
        here = layer_of(module)
        for target in targets:
            there = layer_of(target)
            if here is None or there is None:
                # the door: `from ledger import Ledger`, and its __version__ (`ledger.core.version`)
                door = module == "ledger" and target in ("ledger.api", "ledger.core.version")
                if there is not None and module != "ledger.__main__" and not door:
                    wrong.append(f"{module} imports {target}")
                continue
            if RANK[there] > RANK[here]:
                wrong.append(f"{module} ({here}) imports {target} ({there})")
    assert wrong == []


def test_no_import_cycles():
    edges = graph()
    cycles: set[tuple[str, ...]] = set()

    def visit(node: str, path: list[str]) -> None:
        for nxt in edges.get(node, ()):
            if nxt == path[0]:
                cycles.add(tuple(path))
            elif nxt not in path and nxt > path[0] and nxt in edges:
                visit(nxt, [*path, nxt])

    for start in edges:
        visit(start, [start])
    assert sorted(" -> ".join(c) for c in cycles) == []


def test_the_banned_api_follows_the_folders():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    banned = config["flake8-tidy-imports"]["banned-api"]
    allowed = config["per-file-ignores"]
    homes = {
        "typer": ["ledger/cli/*"],
        "sqlite3": ["ledger/index/*"],
        "subprocess": ["ledger/vcs/git.py", "ledger/terminal/pager.py"],
    }
    for name, places in homes.items():
        assert name in banned, name
        for home in places:
            assert "TID251" in allowed[home], home
            assert (ROOT / home.removesuffix("/*")).exists(), home
    exempt = {home for home, rules in allowed.items() if home.startswith("ledger/") and "TID251" in rules}
    assert exempt == {home for places in homes.values() for home in places} | {"ledger/output/*"}  # tabulate


def test_the_front_door_is_the_ledger_and_costs_nothing_until_used():
    import subprocess
    import sys

    code = (
        "import sys, ledger; assert 'ledger.api' not in sys.modules; "
        "from ledger import Ledger; from ledger.api import Ledger as Same; assert Ledger is Same; "
        "import ledger as door; assert door.__all__ == ['Ledger', '__version__']"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    import ledger

    try:
        ledger.Nothing  # noqa: B018
    except AttributeError as err:
        assert "has no attribute 'Nothing'" in str(err)
    else:
        raise AssertionError("a missing name must raise AttributeError")


MODULE_BUDGET = 450  # lines; STYLE.md asks for about 400: past this a module mixes concerns


def test_no_module_outgrows_the_budget():
    sizes = {name: len(path.read_text().splitlines()) for name, path in modules().items()}
    assert {name: n for name, n in sizes.items() if n > MODULE_BUDGET} == {}, "split it by concern"


def test_no_public_method_of_the_ledger_returns_any():
    import inspect
    import re

    from ledger import Ledger

    loose = [
        name
        for name, function in inspect.getmembers(Ledger, inspect.isfunction)
        if not name.startswith("_")
        and re.search(r"(^|\[)Any(\]|$)", str(inspect.signature(function).return_annotation))
    ]
    assert loose == []
