"""The tools users pair a ledger with, run for real: jq, DuckDB, the sqlite3 CLI and datasette.

Two kinds of test:
- every docs example that uses one of them (a ```console block with a `$` line naming jq,
  duckdb, sqlite3 or datasette) runs in a shell on a fresh copy of the sample ledger, line
  after line, and prints what the page shows (as in test_docs.py: `...` stands for any text);
- on a generated ledger, what each tool computes from our outputs (JSON, JSON Lines, CSV, the
  index's views) equals what `ledger stats` says and what the generator wrote.

A tool that is not installed skips its tests, naming it; `pip install -e '.[test]'` brings
DuckDB (module and CLI) and datasette, and `apt-get install jq sqlite3` the other two.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, copy_sample, run
from test_docs import BLOCK, PAGES, _pattern, _plain
from test_timeline_synth import random_specs, write_ledger

CLIENTS = ("jq", "duckdb", "sqlite3", "datasette")


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    steps: tuple[tuple[str, str | None], ...]  # (command, shown output or None)
    clients: frozenset[str]

    def __str__(self) -> str:
        return f"{self.page}:{self.line}"


def blocks() -> Iterator[Block]:
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for found in BLOCK.finditer(text):
            if found.group("why"):
                continue
            steps: list[tuple[str, list[str]]] = []
            for line in found.group("body").splitlines():
                if steps and steps[-1][0].endswith("\\") and not steps[-1][1]:  # a continued command
                    steps[-1] = (steps[-1][0][:-1] + line.strip(), [])
                elif line.startswith("$ "):
                    steps.append((line[2:], []))
                elif steps:
                    steps[-1][1].append(line)
            used = {word for command, _ in steps for word in _words(command)} & set(CLIENTS)
            if used:
                yield Block(
                    page.relative_to(ROOT).as_posix(),
                    text.count("\n", 0, found.start("body")) + 1,
                    tuple((command, "\n".join(out) + "\n" if out else None) for command, out in steps),
                    frozenset(used),
                )


def _words(command: str) -> set[str]:
    """The command names of a shell line: its first word and the first after each | ; &&."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    words, first = set(), True
    try:
        tokens = list(lexer)
    except ValueError:  # not shell syntax (a page showing something else): no command names
        return set()
    for token in tokens:
        if set(token) <= set("|&;<>"):
            first = True
        elif first:
            words.add(token)
            first = False
    return words


EXAMPLES = list(blocks())


def missing(*tools: str) -> list[str]:
    return [tool for tool in tools if shutil.which(tool) is None]


def shell_env(tmp_path: Path) -> dict[str, str]:
    """The environment the examples run in: `ledger` is this tree's, on the PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "ledger"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m ledger "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER")}
    path = [str(bin_dir), *env.get("PATH", os.defpath).split(os.pathsep)]
    env.update(PATH=os.pathsep.join(path), PYTHONPATH=str(ROOT), COLUMNS="80", NO_COLOR="1", LC_ALL="C.UTF-8")
    return env


def test_the_docs_show_every_client():
    assert {c for b in EXAMPLES for c in b.clients} == set(CLIENTS)
    assert {b.page for b in EXAMPLES} >= {"docs/output.md", "docs/index-schema.md"}


@pytest.mark.skipif(sys.platform == "win32", reason="the examples are POSIX shell lines")
@pytest.mark.parametrize("block", EXAMPLES, ids=str)
def test_docs_example_runs_with_the_real_client(block: Block, tmp_path: Path):
    absent = missing(*block.clients)
    if absent:
        pytest.skip(f"not installed: {', '.join(absent)}")
    root = copy_sample(tmp_path / "sample")
    env = shell_env(tmp_path)
    for command, shown in block.steps:
        done = subprocess.run(
            ["bash", "-c", f"set -o pipefail; {command}"], cwd=root, env=env, capture_output=True, text=True
        )
        assert done.returncode in (0, 1), f"{block}: {command}\n{done.stderr}"
        if shown is not None:
            out = _plain(done.stdout)
            assert _pattern(shown).fullmatch(out) or _pattern(shown).fullmatch(_plain(done.stdout + done.stderr)), (
                f"{block}: {command}\n--- printed:\n{done.stdout}{done.stderr}"
            )


# -- a generated ledger: each tool's answer equals ledger stats and the generator's values ----------

SPECS = random_specs(200, seed=21)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_ledger(tmp_path_factory.mktemp("clients") / "ledger", SPECS)
    for args, name in [
        (("list", "-f", "json"), "list.json"),
        (("list", "-f", "jsonl"), "list.jsonl"),
        (("export", "-f", "jsonl"), "export.jsonl"),
        (("export", "-f", "csv"), "export.csv"),
    ]:
        result = run(*args, "--ledger", str(root))
        assert result.status == 0, result.err
        (root / name).write_bytes(result.out.encode("utf-8"))  # as written, CRLF of the CSV included
    assert run("index", "--ledger", str(root)).status == 0
    return root


@pytest.fixture(scope="module")
def by_country(generated: Path) -> dict[str, tuple[int, int | None]]:
    """`ledger stats --by country`: {country: (count, killed)}, checked against the generator."""
    rows = json.loads(run("stats", "--by", "country", "-f", "json", "--ledger", str(generated)).out)
    got = {r["country"]: (r["count"], r["killed"]) for r in rows}
    want: dict[str, list[Any]] = defaultdict(lambda: [0, None])
    for s in SPECS:
        if not s.withdrawn:
            want[s.country][0] += 1
            if s.best_killed is not None:
                want[s.country][1] = (want[s.country][1] or 0) + s.best_killed
    assert got == {k: tuple(v) for k, v in want.items()}
    assert any(s.withdrawn for s in SPECS) and any(isinstance(s.killed, dict) for s in SPECS)
    return got


def total(by_country: dict[str, tuple[int, int | None]]) -> int:
    return sum(killed or 0 for _, killed in by_country.values())


def tool(*args: str, cwd: Path) -> str:
    absent = missing(args[0])
    if absent:
        pytest.skip(f"not installed: {args[0]}")
    done = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_jq_sums_and_groups_like_ledger_stats(generated: Path, by_country):
    assert json.loads(tool("jq", "map(.casualties.killed.best) | add", "list.json", cwd=generated)) == total(by_country)
    grouped = tool(
        "jq",
        "-c",
        "-s",
        "group_by(.location.country) | map([.[0].location.country, length, (map(.casualties.killed.best) | add)])",
        "list.jsonl",
        cwd=generated,
    )
    assert {c: (n, k) for c, n, k in json.loads(grouped)} == by_country


def test_duckdb_reads_json_lines_and_csv_like_ledger_stats(generated: Path, by_country):
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    try:
        jsonl = con.execute(
            "SELECT location.country, count(*), sum(casualties.killed.best) FROM read_json('export.jsonl') GROUP BY 1".replace(
                "export.jsonl", str(generated / "export.jsonl")
            )
        ).fetchall()
        assert {c: (n, k) for c, n, k in jsonl} == by_country
        csv = con.execute(
            f"""SELECT "location.country", count(*), sum("casualties.killed") FROM read_csv('{generated / "export.csv"}')
            GROUP BY 1"""
        ).fetchall()
        assert {c: (n, k) for c, n, k in csv} == by_country
        ranges = con.execute(
            f"SELECT sum(casualties.killed.low), sum(casualties.killed.high) FROM read_json('{generated / 'export.jsonl'}')"
        ).fetchone()
        assert ranges == (
            sum(s.killed["low"] for s in SPECS if isinstance(s.killed, dict) and not s.withdrawn),
            sum(s.killed["high"] for s in SPECS if isinstance(s.killed, dict) and not s.withdrawn),
        )
    finally:
        con.close()


def test_sqlite3_reads_the_views_like_ledger_stats(generated: Path, by_country):
    sql = "SELECT country, count(*) AS n, sum(killed_best) AS k FROM entry WHERE status = 'active' GROUP BY country"
    out = tool("sqlite3", "-readonly", "-json", ".ledger/index.sqlite", sql, cwd=generated)
    assert {r["country"]: (r["n"], r["k"]) for r in json.loads(out)} == by_country
    withdrawn = tool(
        "sqlite3",
        "-readonly",
        ".ledger/index.sqlite",
        "SELECT count(*) FROM entry WHERE status = 'withdrawn'",
        cwd=generated,
    )
    assert int(withdrawn) == sum(s.withdrawn for s in SPECS)


def test_datasette_facets_the_views_like_ledger_stats(generated: Path, by_country):
    out = tool(
        "datasette", "-i", ".ledger/index.sqlite", "--get", "/index/entry.json?status=active&_facet=country&_size=0",
        cwd=generated,
    )  # fmt: skip
    facets = json.loads(out)["facet_results"]["country"]["results"]
    assert {f["value"]: f["count"] for f in facets} == {c: n for c, (n, _) in by_country.items()}


def test_a_client_that_disagrees_is_caught(generated: Path, by_country):
    """The comparisons above can fail: a sum of low ends is not the total of best estimates."""
    low = tool("jq", "map(.casualties.killed.low // .casualties.killed.best) | add", "list.json", cwd=generated)
    assert json.loads(low) != total(by_country)
    assert re.fullmatch(r"\d+\n", low)
