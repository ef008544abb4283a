"""`ledger import`: round trips, UCDP GED and ACLED layouts, idempotence, bad rows, --strict, --dry-run."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from conftest import VALID, entry

from ledger.api import Ledger
from ledger.interchange import datasets, importers

# -- round trips through our own export ------------------------------------------------------------

LINKED = entry(
    title="Answering strike",
    date="2020-01-06",
    type="airstrike",
    escalation=5,
    extra='time = 21:30:00\nresponds_to = ["2020-01-05-green-zone-rockets"]\naliases = ["ACLED:IRQ1"]\n',
    tables="[casualties]\nkilled = { best = 4, low = 3, high = 9 }\ninjured = 2\n",
)
WITHDRAWN = entry(
    title="Same rockets, other report",
    date="2020-01-05",
    extra=(
        'status = "withdrawn"\nwithdrawn_reason = "duplicate"\nduplicate_of = "2020-01-05-green-zone-rockets"\n'
        'summary = """\nQuotes "here"; a \\\\ backslash; ümlauts.\n"""\n'
    ),
    place="Green Zone; Baghdad",
)
SOURCE_LEDGER = {
    "2020-01-05-green-zone-rockets": VALID,
    "entries/misc/2020-01-06-answering-strike.toml": LINKED,
    "2020-01-05-same-rockets": WITHDRAWN,
}


def snapshot(root: Path) -> dict[str, object]:
    """Return every entry of a ledger by path (the validated data, not the text)."""
    return {item.rel: item.entry for item in Ledger(root).load_all()}


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_export_then_import_gives_the_same_ledger(make_ledger, cli, tmp_path, fmt):
    source = make_ledger(SOURCE_LEDGER)
    exported = cli("export", "-f", fmt, "--withdrawn", "--ledger", str(source), "--quiet")
    file = tmp_path / f"export.{fmt}"
    file.write_text(exported.out)
    target = make_ledger({}, root=tmp_path / "empty")
    result = cli("import", str(file), "--from", "json" if fmt == "jsonl" else fmt, "--ledger", str(target))
    assert result.status == 0, result.err
    assert snapshot(target) == snapshot(source)
    assert cli("validate", "--ledger", str(target)).status == 0
    again = cli("import", str(file), "--ledger", str(target))  # the layout is told from the file
    assert again.status == 0 and again.out == ""
    assert "0 entries created, 3 already in the ledger or repeated, 0 rejected" in again.err


def test_round_trip_files_are_canonical(make_ledger, cli, tmp_path):
    source = make_ledger({"2020-01-05-green-zone-rockets": VALID})
    file = tmp_path / "e.json"
    file.write_text(cli("export", "--ledger", str(source)).out)
    target = make_ledger({}, root=tmp_path / "t")
    result = cli("import", str(file), "--ledger", str(target))
    assert result.out == "entries/2020/01/2020-01-05-green-zone-rockets.toml\n"
    assert (target / result.out.strip()).read_text() == VALID


def test_unsafe_paths_in_an_export_are_not_followed(make_ledger, cli, tmp_path):
    record = json.loads(cli("export", "--ledger", str(make_ledger({"2020-01-05-gz": VALID}))).out)[0]
    records = [
        {**record, "path": "../../outside/2020-01-05-gz.toml"},
        {**record, "id": "2020-01-05-other", "path": "entries/.hidden/2020-01-05-other.toml", "title": "Other"},
    ]
    file = tmp_path / "e.json"
    file.write_text(json.dumps(records))
    target = make_ledger({}, root=tmp_path / "t")
    result = cli("import", str(file), "--ledger", str(target))
    assert result.out == "entries/2020/01/2020-01-05-gz.toml\nentries/2020/01/2020-01-05-other.toml\n"
    assert not (tmp_path / "outside").exists()


def test_an_id_in_use_with_other_content_is_never_overwritten(make_ledger, cli, tmp_path):
    source = make_ledger({"2020-01-05-gz": VALID}, root=tmp_path / "s")
    file = tmp_path / "e.json"
    file.write_text(cli("export", "--ledger", str(source)).out)
    mine = VALID.replace("escalation = 4", "escalation = 5")
    target = make_ledger({"2020-01-05-gz": mine}, root=tmp_path / "t")
    result = cli("import", str(file), "--ledger", str(target))
    assert result.status == 1
    assert result.err.splitlines()[0] == (
        f"{file}: [1].id: 2020-01-05-gz already exists with other content; it is not overwritten"
    )
    assert (target / "entries/2020/01/2020-01-05-gz.toml").read_text() == mine


def test_json_nulls_mean_absent_and_bad_json_is_trouble(make_ledger, cli, tmp_path):
    target = make_ledger({})
    record = {"id": "2020-01-05-gz", "title": "Rockets", "date": "2020-01-05", "date_end": None, "type": "shelling"}
    record |= {"escalation": 4, "confidence": "reported", "location": {"name": "Green Zone", "country": "IQ"}}
    record |= {"sources": [{"name": "Reuters", "published": "2020-01-05"}]}
    file = tmp_path / "e.jsonl"
    file.write_text(json.dumps(record) + "\n")
    assert cli("import", str(file), "--from", "json", "--ledger", str(target)).status == 0
    text = (target / "entries/2020/01/2020-01-05-gz.toml").read_text()
    assert "date_end" not in text and "published = 2020-01-05" in text
    file.write_text('{"id": \n')
    result = cli("import", str(file), "--from", "json", "--ledger", str(target))
    assert result.status == 2
    assert "line 1: not valid JSON" in result.err


# -- UCDP GED -------------------------------------------------------------------------------------

UCDP_COLUMNS = (
    "id,year,active_year,type_of_violence,conflict_name,dyad_name,side_a,side_b,number_of_sources,source_article,"
    "source_office,source_date,source_headline,source_original,where_prec,where_coordinates,adm_1,adm_2,latitude,"
    "longitude,country,iso3,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,deaths_civilians,"
    "deaths_unknown,low,best,high"
)
UCDP_HXL = ",#date+year,,,,,#group+name+first,#group+name+second,,#meta+source,,,#description,,,#loc+name,#adm1+name,#adm2+name,#geo+lat,#geo+lon,#country+name,#country+code,,,#date+start,#date+end,,,,,,#affected+killed,"
UCDP_ROWS = [
    # state-based, a two-day span, low = best = high
    '114064,2014,1,1,Iraq: Government,Government of Iraq - IS,Government of Iraq,IS,1,"""Agence France Presse,2014-01-25,Iraq violence kills 14""",Agence France Presse,2014-01-25,Iraq violence kills 14,Doctor,1,Al Fallūjah town,Al Anbār province,Qaḑā’ al Fallūjah,33.355813,43.786124,Iraq,IRQ,1,2,2014-01-24,2014-01-25,0,0,1,7,8,8,8',
    # one-sided, a range, a headline with a newline inside quotes
    '62366,2013,1,3,IS - Civilians,IS - Civilians,IS,Civilians,2,,Reuters News;BBC,2013-07-05;2013-07-06,"Bomb kills\nseven;Seven die",Police,2,Sāmarrā’ town,Şalāḩ ad Dīn province,Qaḑā’ Sāmarrā’,34.196632,43.873899,Iraq,IRQ,2,1,2013-07-05,2013-07-05,0,0,7,0,5,7,60',
    # several governments on side A, low above best (the source is inconsistent), no district
    '200001,2015,1,1,Iraq: Government,Governments - IS,"Government of Australia, Government of United Kingdom",IS,1,,,,,,4,Nīnawá province,Nīnawá province,,36.0,43.0,Iraq,IRQ,1,1,2015-03-01,2015-03-01,3,0,0,0,4,3,3',
]


def ucdp_csv(rows: list[str], hxl: bool = True) -> str:
    return "\r\n".join([UCDP_COLUMNS, *([UCDP_HXL] if hxl else []), *rows]) + "\r\n"


def test_a_layout_named_with_none_of_its_columns_is_refused_whole(make_ledger, cli, tmp_path):
    """UCDP's file with --from acled: one usage error naming the layout it looks like, not 3 rows rejected."""
    root = make_ledger({})
    file = tmp_path / "ged.csv"
    file.write_text(ucdp_csv(UCDP_ROWS), encoding="utf-8")
    for wrong in ("acled", "csv"):
        result = cli("import", str(file), "--from", wrong, "--ledger", str(root))
        assert result.status == 2, result.err
        assert f"the header has none of {wrong}'s columns" in result.err
        assert result.err.endswith("it looks like ucdp: give --from ucdp\n")
        assert not any(root.rglob("*.toml"))
    partial = tmp_path / "partial.csv"
    partial.write_text("event_id_cnty,notes\r\nIRQ1,a row\r\n", encoding="utf-8")
    result = cli("import", str(partial), "--from", "acled", "--ledger", str(root))
    assert result.status == 1 and "header has none" not in result.err  # some columns: the rows say what is missing


def test_ucdp_rows_import_to_valid_entries(make_ledger, cli, tmp_path):
    root = make_ledger({})
    file = tmp_path / "ged.csv"
    file.write_text(ucdp_csv(UCDP_ROWS), encoding="utf-8")
    result = cli("import", str(file), "--from", "ucdp", "--ledger", str(root))
    assert result.status == 0, result.err
    assert result.out.splitlines() == [
        "entries/2014/01/2014-01-24-government-of-iraq-vs-is-in-al-fallujah-8-killed.toml",
        "entries/2013/07/2013-07-05-is-attack-on-civilians-in-samarra-7-killed.toml",
        "entries/2015/03/2015-03-01-government-of-australia-and-government-of-united-kingdom-vs-is-in-ninawa-province-3.toml",
    ]  # ids are cut at a word to 100 characters
    assert re.sub(r"\(\d+\.\d s\)", "(T s)", result.err).splitlines() == [  # the time is the machine's
        f"{file}:6: casualties.killed: warning: low 4 / best 3 / high 3 do not bracket best: kept best",
        "3 rows (ucdp): 3 entries created, 0 already in the ledger or repeated, 0 rejected (T s)",
    ]
    assert cli("validate", "--ledger", str(root)).status == 0
    assert (root / result.out.splitlines()[0]).read_text() == (
        'title = "Government of Iraq vs IS in Al Fallūjah: 8 killed"\n'
        "date = 2014-01-24\n"
        "date_end = 2014-01-25\n"
        'date_precision = "days"\n'
        'type = "armed-clash"\n'
        "escalation = 6\n"
        'confidence = "reported"\n'
        'aliases = ["UCDP:114064"]\n'
        'summary = """\n'
        "UCDP GED event 114064: Iraq: Government (state-based conflict).\n"
        "Deaths: side A 0, side B 0, civilians 1, unknown 7, best 8, low 8, high 8.\n"
        "Original source: Doctor.\n"
        '"""\n'
        "\n[location]\n"
        'name = "Al Fallūjah"\n'
        'country = "IQ"\n'
        'admin1 = "Al Anbār province"\n'
        'admin2 = "Qaḑā’ al Fallūjah"\n'
        "lat = 33.355813\n"
        "lon = 43.786124\n"
        'precision = "town"\n'
        "\n[actors]\n"
        'perpetrators = ["Government of Iraq"]\n'
        'targets = ["IS"]\n'
        "\n[casualties]\n"
        "killed = 8\n"
        "\n[[sources]]\n"
        'name = "Agence France Presse"\n'
        "published = 2014-01-25\n"
        'quote = "Iraq violence kills 14"\n'
        "\n[[sources]]\n"
        'name = "UCDP Georeferenced Event Dataset"\n'
    )
    one_sided, governments = (Ledger(root).load([rel])[0].entry for rel in result.out.splitlines()[1:])
    assert (one_sided.type, one_sided.escalation, one_sided.confidence) == ("attack-on-civilians", 5, "unverified")
    assert (one_sided.casualties.killed.low, one_sided.casualties.killed.high) == (5, 60)
    assert [s.name for s in one_sided.sources] == ["Reuters News", "BBC", "UCDP Georeferenced Event Dataset"]
    assert one_sided.sources[0].quote == "Bomb kills\nseven"
    assert one_sided.location.precision == "near"
    assert governments.actors.perpetrators == ("Government of Australia", "Government of United Kingdom")
    assert (governments.casualties.killed, governments.location.precision) == (3, "admin1")
    assert governments.casualties.note == "UCDP gives low 4, best 3, high 3"


def test_a_second_import_creates_nothing(make_ledger, cli, tmp_path):
    root = make_ledger({})
    file = tmp_path / "ged.csv"
    file.write_text(ucdp_csv(UCDP_ROWS), encoding="utf-8")
    cli("import", str(file), "--from", "ucdp", "--ledger", str(root))
    before = {p: p.read_bytes() for p in root.rglob("*.toml")}
    again = cli("import", str(file), "--from", "ucdp", "--ledger", str(root), "--verbose")
    assert (again.status, again.out) == (0, "")
    assert f"{file}: line 3: skipped: UCDP:114064 is already in the ledger as 2014-01-24-" in again.err
    assert {p: p.read_bytes() for p in root.rglob("*.toml")} == before


def test_edited_imported_entries_are_not_imported_again(make_ledger, cli, tmp_path):
    root = make_ledger({})
    file = tmp_path / "ged.csv"
    file.write_text(ucdp_csv(UCDP_ROWS[:1], hxl=False), encoding="utf-8")
    rel = cli("import", str(file), "--ledger", str(root)).out.strip()
    (root / rel).write_text((root / rel).read_text().replace("escalation = 6", "escalation = 7"))
    assert cli("import", str(file), "--ledger", str(root)).out == ""


def test_repeated_rows_in_one_file_make_one_entry(make_ledger, cli, tmp_path):
    root = make_ledger({})
    file = tmp_path / "ged.csv"
    file.write_text(ucdp_csv([UCDP_ROWS[0], UCDP_ROWS[0]]), encoding="utf-8")
    result = cli("import", str(file), "--ledger", str(root), "--verbose")
    assert len(result.out.splitlines()) == 1
    assert f"{file}: line 4: skipped: UCDP:114064 was already read at line 3" in result.err


def test_same_id_other_content_gets_a_suffix(make_ledger, cli, tmp_path):
    root = make_ledger({})
    twin = UCDP_ROWS[0].replace("114064,", "114065,", 1).replace("Doctor", "Police")
    file = tmp_path / "ged.csv"
    file.write_text(ucdp_csv([UCDP_ROWS[0], twin]), encoding="utf-8")
    result = cli("import", str(file), "--ledger", str(root))
    assert result.out.splitlines() == [
        "entries/2014/01/2014-01-24-government-of-iraq-vs-is-in-al-fallujah-8-killed.toml",
        "entries/2014/01/2014-01-24-government-of-iraq-vs-is-in-al-fallujah-8-killed-2.toml",
    ]


def test_overrides_replace_the_rules(make_ledger, cli, tmp_path):
    root = make_ledger({})
    file = tmp_path / "ged.csv"
    file.write_text(ucdp_csv(UCDP_ROWS[:1]), encoding="utf-8")
    args = ("--type", "raid", "--escalation", "3", "--confidence", "confirmed", "--tag", "ucdp")
    rel = cli("import", str(file), *args, "--ledger", str(root)).out.strip()
    imported = Ledger(root).load([rel])[0].entry
    assert (imported.type, imported.escalation, imported.confidence, imported.tags) == (
        "raid",
        3,
        "confirmed",
        ("ucdp",),
    )


def test_bad_override_is_a_usage_error(make_ledger, cli, tmp_path):
    file = tmp_path / "ged.csv"
    file.write_text(ucdp_csv(UCDP_ROWS[:1]), encoding="utf-8")
    result = cli("import", str(file), "--type", "rockets", "--ledger", str(make_ledger({})))
    assert result.status == 2
    assert '"rockets" is not one of: airstrike' in result.err


def test_ledger_vocabulary_names_the_actors(make_ledger, cli, tmp_path):
    root = make_ledger({}, config='[actors."Islamic State"]\naliases = ["IS", "ISIS"]\n')
    file = tmp_path / "ged.csv"
    file.write_text(ucdp_csv(UCDP_ROWS[:1]), encoding="utf-8")
    rel = cli("import", str(file), "--ledger", str(root)).out.strip()
    assert 'targets = ["Islamic State"]' in (root / rel).read_text()


# -- bad rows: each reported with its line and skipped; --strict writes nothing ---------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("2014-01-24,2014-01-25", "24/13/2014,2014-01-25"), 'date: expected a date, found a string: "24/13/2014"'),
        (("2014-01-24,2014-01-25", "2014-01-26,2014-01-25"), "date_end: 2014-01-25 is before date 2014-01-26"),
        ((",Iraq,IRQ,", ",Atlantis,ATL,"), 'location.country: "Atlantis" does not match ^[A-Z]{2}$'),
        (("33.355813,43.786124", "133.355813,43.786124"), "location.lat: 133.355813 is out of range -90..90"),
        (("2014-01-24,2014-01-25", "2999-01-24,2999-01-25"), "date: 2999-01-24 is in the future"),
    ],
    ids=["date", "span", "country", "latitude", "future"],
)
def test_a_bad_row_is_reported_and_skipped(make_ledger, cli, tmp_path, change, message):
    root = make_ledger({})
    file = tmp_path / "ged.csv"
    file.write_text(ucdp_csv([UCDP_ROWS[0].replace(*change), UCDP_ROWS[1]]), encoding="utf-8")
    result = cli("import", str(file), "--ledger", str(root), "--quiet")
    assert result.status == 1
    assert f"{file}:3: {message}" in result.err.splitlines()
    assert result.out == "entries/2013/07/2013-07-05-is-attack-on-civilians-in-samarra-7-killed.toml\n"


def test_strict_writes_nothing_when_a_row_is_bad(make_ledger, cli, tmp_path):
    root = make_ledger({})
    file = tmp_path / "ged.csv"
    file.write_text(ucdp_csv([UCDP_ROWS[0].replace(",Iraq,IRQ,", ",Atlantis,ATL,"), UCDP_ROWS[1]]), encoding="utf-8")
    result = cli("import", str(file), "--strict", "--ledger", str(root))
    assert (result.status, result.out) == (1, "")
    assert result.err.splitlines()[-1] == "2 rows: 1 rejected; nothing written (--strict)"
    assert list(root.rglob("*.toml")) == []


def test_dry_run_lists_and_writes_nothing(make_ledger, cli, tmp_path):
    root = make_ledger({})
    file = tmp_path / "ged.csv"
    file.write_text(ucdp_csv(UCDP_ROWS), encoding="utf-8")
    result = cli("import", str(file), "--dry-run", "--ledger", str(root))
    assert result.status == 0
    assert len(result.out.splitlines()) == 3
    assert "3 entries would be created" in result.err
    assert list(root.rglob("*.toml")) == []


def test_unknown_layout_missing_file_and_bad_csv(make_ledger, cli, tmp_path):
    root = make_ledger({})
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b\n1,2\n")
    assert cli("import", str(odd), "--ledger", str(root)).status == 2
    assert "cannot tell the layout" in cli("import", str(odd), "--ledger", str(root)).err
    missing = cli("import", str(tmp_path / "nope.csv"), "--ledger", str(root))
    assert (missing.status, missing.err) == (2, f"ledger: error: no such file: {(tmp_path / 'nope.csv').as_posix()}\n")
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\xff\xfe\x00")
    assert "is not UTF-8 text" in cli("import", str(binary), "--from", "csv", "--ledger", str(root)).err


def test_links_to_missing_entries_reject_the_row(make_ledger, cli, tmp_path):
    source = make_ledger({"2020-01-05-green-zone-rockets": VALID, "2020-01-06-answer": LINKED}, root=tmp_path / "s")
    records = json.loads(cli("export", "--ledger", str(source)).out)
    file = tmp_path / "e.json"
    file.write_text(json.dumps(records[1:]))  # the answer without the entry it answers
    target = make_ledger({}, root=tmp_path / "t")
    result = cli("import", str(file), "--ledger", str(target), "--quiet")
    assert result.status == 1
    assert result.err == f'{file}: [1].responds_to[0]: no entry "2020-01-05-green-zone-rockets"\n'
    assert list(target.rglob("*.toml")) == []


# -- ACLED ------------------------------------------------------------------------------------

ACLED_HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,"
    "inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,"
    "location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp"
)
ACLED_ROWS = [
    'IRQ1234,2020-01-05,2020,1,Political violence,Explosions/Remote violence,Shelling/artillery/missile attack,Unidentified Armed Group (Iraq),,3,Military Forces of the United States (2017-2021),,8,38,,368,Middle East,Iraq,Baghdad,Baghdad,,Baghdad - Green Zone,33.305,44.385,1,Reuters; AFP,International,"On 5 January 2020, rockets hit the Green Zone.",0,,1580000000',
    "SYR5678,03 January 2020,2020,2,Political violence,Explosions/Remote violence,Air/drone strike,Military Forces of the United States (2017-2021),,8,Military Forces of Iran (1989-),Kataib Hezbollah; PMF,1,18,,760,Middle East,Syria,Deir ez Zor,Abu Kamal,,Abu Kamal,34.45,40.92,2,SOHR,Other,Air strikes on militia bases.,8,crowd size=no report,1580000000",
    "IRQ9999,2020-01-06,2020,1,Demonstrations,Protests,Peaceful protest,Protesters (Iraq),,6,,,0,60,,368,Middle East,Iraq,Basrah,Basrah,,Basrah,30.5,47.8,1,Shafaq News,National,Protest against the strike.,0,,1580000000",
]


def test_acled_rows_import_to_valid_entries(make_ledger, cli, tmp_path):
    root = make_ledger({})
    file = tmp_path / "acled.csv"
    file.write_text("\n".join([ACLED_HEADER, *ACLED_ROWS]) + "\n", encoding="utf-8")
    result = cli("import", str(file), "--ledger", str(root))  # the layout is told from the header
    assert result.status == 0, result.err
    assert "3 rows (acled): 3 entries created" in result.err
    assert cli("validate", "--ledger", str(root)).status == 0
    shelling, strike, protest = (Ledger(root).load([rel])[0].entry for rel in result.out.splitlines())
    assert shelling.title == (
        "Shelling/artillery/missile attack by Unidentified Armed Group (Iraq) against "
        "Military Forces of the United States (2017-2021) in Baghdad - Green Zone"
    )
    assert (shelling.type, shelling.escalation, shelling.aliases) == ("shelling", 4, ("ACLED:IRQ1234",))
    assert [s.name for s in shelling.sources] == ["Reuters", "AFP"]
    assert shelling.casualties.killed == 0 and shelling.location.country == "IQ"
    assert (strike.date.isoformat(), strike.date_precision, strike.type, strike.escalation) == (
        "2020-01-03",
        "week",
        "airstrike",
        5,
    )
    assert strike.actors.associated == ("Kataib Hezbollah", "PMF")
    assert strike.location.precision == "near" and strike.location.country == "SY"
    assert strike.summary == "Air strikes on militia bases.\nACLED tags: crowd size=no report"
    assert (protest.type, protest.escalation, protest.actors.targets) == ("protest", 0, ())
    again = cli("import", str(file), "--ledger", str(root))
    assert (again.status, again.out) == (0, "")


def test_acled_export_reimports(make_ledger, cli, tmp_path):
    source = make_ledger({"2020-01-05-green-zone-rockets": VALID}, root=tmp_path / "s")
    file = tmp_path / "a.csv"
    file.write_text(cli("export", "-f", "acled", "--ledger", str(source)).out)
    target = make_ledger({}, root=tmp_path / "t")
    result = cli("import", str(file), "--ledger", str(target))
    assert result.status == 0, result.err
    assert cli("validate", "--ledger", str(target)).status == 0


# -- the rules, as documented --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event_type", "killed", "rung"),
    [
        ("statement", None, 0),
        ("protest", 0, 0),
        ("threat", None, 1),
        ("troop-movement", None, 2),
        ("seizure", None, 3),
        ("shelling", 0, 4),
        ("shelling", None, 4),
        ("airstrike", 3, 5),
        ("attack-on-civilians", 0, 3),
        ("attack-on-civilians", 2, 5),
        ("armed-clash", 1, 6),
        ("armed-clash", 50, 7),
        ("ied", 49, 5),
    ],
)
def test_escalation_rule(event_type, killed, rung):
    assert datasets.escalation_for(event_type, killed) == rung


def test_hxl_row_is_skipped_only_right_after_the_header():
    rows = list(importers.read_csv(ucdp_csv(UCDP_ROWS[:1])))
    assert [(r.line, r.item, r.values["id"]) for r in rows] == [(3, 1, "114064")]
    plain = list(importers.read_csv(ucdp_csv(UCDP_ROWS[:2], hxl=False)))
    assert [(r.line, r.values["id"]) for r in plain] == [(2, "114064"), (3, "62366")]


def test_csv_line_numbers_count_newlines_inside_cells():
    rows = list(importers.read_csv(ucdp_csv([UCDP_ROWS[1], UCDP_ROWS[0]])))
    assert [r.line for r in rows] == [3, 5]


def test_country_lookup():
    from ledger.core import gazetteer

    assert [
        gazetteer.code_of(v) for v in ("Iraq", "IRQ", "368", "iq", "Türkiye", "Syrian Arab Republic", "Narnia")
    ] == [
        "IQ",
        "IQ",
        "IQ",
        "IQ",
        "TR",
        "SY",
        None,
    ]


def test_detect_layouts():
    assert importers.detect(ucdp_csv(UCDP_ROWS)) == "ucdp"
    assert importers.detect(ACLED_HEADER + "\n") == "acled"
    assert importers.detect('[{"id": 1}]') == "json"
    assert importers.detect("title,date,location.name\n") == "csv"
    assert importers.detect("x,y\n") is None


def test_own_csv_reads_json_list_cells():
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["title", "date", "tags", "actors.perpetrators", "location.name"])
    writer.writerow(["x", "2020-01-05", "a; b", '["A; B", "C"]', "'=place"])
    row = next(importers.read_csv(text.getvalue()))
    data = importers.own_csv(row.values, importers.Overrides()).data
    assert data["tags"] == ["a", "b"]
    assert data["actors"]["perpetrators"] == ["A; B", "C"]
    assert data["location"]["name"] == "=place"


def test_progress_bar_for_large_files():
    from ledger.output.progress import Phases

    stream = io.StringIO()
    progress = Phases(stream)
    progress("checking", 100, 400)  # small files get no bar
    assert stream.getvalue() == ""
    for done in (100, 600, 1000):
        progress("checking", done, 1000)
    progress("writing", 500, 1000)
    progress.close()  # stopped half-way: the line is ended
    lines = stream.getvalue().replace("\r", "\n").splitlines()
    assert "checking     1,000/1,000 [##############################] 100%" in lines
    assert lines[-1].startswith("writing        500/1,000 [###############")
    assert stream.getvalue().endswith("\n")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('title,date\r\nok,2020-01-01\r\n"' + "x" * (importers.MAX_FIELD + 1) + '",2020-01-02\r\n', 3),
        ('title,date\nok,2020-01-01\n"two\nlines",2020\n"' + "x" * (importers.MAX_FIELD + 1) + '",2020\n', 5),
        ('"ti\ntle",date\nok,2020-01-01\n"' + "x" * (importers.MAX_FIELD + 1) + '",2020\n', 4),
    ],
    ids=["a cell past the limit", "after a record on two lines", "after a header on two lines"],
)
def test_a_csv_error_names_the_line_its_record_starts_on(text, line):
    with pytest.raises(ValueError, match=rf"^line {line}: not valid CSV: "):
        list(importers.read_csv(text))
