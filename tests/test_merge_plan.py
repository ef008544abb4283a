"""The merge planner: what KEEP gains and what DUP becomes (pure)."""

from __future__ import annotations

import pytest

from ledger.core import merge
from ledger.core.vocab import SourceInfo, Vocabulary

KEEP = {
    "title": "Rockets hit the Green Zone",
    "tags": ["green-zone"],
    "aliases": ["ACLED:IRQ1"],
    "sources": [{"name": "Reuters", "url": "https://example.org/a"}, {"name": "AFP"}],
}
DUP = {
    "title": "Katyusha rockets land near the US embassy",
    "tags": ["green-zone", "baghdad"],
    "aliases": ["UCDP:77"],
    "sources": [
        {"name": "Reuters", "url": "https://example.org/a", "quote": "same report"},  # same url: a repeat
        {"name": "afp"},  # same name, no url: a repeat
        {"name": "Al Arabiya", "url": "https://example.org/b"},
        {"name": "AFP", "url": "https://example.org/c"},  # AFP, but another report
    ],
}


def test_keep_gains_sources_tags_and_aliases_without_repeats():
    plan = merge.plan("2020-01-05-keep", KEEP, {"2020-01-05-dup": DUP})
    assert plan.keep["sources"] == [
        {"name": "Reuters", "url": "https://example.org/a"},
        {"name": "AFP"},
        {"name": "Al Arabiya", "url": "https://example.org/b"},
        {"name": "AFP", "url": "https://example.org/c"},
    ]
    assert plan.keep["tags"] == ["green-zone", "baghdad"]
    assert plan.keep["aliases"] == ["ACLED:IRQ1", "2020-01-05-dup", "UCDP:77"]
    assert (plan.sources, plan.tags, plan.aliases) == (2, ("baghdad",), ("2020-01-05-dup", "UCDP:77"))
    assert KEEP["tags"] == ["green-zone"]  # the inputs are not changed


def test_dup_is_withdrawn_and_keeps_what_it_said():
    plan = merge.plan("2020-01-05-keep", KEEP, {"2020-01-05-dup": DUP})
    dup = plan.dups["2020-01-05-dup"]
    assert dup == {
        **DUP,
        "status": "withdrawn",
        "withdrawn_reason": "duplicate of 2020-01-05-keep (ledger merge)",
        "duplicate_of": "2020-01-05-keep",
    }
    again = merge.plan("2020-01-05-keep", KEEP, {"2020-01-05-dup": DUP}, reason="same strike, two reports")
    assert again.dups["2020-01-05-dup"]["withdrawn_reason"] == "same strike, two reports"


def test_registry_aliases_make_names_the_same_source():
    registry = Vocabulary(sources={"Agence France-Presse": SourceInfo("Agence France-Presse", ("AFP",))})
    dup = {"sources": [{"name": "Agence France-Presse"}]}
    plan = merge.plan("a", KEEP, {"b": dup}, source_key=registry.source_key)
    assert plan.sources == 0
    assert merge.plan("a", KEEP, {"b": dup}).sources == 1


def test_several_dups_and_planning_twice_changes_nothing_more():
    second = {"tags": ["night"], "sources": [{"name": "Reuters", "url": "https://example.org/z"}]}
    plan = merge.plan("k", KEEP, {"d1": DUP, "d2": second})
    assert plan.keep["aliases"] == ["ACLED:IRQ1", "d1", "UCDP:77", "d2"]
    assert plan.keep["tags"] == ["green-zone", "baghdad", "night"]
    again = merge.plan("k", plan.keep, plan.dups)
    assert again.keep == plan.keep
    assert again.done_before == ("d1", "d2")
    assert again.dups == {}


@pytest.mark.parametrize(
    ("keep", "dups", "message"),
    [
        (KEEP, {"k": DUP}, "k cannot be merged into itself"),
        (KEEP, {}, "name at least one duplicate"),
        ({**KEEP, "status": "withdrawn"}, {"d": DUP}, "k is withdrawn: keep an active entry"),
        (
            KEEP,
            {"d": {**DUP, "status": "withdrawn", "duplicate_of": "x"}},
            r"d is already withdrawn \(a duplicate of x\)",
        ),
        (KEEP, {"d": {**DUP, "status": "withdrawn"}}, r"d is already withdrawn \(see its withdrawn_reason\)"),
    ],
)
def test_refusals(keep, dups, message):
    with pytest.raises(merge.MergeRefused, match=message):
        merge.plan("k", keep, dups)
