"""`ledger merge KEEP DUP...` in a real git repository: the diff is the merge, `git revert` undoes it."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from conftest import entry
from test_git import GitRepo, new_repo

KEEP = "2020-01-05-rockets-hit-green-zone"
DUP = "2020-01-05-katyusha-rockets-near-us-embassy"
CAUSE = "2020-01-04-strike-on-militia-convoy"
LATER = "2020-01-06-militias-answer-the-rockets"
OTHER = "2020-01-07-unrelated-protest"


def sources(*items: tuple[str, str | None]) -> str:
    return "".join(f'\n[[sources]]\nname = "{n}"\n' + (f'url = "{u}"\n' if u else "") for n, u in items)


def without_source(text: str) -> str:
    return text[: text.index("[[sources]]")]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    repo = new_repo(tmp_path, monkeypatch)
    repo.write(CAUSE, entry(date="2020-01-04", title="Strike on militia convoy", type="airstrike"))
    keep = entry(extra='tags = ["green-zone"]\naliases = ["ACLED:IRQ1"]\n', title="Rockets hit the Green Zone")
    repo.write(
        KEEP, "# two rockets, per Reuters\n" + without_source(keep) + sources(("Reuters", "https://example.org/a"))
    )
    dup = entry(
        extra=f'responds_to = ["{CAUSE}"]\ntags = ["baghdad", "green-zone"]\n', title="Katyusha rockets near US embassy"
    )
    repo.write(
        DUP,
        without_source(dup) + sources(("Reuters", "https://example.org/a"), ("Al Arabiya", "https://example.org/b")),
    )
    repo.write(
        LATER,
        entry(
            date="2020-01-06",
            title="Militias answer the rockets",
            place="Al-Qaim",
            type="armed-clash",
            extra=f'responds_to = ["{DUP}"]\n',
        ),
    )
    repo.write(OTHER, entry(date="2020-01-07", title="Unrelated protest", type="protest", escalation=0))
    repo.commit("Five incidents")
    return repo


def data(repo: GitRepo, entry_id: str) -> dict:
    return tomllib.loads(repo.path(entry_id).read_text())


def test_merge_changes_only_the_two_files(repo: GitRepo, cli):
    before = {p: p.read_bytes() for p in repo.root.rglob("*.toml")}
    result = cli("merge", KEEP, DUP, "--ledger", str(repo.root))
    assert result.status == 0, result.err
    assert result.out.splitlines() == [
        f"entries/2020/01/{KEEP}.toml",
        f"entries/2020/01/{DUP}.toml",
    ]
    assert result.err == (
        f"merged 1 duplicate into {KEEP} (+1 source, 1 tag, 1 alias); "
        "`git diff` shows the merge, `git revert` undoes it once committed\n"
    )
    changed = repo.git("status", "--porcelain").splitlines()
    assert sorted(changed) == sorted([f" M entries/2020/01/{KEEP}.toml", f" M entries/2020/01/{DUP}.toml"])
    keep, dup = data(repo, KEEP), data(repo, DUP)
    assert [(s["name"], s.get("url")) for s in keep["sources"]] == [
        ("Reuters", "https://example.org/a"),
        ("Al Arabiya", "https://example.org/b"),
    ]
    assert keep["tags"] == ["green-zone", "baghdad"]
    assert keep["aliases"] == ["ACLED:IRQ1", DUP]
    assert (dup["status"], dup["duplicate_of"], dup["withdrawn_reason"]) == (
        "withdrawn",
        KEEP,
        f"duplicate of {KEEP} (ledger merge)",
    )
    assert repo.path(KEEP).read_text().startswith("# two rockets, per Reuters\n")  # comments kept
    untouched = {p: b for p, b in before.items() if p.stem not in (KEEP, DUP)}
    assert all(p.read_bytes() == b for p, b in untouched.items())
    assert cli("validate", "--ledger", str(repo.root), "--quiet").status == 0


def test_git_revert_undoes_the_merge(repo: GitRepo, cli):
    before = {p: p.read_bytes() for p in repo.root.rglob("*.toml")}
    assert cli("merge", KEEP, DUP, "--ledger", str(repo.root)).status == 0
    repo.commit("Merge the Katyusha report into the Green Zone rockets")
    stat = repo.git("diff", "--stat", "HEAD~1", "HEAD").splitlines()
    assert len(stat) == 3 and stat[-1].startswith(" 2 files changed")
    repo.git("-c", "user.name=Ana", "-c", "user.email=ana@example.org", "revert", "--no-edit", "HEAD")
    assert {p: p.read_bytes() for p in repo.root.rglob("*.toml")} == before


def test_links_through_the_duplicate_lead_to_keep(repo: GitRepo, cli):
    assert cli("merge", KEEP, DUP, "--ledger", str(repo.root)).status == 0
    chain = cli("chain", LATER, "--format", "json", "--ledger", str(repo.root))
    assert chain.status == 0, chain.err
    answers = json.loads(chain.out)["answers"]
    assert [a["id"] for a in answers] == [KEEP]
    answered = cli("chain", KEEP, "--format", "json", "--ledger", str(repo.root))
    assert [a["id"] for a in json.loads(answered.out)["answered_by"]] == [LATER]
    timeline = cli("timeline", "--format", "json", "--ledger", str(repo.root))
    steps = {s["id"]: s for s in json.loads(timeline.out)}
    assert DUP not in steps  # withdrawn
    assert steps[LATER]["chain"] == [KEEP]
    filtered = cli("timeline", "--format", "json", "--since", "2020-01-06", "--ledger", str(repo.root))
    assert {s["id"]: s["chain"] for s in json.loads(filtered.out)}[LATER] == [KEEP]
    old = cli("chain", DUP, "--ledger", str(repo.root))
    assert old.status == 0 and old.out.startswith(KEEP)
    assert old.err == f"ledger: {DUP} was merged into {KEEP}: showing its chain\n"


def test_merging_again_changes_nothing(repo: GitRepo, cli):
    assert cli("merge", KEEP, DUP, "--ledger", str(repo.root)).status == 0
    repo.commit("Merge")
    again = cli("merge", KEEP, DUP, "--ledger", str(repo.root))
    assert (again.status, again.out) == (0, "")
    assert again.err == f"already merged into {KEEP}: {DUP}\nnothing to change\n"
    assert repo.git("status", "--porcelain") == ""


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        ((KEEP, KEEP), 2, f"ledger: error: {KEEP} cannot be merged into itself"),
        (
            (KEEP, "2020-01-05-katyusha-rockets-near-us-embasy"),
            1,
            f'no entry "2020-01-05-katyusha-rockets-near-us-embasy" (did you mean "{DUP}"?)',
        ),
        (("2020-01-09-nothing", DUP), 1, 'no entry "2020-01-09-nothing"'),
    ],
)
def test_refusals_write_nothing(repo: GitRepo, cli, args: tuple[str, ...], status: int, message: str):
    result = cli("merge", *args, "--ledger", str(repo.root))
    assert result.status == status
    assert message in result.err
    assert repo.git("status", "--porcelain") == ""


def test_an_already_withdrawn_duplicate_is_refused(repo: GitRepo, cli):
    assert cli("merge", OTHER, DUP, "--ledger", str(repo.root)).status == 0
    repo.commit("Merge into the wrong one")
    result = cli("merge", KEEP, DUP, "--ledger", str(repo.root))
    assert (result.status, result.err) == (2, f"ledger: error: {DUP} is already withdrawn (a duplicate of {OTHER})\n")


def test_dupes_prints_the_merge_command(repo: GitRepo, cli):
    result = cli("dupes", "--format", "json", "--ledger", str(repo.root))
    assert result.status == 1
    found = json.loads(result.out)
    assert [c["merge"] for c in found] == [f"ledger merge {DUP} {KEEP}"]  # the earlier one (by id on one day) is kept
    merged = cli(*found[0]["merge"].split()[1:], "--ledger", str(repo.root))
    assert merged.status == 0
    assert cli("dupes", "--ledger", str(repo.root)).status == 0
