"""THE entry schema: one incident, as frozen dataclasses and string enums.

Everything else derives from these definitions by introspection: validation and decoding
(`schema.decode`), the JSON Schema (`schema.json_schema`), the README field reference, the
canonical key order of `ledger fmt` and of JSON output. A field's documentation and
constraints live in its typed `FieldSpec` (see `spec_of`).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import Field, dataclass, field
from typing import Any


class EventType(enum.StrEnum):
    """What happened, after ACLED's sub-event types."""

    AIRSTRIKE = "airstrike"
    DRONE_STRIKE = "drone-strike"
    SHELLING = "shelling"
    ROCKET_ATTACK = "rocket-attack"
    MISSILE_ATTACK = "missile-attack"
    EXPLOSION = "explosion"
    IED = "ied"
    ARMED_CLASH = "armed-clash"
    RAID = "raid"
    ASSASSINATION = "assassination"
    ATTACK_ON_CIVILIANS = "attack-on-civilians"
    SEIZURE = "seizure"
    TROOP_MOVEMENT = "troop-movement"
    BORDER_CLOSURE = "border-closure"
    EVACUATION = "evacuation"
    ARRIVAL = "arrival"
    THREAT = "threat"
    STATEMENT = "statement"
    PROTEST = "protest"
    OTHER = "other"


class Category(enum.StrEnum):
    """The event family a type belongs to, after ACLED's event types."""

    REMOTE_VIOLENCE = "remote-violence"
    BATTLE = "battle"
    VIOLENCE_AGAINST_CIVILIANS = "violence-against-civilians"
    STRATEGIC_DEVELOPMENT = "strategic-development"
    DEMONSTRATION = "demonstration"


_RV, _BA, _VAC, _SD, _DE = (
    Category.REMOTE_VIOLENCE,
    Category.BATTLE,
    Category.VIOLENCE_AGAINST_CIVILIANS,
    Category.STRATEGIC_DEVELOPMENT,
    Category.DEMONSTRATION,
)
_E = EventType

#: type -> (category, ACLED event_type, ACLED sub_event_type)
TAXONOMY: dict[EventType, tuple[Category, str, str]] = {
    _E.AIRSTRIKE: (_RV, "Explosions/Remote violence", "Air/drone strike"),
    _E.DRONE_STRIKE: (_RV, "Explosions/Remote violence", "Air/drone strike"),
    _E.SHELLING: (_RV, "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    _E.ROCKET_ATTACK: (_RV, "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    _E.MISSILE_ATTACK: (_RV, "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    _E.EXPLOSION: (_RV, "Explosions/Remote violence", "Remote explosive/landmine/IED"),
    _E.IED: (_RV, "Explosions/Remote violence", "Remote explosive/landmine/IED"),
    _E.ARMED_CLASH: (_BA, "Battles", "Armed clash"),
    _E.RAID: (_BA, "Battles", "Armed clash"),
    _E.ASSASSINATION: (_VAC, "Violence against civilians", "Attack"),
    _E.ATTACK_ON_CIVILIANS: (_VAC, "Violence against civilians", "Attack"),
    _E.SEIZURE: (_SD, "Strategic developments", "Looting/property destruction"),
    _E.TROOP_MOVEMENT: (_SD, "Strategic developments", "Headquarters or base established"),
    _E.BORDER_CLOSURE: (_SD, "Strategic developments", "Other"),
    _E.EVACUATION: (_SD, "Strategic developments", "Non-violent transfer of territory"),
    _E.ARRIVAL: (_SD, "Strategic developments", "Headquarters or base established"),
    _E.THREAT: (_SD, "Strategic developments", "Other"),
    _E.STATEMENT: (_SD, "Strategic developments", "Agreement"),
    _E.PROTEST: (_DE, "Protests", "Peaceful protest"),
    _E.OTHER: (_SD, "Strategic developments", "Other"),
}


def category_of(event_type: EventType) -> Category:
    """Return the category an event type belongs to."""
    return TAXONOMY[event_type][0]


#: The escalation ladder's default labels and meanings (relabel in ledger.toml `[ladder]`).
LADDER: tuple[tuple[str, str], ...] = (
    ("statement", "accusation, demand"),
    ("threat", "threat, ultimatum"),
    ("posture", "alert, mobilisation, militia movement, base established"),
    ("coercion", "border closure, seizures, arrests, evacuation under pressure"),
    ("harassing-fire", "rockets, shelling, drones, without deaths"),
    ("lethal-strike", "remote strike with deaths"),
    ("ground-combat", "clashes, raids, territory changing hands"),
    ("strategic-strike", "mass casualties, strike on leadership, state attacks state"),
)
ESCALATION_MAX = len(LADDER) - 1


class DatePrecision(enum.StrEnum):
    """How precise `date` is (after UCDP's date_prec)."""

    DAY = "day"
    DAYS = "days"
    WEEK = "week"
    MONTH = "month"


class TimeOfDay(enum.StrEnum):
    EARLY_MORNING = "early-morning"
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    NIGHT = "night"


class Confidence(enum.StrEnum):
    """How sure the ledger is that the incident happened as described (after Airwars)."""

    CONFIRMED = "confirmed"
    REPORTED = "reported"
    CLAIMED = "claimed"
    UNVERIFIED = "unverified"
    DISPUTED = "disputed"


_CONFIDENCE_RANK = {m.value: rank for rank, m in enumerate(Confidence)}


def confidence_rank(confidence: str) -> int:
    """Return a confidence's place in `Confidence`, surest first (what `--sort confidence` orders by)."""
    return _CONFIDENCE_RANK[confidence]


class Status(enum.StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class GeoPrecision(enum.StrEnum):
    """How precise the coordinates are; a centroid is never `exact`."""

    EXACT = "exact"
    NEAR = "near"
    TOWN = "town"
    ADMIN2 = "admin2"
    ADMIN1 = "admin1"
    REGION = "region"
    COUNTRY = "country"


class Attribution(enum.StrEnum):
    """How firmly the perpetrators are known."""

    CONFIRMED = "confirmed"
    CLAIMED = "claimed"
    ALLEGED = "alleged"
    SUSPECTED = "suspected"
    UNKNOWN = "unknown"


class Reliability(enum.StrEnum):
    """Admiralty code: reliability of the source, A (reliable) to F (cannot be judged)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"


class Credibility(enum.StrEnum):
    """Admiralty code: credibility of the information, 1 (confirmed) to 6 (cannot be judged)."""

    C1 = "1"
    C2 = "2"
    C3 = "3"
    C4 = "4"
    C5 = "5"
    C6 = "6"


#: A regex character-class body: what entry text never holds (tab, LF and CR aside): C0 and C1
#: controls, DEL, line separators and the bidi overrides that can disguise text. Validation,
#: the vocabulary and terminal output all build on this one list.
CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"

#: The largest count a file may hold: more people than live on Earth, and small enough that
#: the sum over a ledger of a million entries still fits SQLite's 64-bit integers.
COUNT_MAX = 10_000_000_000
ID_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(-[a-z0-9]+)+$"
ID_MAX_LENGTH = 100
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"
WEB_URL_PATTERN = r"^[hH][tT][tT][pP][sS]?://[^\s]+$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
CAPTURE_PATTERN = r"^evidence/[^\\]+$"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A field's documentation and the constraints a JSON Schema can say.

    `required` means required in an entry file; the record's own signature is stricter or
    looser only where it must (`Entry.id` comes from the file name; lists default to empty).
    """

    doc: str
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    max_length: int | None = None
    min_items: int | None = None
    one_line: bool = False
    example: str | None = None


_SPEC = "spec"


def spec_of(f: Field[Any]) -> FieldSpec:
    """Return the spec declared on a model field."""
    spec = f.metadata[_SPEC]
    assert isinstance(spec, FieldSpec), f.name
    return spec


def _meta(doc: str, **constraints: Any) -> Mapping[str, FieldSpec]:
    return {_SPEC: FieldSpec(doc, **constraints)}


def _need(doc: str, **constraints: Any) -> Mapping[str, FieldSpec]:
    """The metadata of a required field (declared `field(metadata=_need(...))`, no default)."""
    return _meta(doc, required=True, **constraints)


def _f(doc: str, **constraints: Any) -> Any:
    """Declare an optional field (default None) with its spec."""
    return field(default=None, metadata=_meta(doc, **constraints))


def _list(doc: str, **constraints: Any) -> Any:
    """Declare a list field (default empty) with its spec."""
    return field(default=(), metadata=_meta(doc, **constraints))


@dataclass(frozen=True, slots=True)
class Estimate:
    """A casualty count with its range: `{best, low, high}`, `low <= best <= high`."""

    best: int = field(metadata=_need("best estimate", minimum=0, maximum=COUNT_MAX))
    low: int | None = _f("lowest credible count", minimum=0, maximum=COUNT_MAX)
    high: int | None = _f("highest credible count", minimum=0, maximum=COUNT_MAX)


@dataclass(frozen=True, slots=True)
class Location:
    """Where it happened."""

    name: str = field(metadata=_need("place name as commonly written", one_line=True, example="Albukamal"))
    country: str = field(metadata=_need("ISO 3166-1 alpha-2 code", pattern=COUNTRY_PATTERN, example="SY"))
    admin1: str | None = _f("first-level division (governorate, province)", one_line=True)
    admin2: str | None = _f("second-level division (district)", one_line=True)
    description: str | None = _f('relation to the place ("near X", "border area")', one_line=True)
    lat: float | None = _f("latitude, WGS84 decimal degrees", minimum=-90, maximum=90)
    lon: float | None = _f("longitude, WGS84 decimal degrees", minimum=-180, maximum=180)
    precision: GeoPrecision | None = _f("how precise the coordinates are")


@dataclass(frozen=True, slots=True)
class Actors:
    """Who did it, to whom, and who else was involved."""

    perpetrators: tuple[str, ...] = _list("who carried it out")
    targets: tuple[str, ...] = _list("who or what was targeted")
    associated: tuple[str, ...] = _list("others involved")
    attribution: Attribution | None = _f("how firmly the perpetrators are known")


@dataclass(frozen=True, slots=True)
class Casualties:
    """Human cost; leave out what is unknown (unknown is not 0)."""

    killed: int | Estimate | None = _f("people killed: a count or {best, low, high}", minimum=0, maximum=COUNT_MAX)
    injured: int | Estimate | None = _f("people injured: a count or {best, low, high}", minimum=0, maximum=COUNT_MAX)
    note: str | None = _f('the source\'s words ("several", "dozens")', one_line=True)


@dataclass(frozen=True, slots=True)
class Source:
    """A report the entry rests on."""

    name: str = field(metadata=_need("outlet or organisation", one_line=True, example="Reuters"))
    url: str | None = _f("link to the report", one_line=True)
    published: dt.date | None = _f("publication date")
    reliability: Reliability | None = _f("Admiralty reliability of the source, A-F")
    credibility: Credibility | None = _f('Admiralty credibility of the information, "1"-"6"')
    quote: str | None = _f("the key words of the report")
    archive_url: str | None = _f(
        "a public archive copy of the report (Wayback Machine, archive.today)", pattern=WEB_URL_PATTERN
    )
    captured: dt.datetime | None = _f("when our capture was made: an offset date-time (`ledger archive`)")
    sha256: str | None = _f("SHA-256 of the captured page as received, hex (`ledger archive`)", pattern=SHA256_PATTERN)
    capture: str | None = _f(
        "the capture file (WARC), relative to the ledger folder, under evidence/ (`ledger archive`)",
        pattern=CAPTURE_PATTERN,
    )


@dataclass(frozen=True, slots=True, kw_only=True)  # keywords only: required fields follow optional ones
class Entry:
    """One incident. Field order is the canonical key order of files and JSON."""

    id: str = field(
        metadata=_meta("the file stem; if written, must equal it", pattern=ID_PATTERN, max_length=ID_MAX_LENGTH)
    )
    title: str = field(metadata=_need("one line, factual", one_line=True, example="Rockets hit the Green Zone"))
    date: dt.date = field(metadata=_need("first day the incident may have happened (local)"))
    date_end: dt.date | None = _f("last possible day, for spans or vague dates; >= date")
    date_precision: DatePrecision | None = _f("how precise the date is (default day)")
    time: dt.time | None = _f("local time, if known")
    time_of_day: TimeOfDay | None = _f('part of the day ("Monday evening")')
    as_reported: str | None = _f('the source\'s words for the time ("Saturday night")', one_line=True)
    type: EventType = field(metadata=_need("what happened"))
    escalation: int = field(
        metadata=_need(f"rung on the escalation ladder, 0-{ESCALATION_MAX}", minimum=0, maximum=ESCALATION_MAX)
    )
    confidence: Confidence = field(metadata=_need("how sure we are it happened as described"))
    status: Status | None = _f("active (default) or withdrawn; ids are never reused")
    withdrawn_reason: str | None = _f("why a withdrawn entry was withdrawn")
    duplicate_of: str | None = _f("the id this withdrawn entry duplicates", pattern=ID_PATTERN)
    responds_to: tuple[str, ...] = _list("ids this incident answers (causal links)", pattern=ID_PATTERN)
    related: tuple[str, ...] = _list("ids linked without a causal claim", pattern=ID_PATTERN)
    aliases: tuple[str, ...] = _list('ids elsewhere ("ACLED:SYR12345", "UCDP:612345")', one_line=True)
    tags: tuple[str, ...] = _list("free slugs", pattern=SLUG_PATTERN)
    summary: str | None = _f("notes, several lines allowed")
    location: Location = field(metadata=_need("where it happened"))
    actors: Actors | None = _f("who was involved")
    casualties: Casualties | None = _f("human cost")
    sources: tuple[Source, ...] = _list("reports the entry rests on", required=True, min_items=1)

    @property
    def category(self) -> Category:
        return category_of(self.type)

    @property
    def last_day(self) -> dt.date:
        """Return the last day of the incident's span."""
        return self.date_end or self.date

    @property
    def withdrawn(self) -> bool:
        return self.status is Status.WITHDRAWN


def chronological(entry: Entry) -> tuple[dt.date, bool, dt.time, str]:
    """Sort key of the chronology: date, then time (unknown first), then id."""
    return (entry.date, entry.time is not None, entry.time or dt.time.min, entry.id)


def best(count: int | Estimate | None) -> int | None:
    """Return the best estimate of a casualty count, None when unknown."""
    if isinstance(count, Estimate):
        return count.best
    return count
