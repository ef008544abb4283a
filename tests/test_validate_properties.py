"""Property: the validator returns problems or a clean pass for any input, never raises."""

from __future__ import annotations

import datetime as dt
import tomllib

import tomli_w
from conftest import VALID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import api
from ledger.core import checks
from ledger.core.errors import Problem

REL = "entries/2020/01/2020-01-05-green-zone-rockets.toml"
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(data: bytes) -> None:
    loaded = api.load_bytes(REL, data, today=dt.date(2026, 1, 1))
    assert all(isinstance(p, Problem) and p.path == REL for p in loaded.problems)
    if loaded.entry is None:
        assert loaded.problems, "an unusable file must say why"
    else:
        checks.ledger_problems([checks.Node.of(loaded.entry, REL)])
        for problem in loaded.problems:
            str(problem)
            problem.as_json()


@FAST
@given(st.binary(max_size=2000))
def test_random_bytes(data):
    check(data)


@FAST
@given(st.text(max_size=500))
def test_random_text(text):
    check(text.encode("utf-8", "surrogatepass"))


toml_scalars = st.one_of(
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True),
    st.booleans(),
    st.text(max_size=30),
    st.dates(),
    st.times(),
    st.datetimes(),
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(min_size=1, max_size=10), inner, max_size=4),
    max_leaves=20,
)
field_names = st.sampled_from(
    [
        "title",
        "date",
        "date_end",
        "time",
        "type",
        "escalation",
        "confidence",
        "status",
        "location",
        "actors",
        "casualties",
        "sources",
        "responds_to",
        "tags",
        "summary",
        "id",
        "extra",
    ]
)


@FAST
@given(st.dictionaries(st.one_of(field_names, st.text(min_size=1, max_size=8)), toml_values, max_size=12))
def test_random_toml_documents(document):
    check(tomli_w.dumps(document).encode())


@FAST
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["drop", "set", "nest"]),
            st.sampled_from(list(tomllib.loads(VALID))),
            toml_values,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_random_mutations_of_a_valid_entry(mutations):
    document = tomllib.loads(VALID)
    for action, key, value in mutations:
        if action == "drop":
            document.pop(key, None)
        elif action == "set":
            document[key] = value
        elif isinstance(document.get(key), dict):
            document[key]["x" if not isinstance(value, dict) else "best"] = value
    check(tomli_w.dumps(document).encode())


@FAST
@given(st.integers(0, len(VALID) - 1), st.integers(0, 5), st.text(max_size=5))
def test_random_edits_of_the_text(position, cut, insert):
    check((VALID[:position] + insert + VALID[position + cut :]).encode())


@FAST
@given(st.text(max_size=30), st.sampled_from(["title", "summary", "tags", "responds_to", "as_reported"]))
def test_fast_path_accepts_only_what_the_careful_checks_accept(text, name):
    from ledger.core import decoding, model, shapes

    spec = next(m for n, _, m in shapes.fields(model.Entry) if n == name)
    if decoding._quick(str, spec)(text):
        decoder = decoding._Decoder("p", lambda _f: 0)
        decoder.text(text, name, spec)
        assert decoder.problems == []
