"""UCDP GED and ACLED rows -> entry data (pure), by the rules documented in the README (Interchange).

The rules fill what the datasets do not say (escalation from type and death toll, confidence,
titles); `--type`, `--escalation` and `--confidence` override them (`rows.Overrides`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from ledger.core import flat, gazetteer
from ledger.interchange.rows import Mapped, Overrides

MASS_CASUALTIES = 50  # killed at or above this: rung 7 (strategic-strike, "mass casualties")

# -- rules shared by the datasets ---------------------------------------------------------------

_REMOTE = {"airstrike", "drone-strike", "shelling", "rocket-attack", "missile-attack", "explosion", "ied"}
_BASE_RUNG = {
    "statement": 0,
    "protest": 0,
    "threat": 1,
    "troop-movement": 2,
    "arrival": 2,
    "other": 2,
    "border-closure": 3,
    "seizure": 3,
    "evacuation": 3,
    "armed-clash": 6,
    "raid": 6,
    "assassination": 5,
}


def escalation_for(event_type: str, killed: int | None) -> int:
    """Return the default ladder rung for a type and death toll (the documented import rule)."""
    if killed is not None and killed >= MASS_CASUALTIES:
        return 7
    deaths = bool(killed)
    if event_type in _REMOTE:
        return 5 if deaths else 4
    if event_type == "attack-on-civilians":
        return 5 if deaths else 3
    return _BASE_RUNG.get(event_type, 2)


def _apply(data: dict[str, Any], overrides: Overrides, killed: int | None) -> None:
    """Fill type-dependent defaults after the user's overrides."""
    if overrides.type:
        data["type"] = overrides.type
    if overrides.escalation is not None:
        data["escalation"] = overrides.escalation
    elif isinstance(data.get("type"), str):
        data["escalation"] = escalation_for(data["type"], killed)
    if overrides.confidence:
        data["confidence"] = overrides.confidence
    if overrides.tags:
        data["tags"] = [*data.get("tags", []), *(t for t in overrides.tags if t not in data.get("tags", []))]


def _line(text: Any) -> str:
    """Return text on one line with runs of blanks collapsed (names, places)."""
    return " ".join(str(text or "").split())


def _int(text: Any) -> int | None:
    try:
        return int(float(str(text).strip()))
    except ValueError:
        return None


def _float(text: Any) -> float | None:
    try:
        return float(str(text).strip())
    except ValueError:
        return None


def _date(text: Any) -> dt.date | str:
    """Parse the date formats the datasets use; leave anything else as text for validation."""
    value = str(text or "").strip()
    for pattern in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return value


def _country(*candidates: Any) -> str:
    for candidate in candidates:
        code = gazetteer.code_of(str(candidate or ""))
        if code:
            return code
    return _line(candidates[0]) if candidates else ""


def _place(data: dict[str, Any], lat: Any, lon: Any) -> None:
    latitude, longitude = _float(lat), _float(lon)
    if latitude is not None and longitude is not None:
        data["lat"], data["lon"] = latitude, longitude


def _names(text: Any, separator: str = ";") -> list[str]:
    return [_line(part) for part in str(text or "").split(separator) if _line(part)]


# -- UCDP GED ---------------------------------------------------------------------------------

# date_prec: 1 exact day, 2 two to six days, 3 a week, 4 a month, 5 more than a month
_UCDP_DATE_PRECISION = {"2": "days", "3": "week", "4": "month", "5": "month"}
# where_prec: 1 the place itself, 2 within 25 km, 3 district, 4 province, 5 a part of the country,
# 6 the whole country, 7 international waters or airspace
_UCDP_GEO_PRECISION = {
    "1": "town",
    "2": "near",
    "3": "admin2",
    "4": "admin1",
    "5": "region",
    "6": "country",
    "7": "region",
}
_UCDP_VIOLENCE = {"1": "state-based conflict", "2": "non-state conflict", "3": "one-sided violence"}
_FEATURE_SUFFIX = re.compile(r"\s+(town|city|village|locality)$", re.IGNORECASE)
_GOVERNMENTS = re.compile(r",\s*(?=Government of )")


def ucdp(row: Mapping[str, Any], overrides: Overrides) -> Mapped:
    """Map a UCDP GED row (codebook 19.1 and later column names)."""
    get = _getter(row)
    violence = get("type_of_violence")
    one_sided = violence == "3"
    date, date_end = _date(get("date_start")), _date(get("date_end"))
    place = _FEATURE_SUFFIX.sub("", _line(get("where_coordinates"))) or _line(get("adm_1")) or _line(get("country"))
    side_a, side_b = _GOVERNMENTS.split(_line(get("side_a"))), _GOVERNMENTS.split(_line(get("side_b")))
    best, low, high = _int(get("best")), _int(get("low")), _int(get("high"))
    notes: list[tuple[str, str]] = []
    data: dict[str, Any] = {}
    killed_text = f": {best} killed" if best else ""
    if one_sided:
        data["title"] = f"{' and '.join(side_a)} attack on civilians in {place}{killed_text}"
    else:
        data["title"] = f"{' and '.join(side_a)} vs {' and '.join(side_b)} in {place}{killed_text}"
    data["date"] = date
    if date_end and date_end != date:
        data["date_end"] = date_end
    if get("date_prec") in _UCDP_DATE_PRECISION and "date_end" in data:
        data["date_precision"] = _UCDP_DATE_PRECISION[get("date_prec")]
    data["type"] = "attack-on-civilians" if one_sided else "armed-clash"
    data["confidence"] = "unverified" if get("event_clarity") == "2" else "reported"
    if get("id"):
        data["aliases"] = [f"UCDP:{get('id')}"]
    data["summary"] = _ucdp_summary(get, violence)
    country = _country(get("country"), get("iso3"))
    data["location"] = _location(get, place, country, ("adm_1", "adm_2"), _UCDP_GEO_PRECISION.get(get("where_prec")))
    data["actors"] = {"perpetrators": [a for a in side_a if a], "targets": [b for b in side_b if b]}
    if best is not None:
        data["casualties"] = {"killed": _estimate(best, low, high, notes)}
        if notes:
            data["casualties"]["note"] = f"UCDP gives low {low}, best {best}, high {high}"
    data["sources"] = [*_ucdp_sources(get), {"name": "UCDP Georeferenced Event Dataset"}]
    _apply(data, overrides, best)
    alias = f"UCDP:{get('id')}" if get("id") else None
    return Mapped(data, None, alias, notes=notes)


def _getter(row: Mapping[str, Any]) -> Callable[[str], str]:
    def get(column: str) -> str:
        value = row.get(column)
        return flat.restore(str(value).strip(), strict=False) if value is not None else ""

    return get


def _estimate(best: int, low: int | None, high: int | None, notes: list[tuple[str, str]]) -> int | dict[str, int]:
    if (low is not None and low > best) or (high is not None and high < best):
        notes.append(("casualties.killed", f"low {low} / best {best} / high {high} do not bracket best: kept best"))
        return best
    if low in (None, best) and high in (None, best):
        return best
    estimate = {"best": best}
    if low is not None:
        estimate["low"] = low
    if high is not None:
        estimate["high"] = high
    return estimate


def _ucdp_summary(get: Callable[[str], str], violence: str) -> str:
    lines = [f"UCDP GED event {get('id')}: {get('conflict_name')} ({_UCDP_VIOLENCE.get(violence, 'violence')})."]
    parts = [(label, get(column)) for label, column in _DEATHS if get(column)]
    if parts:
        lines.append("Deaths: " + ", ".join(f"{label} {value}" for label, value in parts) + ".")
    if get("source_original"):
        lines.append(f"Original source: {_line(get('source_original'))}.")
    if get("source_article") and not get("source_office"):
        lines.append(f"Article: {_line(get('source_article'))}")
    return "\n".join(lines) + "\n"


_DEATHS = (
    ("side A", "deaths_a"),
    ("side B", "deaths_b"),
    ("civilians", "deaths_civilians"),
    ("unknown", "deaths_unknown"),
    ("best", "best"),
    ("low", "low"),
    ("high", "high"),
)


def _ucdp_sources(get: Callable[[str], str]) -> list[dict[str, Any]]:
    """Return the reports UCDP cites: source_office / source_date / source_headline, split on ";"."""
    offices = _names(get("source_office"))
    dates = [d.strip() for d in get("source_date").split(";")] if get("source_date") else []
    headlines = [h.strip() for h in get("source_headline").split(";")]
    out = []
    for i, office in enumerate(offices):
        source: dict[str, Any] = {"name": office}
        published = _date(dates[i]) if i < len(dates) and len(dates) == len(offices) else ""
        if isinstance(published, dt.date):
            source["published"] = published
        if len(headlines) == len(offices) and headlines[i]:
            source["quote"] = headlines[i]
        elif len(offices) == 1 and get("source_headline"):
            source["quote"] = get("source_headline")
        out.append(source)
    return out


# -- ACLED ------------------------------------------------------------------------------------

# ACLED sub-event type -> our type (those TAXONOMY maps back to, and ACLED's others).
_ACLED_TYPES: dict[str, str] = {
    "air/drone strike": "airstrike",
    "shelling/artillery/missile attack": "shelling",
    "remote explosive/landmine/ied": "ied",
    "grenade": "explosion",
    "suicide bomb": "explosion",
    "chemical weapon": "attack-on-civilians",
    "armed clash": "armed-clash",
    "government regains territory": "armed-clash",
    "non-state actor overtakes territory": "armed-clash",
    "attack": "attack-on-civilians",
    "abduction/forced disappearance": "attack-on-civilians",
    "sexual violence": "attack-on-civilians",
    "peaceful protest": "protest",
    "protest with intervention": "protest",
    "excessive force against protesters": "protest",
    "violent demonstration": "protest",
    "mob violence": "protest",
    "agreement": "statement",
    "arrests": "seizure",
    "change to group/activity": "other",
    "disrupted weapons use": "other",
    "headquarters or base established": "troop-movement",
    "looting/property destruction": "seizure",
    "non-violent transfer of territory": "evacuation",
    "other": "other",
}
# time_precision: 1 the day, 2 the week, 3 the month
_ACLED_DATE_PRECISION = {"2": "week", "3": "month"}
# geo_precision: 1 the town, 2 near the town or a part of a region, 3 a larger region
_ACLED_GEO_PRECISION = {"1": "town", "2": "near", "3": "region"}


def acled(row: Mapping[str, Any], overrides: Overrides) -> Mapped:
    """Map an ACLED row (the columns of ACLED's data export)."""
    get = _getter(row)
    sub_event = get("sub_event_type")
    actor1, actor2 = _line(get("actor1")), _line(get("actor2"))
    place = _line(get("location")) or _line(get("admin1")) or _line(get("country"))
    fatalities = _int(get("fatalities")) if get("fatalities") else None
    data: dict[str, Any] = {}
    who = f" by {actor1}" if actor1 else ""
    whom = f" against {actor2}" if actor2 else ""
    data["title"] = f"{sub_event or get('event_type') or 'Event'}{who}{whom} in {place}"
    data["date"] = _date(get("event_date"))
    if get("time_precision") in _ACLED_DATE_PRECISION:
        data["date_precision"] = _ACLED_DATE_PRECISION[get("time_precision")]
    data["type"] = _ACLED_TYPES.get(sub_event.casefold(), "other")
    data["confidence"] = "reported"
    if get("event_id_cnty"):
        data["aliases"] = [f"ACLED:{get('event_id_cnty')}"]
    notes = get("notes")
    if get("tags"):
        notes = f"{notes}\nACLED tags: {get('tags')}" if notes else f"ACLED tags: {get('tags')}"
    if notes:
        data["summary"] = notes
    country = _country(get("country"), get("iso"), get("iso3"))
    precision = _ACLED_GEO_PRECISION.get(get("geo_precision"))
    data["location"] = _location(get, place, country, ("admin1", "admin2"), precision)
    actors: dict[str, Any] = {}
    for key, names in (
        ("perpetrators", [actor1]),
        ("targets", [actor2]),
        ("associated", _names(get("assoc_actor_1")) + _names(get("assoc_actor_2"))),
    ):
        if any(names):
            actors[key] = [n for n in names if n]
    if actors:
        data["actors"] = actors
    if fatalities is not None:
        data["casualties"] = {"killed": fatalities}
    data["sources"] = [{"name": name} for name in _names(get("source"))] or [{"name": "ACLED"}]
    _apply(data, overrides, fatalities)
    alias = f"ACLED:{get('event_id_cnty')}" if get("event_id_cnty") else None
    return Mapped(data, None, alias)


def _location(get: Any, place: str, country: Any, admin_columns: tuple[str, str], precision: Any) -> dict[str, Any]:
    """Return the location table of a dataset row (admin columns, coordinates, precision)."""
    location: dict[str, Any] = {"name": place, "country": country}
    for key, column in zip(("admin1", "admin2"), admin_columns, strict=True):
        if _line(get(column)):
            location[key] = _line(get(column))
    _place(location, get("latitude"), get("longitude"))
    if precision is not None:
        location["precision"] = precision
    return location
