"""`ledger list` against an independent oracle: plain tomllib and filtering written here.

One generated ledger (about 1,900 entries, a few invalid files, aliases in ledger.toml) serves
every case; each random combination of options and query terms must give exactly the ids,
in exactly the order, that the oracle computes from the DESIGN.md rules. The same
combinations, written as query text, hold `query.apply` (the Python evaluator) to the oracle.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import random
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

TYPES = {
    "airstrike": "remote-violence",
    "drone-strike": "remote-violence",
    "shelling": "remote-violence",
    "rocket-attack": "remote-violence",
    "armed-clash": "battle",
    "raid": "battle",
    "assassination": "violence-against-civilians",
    "seizure": "strategic-development",
    "troop-movement": "strategic-development",
    "statement": "strategic-development",
    "protest": "demonstration",
}
CONFIDENCE = ["confirmed", "reported", "claimed", "unverified", "disputed"]
ACTORS = {
    "Islamic Revolutionary Guard Corps": ["IRGC", "Sepah"],
    "Popular Mobilization Forces": ["PMF", "Hashd al-Shaabi"],
    "US forces": ["American forces", "U.S. forces"],
}
LOOSE_ACTORS = ["Kataib Hezbollah", "Islamic State", "Syrian Arab Army", "Local tribes"]
PLACES = {  # name -> (aliases, country, admin1)
    "Albukamal": (["Abu Kamal", "Al-Bukamal"], "SY", "Deir ez-Zor"),
    "Baghdad": (["Bagdad"], "IQ", "Baghdad"),
    "Green Zone": (["International Zone"], "IQ", "Baghdad"),
    "Al-Qaim": (["Qaim"], "IQ", "Anbar"),
    "Erbil": ([], "IQ", "Erbil"),
    "Beirut": ([], "LB", "Beirut"),
}
TAGS = ["border", "pmf", "us-forces", "civilians", "soleimani-aftermath", "oil"]
SOURCES = [("Reuters", "https://reuters.example/"), ("SOHR", "https://sohr.example/"), ("AP", None), ("Élysée", None)]
WORDS = ["rockets", "strike", "convoy", "Überfall", "militia", "base", "Crossing", "drone", "ÇAKIR", "camp", "Ölfeld"]
LEDGER_TOML = "\n".join(
    [f'[actors."{name}"]\naliases = {json.dumps(aliases)}\n' for name, aliases in ACTORS.items()]
    + [f'[places."{name}"]\naliases = {json.dumps(p[0])}\ncountry = "{p[1]}"\n' for name, p in PLACES.items()]
)


def toml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def make_entry(rng: random.Random, number: int) -> tuple[str, str]:
    """Return (id, TOML text) of a random valid entry."""
    date = dt.date(2019, 12, 1) + dt.timedelta(days=rng.randrange(120))
    words = rng.sample(WORDS, 3)
    slug = "-".join(w.lower() for w in words if w.isascii()) or "event"
    entry_id = f"{date.isoformat()}-{slug}-{number}"
    lines = [f"title = {toml_str(' '.join(words).capitalize() + f' {number}')}", f"date = {date.isoformat()}"]
    if rng.random() < 0.2:
        lines.append(f"date_end = {(date + dt.timedelta(days=rng.randrange(1, 20))).isoformat()}")
        lines.append('date_precision = "days"')
    if rng.random() < 0.3:
        lines.append(f"time = {rng.randrange(24):02d}:{rng.choice([0, 15, 30, 45]):02d}:00")
    kind = rng.choice(list(TYPES))
    lines += [f'type = "{kind}"', f"escalation = {rng.randrange(8)}", f'confidence = "{rng.choice(CONFIDENCE)}"']
    if rng.random() < 0.08:
        lines += ['status = "withdrawn"', 'withdrawn_reason = "duplicate report"']
    tags = rng.sample(TAGS, rng.randrange(3))
    if tags:
        lines.append(f"tags = {json.dumps(tags)}")
    if rng.random() < 0.6:
        lines.append(f"summary = {toml_str(' '.join(rng.choices(WORDS, k=6)))}")
    place = rng.choice(list(PLACES))
    aliases, country, admin1 = PLACES[place]
    written_place = rng.choice([place, *aliases]) if rng.random() < 0.3 else place
    lines += ["", "[location]", f"name = {toml_str(written_place)}", f'country = "{country}"']
    if rng.random() < 0.5:
        lines.append(f"admin1 = {toml_str(admin1)}")
    pool = list(ACTORS) + [a for al in ACTORS.values() for a in al] + LOOSE_ACTORS
    actors = {part: rng.sample(pool, rng.randrange(3)) for part in ("perpetrators", "targets", "associated")}
    if any(actors.values()):
        lines += ["", "[actors]"] + [f"{k} = {json.dumps(v)}" for k, v in actors.items() if v]
    roll = rng.random()
    if roll < 0.6:
        lines += ["", "[casualties]"]
        if roll < 0.3:
            lines.append(f"killed = {rng.randrange(5)}")
        elif roll < 0.45:
            best = rng.randrange(1, 30)
            lines.append(f"killed = {{ best = {best}, low = {best - 1}, high = {best + 5} }}")
        lines.append(f"injured = {rng.randrange(10)}")
    for name, url in rng.sample(SOURCES, rng.randrange(1, 3)):
        lines += ["", "[[sources]]", f"name = {toml_str(name)}"] + ([f'url = "{url}{number}"'] if url else [])
    return entry_id, "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """Write the generated ledger; return its root and the oracle's records (valid entries only)."""
    rng = random.Random(20200103)
    root = tmp_path_factory.mktemp("oracle")
    (root / "ledger.toml").write_text(LEDGER_TOML, encoding="utf-8")
    records = []
    for number in range(1900):
        entry_id, text = make_entry(rng, number)
        path = root / "entries" / entry_id[:4] / entry_id[5:7] / f"{entry_id}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        data = tomllib.loads(text)
        data["id"] = entry_id
        records.append(data)
    bad = root / "entries" / "2020" / "01"
    (bad / "2020-01-09-broken-toml.toml").write_text('title = "unclosed\n', encoding="utf-8")
    (bad / "2020-01-09-no-type.toml").write_text('title = "x"\ndate = 2020-01-09\n', encoding="utf-8")
    (bad / "2020-01-09-bad-escalation.toml").write_text(
        make_entry(rng, 9999)[1].replace("escalation = ", "escalation = 1", 1), encoding="utf-8"
    )
    return root, records


# -- the oracle: DESIGN.md section 3, written out plainly ---------------------------------


def group(name: str, table: dict[str, list[str]]) -> set[str]:
    for canon, aliases in table.items():
        spellings = {s.casefold() for s in [canon, *aliases]}
        if name.casefold() in spellings:
            return spellings
    return {name.casefold()}


def first_last(text: str) -> tuple[dt.date, dt.date]:
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        return dt.date(*parts, 1), dt.date(*parts, calendar.monthrange(*parts)[1])
    return dt.date(*parts), dt.date(*parts)


def span(d: dict[str, Any]) -> tuple[dt.date, dt.date]:
    return d["date"], d.get("date_end", d["date"])


def best(value: Any) -> int | None:
    return value["best"] if isinstance(value, dict) else value


def killed(d: dict[str, Any]) -> int | None:
    return best(d.get("casualties", {}).get("killed"))


def actor_names(d: dict[str, Any]) -> set[str]:
    actors = d.get("actors", {})
    return {n.casefold() for part in ("perpetrators", "targets", "associated") for n in actors.get(part, [])}


def place_names(d: dict[str, Any]) -> set[str]:
    loc = d["location"]
    return {loc[k].casefold() for k in ("name", "admin1", "admin2") if k in loc}


def texts(d: dict[str, Any]) -> list[str]:
    return [d["title"].casefold(), d.get("summary", "").casefold(), d["location"]["name"].casefold()]


def sources(d: dict[str, Any]) -> list[str]:
    return [s.get(k, "").casefold() for s in d["sources"] for k in ("name", "url")]


PLACE_TABLE = {name: p[0] for name, p in PLACES.items()}
Pred = Callable[[dict[str, Any]], bool]


@dataclass
class Combo:
    """One random query: CLI arguments, the same as query text, and the oracle's predicate."""

    args: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    preds: list[Pred] = field(default_factory=list)
    withdrawn: bool = False
    sort: str | None = None
    reverse: bool = False
    limit: int | None = None

    def add(self, option: list[str], term: str, pred: Pred, rng: random.Random) -> None:
        # A repeated option ORs its values; terms AND together: a second use goes to the query.
        if rng.random() < 0.5 and option[0] not in self.args:
            self.args += option
        else:
            self.words.append(term)
        self.text.append(term)
        self.preds.append(pred)


def random_case(rng: random.Random, text: str) -> str:
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in text)


def random_date(rng: random.Random) -> str:
    day = dt.date(2019, 12, 1) + dt.timedelta(days=rng.randrange(130))
    return rng.choice([day.isoformat(), day.isoformat()[:7], "2020"])


def add_filter(combo: Combo, rng: random.Random) -> None:
    kind = rng.randrange(14)
    if kind == 0:
        kinds = rng.sample(list(TYPES), rng.randrange(1, 3))
        combo.add(
            [a for k in kinds for a in ("--type", k)], "type:" + ",".join(kinds), lambda d: d["type"] in kinds, rng
        )
    elif kind == 1:
        cat = rng.choice(sorted(set(TYPES.values())))
        combo.add(["--category", cat], f"category:{cat}", lambda d: TYPES[d["type"]] == cat, rng)
    elif kind == 2:
        cc = random_case(rng, rng.choice(["IQ", "SY", "LB"]))
        combo.add(["--country", cc], f"country:{cc}", lambda d: d["location"]["country"] == cc.upper(), rng)
    elif kind == 3:
        name = rng.choice([*ACTORS, *[a for al in ACTORS.values() for a in al], *LOOSE_ACTORS])
        name = random_case(rng, name) if rng.random() < 0.3 else name
        want = group(name, ACTORS)
        combo.add(["--actor", name], f'actor:"{name}"', lambda d: bool(actor_names(d) & want), rng)
    elif kind == 4:
        name = rng.choice([*PLACES, "Bagdad", "Abu Kamal", "Anbar", "deir ez-zor"])
        want = group(name, PLACE_TABLE)
        combo.add(["--place", name], f'place:"{name}"', lambda d: bool(place_names(d) & want), rng)
    elif kind == 5:
        tag = rng.choice(TAGS)
        combo.add(["--tag", tag], f"tag:{tag}", lambda d: tag in d.get("tags", []), rng)
    elif kind == 6:
        level = rng.randrange(8)
        if rng.random() < 0.5:
            combo.add(["--min-escalation", str(level)], f"escalation>={level}", lambda d: d["escalation"] >= level, rng)
        else:
            combo.add(["--max-escalation", str(level)], f"escalation<={level}", lambda d: d["escalation"] <= level, rng)
    elif kind == 7:
        grades = rng.sample(CONFIDENCE, rng.randrange(1, 3))
        combo.add(
            [a for g in grades for a in ("--confidence", g)],
            "confidence:" + ",".join(grades),
            lambda d: d["confidence"] in grades,
            rng,
        )
    elif kind == 8:
        word = rng.choice(WORDS)
        needle = random_case(rng, word[1 : rng.randrange(3, len(word) + 1)])
        combo.add(["--text", needle], f'text:"{needle}"', lambda d: any(needle.casefold() in t for t in texts(d)), rng)
    elif kind == 9:
        needle = rng.choice(["reuters", "SOHR", "élysée", "example/1", "ap"])
        combo.add(
            ["--source", needle], f'source:"{needle}"', lambda d: any(needle.casefold() in s for s in sources(d)), rng
        )
    elif kind == 10:
        when = random_date(rng)
        first, last = first_last(when)
        which = rng.choice(["since", "until", "on"])
        if which == "since":
            combo.add(["--since", when], f"since:{when}", lambda d: span(d)[1] >= first, rng)
        elif which == "until":
            combo.add(["--until", when], f"until:{when}", lambda d: span(d)[0] <= last, rng)
        else:
            combo.add(["--on", when], f"date:{when}", lambda d: span(d)[0] <= last and span(d)[1] >= first, rng)
    elif kind == 11:
        a, b = random_date(rng), random_date(rng)
        if first_last(a)[0] > first_last(b)[1]:
            a, b = b, a
        lo, hi = first_last(a)[0], first_last(b)[1]
        combo.add(["--on", f"{a}..{b}"], f"date:{a}..{b}", lambda d: span(d)[0] <= hi and span(d)[1] >= lo, rng)
    elif kind == 12:
        n = rng.randrange(4)
        op = rng.choice([">", ">=", "<", "<="])
        cmp = {">": int.__gt__, ">=": int.__ge__, "<": int.__lt__, "<=": int.__le__}[op]
        combo.add([f"killed{op}{n}"], f"killed{op}{n}", lambda d: killed(d) is not None and cmp(killed(d), n), rng)
    else:
        t1, t2 = rng.sample(list(TYPES), 2)
        level = rng.randrange(8)
        term = f"(type:{t1} or escalation>={level}) not:type:{t2}"
        combo.add([term], term, lambda d: (d["type"] == t1 or d["escalation"] >= level) and d["type"] != t2, rng)


def chrono(d: dict[str, Any]) -> tuple[Any, ...]:
    t = d.get("time")
    return (d["date"], t is not None, t or dt.time.min, d["id"])


def oracle(records: list[dict[str, Any]], combo: Combo) -> list[str]:
    status_asked = any("status:" in t for t in combo.text)
    chosen = [
        d
        for d in records
        if (combo.withdrawn or status_asked or d.get("status") != "withdrawn") and all(p(d) for p in combo.preds)
    ]
    if combo.sort is None:
        chosen.sort(key=chrono, reverse=combo.reverse)
    else:
        getters: dict[str, Callable[[dict[str, Any]], Any]] = {
            "escalation": lambda d: d["escalation"],
            "title": lambda d: d["title"],
            "killed": killed,
            "country": lambda d: d["location"]["country"],
        }
        get = getters[combo.sort]
        chosen.sort(key=lambda d: (get(d) is not None, get(d) or 0, chrono(d)), reverse=combo.reverse)
    ids = [d["id"] for d in chosen]
    return ids if combo.limit is None else ids[: combo.limit]


def random_combo(rng: random.Random) -> Combo:
    combo = Combo()
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4])):
        add_filter(combo, rng)
    if rng.random() < 0.15:
        combo.withdrawn = True
    if rng.random() < 0.05:
        combo.add(["status:withdrawn"], "status:withdrawn", lambda d: d.get("status") == "withdrawn", rng)
    if rng.random() < 0.3:
        combo.sort = rng.choice(["escalation", "title", "killed", "country"])
    combo.reverse = rng.random() < 0.25
    if rng.random() < 0.2:
        combo.limit = rng.randrange(0, 30)
    return combo


def cli_args(combo: Combo) -> list[str]:
    args = [*combo.args, *combo.words]
    if combo.withdrawn:
        args.append("--withdrawn")
    if combo.sort:
        args += ["--sort", combo.sort]
    if combo.reverse:
        args.append("--reverse")
    if combo.limit is not None:
        args += ["--limit", str(combo.limit)]
    return args


COMBOS = [random_combo(random.Random(seed)) for seed in range(110)]


@pytest.mark.parametrize("number", range(0, len(COMBOS), 10))
def test_list_ids_match_the_oracle(ledger, cli, number):
    root, records = ledger
    for combo in COMBOS[number : number + 10]:
        args = cli_args(combo)
        result = cli("list", "--ledger", str(root), "--format", "ids", *args)
        assert result.status == 0, (args, result.err)
        assert result.out.splitlines() == oracle(records, combo), args
        assert result.err == "ledger: 3 invalid entry files left out (see `ledger validate`)\n"


def test_python_evaluator_matches_the_oracle(ledger):
    from ledger import query
    from ledger.api import Ledger

    root, records = ledger
    led = Ledger(root)
    entries = led.entries()
    for combo in COMBOS:
        selection = query.Selection(
            query.parse(" ".join(combo.text)), combo.withdrawn, combo.sort, combo.reverse, combo.limit
        )
        got = [e.id for e in query.apply(selection, entries, led.vocabulary)]
        assert got == oracle(records, combo), combo.text


def test_the_combinations_are_not_trivial(ledger):
    """Guard the generator: most queries must pick some entries but not all of them."""
    _, records = ledger
    sizes = [len(oracle(records, c)) for c in COMBOS if c.limit is None]
    assert sum(0 < n < len(records) * 0.9 for n in sizes) > len(sizes) * 0.6
    assert max(len(c.preds) for c in COMBOS) >= 4
