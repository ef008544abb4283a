"""Shell completion, driven the way bash, zsh and fish drive it: typer's `_LEDGER_COMPLETE` protocol.

Values come from the model (types, grades, precisions, formats) and from the index file
(ids, actors, places, tags), which completion reads as it is and never builds.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from conftest import ROOT, entry, posix_only

A = "2020-01-03-strike-on-convoy"
B = "2020-01-04-rockets-on-base"
C = "2021-05-01-protest-in-basra"


@pytest.fixture
def indexed(make_ledger, cli):
    root = make_ledger(
        {
            A: entry(
                title="Strike on a convoy",
                date="2020-01-03",
                type="airstrike",
                place="Albukamal",
                country="SY",
                extra='tags = ["convoy", "border"]',
                tables='[actors]\nperpetrators = ["US forces"]\ntargets = ["Kataib Hezbollah"]\n',
            ),
            B: entry(title="Rockets on a base", date="2020-01-04", place="Green Zone", extra='tags = ["bases"]'),
            C: entry(title="Protest in Basra", date="2021-05-01", type="protest", place="Basra"),
        }
    )
    assert cli("index", "--ledger", str(root), "-q").status == 0
    return root


def complete(cli, shell, line, **env):
    """Return what `ledger` offers for the command line `line` (the cursor at its end), as `shell` asks."""
    words = line.split()
    if line.endswith(" "):
        words.append("")
    if shell == "bash":
        asked = {"_LEDGER_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)}
    elif shell == "zsh":
        asked = {"_LEDGER_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": line}
    else:
        asked = {"_LEDGER_COMPLETE": "complete_fish", "_TYPER_COMPLETE_FISH_ACTION": "get-args"}
        asked["_TYPER_COMPLETE_ARGS"] = line
    cwd = env.pop("cwd", None)
    result = cli(env=asked | env, cwd=cwd)
    assert (result.status, result.err) == (0, "")
    if shell == "zsh":  # _arguments '*: :(("value":"help" ...))'
        if "_arguments" not in result.out:
            return []
        return re.findall(r'^(?:_arguments .*?\(\()?"((?:[^"\\]|\\.)*)"', result.out, re.MULTILINE)
    return [line.split("\t")[0] for line in result.out.splitlines() if line]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_ids_from_the_index(indexed, cli, shell):
    assert complete(cli, shell, f"ledger show --ledger {indexed} 2020-01-0") == [A, B]
    assert complete(cli, shell, f"ledger --ledger {indexed} chain ") == [A, B, C]
    assert complete(cli, shell, "ledger merge 2020 2020-01-04", LEDGER_DIR=str(indexed)) == [B]


@pytest.mark.parametrize(
    ("line", "values"),
    [
        ("list --actor ", ["Kataib Hezbollah", "US forces"]),
        ("list --actor U", ["US forces"]),
        ("timeline --place ", ["Albukamal", "Basra", "Green Zone"]),
        ("stats --tag b", ["bases", "border"]),
        ("dupes -c ", ["IQ", "SY"]),
        ("list --type air", ["airstrike"]),
        ("list --confidence ", ["confirmed", "reported", "claimed", "unverified", "disputed"]),
        ("list --category b", ["battle"]),
        ("new --precision ad", ["admin2", "admin1"]),
        ("new --type prot", ["protest"]),
        ("new --perpetrator K", ["Kataib Hezbollah"]),
        ("new --responds-to 2021", [C]),
        ("list -f j", ["json", "jsonl"]),
        ("export -f g", ["geojson"]),
        ("import x.csv --from a", ["acled"]),
        ("import x.csv --confidence c", ["confirmed", "claimed"]),
        ("show --format ", ["text", "toml", "json"]),
        ("stats --by c", ["category", "country"]),
        ("timeline --by ", ["day", "week", "month"]),
        ("list --sort es", ["escalation"]),
        ("log --color ", ["auto", "always", "never"]),
        ("li", ["list"]),
    ],
)
def test_values_for_options(indexed, cli, line, values):
    assert complete(cli, "bash", f"ledger {line}", LEDGER_DIR=str(indexed)) == values


def test_the_index_is_read_not_built_nor_refreshed(indexed, cli):
    for path in (indexed / "entries").rglob("*.toml"):
        path.unlink()  # the index still lists them: completion did not look at the files
    assert complete(cli, "bash", f"ledger show --ledger {indexed} 2021") == [C]
    (indexed / ".ledger" / "index.sqlite").unlink()
    assert complete(cli, "bash", f"ledger show --ledger {indexed} 2021") == []
    assert not (indexed / ".ledger" / "index.sqlite").exists()


def test_names_are_kept_beside_the_index_until_it_changes(indexed, cli):
    cache = indexed / ".ledger" / "completion.json"
    line = f"ledger list --ledger {indexed} --actor "
    assert complete(cli, "bash", line) == ["Kataib Hezbollah", "US forces"]
    kept = json.loads(cache.read_text())
    cache.write_text(json.dumps({**kept, "actors": ["Kept Actor"]}))
    assert complete(cli, "bash", line) == ["Kept Actor"]  # the scan was not made again
    (indexed / "entries/2021/05" / f"{C}.toml").write_text(
        entry(title="Protest in Basra", date="2021-05-01", type="protest", tables='[actors]\ntargets = ["Police"]\n')
    )
    assert cli("index", "--ledger", str(indexed), "-q").status == 0  # the index changed: the list is made anew
    assert complete(cli, "bash", line) == ["Kataib Hezbollah", "Police", "US forces"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_nothing_to_offer_without_a_ledger_or_an_index(make_ledger, cli, tmp_path, shell):
    no_index = make_ledger({A: entry(date="2020-01-03")})
    assert complete(cli, shell, f"ledger show --ledger {no_index} 2020") == []
    assert complete(cli, shell, "ledger list --actor ", cwd=tmp_path) == []
    assert complete(cli, shell, "ledger list --tag x", LEDGER_DIR=str(tmp_path / "nowhere")) == []
    assert complete(cli, shell, "ledger list --type air", cwd=tmp_path) == ["airstrike"]  # choices need no ledger


def test_an_index_of_another_version_or_broken_offers_nothing(indexed, cli):
    db = indexed / ".ledger" / "index.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 1")
    conn.close()
    assert complete(cli, "bash", f"ledger show --ledger {indexed} 2020") == []
    db.write_bytes(b"not a database at all" * 100)
    assert complete(cli, "bash", f"ledger list --ledger {indexed} --actor ") == []


def _shim(tmp_path):
    """A `ledger` on PATH that runs this tree, as an installed console script would."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "ledger"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m ledger "$@"\n')
    script.chmod(0o755)
    return {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(ROOT)}


@posix_only("bash")
@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_sources_the_script_and_completes_through_it(indexed, tmp_path):
    env = _shim(tmp_path) | {"LEDGER_DIR": str(indexed)}
    script = textwrap.dedent(
        """\
        source <(ledger --show-completion)
        complete -p ledger
        COMP_WORDS=(ledger show 2020-01-0); COMP_CWORD=2; _ledger_completion ledger
        printf '%s\\n' "${COMPREPLY[@]}"
        COMP_WORDS=(ledger list --actor ''); COMP_CWORD=3; _ledger_completion ledger
        printf '%s\\n' "${COMPREPLY[@]}"
        """
    )
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert done.stderr == ""
    assert done.stdout.splitlines() == [
        "complete -o default -F _ledger_completion ledger",
        A,
        B,
        "Kataib Hezbollah",
        "US forces",
    ]
