"""Plain rows in, text out. The caller says whether the stream is a terminal."""

from __future__ import annotations

import re

# C0 and C1 controls except tab and newline, DEL, and bidi overrides that can disguise text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """Strip terminal control characters (escape sequences stay visible as text, harmless)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else "", text)
