"""`ledger log ID`: the commits that changed an incident, newest first, across moves and renames."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import entry
from test_git import GitRepo, new_repo

ID = "2020-01-05-rockets"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    return new_repo(tmp_path, monkeypatch)


def history(repo: GitRepo) -> list[str]:
    """Add, edit, move, break, fix, reformat, rename the id, then delete; return the commit ids."""
    commits = []
    repo.write(ID, entry(date="2020-01-05"))
    repo.write("2020-01-06-other", entry(date="2020-01-06"))
    commits.append(repo.commit("Add rockets"))
    repo.write(ID, entry(date="2020-01-04", escalation=5, extra='tags = ["green-zone"]\n'))
    repo.write("2020-01-06-other", entry(date="2020-01-06", escalation=6))  # not this incident
    commits.append(repo.commit("Correct the date\n\nThe Reuters report was a day late.", author="Bo"))
    repo.move(ID, f"entries/iraq/{ID}.toml")
    commits.append(repo.commit("File under iraq/"))
    repo.write(f"entries/iraq/{ID}.toml", 'title = "oops\n')
    commits.append(repo.commit("Break it", author="Cy"))
    repo.write(f"entries/iraq/{ID}.toml", entry(date="2020-01-04", escalation=5, extra='tags = ["green-zone"]\n'))
    commits.append(repo.commit("Fix it", author="Cy"))
    text = repo.path(f"entries/iraq/{ID}.toml").read_text()
    repo.write(f"entries/iraq/{ID}.toml", "# checked against Reuters\n" + text)
    commits.append(repo.commit("Comment"))
    return commits


def test_log_json_exact(repo: GitRepo, cli) -> None:
    c = history(repo)
    result = cli("log", "--ledger", str(repo.root), ID, "--format", "json")
    assert result.status == 0, result.err
    assert json.loads(result.out) == {
        "id": ID,
        "commits": [
            {
                "commit": c[5],
                "parents": [c[4]],
                "author": "Ana",
                "email": "ana@example.org",
                "date": "2020-02-06T10:00:00+00:00",
                "message": "Comment",
                "kind": "reformatted",
                "path": f"entries/iraq/{ID}.toml",
                "old_path": None,
                "renamed_from": None,
                "changes": [],
                "problems": [],
            },
            {
                "commit": c[4],
                "parents": [c[3]],
                "author": "Cy",
                "email": "cy@example.org",
                "date": "2020-02-05T10:00:00+00:00",
                "message": "Fix it",
                "kind": "unparseable",
                "path": f"entries/iraq/{ID}.toml",
                "old_path": None,
                "renamed_from": None,
                "changes": [],
                "problems": [
                    {
                        "at": "before",
                        "path": f"entries/iraq/{ID}.toml",
                        "line": 1,
                        "field": "",
                        "message": "TOML syntax: Illegal character '\\n' (column 14)",
                    }
                ],
            },
            {
                "commit": c[3],
                "parents": [c[2]],
                "author": "Cy",
                "email": "cy@example.org",
                "date": "2020-02-04T10:00:00+00:00",
                "message": "Break it",
                "kind": "unparseable",
                "path": f"entries/iraq/{ID}.toml",
                "old_path": None,
                "renamed_from": None,
                "changes": [],
                "problems": [
                    {
                        "at": "after",
                        "path": f"entries/iraq/{ID}.toml",
                        "line": 1,
                        "field": "",
                        "message": "TOML syntax: Illegal character '\\n' (column 14)",
                    }
                ],
            },
            {
                "commit": c[2],
                "parents": [c[1]],
                "author": "Ana",
                "email": "ana@example.org",
                "date": "2020-02-03T10:00:00+00:00",
                "message": "File under iraq/",
                "kind": "moved",
                "path": f"entries/iraq/{ID}.toml",
                "old_path": f"entries/2020/01/{ID}.toml",
                "renamed_from": None,
                "changes": [],
                "problems": [],
            },
            {
                "commit": c[1],
                "parents": [c[0]],
                "author": "Bo",
                "email": "bo@example.org",
                "date": "2020-02-02T10:00:00+00:00",
                "message": "Correct the date\n\nThe Reuters report was a day late.",
                "kind": "changed",
                "path": f"entries/2020/01/{ID}.toml",
                "old_path": None,
                "renamed_from": None,
                "changes": [
                    {"field": "date", "old": "2020-01-05", "new": "2020-01-04"},
                    {"field": "escalation", "old": 4, "new": 5},
                    {"field": "tags", "old": [], "new": ["green-zone"]},
                ],
                "problems": [],
            },
            {
                "commit": c[0],
                "parents": [],
                "author": "Ana",
                "email": "ana@example.org",
                "date": "2020-02-01T10:00:00+00:00",
                "message": "Add rockets",
                "kind": "added",
                "path": f"entries/2020/01/{ID}.toml",
                "old_path": None,
                "renamed_from": None,
                "changes": [],
                "problems": [],
            },
        ],
    }


def test_log_text(repo: GitRepo, cli) -> None:
    c = history(repo)
    result = cli("log", "--ledger", str(repo.root), ID)
    assert result.status == 0
    assert result.out.split(f"commit {c[2]}")[1] == (
        "\n"
        "Author: Ana <ana@example.org>\n"
        "Date:   2020-02-03T10:00:00+00:00\n"
        "\n"
        "    File under iraq/\n"
        "\n"
        f"  ~ moved from entries/2020/01/{ID}.toml to entries/iraq/{ID}.toml\n"
        "\n"
        f"commit {c[1]}\n"
        "Author: Bo <bo@example.org>\n"
        "Date:   2020-02-02T10:00:00+00:00\n"
        "\n"
        "    Correct the date\n"
        "    \n"
        "    The Reuters report was a day late.\n"
        "\n"
        "  ~ changed\n"
        "    date: 2020-01-05 -> 2020-01-04 (1 day earlier)\n"
        "    escalation: 4 harassing-fire -> 5 lethal-strike (raised)\n"
        "    tags: + green-zone\n"
        "\n"
        f"commit {c[0]}\n"
        "Author: Ana <ana@example.org>\n"
        "Date:   2020-02-01T10:00:00+00:00\n"
        "\n"
        "    Add rockets\n"
        "\n"
        f"  + added at entries/2020/01/{ID}.toml\n"
    )
    assert [line.split()[1] for line in result.out.splitlines() if line.startswith("commit ")] == c[::-1]


def test_log_follows_an_id_rename_and_shows_removal(repo: GitRepo, cli) -> None:
    history(repo)
    text = repo.path(f"entries/iraq/{ID}.toml").read_text()
    repo.remove(f"entries/iraq/{ID}.toml")
    repo.write("2020-01-04-rockets-green-zone", text.replace("escalation = 5", "escalation = 3"))
    renamed = repo.commit("Rename the id")
    out = json.loads(cli("log", "--ledger", str(repo.root), "2020-01-04-rockets-green-zone", "--format", "json").out)
    first = out["commits"][0]
    assert (first["commit"], first["kind"], first["renamed_from"]) == (renamed, "renamed", ID)
    assert first["old_path"] == f"entries/iraq/{ID}.toml"
    assert first["changes"] == [{"field": "escalation", "old": 5, "new": 3}]
    assert [c["kind"] for c in out["commits"]] == [
        "renamed",
        "reformatted",
        "unparseable",
        "unparseable",
        "moved",
        "changed",
        "added",
    ]
    old = json.loads(cli("log", "--ledger", str(repo.root), ID, "--format", "json").out)
    assert old["commits"][0]["kind"] == "removed"
    assert old["commits"][0]["commit"] == renamed


def test_log_through_a_merge(repo: GitRepo, cli) -> None:
    repo.write(ID, entry(date="2020-01-05"))
    base = repo.commit("Add")
    repo.git("checkout", "-q", "-b", "side")
    repo.write(ID, entry(date="2020-01-05", escalation=5))
    side = repo.commit("Side: raise", author="Bo")
    repo.git("checkout", "-q", "main")
    repo.write(ID, entry(date="2020-01-05", escalation=3))
    main = repo.commit("Main: lower", author="Cy")
    when = {"GIT_AUTHOR_DATE": "2020-03-01T00:00:00Z", "GIT_COMMITTER_DATE": "2020-03-01T00:00:00Z"}
    ident = ("-c", "user.name=Ana", "-c", "user.email=ana@example.org")
    done = __import__("subprocess").run(
        ["git", *ident, "merge", "-q", "side", "-m", "Merge side"],
        cwd=repo.root,
        env={**repo.env, **when},
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0  # a conflict: resolve it by hand, to a value neither side had
    repo.write(ID, entry(date="2020-01-05", escalation=6))
    repo.git("add", "-A")
    repo.git(*ident, "commit", "-q", "--no-edit", env=when)
    merge = repo.rev("HEAD")
    out = json.loads(cli("log", "--ledger", str(repo.root), ID, "--format", "json").out)
    rows = [(c["commit"], c["kind"], [(x["field"], x["old"], x["new"]) for x in c["changes"]]) for c in out["commits"]]
    assert rows[0] == (merge, "changed", [("escalation", 3, 6)])  # against the first parent
    assert sorted(rows[1:3]) == sorted(
        [(side, "changed", [("escalation", 4, 5)]), (main, "changed", [("escalation", 4, 3)])]
    )
    assert rows[3] == (base, "added", [])
    assert out["commits"][0]["parents"] == [main, side]


def test_log_accepts_a_path_and_a_start_revision(repo: GitRepo, cli) -> None:
    c = history(repo)
    by_path = cli("log", "--ledger", str(repo.root), f"entries/iraq/{ID}.toml", "--format", "json")
    assert [x["commit"] for x in json.loads(by_path.out)["commits"]] == c[::-1]
    older = cli("log", "--ledger", str(repo.root), ID, "--rev", "HEAD~4", "--format", "json")
    assert [x["commit"] for x in json.loads(older.out)["commits"]] == [c[1], c[0]]


def test_log_of_an_unknown_or_uncommitted_id(repo: GitRepo, cli) -> None:
    history(repo)
    result = cli("log", "--ledger", str(repo.root), "2020-01-09-never")
    assert result.status == 1
    assert result.err == "ledger: error: no commit changed 2020-01-09-never (is it committed?)\n"
    repo.write("2020-01-09-never", entry(date="2020-01-09"))
    assert cli("log", "--ledger", str(repo.root), "2020-01-09-never").status == 1


def test_log_bad_format(repo: GitRepo, cli) -> None:
    history(repo)
    assert cli("log", "--ledger", str(repo.root), ID, "--format", "xml").status == 2
