"""`NearIds.nearest` answers what difflib's get_close_matches answers over the same candidates."""

from __future__ import annotations

import difflib
import random

from ledger.core.nearby import NearIds


def _ids(rng: random.Random, count: int, letters: str) -> list[str]:
    days = ["2020-01-05", "2020-01-06", "2021-11-30"]
    return [
        f"{rng.choice(days)}-{''.join(rng.choice(letters) for _ in range(rng.randint(1, 14)))}" for _ in range(count)
    ]


def _typo(rng: random.Random, word: str) -> str:
    chars = list(word)
    for _ in range(rng.randint(0, 4)):
        i = rng.randrange(len(chars))
        chars[i : i + rng.randint(0, 2)] = rng.choice(["", "x", "ab", chars[i]])
    return "".join(chars)


def test_nearest_is_difflibs_choice() -> None:
    rng = random.Random(3)
    chosen = 0
    for round_ in range(60):
        letters = "ab-" if round_ % 2 else "abcdefgh-"  # few letters: many ties in the ratio
        ids = _ids(rng, 40, letters)
        near = NearIds(ids)
        for _ in range(25):
            word = _typo(rng, rng.choice(ids)) if rng.random() < 0.8 else _ids(rng, 1, letters)[0]
            expected = difflib.get_close_matches(word.lower(), near.candidates(word), n=1, cutoff=0.6)
            assert near.nearest(word) == (expected[0] if expected else None), word
            chosen += bool(expected)
    assert chosen > 500


def test_a_mistyped_id_is_found_and_a_stranger_is_not() -> None:
    near = NearIds(["2020-01-05-green-zone-rocket", "2020-01-05-market-blast", "2019-03-02-green-zone-rocket"])
    assert near.nearest("2020-01-05-green-zone-rockets") == "2020-01-05-green-zone-rocket"
    assert near.nearest("2020-01-50-green-zone-rocket") == "2020-01-05-green-zone-rocket"
    assert near.nearest("2020-01-05-xyzzy-plugh-quux-foo") is None


def test_ties_and_loose_bounds_are_settled_as_difflib_settles_them() -> None:
    """Short ids of three letters: equal ratios, and bounds above the ratio, are common."""
    rng = random.Random(1)
    for _ in range(5000):
        ids = [f"2020-01-05-{''.join(rng.choice('abc') for _ in range(rng.randint(3, 9)))}" for _ in range(6)]
        word = f"2020-01-05-{''.join(rng.choice('abc') for _ in range(rng.randint(3, 9)))}"
        near = NearIds(ids)
        expected = difflib.get_close_matches(word, near.candidates(word), n=1, cutoff=0.6)
        assert near.nearest(word) == (expected[0] if expected else None), (word, ids)
