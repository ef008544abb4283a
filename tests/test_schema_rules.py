"""The entry JSON Schema and `validate` agree, one rule at a time; the output schema holds every record.

Each case changes one thing in a valid entry and says whether `validate` finds an error. Where
draft-07 can say the rule, the schema must give the same answer (an editor then shows exactly
the files `validate` rejects); the rules it cannot say are listed, and the schema is checked to
accept them, so that list stays true (`json_schema.NOT_EXPRESSIBLE`).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
import subprocess
import tomllib

import jsonschema
import pytest
from conftest import ROOT, VALID
from test_schema import as_json_data

from ledger.core import checks, json_schema, schema

STEM = "2020-01-05-rockets-hit-the-green-zone"


@pytest.fixture(scope="module")
def entry_validator():
    document = json_schema.entry_schema()
    jsonschema.Draft7Validator.check_schema(document)
    return jsonschema.Draft7Validator(document, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def validate_errors(raw: dict) -> list[str]:
    """The errors `validate` reports for one entry file holding `raw` (its per-file rules)."""
    entry, problems = schema.decode(raw, entry_id=STEM, path="x.toml")
    found = list(problems)
    found += checks.id_problems("x.toml", STEM, raw.get("id") if isinstance(raw.get("id"), str) else None, lambda _: 0)
    if entry is not None:
        found += checks.entry_problems(entry, "x.toml", lambda _: 0, dt.date(2026, 1, 1))
    return [f"{p.field}: {p.message}" for p in found if p.severity.value == "error"]


def put(path: str, value):
    def change(d):
        *parents, last = path.split(".")
        for part in parents:
            d = d[part]
        d[last] = value

    return change


def drop(path: str):
    def change(d):
        *parents, last = path.split(".")
        for part in parents:
            d = d[part]
        del d[last]

    return change


def both(*changes):
    def change(d):
        for one in changes:
            one(d)

    return change


# (what, change, validate finds an error)
SAYABLE = [
    ("title missing", drop("title"), True),
    ("title on two lines", put("title", "Rockets\nhit"), True),
    ("title with a carriage return", put("title", "Rockets\rhit"), True),
    ("title ends in a newline", put("title", "Rockets hit\n"), True),
    ("title with a bell", put("title", "Rockets \x07hit"), True),
    ("title with a bidi override", put("title", "Rockets \u202ehit"), True),
    ("title with a line separator", put("title", "Rockets \u2028hit"), True),
    ("title blank", put("title", "   "), True),
    ("title empty", put("title", ""), True),
    ("title a number", put("title", 5), True),
    ("title with CJK, emoji and a combining accent", put("title", "火箭击中绿区 🚀 Café"), False),
    ("summary on several lines", put("summary", "one\ntwo\r\nthree"), False),
    ("summary with a bell", put("summary", "one \x07"), True),
    ("summary blank", put("summary", "\n \n"), True),
    ("escalation 8", put("escalation", 8), True),
    ("escalation -1", put("escalation", -1), True),
    ("escalation a string", put("escalation", "4"), True),
    ("type unknown", put("type", "rocket-atack"), True),
    ("confidence unknown", put("confidence", "sure"), True),
    ("an unknown key", put("tpye", "x"), True),
    ("an unknown location key", put("location.town", "x"), True),
    ("lat without lon", drop("location.lon"), True),
    ("lon without lat", drop("location.lat"), True),
    ("neither lat nor lon", both(drop("location.lat"), drop("location.lon")), False),
    ("lat 91", put("location.lat", 91), True),
    ("lon -181", put("location.lon", -181.0), True),
    ("country XX (no such code)", put("location.country", "XX"), True),
    ("country lowercase", put("location.country", "iq"), True),
    ("country a name", put("location.country", "Iraq"), True),
    ("country XK", put("location.country", "XK"), False),
    ("location name on two lines", put("location.name", "Green\nZone"), True),
    ("withdrawn_reason on an active entry", put("withdrawn_reason", "duplicate"), True),
    ("duplicate_of on an active entry", put("duplicate_of", "2020-01-04-other"), True),
    ("withdrawn without a reason", put("status", "withdrawn"), True),
    ("withdrawn with a reason", both(put("status", "withdrawn"), put("withdrawn_reason", "dupe")), False),
    (
        "withdrawn as a duplicate",
        both(put("status", "withdrawn"), put("withdrawn_reason", "dupe"), put("duplicate_of", "2020-01-04-other")),
        False,
    ),
    ("status active with a reason", both(put("status", "active"), put("withdrawn_reason", "x")), True),
    ("status unknown", put("status", "gone"), True),
    ("a tag not a slug", put("tags", ["Green Zone"]), True),
    ("a tag with a trailing newline", put("tags", ["green-zone\n"]), True),
    ("responds_to not an id", put("responds_to", ["green-zone"]), True),
    ("responds_to an id with a trailing newline", put("responds_to", ["2020-01-04-other\n"]), True),
    ("responds_to a string, not a list", put("responds_to", "2020-01-04-other"), True),
    (
        "duplicate_of not an id",
        both(put("status", "withdrawn"), put("withdrawn_reason", "x"), put("duplicate_of", "x")),
        True,
    ),
    ("an alias on two lines", put("aliases", ["ACLED:1\nACLED:2"]), True),
    ("id written and valid", put("id", STEM), False),
    ("id longer than 100", put("id", "2020-01-05-" + "a" * 95), True),
    ("no sources", put("sources", []), True),
    ("a source without a name", put("sources", [{"url": "https://example.org"}]), True),
    ("reliability G", put("sources", [{"name": "R", "reliability": "G"}]), True),
    ("credibility a number", put("sources", [{"name": "R", "credibility": 2}]), True),
    ("killed -1", put("casualties.killed", -1), True),
    ("killed a range without best", put("casualties.killed", {"low": 1}), True),
    ("killed with an unknown key", put("casualties.killed", {"best": 1, "most": 2}), True),
    ("killed as best alone", put("casualties.killed", {"best": 3}), False),
    ("killed a float", put("casualties.killed", 2.5), True),
    ("date_precision unknown", put("date_precision", "year"), True),
    ("time_of_day unknown", put("time_of_day", "noon"), True),
]

# What `validate` rejects and draft-07 cannot say (json_schema.NOT_EXPRESSIBLE): the schema accepts these.
UNSAYABLE = [
    ("date_end before date", put("date_end", dt.date(2020, 1, 1))),
    ("a date in the future", put("date", dt.date(2030, 1, 1))),
    ("a range with best above high", put("casualties.injured", {"best": 9, "low": 2, "high": 5})),
    ("responds_to itself", put("responds_to", [STEM])),
    ("id differs from the file name", put("id", "2020-01-05-other")),
    ("a date written as a quoted string", put("date", "2020-01-05")),
    ("an integer written as a float", put("escalation", 4.0)),
]


@pytest.mark.parametrize(("what", "change", "rejected"), SAYABLE, ids=[c[0] for c in SAYABLE])
def test_schema_and_validate_agree(entry_validator, what, change, rejected):
    raw = tomllib.loads(VALID)
    assert validate_errors(raw) == [] and not list(entry_validator.iter_errors(as_json_data(raw)))
    change(raw)
    found = validate_errors(raw)
    schema_errors = [e.message for e in entry_validator.iter_errors(as_json_data(raw))]
    assert bool(found) is rejected, found
    assert bool(schema_errors) is rejected, schema_errors


@pytest.mark.parametrize(("what", "change"), UNSAYABLE, ids=[c[0] for c in UNSAYABLE])
def test_rules_the_schema_cannot_say(entry_validator, what, change):
    raw = tomllib.loads(VALID)
    change(raw)
    assert validate_errors(raw), what
    assert not list(entry_validator.iter_errors(as_json_data(raw))), what


def test_the_unsayable_rules_are_documented():
    assert len(json_schema.NOT_EXPRESSIBLE) >= len(UNSAYABLE) - 2  # two are TOML's types, which JSON lacks
    docs = (ROOT / "docs" / "output.md").read_text()
    for rule in json_schema.NOT_EXPRESSIBLE:
        assert rule.split(" (")[0] in docs, rule


# -- the output schema, against every record the commands print --------------------------


@pytest.fixture(scope="module")
def output_validator():
    document = json_schema.output_schema()
    jsonschema.Draft7Validator.check_schema(document)
    return jsonschema.Draft7Validator(document, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


COUNTS = """\
[casualties]
killed = 4
injured = { best = 3, low = 2, high = 5 }
"""


@pytest.fixture
def mixed_ledger(make_ledger):
    """A ledger whose counts are written every way: a number, a range, best alone, none."""
    from conftest import entry

    return make_ledger(
        {
            "2020-01-03-a": entry(tables=COUNTS),
            "2020-01-04-b": entry(tables="[casualties]\nkilled = { best = 7 }\n"),
            "2020-01-05-c": entry(extra='status = "withdrawn"\nwithdrawn_reason = "dupe"\n'),
            "2020-01-06-d": VALID,
        }
    )


def test_every_json_record_fits_the_output_schema(cli, mixed_ledger, output_validator):
    outputs = {
        "list json": json.loads(cli("list", "--withdrawn", "-f", "json", cwd=mixed_ledger).out),
        "list jsonl": [
            json.loads(line) for line in cli("list", "--withdrawn", "-f", "jsonl", cwd=mixed_ledger).out.splitlines()
        ],
        "export json": json.loads(cli("export", "-f", "json", cwd=mixed_ledger).out),
        "export jsonl": [json.loads(line) for line in cli("export", "-f", "jsonl", cwd=mixed_ledger).out.splitlines()],
        "show json": json.loads(cli("show", "2020-01-03-a", "2020-01-04-b", "-f", "json", cwd=mixed_ledger).out),
    }
    for name, records in outputs.items():
        assert len(records) >= 2, name
        for record in records:
            errors = [e.message for e in output_validator.iter_errors(record)]
            assert errors == [], (name, record["id"], errors)
    by_id = {r["id"]: r for r in outputs["list json"]}
    assert by_id["2020-01-03-a"]["casualties"]["killed"] == {"best": 4, "low": None, "high": None}
    assert by_id["2020-01-03-a"]["casualties"]["injured"] == {"best": 3, "low": 2, "high": 5}
    assert by_id["2020-01-04-b"]["casualties"]["killed"] == {"best": 7, "low": None, "high": None}


def test_the_output_schema_rejects_the_old_bare_count(output_validator):
    record = json.loads(json.dumps(schema.to_json(schema.decode(tomllib.loads(VALID), entry_id=STEM)[0], "p")))
    assert not list(output_validator.iter_errors(record))
    bad = copy.deepcopy(record)
    bad["casualties"]["injured"] = 3
    assert list(output_validator.iter_errors(bad))
    bad = copy.deepcopy(record)
    del bad["category"]
    assert list(output_validator.iter_errors(bad))


def test_import_reads_the_one_shape_and_old_files(cli, make_ledger, tmp_path):
    old = [  # an export from before the one shape: a bare number
        {
            "id": "2020-01-03-old",
            "title": "Old shape",
            "date": "2020-01-03",
            "type": "shelling",
            "escalation": 4,
            "confidence": "reported",
            "location": {"name": "X", "country": "IQ"},
            "casualties": {"killed": 4, "injured": {"best": 3, "low": 2, "high": 5}},
            "sources": [{"name": "R"}],
        }
    ]
    new = copy.deepcopy(old[0]) | {"id": "2020-01-04-new", "title": "New shape", "date": "2020-01-04"}
    new["location"] = {"name": "Y", "country": "SY"}
    new["casualties"] = {"killed": {"best": 4, "low": None, "high": None}, "injured": {"best": 3, "low": 2, "high": 5}}
    target = make_ledger({})
    for name, data in (("old.json", old), ("new.json", [new])):
        (tmp_path / name).write_text(json.dumps(data))
        result = cli("import", "--from", "json", str(tmp_path / name), cwd=target)
        assert result.status == 0, result.err
    texts = sorted(p.read_text() for p in (target / "entries").rglob("*.toml"))
    assert len(texts) == 2
    for text in texts:
        assert "killed = 4\n" in text and "injured = { best = 3, low = 2, high = 5 }" in text, text


@pytest.mark.skipif(not shutil.which("check-jsonschema"), reason="check-jsonschema is not installed")
def test_check_jsonschema_reads_the_entries_and_the_records(cli, mixed_ledger, tmp_path):
    entry_schema = tmp_path / "entry.schema.json"
    entry_schema.write_text(json.dumps(json_schema.entry_schema()))
    output_schema = tmp_path / "output.schema.json"
    output_schema.write_text(json.dumps(json_schema.output_schema()))
    record = tmp_path / "record.json"
    record.write_text(cli("show", "2020-01-03-a", "-f", "json", cwd=mixed_ledger).out)
    entries = sorted(str(p) for p in (ROOT / "entries").rglob("*.toml"))
    ok = subprocess.run(
        ["check-jsonschema", "--schemafile", str(entry_schema), *entries], capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    ok = subprocess.run(
        ["check-jsonschema", "--schemafile", str(output_schema), str(record)], capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = tmp_path / "2020-01-05-bad.toml"
    bad.write_text(VALID.replace('country = "IQ"', 'country = "XX"').replace("lon = 44.385\n", ""))
    failed = subprocess.run(
        ["check-jsonschema", "--schemafile", str(entry_schema), str(bad)], capture_output=True, text=True
    )
    assert failed.returncode == 1
    assert "XX" in failed.stdout and "lat" in failed.stdout
