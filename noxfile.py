"""CI sessions, the same here (`.ci/run`) and on the hosted workflow (.github/workflows/ci.yml).

    nox                      # everything: lint, types, the suite on 3.11-3.13, the wheel
    nox -s tests-3.13        # one Python
    nox -s wheel             # build sdist and wheel, install the wheel in a clean venv, run it

Interpreters are found on PATH as `python3.11` ... (`.ci/run` makes pyenv's versions visible
that way). On CI (CI=true) a missing one is an error, elsewhere it is skipped.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import nox

PYTHONS = ["3.11", "3.12", "3.13"]
ROOT = Path(__file__).resolve().parent

nox.options.sessions = ["lint", "types", "tests", "wheel"]
nox.options.reuse_existing_virtualenvs = False


@nox.session(python=PYTHONS[0])
def lint(session: nox.Session) -> None:
    """ruff over the code, the tests and the benchmark: the rules, and the layout."""
    session.install("ruff>=0.5")
    session.run("ruff", "check", "ledger", "tests", "bench")
    session.run("ruff", "format", "--check", "ledger", "tests", "bench")


@nox.session(python=PYTHONS[0])
def types(session: nox.Session) -> None:
    """mypy --strict for Linux, and for the code paths of macOS and Windows."""
    session.install("-e", ".", "mypy")
    session.run("mypy", "--strict", "ledger")
    for platform in ("darwin", "win32"):
        session.run("mypy", "--strict", "--platform", platform, "ledger")


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The README's test command, in a fresh venv of each Python."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=PYTHONS[-1])
def wheel(session: nox.Session) -> None:
    """Build sdist and wheel (the wheel from the sdist), install the wheel alone, run the sample on it."""
    session.install("build")
    dist = Path(session.create_tmp()) / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", str(dist), str(ROOT), silent=True)
    (built,) = dist.glob("*.whl")
    _check_wheel_contents(session, built)
    with tempfile.TemporaryDirectory() as scratch:
        venv = Path(scratch) / "venv"
        session.run("python", "-m", "venv", str(venv))
        bindir, exe = (venv / "Scripts", ".exe") if sys.platform == "win32" else (venv / "bin", "")
        python = str(bindir / f"python{exe}")
        ledger = str(bindir / f"ledger{exe}")  # the console script pip made: on Windows a launcher .exe
        session.run(python, "-m", "pip", "install", "-q", str(built), external=True)
        # Run from outside the source tree, so nothing can be imported from it.
        elsewhere = Path(scratch) / "elsewhere"
        elsewhere.mkdir()
        with session.chdir(elsewhere):
            where = session.run(python, "-c", "import ledger; print(ledger.__file__)", external=True, silent=True)
            if where is None or str(ROOT) in str(where):
                session.error(f"the installed ledger was not imported: {where}")
            session.run(
                python,
                "-c",
                "import importlib.resources as r, json; json.loads(r.files('ledger.core').joinpath('entry.schema.json').read_text('utf-8'))",
                external=True,
            )
            session.run(ledger, "--version", external=True)
            session.run(ledger, "validate", "--ledger", str(ROOT), external=True)
            session.run(ledger, "list", "--ledger", str(ROOT), external=True)
            # A ledger big enough for the parallel paths, with the start method this platform
            # would not choose by itself on Linux (spawn re-imports the package in each worker).
            big = Path(scratch) / "big"
            session.run("python", str(ROOT / "bench" / "synth.py"), str(big), "2100", external=True)
            env = {"LEDGER_START_METHOD": "spawn"}
            session.run(ledger, "validate", "--quiet", "--ledger", str(big), env=env, external=True)
            session.run(ledger, "index", "--rebuild", "--ledger", str(big), env=env, external=True)
            session.run(ledger, "list", "--limit", "3", "--ledger", str(big), env=env, external=True)


def _check_wheel_contents(session: nox.Session, built: Path) -> None:
    """Every file of the package in git (code and data) must be in the wheel."""
    tracked = session.run("git", "-C", str(ROOT), "ls-files", "ledger", external=True, silent=True)
    wanted = {name for name in str(tracked).split() if not name.endswith(("/", ".pyc"))} if tracked else set()
    if not wanted:  # not a git checkout (an unpacked sdist): the file system instead
        wanted = {p.relative_to(ROOT).as_posix() for p in (ROOT / "ledger").rglob("*") if p.is_file()}
        wanted = {w for w in wanted if "__pycache__" not in w}
    with zipfile.ZipFile(built) as archive:
        inside = set(archive.namelist())
    missing = sorted(wanted - inside)
    if missing:
        session.error(f"missing from the wheel: {', '.join(missing)}")
    session.log(f"{built.name}: all {len(wanted)} package files present")


if os.environ.get("CI"):
    nox.options.error_on_missing_interpreters = True
