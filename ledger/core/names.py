"""One normalisation for every text match: search, `text:`, `--place`, `--actor`, aliases, dupes.

`fold(text)` is the key two spellings are compared by; it is applied alike when the index is
written and when a query is read, so a match never depends on how a text was typed:

- Unicode: compatibility decomposition (NFKD: Arabic presentation forms, ligatures and
  full-width letters become plain letters), case folding (`str.casefold`: ß is ss), and the
  result recomposed (NFC). NFC and NFD spellings of one text fold alike.
- Latin: combining marks removed (é is e, ç is c) and letters that have no decomposition
  spelled plainly (ø o, ł l, đ d, ı i, æ ae); apostrophes and the ʿayn/hamza marks of
  transliterated Arabic dropped, so Kata'ib, Kataʾib and Kataib are one word.
- Arabic: harakat, shadda, sukun, superscript alef and tatweel removed; أ إ آ ٱ are ا; the
  hamza carriers ؤ ئ are و ي and a lone ء is dropped; ة is ه and ى is ي; Arabic-Indic and
  Persian digits are 0-9.
- Persian: ک is ك, ی is ي, ۀ and ە are ه; the zero-width non-joiner, bidi marks and other
  invisible format characters are removed.

Everything here is the standard library (`unicodedata`): the folding is a table of a few dozen
characters, and the libraries that transliterate (unidecode, anyascii) would turn Arabic into
Latin guesses that no longer match Arabic text.

On top of it, `words(text)` splits folded text into words (runs of letters and digits), and
`sound(word)` gives a transliteration-tolerant key of one word, for names written in Latin
letters after Arabic or Persian (Soleimani, Suleimani, Sulaymani and Solemani share one key):

- a leading article is left out: the words al, el, ad, ash, az, ez, ... (al-Muhandis), a
  glued al-/el- (Albukamal), and an assimilated one before a doubled letter (Ezzor);
- q, ck, c before a consonant and gh are k (Qasim, Ghasem); ch is sh (Chaabi); ph is f;
- every run of vowels is one vowel mark `0`, with y and w after a vowel counted as vowels
  (ei, ey, ay, ai, aw, ou all alike) and a final h after a vowel too (Hezbollah, Hezbolla);
- a doubled letter is one letter (Qassem, Qasem).

Arabic-script words lose instead a leading conjunction و and the article (ال, بال كال فال لل),
as light stemmers for Arabic retrieval do (وأبو is أبو, والحشد is حشد). Words
whose key would be too short to tell names apart (fewer than three consonants and vowel
marks) have no key: `sound` returns "".
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

_SPECIAL = {
    "ø": "o", "đ": "d", "ð": "d", "ł": "l", "ı": "i", "ħ": "h", "þ": "th", "æ": "ae", "œ": "oe",
    "ŧ": "t", "ŋ": "n", "ĸ": "k", "ſ": "s",
}  # fmt: skip
_ARABIC = {
    "ٱ": "ا", "ٲ": "ا", "ٳ": "ا", "ٵ": "ا",  # alef forms (أ إ آ decompose to ا + a mark)
    "ٶ": "و", "ٸ": "ي",  # hamza carriers that do not decompose
    "ة": "ه", "ۀ": "ه", "ە": "ه", "ہ": "ه", "ۃ": "ه",  # ta marbuta and ha forms
    "ى": "ي", "ی": "ي", "ې": "ي", "ێ": "ي",  # alef maqsura and the Persian/Kurdish yeh
    "ک": "ك", "ڪ": "ك",  # Persian keheh, swash kaf
}  # fmt: skip
_DROP = "ـء'‘’ʼʻʿʾ`´"  # tatweel, lone hamza; apostrophes and the ʿayn/hamza marks of transliteration
_DIGITS = {chr(0x0660 + i): str(i) for i in range(10)} | {chr(0x06F0 + i): str(i) for i in range(10)}
_TABLE = str.maketrans({**_SPECIAL, **_ARABIC, **_DIGITS, **dict.fromkeys(_DROP)})
# An English possessive ("the IRGC's commander") is not part of the name.
_POSSESSIVE = re.compile(r"(?<=\w)['’ʼ]s\b")
_NON_ASCII = re.compile(r"([^\x00-\x7f]+)")
_WORD = re.compile(r"[^\W_]+")
# Combining marks (Latin accents, Arabic harakat, hamza above and below, madda) and invisible
# format characters (ZWNJ, ZWJ, bidi marks, soft hyphen, BOM).
_MARKS = ("Mn", "Me", "Cf")


def _fold_ascii(text: str) -> str:
    """Fold ASCII text: lower case, apostrophes dropped (by `replace`: ~10x `translate`'s speed over a summary)."""
    return text.lower().replace("'", "").replace("`", "")


def fold(text: str) -> str:
    """Return the matching key of a text (see the module docstring).

    >>> fold("Deir ez-Zōr") == fold("DEIR EZ-ZOR")
    True
    >>> fold("البُوكَمال") == fold("البوكمال")
    True
    """
    if "'" in text or "’" in text or "ʼ" in text:
        text = _POSSESSIVE.sub("", text)
    if text.isascii():
        return _fold_ascii(text)
    # Every step works character by character, so folding the runs of non-ASCII characters
    # one by one (cached: names repeat) gives what folding the whole text would.
    return "".join(
        _fold_run(run) if number % 2 else _fold_ascii(run) for number, run in enumerate(_NON_ASCII.split(text))
    )


@functools.lru_cache(maxsize=1 << 16)
def _fold_run(run: str) -> str:
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", run).casefold())
    category = unicodedata.category
    plain = "".join(c for c in decomposed if category(c) not in _MARKS).translate(_TABLE)
    return unicodedata.normalize("NFC", plain)


def words(text: str) -> list[str]:
    """Return the folded words of a text: runs of letters and digits."""
    return _WORD.findall(fold(text))


#: A short word written in capitals (IS, US, UN): an alias spelt so names only what the text capitalises.
_ACRONYM = re.compile(r"\b[A-Z]{2,3}\b")


def acronyms(text: str) -> list[str]:
    """Return the short words a text writes in capitals (`IS`, `US`), folded: what an all-capital alias matches."""
    return [w.lower() for w in _ACRONYM.findall(text)]


def is_acronym(spelling: str) -> bool:
    """Return whether a name's spelling is a short word in capitals (`IS`: not the verb `is`)."""
    return _ACRONYM.fullmatch(spelling.strip()) is not None


def same(a: str, b: str) -> bool:
    """Return whether two texts fold alike."""
    return fold(a) == fold(b)


# -- a sound key for transliterated names ------------------------------------------------

# Arabic articles as transliterations write them, alone or assimilated (ash-Shaabi, ez-Zor).
ARTICLES = frozenset((
    "al", "el", "il", "ul", "ad", "ed", "ar", "er", "as", "es", "ash", "esh", "az", "ez", "at", "et", "an", "en",
    "ath", "adh",
))  # fmt: skip
_LATIN = re.compile(r"[a-z]+")
_ARABIC_WORD = re.compile(r"[\u0621-\u064a\u066e-\u06d3]+")
_ARABIC_ARTICLE = re.compile(r"^(?:و(?=...))?(?:[ف]?[بك]?ال(?=..)|[ف]?لل(?=..))?")
_GLUED_ARTICLE = re.compile(r"^(?:[ae]l(?=[a-z]{3})|[ae]([dtsznr])(?=\1))")
_SPELLING = (
    (re.compile(r"ck|q|gh|c(?=[^aeiouyhe]|$)"), "k"),
    (re.compile(r"ch"), "sh"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"(?<=[aeiou])[yw]"), "a"),  # ay ey aw: diphthongs are vowels
    (re.compile(r"(?<=[aeiou])h$"), "a"),  # Hezbollah = Hezbolla
    (re.compile(r"[aeiouy]+"), "0"),
    (re.compile(r"(.)\1+"), r"\1"),  # Qassem = Qasem
)
MIN_KEY = 3


@functools.lru_cache(maxsize=1 << 16)
def sound(word: str) -> str:
    """Return the sound key of one folded word ("" for an article or a word too short to key).

    >>> sound("soleimani") == sound("sulaymani") == sound("solemani") == "s0l0m0n0"
    True
    """
    if word in ARTICLES:
        return ""
    if _LATIN.fullmatch(word):
        key = _GLUED_ARTICLE.sub("", word)
        for pattern, spelled in _SPELLING:
            key = pattern.sub(spelled, key)
        if key.startswith("0") and len(key) > MIN_KEY:  # Ezor = ez-Zor, Erbil = Irbil = rbil (but Amr keeps its key)
            key = key[1:]
        return key if sum(c != "0" for c in key) >= 2 and len(key) >= MIN_KEY else ""
    if _ARABIC_WORD.fullmatch(word):
        key = _ARABIC_ARTICLE.sub("", word)
        return key if len(key) >= MIN_KEY else ""
    return ""


def sounds(text: str) -> list[str]:
    """Return the sound keys of the words of a text (words without a key left out)."""
    return [k for k in (sound(w) for w in words(text)) if k]


def key(name: str) -> str:
    """Return a name's key for telling two spellings of one name apart: its sound keys, else its words."""
    found = words(name)
    keyed = [sound(w) or w for w in found if w not in ARTICLES]
    return " ".join(keyed or found)


def joined(items: Iterable[str]) -> str:
    """Return the folded words of several texts as one space-separated string (what the index stores)."""
    return " ".join(w for item in items if item for w in words(item))
