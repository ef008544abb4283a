"""`timeline --format csv` written from raw cells: Python quotes and guards what needs it.

SQLite gives the CSV cells as they are; the place and the title are quoted and guarded in
Python, and a line whose other cells need it (a path with a comma or a quote) takes them
from SQL quoted. Held byte for byte to the general path (`render.render_values`).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import entry
from test_timeline_written import general, written

from ledger import query
from ledger.api import Ledger

PLACES = ["Hama, Syria", 'the "Green" Zone', "=HYPERLINK(1)", "-north", "+east", "@home", "'quoted", "Mossoul é"]
FOLDERS = ["2020/01", "with, comma", 'with "quote"', "-dash", "=sum"]


@pytest.fixture
def led(tmp_path: Path) -> Ledger:
    root = tmp_path / "l"
    for n, place in enumerate(PLACES):
        for m, folder in enumerate(FOLDERS):
            entry_id = f"2020-01-{n + 1:02d}-i{m}"
            path = root / "entries" / folder / f"{entry_id}.toml"
            path.parent.mkdir(parents=True, exist_ok=True)
            title = ["Plain", "comma, title", "=1+2", '"quoted"'][(n + m) % 4].replace('"', '\\"')
            text = entry(title=title, date=f"2020-01-{n + 1:02d}", place=place.replace('"', '\\"'), escalation=4 - m)
            path.write_text(text, encoding="utf-8")
    return Ledger(root)


@pytest.mark.parametrize("text", ["", "escalation>=2"])
@pytest.mark.parametrize("reverse", [False, True])
def test_csv_cells_are_quoted_and_guarded_as_the_general_path(led: Ledger, text: str, reverse: bool) -> None:
    with led:
        selection = query.Selection(query.parse(text) if text else None, reverse=reverse)
        expected = general(led, selection, "csv")
        assert written(led, selection, "csv") == expected
        assert expected.count("\r\n") > 20
        for piece in ('"Hama, Syria"', '"the ""Green"" Zone"', "'=HYPERLINK(1)", "'-north", "''quoted"):
            assert piece in expected
        assert '"entries/with, comma/' in expected and '"entries/with ""quote""/' in expected
