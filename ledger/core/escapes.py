"""What the text output formats escape, written once for the writers (`output`) and the build (`index`).

The build stores text already in a format's form (the timeline's TSV cells, the chart's
titles: `index.rows.cells`), so it must know the same rules as the writers that escape at
output time (`output.render.tsv_line`, `output.marks.xml`); both read them from here.
"""

from __future__ import annotations

import re
from typing import Any

from ledger.core.model import CONTROL

#: what a TSV cell escapes but the tab: a backslash, line breaks, control characters (`output.render`)
TSV_SPECIAL = re.compile(rf"[\\\n\r{CONTROL}]")
#: what XML cannot hold (all but tab, line feed, carriage return, U+0020-U+D7FF, U+E000-U+FFFD and the
#: planes above): dropped by `xml`. Named as what it matches: a negated class of the ranges XML allows
#: takes re.compile 10-18 ms, paid at the start-up of every command that writes text.
_XML_BAD = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
XML_BAD = re.compile(f"[{_XML_BAD}]")
#: what `xml` changes: a character it drops or one it escapes (& < > " '). Most text has none.
XML_SPECIAL = re.compile(f"[{_XML_BAD}&<>\"']")


def xml(text: Any) -> str:
    """Escape text for XML content and attributes, dropping characters XML cannot hold."""
    s = text if type(text) is str else str(text)
    if XML_SPECIAL.search(s) is None:
        return s
    s = XML_BAD.sub("", s)
    return (
        s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#39;")
    )
