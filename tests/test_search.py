"""`ledger search`: ranked full-text search that finds every spelling, script and small typo of a name."""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import entry
from hypothesis import given, settings
from hypothesis import strategies as st
from test_timeline_synth import copy_sample

from ledger.core import model, names
from ledger.index.fts import search_row
from ledger.query import search as plan_search

# -- the sample ledger: every variant finds exactly the entries that name the thing --------

# variants (hand-built from public reporting) -> what an entry must say, in its own spelling,
# to be about that name (the oracle reads the files with a regex, not through the index)
GROUPS: dict[str, tuple[list[str], str]] = {
    "soleimani": (
        ["Soleimani", "Solemani", "Suleimani", "Sulaymani", "Soleymani", "Suleymany", "SOLEIMANI"],
        r"soleimani|solemani",
    ),
    "qasem soleimani": (
        ["Qasem Soleimani", "Qassem Suleimani", "Qasim Sulaymani", "Kassem Soleymani", "Qasem Solemani"],
        r"qasem (soleimani|solemani)",
    ),
    "al-muhandis": (["al-Muhandis", "Muhandis", "Almuhandis", "el-Mohandes", "Abu Mahdi al-Muhandis"], r"muhandis"),
    "albukamal": (
        ["Albukamal", "Al-Bukamal", "Abu Kamal", "Al Bukamal", "Boukamal", "البوكمال", "البُوكَمال", "ALBUKAMAL"],
        r"albukamal|al-bukamal|abu kamal|bukamal",
    ),
    "deir ez-zor": (
        [
            "Deir ez-Zor",
            "Deir Ezzor",
            "Deir Ezor",
            "Dayr az Zawr",
            "Dayr az-Zawr",
            "Deir al-Zor",
            "دير الزور",
            "دیر الزور",
        ],
        r"deir ez-zor|deir ezzor|deir al-zor|dayr az-zawr|deir ez-zour",
    ),
    "hashd al-shaabi": (
        ["Hashd al-Shaabi", "al-Hashd al-Shaabi", "Hashd Shaabi", "الحشد الشعبي", "PMF", "Popular Mobilisation Forces"],
        r"\bpmf\b|popular mobili[sz]ation forces|hashd",
    ),
    "kataib hezbollah": (
        ["Kataib Hezbollah", "Kata'ib Hizballah", "Kataib Hizbullah", "Kataeb Hezbollah", "كتائب حزب الله"],
        r"kata'?ib hezbollah|\bkh\b|hezbollah brigades",
    ),
}


def _searchable(path: Path) -> str:
    """The text of an entry that search looks at, as written."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    loc, actors = data["location"], data.get("actors", {})
    parts = [data["title"], data.get("summary", ""), data.get("as_reported", ""), loc.get("description", "")]
    parts += [loc["name"], loc.get("admin1", ""), loc.get("admin2", "")]
    parts += [n for key in ("perpetrators", "targets", "associated") for n in actors.get(key, [])]
    parts += [x for s in data["sources"] for x in (s["name"], s.get("quote", ""))]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_sample(tmp_path_factory.mktemp("search"))


def _ids(cli: Callable[..., Any], root: Path, *args: str) -> list[str]:
    result = cli("search", "--ledger", str(root), "-f", "ids", *args)
    assert result.status == 0, result.err
    return result.out.split()


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_every_variant_finds_exactly_the_entries_naming_it(sample: Path, cli: Callable[..., Any], group: str) -> None:
    variants, pattern = GROUPS[group]
    expected = {
        p.stem for p in (sample / "entries").rglob("*.toml") if re.search(pattern, _searchable(p), re.IGNORECASE)
    }
    assert expected, f"the sample names {group}"
    for variant in variants:
        found = _ids(cli, sample, variant)
        assert set(found) == expected, (variant, set(found) ^ expected)  # recall and precision
        assert len(found) == len(set(found))


def test_a_short_name_is_not_matched_by_edit_distance(sample: Path, cli: Callable[..., Any]) -> None:
    qaim = set(_ids(cli, sample, "Al-Qaim"))
    assert qaim and not qaim & set(_ids(cli, sample, "Qasim"))  # one letter apart, different names
    assert _ids(cli, sample, "Qasim") == _ids(cli, sample, "Qasem")


# -- a ledger with Arabic entries ------------------------------------------------------------

ARABIC_TITLE = "غارة أمريكية تقتل قاسم سليماني وأبو مهدي المهندس قرب مطار بغداد"
ARABIC_SUMMARY = "قُتِلَ قائد فيلق القدس قاسِم سُلَيْماني مع قادة من الميليشيات العراقية."


@pytest.fixture
def arabic(make_ledger: Callable[..., Path]) -> Path:
    other = 'summary = "Katyusha rockets fell near Al-Qaim; the Iraqi militias denied it."\n'
    return make_ledger(
        {
            "2020-01-03-arabic": entry(
                title=ARABIC_TITLE, type="airstrike", extra=f'summary = "{ARABIC_SUMMARY}"\n', place="مطار بغداد"
            ),
            "2020-01-03-latin": entry(title="US strike kills Qasem Soleimani at Baghdad airport", type="airstrike"),
            "2020-01-06-rockets": entry(title="Rockets near Al-Qaim", date="2020-01-06", extra=other),
            "2020-01-07-qaim": entry(title="قصف صاروخي على مدينة القائم", date="2020-01-07", country="IQ"),
        },
        config='[actors."Qasem Soleimani"]\naliases = ["قاسم سليماني"]\n',
    )


@pytest.mark.parametrize(
    "variant",
    ["قاسم سليماني", "قاسِم سُلَيْماني", "قاسم سلیمانی", "قاســم سليماني", unicodedata.normalize("NFD", "قاسِم سُلَيْماني")],
)
def test_arabic_spellings_find_the_arabic_and_through_ledger_toml_the_latin_entry(
    arabic: Path, cli: Callable[..., Any], variant: str
) -> None:
    assert set(_ids(cli, arabic, variant)) == {"2020-01-03-arabic", "2020-01-03-latin"}


def test_latin_spellings_reach_the_arabic_entry_through_ledger_toml(arabic: Path, cli: Callable[..., Any]) -> None:
    assert set(_ids(cli, arabic, "Qasim Sulaymani")) == {"2020-01-03-arabic", "2020-01-03-latin"}
    (arabic / "ledger.toml").unlink()
    assert _ids(cli, arabic, "Qasim Sulaymani") == ["2020-01-03-latin"]
    assert _ids(cli, arabic, "قاسم سليماني") == ["2020-01-03-arabic"]


def test_arabic_letter_forms_and_a_typo(arabic: Path, cli: Callable[..., Any]) -> None:
    assert _ids(cli, arabic, "ابو مهدي المهندس") == ["2020-01-03-arabic"]  # أ written bare
    assert _ids(cli, arabic, "المهندس") == ["2020-01-03-arabic"]
    assert _ids(cli, arabic, "مهندس") == ["2020-01-03-arabic"]  # without the article: by sound
    assert _ids(cli, arabic, "الميليشيات") == ["2020-01-03-arabic"]
    assert _ids(cli, arabic, "الميلشيات") == ["2020-01-03-arabic"]  # the common misspelling: by edit distance
    assert _ids(cli, arabic, "القائم") == ["2020-01-07-qaim"]
    assert _ids(cli, arabic, "القايم") == ["2020-01-07-qaim"]  # hamza carrier written as ya


def test_exact_matches_come_before_sound_before_edit_distance(
    make_ledger: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    root = make_ledger(
        {
            "2020-01-01-close": entry(title="Soleinani convoy hit", date="2020-01-01"),  # a typo: edit distance
            "2020-01-02-sound": entry(title="Sulaymani convoy hit", date="2020-01-02"),  # a transliteration
            "2020-01-03-exact": entry(title="Soleimani convoy hit", date="2020-01-03"),
            "2020-01-04-exact-twice": entry(
                title="Soleimani and Soleimani", date="2020-01-04", extra='summary = "Soleimani again."\n'
            ),
            "2020-01-05-other": entry(title="Salami convoy hit", date="2020-01-05"),
        }
    )
    assert _ids(cli, root, "soleimani") == [
        "2020-01-04-exact-twice",
        "2020-01-03-exact",
        "2020-01-02-sound",
        "2020-01-01-close",
    ]
    assert _ids(cli, root, "soleimani", "--reverse")[0] == "2020-01-01-close"
    assert _ids(cli, root, "soleimani", "--sort", "date")[0] == "2020-01-01-close"
    assert _ids(cli, root, "soleimani", "--limit", "1") == ["2020-01-04-exact-twice"]
    assert _ids(cli, root, "soleimani", "convoy") == ["2020-01-03-exact", "2020-01-02-sound", "2020-01-01-close"]


def test_a_name_found_by_its_sound_ranks_the_incidents_titled_by_it_first(
    make_ledger: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    """`Solemani` (a misspelling) finds every entry naming Soleimani by sound: the strike titled by him comes
    before the long entries that only mention him, as it does for the right spelling."""
    mention = 'summary = "Closed after the Soleimani strike."\n'
    told = "A drone fired missiles at two cars leaving the airport road shortly after midnight; officials of"
    told += " several governments confirmed the deaths of the commander and of the militia leader travelling"
    told += " with him, and crowds mourned them in many cities during the following days and weeks."
    root = make_ledger(
        {
            "2020-01-03-strike": entry(
                title="Air strike kills Soleimani in Baghdad", date="2020-01-03", extra=f'summary = "{told}"\n'
            ),
            "2020-01-04-crossing": entry(title="Crossing closed", date="2020-01-04", extra=mention),
            "2020-01-05-alert": entry(title="Militias on alert", date="2020-01-05", extra=mention),
        }
    )
    for spelling in ("Soleimani", "Solemani"):
        assert _ids(cli, root, spelling)[0] == "2020-01-03-strike", spelling


def test_an_alias_in_capitals_matches_only_where_the_text_writes_it_so(
    make_ledger: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    """`IS` (Islamic State) and `US` (United States): not the verb "is", not the pronoun "us"."""
    config = (
        '[actors."Islamic State"]\naliases = ["ISIS", "IS", "Daesh"]\n\n'
        '[actors."United States"]\naliases = ["US", "USA"]\n'
    )
    root = make_ledger(
        {
            "2020-01-01-verb": entry(
                title="The crossing is closed", date="2020-01-01", extra='summary = "Let us wait."\n'
            ),
            "2020-01-02-acronym": entry(title="IS fighters shell positions", date="2020-01-02"),
            "2020-01-03-name": entry(title="Islamic State attack", date="2020-01-03"),
            "2020-01-04-actor": entry(title="Shelling near the river", date="2020-01-04", perpetrators=["IS"]),
            "2020-01-05-us": entry(
                title="Strike on a convoy", date="2020-01-05", extra='summary = "US forces struck."\n'
            ),
        },
        config,
    )
    found = {"2020-01-02-acronym", "2020-01-03-name", "2020-01-04-actor"}
    for query in ("ISIS", "IS", "is", "Daesh", "Islamic State"):
        assert set(_ids(cli, root, query)) == found, query
    assert _ids(cli, root, "United States") == ["2020-01-05-us"]
    assert _ids(cli, root, "US") == ["2020-01-05-us"]


def test_acronyms_are_the_short_words_in_capitals() -> None:
    assert names.acronyms("IS fighters and US-led forces, the USA, the IRGC, Is it so? iS") == ["is", "us", "usa"]
    assert [names.is_acronym(s) for s in ("IS", " US ", "USA", "IRGC", "Is", "U.S.", "I")] == [
        True, True, True, False, False, False, False,
    ]  # fmt: skip


def test_filters_work_as_options_and_as_terms(sample: Path, cli: Callable[..., Any]) -> None:
    everything = _ids(cli, sample, "Albukamal")
    airstrikes = _ids(cli, sample, "Albukamal", "--type", "airstrike")
    assert airstrikes and set(airstrikes) < set(everything)
    assert _ids(cli, sample, "Albukamal", "type:airstrike") == airstrikes
    assert set(_ids(cli, sample, "Albukamal", "not:type:airstrike")) == set(everything) - set(airstrikes)
    listed = cli("list", "--ledger", str(sample), "-f", "ids", "--type", "airstrike").out.split()
    assert set(airstrikes) <= set(listed)


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "tsv", "markdown", "table"])
def test_every_list_format(sample: Path, cli: Callable[..., Any], fmt: str) -> None:
    found = cli("search", "--ledger", str(sample), "al-Muhandis", "-f", fmt)
    listed = cli(
        "list", "--ledger", str(sample), "-f", fmt, "id:2020-01-03-us-airstrike-kills-soleimani-and-muhandis-in-baghdad"
    )
    assert found.status == 0 and found.out == listed.out
    if fmt == "json":
        assert json.loads(found.out)[0]["id"].startswith("2020-01-03-us-airstrike")


def test_nothing_to_search_for_is_a_usage_error(sample: Path, cli: Callable[..., Any]) -> None:
    for args in (["--", "-"], ["type:airstrike"], ["  "]):
        result = cli("search", "--ledger", str(sample), *args)
        assert (result.status, result.out) == (2, ""), args
        assert "nothing to search for" in result.err
    bad = cli("search", "--ledger", str(sample), "Albukamal", "escalation>=x")
    assert bad.status == 2 and "^" in bad.err
    assert cli("search", "--ledger", str(sample)).status == 2  # TEXT is required


def test_explain_shows_the_folding_the_vocabulary_and_the_near_words(sample: Path, cli: Callable[..., Any]) -> None:
    result = cli(
        "search", "--ledger", str(sample), "Abu Kamal", "Sulaymani", "Headquartrs", "type:airstrike", "--explain"
    )
    assert (result.status, result.out) == (0, "")
    assert result.err.splitlines() == [
        "search: Abu Kamal Sulaymani Headquartrs",
        "folded: abu kamal sulaymani headquartrs",
        "an entry must hold each of:",
        '  "abu kamal" = Albukamal (ledger.toml): albukamal or "al bukamal" or "abu kamal" or bukamal or البوكمال',
        "    sounding like: b0k0m0l or بوكمال",
        '  "sulaymani": sulaymani',
        "    sounding like: s0l0m0n0",
        "    within 2 edit(s): none in the index",
        '  "headquartrs": headquartrs',
        "    sounding like: h0dk0rtrs",
        "    within 2 edit(s): headquarters",
        "order: exact matches, then by sound, then by edit distance; bm25 within each",
        "filters: type:airstrike",
        "matches:",
        "  type is airstrike",
        "withdrawn entries: left out (--withdrawn or status: in the query brings them in)",
    ]
    plain = cli("search", "--ledger", str(sample), "Albukamal", "--explain", "--sort", "date").err.splitlines()
    assert plain[-3:] == [
        "filters: none",
        "withdrawn entries: left out (--withdrawn or status: in the query brings them in)",
        "order: date, time (unknown first), id",
    ]


def test_the_index_follows_edits_and_removals(make_ledger: Callable[..., Path], cli: Callable[..., Any]) -> None:
    root = make_ledger({"2020-01-05-a": entry(title="Strike near Albukamal"), "2020-01-05-b": entry(title="Other")})
    assert _ids(cli, root, "Albukamal") == ["2020-01-05-a"]
    path = root / "entries/2020/01/2020-01-05-a.toml"
    path.write_text(entry(title="Strike near Mayadin"), encoding="utf-8")
    (root / "entries/2020/01/2020-01-05-b.toml").write_text(entry(title="Albukamal again"), encoding="utf-8")
    assert _ids(cli, root, "Albukamal") == ["2020-01-05-b"]
    assert _ids(cli, root, "Mayadin") == ["2020-01-05-a"]
    path.unlink()
    assert _ids(cli, root, "Mayadin") == []
    assert cli("index", "--ledger", str(root), "--rebuild").status == 0
    assert _ids(cli, root, "Albukamal") == ["2020-01-05-b"]


# -- properties: spellings Unicode holds equal index alike -----------------------------------

MARKS = "\u0301\u0300\u0308\u0327\u064e\u064f\u0650\u0651\u0652"
LETTERS = "abcdeiklmnorstuzABDEKLMQSZاأإآبتدرزسشعقكلمنهةوىيی "


def _entry(title: str, place: str) -> model.Entry:
    return model.Entry(
        id="2020-01-01-x",
        title=title,
        date=dt.date(2020, 1, 1),
        type=model.EventType.AIRSTRIKE,
        escalation=5,
        confidence=model.Confidence.REPORTED,
        location=model.Location(place, "SY"),
        sources=(model.Source("Reuters"),),
    )


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=LETTERS, min_size=1, max_size=30), st.data())
def test_nfc_nfd_and_diacritic_variants_index_alike(text: str, data: st.DataObject) -> None:
    marked = "".join(c + (data.draw(st.sampled_from(["", *MARKS])) if c.strip() else "") for c in text)
    rows = {
        search_row(_entry(variant, variant))[:5]
        for variant in (
            text,
            unicodedata.normalize("NFC", marked),
            unicodedata.normalize("NFD", marked),
            unicodedata.normalize("NFKC", text.upper()),
        )
    }
    assert len(rows) == 1


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_a_query_plans_the_same_in_every_normal_form(text: str) -> None:
    plans = {plan_search.plan(unicodedata.normalize(form, text)).concepts for form in ("NFC", "NFD", "NFKC")}
    assert len(plans) == 1
