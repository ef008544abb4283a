"""The source registry and the policy of ledger.toml, as the vocabulary reads them."""

from __future__ import annotations

import tomllib

from conftest import REGISTRY

from ledger.core import vocab

CONFIG = (
    REGISTRY
    + """
[policy]
require_capture = true
min_sources = 2
"""
)


def test_the_registry_and_policy_are_read():
    found, problems = vocab.parse(tomllib.loads(CONFIG))
    assert problems == []
    assert found.sources["Deir Ezzor 24"] == vocab.SourceInfo(
        "Deir Ezzor 24",
        ("DeirEzzor24", "Deir ez-Zor 24"),
        vocab.model.Reliability.C,
        "https://deirezzor24.net/",
        "local news",
        "ar",
    )
    assert found.policy == vocab.Policy(require_capture=True, min_sources=2, require_grades=False)
    assert vocab.Vocabulary().policy == vocab.Policy()  # no [policy]: nothing asked


def test_names_and_aliases_match_case_insensitively():
    found, _ = vocab.parse(tomllib.loads(CONFIG))
    info = found.source(" deir EZ-zor 24 ")
    assert info is not None and info.name == "Deir Ezzor 24"
    assert found.source_key("deirezzor24") == "Deir Ezzor 24"
    assert found.source_key("Al Mayadeen") == "Al Mayadeen"
    assert found.source("Al Mayadeen") is None


def test_did_you_mean_is_bounded_by_the_registry_and_cached():
    found, _ = vocab.parse(tomllib.loads(CONFIG))
    assert found.suggest_source("Deir Ezor 24") == ' (did you mean "Deir Ezzor 24"?)'
    assert found.suggest_source("Reuter") == ' (did you mean "Reuters"?)'
    assert found.suggest_source("Al Mayadeen") == ""
    assert set(found._suggestions) == {"deir ezor 24", "reuter", "al mayadeen"}


def test_every_registry_mistake_is_named():
    config = """
    [sources.A]
    aliases = "a"
    reliability = 3
    url = "ftp://x"
    kind = "two\\nlines"
    language = "english"
    colour = "red"

    [sources.B]
    aliases = ["A"]

    [sources.C]
    """
    import textwrap

    _, problems = vocab.parse(tomllib.loads(textwrap.dedent(config)))
    assert [(p.field, p.message) for p in problems] == [
        ("sources.A.colour", "unknown key (expected one of: aliases, kind, language, reliability, url)"),
        ("sources.A.aliases", "expected an array of strings"),
        ("sources.A.reliability", "3 is not an Admiralty reliability grade (A-F)"),
        ("sources.A.url", "expected an http(s) URL, found 'ftp://x'"),
        ("sources.A.kind", "expected one line of text, found 'two\\nlines'"),
        ("sources.A.language", 'expected a BCP 47 language tag ("ar", "en-GB"), found \'english\''),
        ("sources.B.aliases", '"A" also names the source "A"'),
    ]
