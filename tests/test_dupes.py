"""`ledger dupes`: candidate duplicates by time, place and category windows, ranked by score."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import entry
from test_timeline_synth import copy_sample

from ledger.core import model
from ledger.core.vocab import Place, Vocabulary
from ledger.reports import dupes

SIBLINGS = {"airstrike": "drone-strike", "shelling": "rocket-attack", "armed-clash": "raid"}
TYPES = ["airstrike", "shelling", "armed-clash", "attack-on-civilians", "protest", "seizure"]
PLACES_TOML = '[places."Albukamal"]\naliases = ["Abu Kamal", "Al-Bukamal"]\ncountry = "SY"\n'


def make(
    entry_id: str,
    day: dt.date,
    kind: str,
    place: str = "X",
    lat: float | None = None,
    lon: float | None = None,
    *,
    country: str = "IQ",
    end: dt.date | None = None,
    perpetrators: tuple[str, ...] = (),
    targets: tuple[str, ...] = (),
    **extra: Any,
) -> model.Entry:
    return model.Entry(
        id=entry_id,
        title=entry_id,
        date=day,
        date_end=end,
        type=model.EventType(kind),
        escalation=4,
        confidence=model.Confidence.REPORTED,
        location=model.Location(place, country, lat=lat, lon=lon),
        actors=model.Actors(perpetrators=perpetrators, targets=targets) if perpetrators or targets else None,
        sources=(model.Source("S"),),
        **extra,
    )


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The oracle's own great-circle distance (spherical law of cosines)."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6371.0088 * math.acos(max(-1.0, min(1.0, c)))


# -- the windows, against an all-pairs scan ------------------------------------------------


def _random_entries(n: int, seed: int) -> list[model.Entry]:
    rng = random.Random(seed)
    names = ["Albukamal", "Abu Kamal", "Al-Bukamal", "Qaim", "Mosul"]
    out = []
    for i in range(n):
        day = dt.date(2021, 3, 1) + dt.timedelta(days=rng.randrange(40))
        end = day + dt.timedelta(days=rng.choice((0, 0, 0, 1, 3, 30))) if rng.random() < 0.3 else None
        if rng.random() < 0.75:
            lat, lon = 34.4 + rng.uniform(-0.3, 0.3), 40.9 + rng.uniform(-0.3, 0.3)
        elif rng.random() < 0.5:  # across the date line, near the pole
            lat, lon = rng.choice(((-16.5, 179.98), (-16.5, -179.99), (89.99, 10.0), (89.99, -170.0)))
        else:
            lat = lon = None
        kind = rng.choice(["airstrike", "drone-strike", "shelling", "explosion", "armed-clash", "raid", "protest"])
        perps = tuple(rng.sample(["A", "B", "C"], rng.randint(0, 1)))
        out.append(
            make(f"2021-03-01-e{i}", day, kind, rng.choice(names), lat, lon, end=end, perpetrators=perps,
                 country=rng.choice(("SY", "SY", "IQ")))
        )  # fmt: skip
    return out


def _brute_force(entries: list[model.Entry], vocabulary: Vocabulary, days: int, km: float) -> set[frozenset[str]]:
    def name(e: model.Entry) -> frozenset[str]:
        return vocabulary.place_names(e.location.name)

    pairs = set()
    for i, a in enumerate(entries):
        for b in entries[i + 1 :]:
            if model.category_of(a.type) != model.category_of(b.type):
                continue
            gap = max(a.date, b.date) - min(a.last_day, b.last_day)
            if gap.days > days:
                continue
            la, lb = a.location, b.location
            if la.lat is not None and lb.lat is not None:
                if haversine_km(la.lat, la.lon, lb.lat, lb.lon) > km:  # type: ignore[arg-type]
                    continue
            elif la.country != lb.country or name(a) != name(b):
                continue
            pairs.add(frozenset((a.id, b.id)))
    return pairs


@pytest.mark.parametrize(("days", "km"), [(1, 10.0), (0, 3.0), (3, 25.0)])
def test_buckets_find_exactly_what_an_all_pairs_scan_finds(days: int, km: float) -> None:
    entries = _random_entries(700, seed=days)
    vocabulary = Vocabulary(places={"Albukamal": Place("Albukamal", ("Abu Kamal", "Al-Bukamal"))})
    found = dupes.candidates(entries, vocabulary, days=days, km=km, min_score=0)
    got = {frozenset((c.first.id, c.second.id)) for c in found}
    assert len(got) == len(found)  # each pair once
    expected = _brute_force(entries, vocabulary, days, km)
    assert len(expected) > 50
    assert got == expected


def test_across_the_date_line_and_at_the_pole() -> None:
    day = dt.date(2021, 1, 1)
    entries = [
        make("2021-01-01-a", day, "airstrike", lat=-16.5, lon=179.99),
        make("2021-01-01-b", day, "airstrike", lat=-16.5, lon=-179.99),  # 2.1 km east, across the line
        make("2021-01-01-c", day, "shelling", lat=89.999, lon=0.0),
        make("2021-01-01-d", day, "shelling", lat=89.999, lon=180.0),  # 0.2 km, over the pole
    ]
    pairs = [(c.first.id, c.second.id, c.km) for c in dupes.candidates(entries)]
    assert pairs == [("2021-01-01-c", "2021-01-01-d", 0.22), ("2021-01-01-a", "2021-01-01-b", 2.13)]


def test_haversine_known_distances() -> None:
    baghdad_albukamal = dupes.haversine(33.315, 44.366, 34.453, 40.918)
    assert baghdad_albukamal == pytest.approx(haversine_km(33.315, 44.366, 34.453, 40.918))
    assert round(baghdad_albukamal) == 342
    assert dupes.haversine(0, 0, 0, 180) == pytest.approx(math.pi * dupes.EARTH_RADIUS_KM)
    assert dupes.haversine(10, 10, 10, 10) == 0


# -- planted duplicates in a generated ledger ----------------------------------------------


def _planted_ledger(root: Path, seed: int) -> set[frozenset[str]]:
    """Write 300 incidents far apart in time or place, and 25 planted copies; return the planted pairs."""
    rng = random.Random(seed)
    (root / "entries").mkdir(parents=True)
    (root / "ledger.toml").write_text(PLACES_TOML + '\n[actors."Islamic State"]\naliases = ["ISIS", "Daesh"]\n')
    base = []
    for i in range(300):
        place = i % 30  # 30 places about 110 km apart, each with incidents 5 days apart
        lat, lon = 30.0 + place // 6, 40.0 + place % 6 * 1.2
        day = dt.date(2021, 1, 1) + dt.timedelta(days=5 * (i // 30) + rng.randrange(2))
        kind = rng.choice(TYPES)
        base.append((f"{day}-base-{i}", day, kind, lat, lon, f"Town {place}"))
    planted = set()
    texts = {}
    for entry_id, day, kind, lat, lon, name in base:
        text = entry(date=day.isoformat(), type=kind, place=name)
        texts[entry_id] = text.replace(f'name = "{name}"\n', f'name = "{name}"\nlat = {lat}\nlon = {lon}\n')
    for k, index in enumerate(rng.sample(range(300), 25)):
        entry_id, day, kind, lat, lon, name = base[index]
        copy_day = day + dt.timedelta(days=rng.choice((-1, 0, 0, 1)))
        copy_kind = SIBLINGS.get(kind, kind) if rng.random() < 0.4 else kind
        copy_id = f"{copy_day}-copy-{k}"
        bearing = rng.uniform(0, 2 * math.pi)
        dlat, dlon = 0.02 * math.cos(bearing), 0.02 * math.sin(bearing)  # about 2 km
        text = entry(title="Copy", date=copy_day.isoformat(), type=copy_kind, place=name, source="Other")
        texts[copy_id] = text.replace(
            f'name = "{name}"\n', f'name = "{name}"\nlat = {lat + dlat:.4f}\nlon = {lon + dlon:.4f}\n'
        )
        planted.add(frozenset((entry_id, copy_id)))
    # Two incidents without coordinates, named by two aliases of one place, the same night.
    texts["2021-06-01-isis-raid"] = entry(
        date="2021-06-01", type="raid", place="Abu Kamal", country="SY", tables='[actors]\nperpetrators = ["ISIS"]\n'
    )
    texts["2021-06-01-daesh-attack"] = entry(
        date="2021-06-01", type="armed-clash", place="Al-Bukamal", country="SY",
        tables='[actors]\nperpetrators = ["Daesh"]\n',
    )  # fmt: skip
    planted.add(frozenset(("2021-06-01-isis-raid", "2021-06-01-daesh-attack")))
    for entry_id, text in texts.items():
        folder = root / "entries" / entry_id[:4] / entry_id[5:7]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{entry_id}.toml").write_text(text)
    return planted


def test_finds_the_planted_duplicates_and_nothing_else(tmp_path: Path, cli: Callable[..., Any]) -> None:
    planted = _planted_ledger(tmp_path / "gen", seed=3)
    result = cli("dupes", "--ledger", str(tmp_path / "gen"), "-f", "json")
    assert result.status == 1, result.err  # candidates found
    found = json.loads(result.out)
    assert {frozenset((c["first"]["id"], c["second"]["id"])) for c in found} == planted
    assert [c["score"] for c in found] == sorted((c["score"] for c in found), reverse=True)
    named = next(c for c in found if c["first"]["id"].endswith(("isis-raid", "daesh-attack")))
    assert named["km"] is None and named["same_place_name"] is True
    assert result.err == f"{len(planted)} candidate pairs among 327 incidents\n"


# -- the sample ledger: only pairs its own entries say may be one incident ----------------


def test_sample_ledger_candidates_are_the_pairs_the_entries_flag(tmp_path: Path, cli: Callable[..., Any]) -> None:
    result = cli("dupes", "--ledger", str(copy_sample(tmp_path)), "-f", "json")
    assert result.status == 1
    found = json.loads(result.out)
    pairs = [(c["first"]["id"][11:], c["second"]["id"][11:], c["score"]) for c in found]
    # Each pair is linked by `related` and its summaries say it may be the same incident (the
    # air strike seen from two sources; the Monday-evening explosions, shelling and artillery).
    assert pairs == [
        ("airstrike-destroys-three-militia-vehicles-in-deir-ezzor", "airstrike-on-iranian-militia-base-inside-syria-near-border", 0.8833),
        ("explosions-in-militia-held-areas-near-albukamal", "isis-shells-regime-and-militia-positions-in-deir-ezzor", 0.8125),
        ("airstrike-destroys-three-militia-vehicles-in-deir-ezzor", "explosions-in-militia-held-areas-near-albukamal", 0.7708),
        ("explosions-in-militia-held-areas-near-albukamal", "regime-forces-answer-isis-shelling-with-artillery-and-flares", 0.6625),
    ]  # fmt: skip
    assert all(c["related"] for c in found)
    # the first score by hand: spans 4-6 Jan and 4 Jan share 1 of 3 days; same spot; same type;
    # no perpetrators, a shared target
    assert found[0]["parts"] == {"when": 0.6667, "where": 1.0, "kind": 1.0, "who": 0.75}
    assert found[0]["score"] == round(0.125 * (0.5 + 0.5 / 3) + 0.125 * 1 + 0.45 * 1 + 0.30 * 0.75, 4)


def test_sample_table(tmp_path: Path, cli: Callable[..., Any]) -> None:
    result = cli("dupes", "--ledger", str(copy_sample(tmp_path)), "--min-score", "0.8", "-f", "tsv")
    assert result.out == (
        "score\tfirst\tsecond\tdays_apart\tkm\tfirst_type\tsecond_type\trelated\tmerge\n"
        "0.88\t2020-01-04-airstrike-destroys-three-militia-vehicles-in-deir-ezzor\t"
        "2020-01-04-airstrike-on-iranian-militia-base-inside-syria-near-border\t0\t0.0\tairstrike\tairstrike\trelated\t"
        "ledger merge 2020-01-04-airstrike-destroys-three-militia-vehicles-in-deir-ezzor "
        "2020-01-04-airstrike-on-iranian-militia-base-inside-syria-near-border\n"
        "0.81\t2020-01-06-explosions-in-militia-held-areas-near-albukamal\t"
        "2020-01-06-isis-shells-regime-and-militia-positions-in-deir-ezzor\t0\t0.0\texplosion\tshelling\trelated\t"
        "ledger merge 2020-01-06-explosions-in-militia-held-areas-near-albukamal "
        "2020-01-06-isis-shells-regime-and-militia-positions-in-deir-ezzor\n"
    )


# -- rules ---------------------------------------------------------------------------------


def test_settled_pairs_are_skipped() -> None:
    day = dt.date(2021, 1, 1)
    original = make("2021-01-01-original", day, "airstrike", lat=34.0, lon=40.0)
    copy = make(
        "2021-01-01-copy", day, "airstrike", lat=34.0, lon=40.0,
        status=model.Status.WITHDRAWN, withdrawn_reason="duplicate", duplicate_of="2021-01-01-original",
    )  # fmt: skip
    answer = make("2021-01-01-answer", day, "airstrike", lat=34.0, lon=40.0, responds_to=("2021-01-01-original",))
    third = make("2021-01-01-third", day, "airstrike", lat=34.0, lon=40.0)
    pairs = {(c.first.id[11:], c.second.id[11:]) for c in dupes.candidates([original, copy, answer, third])}
    assert pairs == {("answer", "copy"), ("answer", "third"), ("copy", "third"), ("original", "third")}


def test_records_of_one_dataset_are_told_apart_by_their_aliases() -> None:
    day = dt.date(2021, 1, 1)

    def at(entry_id: str, *aliases: str) -> model.Entry:
        return make(entry_id, day, "armed-clash", lat=36.3, lon=43.1, perpetrators=("IS",), aliases=aliases)

    ucdp_1, ucdp_2 = at("2021-01-01-u1", "UCDP:1"), at("2021-01-01-u2", "ucdp:2", "ACLED:IRQ9")
    acled, copy = at("2021-01-01-a9", "ACLED:IRQ7"), at("2021-01-01-u1-again", "UCDP:1")
    pairs = {(c.first.id[11:], c.second.id[11:]) for c in dupes.candidates([ucdp_1, ucdp_2, acled, copy])}
    assert pairs == {("u1", "u1-again"), ("a9", "u1"), ("a9", "u1-again")}  # not u1/u2, nor u2/a9 (both ACLED)
    everything = dupes.candidates([ucdp_1, ucdp_2, acled, copy], same_dataset=True)
    assert len(everything) == 6
    shouted = at("2021-01-01-u1-shouted", "ucdp:1")  # one record: the namespace in any case
    assert [(c.first.id[11:], c.second.id[11:]) for c in dupes.candidates([ucdp_1, shouted])] == [("u1", "u1-shouted")]


def test_windows_and_score_parts() -> None:
    day = dt.date(2021, 1, 1)
    a = make("2021-01-01-a", day, "shelling", lat=34.0, lon=40.0, perpetrators=("X",))
    others = [
        make("2021-01-02-next-day", day + dt.timedelta(days=1), "shelling", lat=34.0, lon=40.0, perpetrators=("X",)),
        make("2021-01-03-two-days", day + dt.timedelta(days=2), "shelling", lat=34.0, lon=40.0, perpetrators=("X",)),
        make("2021-01-01-far", day, "shelling", lat=34.2, lon=40.0, perpetrators=("X",)),  # 22 km
        make("2021-01-01-other-category", day, "raid", lat=34.0, lon=40.0, perpetrators=("X",)),
        make("2021-01-01-other-actor", day, "rocket-attack", lat=34.0, lon=40.0, perpetrators=("Y",)),
        make("2021-01-01-unlike", day, "drone-strike", lat=34.0, lon=40.0, perpetrators=("X",)),
    ]

    def with_a(**options: Any) -> dict[str, dupes.Candidate]:
        found = dupes.candidates([a, *others], **options)
        return {c.second.id[11:]: c for c in found if c.first is a}

    found = with_a(min_score=0)
    assert set(found) == {"next-day", "other-actor", "unlike"}
    assert found["next-day"].parts == (0.5, 1.0, 1.0, 1.0)  # consecutive days
    assert found["other-actor"].parts == (1.0, 1.0, 0.75, 0.0)  # sibling type, other perpetrator
    assert found["other-actor"].score == 0.125 + 0.125 + 0.45 * 0.75
    assert found["unlike"].parts == (1.0, 1.0, 0.0, 1.0)  # same category, types not alike
    assert found["unlike"].score == 0.55
    assert set(with_a(days=2, km=25, min_score=0)) == {"next-day", "two-days", "far", "other-actor", "unlike"}
    assert with_a(days=2, min_score=0)["two-days"].parts[0] == 0.25  # 2 days apart: half of 0.5
    assert set(with_a()) == {"next-day"}  # the default --min-score 0.6


def test_documented_examples() -> None:
    day = dt.date(2021, 1, 1)
    a = make("2021-01-01-a", day, "shelling", lat=34.0, lon=40.0)
    b = make("2021-01-02-b", day + dt.timedelta(days=1), "rocket-attack", lat=34.018, lon=40.0)  # 2 km
    (pair,) = dupes.candidates([a, b])
    assert pair.score == pytest.approx(0.66, abs=0.005)


def test_same_name_needs_the_same_country() -> None:
    day = dt.date(2021, 1, 1)
    entries = [
        make("2021-01-01-a", day, "protest", "Tripoli", country="LB"),
        make("2021-01-01-b", day, "protest", "Tripoli", country="LY"),
    ]
    assert dupes.candidates(entries, min_score=0) == []
    entries[1] = make("2021-01-01-b", day, "protest", "tripoli", 34.4, 35.8, country="LB")  # one has coordinates
    assert [c.km for c in dupes.candidates(entries, min_score=0)] == [None]


def test_cli_options_and_exit_status(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = copy_sample(tmp_path)
    none = cli("dupes", "--ledger", str(root), "--min-score", "0.95")
    assert (
        none.status == 0
        and none.out == "score\tfirst\tsecond\tdays_apart\tkm\tfirst_type\tsecond_type\trelated\tmerge\n"
    )
    wider = cli("dupes", "--ledger", str(root), "--km", "25", "--min-score", "0.7", "-f", "ids")
    assert (
        "2020-01-04-airstrike-destroys-three-militia-vehicles-in-deir-ezzor 2020-01-04-airstrike-on-pmf-base-on-iraq-syria-border"
        in wider.out
    )
    filtered = cli("dupes", "--ledger", str(root), "--type", "airstrike", "-f", "ids")
    assert filtered.out.count("\n") == 1
    assert cli("dupes", "--ledger", str(root), "--km", "-1").status == 2
    assert cli("dupes", "--ledger", str(root), "--min-score", "2").status == 2
    assert cli("dupes", "--ledger", str(root), "-f", "svg").status == 2
