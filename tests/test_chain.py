"""`ledger chain ID`: the causal chain as trees, backwards to the roots and forwards; cycles reported."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import entry
from test_timeline_synth import copy_sample

SOLEIMANI = "2020-01-03-us-airstrike-kills-soleimani-and-muhandis-in-baghdad"
SERIES = "2020-01-04-series-of-strikes-on-iran-backed-bases-in-iraq-and-syria"


def ledger_of(tmp_path: Path, links: dict[str, list[str]], date: str = "2020-01-05") -> Path:
    """Write entries named `date-<key>` responding to `date-<value>`s."""
    root = tmp_path / "l"
    (root / "entries").mkdir(parents=True)
    for name, targets in links.items():
        extra = "responds_to = [" + ", ".join(f'"{t}"' for t in targets) + "]\n" if targets else ""
        (root / "entries" / f"{name}.toml").write_text(entry(title=name[11:], date=name[:10], extra=extra))
    return root


def test_sample_chain_backwards_and_forwards(tmp_path: Path, cli: Callable[..., Any]) -> None:
    result = cli("chain", SERIES, "--ledger", str(copy_sample(tmp_path)))
    assert result.status == 0
    assert result.out == (
        f"{SERIES}  [5 lethal-strike]  Series of strikes on Iranian and Iran-aligned bases in Iraq and Syria\n"
        "answers:\n"
        "└── 2020-01-04-rockets-hit-green-zone-and-base-housing-us-forces  [4 harassing-fire]  "
        "Saturday-night rockets target Baghdad's Green Zone and a base with US troops\n"
        f"    └── {SOLEIMANI}  [7 strategic-strike]  "
        "US air strike in Baghdad kills Quds Force commander Qasem Soleimani and Abu Mahdi al-Muhandis\n"
        "answered by:\n"
        "└── 2020-01-05-six-rockets-fall-in-and-near-baghdad-green-zone  [4 harassing-fire]  "
        "Six rockets land in and around Baghdad's Green Zone, injuring several civilians\n"
    )


def test_sample_root_and_its_answers(tmp_path: Path, cli: Callable[..., Any]) -> None:
    result = cli("chain", SOLEIMANI, "--ledger", str(copy_sample(tmp_path)), "--ascii")
    assert result.status == 0
    lines = [line.split("  [")[0] for line in result.out.splitlines()]
    assert lines == [
        SOLEIMANI,
        "answers:",
        "    (nothing: a root)",
        "answered by:",
        "|-- 2020-01-03-iran-backed-militias-evacuate-albukamal-headquarters",
        "|-- 2020-01-03-militias-on-high-alert-along-iraq-syria-border",
        "`-- 2020-01-04-rockets-hit-green-zone-and-base-housing-us-forces",
        "    |-- 2020-01-04-series-of-strikes-on-iran-backed-bases-in-iraq-and-syria",
        "    |   `-- 2020-01-05-six-rockets-fall-in-and-near-baghdad-green-zone",
        "    `-- 2020-01-05-six-rockets-fall-in-and-near-baghdad-green-zone",
    ]
    assert result.out.splitlines()[-1].endswith("(shown above)")  # two paths meet: drawn once


def test_diamond_and_several_roots(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = ledger_of(
        tmp_path,
        {
            "2020-01-01-a": [],
            "2020-01-01-z": [],
            "2020-01-02-b": ["2020-01-01-a"],
            "2020-01-02-c": ["2020-01-01-a", "2020-01-01-z"],
            "2020-01-03-d": ["2020-01-02-b", "2020-01-02-c"],
        },
    )
    result = cli("chain", "2020-01-03-d", "--ledger", str(root))
    assert result.status == 0
    assert [line.split("  [")[0] for line in result.out.splitlines()] == [
        "2020-01-03-d",
        "answers:",
        "├── 2020-01-02-b",
        "│   └── 2020-01-01-a",
        "└── 2020-01-02-c",
        "    ├── 2020-01-01-a",
        "    └── 2020-01-01-z",
        "answered by:",
        "    (nothing yet)",
    ]


def test_a_cycle_is_reported_not_followed(tmp_path: Path, cli: Callable[..., Any]) -> None:
    # Same date, answering each other: `validate` reports the cycle, yet the entries decode and
    # the index serves them, so `chain` receives the cycle and must stop.
    root = ledger_of(tmp_path, {"2020-01-05-a": ["2020-01-05-b"], "2020-01-05-b": ["2020-01-05-a"]})
    assert "forms a cycle" in cli("validate", "--ledger", str(root)).out
    result = cli("chain", "2020-01-05-a", "--ledger", str(root))
    assert result.status == 1
    assert [line.split("  [")[0] + (" (cycle" if "(cycle" in line else "") for line in result.out.splitlines()] == [
        "2020-01-05-a",
        "answers:",
        "└── 2020-01-05-b",
        "    └── 2020-01-05-a (cycle",
        "answered by:",
        "└── 2020-01-05-b",
        "    └── 2020-01-05-a (cycle",
    ]
    assert "(cycle: 2020-01-05-a -> 2020-01-05-b -> 2020-01-05-a)" in result.out
    assert result.err == "ledger: responds_to forms a cycle: 2020-01-05-a -> 2020-01-05-b -> 2020-01-05-a\n"


def test_a_longer_cycle_off_the_path(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = ledger_of(
        tmp_path,
        {
            "2020-01-05-x": ["2020-01-05-p"],
            "2020-01-05-p": ["2020-01-05-q"],
            "2020-01-05-q": ["2020-01-05-r"],
            "2020-01-05-r": ["2020-01-05-p"],
        },
    )
    result = cli("chain", "2020-01-05-x", "--ledger", str(root), "-f", "json")
    assert result.status == 1
    data = json.loads(result.out)
    assert data["cycles"] == [["2020-01-05-p", "2020-01-05-q", "2020-01-05-r", "2020-01-05-p"]]
    node = data["answers"][0]
    assert [node["id"], node["children"][0]["id"], node["children"][0]["children"][0]["id"]] == [
        "2020-01-05-p",
        "2020-01-05-q",
        "2020-01-05-r",
    ]
    assert node["children"][0]["children"][0]["children"][0]["mark"] == "cycle"


def test_missing_link_is_shown(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = ledger_of(tmp_path, {"2020-01-05-a": ["2020-01-01-gone"]})
    result = cli("chain", "2020-01-05-a", "--ledger", str(root))
    assert result.status == 0
    assert "└── 2020-01-01-gone  (no valid entry)" in result.out


def test_withdrawn_incidents_stay_in_the_chain(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = tmp_path / "l"
    (root / "entries").mkdir(parents=True)
    (root / "entries" / "2020-01-01-a.toml").write_text(
        entry(date="2020-01-01", extra='status = "withdrawn"\nwithdrawn_reason = "wrong"\n')
    )
    (root / "entries" / "2020-01-02-b.toml").write_text(
        entry(date="2020-01-02", extra='responds_to = ["2020-01-01-a"]\n')
    )
    result = cli("chain", "2020-01-02-b", "--ledger", str(root))
    assert "2020-01-01-a  [4 harassing-fire]  Rockets hit the Green Zone  (withdrawn)" in result.out


def test_unknown_id_is_not_found(tmp_path: Path, cli: Callable[..., Any]) -> None:
    result = cli("chain", SOLEIMANI[:-1], "--ledger", str(copy_sample(tmp_path)))
    assert result.status == 1
    assert result.err == f'ledger: error: no entry "{SOLEIMANI[:-1]}" (did you mean "{SOLEIMANI}"?)\n'


def test_invalid_entry_is_named(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = ledger_of(tmp_path, {"2020-01-05-a": []})
    (root / "entries" / "2020-01-05-a.toml").write_text("title = ")
    result = cli("chain", "2020-01-05-a", "--ledger", str(root))
    assert result.status == 1
    assert (
        "entries/2020-01-05-a.toml is not a valid entry (see `ledger validate entries/2020-01-05-a.toml`)" in result.err
    )


def test_bad_format(tmp_path: Path, cli: Callable[..., Any]) -> None:
    result = cli("chain", SOLEIMANI, "--ledger", str(copy_sample(tmp_path)), "-f", "svg")
    assert result.status == 2 and '--format "svg" is not one of' in result.err


def test_json_shape(tmp_path: Path, cli: Callable[..., Any]) -> None:
    result = cli("chain", SERIES, "--ledger", str(copy_sample(tmp_path)), "-f", "json")
    data = json.loads(result.out)
    assert data["id"] == SERIES and data["cycles"] == []
    assert data["path"] == f"entries/2020/01/{SERIES}.toml" and data["withdrawn"] is False
    assert data["answers"][0]["children"][0] == {
        "id": SOLEIMANI,
        "path": f"entries/2020/01/{SOLEIMANI}.toml",
        "date": "2020-01-03",
        "escalation": 7,
        "label": "strategic-strike",
        "title": "US air strike in Baghdad kills Quds Force commander Qasem Soleimani and Abu Mahdi al-Muhandis",
        "withdrawn": False,
        "children": [],
    }
    assert [n["id"] for n in data["answered_by"]] == ["2020-01-05-six-rockets-fall-in-and-near-baghdad-green-zone"]


def test_titles_are_cleaned_of_control_characters() -> None:
    # Validation refuses control characters and the index leaves such files out; the tree
    # cleans titles anyway, since entries can come from elsewhere (git history, the API).
    import dataclasses

    import rtoml

    from ledger.core.schema import decode
    from ledger.core.vocab import Vocabulary
    from ledger.output.trees import tree_text
    from ledger.reports import timeline

    a, _ = decode(rtoml.loads(entry(date="2020-01-05")), entry_id="2020-01-05-a")
    b, _ = decode(
        rtoml.loads(entry(date="2020-01-06", extra='responds_to = ["2020-01-05-a"]')), entry_id="2020-01-06-b"
    )
    assert a is not None and b is not None
    a = dataclasses.replace(a, title="bad \x1b[31m red \u202e")
    lines = timeline.tree(b.id, timeline.links_of([a, b]), timeline.BACKWARD)
    assert tree_text(lines, {a.id: a, b.id: b}, Vocabulary()) == [
        "└── 2020-01-05-a  [4 harassing-fire]  bad \\x1b[31m red "
    ]
