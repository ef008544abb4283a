"""The documentation tells the truth: every `$ ledger ...` example in README.md and docs/ runs.

Examples live in ```console blocks. Each line starting with `$ ledger` is run in-process on a
fresh copy of the sample ledger (entries/ and ledger.toml), in a temporary folder; the lines
after it, up to the next `$` line or the end of the block, are its documented output. A trailing
`# comment` is not part of the command. Conventions, so that a page shows what a person sees:
- An example that shows output must print exactly that (stdout, or stdout then stderr),
  line ends and trailing blanks aside; `...` in the shown output stands for any text (as in
  doctest's ELLIPSIS).
- A table command (list, timeline, stats, dupes, ...) that names no `--format` and shows
  terminal output (no tabs) is run with `--format table`, as on a terminal; `COLUMNS` is 120
  unless the example sets it (`$ COLUMNS=80 ledger ...`).
- A block preceded by `<!-- not run: REASON -->` needs a context the sample lacks (a git
  history, a download, an edited file): it is listed, with its reason, by
  `test_examples_not_run_are_few_and_say_why`, never silently dropped.
- Any example must end in exit status 0 or 1 (1 = findings); a usage error (2) is a wrong page,
  unless the page shows that error (`ledger: error: ...`) on purpose.
Lines with a pipe, a redirection or `&&` show shell use and are not run.
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, copy_sample, run

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^(?:<!-- not run: (?P<why>[^>]*) -->\n)?```console\n(?P<body>.*?)^```", re.M | re.S)
TABLES = {"list", "timeline", "stats", "dupes", "search", "sources"}
NOT_RUN: list[tuple[str, str]] = []


@dataclass(frozen=True)
class Example:
    page: str
    line: int
    command: str
    output: str | None

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.command}"


def examples() -> Iterator[Example]:
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for block in BLOCK.finditer(text):
            first_line = text.count("\n", 0, block.start("body")) + 1
            if block.group("why"):
                NOT_RUN.append((f"{page.name}:{first_line}", block.group("why")))
                continue
            lines = block.group("body").splitlines()
            for i, line in enumerate(lines):
                if not line.startswith("$ "):
                    continue
                rest = i + 1
                while line.endswith("\\") and rest < len(lines):  # a command continued on the next line
                    line = line[:-1] + lines[rest].strip()
                    rest += 1
                output = []
                for later in lines[rest:]:
                    if later.startswith("$ "):
                        break
                    output.append(later)
                command = re.sub(r"\s+#.*$", "", line[2:]).strip()
                if not re.match(r"^(\w+=\S*\s+)*ledger\b", command) or _is_shell_use(command):
                    continue
                shown = "\n".join(output) + "\n" if output else None
                yield Example(page.relative_to(ROOT).as_posix(), first_line + i, command, shown)


def _is_shell_use(command: str) -> bool:
    """Return whether a command line pipes, redirects or chains (outside quotes)."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    return any(token and set(token) <= set("|&<>;") for token in lexer)


ALL = list(examples())


def test_the_docs_have_examples():
    assert len(ALL) >= 20
    assert {e.page for e in ALL} >= {"README.md", "docs/querying.md", "docs/chronology.md"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_sample(tmp_path_factory.mktemp("docs") / "sample")


@pytest.mark.parametrize("example", ALL, ids=str)
def test_example_runs_as_documented(example: Example, sample: Path, tmp_path: Path):
    words = shlex.split(example.command)
    env = {"COLUMNS": "80"}
    while "=" in words[0]:
        key, value = words.pop(0).split("=", 1)
        env[key] = value
    args = words[1:]
    terminal = example.output is not None and "\t" not in example.output
    if terminal and args[0] in TABLES and not any(a in ("-f", "--format") or a.startswith("--format=") for a in args):
        args.append("--format=table")
    ledger = tmp_path / "sample"
    shutil.copytree(sample, ledger)
    result = run(*args, cwd=ledger, env=env)
    shows_error = example.output is not None and "ledger: error:" in example.output
    assert result.status in ((1, 2) if shows_error else (0, 1)), f"{example}\n{result.err}"
    if example.output is not None:
        shown = _pattern(example.output)
        matches = bool(shown.fullmatch(_plain(result.out)) or shown.fullmatch(_plain(result.out + result.err)))
        assert matches, f"{example}\n--- printed:\n{result.out}{result.err}"


def test_examples_not_run_are_few_and_say_why():
    assert len(NOT_RUN) <= 12, NOT_RUN
    assert all(len(why) > 10 for _, why in NOT_RUN), NOT_RUN


def _plain(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip("\n").split("\n"))


def _pattern(shown: str) -> re.Pattern[str]:
    return re.compile(".*?".join(re.escape(part) for part in _plain(shown).split("...")), re.S)
