"""The CI files agree: .ci/run (this machine) and the hosted workflow run the nox sessions of noxfile.py.

The workflow (.github/workflows/ci.yml) never runs here: it is parsed (ruamel.yaml, which
check-jsonschema brings) and held to noxfile.py's Pythons and sessions, and checked against
GitHub's workflow schema by check-jsonschema, offline.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from typing import Any

import pytest
from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
SYSTEMS = ["ubuntu-latest", "macos-latest", "windows-latest"]


def _noxfile() -> tuple[list[str], set[str]]:
    """Return noxfile.py's PYTHONS and its session names (the decorated functions), read without nox."""
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    pythons: list[str] = []
    sessions: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "PYTHONS" for t in node.targets):
            pythons = ast.literal_eval(node.value)
        if isinstance(node, ast.FunctionDef) and any("session" in ast.unparse(d) for d in node.decorator_list):
            sessions.add(node.name)
    return pythons, sessions


def _named(sessions: set[str], pythons: list[str]) -> set[str]:
    """Every name nox accepts for these sessions: `tests` and `tests-3.12` alike."""
    return sessions | {f"tests-{version}" for version in pythons}


def _workflow() -> dict[str, Any]:
    yaml = pytest.importorskip("ruamel.yaml")
    return dict(yaml.YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8")))


def _nox_sessions(command: str, python: str | None = None) -> list[str]:
    words = command.replace("${{ matrix.python }}", python or "").split()
    assert words[:2] == ["nox", "--sessions"], command
    return words[2:]


def test_ci_run_covers_every_python_and_session():
    pythons, sessions = _noxfile()
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    (line,) = [line for line in script.splitlines() if "--sessions" in line and not line.startswith("#")]
    chosen = line.split("--sessions", 1)[1].split("<")[0].split()
    assert set(chosen) <= _named(sessions, pythons)
    # The suite on each Python: in a nox session, or (3.11, the machine's own) the README's command at the end.
    assert script.rstrip().endswith("pip install -e '.[test]' && python -m pytest")
    assert {"lint", "types", "wheel"} <= set(chosen)
    assert {f"tests-{v}" for v in pythons} - set(chosen) == {f"tests-{pythons[0]}"}


def test_the_workflow_runs_the_same_sessions_on_each_system_and_python():
    pythons, sessions = _noxfile()
    jobs = _workflow()["jobs"]
    tests = jobs["tests"]
    assert tests["strategy"]["matrix"] == {"os": SYSTEMS, "python": pythons}
    assert tests["runs-on"] == "${{ matrix.os }}"
    runs = [step["run"] for step in tests["steps"] if "run" in step]
    assert runs[-1] == "nox --sessions tests-${{ matrix.python }}"
    assert all(_nox_sessions(runs[-1], v) == [f"tests-{v}"] for v in pythons)
    checks = jobs["checks"]
    assert checks["strategy"]["matrix"] == {"os": SYSTEMS}
    setup = next(step for step in checks["steps"] if str(step.get("uses", "")).startswith("actions/setup-python"))
    # lint and types run on the first Python, the wheel on the last (noxfile.py): both must be there.
    assert setup["with"]["python-version"].split() == [pythons[0], pythons[-1]]
    named = [
        s
        for step in checks["steps"]
        if "run" in step and step["run"].startswith("nox")
        for s in _nox_sessions(step["run"])
    ]
    assert sorted(named) == ["lint", "types", "wheel"]
    assert set(named) <= _named(sessions, pythons)


@pytest.mark.skipif(not shutil.which("check-jsonschema"), reason="check-jsonschema is not installed")
def test_the_workflow_is_valid_for_github(tmp_path):
    def check(path: Any) -> subprocess.CompletedProcess[str]:
        command = ["check-jsonschema", "--builtin-schema", "vendor.github-workflows", str(path)]
        return subprocess.run(command, capture_output=True, text=True, timeout=60)

    done = check(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / "ci.yml"
    broken.write_text(re.sub(r"runs-on:", "run-on:", WORKFLOW.read_text(encoding="utf-8")), encoding="utf-8")
    assert check(broken).returncode == 1
