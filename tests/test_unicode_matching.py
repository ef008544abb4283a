"""Every text match compares folded text: NFC and NFD spellings, case and accents never split a match."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import entry

NFC = "Albükamal"
NFD = unicodedata.normalize("NFD", NFC)
assert NFC != NFD

ARABIC = "البوكمال"
ARABIC_MARKED = "البُوكَمَال"  # with harakat


def _ledger(make_ledger: Callable[..., Path], place: str, actor: str = "Liwa Fatemiyoun") -> Path:
    tables = f'[actors]\nperpetrators = ["{actor}"]\n'
    return make_ledger({"2020-01-05-strike": entry(title=f"Strike near {place}", place=place, tables=tables)})


@pytest.mark.parametrize(
    ("stored", "asked"), [(NFD, NFC), (NFC, NFD), (ARABIC_MARKED, ARABIC), (ARABIC, ARABIC_MARKED)]
)
@pytest.mark.parametrize("how", ["--place", "--text", "place:", "text:"])
def test_place_and_text_match_whatever_the_normal_form(
    make_ledger: Callable[..., Path], cli: Callable[..., Any], stored: str, asked: str, how: str
) -> None:
    root = _ledger(make_ledger, stored)
    args = [how, asked] if how.startswith("--") else [how + asked]
    result = cli("list", "--ledger", str(root), "-f", "ids", *args)
    assert result.status == 0, result.err
    assert result.out == "2020-01-05-strike\n"


def test_actor_and_source_match_whatever_the_normal_form(
    make_ledger: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    actor = "Liwā' Fāṭimiyūn"
    root = _ledger(make_ledger, "X", unicodedata.normalize("NFD", actor))
    assert cli("list", "--ledger", str(root), "-f", "ids", "--actor", actor).out == "2020-01-05-strike\n"
    assert cli("list", "--ledger", str(root), "-f", "ids", "--actor", "liwa fatimiyun").out == "2020-01-05-strike\n"
    assert cli("list", "--ledger", str(root), "-f", "ids", "--actor", "Liwa").out == ""  # whole names only


def test_aliases_in_ledger_toml_match_whatever_the_normal_form(
    make_ledger: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    config = f'[places."Albukamal"]\naliases = ["{NFD}", "{ARABIC_MARKED}"]\n'
    root = make_ledger({"2020-01-05-strike": entry(place="Albukamal")}, config=config)
    for asked in (NFC, ARABIC, "ALBUKAMAL"):
        assert cli("list", "--ledger", str(root), "-f", "ids", "--place", asked).out == "2020-01-05-strike\n", asked


def test_the_duplicate_warning_sees_an_nfc_nfd_pair(make_ledger: Callable[..., Path], cli: Callable[..., Any]) -> None:
    root = make_ledger({"2020-01-05-a": entry(place=NFC), "2020-01-05-b": entry(place=NFD)})
    result = cli("validate", "--ledger", str(root))
    assert "possible duplicate of 2020-01-05-b" in result.out, result.out


def test_dupes_sees_an_nfc_nfd_pair(make_ledger: Callable[..., Path], cli: Callable[..., Any]) -> None:
    tables = '[actors]\nperpetrators = ["{}"]\n'
    root = make_ledger(
        {
            "2020-01-05-a": entry(place=NFC, tables=tables.format("Kataib Hezbollah")),
            "2020-01-05-b": entry(place=NFD, tables=tables.format(unicodedata.normalize("NFD", "KATAIB HEZBOLLAH"))),
        }
    )
    result = cli("dupes", "--ledger", str(root), "-f", "json")
    assert result.status == 1, result.err
    (pair,) = json.loads(result.out)
    assert pair["same_place_name"] and pair["parts"]["who"] == 1.0  # the same place, the same perpetrator


def test_dupes_sees_one_incident_under_two_transliterations(
    make_ledger: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    tables = '[actors]\nperpetrators = ["{}"]\n'
    root = make_ledger(
        {
            "2020-01-05-a": entry(place="Deir Ezzor", country="SY", tables=tables.format("Kata'ib Hizballah")),
            "2020-01-05-b": entry(place="Dayr az-Zawr", country="SY", tables=tables.format("Kataib Hezbollah")),
            "2020-01-05-c": entry(place="Dayr Hafir", country="SY", tables=tables.format("Kataib Hezbollah")),
        }
    )
    result = cli("dupes", "--ledger", str(root), "-f", "json")
    assert result.status == 1, result.err
    (pair,) = json.loads(result.out)  # not Dayr Hafir: another place
    assert {pair["first"]["id"], pair["second"]["id"]} == {"2020-01-05-a", "2020-01-05-b"}
    assert pair["same_place_name"] and pair["parts"]["who"] == 1.0
