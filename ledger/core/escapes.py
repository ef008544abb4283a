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
#: what XML cannot hold: dropped by `xml`
XML_BAD = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: what `xml` changes: a character it drops or one it escapes (& < > " '). Most text has none.
XML_SPECIAL = re.compile("[^\t\n\r\x20\x21\x23-\x25\x28-\x3b\x3d\x3f-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml(text: Any) -> str:
    """Escape text for XML content and attributes, dropping characters XML cannot hold."""
    s = text if type(text) is str else str(text)
    if XML_SPECIAL.search(s) is None:
        return s
    s = XML_BAD.sub("", s)
    return (
        s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#39;")
    )
