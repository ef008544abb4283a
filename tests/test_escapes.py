"""What the text formats escape (`ledger.core.escapes`), held to the standards' own definitions over every code point."""

from __future__ import annotations

from ledger.core import escapes

EVERY = "".join(map(chr, range(0x110000)))


def _xml_char(code: int) -> bool:
    """XML 1.0's Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]."""
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000


def test_xml_bad_is_every_character_xml_cannot_hold() -> None:
    expected = [chr(code) for code in range(0x110000) if not _xml_char(code)]
    assert escapes.XML_BAD.findall(EVERY) == expected


def test_xml_special_adds_the_five_characters_xml_escapes() -> None:
    expected = [chr(c) for c in range(0x110000) if not _xml_char(c) or chr(c) in "&<>\"'"]
    assert escapes.XML_SPECIAL.findall(EVERY) == expected


def test_xml_drops_what_it_cannot_hold_and_escapes_the_rest() -> None:
    assert escapes.xml("a\x00b\ufffec&<>\"'\U0001f600") == "abc&amp;&lt;&gt;&quot;&#39;\U0001f600"
    assert escapes.xml(7) == "7"
