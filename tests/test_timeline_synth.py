"""A small generator of random ledgers for the chronology tests, and the oracles that check them.

`write_ledger` writes entries from plain dicts (`Spec`) and returns the dicts, so the tests
compute their expectations from what was generated, never from what the code under test
parsed. The oracles here are deliberately naive (loops, Counters).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CATEGORY = {
    "airstrike": "remote-violence",
    "drone-strike": "remote-violence",
    "shelling": "remote-violence",
    "rocket-attack": "remote-violence",
    "explosion": "remote-violence",
    "armed-clash": "battle",
    "raid": "battle",
    "attack-on-civilians": "violence-against-civilians",
    "seizure": "strategic-development",
    "statement": "strategic-development",
    "protest": "demonstration",
}
ACTORS = {  # canonical name -> aliases written in ledger.toml
    "Popular Mobilization Forces": ["PMF", "Hashd al-Shaabi"],
    "Islamic State": ["ISIS", "Daesh"],
    "United States": ["US", "USA"],
    "Kataib Hezbollah": ["KH"],
    "Civilians": [],
}
PLACES = [("Albukamal", "SY", 34.453, 40.918), ("Baghdad", "IQ", 33.315, 44.366), ("Sanaa", "YE", 15.369, 44.191)]
TAGS = ["alpha", "beta", "gamma", "delta"]


@dataclass
class Spec:
    """One generated entry, as plain values."""

    id: str
    date: dt.date
    type: str
    escalation: int
    country: str
    place: str
    date_end: dt.date | None = None
    time: dt.time | None = None
    time_of_day: str | None = None
    killed: int | dict[str, int] | None = None
    injured: int | dict[str, int] | None = None
    perpetrators: list[str] = field(default_factory=list)  # as written (aliases too)
    targets: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    responds_to: list[str] = field(default_factory=list)
    withdrawn: bool = False
    lat: float | None = None
    lon: float | None = None

    def text(self) -> str:
        top = [f'title = "Incident {self.id}"', f"date = {self.date.isoformat()}"]
        if self.date_end is not None:
            top += [f"date_end = {self.date_end.isoformat()}", 'date_precision = "days"']
        if self.time is not None:
            top.append(f"time = {self.time.isoformat()}")
        if self.time_of_day is not None:
            top.append(f'time_of_day = "{self.time_of_day}"')
        top += [f'type = "{self.type}"', f"escalation = {self.escalation}", 'confidence = "reported"']
        if self.withdrawn:
            top += ['status = "withdrawn"', 'withdrawn_reason = "test"']
        if self.responds_to:
            top.append("responds_to = [" + ", ".join(f'"{r}"' for r in self.responds_to) + "]")
        if self.tags:
            top.append("tags = [" + ", ".join(f'"{t}"' for t in self.tags) + "]")
        tables = ["", "[location]", f'name = "{self.place}"', f'country = "{self.country}"']
        if self.lat is not None:
            tables += [f"lat = {self.lat}", f"lon = {self.lon}"]
        if self.perpetrators or self.targets:
            tables += ["", "[actors]"]
            if self.perpetrators:
                tables.append("perpetrators = [" + ", ".join(f'"{a}"' for a in self.perpetrators) + "]")
            if self.targets:
                tables.append("targets = [" + ", ".join(f'"{a}"' for a in self.targets) + "]")
        if self.killed is not None or self.injured is not None:
            tables += ["", "[casualties]"]
            for name in ("killed", "injured"):
                value = getattr(self, name)
                if isinstance(value, dict):
                    tables.append(
                        f"{name} = {{ best = {value['best']}, low = {value['low']}, high = {value['high']} }}"
                    )
                elif value is not None:
                    tables.append(f"{name} = {value}")
        tables += ["", "[[sources]]", 'name = "Test"']
        return "\n".join(top + tables) + "\n"

    @property
    def best_killed(self) -> int | None:
        return self.killed["best"] if isinstance(self.killed, dict) else self.killed

    @property
    def best_injured(self) -> int | None:
        return self.injured["best"] if isinstance(self.injured, dict) else self.injured

    @property
    def last_day(self) -> dt.date:
        return self.date_end or self.date


def ledger_toml() -> str:
    lines = []
    for name, aliases in ACTORS.items():
        lines += [f'[actors."{name}"]', "aliases = [" + ", ".join(f'"{a}"' for a in aliases) + "]", ""]
    return "\n".join(lines)


def _count(rng: random.Random) -> int | dict[str, int] | None:
    r = rng.random()
    if r < 0.4:
        return None
    best = rng.randint(0, 30)
    if r < 0.6:
        return {"best": best, "low": max(0, best - 2), "high": best + 5}
    return best


def random_specs(n: int, seed: int, start: dt.date = dt.date(2021, 1, 1), days: int = 150) -> list[Spec]:
    """Return n random entries over `days` days (some vague, timed, withdrawn, linked)."""
    rng = random.Random(seed)
    specs: list[Spec] = []
    for i in range(n):
        day = start + dt.timedelta(days=rng.randrange(days))
        kind = rng.choice(list(CATEGORY))
        place, country, lat, lon = rng.choice(PLACES)
        spec = Spec(f"{day.isoformat()}-incident-{i}", day, kind, rng.randint(0, 7), country, place)
        if rng.random() < 0.7:
            spec.lat, spec.lon = lat, lon
        if rng.random() < 0.1:
            spec.date_end = day + dt.timedelta(days=rng.randint(1, 6))
        r = rng.random()
        if r < 0.2:
            spec.time = dt.time(rng.randrange(24), rng.choice((0, 15, 30)))
        elif r < 0.35:
            spec.time_of_day = rng.choice(("morning", "evening", "night"))
        spec.killed, spec.injured = _count(rng), _count(rng)
        names = [*ACTORS, *(a for aliases in ACTORS.values() for a in aliases)]
        if rng.random() < 0.8:
            spec.perpetrators = rng.sample(names, rng.randint(1, 2))
        if rng.random() < 0.5:
            spec.targets = rng.sample(names, 1)
        spec.tags = rng.sample(TAGS, rng.randint(0, 2))
        spec.withdrawn = rng.random() < 0.05
        earlier = [s.id for s in specs if s.date < day and not s.withdrawn]
        if earlier and rng.random() < 0.2:
            spec.responds_to = rng.sample(earlier, min(len(earlier), rng.randint(1, 2)))
        specs.append(spec)
    return specs


def write_ledger(root: Path, specs: list[Spec]) -> Path:
    """Write the specs as a ledger under root (entries/YYYY/MM/<id>.toml, ledger.toml)."""
    for spec in specs:
        folder = root / "entries" / spec.id[:4] / spec.id[5:7]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{spec.id}.toml").write_text(spec.text(), encoding="utf-8")
    (root / "entries").mkdir(parents=True, exist_ok=True)
    (root / "ledger.toml").write_text(ledger_toml(), encoding="utf-8")
    return root


def canonical(name: str) -> str:
    for canon, aliases in ACTORS.items():
        if name.casefold() == canon.casefold() or name.casefold() in (a.casefold() for a in aliases):
            return canon
    return name


def sum_known(values: list[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def ends(value: int | dict[str, int] | None) -> tuple[int | None, int | None]:
    """(low, high) of a generated count: its range, else the figure itself."""
    if isinstance(value, dict):
        return value.get("low", value["best"]), value.get("high", value["best"])
    return value, value


def casualty_sums(members: list[Spec]) -> dict[str, int | None]:
    """Killed and injured of some specs: sums of best estimates, of lows and of highs."""
    out: dict[str, int | None] = {}
    for name in ("killed", "injured"):
        values = [getattr(m, name) for m in members]
        out[name] = sum_known([getattr(m, f"best_{name}") for m in members])
        out[f"{name}_low"] = sum_known([ends(v)[0] for v in values])
        out[f"{name}_high"] = sum_known([ends(v)[1] for v in values])
    return out


def oracle_groups(specs: list[Spec], by: str) -> list[dict[str, Any]]:
    """Group active specs by a field the naive way: {key: [specs]} -> rows sorted by count."""
    groups: dict[str, list[Spec]] = defaultdict(list)
    for s in specs:
        if s.withdrawn:
            continue
        if by == "type":
            keys = [s.type]
        elif by == "category":
            keys = [CATEGORY[s.type]]
        elif by == "country":
            keys = [s.country]
        elif by == "month":
            keys = [s.date.strftime("%Y-%m")]
        elif by == "tag":
            keys = sorted(set(s.tags)) or ["(none)"]
        else:
            keys = sorted({canonical(a) for a in s.perpetrators + s.targets}) or ["(none)"]
        for key in keys:
            groups[key].append(s)
    rows = [
        {
            by: key,
            "count": len(members),
            **casualty_sums(members),
            "max_escalation": max(m.escalation for m in members),
        }
        for key, members in groups.items()
    ]
    rows.sort(key=lambda r: (-r["count"], r[by] == "(none)", r[by].casefold()))
    return rows


def test_generated_ledger_is_valid(tmp_path: Path, cli: Any) -> None:
    root = write_ledger(tmp_path / "gen", random_specs(120, seed=1))
    result = cli("validate", "--ledger", str(root))
    assert result.status == 0, result.out


ROOT = Path(__file__).resolve().parent.parent


def copy_sample(tmp_path: Path) -> Path:
    """Copy the repository's sample ledger to tmp_path/sample (conftest.copy_sample)."""
    import conftest

    return conftest.copy_sample(tmp_path / "sample")
