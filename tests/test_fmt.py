"""`ledger fmt`: the canonical layout, --check / --diff, comments, invalid files, atomic writes."""

from __future__ import annotations

import datetime as dt
import os
import stat
import tomllib
from pathlib import Path

from conftest import VALID, posix_only

from ledger.store import canonical, writing

ID = "2020-01-05-green-zone-rockets"
REL = f"entries/2020/01/{ID}.toml"

# VALID with its keys shuffled, a table before a top-level key, an inline location and odd spacing.
MESSY = """\
[[sources]]
name="Reuters"
published=2020-01-05
url = "https://example.org/a"
reliability='B'
credibility = "2"
"""

MESSY_TOP = """\
type = "rocket-attack"
summary = "Six rockets fell in and near the Green Zone."
date = 2020-01-05
tags = [ "green-zone" ]
title = "Rockets hit the Green Zone"
escalation = 4
confidence = "reported"
time_of_day = "evening"
location = { name = "Green Zone", country = "IQ", admin1 = "Baghdad", lat = 33.305, lon = 44.385, precision = "town" }
casualties.injured = { high = 5, low = 2, best = 3 }
casualties.note = "several civilians"

[actors]
attribution = "suspected"
targets = ["US forces"]
perpetrators = ["Iran-backed militias"]
"""


def messy() -> str:
    return MESSY_TOP + "\n" + MESSY


def test_rewrites_into_the_canonical_layout(make_ledger, cli):
    root = make_ledger({ID: messy()})
    result = cli("fmt", "--ledger", str(root))
    assert (result.status, result.out) == (0, "")
    assert result.err == f"reformatted {REL}\n1 file reformatted, 0 unchanged, 0 left alone\n"
    assert (root / REL).read_text() == VALID


def test_canonical_files_are_left_as_they_are(make_ledger, cli):
    root = make_ledger({ID: VALID})
    before = os.stat(root / REL).st_mtime_ns
    result = cli("fmt", "--ledger", str(root))
    assert (result.status, result.err) == (0, "0 files reformatted, 1 unchanged, 0 left alone\n")
    assert os.stat(root / REL).st_mtime_ns == before


def test_sample_entries_layout_matches_hand_written_style(make_ledger, cli):
    # A multi-line summary with quotes stays readable: no escaped quotes, closing on its own line.
    text = VALID.replace(
        'summary = "Six rockets fell in and near the Green Zone."',
        'summary = """\nSix "rockets" fell.\nA \\\\ backslash, a tab\there.\n"""',
    )
    assert canonical.reformat(text).text == text


def test_check_lists_what_would_change_and_exits_1(make_ledger, cli):
    root = make_ledger({ID: messy(), "2020-01-06-other": VALID})
    result = cli("fmt", "--check", "--ledger", str(root))
    assert result.status == 1
    assert result.out == f"{REL}\n"
    assert result.err == "1 file would be reformatted, 1 unchanged, 0 left alone\n"
    assert (root / REL).read_text() == messy()  # nothing written


def test_check_exits_0_when_everything_is_canonical(make_ledger, cli):
    root = make_ledger({ID: VALID})
    result = cli("fmt", "--check", "--ledger", str(root), "--quiet")
    assert (result.status, result.out, result.err) == (0, "", "")


def test_diff_shows_a_unified_diff_and_writes_nothing(make_ledger, cli):
    text = VALID.replace("escalation = 4\nconfidence", "confidence").replace("[location]", "escalation = 4\n[location]")
    text = text.replace('confidence = "reported"\n', "")
    text = text.replace("time_of_day", 'confidence = "reported"\ntime_of_day')
    root = make_ledger({ID: text})
    result = cli("fmt", "--diff", "--ledger", str(root))
    assert result.status == 0
    assert result.out.startswith(f"--- a/{REL}\n+++ b/{REL}\n@@ ")
    removed = [line for line in result.out.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line for line in result.out.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert sorted(removed) == ['-confidence = "reported"', "-escalation = 4"]
    assert sorted(added) == ['+confidence = "reported"', "+escalation = 4"]
    assert (root / REL).read_text() == text


def test_paths_select_files_and_folders(make_ledger, cli):
    root = make_ledger({ID: messy(), "2020-02-01-later": messy()})
    result = cli("fmt", str(root / "entries/2020/02"), "--ledger", str(root), "--quiet")
    assert result.status == 0
    assert (root / "entries/2020/02/2020-02-01-later.toml").read_text() == VALID
    assert (root / REL).read_text() == messy()


def test_missing_path_is_trouble(make_ledger, cli):
    root = make_ledger({ID: VALID})
    result = cli("fmt", str(root / "nope.toml"), "--ledger", str(root))
    assert result.status == 2
    assert "no such file or folder" in result.err


# -- what fmt refuses ---------------------------------------------------------------------------


def test_invalid_file_is_left_alone_with_a_message(make_ledger, cli):
    text = messy().replace("escalation = 4", "escalation = 9")
    root = make_ledger({ID: text})
    result = cli("fmt", "--ledger", str(root))
    assert result.status == 1
    assert result.err.splitlines()[0] == (
        f"{REL}: left alone: is not a valid entry (line 6: 9 is out of range 0..7); run `ledger validate`"
    )
    assert (root / REL).read_text() == text


def test_toml_syntax_error_is_left_alone(make_ledger, cli):
    root = make_ledger({ID: 'title = "unclosed\n'})
    result = cli("fmt", "--ledger", str(root))
    assert result.status == 1
    assert f"{REL}: left alone: is not a valid entry" in result.err
    assert (root / REL).read_text() == 'title = "unclosed\n'


def test_comment_inside_a_multiline_array_is_refused(make_ledger, cli):
    text = VALID.replace('tags = ["green-zone"]', 'tags = [\n  "green-zone",  # the area\n]')
    root = make_ledger({ID: text})
    result = cli("fmt", "--ledger", str(root))
    assert result.status == 1
    assert f"{REL}: left alone: has a comment inside a multi-line value (line 8)" in result.err
    assert (root / REL).read_text() == text


@posix_only("symbolic links")
def test_symbolic_link_is_left_alone(make_ledger, cli, tmp_path):
    root = make_ledger({ID: messy()})
    target = root / "entries/2020/01/2020-01-07-target.toml"
    target.write_text(messy())
    os.symlink(target, root / "entries/2020/01/2020-01-08-link.toml")
    result = cli("fmt", str(root / "entries/2020/01/2020-01-08-link.toml"), "--ledger", str(root))
    assert result.status == 1
    assert "2020-01-08-link.toml: left alone: is a symbolic link" in result.err
    assert target.read_text() == messy()


# -- comments that can be kept ------------------------------------------------------------------

COMMENTED = """\
# Filed by the night desk.
# Check the toll again tomorrow.

escalation = 4  # no deaths reported
# the first report's words
title = "Rockets hit the Green Zone"
date = 2020-01-05
type = "rocket-attack"
confidence = "reported"

[[sources]]  # the wire
name = "Reuters"

# where
[location]
name = "Green Zone"
country = "IQ"  # ISO code

# end of file
"""

COMMENTED_CANONICAL = """\
# Filed by the night desk.
# Check the toll again tomorrow.

# the first report's words
title = "Rockets hit the Green Zone"
date = 2020-01-05
type = "rocket-attack"
escalation = 4  # no deaths reported
confidence = "reported"

# where
[location]
name = "Green Zone"
country = "IQ"  # ISO code

[[sources]]  # the wire
name = "Reuters"

# end of file
"""


def test_comments_move_with_their_keys(make_ledger, cli):
    root = make_ledger({ID: COMMENTED})
    result = cli("fmt", "--ledger", str(root), "--quiet")
    assert (result.status, result.err) == (0, "")
    assert (root / REL).read_text() == COMMENTED_CANONICAL
    assert cli("fmt", "--check", "--ledger", str(root)).status == 0  # stable


def test_hash_inside_strings_is_not_a_comment():
    text = VALID.replace('url = "https://example.org/a"', 'url = "https://example.org/a#part"')
    text = text.replace("Six rockets", "Six # rockets")
    moved = text.replace('title = "Rockets hit the Green Zone"\n', "") + 'title = "Rockets # hit"\n'
    result = canonical.reformat(moved)
    assert result.text is not None
    assert "#" not in result.text.replace("example.org/a#part", "").replace("Six # rockets", "").replace(
        "Rockets # hit", ""
    )


def test_comments_of_an_inline_table_written_as_a_table_stay_near_it():
    text = 'title = "x"\nlocation = { name = "a", country = "IQ" }  # inline\n'
    result = canonical.reformat(text)
    assert result.text == 'title = "x"\n\n# inline\n[location]\nname = "a"\ncountry = "IQ"\n'


# -- the layout as a property: canonical text holds the same data and is stable -------------------


def test_same_data_compares_types():
    assert canonical.same_data({"a": [1, {"b": 2.0}]}, {"a": [1, {"b": 2.0}]})
    assert not canonical.same_data({"a": 1}, {"a": 1.0})
    assert not canonical.same_data({"a": True}, {"a": 1})
    assert not canonical.same_data({"a": [1]}, {"a": [1, 2]})
    assert not canonical.same_data({"a": 1}, {"a": 1, "b": 2})


def test_crlf_files_become_lf_with_the_same_data(make_ledger, cli):
    root = make_ledger({ID: b""})
    (root / REL).write_bytes(messy().replace("\n", "\r\n").encode())
    assert cli("fmt", "--ledger", str(root), "--quiet").status == 0
    assert (root / REL).read_bytes() == VALID.encode()


def test_carriage_return_inside_text_survives():
    text = VALID.replace('summary = "Six rockets fell in and near the Green Zone."', 'summary = "one\\r\\ntwo\\n"')
    result = canonical.reformat(text)
    assert result.text is not None
    assert tomllib.loads(result.text)["summary"] == "one\r\ntwo\n"


def test_long_arrays_go_one_item_per_line():
    data = tomllib.loads(VALID)
    data["tags"] = [f"tag-number-{i}" for i in range(12)]
    text = canonical.dumps(data)
    assert 'tags = [\n    "tag-number-0",\n' in text
    assert all(len(line) <= canonical.LINE_WIDTH for line in text.splitlines())
    assert tomllib.loads(text) == data


def test_unknown_keys_are_kept():
    data = {"title": "x", "zzz": 1, "location": {"name": "a", "extra": {"k": [1, 2]}}}
    assert tomllib.loads(canonical.dumps(data)) == data


# -- atomic writes, mode, lock, temp files ----------------------------------------------------


@posix_only("file modes")
def test_file_mode_is_kept(make_ledger, cli):
    root = make_ledger({ID: messy()})
    os.chmod(root / REL, 0o640)
    assert cli("fmt", "--ledger", str(root), "--quiet").status == 0
    assert stat.S_IMODE(os.stat(root / REL).st_mode) == 0o640
    assert (root / REL).read_text() == VALID


def test_stale_temp_files_are_removed_and_never_read(make_ledger, cli):
    root = make_ledger({ID: VALID})
    stale = root / f"entries/2020/01/.{ID}.toml.x1y2z3.tmp"
    stale.write_text('title = "half')
    assert cli("validate", "--ledger", str(root), "--quiet").status == 0  # dotfiles are not entries
    assert cli("fmt", "--ledger", str(root), "--quiet").status == 0
    assert not stale.exists()
    assert list(root.rglob("*.tmp")) == []


def test_a_second_writer_is_refused(make_ledger, cli):
    root = make_ledger({ID: messy()})
    with writing.write_lock(root):
        result = cli("fmt", "--ledger", str(root))
    assert result.status == 2
    assert "another ledger command is writing to this ledger" in result.err
    assert (root / REL).read_text() == messy()


def test_file_changed_meanwhile_is_not_overwritten(make_ledger, monkeypatch):
    from ledger.api import load_text
    from ledger.store import formatting

    root = make_ledger({ID: messy()})
    real = formatting.canonical.reformat

    def edit_then_reformat(text: str, loads: object = None) -> canonical.Reformatted:
        (root / REL).write_text(VALID + "# edited\n")
        return real(text, loads)  # type: ignore[arg-type]

    monkeypatch.setattr(formatting.canonical, "reformat", edit_then_reformat)
    result = formatting.format_file(root, REL, write=True, keep_text=False, check=load_text, today=dt.date.today())
    assert (result.outcome, result.reason) == ("left alone", "changed while being formatted")
    assert (root / REL).read_text() == VALID + "# edited\n"


def test_outside_file_paths_work(make_ledger, cli, tmp_path: Path):
    root = make_ledger({ID: VALID})
    outside = tmp_path / "elsewhere" / f"{ID}.toml"
    outside.parent.mkdir()
    outside.write_text(messy())
    assert cli("fmt", str(outside), "--ledger", str(root), "--quiet").status == 0
    assert outside.read_text() == VALID


def test_trailing_comments_after_multiline_values_stay():
    text = VALID.replace(
        'summary = "Six rockets fell in and near the Green Zone."',
        'summary = """\nSix rockets.\n"""  # from the wire',
    ).replace("[[sources]]\n", "# second thoughts\n[[sources]]\n")
    assert canonical.reformat(text).text == text


def test_comment_directly_above_the_first_key_stays_with_it():
    body = VALID.replace('title = "Rockets hit the Green Zone"\n', "").replace("date = 2020-01-05\n", "")
    text = 'date = 2020-01-05\n# the title\ntitle = "Rockets"\n' + body
    result = canonical.reformat(text)
    assert result.text is not None
    assert result.text.startswith('# the title\ntitle = "Rockets"\ndate = 2020-01-05\ntime_of_day')


def test_a_rewrite_that_would_change_the_data_is_refused(monkeypatch):
    real = canonical._layout
    monkeypatch.setattr(canonical, "_layout", lambda data: real(data)[:-1])  # a bug that drops a line
    result = canonical.reformat(VALID.replace('title = "Rockets hit the Green Zone"\n', "") + 'title = "x"\n')
    assert result == canonical.Reformatted(None, "the rewritten text would not hold the same data")


def test_a_rewrite_that_would_lose_a_comment_is_refused(monkeypatch):
    real = canonical.place
    monkeypatch.setattr(canonical, "place", lambda lines, found: real(lines, found)[1:])  # drops one
    result = canonical.reformat("# about the title\n" + VALID)
    assert result == canonical.Reformatted(None, "its comments could not all be kept")
