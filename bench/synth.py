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

__all__ = ["generate", "mutate", "toml_str", "toml_ml_str", "slugify"]

# --------------------------------------------------------------------------- TOML text

_ESCAPES = {i: f"\\u{i:04x}" for i in range(0x20)}
_ESCAPES.update({0x7F: "\\u007f", ord("\b"): "\\b", ord("\t"): "\\t", ord("\n"): "\\n",
                 ord("\f"): "\\f", ord("\r"): "\\r", ord('"'): '\\"', ord("\\"): "\\\\"})
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

# actor -> aliases (written to ledger.toml for the actors used)
ACTORS: dict[str, list[str]] = {
    "Popular Mobilization Forces": ["PMF", "Hashd al-Shaabi", "الحشد الشعبي"],
    "Kataib Hezbollah": ["KH", "Kata'ib Hizballah"],
    "Islamic Resistance in Iraq": ["IRI", "المقاومة الإسلامية في العراق"],
    "Asaib Ahl al-Haq": ["AAH", "League of the Righteous"],
    "Harakat al-Nujaba": ["Nujaba", "HaN"],
    "Iran-backed militias": ["Iranian-backed militias", "pro-Iran militias"],
    "Islamic Revolutionary Guard Corps": ["IRGC", "Sepah", "Revolutionary Guards"],
    "Quds Force": ["IRGC-QF"],
    "Hezbollah": ["Hizballah", "Hizbullah", "حزب الله"],
    "Israel Defense Forces": ["IDF", "Tsahal"],
    "Israeli Air Force": ["IAF"],
    "United States Armed Forces": ["US forces", "U.S. military"],
    "US-led Coalition": ["CJTF-OIR", "Global Coalition"],
    "Syrian Arab Army": ["SAA", "Syrian regime forces"],
    "Russian Armed Forces": ["VKS", "Russian forces"],
    "Houthis": ["Ansar Allah", "أنصار الله"],
    "Saudi-led Coalition": ["Arab Coalition"],
    "Royal Saudi Air Force": ["RSAF"],
    "Islamic State": ["ISIS", "ISIL", "Daesh", "داعش"],
    "Hay'at Tahrir al-Sham": ["HTS"],
    "Syrian Democratic Forces": ["SDF", "QSD"],
    "Kurdistan Workers' Party": ["PKK"],
    "Turkish Armed Forces": ["TSK"],
    "Iraqi Security Forces": ["ISF"],
    "Peshmerga": ["Kurdish Peshmerga"],
    "Hamas": ["Harakat al-Muqawama al-Islamiya"],
    "Palestinian Islamic Jihad": ["PIJ"],
    "Lebanese Armed Forces": ["LAF"],
    "Jordanian Armed Forces": ["JAF"],
    "Yemeni Government Forces": ["Hadi government forces"],
    "Unknown gunmen": [],
    "Civilians": [],
}

# ISO code -> (ISO3 for ACLED-style aliases, [(place, admin1, lat, lon, arabic/local name)],
#              perpetrators, targets)
COUNTRIES: dict[str, tuple[str, list[tuple[str, str, float, float, str]], list[str], list[str]]] = {
    "IQ": ("IRQ", [
        ("Green Zone, Baghdad", "Baghdad", 33.3128, 44.3873, "المنطقة الخضراء"),
        ("Baghdad International Airport", "Baghdad", 33.2625, 44.2346, "مطار بغداد"),
        ("Al-Qaim", "Anbar", 34.3700, 41.0940, "القائم"),
        ("Ain al-Asad Air Base", "Anbar", 33.7856, 42.4412, "عين الأسد"),
        ("Erbil", "Erbil", 36.1911, 44.0092, "أربيل"),
        ("Jurf al-Sakhar", "Babil", 32.8917, 44.1014, "جرف الصخر"),
        ("Balad Air Base", "Salah al-Din", 33.9402, 44.3616, "بلد"),
        ("Mosul", "Nineveh", 36.3350, 43.1189, "الموصل"),
        ("Kirkuk", "Kirkuk", 35.4681, 44.3922, "كركوك"),
        ("Basra", "Basra", 30.5085, 47.7804, "البصرة"),
        ("Camp Taji", "Baghdad", 33.5286, 44.2567, "التاجي"),
        ("Sinjar", "Nineveh", 36.3209, 41.8765, "سنجار"),
        ("Tal Afar", "Nineveh", 36.3790, 42.4497, "تلعفر"),
        ("Fallujah", "Anbar", 33.3500, 43.7833, "الفلوجة"),
        ("Ramadi", "Anbar", 33.4206, 43.3078, "الرمادي"),
    ], ["Kataib Hezbollah", "Islamic Resistance in Iraq", "Popular Mobilization Forces",
        "Asaib Ahl al-Haq", "Islamic State", "United States Armed Forces", "US-led Coalition",
        "Unknown gunmen", "Turkish Armed Forces", "Islamic Revolutionary Guard Corps"],
       ["United States Armed Forces", "US-led Coalition", "Iraqi Security Forces",
        "Popular Mobilization Forces", "Kataib Hezbollah", "Peshmerga", "Civilians",
        "Islamic State", "Kurdistan Workers' Party"]),
    "SY": ("SYR", [
        ("Damascus", "Damascus", 33.5138, 36.2765, "دمشق"),
        ("Damascus International Airport", "Rif Dimashq", 33.4114, 36.5156, "مطار دمشق"),
        ("Albukamal", "Deir ez-Zor", 34.4530, 40.9180, "البوكمال"),
        ("Deir ez-Zor", "Deir ez-Zor", 35.3359, 40.1408, "دير الزور"),
        ("Mayadin", "Deir ez-Zor", 35.0190, 40.4520, "الميادين"),
        ("T-4 Airbase", "Homs", 34.5222, 37.6270, "مطار التيفور"),
        ("Palmyra", "Homs", 34.5503, 38.2691, "تدمر"),
        ("Al-Tanf", "Homs", 33.5000, 38.6670, "التنف"),
        ("Aleppo", "Aleppo", 36.2021, 37.1343, "حلب"),
        ("Idlib", "Idlib", 35.9306, 36.6339, "إدلب"),
        ("Raqqa", "Raqqa", 35.9594, 39.0079, "الرقة"),
        ("Qamishli", "Al-Hasakah", 37.0522, 41.2317, "القامشلي"),
        ("Quneitra", "Quneitra", 33.1258, 35.8245, "القنيطرة"),
        ("Masyaf", "Hama", 35.0653, 36.3421, "مصياف"),
        ("Latakia", "Latakia", 35.5317, 35.7901, "اللاذقية"),
    ], ["Israeli Air Force", "Israel Defense Forces", "US-led Coalition",
        "United States Armed Forces", "Russian Armed Forces", "Syrian Arab Army",
        "Islamic State", "Hay'at Tahrir al-Sham", "Iran-backed militias",
        "Turkish Armed Forces", "Unknown gunmen"],
       ["Iran-backed militias", "Hezbollah", "Syrian Arab Army", "Islamic State",
        "Quds Force", "Syrian Democratic Forces", "Civilians", "Hay'at Tahrir al-Sham",
        "United States Armed Forces"]),
    "IR": ("IRN", [
        ("Tehran", "Tehran", 35.6892, 51.3890, "تهران"),
        ("Isfahan", "Isfahan", 32.6546, 51.6680, "اصفهان"),
        ("Natanz", "Isfahan", 33.7240, 51.7270, "نطنز"),
        ("Kermanshah", "Kermanshah", 34.3142, 47.0650, "کرمانشاه"),
        ("Zahedan", "Sistan and Baluchestan", 29.4963, 60.8629, "زاهدان"),
        ("Ahvaz", "Khuzestan", 31.3183, 48.6706, "اهواز"),
        ("Tabriz", "East Azerbaijan", 38.0800, 46.2919, "تبریز"),
        ("Kerman", "Kerman", 30.2839, 57.0834, "کرمان"),
    ], ["Israel Defense Forces", "Unknown gunmen", "Islamic State",
        "Islamic Revolutionary Guard Corps"],
       ["Islamic Revolutionary Guard Corps", "Quds Force", "Civilians"]),
    "LB": ("LBN", [
        ("Dahiyeh, Beirut", "Beirut", 33.8530, 35.5090, "الضاحية"),
        ("Nabatieh", "Nabatieh", 33.3772, 35.4836, "النبطية"),
        ("Tyre", "South Lebanon", 33.2705, 35.2038, "صور"),
        ("Baalbek", "Baalbek-Hermel", 34.0047, 36.2110, "بعلبك"),
        ("Bint Jbeil", "Nabatieh", 33.1194, 35.4331, "بنت جبيل"),
        ("Marjayoun", "Nabatieh", 33.3606, 35.5917, "مرجعيون"),
        ("Sidon", "South Lebanon", 33.5571, 35.3729, "صيدا"),
        ("Hermel", "Baalbek-Hermel", 34.3942, 36.3847, "الهرمل"),
    ], ["Israel Defense Forces", "Israeli Air Force", "Hezbollah", "Unknown gunmen"],
       ["Hezbollah", "Civilians", "Lebanese Armed Forces", "Hamas"]),
    "YE": ("YEM", [
        ("Sanaa", "Amanat al-Asimah", 15.3694, 44.1910, "صنعاء"),
        ("Hodeidah", "Hodeidah", 14.7978, 42.9545, "الحديدة"),
        ("Marib", "Marib", 15.4623, 45.3225, "مأرب"),
        ("Taiz", "Taiz", 13.5795, 44.0209, "تعز"),
        ("Aden", "Aden", 12.7855, 45.0187, "عدن"),
        ("Saada", "Saada", 16.9402, 43.7639, "صعدة"),
        ("Ras Isa", "Hodeidah", 15.1200, 42.6200, "رأس عيسى"),
    ], ["Saudi-led Coalition", "Royal Saudi Air Force", "Houthis",
        "United States Armed Forces", "Israeli Air Force", "Islamic State"],
       ["Houthis", "Civilians", "Yemeni Government Forces", "Saudi-led Coalition"]),
    "IL": ("ISR", [
        ("Tel Aviv", "Tel Aviv", 32.0853, 34.7818, "תל אביב"),
        ("Haifa", "Haifa", 32.7940, 34.9896, "חיפה"),
        ("Eilat", "Southern District", 29.5577, 34.9519, "אילת"),
        ("Kiryat Shmona", "Northern District", 33.2073, 35.5707, "קריית שמונה"),
        ("Metula", "Northern District", 33.2800, 35.5783, "מטולה"),
        ("Majdal Shams", "Golan Heights", 33.2690, 35.7710, "مجدل شمس"),
        ("Sderot", "Southern District", 31.5250, 34.5969, "שדרות"),
        ("Nevatim Airbase", "Southern District", 31.2083, 35.0123, "נבטים"),
    ], ["Hezbollah", "Hamas", "Palestinian Islamic Jihad", "Houthis",
        "Islamic Revolutionary Guard Corps", "Islamic Resistance in Iraq"],
       ["Israel Defense Forces", "Civilians", "Israeli Air Force"]),
    "JO": ("JOR", [
        ("Tower 22", "Mafraq", 33.3167, 38.7000, "البرج 22"),
        ("Amman", "Amman", 31.9539, 35.9106, "عمّان"),
        ("Muwaffaq Salti Air Base", "Zarqa", 31.8267, 36.7819, "الأزرق"),
        ("Ruwaished", "Mafraq", 32.5090, 38.2000, "الرويشد"),
    ], ["Islamic Resistance in Iraq", "Kataib Hezbollah", "Islamic State",
        "Iran-backed militias"],
       ["United States Armed Forces", "Jordanian Armed Forces", "Civilians"]),
    "TR": ("TUR", [
        ("Şırnak", "Şırnak", 37.5164, 42.4611, "Şırnak"),
        ("Hakkâri", "Hakkâri", 37.5744, 43.7408, "Hakkâri"),
        ("Gaziantep", "Gaziantep", 37.0662, 37.3833, "Gaziantep"),
        ("Kilis", "Kilis", 36.7184, 37.1212, "كلس"),
        ("Incirlik Air Base", "Adana", 37.0021, 35.4259, "İncirlik"),
        ("Akçakale", "Şanlıurfa", 36.7111, 38.9478, "Akçakale"),
    ], ["Kurdistan Workers' Party", "Islamic State", "Turkish Armed Forces",
        "Syrian Democratic Forces"],
       ["Turkish Armed Forces", "Kurdistan Workers' Party", "Civilians"]),
    "SA": ("SAU", [
        ("Abqaiq", "Eastern Province", 25.9370, 49.6690, "بقيق"),
        ("Riyadh", "Riyadh", 24.7136, 46.6753, "الرياض"),
        ("Jizan", "Jizan", 16.8892, 42.5511, "جازان"),
        ("Najran", "Najran", 17.5656, 44.2289, "نجران"),
        ("Abha International Airport", "Asir", 18.2404, 42.6566, "مطار أبها"),
        ("Ras Tanura", "Eastern Province", 26.6436, 50.1590, "رأس تنورة"),
    ], ["Houthis", "Islamic Revolutionary Guard Corps", "Islamic State"],
       ["Royal Saudi Air Force", "Civilians", "Saudi-led Coalition"]),
}
COUNTRY_CODES = list(COUNTRIES)
COUNTRY_WEIGHTS = [30, 28, 6, 10, 10, 7, 3, 4, 2]
COUNTRY_NAMES = {"IQ": "Iraq", "SY": "Syria", "IR": "Iran", "LB": "Lebanon", "YE": "Yemen",
                 "IL": "Israel", "JO": "Jordan", "TR": "Türkiye", "SA": "Saudi Arabia"}

# type -> (weight, escalation levels it usually sits at, title templates)
TYPES: dict[str, tuple[int, tuple[int, ...], tuple[str, ...]]] = {
    "airstrike": (16, (4, 5, 5, 5, 7), ("{perp} airstrike on {target} positions near {place}",
                                        "Airstrikes hit {target} depot at {place}",
                                        "Unidentified aircraft strike {place}")),
    "drone-strike": (10, (4, 5, 5), ("Drone strike on {target} vehicle near {place}",
                                     "{perp} drone attack targets {place}",
                                     "One-way attack drone intercepted over {place}")),
    "shelling": (7, (4, 4, 5), ("{perp} shells {target} positions around {place}",
                                "Artillery fire on villages near {place}")),
    "rocket-attack": (12, (4, 4, 5), ("{n} rockets fired at {place}",
                                      "Rocket attack on {place}",
                                      "Katyusha rockets land near {place}")),
    "missile-attack": (4, (5, 7), ("Ballistic missile attack on {place}",
                                   "{perp} fires missiles at {place}")),
    "explosion": (6, (4, 5), ("Explosions at {target} weapons depot in {place}",
                              "Blast at {place} base, cause unclear")),
    "ied": (5, (4, 5), ("IED hits {target} logistics convoy near {place}",
                        "Roadside bomb targets convoy on road to {place}")),
    "armed-clash": (7, (6,), ("Clashes between {perp} and {target} near {place}",
                              "Heavy fighting around {place}")),
    "raid": (3, (6,), ("{perp} raid on {target} hideout in {place}",
                       "Special forces raid near {place}")),
    "assassination": (2, (5, 7), ("{target} commander killed in {place}",
                                  "Senior {target} official assassinated near {place}")),
    "attack-on-civilians": (3, (5,), ("Gunmen attack civilians in {place}",
                                      "Civilians killed in attack near {place}")),
    "seizure": (2, (3,), ("{perp} seize houses in {place}",
                          "Tanker seized off {place}")),
    "troop-movement": (5, (2,), ("{perp} reinforcements move towards {place}",
                                 "{perp} convoy crosses into {place} area")),
    "border-closure": (1, (3,), ("Border crossing near {place} closed",)),
    "evacuation": (2, (3,), ("{target} evacuate headquarters in {place}",
                             "Staff evacuated from {place}")),
    "arrival": (2, (2,), ("{perp} commanders arrive in {place}",
                          "Air defence systems deployed to {place}")),
    "threat": (4, (1,), ("{perp} threatens retaliation over {place} strike",
                         "{perp} warns of \"harsh response\" after {place} attack")),
    "statement": (5, (0,), ("{perp} denies involvement in {place} attack",
                            "{perp} claims responsibility for {place} attack",
                            "Statement by {perp} on events in {place}")),
    "protest": (2, (0, 2), ("Protesters gather outside base in {place}",
                            "Demonstration against {perp} presence in {place}")),
    "other": (1, (0, 1, 2, 3), ("Unexplained incident reported in {place}",)),
}
TYPE_NAMES = list(TYPES)
TYPE_WEIGHTS = [TYPES[t][0] for t in TYPE_NAMES]

CONFIDENCE = (["confirmed", "reported", "claimed", "unverified", "disputed"], [25, 40, 15, 15, 5])
ATTRIBUTION = (["confirmed", "claimed", "alleged", "suspected", "unknown"], [25, 20, 20, 25, 10])
TIME_OF_DAY = ["early-morning", "morning", "afternoon", "evening", "night"]
AS_REPORTED = ["on {wd} evening", "late on {wd}", "{wd} night", "early on {wd}",
               "before dawn on {wd}", "earlier this week", "around midnight",
               "at dawn", "overnight into {wd}"]
PRECISION = (["exact", "near", "town", "admin2", "admin1"], [15, 35, 35, 10, 5])
TAGS = ["soleimani-aftermath", "euphrates-valley", "border-crossing", "tower-22",
        "red-sea", "shipping", "air-defence", "weapons-depot", "convoy", "us-embassy",
        "civilian-harm", "retaliation", "ceasefire-violation", "drone-war", "oil-facilities",
        "nuclear-programme", "assassination-campaign", "iran-israel", "hezbollah-israel",
        "gaza-war", "isis-remnants", "kurdish-conflict", "militia-politics", "unclaimed",
        "mass-casualty", "airport", "supply-line", "truce-talks"]
# source name -> (domain, reliability weights over A..F)
SOURCES = [
    ("Reuters", "www.reuters.com/world/middle-east"), ("Associated Press", "apnews.com/article"),
    ("AFP", "www.afp.com/en/news"), ("Al Jazeera", "www.aljazeera.com/news"),
    ("Syrian Observatory for Human Rights", "www.syriahr.com/en"),
    ("Rudaw", "www.rudaw.net/english/middleeast"), ("Shafaq News", "shafaq.com/en/Security"),
    ("Al-Mayadeen", "english.almayadeen.net/news"), ("Times of Israel", "www.timesofisrael.com"),
    ("Airwars", "airwars.org/civilian-casualties"), ("CENTCOM", "www.centcom.mil/MEDIA"),
    ("IDF Spokesperson", "www.idf.il/en/articles"), ("Saba News Agency", "www.saba.ye/en/news"),
    ("Al-Masirah", "english.masirahtv.net/post"), ("Tasnim", "www.tasnimnews.com/en/news"),
    ("Anadolu Agency", "www.aa.com.tr/en/middle-east"), ("L'Orient-Le Jour", "www.lorientlejour.com"),
    ("Enab Baladi", "english.enabbaladi.net/archives"), ("Deir Ezzor 24", "deirezzor24.net/en"),
    ("Jerusalem Post", "www.jpost.com/middle-east"), ("Kurdistan 24", "www.kurdistan24.net/en/story"),
]
RELIABILITY = (["A", "B", "C", "D", "E", "F"], [8, 40, 30, 12, 5, 5])
CREDIBILITY = (["1", "2", "3", "4", "5", "6"], [10, 35, 30, 15, 5, 5])
WITHDRAWN_REASONS = ["duplicate of an earlier entry", "source retracted the report",
                     "misdated: the video is from an earlier incident",
                     "could not be corroborated by a second source",
                     "location misidentified; merged with the correct entry"]
YEARS = list(range(2014, 2025))
YEAR_WEIGHTS = [6, 7, 7, 8, 8, 9, 12, 8, 7, 12, 14]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
SUMMARY_OPENINGS = [
    "On {day}, {what} was reported in {place} ({local}), {country}.",
    "Local sources reported {what} in {place} ({local}) on {day}.",
    "According to {source}, {what} took place near {place}, {admin1}, on {day}.",
]
SUMMARY_SENTENCES = [
    "The explosions were heard on the other side of the Euphrates River.",
    "Residents described \"strong explosions\" followed by fires lasting several hours.",
    "{perp} did not comment; {target} said the damage was \u201climited\u201d.",
    "No group immediately claimed responsibility.",
    "A spokesperson said: \"We reserve the right to respond at the time and place of our choosing.\"",
    "Casualty figures vary between sources; the figures here follow {source}.",
    "The area had been targeted several times in the preceding weeks.",
    "Satellite imagery later showed at least three destroyed structures.",
    "Air defences were reportedly activated over {place}.",
    "Some reports indicated that an airstrike, not rockets, caused the blasts.",
    "Fighters were seen leaving positions along the road to {place} after the attack.",
    "The strike came hours after a rocket attack on a base hosting US troops.",
    "Officials in {admin1} called for calm and an investigation.",
    "Footage shared online, not independently verified, showed a burning vehicle.",
]


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
    years = rng.choices(YEARS, YEAR_WEIGHTS, k=n)
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
    for name, domain in rng.sample(SOURCES, rng.choices((1, 2, 3), (60, 32, 8))[0]):
        published = date + dt.timedelta(days=rng.choices((0, 1, 2, 5), (55, 30, 10, 5))[0])
        lines += ["", "[[sources]]", f"name = {toml_str(name)}"]
        if rng.random() < 0.8:
            lines.append(f'url = "https://{domain}/{slug[11:70]}-{published:%Y%m%d}/"')
        lines.append(f"published = {published.isoformat()}")
        lines.append(f'reliability = "{_pick(rng, RELIABILITY)}"')
        lines.append(f'credibility = "{_pick(rng, CREDIBILITY)}"')
        if rng.random() < 0.12:
            lines.append('quote = "Explosions were heard in \\"areas controlled by Iranian militias\\""')
    return lines


def _summary(rng: random.Random, ctx: dict[str, str]) -> str:
    """Return a one- to four-line ACLED-notes-style summary."""
    parts = [rng.choice(SUMMARY_OPENINGS).format(**ctx)]
    parts += [s.format(**ctx) for s in rng.sample(SUMMARY_SENTENCES, rng.randint(1, 2))]
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


def _entry(rng: random.Random, i: int, date: dt.date, used: set[str],
           past: list[_Past], actors_used: set[str]) -> tuple[str, str, _Past | None]:
    """Return (id, TOML text, record for later links or None when withdrawn)."""
    country = rng.choices(COUNTRY_CODES, COUNTRY_WEIGHTS)[0]
    iso3, places, perps, targets = COUNTRIES[country]
    place, admin1, lat, lon, local = rng.choice(places)
    kind = rng.choices(TYPE_NAMES, TYPE_WEIGHTS)[0]
    _, levels, titles = TYPES[kind]
    escalation = rng.choice(levels)
    perp = rng.choice(perps)
    target = rng.choice([t for t in targets if t != perp] or targets)
    if kind == "assassination" and target == "Civilians":
        kind, (_, levels, titles) = "attack-on-civilians", TYPES["attack-on-civilians"]
        escalation = 5
    target_word = "civilian" if target == "Civilians" else target
    title = rng.choice(titles).format(perp=perp, target=target_word, place=place,
                                      n=rng.choice(("Two", "Three", "Four", "Several", "Six")))
    title = title[0].upper() + title[1:]
    date, date_end, precision = _span(rng, date)
    ident = unique_id(date, title, used)

    top = [f"title = {toml_str(title)}", f"date = {date.isoformat()}"]
    if date_end is not None:
        top += [f"date_end = {date_end.isoformat()}", f'date_precision = "{precision}"']
    if rng.random() < 0.20:
        top.append(f"time = {rng.randrange(24):02d}:{rng.choice((0, 5, 15, 30, 40, 45)):02d}:00")
    elif rng.random() < 0.15:
        top.append(f'time_of_day = "{rng.choice(TIME_OF_DAY)}"')
    if rng.random() < 0.12:
        phrase = rng.choice(AS_REPORTED).format(wd=WEEKDAYS[date.weekday()])
        top.append(f"as_reported = {toml_str(phrase)}")
    top += [f'type = "{kind}"', f"escalation = {escalation}",
            f'confidence = "{_pick(rng, CONFIDENCE)}"']
    withdrawn = bool(past) and rng.random() < 0.03
    if withdrawn:
        dup = _link(rng, past, date + dt.timedelta(days=1), country) if rng.random() < 0.5 else None
        reason = WITHDRAWN_REASONS[0] if dup else rng.choice(WITHDRAWN_REASONS[1:])
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
        top.append(f"tags = {toml_list(rng.sample(TAGS, rng.randint(1, 3)))}")
    source_name = rng.choice(SOURCES)[0]
    if rng.random() < 0.72:
        ctx = {"day": f"{date.day} {date:%B %Y}", "what": _WHAT.get(kind, "an incident"),
               "place": place, "local": local, "country": COUNTRY_NAMES[country],
               "admin1": admin1, "source": source_name, "perp": perp,
               "target": "local residents" if target == "Civilians" else target}
        summary = _summary(rng, ctx)
        top.append(f"summary = {toml_ml_str(summary) if chr(10) in summary else toml_str(summary)}")

    loc = ["", "[location]", f"name = {toml_str(place)}", f'country = "{country}"',
           f"admin1 = {toml_str(admin1)}"]
    if rng.random() < 0.15:
        loc.append(f"description = {toml_str(rng.choice(('near ', 'outskirts of ', 'road to ')) + place)}")
    if rng.random() < 0.85:
        loc += [f"lat = {lat + rng.uniform(-0.05, 0.05):.4f}", f"lon = {lon + rng.uniform(-0.05, 0.05):.4f}"]
        loc.append(f'precision = "{_pick(rng, PRECISION)}"')
    else:  # no coordinates: only a vague precision makes sense
        loc.append(f'precision = "{rng.choice(("town", "admin1", "region"))}"')

    act: list[str] = []
    if kind not in ("protest", "other") or rng.random() < 0.5:
        act = ["", "[actors]", f"perpetrators = {toml_list([perp])}", f"targets = {toml_list([target])}"]
        actors_used.update((perp, target))
        if rng.random() < 0.15:
            assoc = rng.choice(("Islamic Revolutionary Guard Corps", "Russian Armed Forces",
                                "Popular Mobilization Forces", "US-led Coalition"))
            act.append(f"associated = {toml_list([assoc])}")
            actors_used.add(assoc)
        act.append(f'attribution = "{_pick(rng, ATTRIBUTION)}"')

    lines = top + loc + act + _casualties(rng, escalation) + _sources(rng, date, ident)
    record = None if withdrawn else _Past(ident, date, country)
    return ident, "\n".join(lines) + "\n", record


_WHAT = {"airstrike": "an airstrike", "drone-strike": "a drone strike", "shelling": "shelling",
         "rocket-attack": "a rocket attack", "missile-attack": "a missile attack",
         "explosion": "a series of explosions", "ied": "an IED attack",
         "armed-clash": "fighting", "raid": "a raid", "assassination": "an assassination",
         "attack-on-civilians": "an attack on civilians", "seizure": "a seizure of property",
         "troop-movement": "a movement of fighters", "evacuation": "an evacuation",
         "arrival": "the arrival of reinforcements", "threat": "a threat of retaliation",
         "statement": "a statement", "protest": "a protest"}


def ledger_toml(actors: set[str]) -> str:
    """Return the ledger.toml text declaring the aliases of the given actors."""
    out = ["# generated by bench/synth.py", ""]
    for name in sorted(actors):
        out += [f"[actors.{toml_str(name)}]", f"aliases = {toml_list(ACTORS[name])}", ""]
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
        kind = rng.choice(("title", "escalation", "date"))
        if kind == "date" and "\nresponds_to = " not in text:
            new = _shift_dates(text, -rng.randint(1, 3))
        elif kind == "escalation":
            new = _ESCALATION.sub(lambda m: f"escalation = {(int(m.group(1)) + 1) % 8}", text, 1)
        else:
            new = _TITLE.sub(lambda m: f'title = "{m.group(1)} (updated {seed}-{n})"', text, 1)
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
