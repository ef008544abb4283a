"""Generate realistic synthetic incident ledgers for benchmarks (stdlib only).

    python bench/synth.py DIR N [--seed S]

writes DIR/entries/YYYY/MM/<id>.toml (N entries, valid per DESIGN.md section 2, keys in the
canonical order) and DIR/ledger.toml with the aliases of every actor used. The output is a
pure function of (N, seed). `mutate(root, k, seed)` edits k entries for diff benchmarks.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import os
import random
import re
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

__all__ = ["generate", "mutate", "slugify", "toml_ml_str", "toml_str"]

# --------------------------------------------------------------------------- TOML text

_ESCAPES = {i: f"\\u{i:04x}" for i in range(0x20)}
_ESCAPES.update(
    {
        0x7F: "\\u007f",
        ord("\b"): "\\b",
        ord("\t"): "\\t",
        ord("\n"): "\\n",
        ord("\f"): "\\f",
        ord("\r"): "\\r",
        ord('"'): '\\"',
        ord("\\"): "\\\\",
    }
)
_ML_ESCAPES = dict(_ESCAPES)
del _ML_ESCAPES[ord("\n")]  # literal newlines are the point of a multi-line string
_ML_ESCAPES[ord("\t")] = "\t"
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')


def toml_str(s: str) -> str:
    """Return s as a TOML basic string."""
    if _NEEDS_ESCAPE.search(s) is None:
        return f'"{s}"'
    return '"' + s.translate(_ESCAPES) + '"'


def toml_ml_str(s: str) -> str:
    """Return s as a TOML multi-line basic string (every quote escaped, so no stray \"\"\")."""
    return '"""\n' + s.translate(_ML_ESCAPES) + '"""'


def toml_list(items: list[str]) -> str:
    """Return a one-line TOML array of strings."""
    return "[" + ", ".join(toml_str(x) for x in items) + "]"


# --------------------------------------------------------------------------- ids

_SLUG_FOLD = str.maketrans({"ı": "i", "ø": "o", "ß": "ss", "æ": "ae", "’": "", "'": ""})
_NON_SLUG = re.compile(r"[^a-z0-9]+")
MAX_ID = 100


def slugify(text: str, limit: int = 60) -> str:
    """Return a lowercase [a-z0-9-] slug of text, cut at a word boundary near limit."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_SLUG_FOLD))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii")
    slug = _NON_SLUG.sub("-", ascii_text).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug or "incident"


def unique_id(date: dt.date, title: str, used: set[str]) -> str:
    """Return a new id `YYYY-MM-DD-slug`, adding `-2`, `-3`, ... when it is taken."""
    base = f"{date.isoformat()}-{slugify(title)}"
    ident, n = base, 1
    while ident in used:
        n += 1
        ident = f"{base[: MAX_ID - 1 - len(str(n))]}-{n}"
    used.add(ident)
    return ident


# --------------------------------------------------------------------------- vocabulary

if __package__:  # imported as bench.synth
    from . import synth_vocab as vocab
else:  # run as a script, or imported with bench/ on sys.path
    import synth_vocab as vocab  # type: ignore[no-redef]

# --------------------------------------------------------------------------- generation


@dataclass(frozen=True, slots=True)
class _Past:
    """What later entries need to know about an earlier one (for links)."""

    ident: str
    date: dt.date
    country: str


def _pick(rng: random.Random, pair: tuple[list[str], list[int]]) -> str:
    return rng.choices(pair[0], pair[1])[0]


def _random_dates(rng: random.Random, n: int) -> list[dt.date]:
    """Return n dates spread over 2014-2024 (weighted by year), sorted."""
    years = rng.choices(vocab.YEARS, vocab.YEAR_WEIGHTS, k=n)
    out = []
    for y in years:
        days = 366 if calendar.isleap(y) else 365
        out.append(dt.date(y, 1, 1) + dt.timedelta(days=rng.randrange(days)))
    out.sort()
    return out


def _span(rng: random.Random, date: dt.date) -> tuple[dt.date, dt.date | None, str | None]:
    """Return (date, date_end, date_precision); about 10% of entries are vague or spans."""
    r = rng.random()
    if r >= 0.10:
        return date, None, None
    if r < 0.05:
        return date, date + dt.timedelta(days=rng.randint(2, 6)), "days"
    if r < 0.08:
        return date, date + dt.timedelta(days=6), "week"
    first = date.replace(day=1)
    last = date.replace(day=calendar.monthrange(date.year, date.month)[1])
    return first, last, "month"


def _casualties(rng: random.Random, escalation: int) -> list[str]:
    """Return the [casualties] table lines (empty when nothing is known)."""
    lines: list[str] = []
    if escalation >= 5 and rng.random() < 0.93:
        best = rng.randint(1, 60 if escalation == 7 else 12)
        if rng.random() < 0.3:
            low = max(1, best - rng.randint(0, best))
            high = best + rng.randint(0, 2 * best + 2)
            lines.append(f"killed = {{ best = {best}, low = {low}, high = {high} }}")
        else:
            lines.append(f"killed = {best}")
    elif escalation == 4 and rng.random() < 0.4:
        lines.append("killed = 0")
    if escalation >= 4 and rng.random() < 0.5:
        lines.append(f"injured = {rng.randint(0, 40)}")
    if lines and rng.random() < 0.05:
        lines.append('note = "several wounded taken to hospital"')
    return ["", "[casualties]", *lines] if lines else []


def _sources(rng: random.Random, date: dt.date, slug: str) -> list[str]:
    lines: list[str] = []
    for name, domain in rng.sample(vocab.SOURCES, rng.choices((1, 2, 3), (60, 32, 8))[0]):
        published = date + dt.timedelta(days=rng.choices((0, 1, 2, 5), (55, 30, 10, 5))[0])
        lines += ["", "[[sources]]", f"name = {toml_str(name)}"]
        if rng.random() < 0.8:
            lines.append(f'url = "https://{domain}/{slug[11:70]}-{published:%Y%m%d}/"')
        lines.append(f"published = {published.isoformat()}")
        lines.append(f'reliability = "{_pick(rng, vocab.RELIABILITY)}"')
        lines.append(f'credibility = "{_pick(rng, vocab.CREDIBILITY)}"')
        if rng.random() < 0.12:
            lines.append('quote = "Explosions were heard in \\"areas controlled by Iranian militias\\""')
    return lines


def _summary(rng: random.Random, ctx: dict[str, str]) -> str:
    """Return a one- to four-line ACLED-notes-style summary."""
    parts = [rng.choice(vocab.SUMMARY_OPENINGS).format(**ctx)]
    parts += [s.format(**ctx) for s in rng.sample(vocab.SUMMARY_SENTENCES, rng.randint(1, 2))]
    if rng.random() < 0.5:
        return " ".join(parts)
    return "\n".join(parts) + "\n"


def _link(rng: random.Random, past: list[_Past], date: dt.date, country: str) -> str | None:
    """Return an earlier (strictly earlier date) active id, preferably in the same country."""
    window = past[-400:]
    for _ in range(6):
        cand = rng.choice(window)
        if cand.date < date and (cand.country == country or rng.random() < 0.2):
            return cand.ident
    return None


def _entry(
    rng: random.Random, i: int, date: dt.date, used: set[str], past: list[_Past], actors_used: set[str]
) -> tuple[str, str, _Past | None]:
    """Return (id, TOML text, record for later links or None when withdrawn)."""
    country = rng.choices(vocab.COUNTRY_CODES, vocab.COUNTRY_WEIGHTS)[0]
    iso3, places, perps, targets = vocab.COUNTRIES[country]
    place, admin1, lat, lon, local = rng.choice(places)
    kind = rng.choices(vocab.TYPE_NAMES, vocab.TYPE_WEIGHTS)[0]
    _, levels, titles = vocab.TYPES[kind]
    escalation = rng.choice(levels)
    perp = rng.choice(perps)
    if kind == "airstrike" and perp not in vocab.AIR_FORCES:
        flyers = [a for a in perps if a in vocab.AIR_FORCES]
        if flyers:
            perp = rng.choice(flyers)
        else:
            kind, (_, levels, titles) = "drone-strike", vocab.TYPES["drone-strike"]
            escalation = rng.choice(levels)
    elif kind in ("troop-movement", "seizure") and perp in ("Israeli Air Force", "Royal Saudi Air Force"):
        perp = "Israel Defense Forces" if perp == "Israeli Air Force" else "Saudi-led Coalition"
    target = rng.choice([t for t in targets if t != perp] or targets)
    if kind == "assassination" and target == "Civilians":
        kind, (_, levels, titles) = "attack-on-civilians", vocab.TYPES["attack-on-civilians"]
        escalation = 5
    target_word = "civilian" if target == "Civilians" else target
    title = rng.choice(titles).format(
        perp=perp, target=target_word, place=place, n=rng.choice(("Two", "Three", "Four", "Several", "Six"))
    )
    title = title[0].upper() + title[1:]
    date, date_end, precision = _span(rng, date)
    ident = unique_id(date, title, used)

    top = [f"title = {toml_str(title)}", f"date = {date.isoformat()}"]
    if date_end is not None:
        top += [f"date_end = {date_end.isoformat()}", f'date_precision = "{precision}"']
    if rng.random() < 0.20:
        top.append(f"time = {rng.randrange(24):02d}:{rng.choice((0, 5, 15, 30, 40, 45)):02d}:00")
    elif rng.random() < 0.15:
        top.append(f'time_of_day = "{rng.choice(vocab.TIME_OF_DAY)}"')
    if rng.random() < 0.12:
        phrase = rng.choice(vocab.AS_REPORTED).format(wd=vocab.WEEKDAYS[date.weekday()])
        top.append(f"as_reported = {toml_str(phrase)}")
    top += [f'type = "{kind}"', f"escalation = {escalation}", f'confidence = "{_pick(rng, vocab.CONFIDENCE)}"']
    withdrawn = bool(past) and rng.random() < 0.03
    if withdrawn:
        dup = _link(rng, past, date + dt.timedelta(days=1), country) if rng.random() < 0.5 else None
        reason = vocab.WITHDRAWN_REASONS[0] if dup else rng.choice(vocab.WITHDRAWN_REASONS[1:])
        top += ['status = "withdrawn"', f"withdrawn_reason = {toml_str(reason)}"]
        if dup:
            top.append(f"duplicate_of = {toml_str(dup)}")
    if past and rng.random() < 0.15:
        links = {x for x in (_link(rng, past, date, country) for _ in range(rng.randint(1, 2))) if x}
        if links:
            top.append(f"responds_to = {toml_list(sorted(links))}")
    if past and rng.random() < 0.05:
        rel = _link(rng, past, date, country)
        if rel:
            top.append(f"related = {toml_list([rel])}")
    if rng.random() < 0.2:
        aliases = [f"ACLED:{iso3}{100000 + i}"]
        if rng.random() < 0.3:
            aliases.append(f"UCDP:{600000 + i}")
        top.append(f"aliases = {toml_list(aliases)}")
    if rng.random() < 0.7:
        top.append(f"tags = {toml_list(rng.sample(vocab.TAGS, rng.randint(1, 3)))}")
    source_name = rng.choice(vocab.SOURCES)[0]
    if rng.random() < 0.72:
        ctx = {
            "day": f"{date.day} {date:%B %Y}",
            "what": vocab.WHAT.get(kind, "an incident"),
            "place": place,
            "local": local,
            "country": vocab.COUNTRY_NAMES[country],
            "admin1": admin1,
            "source": source_name,
            "perp": perp,
            "target": "local residents" if target == "Civilians" else target,
        }
        summary = _summary(rng, ctx)
        top.append(f"summary = {toml_ml_str(summary) if chr(10) in summary else toml_str(summary)}")

    loc = ["", "[location]", f"name = {toml_str(place)}", f'country = "{country}"', f"admin1 = {toml_str(admin1)}"]
    if rng.random() < 0.15:
        loc.append(f"description = {toml_str(rng.choice(('near ', 'outskirts of ', 'road to ')) + place)}")
    if rng.random() < 0.85:
        loc += [f"lat = {lat + rng.uniform(-0.05, 0.05):.4f}", f"lon = {lon + rng.uniform(-0.05, 0.05):.4f}"]
        loc.append(f'precision = "{_pick(rng, vocab.PRECISION)}"')
    else:  # no coordinates: only a vague precision makes sense
        loc.append(f'precision = "{rng.choice(("town", "admin1", "region"))}"')

    act: list[str] = []
    if kind not in ("protest", "other") or rng.random() < 0.5:
        act = ["", "[actors]", f"perpetrators = {toml_list([perp])}", f"targets = {toml_list([target])}"]
        actors_used.update((perp, target))
        if rng.random() < 0.15:
            assoc = rng.choice(
                (
                    "Islamic Revolutionary Guard Corps",
                    "Russian Armed Forces",
                    "Popular Mobilization Forces",
                    "US-led Coalition",
                )
            )
            act.append(f"associated = {toml_list([assoc])}")
            actors_used.add(assoc)
        act.append(f'attribution = "{_pick(rng, vocab.ATTRIBUTION)}"')

    lines = top + loc + act + _casualties(rng, escalation) + _sources(rng, date, ident)
    record = None if withdrawn else _Past(ident, date, country)
    return ident, "\n".join(lines) + "\n", record


MARKER = "# generated by bench/synth.py"  # first line of ledger.toml: bench/run.py may rebuild it


def ledger_toml(actors: set[str]) -> str:
    """Return the ledger.toml text declaring the aliases of the given actors."""
    out = [MARKER, ""]
    for name in sorted(actors):
        out += [f"[actors.{toml_str(name)}]", f"aliases = {toml_list(vocab.ACTORS[name])}", ""]
    return "\n".join(out)


def generate(root: Path, n: int, seed: int = 0, *, with_ledger_toml: bool = True) -> list[Path]:
    """Write n synthetic entries under root/entries/YYYY/MM/ and return their paths."""
    root = Path(root)
    entries = root / "entries"
    if entries.exists() and any(entries.iterdir()):
        raise FileExistsError(f"{entries} is not empty")
    rng = random.Random(seed)
    used: set[str] = set()
    past: list[_Past] = []
    actors_used: set[str] = set()
    made_dirs: set[str] = set()
    paths: list[Path] = []
    for i, day in enumerate(_random_dates(rng, n)):
        ident, text, record = _entry(rng, i, day, used, past, actors_used)
        folder = os.path.join(entries, ident[:4], ident[5:7])
        if folder not in made_dirs:
            os.makedirs(folder, exist_ok=True)
            made_dirs.add(folder)
        path = os.path.join(folder, ident + ".toml")
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        paths.append(Path(path))
        if record is not None:
            past.append(record)
    entries.mkdir(parents=True, exist_ok=True)
    if with_ledger_toml:
        (root / "ledger.toml").write_text(ledger_toml(actors_used), encoding="utf-8")
    return paths


# --------------------------------------------------------------------------- mutation

_TITLE = re.compile(r'^title = "(.*)"$', re.M)
_ESCALATION = re.compile(r"^escalation = (\d)$", re.M)
_DATE = re.compile(r"^(date|date_end) = (\d{4}-\d\d-\d\d)$", re.M)


def _shift_dates(text: str, days: int) -> str:
    def shift(m: re.Match[str]) -> str:
        moved = dt.date.fromisoformat(m.group(2)) + dt.timedelta(days=days)
        return f"{m.group(1)} = {moved.isoformat()}"

    return _DATE.sub(shift, text)


def mutate(root: Path, k: int, seed: int = 0) -> list[Path]:
    """Edit k entries under root/entries (title, escalation or an earlier date); return them.

    A date only moves earlier, and only in an entry without `responds_to`, so the links
    stay valid (what responds to it stays later). The id is left alone, as when a user
    corrects a date by hand.
    """
    rng = random.Random(seed)
    files = sorted(Path(root, "entries").rglob("*.toml"))
    changed = rng.sample(files, min(k, len(files)))
    for n, path in enumerate(changed):
        text = path.read_text(encoding="utf-8")
        note = f" (updated {seed}-{n})"
        kind = rng.choice(("title", "escalation", "date"))
        if kind == "date" and "\nresponds_to = " not in text:
            new = _shift_dates(text, -rng.randint(1, 3))
        elif kind == "escalation":
            new = _ESCALATION.sub(lambda m: f"escalation = {(int(m.group(1)) + 1) % 8}", text, 1)
        else:
            m = _TITLE.search(text)
            new = text if m is None else text[: m.end(1)] + note + text[m.end(1) :]
        path.write_text(new, encoding="utf-8", newline="\n")
    return changed


def main(argv: list[str] | None = None) -> int:
    """Command line: python bench/synth.py DIR N [--seed S]."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dir", type=Path)
    p.add_argument("n", type=int)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-ledger-toml", action="store_true", help="do not write ledger.toml")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    try:
        paths = generate(args.dir, args.n, args.seed, with_ledger_toml=not args.no_ledger_toml)
    except FileExistsError as e:
        print(f"synth: {e}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - t0
    print(f"wrote {len(paths)} entries to {args.dir}/entries in {elapsed:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
