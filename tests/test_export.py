"""`ledger export`: json, jsonl, csv, geojson, ics and acled, checked by parsing the output."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from conftest import VALID, entry

from ledger.api import Ledger
from ledger.core import flat, schema
from ledger.interchange import exporters, ics


def esc(text: str) -> str:
    """Return text escaped for a TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


TRICKY_TITLE = "Ḩawījah; shelling, \\ “quoted” — " + "ش" * 30 + " and more words to pass seventy-five octets"
ENTRIES = {
    "2020-01-05-green-zone-rockets": VALID,
    "2020-01-03-strike": entry(
        title=esc('=HYPERLINK("http://evil")'),
        date="2020-01-03",
        type="airstrike",
        escalation=7,
        extra='date_end = 2020-01-04\nsummary = """\nLine one; with, commas.\nLine two \\\\ backslash.\n"""\n',
        tables="[casualties]\nkilled = { best = 12, low = 10, high = 14 }\n",
        place="Baghdad airport",
    ).replace('name = "Baghdad airport"', 'name = "Baghdad airport"\nlat = 33.26\nlon = -44.23\nprecision = "near"'),
    "2020-01-06-no-coordinates": entry(title=esc(TRICKY_TITLE), date="2020-01-06", type="statement", escalation=0),
    "2020-01-07-withdrawn": entry(
        title="Withdrawn duplicate",
        date="2020-01-07",
        extra='status = "withdrawn"\nwithdrawn_reason = "duplicate"\nduplicate_of = "2020-01-05-green-zone-rockets"\n',
    ),
}


@pytest.fixture
def root(make_ledger):
    return make_ledger(ENTRIES)


def entries_of(root, withdrawn=False):
    return [e for e in Ledger(root).entries() if withdrawn or not e.withdrawn]


def test_json_is_the_documented_form_of_each_entry(root, cli):
    result = cli("export", "--format", "json", "--ledger", str(root))
    assert result.status == 0
    assert result.err == "3 entries exported\n"
    records = json.loads(result.out)
    paths = {e.id: f"entries/{e.id[:4]}/{e.id[5:7]}/{e.id}.toml" for e in entries_of(root)}
    expected = [schema.to_json(e, paths[e.id]) for e in sorted(entries_of(root), key=lambda e: e.date)]
    assert records == expected
    assert [r["id"] for r in records] == [
        "2020-01-03-strike",
        "2020-01-05-green-zone-rockets",
        "2020-01-06-no-coordinates",
    ]


def test_jsonl_is_one_record_per_line(root, cli):
    result = cli("export", "-f", "jsonl", "--withdrawn", "--ledger", str(root), "--quiet")
    lines = result.out.splitlines()
    assert len(lines) == 4
    assert [json.loads(line)["id"] for line in lines][-1] == "2020-01-07-withdrawn"


def test_filters_of_list_apply(root, cli):
    result = cli("export", "-f", "jsonl", "--type", "airstrike", "--ledger", str(root), "--quiet")
    assert [json.loads(line)["id"] for line in result.out.splitlines()] == ["2020-01-03-strike"]
    query = cli("export", "-f", "jsonl", "escalation>=4", "--ledger", str(root), "--quiet")
    assert [json.loads(line)["id"] for line in query.out.splitlines()] == [
        "2020-01-03-strike",
        "2020-01-05-green-zone-rockets",
    ]


def test_unknown_format_is_a_usage_error(root, cli):
    result = cli("export", "-f", "xml", "--ledger", str(root))
    assert result.status == 2
    assert '"xml" is not one of: csv, json, jsonl, geojson, ics, acled' in result.err


# -- csv ----------------------------------------------------------------------------------------


def test_csv_has_one_column_per_field_and_neutralises_formulas(root, cli):
    result = cli("export", "-f", "csv", "--ledger", str(root), "--quiet")
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert list(rows[0]) == [c.name for c in flat.columns()]
    assert result.out.split("\n")[0].endswith("path\r")  # RFC 4180 line ends
    strike = rows[0]
    assert strike["title"] == '\'=HYPERLINK("http://evil")'  # a spreadsheet shows it as text
    assert strike["location.lon"] == "-44.23"  # numbers are not neutralised
    assert (strike["casualties.killed"], strike["casualties.killed.low"], strike["casualties.killed.high"]) == (
        "12",
        "10",
        "14",
    )
    assert json.loads(strike["sources"]) == [{"name": "Reuters"}]
    assert rows[1]["tags"] == "green-zone"
    assert rows[1]["actors.targets"] == "US forces"
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "@", "\t", "\r")) and not re.match(r"^-[^0-9]", cell)


def test_neutralise_and_restore_are_inverse():
    for text in ["=1+1", "+x", "-x", "@x", "\tx", "\rx", "'quoted'", "''=x", "plain", "", "-"]:
        assert flat.restore(flat.neutralise(text)) == text
    assert flat.neutralise(-3.5) == -3.5


def test_an_export_says_what_it_left_out_even_when_quiet(root, cli):
    (root / "entries" / "2020" / "01" / "2020-01-09-broken.toml").write_text('title = "no date"\n')
    result = cli("export", "-f", "geojson", "-q", "--ledger", str(root))
    assert result.status == 0
    assert result.err == (
        "ledger: 1 entry without coordinates left out of the GeoJSON\n"
        "ledger: 1 invalid entry file left out (see `ledger validate`)\n"
    )
    assert len(json.loads(result.out)["features"]) == 2


# -- GeoJSON --------------------------------------------------------------------------------


def test_geojson_is_a_feature_collection_of_points(root, cli):
    result = cli("export", "-f", "geojson", "--ledger", str(root))
    assert result.status == 0
    assert result.err == "ledger: 1 entry without coordinates left out of the GeoJSON\n2 entries exported\n"
    doc = json.loads(result.out)
    assert set(doc) == {"type", "features"} and doc["type"] == "FeatureCollection"
    by_id = {e.id: e for e in entries_of(root)}
    assert [f["id"] for f in doc["features"]] == ["2020-01-03-strike", "2020-01-05-green-zone-rockets"]
    for feature in doc["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        loc = by_id[feature["id"]].location
        assert (lon, lat) == (loc.lon, loc.lat)  # RFC 7946: longitude first
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        props = feature["properties"]
        assert list(props) == list(exporters.GEOJSON_PROPERTIES)
        assert all(v is None or isinstance(v, str | int | float) for v in props.values())  # flat
    strike = doc["features"][0]["properties"]
    assert (strike["killed"], strike["escalation_label"], strike["category"]) == (
        12,
        "strategic-strike",
        "remote-violence",
    )
    assert strike["date_end"] == "2020-01-04" and strike["path"] == "entries/2020/01/2020-01-03-strike.toml"


def test_geojson_of_nothing_is_still_valid(make_ledger, cli):
    root = make_ledger({})
    doc = json.loads(cli("export", "-f", "geojson", "--ledger", str(root)).out)
    assert doc == {"type": "FeatureCollection", "features": []}


# -- iCalendar ---------------------------------------------------------------------------------


def unescape(text: str) -> str:
    """Undo RFC 5545 TEXT escaping (an independent reading of section 3.3.11)."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def calendar(cli, root, *args):
    result = cli("export", "-f", "ics", *args, "--ledger", str(root), env={"SOURCE_DATE_EPOCH": "1578268800"})
    assert result.status == 0
    return result.out


def test_ics_lines_end_with_crlf_and_fold_at_75_octets(root, cli):
    text = calendar(cli, root)
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")  # no bare LF
    assert "\r" not in text.replace("\r\n", "")  # no bare CR
    physical = text.split("\r\n")[:-1]
    assert max(len(line.encode("utf-8")) for line in physical) <= 75
    assert any(line.startswith(" ") for line in physical)  # something was folded
    for line in physical:
        line.encode("utf-8").decode("utf-8")  # no line ends inside a character


def test_ics_unfolds_to_the_escaped_text(root, cli):
    lines = ics.unfold(calendar(cli, root)).split("\r\n")
    summaries = [line.removeprefix("SUMMARY:") for line in lines if line.startswith("SUMMARY:")]
    titles = {e.title for e in entries_of(root)}
    assert {unescape(s) for s in summaries} == titles
    tricky = next(s for s in summaries if s.startswith("Ḩawījah"))
    assert tricky.startswith("Ḩawījah\\; shelling\\, \\\\ “quoted”")
    description = next(line for line in lines if line.startswith("DESCRIPTION:") and "Line one" in line)
    assert "Line one\\; with\\, commas.\\nLine two \\\\ backslash." in description


def test_ics_has_one_all_day_vevent_per_incident(root, cli):
    lines = ics.unfold(calendar(cli, root)).split("\r\n")
    assert lines[:4] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//incident-ledger//ledger//EN",
        "CALSCALE:GREGORIAN",
    ]
    events = [i for i, line in enumerate(lines) if line == "BEGIN:VEVENT"]
    assert len(events) == 3 == lines.count("END:VEVENT")
    fields = [dict(line.split(":", 1) for line in lines[i + 1 : lines.index("END:VEVENT", i)]) for i in events]
    strike = fields[0]
    assert strike["UID"] == "2020-01-03-strike@incident-ledger"
    assert strike["DTSTART;VALUE=DATE"] == "20200103"
    assert strike["DTEND;VALUE=DATE"] == "20200105"  # date_end 2020-01-04 + 1 (DTEND is exclusive)
    assert strike["DTSTAMP"] == "20200106T000000Z"  # SOURCE_DATE_EPOCH
    assert strike["GEO"] == "33.26;-44.23"
    assert fields[1]["DTEND;VALUE=DATE"] == "20200106"
    assert len({f["UID"] for f in fields}) == 3
    assert calendar(cli, root) == calendar(cli, root)  # stable


def test_ics_withdrawn_entries_are_cancelled(root, cli):
    lines = ics.unfold(calendar(cli, root, "--withdrawn")).split("\r\n")
    assert lines.count("BEGIN:VEVENT") == 4
    assert "STATUS:CANCELLED" in lines


def test_ics_fold_never_splits_a_character():
    line = "SUMMARY:" + "é" * 100
    folded = ics.fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert ics.unfold(folded) == line
    assert ics.escape("a\r\nb\x07") == "a\\nb"


# -- ACLED ----------------------------------------------------------------------------------


def test_acled_columns_and_values(root, cli):
    result = cli("export", "-f", "acled", "--ledger", str(root), "--quiet")
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert tuple(rows[0]) == exporters.ACLED_COLUMNS
    assert rows[1] == {
        "event_id_cnty": "2020-01-05-green-zone-rockets",
        "event_date": "2020-01-05",
        "year": "2020",
        "time_precision": "1",
        "disorder_type": "Political violence",
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Shelling/artillery/missile attack",
        "actor1": "Iran-backed militias",
        "assoc_actor_1": "",
        "actor2": "US forces",
        "assoc_actor_2": "",
        "country": "Iraq",
        "admin1": "Baghdad",
        "admin2": "",
        "location": "Green Zone",
        "latitude": "33.305",
        "longitude": "44.385",
        "geo_precision": "1",
        "source": "Reuters",
        "notes": "Six rockets fell in and near the Green Zone.",
        "fatalities": "",
        "tags": "green-zone",
    }
    assert rows[0]["fatalities"] == "12" and rows[0]["event_type"] == "Explosions/Remote violence"
    assert rows[2]["disorder_type"] == "Strategic developments" and rows[2]["sub_event_type"] == "Agreement"


def test_acled_alias_becomes_the_event_id(make_ledger, cli):
    root = make_ledger({"2020-01-05-a": entry(extra='aliases = ["UCDP:1", "ACLED:IRQ1234"]\n')})
    rows = list(csv.DictReader(io.StringIO(cli("export", "-f", "acled", "--ledger", str(root)).out)))
    assert rows[0]["event_id_cnty"] == "IRQ1234"


def test_export_time_stamp_defaults_to_now(root):
    out = io.StringIO()
    with Ledger(root) as ledger:
        exporters.export_found(ledger.find(None), "ics", out, labels=ledger.vocabulary.labels)
    stamp = next(line for line in out.getvalue().split("\r\n") if line.startswith("DTSTAMP:"))
    made = dt.datetime.strptime(stamp, "DTSTAMP:%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    assert abs((dt.datetime.now(dt.UTC) - made).total_seconds()) < 60
