"""The canonical layout as properties: same data back, stable, independent of key order."""

from __future__ import annotations

import datetime as dt
import random
import tomllib
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.core import schema
from ledger.store import canonical, files

# Text as people paste it: quotes, backslashes, tabs, newlines, CR, non-ASCII, runs of quotes.
TEXT = st.lists(st.sampled_from([*"ab \"'\\\t\n\rzéي—#=[]{}.,", '"""', "'''", "\xa0"]), min_size=1, max_size=30).map(
    "".join
)
LINE = st.text(alphabet=st.sampled_from(list("ab \"'\\#é—[]=")), min_size=1, max_size=30).filter(str.strip)
SLUG = st.from_regex(r"[a-z]{1,8}(-[a-z0-9]{1,5}){0,2}", fullmatch=True)
COUNT = st.one_of(
    st.integers(0, 10_000),
    st.builds(
        lambda b, lo, hi: {"best": b, "low": max(0, b - lo), "high": b + hi},
        st.integers(0, 99),
        st.integers(0, 9),
        st.integers(0, 9),
    ),
)


@st.composite
def entry_data(draw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": draw(LINE),
        "date": draw(st.dates(dt.date(1990, 1, 1), dt.date(2020, 12, 31))),
        "type": draw(st.sampled_from(["airstrike", "raid", "other"])),
        "escalation": draw(st.integers(0, 7)),
        "confidence": "reported",
    }
    if draw(st.booleans()):
        data["time"] = draw(st.times().map(lambda t: t.replace(microsecond=0)))
    if draw(st.booleans()):
        data["tags"] = draw(st.lists(SLUG, max_size=15, unique=True))
    if draw(st.booleans()):
        data["summary"] = draw(TEXT)
    location: dict[str, Any] = {"name": draw(LINE), "country": "IQ"}
    if draw(st.booleans()):
        location["lat"] = draw(st.floats(-90, 90, allow_nan=False))
        location["lon"] = draw(st.floats(-180, 180, allow_nan=False))
    data["location"] = location
    if draw(st.booleans()):
        data["actors"] = {"perpetrators": draw(st.lists(LINE, max_size=4))}
    if draw(st.booleans()):
        data["casualties"] = {"killed": draw(COUNT), "note": draw(LINE)}
    data["sources"] = [
        {"name": draw(LINE), **({"quote": draw(TEXT)} if draw(st.booleans()) else {})}
        for _ in range(draw(st.integers(1, 3)))
    ]
    return data


def shuffled(data: dict[str, Any], seed: int) -> dict[str, Any]:
    items = list(data.items())
    random.Random(seed).shuffle(items)
    return {k: shuffled(v, seed) if isinstance(v, dict) else v for k, v in items}


@settings(max_examples=150, deadline=None)
@given(entry_data(), st.integers(0, 1000))
def test_canonical_text_holds_the_same_data_and_is_stable(data: dict[str, Any], seed: int) -> None:
    text = canonical.dumps(shuffled(data, seed))
    assert canonical.same_data(tomllib.loads(text), data)  # the stdlib parser agrees
    assert canonical.same_data(files._PARSER(text), data)  # and so does the one the ledger reads with
    assert text == canonical.dumps(data)  # key order in the input does not matter
    again = canonical.reformat(text)
    assert again.text == text


@settings(max_examples=60, deadline=None)
@given(entry_data())
def test_decoded_entries_survive_the_layout(data: dict[str, Any]) -> None:
    entry, problems = schema.decode(data, entry_id="2020-01-05-x")
    if entry is None or problems:
        return  # only valid data is written by new and import
    text = canonical.dumps(schema.to_toml_data(entry))
    back, problems = schema.decode(tomllib.loads(text), entry_id="2020-01-05-x")
    assert problems == [] and back == entry


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(),
        st.integers(-(2**63), 2**63 - 1),
        st.floats(allow_nan=False),
        st.booleans(),
        st.dates(),
        st.times(),
        st.lists(st.text(max_size=5), max_size=3),
    )
)
def test_values_are_written_as_tomli_w_writes_them(value: Any) -> None:
    import tomli_w

    assert canonical._value(value) == tomli_w.dumps({"v": value})[len("v = ") : -1].replace("[\n    ", "[").replace(
        ",\n    ", ", "
    ).replace(",\n]", "]")
