"""The query language: tokens -> parser -> AST, the printed form, and syntax errors with a caret."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.core.errors import UsageError
from ledger.query import And, Not, Or, QuerySyntaxError, Term, parse, unparse


def t(field: str, *values: str, op: str = ":") -> Term:
    return Term(field, op, values)


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("", None),
        ("   ", None),
        ("type:airstrike", t("type", "airstrike")),
        ("type:airstrike,drone-strike", t("type", "airstrike", "drone-strike")),
        ('actor:"Iran-backed militias"', t("actor", "Iran-backed militias")),
        ("actor:'Kataib Hezbollah'", t("actor", "Kataib Hezbollah")),
        ("escalation>=3", t("escalation", "3", op=">=")),
        ("killed>0", t("killed", "0", op=">")),
        ("injured:1..5", t("injured", "1..5")),
        ("date:2020-01", t("date", "2020-01")),
        ("date:2020-01-03..2020-01-07", t("date", "2020-01-03..2020-01-07")),
        ("date:..2020-01-07", t("date", "..2020-01-07")),
        ("on:2020", t("date", "2020")),
        ("since:2020-01-03 until:2020-01", And((t("since", "2020-01-03"), t("until", "2020-01")))),
        ("date>=2020-01-05", t("date", "2020-01-05", op=">=")),
        ("TYPE:Airstrike", t("type", "Airstrike")),
        ("Albukamal", t("text", "Albukamal")),
        ('"green zone"', t("text", "green zone")),
        ("U.S.", t("text", "U.S.")),
        ("not:confidence:unverified", Not(t("confidence", "unverified"))),
        ("not:not:tag:x", Not(Not(t("tag", "x")))),
        ("a b", And((t("text", "a"), t("text", "b")))),
        ("a and b", And((t("text", "a"), t("text", "b")))),
        ("a or b", Or((t("text", "a"), t("text", "b")))),
        ("a OR b", Or((t("text", "a"), t("text", "b")))),
        ("a b or c", Or((And((t("text", "a"), t("text", "b"))), t("text", "c")))),
        ("a (b or c)", And((t("text", "a"), Or((t("text", "b"), t("text", "c")))))),
        ("not:(a or b)", Not(Or((t("text", "a"), t("text", "b"))))),
        ("(a)", t("text", "a")),
        ("((a b) c)", And((And((t("text", "a"), t("text", "b"))), t("text", "c")))),
        (
            "tags:x actors:IRGC sources:AP esc:3",
            And((t("tag", "x"), t("actor", "IRGC"), t("source", "AP"), t("escalation", "3"))),
        ),
        ('text:"a,b" text:a\\b', And((t("text", "a,b"), t("text", "a\\b")))),
        ('text:"say \\"hi\\""', t("text", 'say "hi"')),
        ("text:Kata'ib", t("text", "Kata'ib")),
        ("country:sy", t("country", "sy")),
        ("country:Syria,IRQ", t("country", "SY", "IQ")),  # a name or an alpha-3 code is kept as its ISO code
        ('country:"syrian arab republic"', t("country", "SY")),
        ("status:withdrawn", t("status", "withdrawn")),
    ],
)
def test_parses_to_the_expected_tree(text, tree):
    assert parse(text) == tree


def test_a_country_by_name_is_the_same_question_as_by_code():
    from ledger.query.options import from_options

    assert from_options({"country": ["Iraq", "syria"]}) == parse("country:Iraq,Syria") == parse("country:IQ,SY")
    with pytest.raises(UsageError, match='--country: "Narnia" is not a country'):
        from_options({"country": ["Narnia"]})


def test_the_design_example():
    text = (
        'type:airstrike,drone-strike actor:"Iran-backed militias" date:2020-01 escalation>=3 not:confidence:unverified'
    )
    assert parse(text) == And(
        (
            t("type", "airstrike", "drone-strike"),
            t("actor", "Iran-backed militias"),
            t("date", "2020-01"),
            t("escalation", "3", op=">="),
            Not(t("confidence", "unverified")),
        )
    )
    assert unparse(parse(text)) == text


def caret(text: str) -> str:
    with pytest.raises(QuerySyntaxError) as info:
        parse(text)
    err = info.value
    return f"{err.message}\n{err.caret(text)}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tpye:airstrike", 'unknown field "tpye" (did you mean "type"?)\ntpye:airstrike\n^'),
        ("type:airstirke", 'airstirke" is not a type'),
        (
            "escalation>=9",
            '"9" is past the top of the ladder (escalation goes from 0 to 7)\nescalation>=9\n            ^',
        ),
        ("esc:5..8", '"5..8" is past the top of the ladder (escalation goes from 0 to 7)\nesc:5..8\n    ^'),
        ("country:Narnia", '"Narnia" is not a country (a two-letter ISO code or a name)\ncountry:Narnia\n        ^'),
        ("date:2020-13", '"2020-13" is not a valid date\ndate:2020-13\n     ^'),
        ("date:yesterday", '"yesterday" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)'),
        ("date:2020-01-07..2020-01-03", '"2020-01-07..2020-01-03" ends before it starts'),
        ("date:..", '".." needs at least one end'),
        ("since:2020..2021", "since: takes one date, not a range"),
        ("escalation:high", '"high" is not a whole number'),
        ("escalation>=3..4", "escalation>= takes one number, not a range"),
        ("escalation>=3,4", "escalation>= takes one value\nescalation>=3,4\n             ^"),
        ("type>airstrike", 'type cannot be compared with ">" (write type:VALUE)\ntype>airstrike\n    ^'),
        ("type:", "expected a value after type:\ntype:\n     ^"),
        ("type:raid,", "expected a value\ntype:raid,\n          ^"),
        ("type:airstrike,,shelling", "expected a value\ntype:airstrike,,shelling\n               ^"),
        ('"unclosed', 'quote is never closed\n"unclosed\n^'),
        ('actor:"IRGC', 'quote is never closed\nactor:"IRGC\n      ^'),
        ('"a"b', 'expected a space after the closing quote\n"a"b\n   ^'),
        ('ab"c', 'unexpected quote inside a word (quote the whole value)\nab"c\n  ^'),
        ("(type:airstrike", "'(' is never closed\n(type:airstrike\n^"),
        ("type:airstrike)", "unexpected ')' (no '(' opens it)\ntype:airstrike)\n              ^"),
        ("()", "empty parentheses\n()\n ^"),
        ("or type:a", '"or" needs a term before it (quote it to search the word)\nor type:a\n^'),
        ("type:raid or", "expected a term, found the end of the query\ntype:raid or\n            ^"),
        ("type:raid or or", '"or" needs a term before it'),
        ("not:", 'expected a term right after "not:"\nnot:\n    ^'),
        ("not: type:a", 'expected a term right after "not:"'),
        ('""', 'expected a term\n""\n^'),
        ("a\x1bb", "the query holds a control or invalid character (U+001B)\na?b\n ^"),
        ("a\u202eb", "the query holds a control or invalid character (U+202E)\na?b\n ^"),  # a bidi override
        ("a\x85b", "the query holds a control or invalid character (U+0085)\na b\n ^"),  # C1, as model.CONTROL
    ],
)
def test_syntax_errors_point_at_the_column(text, expected):
    assert expected in caret(text)


def test_syntax_error_is_a_usage_error_with_position():
    with pytest.raises(UsageError) as info:
        parse("type:raid tpye:b")
    assert isinstance(info.value, QuerySyntaxError)
    assert info.value.position == 10
    assert str(info.value) == 'query: unknown field "tpye" (did you mean "type"?) (column 11)'
    assert info.value.context() == ["type:raid tpye:b", "          ^"]


def test_caret_replaces_tabs_so_the_column_lines_up():
    with pytest.raises(QuerySyntaxError) as info:
        parse("a\tb)")
    assert info.value.caret("a\tb)") == "a b)\n   ^"


@pytest.mark.parametrize(
    "text",
    [
        "type:airstrike,drone-strike",
        'actor:"Iran-backed militias" or place:Albukamal',
        "a b or c (d or e) not:(x y)",
        'text:"a,b" text:"x y" text:"q\\"uote"',
        "killed>0 injured:1..5 date:..2020-01 escalation<7",
        "not:not:status:withdrawn",
    ],
)
def test_printed_form_parses_back_to_the_same_tree(text):
    tree = parse(text)
    assert parse(unparse(tree)) == tree


# -- properties ----------------------------------------------------------------------------

ALPHABET = st.sampled_from(
    [*"abtyp:,.()\"' \t-<>=0123456789\\", "type", "or", "not:", "date:", "2020-01", "é", "\x00", "\ud800"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(ALPHABET, max_size=20).map("".join))
def test_random_text_parses_or_raises_the_one_error_with_a_position(text):
    try:
        tree = parse(text)
    except QuerySyntaxError as err:
        assert 0 <= err.position <= len(text)
        assert err.caret(text).count("\n") == 1
    else:
        assert tree is None or parse(unparse(tree)) == tree


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_any_unicode_text_parses_or_raises_the_one_error(text):
    try:
        tree = parse(text)
    except QuerySyntaxError as err:
        assert 0 <= err.position <= len(text)
    else:
        assert tree is None or parse(unparse(tree)) == tree


VALUES = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=8)
TERMS = st.one_of(
    st.builds(lambda vs: Term("text", ":", tuple(vs)), st.lists(VALUES, min_size=1, max_size=3)),
    st.builds(lambda vs: Term("actor", ":", tuple(vs)), st.lists(VALUES, min_size=1, max_size=2)),
    st.builds(lambda v: Term("type", ":", (v,)), st.sampled_from(["airstrike", "shelling", "Raid"])),
    st.builds(
        lambda op, n: Term("escalation", op, (str(n),)), st.sampled_from([">=", "<=", ">", "<", "="]), st.integers(0, 7)
    ),
    st.builds(lambda v: Term("date", ":", (v,)), st.sampled_from(["2020", "2020-01", "2020-01-05..2020-02", "..2021"])),
)
TREES = st.recursive(
    TERMS,
    lambda inner: st.one_of(
        st.builds(lambda xs: And(tuple(xs)), st.lists(inner, min_size=2, max_size=3)),
        st.builds(lambda xs: Or(tuple(xs)), st.lists(inner, min_size=2, max_size=3)),
        st.builds(Not, inner),
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(TREES)
def test_any_tree_round_trips_through_its_printed_form(tree):
    assert parse(unparse(tree)) == tree
