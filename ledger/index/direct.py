"""Rows written straight from the parsed TOML: the cold build's fast path for plainly valid entries.

`row_of` needs a decoded `Entry`: decoding builds a dataclass per record, `facts` and the JSON
writer then walk it twice more. Most files of a ledger are plainly valid: every value passes
the same per-field fast check decoding itself uses (`decoding.quick_plan`), no key is
unknown, and the few rules across fields hold. For those, `direct_row` checks and writes the
row, its stored JSON included, in one walk over the parsed dict, reusing its values as they
are (they are the objects decoding would have kept). Anything else, even a valid entry
written in a form the fast checks do not take (a latitude written as an integer), returns
None: the caller takes the general road (decode, check, `row_of`), which is the one
definition of what a row is. tests/test_direct_rows.py holds the two to the same rows.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from ledger.core import checks, model
from ledger.core.countries import CODES
from ledger.core.decoding import quick_plan
from ledger.core.names import fold
from ledger.core.schema import JSON_ENCODER
from ledger.core.shapes import shape_of
from ledger.index.lines import line
from ledger.index.rows import Row, Stat, _array, cells
from ledger.query.evaluate import SEPARATOR
from ledger.store import files

# How one field is checked and written: (name, kind, check, required)
#   kind: "value" (kept as it is), "day" (a date or time: written as ISO text), "enum" (a dict of
#   allowed values), "list" (of plain values: (check, least)), "record" (check: its class),
#   "records" (a list of records: (class, least)), "count" (check: the class of its estimate)
Step = tuple[str, str, Any, bool]
Walk = Callable[[Any], "dict[str, Any] | None"]

_CATEGORY = {t.value: c.value for t, (c, _, _) in model.TAXONOMY.items()}
_RANK = {c.value: model.confidence_rank(c.value) for c in model.Confidence}
_ISO = (dt.date, dt.time, dt.datetime)


@functools.cache
def _steps(cls: type) -> tuple[Step, ...]:
    """Return how each field of a model record is checked and written (planned once per class)."""
    steps: list[Step] = []
    for name, tp, spec, kind, quick in quick_plan(cls):
        inner = shape_of(tp).inner
        if kind == "enum":
            steps.append((name, "enum", {m.value: m.value for m in inner}, spec.required))
        elif kind == "scalar" and quick is not None:
            steps.append((name, "day" if inner in _ISO else "value", quick, spec.required))
        elif kind == "sequence" and quick is not None:
            steps.append((name, "list", (quick, spec.min_items or 0), spec.required))
        elif kind == "sequence" and shape_of(inner).kind == "record":
            steps.append((name, "records", (inner, spec.min_items or 0), spec.required))
        elif kind in ("record", "count"):
            steps.append((name, kind, inner, spec.required))
        else:  # pragma: no cover - a field kind this module does not know: never fast
            steps.append((name, "never", None, True))
    return tuple(steps)


# What each kind of step does with a present value `v` ({c}: its check, or the walk of its record
# class; {n}: its name; {least}: the fewest items): return None, or write its JSON form.
_WRITE = {
    "value": ("if not {c}(v): return None", "out[{n}] = v"),
    "day": ("if not {c}(v): return None", "out[{n}] = v.isoformat()"),
    "enum": ("v = {c}.get(v) if type(v) is str else None", "if v is None: return None", "out[{n}] = v"),
    "list": (
        "if type(v) is not list or len(v) < {least} or not all(map({c}, v)): return None",
        "if v: out[{n}] = v",
    ),
    "record": ("v = {c}(v)", "if v is None: return None", "out[{n}] = v"),
    "records": (
        "if type(v) is not list or len(v) < {least}: return None",
        "v = [{c}(x) for x in v]",
        "if None in v: return None",
        "if v: out[{n}] = v",
    ),
    "count": ("v = count({c}, v)", "if v is None: return None", "out[{n}] = v"),
    "never": ("return None",),
    "skip": (),  # an entry's id: the caller checks it
}
_MISSING: Any = object()


@functools.cache
def _walk(cls: type) -> Walk:
    """Return the walk of a record class: its JSON form (fields in model order) if plainly valid, else None.

    It is written out from `_steps` once per class, one test per field in model order, and
    compiled: a loop over the steps pays for finding what to do with each field (about twice
    the time of the tests themselves). An entry's category follows its type; its id is left out.
    """
    env: dict[str, Any] = {"MISSING": _MISSING, "count": _count, "CATEGORY": _CATEGORY}
    code = ["def walk(raw):", " if type(raw) is not dict: return None", " out = {}", " seen = 0"]
    for at, (name, kind, check, required) in enumerate(_steps(cls)):
        least = 0
        if kind in ("list", "records"):
            check, least = check
        if kind in ("record", "records", "count"):
            check = _walk(check)
        env[f"c{at}"] = check
        if cls is model.Entry and name == "id":
            kind = "skip"
        body = [line.format(c=f"c{at}", n=repr(name), least=least) for line in _WRITE[kind]]
        if cls is model.Entry and name == "type":
            body.append("out['category'] = CATEGORY[v]")
        if required:
            code += [f" v = raw.get({name!r}, MISSING)", " if v is MISSING: return None", " seen += 1"]
            code += [f" {line}" for line in body]
        else:  # most optional fields are absent from most records: one `in` test
            code += [f" if {name!r} in raw:", f"  v = raw[{name!r}]", "  seen += 1", *(f"  {line}" for line in body)]
    code.append(" return out if seen == len(raw) else None  # an unknown key: the general road names it")
    exec("\n".join(code), env)  # our own text, written from the model above
    walk: Walk = env["walk"]
    return walk


def _count(walk: Walk, value: Any) -> dict[str, Any] | None:
    """Return a casualty count as `{best, low, high}` (as `schema.count_json` writes it), else None."""
    if type(value) is int:
        return {"best": value, "low": None, "high": None} if 0 <= value <= model.COUNT_MAX else None
    found = walk(value)
    if found is None:
        return None
    best, low, high = found["best"], found.get("low"), found.get("high")
    if (low is not None and low > best) or (high is not None and high < best):
        return None
    return {"best": best, "low": low, "high": high}


def direct_row(item: Stat, raw: Any) -> Row | None:
    """Return the index row of a plainly valid entry's parsed TOML (what `row_of` gives), else None."""
    rel = item[0]
    entry_id = files.stem(rel)
    if not checks.is_valid_id(entry_id) or type(raw) is not dict:
        return None
    written = raw.get("id", entry_id)
    if written != entry_id or type(written) is not str:
        return None
    fields = _walk(model.Entry)(raw)
    if fields is None:
        return None
    record: dict[str, Any] = {"id": entry_id, "path": rel, **fields}
    return _row(item, entry_id, raw, record)


def _row(item: Stat, entry_id: str, raw: dict[str, Any], record: dict[str, Any]) -> Row | None:
    """Check the rules across fields (`checks.entry_problems`' errors) and lay out the row."""
    loc: dict[str, Any] = record["location"]
    date, date_end = raw["date"], raw.get("date_end")
    lat, lon = loc.get("lat"), loc.get("lon")
    status = record.get("status", "active")
    if (
        (date_end is not None and date_end < date)
        or (lat is None) != (lon is None)
        or loc["country"] not in CODES
        or (status == "withdrawn") != ("withdrawn_reason" in record)
        or (status != "withdrawn" and "duplicate_of" in record)
        or entry_id in record.get("responds_to", ())
        or entry_id in record.get("related", ())
    ):
        return None  # the general road decides, and names the trouble
    rel, size, mtime_ns, inode = item
    folder = rel[len("entries/") : rel.rfind("/") + 1]
    time = record.get("time")
    actors: dict[str, Any] | None = record.get("actors")
    casualties: dict[str, Any] | None = record.get("casualties")
    killed = casualties.get("killed") if casualties is not None else None
    injured = casualties.get("injured") if casualties is not None else None
    title, name = record["title"], loc["name"]
    confidence = record["confidence"]
    tags = record.get("tags", ())
    perpetrators = actors.get("perpetrators", ()) if actors is not None else ()
    targets = actors.get("targets", ()) if actors is not None else ()
    associated = actors.get("associated", ()) if actors is not None else ()
    date_text = record["date"]
    text = JSON_ENCODER.encode(record)
    return *cells((
        rel, folder, size, mtime_ns, inode, 1, entry_id, date_text, record.get("date_end", date_text),
        f"{date_text} 1 {time} {entry_id}" if time is not None else f"{date_text} 0 {entry_id}",
        record["type"], record["category"], record["escalation"], confidence, _RANK[confidence], status,
        loc["country"], name, title, _best(killed), _best(injured),
        fold(SEPARATOR.join((title, record.get("summary", ""), name))),
        _joined((*perpetrators, *targets, *associated)),
        _joined((name, loc.get("admin1"), loc.get("admin2"))),
        _joined(tags),
        _joined(x for s in record["sources"] for x in (s["name"], s.get("url"))),
        record.get("date_end"), record.get("date_precision"), time, record.get("time_of_day"), lat, lon,
        _array(record.get("responds_to", ())), _array(record.get("related", ())), record.get("duplicate_of"),
        _array(record.get("aliases", ())),
        _array(perpetrators) if actors is not None else None, _array(targets) if actors is not None else None,
        _array(associated) if actors is not None else None, _array(tags),
        *_ends(killed), *_ends(injured),
        text,
    )), line(record, text)  # fmt: skip


def _joined(names: Any) -> str:
    """Return `query.evaluate.joined(names)`, folding each name once per process (names repeat)."""
    present = [_FOLDED.get(n) or _fold(n) for n in names if n]
    return SEPARATOR + SEPARATOR.join(present) + SEPARATOR if present else ""


def _fold(name: str) -> str:
    if len(_FOLDED) >= _FOLDED_MAX:
        _FOLDED.clear()
    folded = _FOLDED[name] = fold(name)
    return folded


_FOLDED: dict[str, str] = {}  # name -> fold(name): actors, places and outlets repeat across a ledger
_FOLDED_MAX = 50_000


def _best(count: dict[str, Any] | None) -> int | None:
    return count["best"] if count is not None else None


def _ends(count: dict[str, Any] | None) -> tuple[int | None, int | None]:
    """Return (low, high) of a count as `rows._range` does: its range, else its best estimate."""
    if count is None:
        return None, None
    best, low, high = count["best"], count["low"], count["high"]
    return (best if low is None else low, best if high is None else high)


Direct = Callable[[Stat, Any], Row | None]
