"""The new-entry form: what `ledger new` takes, each value tied to the model field it fills.

`NEW_FIELDS` is the table the command line generates `new`'s options from (as hledger's
command table drives its commands): a value's help is its field's documentation, its choices
the field's enum, its range the spec's, and a required field is asked for on a terminal. This
module imports only the model, so the shell can read the table at start-up.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from ledger.core import model, shapes
from ledger.core.errors import UsageError


@dataclass(frozen=True, slots=True)
class NewField:
    """A value `ledger new` takes, as `--KEY` (or the TITLE argument): the model field it fills says the rest.

    Its help is the field's documentation (`model.FieldSpec`), its choices the field's enum, its
    range the spec's; a required field is asked for on a terminal when not given.
    """

    key: str  #: the key in `Ledger.new_entry`'s fields
    path: str  #: the model field it fills: "date", "location.admin1", "sources.name"
    short: str | None = None
    placeholder: str | None = None  #: the help's placeholder, when DATE / N / the key in capitals / TEXT is not it
    note: str = ""  #: said after the field's documentation
    flag_name: str | None = None  #: the option's name, when not the key (--tag fills tags)
    doc: str | None = None  #: instead of the field's documentation

    @property
    def flag(self) -> str:
        return "--" + (self.flag_name or self.key).replace("_", "-")

    @property
    def spec(self) -> model.FieldSpec:
        return _typed(self.path)[1]

    @property
    def shape(self) -> shapes.Shape:
        return shapes.shape_of(_typed(self.path)[0])

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(m.value for m in self.shape.inner) if self.shape.kind == "enum" else ()

    @property
    def help(self) -> str:
        doc = self.doc or self.spec.doc
        listed = f": {', '.join(self.choices)}" if self.choices else ""
        return f"{doc[:1].upper()}{doc[1:]}{listed}{self.note}."

    @property
    def metavar(self) -> str:
        inner = self.shape.inner
        kind = "DATE" if inner is dt.date else "N" if inner is int or self.shape.kind == "count" else None
        return self.placeholder or kind or (self.key.upper() if self.choices else "TEXT")

    @property
    def kind(self) -> Any:
        """The type of the option's value: int (counts too), float or str; a list of str for a repeated field."""
        inner, kind = self.shape.inner, self.shape.kind
        single = int if inner is int or kind == "count" else float if inner is float else str
        return list[str] if kind == "sequence" else single

    @property
    def completed_by(self) -> str | None:
        """The query field whose values in the index complete this one (place, actor, id, ...), if any."""
        return _QUERIED.get(self.path)

    @property
    def question(self) -> str:
        """What a terminal is asked when the value is missing."""
        spec, shape = self.spec, self.shape
        hint = "YYYY-MM-DD" if shape.inner is dt.date else ", ".join(self.choices)
        if shape.inner is int and spec.maximum is not None:
            hint = f"{spec.minimum:g}-{spec.maximum:g}"
        hint = hint or ("ISO code" if self.key == "country" else "")
        return self.key.capitalize() + (f" ({hint})" if hint else "")


#: model path -> the query field (`ledger.query.fields`) whose indexed values complete it
_QUERIED = {
    "location.name": "place",
    "location.country": "country",
    "responds_to": "id",
    "tags": "tag",
    "actors.perpetrators": "actor",
    "actors.targets": "actor",
}


@functools.cache
def _typed(path: str) -> tuple[Any, model.FieldSpec]:
    """Return the type and spec of a model field named by its path from Entry ("location.name")."""
    cls: Any = model.Entry
    *heads, last = path.split(".")
    for head in heads:
        cls = shapes.record_of(next(tp for name, tp, _ in shapes.fields(cls) if name == head))
    return next((tp, spec) for name, tp, spec in shapes.fields(cls) if name == last)


#: What `ledger new` takes, in the order of its help; the required ones are asked in this order.
NEW_FIELDS: tuple[NewField, ...] = (
    NewField("title", "title"),
    NewField("date", "date", "-d"),
    NewField("date_end", "date_end"),
    NewField("type", "type", "-t"),
    NewField("escalation", "escalation", "-e"),
    NewField("confidence", "confidence", "-c", "GRADE"),
    NewField("place", "location.name", "-p", "NAME", " (ledger.toml places fill the rest)"),
    NewField("country", "location.country", None, "CC", " (or a country name)"),
    NewField("source", "sources.name", "-s", "NAME"),
    NewField("url", "sources.url", None, "URL"),
    NewField("reliability", "sources.reliability", None, "GRADE", doc="the source's grade (Admiralty)"),
    NewField("credibility", "sources.credibility", None, "GRADE", doc="the report's grade (Admiralty)"),
    NewField("admin1", "location.admin1", None, "NAME"),
    NewField("lat", "location.lat", None, "DEG"),
    NewField("lon", "location.lon", None, "DEG"),
    NewField("precision", "location.precision"),
    NewField("perpetrators", "actors.perpetrators", None, "NAME", " (repeat)", "perpetrator"),
    NewField("targets", "actors.targets", None, "NAME", " (repeat)", "target"),
    NewField("killed", "casualties.killed", doc="people killed (leave out if unknown)"),
    NewField("injured", "casualties.injured", doc="people injured"),
    NewField("tags", "tags", None, "TAG", " (repeat)", "tag", doc="a tag, a free slug"),
    NewField("summary", "summary"),
    NewField("responds_to", "responds_to", None, "ID", " (repeat)"),
)
_BY_KEY = {f.key: f for f in NEW_FIELDS}
#: What `ledger new` cannot do without, in the order it is asked for.
REQUIRED = tuple(f.key for f in NEW_FIELDS if f.spec.required)


def parse_answer(key: str, text: str) -> Any:
    """Return the value of one answer to a required field's question; ValueError says what is wrong."""
    field, value = _BY_KEY[key], text.strip()
    if not value:
        raise ValueError("a value is needed")
    if field.choices and value not in field.choices:
        raise ValueError(f'"{value}" is not one of the choices')
    if field.shape.inner is dt.date:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f'"{value}" is not a date (YYYY-MM-DD)') from None
    if field.shape.inner is int:
        low, high = field.spec.minimum or 0, field.spec.maximum or 0
        if not value.isdigit() or not low <= int(value) <= high:
            raise ValueError(f"give a whole number from {low:g} to {high:g}")
        return int(value)
    return value


def entry_data(fields: dict[str, Any]) -> dict[str, Any]:
    """Build new entry data from the values of `ledger new`, each where its NewField puts it (checked later)."""
    data: dict[str, Any] = {}
    for field in NEW_FIELDS:
        value = fields.get(field.key)
        if value is None or (value in ("", [], ()) and not field.spec.required):
            continue
        if field.shape.inner is dt.date:
            value = _date(str(value), field.flag)
        elif field.shape.inner is int and field.shape.kind == "scalar":
            value = int(value)
        elif isinstance(value, str) and (field.spec.required or field.spec.one_line):
            value = value.strip()
        if field.path == "location.country":
            from ledger.core import gazetteer

            value = gazetteer.code_of(str(value)) or value
        head, _, tail = field.path.partition(".")
        if not tail:
            data[head] = value
        elif head == "sources":  # the one source `new` writes
            data.setdefault(head, [{}])[0][tail] = value
        else:
            data.setdefault(head, {})[tail] = value
    return data


def _date(text: str, flag: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f'{flag} "{text}" is not a date (YYYY-MM-DD)') from None
