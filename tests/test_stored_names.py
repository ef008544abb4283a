"""`index.rows.names` reads a stored list of names as `json.loads` does, without it where nothing was escaped."""

from __future__ import annotations

import json

from ledger.index.rows import _array, names

LISTS = [
    ("a",),
    ("2020-01-05-rockets", "2020-01-06-rally"),
    ("café", "Mossoul", "no\u00a0break"),
    ('say "hi"', "x"),
    ("back\\slash",),
    ('a", "b',),  # the separator inside a name: escaped, so read by json
    ("tab\there", "new\nline"),
    ("", " "),
    ("\u2028",),
]


def test_names_read_back_what_array_stored() -> None:
    assert names(None) == () and names("") == ()
    for items in LISTS:
        text = _array(items)
        assert text is not None
        assert names(text) == tuple(json.loads(text)) == items, items
    assert names(json.dumps(["é", "x"])) == ("é", "x")  # an older file's ASCII escapes
