"""The schema, declared once in model.py: the JSON Schema, its committed copy and the docs derive from it."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT, VALID

from ledger.core import json_schema, model, schema


def as_json_data(value):
    """TOML data as editors see it against the schema: dates and times as ISO strings."""
    if isinstance(value, dict):
        return {k: as_json_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json_data(v) for v in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def validator():
    document = json_schema.entry_schema()
    jsonschema.Draft7Validator.check_schema(document)
    return jsonschema.Draft7Validator(document, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def test_committed_schema_is_current():
    committed = json.loads((ROOT / "ledger" / "core" / "entry.schema.json").read_text())
    assert committed == json_schema.entry_schema(), "run: ledger schema > ledger/core/entry.schema.json"


def test_schema_command_prints_it(cli):
    result = cli("schema")
    assert result.status == 0
    assert json.loads(result.out) == json_schema.entry_schema()


def test_schema_keeps_to_editor_friendly_draft7():
    text = json.dumps(json_schema.entry_schema())
    assert "$defs" not in text
    document = json_schema.entry_schema()
    assert document["$schema"] == "http://json-schema.org/draft-07/schema#"
    for definition in [document, *document["definitions"].values()]:
        assert definition["additionalProperties"] is False
    assert document["properties"]["type"]["x-taplo"]["docs"]["enumValues"][0].startswith("airstrike")
    assert document["properties"]["date"] == {
        "description": "first day the incident may have happened (local)",
        "type": "string",
        "format": "date",
    }


def test_sample_entries_pass_the_json_schema(validator):
    paths = sorted((ROOT / "entries").rglob("*.toml"))
    assert len(paths) >= 15
    for path in paths:
        data = as_json_data(tomllib.loads(path.read_text()))
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], path


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.pop("title"),
        lambda d: d.update(escalation=8),
        lambda d: d.update(type="rocket-atack"),
        lambda d: d.update(confidence=1),
        lambda d: d.update(tpye="x"),
        lambda d: d["location"].update(lat=91),
        lambda d: d["location"].update(country="Iraq"),
        lambda d: d["casualties"].update(injured=-1),
        lambda d: d["casualties"].update(injured={"low": 1}),
        lambda d: d.update(sources=[]),
        lambda d: d["sources"][0].update(reliability="G"),
        lambda d: d.update(tags=["Not A Slug"]),
        lambda d: d.update(date="5 January"),
        lambda d: d.update(responds_to=["not-an-id"]),
    ],
)
def test_json_schema_rejects_bad_entries(validator, change):
    data = as_json_data(tomllib.loads(VALID))
    assert list(validator.iter_errors(data)) == []
    change(data)
    assert list(validator.iter_errors(data)), data


def test_readme_field_reference_is_current():
    readme = (ROOT / "docs" / "entry-format.md").read_text()
    assert schema.field_table() in readme, "paste `ledger schema --format markdown` into docs/entry-format.md"


def test_every_model_field_is_documented():
    import dataclasses

    for cls in (model.Entry, model.Location, model.Actors, model.Casualties, model.Estimate, model.Source):
        for f in dataclasses.fields(cls):
            assert model.spec_of(f).doc, f"{cls.__name__}.{f.name}"
            assert f"`{f.name}`" in schema.field_table() or f".{f.name}`" in schema.field_table()


def test_the_record_types_do_not_lie():
    """A field a file must have has no default; a field that may be absent is Optional or a list."""
    import dataclasses
    import typing

    for cls in (model.Entry, model.Location, model.Actors, model.Casualties, model.Estimate, model.Source):
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            where = f"{cls.__name__}.{f.name}"
            optional = type(None) in typing.get_args(hints[f.name])
            if f.default is None:
                assert optional and not model.spec_of(f).required, where
            elif f.default == ():
                assert typing.get_origin(hints[f.name]) is tuple, where
            else:
                assert f.default is dataclasses.MISSING and not optional, where
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'best'"):
        model.Estimate()  # type: ignore[call-arg]


def test_every_type_has_a_category_and_acled_pair():
    assert set(model.TAXONOMY) == set(model.EventType)
    for event_type in model.EventType:
        category, event, sub_event = model.TAXONOMY[event_type]
        assert isinstance(category, model.Category) and event and sub_event


def test_encode_decode_round_trip():
    raw = tomllib.loads(VALID)
    entry, problems = schema.decode(raw, entry_id="2020-01-05-x")
    assert problems == [] and entry is not None
    assert schema.to_toml_data(entry) == raw
    assert schema.from_json(schema.to_json(entry, "entries/x.toml")) == entry
    assert list(schema.to_json(entry, "p"))[:4] == ["id", "path", "title", "date"]


def test_canonical_order_follows_the_model():
    raw = tomllib.loads(VALID)
    entry, _ = schema.decode(dict(reversed(list(raw.items()))), entry_id="2020-01-05-x")
    keys = list(schema.to_toml_data(entry))
    assert keys == [
        "title",
        "date",
        "time_of_day",
        "type",
        "escalation",
        "confidence",
        "tags",
        "summary",
        "location",
        "actors",
        "casualties",
        "sources",
    ]


def test_json_schema_file_is_in_the_package():
    assert Path(schema.__file__).with_name("entry.schema.json").is_file()


def test_a_union_of_int_and_a_record_is_the_only_union_the_model_knows():
    from ledger.core import shapes

    assert shapes.shape_of(int | model.Estimate | None) == shapes.Shape("count", model.Estimate, True)
    assert shapes.records() == (model.Location, model.Actors, model.Casualties, model.Estimate, model.Source)
    with pytest.raises(TypeError, match="no rule for the union"):
        shapes.shape_of(int | str)


@pytest.mark.parametrize("name", ["ledger.core.shapes", "ledger.core.slug", "ledger.reports.diff"])
def test_module_examples_run(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted and not result.failed
