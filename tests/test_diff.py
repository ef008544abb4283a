"""`ledger diff` over real git repositories: every kind of change, every form, exact JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import entry
from test_git import GitRepo, new_repo


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    return new_repo(tmp_path, monkeypatch)


ROCKETS = entry(
    title="Rockets hit the Green Zone",
    date="2020-01-05",
    escalation=4,
    extra='tags = ["green-zone"]\n',
)
ROCKETS_EDITED = entry(
    title="Rockets hit the Green Zone",
    date="2020-01-05",
    escalation=5,
    place="Green Zone, Baghdad",
    extra='tags = ["umbrella"]\n',
    tables="[casualties]\nkilled = 2\n",
)


def base(repo: GitRepo) -> str:
    repo.write(
        "2020-01-03-strike", entry(title="Strike on a convoy", date="2020-01-03", type="airstrike", escalation=5)
    )
    repo.write(
        "2020-01-04-rally", entry(title="Rally in Tahrir Square", date="2020-01-04", type="protest", escalation=0)
    )
    repo.write("2020-01-05-rockets", ROCKETS)
    repo.write(
        "2020-01-06-closure",
        entry(title="Border crossing closed", date="2020-01-06", type="border-closure", escalation=3, country="SY"),
    )
    repo.write(
        "2020-01-07-clash", entry(title="Clash at the checkpoint", date="2020-01-07", type="armed-clash", escalation=6)
    )
    return repo.commit("Base")


def edit(repo: GitRepo) -> None:
    repo.write("2020-01-08-drone", entry(title="Drone over the base", date="2020-01-08", type="drone-strike"))
    repo.remove("2020-01-04-rally")
    repo.write("2020-01-05-rockets", ROCKETS_EDITED)
    repo.write(
        "2020-01-06-closure",
        entry(title="Border crossing closed", date="2020-01-03", type="border-closure", escalation=3, country="SY"),
    )
    repo.move("2020-01-07-clash", "entries/archive/2020-01-07-clash.toml")
    repo.write(
        "2020-01-03-strike", entry(title="Strike on a convoy", date="2020-01-03", type="airstrike", escalation=4)
    )


def expected(first: str, second: str) -> dict:
    return {
        "from": first,
        "to": second,
        "added": [
            {
                "id": "2020-01-08-drone",
                "title": "Drone over the base",
                "date": "2020-01-08",
                "path": "entries/2020/01/2020-01-08-drone.toml",
            }
        ],
        "removed": [
            {
                "id": "2020-01-04-rally",
                "title": "Rally in Tahrir Square",
                "date": "2020-01-04",
                "path": "entries/2020/01/2020-01-04-rally.toml",
            }
        ],
        "changed": [
            {
                "id": "2020-01-03-strike",
                "title": "Strike on a convoy",
                "date": "2020-01-03",
                "path": "entries/2020/01/2020-01-03-strike.toml",
                "changes": [{"field": "escalation", "old": 5, "new": 4}],
            },
            {
                "id": "2020-01-06-closure",
                "title": "Border crossing closed",
                "date": "2020-01-03",
                "path": "entries/2020/01/2020-01-06-closure.toml",
                "changes": [
                    {
                        "field": "date",
                        "old": "2020-01-06",
                        "new": "2020-01-03",
                        "after": "2020-01-03-strike",
                        "before": "2020-01-05-rockets",
                    }
                ],
            },
            {
                "id": "2020-01-05-rockets",
                "title": "Rockets hit the Green Zone",
                "date": "2020-01-05",
                "path": "entries/2020/01/2020-01-05-rockets.toml",
                "changes": [
                    {"field": "escalation", "old": 4, "new": 5},
                    {"field": "tags", "old": ["green-zone"], "new": ["umbrella"]},
                    {"field": "location.name", "old": "Green Zone", "new": "Green Zone, Baghdad"},
                    {"field": "casualties.killed", "old": None, "new": 2},
                ],
            },
        ],
        "unparseable": [],
    }


def test_two_commits_json_exact(repo: GitRepo, cli) -> None:
    first = base(repo)
    edit(repo)
    second = repo.commit("Edit", author="Bo")
    result = cli("diff", "--ledger", str(repo.root), "HEAD~1", "HEAD", "--format", "json")
    assert result.status == 1, result.err
    assert json.loads(result.out) == expected(first, second)
    assert result.err == ""


@pytest.mark.parametrize("form", [("HEAD~1..HEAD",), ("HEAD~1", "HEAD"), ("main~1...main",)])
def test_forms_of_two_revisions_agree(repo: GitRepo, cli, form: tuple[str, ...]) -> None:
    first = base(repo)
    edit(repo)
    second = repo.commit("Edit", author="Bo")
    result = cli("diff", "--ledger", str(repo.root), *form, "--format", "json")
    assert result.status == 1
    assert json.loads(result.out) == expected(first, second)


def test_working_tree_against_head_sees_uncommitted_and_untracked(repo: GitRepo, cli) -> None:
    first = base(repo)
    edit(repo)  # nothing staged: an untracked file, a deleted one, edits, a plain `mv`
    result = cli("diff", "--ledger", str(repo.root), "--format", "json")
    assert result.status == 1
    want = expected(first, "working tree")
    assert json.loads(result.out) == want
    repo.git("add", "-A")  # staged or not, the working tree is what counts
    assert json.loads(cli("diff", "--ledger", str(repo.root), "--format", "json").out) == want
    # `ledger diff REV` compares REV with the working tree
    assert json.loads(cli("diff", "--ledger", str(repo.root), "HEAD", "--format", "json").out) == want


def test_ignored_files_count_as_the_ledger_sees_them(repo: GitRepo, cli) -> None:
    base(repo)
    (repo.root / ".gitignore").write_text("entries/drafts/\n")
    repo.write("entries/drafts/2020-01-09-draft.toml", entry(title="Draft", date="2020-01-09"))
    out = json.loads(cli("diff", "--ledger", str(repo.root), "--format", "json").out)
    assert [i["id"] for i in out["added"]] == ["2020-01-09-draft"]


def test_equal_sides_exit_0(repo: GitRepo, cli) -> None:
    base(repo)
    result = cli("diff", "--ledger", str(repo.root))
    assert result.status == 0
    assert result.out.splitlines()[1] == "+++ working tree"
    assert len(result.out.splitlines()) == 2
    assert result.err == "0 added, 0 removed, 0 changed\n"
    assert cli("diff", "--ledger", str(repo.root), "HEAD", "HEAD").status == 0


def test_moved_file_with_same_content_is_no_change(repo: GitRepo, cli) -> None:
    base(repo)
    repo.move("2020-01-07-clash", "entries/2020/2020-01-07-clash.toml")
    repo.commit("Move")
    assert cli("diff", "--ledger", str(repo.root), "HEAD~1", "HEAD").status == 0


def test_moved_and_changed_file_is_one_change(repo: GitRepo, cli) -> None:
    base(repo)
    repo.remove("2020-01-05-rockets")
    repo.write("entries/iraq/2020-01-05-rockets.toml", ROCKETS.replace("escalation = 4", "escalation = 3"))
    repo.commit("Move and lower")
    out = json.loads(cli("diff", "--ledger", str(repo.root), "HEAD~1", "HEAD", "--format", "json").out)
    assert (out["added"], out["removed"]) == ([], [])
    assert out["changed"] == [
        {
            "id": "2020-01-05-rockets",
            "title": "Rockets hit the Green Zone",
            "date": "2020-01-05",
            "path": "entries/iraq/2020-01-05-rockets.toml",
            "changes": [{"field": "escalation", "old": 4, "new": 3}],
        }
    ]


def test_renamed_id_is_removed_and_added(repo: GitRepo, cli) -> None:
    base(repo)
    repo.move("2020-01-05-rockets", "entries/2020/01/2020-01-05-rockets-green-zone.toml")
    repo.commit("Rename")
    out = json.loads(cli("diff", "--ledger", str(repo.root), "HEAD~1", "HEAD", "--format", "json").out)
    assert [i["id"] for i in out["added"]] == ["2020-01-05-rockets-green-zone"]
    assert [i["id"] for i in out["removed"]] == ["2020-01-05-rockets"]
    assert out["changed"] == []


def test_only_formatting_changed_is_no_change(repo: GitRepo, cli) -> None:
    base(repo)
    repo.write("2020-01-05-rockets", "# a comment\n" + ROCKETS.replace('status = "active"\n', "") + "\n\n")
    text = repo.path("2020-01-05-rockets").read_text()
    repo.write("2020-01-05-rockets", text.replace("escalation = 4", 'status = "active"\nescalation = 4'))
    assert cli("diff", "--ledger", str(repo.root)).status == 0


def test_unparseable_at_either_side_is_reported_with_the_revision(repo: GitRepo, cli) -> None:
    first = base(repo)
    repo.write("2020-01-05-rockets", 'title = "Rockets\n')
    repo.write("2020-01-06-closure", entry(date="2020-01-06").replace('title = "Rockets hit the Green Zone"\n', ""))
    second = repo.commit("Break two")
    repo.write("2020-01-05-rockets", ROCKETS)
    third = repo.commit("Fix one")
    out = json.loads(cli("diff", "--ledger", str(repo.root), "HEAD~2", "HEAD~1", "--format", "json").out)
    assert out["unparseable"] == [
        {
            "id": "2020-01-05-rockets",
            "path": "entries/2020/01/2020-01-05-rockets.toml",
            "problems": [
                {
                    "at": second,
                    "path": "entries/2020/01/2020-01-05-rockets.toml",
                    "line": 1,
                    "field": "",
                    "message": "TOML syntax: Illegal character '\\n' (column 17)",
                }
            ],
        },
        {
            "id": "2020-01-06-closure",
            "path": "entries/2020/01/2020-01-06-closure.toml",
            "problems": [
                {
                    "at": second,
                    "path": "entries/2020/01/2020-01-06-closure.toml",
                    "line": 1,
                    "field": "title",
                    "message": "required field is missing",
                }
            ],
        },
    ]
    result = cli("diff", "--ledger", str(repo.root), "HEAD~1", "HEAD")
    assert result.status == 1
    assert result.out == (
        f"--- HEAD~1 ({second[:7]})\n"
        f"+++ HEAD ({third[:7]})\n"
        f"! 2020-01-05-rockets  unparseable at HEAD~1 ({second[:7]}): entries/2020/01/2020-01-05-rockets.toml:1:"
        " TOML syntax: Illegal character '\\n' (column 17)\n"
    )
    assert first


def test_binary_and_empty_files_are_unparseable_not_a_crash(repo: GitRepo, cli) -> None:
    base(repo)
    repo.write("2020-01-05-rockets", b"\x00\x01binary")
    repo.write("2020-01-06-closure", b"")
    result = cli("diff", "--ledger", str(repo.root), "--format", "json")
    assert result.status == 1
    messages = [p["message"] for u in json.loads(result.out)["unparseable"] for p in u["problems"]]
    assert messages == ["binary file (contains NUL bytes), not TOML", "file is empty"]


def test_merge_commits(repo: GitRepo, cli) -> None:
    base(repo)
    repo.git("checkout", "-q", "-b", "side")
    repo.write("2020-01-05-rockets", ROCKETS.replace("escalation = 4", "escalation = 5"))
    repo.commit("Side: raise")
    repo.git("checkout", "-q", "main")
    repo.write("2020-01-08-drone", entry(title="Drone over the base", date="2020-01-08", type="drone-strike"))
    repo.commit("Main: add")
    when = {"GIT_AUTHOR_DATE": "2020-03-01T00:00:00Z", "GIT_COMMITTER_DATE": "2020-03-01T00:00:00Z"}
    repo.git(
        "-c",
        "user.name=Cy",
        "-c",
        "user.email=cy@example.org",
        "merge",
        "-q",
        "--no-ff",
        "side",
        "-m",
        "Merge",
        env=when,
    )
    out = json.loads(cli("diff", "--ledger", str(repo.root), "HEAD^1", "HEAD", "--format", "json").out)
    assert [i["id"] for i in out["changed"]] == ["2020-01-05-rockets"]
    assert out["added"] == []
    out = json.loads(cli("diff", "--ledger", str(repo.root), "HEAD^2", "HEAD", "--format", "json").out)
    assert [i["id"] for i in out["added"]] == ["2020-01-08-drone"]
    assert out["changed"] == []
    # A...B: what side did since it left main
    out = json.loads(cli("diff", "--ledger", str(repo.root), "main~1...side", "--format", "json").out)
    assert [i["id"] for i in out["changed"]] == ["2020-01-05-rockets"] and out["added"] == []


def test_text_output(repo: GitRepo, cli) -> None:
    first = base(repo)
    edit(repo)
    second = repo.commit("Edit", author="Bo")
    result = cli("diff", "--ledger", str(repo.root), "HEAD~1", "HEAD")
    assert result.status == 1
    assert result.out == (
        f"--- HEAD~1 ({first[:7]})\n"
        f"+++ HEAD ({second[:7]})\n"
        "+ 2020-01-08  2020-01-08-drone  Drone over the base\n"
        "- 2020-01-04  2020-01-04-rally  Rally in Tahrir Square\n"
        "~ 2020-01-03  2020-01-03-strike  Strike on a convoy\n"
        "    escalation: 5 lethal-strike -> 4 harassing-fire (lowered)\n"
        "~ 2020-01-03  2020-01-06-closure  Border crossing closed\n"
        "    date: 2020-01-06 -> 2020-01-03 (3 days earlier; now after 2020-01-03-strike, before 2020-01-05-rockets)\n"
        "~ 2020-01-05  2020-01-05-rockets  Rockets hit the Green Zone\n"
        "    escalation: 4 harassing-fire -> 5 lethal-strike (raised)\n"
        "    tags: + umbrella, - green-zone\n"
        '    location.name: "Green Zone" -> "Green Zone, Baghdad"\n'
        "    casualties.killed: (none) -> 2\n"
    )
    assert result.err == "1 added, 1 removed, 3 changed\n"


def test_ladder_labels_come_from_ledger_toml(repo: GitRepo, cli) -> None:
    base(repo)
    labels = ", ".join(f'"rung-{i}"' for i in range(8))
    (repo.root / "ledger.toml").write_text(f"[ladder]\nlabels = [{labels}]\n")
    repo.write(
        "2020-01-03-strike", entry(title="Strike on a convoy", date="2020-01-03", type="airstrike", escalation=7)
    )
    assert "    escalation: 5 rung-5 -> 7 rung-7 (raised)\n" in cli("diff", "--ledger", str(repo.root)).out


def test_colour_only_when_asked_or_on_a_terminal(repo: GitRepo, cli) -> None:
    base(repo)
    repo.remove("2020-01-04-rally")
    assert "\x1b[" not in cli("diff", "--ledger", str(repo.root)).out
    coloured = cli("diff", "--ledger", str(repo.root), "--color", "always").out
    assert "\x1b[31m- 2020-01-04  2020-01-04-rally  Rally in Tahrir Square\x1b[0m" in coloured


def test_stat(repo: GitRepo, cli) -> None:
    first = base(repo)
    edit(repo)
    second = repo.commit("Edit", author="Bo")
    result = cli("diff", "--ledger", str(repo.root), "HEAD~1..HEAD", "--stat")
    assert result.status == 1
    assert result.out == (
        f"HEAD~1 ({first[:7]}) -> HEAD ({second[:7]}): 1 added, 1 removed, 3 changed\n"
        "fields: escalation 2, date 1, tags 1, location.name 1, casualties.killed 1\n"
    )
    stat = json.loads(cli("diff", "--ledger", str(repo.root), "HEAD~1..HEAD", "--stat", "--format", "json").out)
    assert stat == {
        "from": first,
        "to": second,
        "added": 1,
        "removed": 1,
        "changed": 3,
        "unparseable": 0,
        "fields": {"escalation": 2, "date": 1, "tags": 1, "location.name": 1, "casualties.killed": 1},
    }


def test_markdown(repo: GitRepo, cli) -> None:
    first = base(repo)
    edit(repo)
    second = repo.commit("Edit", author="Bo")
    result = cli("diff", "--ledger", str(repo.root), "HEAD~1..HEAD", "--format", "markdown")
    assert result.status == 1
    assert result.out == (
        f"### Ledger diff: `HEAD~1 ({first[:7]})` → `HEAD ({second[:7]})`\n"
        "\n"
        "1 added, 1 removed, 3 changed\n"
        "\n"
        "#### Added\n"
        "\n"
        "- **`2020-01-08-drone`** (2020-01-08): Drone over the base\n"
        "\n"
        "#### Removed\n"
        "\n"
        "- **`2020-01-04-rally`** (2020-01-04): Rally in Tahrir Square\n"
        "\n"
        "#### Changed\n"
        "\n"
        "- **`2020-01-03-strike`** (2020-01-03): Strike on a convoy\n"
        "  - `escalation`: 5 lethal-strike -> 4 harassing-fire (lowered)\n"
        "- **`2020-01-06-closure`** (2020-01-03): Border crossing closed\n"
        "  - `date`: 2020-01-06 -> 2020-01-03 (3 days earlier; now after 2020-01-03-strike, before 2020-01-05-rockets)\n"
        "- **`2020-01-05-rockets`** (2020-01-05): Rockets hit the Green Zone\n"
        "  - `escalation`: 4 harassing-fire -> 5 lethal-strike (raised)\n"
        "  - `tags`: + umbrella, - green-zone\n"
        '  - `location.name`: "Green Zone" -> "Green Zone, Baghdad"\n'
        "  - `casualties.killed`: (none) -> 2\n"
    )


def test_filters_of_list_apply(repo: GitRepo, cli) -> None:
    base(repo)
    edit(repo)
    repo.commit("Edit", author="Bo")
    root = str(repo.root)

    def ids(*args: str) -> list[str]:
        out = json.loads(cli("diff", "--ledger", root, "HEAD~1", "HEAD", "--format", "json", *args).out)
        return [i["id"] for kind in ("added", "removed", "changed") for i in out[kind]]

    assert ids("--country", "SY") == ["2020-01-06-closure"]
    assert ids("country:SY") == ["2020-01-06-closure"]
    assert ids("--type", "protest") == ["2020-01-04-rally"]
    assert ids("escalation>=5") == ["2020-01-03-strike", "2020-01-05-rockets"]  # old or new side matches
    assert ids("type:drone-strike", "or", "type:protest") == ["2020-01-08-drone", "2020-01-04-rally"]
    # nothing left after the filter: equal, exit 0
    result = cli("diff", "--ledger", root, "HEAD~1", "HEAD", "--country", "LB")
    assert result.status == 0


def test_query_syntax_error_exits_2(repo: GitRepo, cli) -> None:
    base(repo)
    result = cli("diff", "--ledger", str(repo.root), "HEAD", "escalation>=x")
    assert result.status == 2
    assert "ledger: error: query:" in result.err


def test_bad_format_and_too_many_arguments(repo: GitRepo, cli) -> None:
    base(repo)
    assert cli("diff", "--ledger", str(repo.root), "--format", "xml").status == 2
    result = cli("diff", "--ledger", str(repo.root), "HEAD", "HEAD", "HEAD")
    assert result.status == 2
    assert "at most two" in result.err
    assert cli("diff", "--ledger", str(repo.root), "HEAD~1..HEAD", "HEAD").status == 2


def test_two_folders(make_ledger, cli, tmp_path: Path) -> None:
    a = make_ledger({"2020-01-05-rockets": ROCKETS, "2020-01-04-rally": entry(date="2020-01-04")}, root=tmp_path / "a")
    b = make_ledger(
        {"entries/moved/2020-01-05-rockets.toml": ROCKETS_EDITED, "2020-01-08-drone": entry(date="2020-01-08")},
        root=tmp_path / "b",
    )
    result = cli("diff", str(a), str(b), "--format", "json")
    assert result.status == 1
    out = json.loads(result.out)
    assert (out["from"], out["to"]) == (str(a), str(b))
    assert [i["id"] for i in out["added"]] == ["2020-01-08-drone"]
    assert [i["id"] for i in out["removed"]] == ["2020-01-04-rally"]
    assert [c["field"] for c in out["changed"][0]["changes"]] == [
        "escalation",
        "tags",
        "location.name",
        "casualties.killed",
    ]
    assert cli("diff", str(a), str(a)).status == 0


def test_folder_that_is_not_a_ledger(tmp_path: Path, cli) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    result = cli("diff", str(tmp_path / "x"), str(tmp_path / "y"))
    assert result.status == 2
    assert "not a ledger folder" in result.err


def test_ledger_in_a_subfolder_of_the_repository(repo: GitRepo, cli) -> None:
    sub = repo.root / "data" / "my ledger [x]"
    (sub / "entries" / "2020").mkdir(parents=True)
    (sub / "entries" / "2020" / "2020-01-05-rockets.toml").write_text(ROCKETS)
    repo.write("entries/2020/01/2020-01-09-outside.toml", entry(date="2020-01-09"))
    repo.commit("Nested")
    (sub / "entries" / "2020" / "2020-01-05-rockets.toml").write_text(
        ROCKETS.replace("escalation = 4", "escalation = 6")
    )
    out = json.loads(cli("diff", "--ledger", str(sub), "--format", "json").out)
    assert [(i["id"], i["path"]) for i in out["changed"]] == [
        ("2020-01-05-rockets", "entries/2020/2020-01-05-rockets.toml")
    ]
    assert out["added"] == []


def test_reads_only_the_changed_blobs(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger.vcs import compare, git

    for day in range(1, 29):
        repo.write(f"2020-02-{day:02d}-incident", entry(date=f"2020-02-{day:02d}"))
    repo.commit("Many")
    repo.write("2020-02-10-incident", entry(date="2020-02-11"))
    repo.write("2020-02-20-incident", entry(date="2020-02-20", escalation=6))
    repo.commit("Two edits")
    read: list[str] = []
    original = git.Repo.read_blobs

    def counting(self: git.Repo, blobs):  # type: ignore[no-untyped-def]
        blobs = list(blobs)
        read.extend(blobs)
        return original(self, blobs)

    monkeypatch.setattr(git.Repo, "read_blobs", counting)
    decoded: list[str] = []
    original_decode = compare.decode_text
    monkeypatch.setattr(compare, "decode_text", lambda rel, text: decoded.append(rel) or original_decode(rel, text))
    found = compare.compare(repo.root, compare.parse_spec(["HEAD~1", "HEAD"]))
    assert len(read) == 4 and len(decoded) == 4
    moved = found.changed[0].change("date")
    assert moved is not None
    assert (moved.after, moved.before) == ("2020-02-09-incident", "2020-02-11-incident")
