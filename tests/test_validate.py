"""`ledger validate`: every rule has a failing case; output format, lines, exit codes."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from conftest import VALID, entry, posix_only

ID = "2020-01-05-green-zone-rockets"


def problems_of(cli, root: Path) -> list[str]:
    result = cli("validate", "--ledger", str(root), "--quiet")
    assert "Traceback" not in result.out + result.err
    return result.out.splitlines()


def test_clean_ledger_exits_zero(make_ledger, cli):
    root = make_ledger({ID: VALID})
    result = cli("validate", "--ledger", str(root))
    assert (result.status, result.out) == (0, "")
    assert result.err == "1 file checked: 0 errors, 0 warnings\n"


def test_reports_all_problems_sorted_with_lines(make_ledger, cli):
    text = VALID.replace('type = "rocket-attack"', 'type = "rocket-atack"').replace("escalation = 4", "escalation = 9")
    text = text.replace('country = "IQ"', 'country = "Iraq"')
    root = make_ledger({ID: text})
    result = cli("validate", "--ledger", str(root), "--quiet")
    assert result.status == 1
    path = f"entries/2020/01/{ID}.toml"
    assert result.out.splitlines() == [
        f'{path}:4: type: "rocket-atack" is not allowed (did you mean "rocket-attack"?)',
        f"{path}:5: escalation: 9 is out of range 0..7",
        f'{path}:12: location.country: "Iraq" does not match ^[A-Z]{{2}}$',
    ]


def test_json_format(make_ledger, cli):
    root = make_ledger({ID: VALID.replace('confidence = "reported"', 'confidence = "sure"')})
    result = cli("validate", "--ledger", str(root), "--format", "json")
    assert result.status == 1
    assert json.loads(result.out) == [
        {
            "path": f"entries/2020/01/{ID}.toml",
            "line": 6,
            "field": "confidence",
            "message": '"sure" is not allowed (one of: confirmed, reported, claimed, unverified, disputed)',
            "severity": "error",
        }
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (VALID.replace('title = "Rockets hit the Green Zone"\n', ""), "1: title: required field is missing"),
        (VALID.replace("[[sources]]", "[[nothing]]"), "sources: required field is missing"),
        (VALID.replace("escalation = 4", 'escalation = "4"'), "5: escalation: expected an integer, found a string"),
        (VALID.replace("date = 2020-01-05", 'date = "2020-01-05"'), "2: date: expected a date, found a string"),
        (VALID.replace("date = 2020-01-05", "date = 2020-01-05T10:00:00"), "date: expected a date, found a date-time"),
        (VALID.replace("lat = 33.305", "lat = 133.305"), "location.lat: 133.305 is out of range -90..90"),
        (VALID.replace("lon = 44.385\n", ""), "location.lat: give both lat and lon, or neither"),
        (VALID.replace('country = "IQ"', 'country = "ZZ"'), '"ZZ" is not an ISO 3166-1 alpha-2 country code'),
        (
            VALID.replace("{ best = 3, low = 2, high = 5 }", "{ best = 3, low = 4 }"),
            "casualties.injured: needs low <= best",
        ),
        (VALID.replace("{ best = 3, low = 2, high = 5 }", "-2"), "casualties.injured: -2 is below the minimum 0"),
        (VALID.replace("{ best = 3, low = 2, high = 5 }", "{ best = 3, low = -1 }"), "-1 is below the minimum 0"),
        (VALID.replace("time_of_day", "tiem_of_day"), 'tiem_of_day: unknown key (did you mean "time_of_day"?)'),
        (
            VALID.replace("date = 2020-01-05", "date = 2020-01-05\ndate_end = 2020-01-01"),
            "date_end: 2020-01-01 is before",
        ),
        (VALID.replace("date = 2020-01-05", "date = 2999-01-05"), "date: 2999-01-05 is in the future"),
        (VALID.replace('tags = ["green-zone"]', 'tags = ["Green Zone"]'), "tags[0]:"),
        (VALID.replace('title = "Rockets hit the Green Zone"', 'title = "two\\nlines"'), "title: must be one line"),
        (VALID.replace('title = "Rockets hit the Green Zone"', 'title = "bell\\u0007"'), "title: contains a control"),
        (VALID.replace('reliability = "B"', 'reliability = "G"'), 'sources[0].reliability: "G" is not allowed'),
        (VALID.replace('credibility = "2"', "credibility = 2"), "sources[0].credibility: expected a string"),
        ("sources = []\n" + VALID.replace("[[sources]]", "[[x]]"), "sources: needs at least 1 item(s)"),
        (VALID.replace("[location]", "location = 5\n[unused]"), "location: expected a table, found an integer"),
        (
            VALID.replace('attribution = "suspected"', 'attribution = "sure"'),
            'actors.attribution: "sure" is not allowed',
        ),
        (
            VALID + 'summary = "x"\n',
            "sources[0].summary: unknown key (a top-level key written after a table? move it above the first table)",
        ),
        ('status = "withdrawn"\n' + VALID, "withdrawn_reason: a withdrawn entry needs a withdrawn_reason"),
        (
            'withdrawn_reason = "dup"\n' + VALID,
            'withdrawn_reason: only a withdrawn entry (status = "withdrawn") has this',
        ),
        ('id = "2020-01-05-other"\n' + VALID, 'id: "2020-01-05-other" differs from the file name'),
        (VALID.replace("lat = 33.305", "lat = nan"), "location.lat: must be a finite number"),
        ("title = 1\n", "title: expected a string, found an integer"),
    ],
)
def test_each_rule_has_a_failing_case(make_ledger, cli, text, expected):
    root = make_ledger({ID: text})
    lines = problems_of(cli, root)
    assert any(expected in line for line in lines), lines
    assert all(line.startswith(f"entries/2020/01/{ID}.toml:") for line in lines), lines


def test_all_problems_of_a_file_not_just_the_first(make_ledger, cli):
    text = "title = 1\ndate = 5\ntype = 3\nescalation = -1\nconfidence = 0\nbogus = 1\n"
    root = make_ledger({ID: text})
    lines = problems_of(cli, root)
    fields = [line.split(": ")[1] for line in lines]
    # sorted by line; missing fields point at line 1
    assert fields == ["location", "sources", "title", "date", "type", "escalation", "confidence", "bogus"]


def test_bad_file_name(make_ledger, cli):
    root = make_ledger({"entries/Green Zone.toml": VALID})
    assert problems_of(cli, root) == [
        'entries/Green Zone.toml:1: id: file name "Green Zone" is not a valid id '
        "(lowercase YYYY-MM-DD-words of a-z, 0-9 and -, at most 100)"
    ]


def test_id_too_long(make_ledger, cli):
    long_id = "2020-01-05-" + "a" * 95
    root = make_ledger({f"entries/{long_id}.toml": VALID})
    assert "is not a valid id" in problems_of(cli, root)[0]


def test_ids_unique_across_folders(make_ledger, cli):
    root = make_ledger({f"entries/a/{ID}.toml": VALID, f"entries/b/{ID}.toml": VALID})
    lines = problems_of(cli, root)
    assert f'entries/a/{ID}.toml:1: id: id "{ID}" is also used by entries/b/{ID}.toml' in lines
    assert f'entries/b/{ID}.toml:1: id: id "{ID}" is also used by entries/a/{ID}.toml' in lines


def test_links_exist_are_not_later_and_have_no_cycle(make_ledger, cli):
    root = make_ledger(
        {
            "2020-01-03-a": entry(date="2020-01-03", extra='responds_to = ["2020-01-04-b"]'),
            "2020-01-04-b": entry(date="2020-01-04", extra='responds_to = ["2020-01-03-a", "2020-01-04-c"]'),
            "2020-01-04-c": entry(date="2020-01-04", place="X", extra='responds_to = ["2020-01-04-b"]'),
            "2020-01-05-d": entry(date="2020-01-05", place="Y", extra='related = ["2020-01-03-aa"]'),
        }
    )
    lines = problems_of(cli, root)
    assert (
        'entries/2020/01/2020-01-03-a.toml:6: responds_to[0]: "2020-01-04-b" (2020-01-04) '
        "is later than this entry (2020-01-03)"
    ) in lines
    assert any("responds_to forms a cycle: 2020-01-04-b -> 2020-01-04-c -> 2020-01-04-b" in x for x in lines), lines
    assert any('related[0]: no entry "2020-01-03-aa" (did you mean "2020-01-03-a"?)' in x for x in lines), lines


def test_withdrawn_duplicate_of_must_exist(make_ledger, cli):
    text = 'status = "withdrawn"\nwithdrawn_reason = "duplicate"\nduplicate_of = "2020-01-05-nothing"\n' + VALID
    root = make_ledger({ID: text})
    assert any('duplicate_of: no entry "2020-01-05-nothing"' in line for line in problems_of(cli, root))


def test_plausible_duplicates_are_warnings(make_ledger, cli):
    root = make_ledger({ID: VALID, "2020-01-05-green-zone-rockets-2": VALID})
    result = cli("validate", "--ledger", str(root))
    assert result.status == 0
    assert "warning: possible duplicate of 2020-01-05-green-zone-rockets-2 (same date, place and type)" in result.out
    assert "0 errors, 2 warnings" in result.err


def test_withdrawn_duplicate_is_not_a_plausible_duplicate(make_ledger, cli):
    dup = 'status = "withdrawn"\nwithdrawn_reason = "same"\nduplicate_of = "2020-01-05-green-zone-rockets"\n' + VALID
    root = make_ledger({ID: VALID, "2020-01-05-green-zone-rockets-2": dup})
    assert problems_of(cli, root) == []


def test_paths_restrict_the_report(make_ledger, cli):
    root = make_ledger({ID: VALID, "2020-01-06-bad": "title = 1\n"})
    result = cli("validate", "--ledger", str(root), str(root / "entries" / "2020" / "01" / f"{ID}.toml"))
    assert (result.status, result.out) == (0, "")
    result = cli("validate", "--ledger", str(root), str(root / "entries"))
    assert result.status == 1


def test_missing_path_is_usage_trouble(make_ledger, cli):
    root = make_ledger({ID: VALID})
    result = cli("validate", "--ledger", str(root), "nowhere.toml")
    assert result.status == 2
    assert result.err == "ledger: error: no such file or folder: nowhere.toml\n"


def test_unknown_format_is_usage_trouble(make_ledger, cli):
    root = make_ledger({ID: VALID})
    assert cli("validate", "--ledger", str(root), "--format", "xml").status == 2


def test_no_ledger_found(tmp_path, cli):
    result = cli("validate", cwd=tmp_path)
    assert result.status == 2
    assert "no ledger here" in result.err


def test_ledger_found_upwards_and_by_env(make_ledger, cli):
    root = make_ledger({ID: VALID})
    assert cli("validate", cwd=root / "entries" / "2020").status == 0
    assert cli("validate", cwd=root.parent, env={"LEDGER_DIR": str(root)}).status == 0


def test_ledger_toml_problems_are_reported(make_ledger, cli):
    root = make_ledger({ID: VALID}, config='[actors.PMF]\naliases = "Hashd"\n[ladder]\nlabels = ["a"]\n')
    lines = problems_of(cli, root)
    assert "ledger.toml:2: actors.PMF.aliases: expected an array of strings" in lines
    assert "ledger.toml:4: ladder.labels: needs exactly 8 labels, found 1" in lines


def test_tags_outside_the_vocabulary(make_ledger, cli):
    root = make_ledger({ID: VALID}, config='tags = ["green-zones"]\n')
    assert problems_of(cli, root) == [
        f'entries/2020/01/{ID}.toml:7: tags[0]: "green-zone" is not in the tags of ledger.toml (did you mean "green-zones"?)'
    ]


# -- hostile input: a clear problem with the path, exit 1, no traceback ----------------------


def hostile(make_ledger, cli, files, expected: str, line: int | None = None):
    root = make_ledger({ID: VALID, **files})
    result = cli("validate", "--ledger", str(root), "--quiet")
    assert result.status == 1, result.out + result.err
    assert "Traceback" not in result.out + result.err
    assert expected in result.out, result.out
    if line is not None:
        assert f":{line}: " in result.out
    return result


def test_empty_file(make_ledger, cli):
    hostile(make_ledger, cli, {"2020-01-06-empty": ""}, "2020-01-06-empty.toml:1: file is empty")


def test_binary_file(make_ledger, cli):
    hostile(make_ledger, cli, {"2020-01-06-bin": bytes(range(256))}, "binary file (contains NUL bytes), not TOML")


def test_invalid_utf8(make_ledger, cli):
    data = VALID.replace("Green Zone", "Gr\xe9en").encode("latin-1")
    hostile(
        make_ledger,
        cli,
        {"2020-01-06-latin": data},
        "2020-01-06-latin.toml:1: not valid UTF-8 (byte 0xe9 at offset 27)",
    )


def test_utf16_file(make_ledger, cli):
    hostile(make_ledger, cli, {"2020-01-06-utf16": VALID.encode("utf-16")}, "binary file (contains NUL bytes)")


def test_utf8_bom_is_accepted(make_ledger, cli):
    root = make_ledger({ID: b"\xef\xbb\xbf" + VALID.encode()})
    assert cli("validate", "--ledger", str(root)).status == 0


def test_toml_syntax_error_has_line_and_column(make_ledger, cli):
    text = VALID.replace("escalation = 4", "escalation = = 4")
    result = hostile(
        make_ledger, cli, {"2020-01-06-syntax": text}, "2020-01-06-syntax.toml:5: TOML syntax: Invalid value"
    )
    assert "(column 14)" in result.out


def test_duplicate_key_is_a_syntax_error(make_ledger, cli):
    hostile(make_ledger, cli, {"2020-01-06-dup": VALID + "\n[location]\nname = 'x'\n"}, "TOML syntax:")


def test_huge_file_refused_without_reading_it_whole(make_ledger, cli, tmp_path):
    root = make_ledger({ID: VALID})
    big = root / "entries" / "2020-01-06-huge.toml"
    with open(big, "wb") as handle:
        handle.write(b'title = "x"\n')
        handle.truncate(50 * 1024 * 1024)  # a sparse 50 MB file
    result = cli("validate", "--ledger", str(root), "--quiet")
    assert result.status == 1
    assert "entries/2020-01-06-huge.toml: file is larger than the limit of 1,000,000 bytes" in result.out


@posix_only("symbolic links")
def test_symlink_out_of_the_ledger_is_not_followed(make_ledger, cli, tmp_path):
    outside = tmp_path / "outside.toml"
    outside.write_text(VALID)
    root = make_ledger({ID: VALID})
    os.symlink(outside, root / "entries" / "2020-01-06-link.toml")
    hostile(make_ledger, cli, {}, "entries/2020-01-06-link.toml: is a symbolic link out of the ledger")


@posix_only("symbolic links")
def test_symlink_inside_the_ledger_is_read(make_ledger, cli):
    root = make_ledger({ID: VALID})
    os.symlink(root / "entries" / "2020" / "01" / f"{ID}.toml", root / "entries" / "2020-01-05-alias.toml")
    result = cli("validate", "--ledger", str(root), "--quiet")
    assert result.status == 0, result.out  # same content, another id: a plausible duplicate warning only
    assert "possible duplicate" in result.out


@posix_only("symbolic links")
def test_broken_symlink_and_folder_link(make_ledger, cli, tmp_path):
    root = make_ledger({ID: VALID})
    os.symlink(tmp_path / "nowhere.toml", root / "entries" / "2020-01-06-broken.toml")
    os.symlink(tmp_path, root / "entries" / "outside-folder")
    result = hostile(make_ledger, cli, {}, "entries/2020-01-06-broken.toml: is a broken symbolic link")
    assert "entries/outside-folder: is a symbolic link to a folder; not followed" in result.out


def test_deeply_nested_arrays(make_ledger, cli):
    text = VALID + "\n[extra]\nx = " + "[" * 5000 + "]" * 5000 + "\n"
    result = hostile(make_ledger, cli, {"2020-01-06-deep": text}, "2020-01-06-deep.toml:")
    assert "nesting is too deep" in result.out or "extra: unknown key" in result.out


def test_directory_named_like_an_entry(make_ledger, cli):
    root = make_ledger({ID: VALID})
    (root / "entries" / "2020-01-06-dir.toml").mkdir()
    hostile(make_ledger, cli, {}, "entries/2020-01-06-dir.toml: is a directory, not an entry file")


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file(make_ledger, cli):
    root = make_ledger({ID: VALID, "2020-01-06-secret": VALID})
    path = root / "entries" / "2020" / "01" / "2020-01-06-secret.toml"
    path.chmod(0)
    try:
        hostile(make_ledger, cli, {}, "2020-01-06-secret.toml: cannot read: Permission denied")
    finally:
        path.chmod(0o644)


@posix_only("FIFOs")
def test_unreadable_file_as_root_is_reported_via_fifo(make_ledger, cli):
    # A FIFO named like an entry would block a naive reader forever; it is not a regular file.
    root = make_ledger({ID: VALID})
    os.mkfifo(root / "entries" / "2020-01-06-fifo.toml")
    hostile(make_ledger, cli, {}, "entries/2020-01-06-fifo.toml: is not a regular file")


def test_control_characters_do_not_reach_the_terminal(make_ledger, cli):
    root = make_ledger({ID: '"bad\\u001b[2J" = 1\n' + VALID})
    result = cli("validate", "--ledger", str(root), "--quiet")
    assert "\x1b" not in result.out
    assert "\\x1b" in result.out


def test_unreadable_file_even_as_root(make_ledger, cli, monkeypatch):
    from ledger.store import files

    make_ledger({ID: VALID, "2020-01-06-secret": VALID})
    real_open = os.open

    def refuse(path, flags, *args, **kwargs):
        if str(path).endswith("2020-01-06-secret.toml"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(files.os, "open", refuse)
    hostile(make_ledger, cli, {}, "2020-01-06-secret.toml: cannot read: Permission denied")


def test_broken_ledger_toml_stops_queries_instead_of_dropping_aliases(make_ledger, cli):
    root = make_ledger({ID: VALID}, config="[actors.PMF]\naliases = [\n")
    result = cli("list", "--ledger", str(root), "--actor", "PMF")
    assert result.status == 2
    assert result.err.startswith("ledger: error: ledger.toml:")
    assert "fix ledger.toml (see `ledger validate`)" in result.err
    assert cli("validate", "--ledger", str(root), "--quiet").status == 1


def test_ledger_toml_unknown_keys_and_control_characters(make_ledger, cli):
    config = '[actors."Evil\\u001b[2J"]\naliasses = ["F"]\n[ladder]\nlabel = []\n'
    root = make_ledger({ID: VALID}, config=config)
    lines = problems_of(cli, root)
    assert any("actors.Evil\\x1b[2J.aliasses: unknown key (expected one of: aliases)" in x for x in lines), lines
    assert any("ladder.label: unknown key" in x for x in lines), lines
    assert any("is blank or contains a control character" in x for x in lines), lines
    assert all("\x1b" not in x for x in lines)


def test_validate_ledger_toml_checks_the_vocabulary_not_an_entry(make_ledger, cli):
    root = make_ledger({ID: VALID}, config='[actors.PMF]\naliases = ["Hashd"]\n')
    result = cli("validate", "--ledger", str(root), str(root / "ledger.toml"))
    assert (result.status, result.out) == (0, "")


def test_line_separators_are_control_characters(make_ledger, cli):
    root = make_ledger({ID: VALID.replace("Rockets hit the Green Zone", "Rockets \\u2028 hit")})
    assert any("title: contains a control character" in x for x in problems_of(cli, root))


def test_ledger_option_must_name_a_ledger(make_ledger, cli, tmp_path):
    root = make_ledger({ID: VALID})
    result = cli("list", "--ledger", str(root / "entries"))
    assert result.status == 2
    assert result.err == f"ledger: error: not a ledger: no entries/ or ledger.toml in {(root / 'entries').as_posix()}\n"
    assert not (root / "entries" / ".ledger").exists()


def test_ledger_option_before_the_command(make_ledger, cli, tmp_path):
    root = make_ledger({ID: VALID})
    result = cli("--ledger", str(root), "list", "--format", "ids", cwd=tmp_path)
    assert (result.status, result.out) == (0, f"{ID}\n")


def test_empty_format_is_refused(make_ledger, cli):
    root = make_ledger({ID: VALID})
    for command in ("list", "timeline"):
        result = cli(command, "--ledger", str(root), "--format", "")
        assert result.status == 2 and '--format "" is not one of' in result.err


def test_show_refuses_a_look_alike_file_outside_the_ledger(make_ledger, cli, tmp_path):
    root = make_ledger({ID: VALID})
    outside = tmp_path / f"{ID}.toml"
    outside.write_text(VALID.replace("Rockets", "Other rockets"))
    result = cli("show", "--ledger", str(root), str(outside))
    assert result.status == 1
    assert "is not an entry file of this ledger" in result.err
    inside = root / "entries" / "2020" / "01" / f"{ID}.toml"
    assert cli("show", "--ledger", str(root), str(inside)).status == 0


def test_diff_of_a_folder_and_a_missing_folder_names_the_missing_one(make_ledger, cli, tmp_path):
    root = make_ledger({ID: VALID})
    result = cli("diff", str(root), str(tmp_path / "missing"), cwd=root)
    assert result.status == 2
    assert f"not a folder: {tmp_path / 'missing'}" in result.err
