"""`ledger sources`: one row per source, registry aliases merged, counted from the entries."""

from __future__ import annotations

import json

from conftest import entry

REGISTRY = """\
[sources."Deir Ezzor 24"]
aliases = ["DeirEzzor24", "Deir ez-Zor 24"]
reliability = "C"

[sources.Reuters]
reliability = "B"
"""


def sourced(title: str, date: str, *sources: str) -> str:
    text = entry(title=title, date=date)
    head = text[: text.index("[[sources]]")]
    return head + "\n".join(f"[[sources]]\n{s.strip()}\n" for s in sources)


def test_rows_merge_aliases_and_count_what_entries_do(make_ledger, cli):
    root = make_ledger(
        {
            # alone, under an alias, graded against the registry, with a url and no capture
            "2020-01-05-one": sourced(
                "One", "2020-01-05", 'name = "DeirEzzor24"\nreliability = "A"\nurl = "https://example.org/1"'
            ),
            # two sources: neither is the sole source here
            "2020-01-06-two": sourced("Two", "2020-01-06", 'name = "Deir ez-Zor 24"', 'name = "Reuters"'),
            # an unregistered source, alone, graded as the registry would have it: no disagreement
            "2020-01-07-three": sourced("Three", "2020-01-07", 'name = "Al Mayadeen"\nreliability = "C"'),
        },
        config=REGISTRY,
    )
    result = cli("sources", "--ledger", str(root), "--format", "json")
    assert result.status == 0, result.err
    rows = {row["source"]: row for row in json.loads(result.out)}
    assert set(rows) == {"Deir Ezzor 24", "Reuters", "Al Mayadeen"}
    assert result.err == "3 sources (2 in the registry of ledger.toml)\n"
    deir = rows["Deir Ezzor 24"]
    assert deir["registered"] is True
    assert sorted(deir["names"]) == ["Deir ez-Zor 24", "DeirEzzor24"]
    assert (deir["entries"], deir["sole_source"], deir["uncaptured"], deir["disagreements"]) == (2, 1, 1, 1)
    assert deir["registry_reliability"] == "C" and deir["reliability_seen"] == ["A"]
    reuters = rows["Reuters"]
    assert (reuters["entries"], reuters["sole_source"], reuters["uncaptured"]) == (1, 0, 0)
    mayadeen = rows["Al Mayadeen"]
    assert mayadeen["registered"] is False and mayadeen["registry_reliability"] is None
    assert (mayadeen["entries"], mayadeen["sole_source"], mayadeen["disagreements"]) == (1, 1, 0)


def test_filters_choose_the_entries_counted(make_ledger, cli):
    root = make_ledger(
        {
            "2020-01-05-one": sourced("One", "2020-01-05", 'name = "Reuters"'),
            "2020-01-06-two": sourced("Two", "2020-01-06", 'name = "Reuters"'),
        },
        config=REGISTRY,
    )
    result = cli("sources", "--ledger", str(root), "--since", "2020-01-06", "--format", "json")
    # every registered source has a row, cited or not (a registry entry nobody uses shows as 0)
    assert [(r["source"], r["entries"]) for r in json.loads(result.out)] == [("Reuters", 1), ("Deir Ezzor 24", 0)]
    assert cli("sources", "--ledger", str(root), "--format", "ids").out == "Reuters\nDeir Ezzor 24\n"
