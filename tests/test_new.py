"""`ledger new`: id from date and title, canonical valid file, prompts, refusals, --edit."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from conftest import VALID

from ledger.core import slug

FLAGS = (
    "--date", "2020-01-05", "--type", "rocket-attack", "--escalation", "4", "--confidence", "reported",
    "--place", "Green Zone", "--country", "IQ", "--source", "Reuters",
)  # fmt: skip
CONFIG = """\
[actors."Islamic Revolutionary Guard Corps"]
aliases = ["IRGC"]

[places."Albukamal"]
aliases = ["Abu Kamal"]
country = "SY"
lat = 34.453
lon = 40.918
"""


def test_writes_a_canonical_valid_entry_and_prints_its_path(make_ledger, cli):
    root = make_ledger({})
    result = cli("new", "Rockets hit the Green Zone", *FLAGS, "--ledger", str(root))
    rel = "entries/2020/01/2020-01-05-rockets-hit-the-green-zone.toml"
    assert (result.status, result.out, result.err) == (0, f"{rel}\n", "")
    assert (root / rel).read_text() == (
        'title = "Rockets hit the Green Zone"\n'
        "date = 2020-01-05\n"
        'type = "rocket-attack"\n'
        "escalation = 4\n"
        'confidence = "reported"\n'
        "\n[location]\n"
        'name = "Green Zone"\n'
        'country = "IQ"\n'
        "\n[[sources]]\n"
        'name = "Reuters"\n'
    )
    assert cli("validate", "--ledger", str(root)).status == 0
    assert cli("fmt", "--check", "--ledger", str(root)).status == 0


def test_says_each_problem_by_field_and_writes_only_when_none_is_an_error(make_ledger, cli):
    root = make_ledger({}, config='[sources.Reuters]\nreliability = "B"\n')
    flags = [*FLAGS[:-1], "Some Outlet", "--reliability", "C", "--credibility", "3"]
    warned = cli("new", "Rockets hit the Green Zone", *flags, "--ledger", str(root))
    assert (warned.status, warned.out) == (0, "entries/2020/01/2020-01-05-rockets-hit-the-green-zone.toml\n")
    assert (
        warned.err == 'ledger: warning: sources[0].name: "Some Outlet" is not in the source registry of ledger.toml\n'
    )
    refused = cli("new", "Rockets again", *flags, "--lat", "95", "--lon", "10", "--ledger", str(root))
    assert (refused.status, refused.out) == (2, "")
    assert refused.err.splitlines() == [
        "ledger: error: location.lat: 95.0 is out of range -90..90",
        warned.err.rstrip("\n"),
        "nothing written",
    ]


def test_optional_flags_fill_the_entry(make_ledger, cli):
    root = make_ledger({})
    result = cli(
        "new", "Rockets hit the Green Zone", *FLAGS, "--url", "https://example.org/a", "--admin1", "Baghdad",
        "--lat", "33.305", "--lon", "44.385", "--precision", "town", "--perpetrator", "Iran-backed militias",
        "--target", "US forces", "--injured", "3", "--tag", "green-zone", "--summary", "Six rockets fell.",
        "--date-end", "2020-01-06", "--ledger", str(root),
    )  # fmt: skip
    assert result.status == 0, result.err
    text = (root / result.out.strip()).read_text()
    assert text == (
        'title = "Rockets hit the Green Zone"\ndate = 2020-01-05\ndate_end = 2020-01-06\ntype = "rocket-attack"\n'
        'escalation = 4\nconfidence = "reported"\ntags = ["green-zone"]\nsummary = "Six rockets fell."\n\n'
        '[location]\nname = "Green Zone"\ncountry = "IQ"\nadmin1 = "Baghdad"\nlat = 33.305\nlon = 44.385\n'
        'precision = "town"\n\n[actors]\nperpetrators = ["Iran-backed militias"]\ntargets = ["US forces"]\n\n'
        '[casualties]\ninjured = 3\n\n[[sources]]\nname = "Reuters"\nurl = "https://example.org/a"\n'
    )


def test_ids_fold_unicode_and_punctuation():
    import datetime as dt

    day = dt.date(2020, 1, 5)
    assert slug.make_id(day, "Strike on Ḩawījah’s “base” — Kata'ib Ḥizbullāh, Straße") == (
        "2020-01-05-strike-on-hawijahs-base-kataib-hizbullah-strasse"
    )
    assert slug.make_id(day, "!!!") == "2020-01-05-incident"
    assert slug.make_id(day, "قصف") == "2020-01-05-incident"


def test_long_titles_are_cut_at_a_word_to_100_characters():
    import datetime as dt

    entry_id = slug.make_id(dt.date(2020, 1, 5), "word " * 40)
    assert len(entry_id) <= 100 and entry_id.endswith("-word") and "--" not in entry_id
    assert len(slug.with_suffix("2020-01-05-" + "a" * 89, 12)) == 100
    assert slug.with_suffix("2020-01-05-" + "a" * 89, 12).endswith("a-12")


def test_refuses_to_overwrite(make_ledger, cli):
    root = make_ledger({"2020-01-05-rockets-hit-the-green-zone": VALID})
    path = root / "entries/2020/01/2020-01-05-rockets-hit-the-green-zone.toml"
    result = cli("new", "Rockets hit the Green Zone", *FLAGS, "--ledger", str(root))
    assert result.status == 2
    assert result.err == (
        "ledger: error: entries/2020/01/2020-01-05-rockets-hit-the-green-zone.toml already exists "
        "and is not overwritten (change the title or --id)\n"
    )
    assert path.read_text() == VALID


def test_refuses_an_id_used_in_another_folder(make_ledger, cli):
    root = make_ledger({"entries/misc/2020-01-05-rockets-hit-the-green-zone.toml": VALID})
    result = cli("new", "Rockets hit the Green Zone", *FLAGS, "--ledger", str(root))
    assert result.status == 2
    assert "entries/misc/2020-01-05-rockets-hit-the-green-zone.toml already exists" in result.err
    assert not (root / "entries/2020").exists()


def test_explicit_id(make_ledger, cli):
    root = make_ledger({})
    result = cli("new", "Rockets hit the Green Zone", *FLAGS, "--id", "2020-01-05-gz", "--ledger", str(root))
    assert (result.status, result.out) == (0, "entries/2020/01/2020-01-05-gz.toml\n")


def test_invalid_explicit_id_is_refused(make_ledger, cli):
    root = make_ledger({})
    for bad in ("../../escape", "../../2020-01-05-escape", "2020-01-05-Upper"):
        result = cli("new", "Rockets", *FLAGS, "--id", bad, "--ledger", str(root))
        assert result.status == 2
        assert f'ledger: error: "{bad}" is not a valid id' in result.err
    assert list(root.parent.rglob("*.toml")) == []


def test_missing_values_off_a_terminal_are_an_error(make_ledger, cli):
    root = make_ledger({})
    result = cli("new", "Rockets", "--date", "2020-01-05", "--ledger", str(root))
    assert result.status == 2
    assert result.err == (
        "ledger: error: missing --type, --escalation, --confidence, --place, --country, --source "
        "(give them as options; on a terminal they are asked for)\n"
    )
    assert cli("new", "--ledger", str(root)).err.startswith("ledger: error: missing TITLE, --date, --type")


def test_missing_values_are_asked_for_on_a_terminal(make_ledger, cli, make_env):
    root = make_ledger({})
    answers = (
        "Rockets hit the Green Zone\n2020-01-05\nrocket-atack\nrocket-attack\n9\n4\nreported\nGreen Zone\nIQ\nReuters\n"
    )
    result = cli("new", "--ledger", str(root), terminal=make_env(answers, stdin_isatty=True))
    assert result.status == 0, result.err
    assert result.out == "entries/2020/01/2020-01-05-rockets-hit-the-green-zone.toml\n"
    assert "is not one of the choices" in result.err  # the typo was asked again
    assert "give a whole number from 0 to 7" in result.err
    assert cli("validate", "--ledger", str(root)).status == 0


POLICY = """\
[sources."Reuters"]
reliability = "B"

[policy]
require_grades = true
"""


def test_grades_a_policy_requires_are_asked_for_with_the_rest(make_ledger, cli, make_env):
    """With `require_grades`, a source's credibility (and a reliability the registry lacks) is asked
    for like any required value, not refused after every other answer was typed."""
    root = make_ledger({}, config=POLICY)
    answers = "Rockets\n2020-01-05\nrocket-attack\n4\nreported\nGreen Zone\nIQ\nReuters\n2\n"
    result = cli("new", "--ledger", str(root), terminal=make_env(answers, stdin_isatty=True))
    assert result.status == 0, result.err
    assert "Credibility" in result.err
    assert 'credibility = "2"' in (root / result.out.strip()).read_text()
    result = cli("new", "Rockets", *FLAGS, "--source", "Al Arabiya", "--ledger", str(root))
    assert (result.status, result.err) == (
        2,
        "ledger: error: missing --reliability, --credibility (give them as options; on a terminal they are asked for)\n",
    )
    assert cli("new", "More rockets", *FLAGS, "--credibility", "2", "--ledger", str(root)).status == 0


def test_invalid_values_are_reported_and_nothing_written(make_ledger, cli):
    root = make_ledger({})
    flags = list(FLAGS)
    flags[flags.index("rocket-attack")] = "rocket-atack"
    flags[flags.index("reported")] = "sure"
    result = cli("new", "Rockets", *flags, "--ledger", str(root))
    assert result.status == 2
    assert result.err.startswith('ledger: error: --type "rocket-atack" is not one of: airstrike, drone-strike, ')
    assert result.err.endswith(' (did you mean "rocket-attack"?)\n')
    assert not (root / "entries").exists() or not any((root / "entries").rglob("*.toml"))
    flags[flags.index("rocket-atack")] = "rocket-attack"
    result = cli("new", "Rockets", *flags, "--ledger", str(root))
    assert result.status == 2
    assert result.err.startswith('ledger: error: --confidence "sure" is not one of: confirmed, reported, ')


def test_a_bad_choice_is_named_before_the_missing_values(make_ledger, cli):
    """`new --type bogus` alone: the option at fault is named first, as every option's choices are."""
    root = make_ledger({})
    result = cli("new", "--type", "bogus", "--ledger", str(root))
    assert result.status == 2
    assert result.err.startswith('ledger: error: --type "bogus" is not one of: ')
    assert "missing" not in result.err
    assert list(root.rglob("*.toml")) == []


def test_unknown_country_code_is_reported(make_ledger, cli):
    root = make_ledger({})
    flags = list(FLAGS)
    flags[flags.index("IQ")] = "QQ"
    result = cli("new", "Rockets", *flags, "--ledger", str(root))
    assert result.status == 2
    assert result.err == (
        'ledger: error: location.country: "QQ" is not an ISO 3166-1 alpha-2 country code\nnothing written\n'
    )
    assert list(root.rglob("*.toml")) == []


def test_bad_date_is_a_usage_error(make_ledger, cli):
    root = make_ledger({})
    flags = list(FLAGS)
    flags[flags.index("2020-01-05")] = "5 Jan"
    result = cli("new", "Rockets", *flags, "--ledger", str(root))
    assert result.status == 2
    assert '"5 Jan" is not a date (YYYY-MM-DD)' in result.err


def test_future_date_is_refused(make_ledger, cli):
    root = make_ledger({})
    flags = list(FLAGS)
    flags[flags.index("2020-01-05")] = "2999-01-01"
    result = cli("new", "Rockets", *flags, "--ledger", str(root))
    assert result.status == 2
    assert "date: 2999-01-01 is in the future" in result.err


def test_unknown_link_is_refused(make_ledger, cli):
    root = make_ledger({"2020-01-04-first": VALID})
    result = cli("new", "Rockets", *FLAGS, "--responds-to", "2020-01-04-frist", "--ledger", str(root))
    assert result.status == 2
    assert 'responds_to[0]: no entry "2020-01-04-frist" (did you mean "2020-01-04-first"?)' in result.err
    ok = cli("new", "Rockets", *FLAGS, "--responds-to", "2020-01-04-first", "--ledger", str(root))
    assert ok.status == 0


def test_country_names_and_ledger_vocabulary_are_used(make_ledger, cli):
    root = make_ledger({}, config=CONFIG)
    flags = [f for f in FLAGS if f not in ("--place", "Green Zone", "--country", "IQ")]
    result = cli(
        "new", "Strike near Abu Kamal", *flags, "--place", "abu kamal", "--perpetrator", "IRGC", "--ledger", str(root)
    )
    assert result.status == 0, result.err
    text = (root / result.out.strip()).read_text()
    assert '[location]\nname = "Albukamal"\ncountry = "SY"\nlat = 34.453\nlon = 40.918\n' in text
    assert 'perpetrators = ["Islamic Revolutionary Guard Corps"]' in text
    flags = [f for f in FLAGS if f != "IQ" and f != "--country"]
    named = cli("new", "Other strike", *flags, "--country", "Syria", "--ledger", str(root))
    assert 'country = "SY"' in (root / named.out.strip()).read_text()


def test_file_mode_follows_the_umask(make_ledger, cli):
    root = make_ledger({})
    old = os.umask(0o027)
    try:
        result = cli("new", "Rockets", *FLAGS, "--ledger", str(root))
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(root / result.out.strip()).st_mode) == 0o640


# -- --edit ---------------------------------------------------------------------------------


def editor(tmp_path: Path, script: str) -> str:
    path = tmp_path / "editor.py"
    path.write_text(f"import sys, pathlib\np = pathlib.Path(sys.argv[1])\n{script}\n")
    return f"{sys.executable} {path}"


def test_edit_opens_the_editor_then_checks_the_file(make_ledger, cli, tmp_path):
    root = make_ledger({})
    command = editor(tmp_path, "p.write_text(p.read_text().replace('escalation = 4', 'escalation = 5'))")
    result = cli("new", "Rockets", *FLAGS, "--edit", "--ledger", str(root), env={"EDITOR": command, "VISUAL": ""})
    assert (result.status, result.err) == (0, "")
    assert "escalation = 5" in (root / result.out.strip()).read_text()


def test_edit_reports_what_the_edit_broke(make_ledger, cli, tmp_path):
    root = make_ledger({})
    command = editor(tmp_path, "p.write_text(p.read_text().replace('escalation = 4', 'escalation = 11'))")
    result = cli("new", "Rockets", *FLAGS, "--edit", "--ledger", str(root), env={"EDITOR": command, "VISUAL": ""})
    rel = "entries/2020/01/2020-01-05-rockets.toml"
    assert result.status == 1
    assert result.out == f"{rel}\n"
    assert result.err == f"{rel}:4: escalation: 11 is out of range 0..7\n"


def test_edit_with_a_missing_editor_keeps_the_file(make_ledger, cli):
    root = make_ledger({})
    env = {"EDITOR": "no-such-editor-here", "VISUAL": ""}
    result = cli("new", "Rockets", *FLAGS, "--edit", "--ledger", str(root), env=env)
    path = root / result.out.strip()
    assert path.is_file()  # the entry is written before the editor is looked for
    assert result.status == 2
    assert (
        result.err
        == f"ledger: error: cannot run the editor 'no-such-editor-here': not found (set VISUAL or EDITOR); {path} is written\n"
    )
