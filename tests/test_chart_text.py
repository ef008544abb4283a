"""`timeline --format svg|html` with its lines written by SQL: the same bytes as the general path.

`Ledger.timeline_charted` plans from the linked incidents only and has SQLite write each
mark, span and table row as a template (`index.drawn_text`) that `output.marks_text`
fills in. Here its pages are held, byte for byte, to the general path's (`Ledger.timeline`
with `drawn`, `page.page_parts`), both streamed (`SPREAD_LIMIT` 0) through their
temporary files (`Spool.BATCH` 3), on a ledger with titles to escape (& < > " ' and %),
non-ASCII text and a character XML cannot hold, same-day answers listed before their
causes, a link to a later incident, a merged duplicate that others answer, spans over
months and years, times with seconds; over filters, orders, limits and --reverse. The x
that SQL works out is held to Python's sums on random days, times and frames.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import itertools
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_timeline_synth import random_specs, write_ledger
from test_timeline_written import SELECTIONS, _toml, same_day_answers

from ledger import query
from ledger.api import Ledger, timelines
from ledger.index import chart_text, chrono_text, drawn_text, rows
from ledger.output import marks, marks_text, page, results

TITLES = [
    "Tom & Jerry <b> \"quoted\" and 'single'",
    "100% sure, 50 %s %d %.1f %%",
    "café à Mossoul — «guillemets» · dot",
    "a \ufffe noncharacter",
    "Ω & ∑ < 1",
]


@pytest.fixture(scope="module")
def led(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    specs = random_specs(150, seed=23, days=25)
    plain = [s for s in specs if not s.withdrawn and s.date_end is None and not s.responds_to]
    for spec, title in zip(plain, TITLES, strict=False):
        spec.title = title  # type: ignore[attr-defined]
    later, merged, answer = plain[len(TITLES) : len(TITLES) + 3]
    later.responds_to = [specs[-1].id]  # a link to a later incident: it is placed after it
    merged.withdrawn = True
    answer.responds_to = [merged.id]
    spans = plain[len(TITLES) + 3 : len(TITLES) + 6]
    spans[0].date, spans[0].date_end = dt.date(2020, 12, 30), dt.date(2021, 1, 2)  # over a year's end
    spans[1].date_end = spans[1].date + dt.timedelta(days=35)  # over a month's end
    spans[2].time = dt.time(13, 7, 45)  # seconds
    specs += same_day_answers(seed=24)
    root = write_ledger(tmp_path_factory.mktemp("charted") / "l", specs)
    month = next(s for s in plain[len(TITLES) + 6 :] if s.time is None)
    for spec in specs:
        path = next((root / "entries").rglob(f"{spec.id}.toml"))
        text = path.read_text("utf-8")
        if hasattr(spec, "title"):
            text = text.replace(f'title = "Incident {spec.id}"', f'title = "{_toml(spec.title)}"')
        if spec is merged:
            text = text.replace(
                'withdrawn_reason = "test"', f'withdrawn_reason = "test"\nduplicate_of = "{specs[3].id}"'
            )
        if spec is month:
            text = text.replace(
                f"date = {spec.date.isoformat()}", f'date = {spec.date.isoformat()}\ndate_precision = "month"'
            )
        path.write_text(text, "utf-8")
    with Ledger(root) as opened:
        yield opened


@pytest.fixture(autouse=True)
def streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(marks, "SPREAD_LIMIT", 0)  # every chart streams (and none is spread)
    monkeypatch.setattr(marks.Spool, "BATCH", 3)  # and its sections go to their files three lines at a time


def general(led: Ledger, selection: query.Selection, fmt: str) -> str:
    return "".join(page.page_parts(fmt, led.timeline(selection, drawn=True), selection.reverse))


def charted(led: Ledger, selection: query.Selection, fmt: str) -> str | None:
    found = led.timeline_charted(selection, chains=fmt == "html")
    return None if found is None else "".join(page.charted_parts(fmt, found))


@pytest.mark.parametrize(("text", "options"), SELECTIONS)
@pytest.mark.parametrize("fmt", ["svg", "html"])
def test_charted_is_the_general_page(led: Ledger, text: str, options: dict[str, object], fmt: str) -> None:
    selection = query.Selection(query.parse(text), **options)  # type: ignore[arg-type]
    expected = general(led, selection, fmt)
    got = charted(led, selection, fmt)
    assert got in (expected, None)
    assert got is not None or (fmt == "html" and text)  # the SVG shows no chains: only the table's can refuse
    assert expected.count('<circle class="mark"') > 10


def test_the_fast_path_is_taken(led: Ledger) -> None:
    for chains in (False, True):
        taken = [
            led.timeline_charted(query.Selection(query.parse(t), **o), chains=chains) is not None  # type: ignore[arg-type]
            for t, o in SELECTIONS
        ]
        later = [False, False, False, True, False, False, False, True]  # a chain through others to one placed later
        assert taken == [not (chains and t) for t in later]


def test_the_ledger_has_what_the_fast_path_must_not_get_wrong(led: Ledger) -> None:
    text = general(led, query.Selection(), "html")
    for piece in ("Tom &amp; Jerry &lt;b&gt; &quot;quoted&quot; and &#39;single&#39;", "100% sure, 50 %s %d %.1f %%"):
        assert piece in text
    assert "café à Mossoul" in text and "a  noncharacter" in text  # XML cannot hold U+FFFE: dropped
    assert text.count('<path class="link"') > 10 and text.count('<line class="span"') > 5
    assert "2020-12-30~2021-01-02" in text and "13:07:45" in text and "~month" in text
    assert "&quot;" in text and "–" not in text


def general_path(opened: Ledger, selection: query.Selection) -> bool:
    """Return whether only the general path draws the chart: no charted one, or a stream with no plan (`Unplanned`)."""
    found = opened.timeline_charted(selection)
    if found is None:
        return True
    with pytest.raises(marks_text.Unplanned):
        page.charted_parts("svg", found).__next__()  # before its first piece
    for fmt in ("svg", "html"):  # as `timeline` writes it: the general page
        out = io.StringIO()
        timelines.answer(opened, selection, fmt, results.Screen(out)).write()
        assert out.getvalue() == general(opened, selection, fmt)
    return True


def test_a_cycle_or_a_shared_id_takes_the_general_path(tmp_path: Path) -> None:
    specs = random_specs(30, seed=3, days=5)
    specs[5].responds_to, specs[6].responds_to = [specs[6].id], [specs[5].id]
    with Ledger(write_ledger(tmp_path / "cycle", specs)) as opened:
        assert general_path(opened, query.Selection())
        assert opened.timeline_charted(query.Selection(query.parse("escalation>=0"))) is None
    specs = random_specs(30, seed=3, days=5)
    root = write_ledger(tmp_path / "shared", specs)
    with Ledger(root) as opened:
        assert opened.timeline_charted(query.Selection()) is not None
    answer = next(s for s in specs if s.responds_to and not s.withdrawn)
    cause = next((root / "entries").rglob(f"{answer.responds_to[0]}.toml"))
    (root / "entries" / "twin").mkdir()
    (root / "entries" / "twin" / cause.name).write_text(cause.read_text("utf-8"), "utf-8")
    with Ledger(root) as opened:
        assert opened.find(query.Selection()).skipped == 0  # two valid entries share an id
        assert general_path(opened, query.Selection())
        assert opened.timeline_charted(query.Selection(query.parse("escalation>=0"))) is None


def test_a_small_chart_is_placed_whole(led: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(marks, "SPREAD_LIMIT", 3000)
    assert led.timeline_charted(query.Selection()) is None


def test_sql_works_out_the_x_python_does() -> None:
    """The same double for a mark's x and a span's ends, on random days, times, parts of the day and frames."""
    rng = random.Random(5)
    conn = sqlite3.connect(":memory:")
    request_close = contextlib.closing(conn)
    conn.execute(
        "CREATE TABLE entries (date TEXT, date_end TEXT, date_precision TEXT, time TEXT, time_of_day TEXT, last_day TEXT)"
    )
    rows = []
    for _ in range(4000):
        day = dt.date(rng.randint(1, 9999), 1, 1) + dt.timedelta(days=rng.randrange(364))
        end = day + dt.timedelta(days=rng.randint(1, 40)) if rng.random() < 0.3 else None
        precision = "month" if end is None and rng.random() < 0.1 else None
        time = (
            dt.time(rng.randrange(24), rng.randrange(60), rng.choice((0, rng.randrange(60))))
            if rng.random() < 0.5
            else None
        )
        part = rng.choice([None, *marks._DAY_PART]) if time is None else None
        rows.append(
            (
                day.isoformat(),
                end and end.isoformat(),
                precision,
                time and time.isoformat(),
                part,
                (end or day).isoformat(),
            )
        )
    conn.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)", rows)
    with request_close:
        _hold_x(conn, rows, rng)


def _hold_x(conn: sqlite3.Connection, rows: list[tuple[str | None, ...]], rng: random.Random) -> None:
    day, last = chart_text.DAY, "CAST(julianday(e.last_day) - 1721424.5 AS INTEGER)"
    stored = f"SELECT {day} AS day, {day} + {chart_text.FRACTION} AS moment, {last} AS last FROM entries e"
    for _ in range(20):
        first = dt.date(rng.randint(1, 9000), 1, 1).toordinal() - rng.randrange(1000)
        span = rng.choice((1, 2, 7, 31, 365, 3653, rng.randint(1, 3_000_000)))
        x, start, end = drawn_text._x(drawn_text.Paint(False, marks.LEFT, 640, first, span))
        got = conn.execute(f"SELECT {x}, {start}, {end} FROM ({stored}) t").fetchall()
        for (date, date_end, precision, time, part, last_day), (sx, ss, se) in zip(rows, got, strict=True):
            ordinal = dt.date.fromisoformat(date).toordinal()
            vague = (precision is not None and precision != "day") or (date_end is not None and date_end != date)
            fraction = marks._day_fraction(time, part, vague)
            assert sx == marks.LEFT + (ordinal + fraction - first) / span * 640
            assert ss == marks.LEFT + (ordinal - first) / span * 640
            assert se == marks.LEFT + (dt.date.fromisoformat(last_day).toordinal() + 1 - first) / span * 640


def test_a_revision_draws_the_same_as_the_general_path(tmp_path: Path) -> None:
    """`--as-of`: the revision index answers the same SQL (its rows, its titles)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = write_ledger(tmp_path / "l", random_specs(60, seed=5, days=10))

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t", *args], check=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "one")
    for path in sorted(root.rglob("*-incident-1*.toml"))[:3]:
        path.write_text(path.read_text("utf-8").replace('title = "', 'title = "Edited & <new> '), "utf-8")
    git("commit", "-qam", "two")
    with Ledger(root) as opened:
        for rev, fmt in (("HEAD~1", "svg"), ("HEAD~1", "html"), ("HEAD", "html")):
            selection = query.Selection(reverse=fmt == "html")
            found = opened.timeline_charted(selection, as_of=rev, chains=fmt == "html")
            assert found is not None
            expected = "".join(
                page.page_parts(fmt, opened.timeline(selection, as_of=rev, drawn=True), selection.reverse)
            )
            assert "".join(page.charted_parts(fmt, found)) == expected
            assert ("Edited &amp; &lt;new&gt;" in expected) == (rev == "HEAD")


def test_an_arrow_from_a_merged_duplicate_placed_later_waits(tmp_path: Path) -> None:
    """An answer to a merged duplicate dated after it (`--withdrawn`): the arrow waits for the duplicate's mark."""
    specs = [s for s in random_specs(40, seed=8, days=30) if not s.responds_to and not s.withdrawn]
    specs.sort(key=lambda s: s.date)
    kept, answer, duplicate = specs[0], specs[5], specs[-1]  # the answer comes before the duplicate it answers
    assert kept.date < answer.date < duplicate.date
    answer.responds_to, duplicate.withdrawn = [duplicate.id], True
    root = write_ledger(tmp_path / "l", specs)
    path = next((root / "entries").rglob(f"{duplicate.id}.toml"))
    merged = f'withdrawn_reason = "test"\nduplicate_of = "{kept.id}"'
    path.write_text(path.read_text("utf-8").replace('withdrawn_reason = "test"', merged), "utf-8")
    selection = query.Selection(include_withdrawn=True)
    with Ledger(root) as opened:
        for fmt in ("svg", "html"):
            got, expected = charted(opened, selection, fmt), general(opened, selection, fmt)
            assert got == expected
            assert expected.count('<path class="link"') == 1


def test_the_stored_title_is_the_charts_text_of_the_title() -> None:
    """`rows.markup` (the build's `title_xml`): `xml` with `%` doubled, for each character alone; None when unchanged."""
    for char in ("&", "<", ">", '"', "'", "%", "\ufffe", "\uffff"):
        title = f"one {char} two{char}"
        assert rows.markup(title) == marks.xml(title).replace("%", "%%") != title
    for title in ("plain", "café à Mossoul — «guillemets» · dot", "a - b ; c = d (e) [f] \\ g"):
        assert rows.markup(title) is None and marks.xml(title) == title


def test_the_bytes_read_back_in_small_chunks_decode_whole(led: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sections are UTF-8 bytes in binary files: a chunk read back may end inside a character (é, «, ·)."""
    monkeypatch.setattr(marks.Spool, "CHUNK", 7)
    for fmt in ("svg", "html"):
        assert charted(led, query.Selection(), fmt) == general(led, query.Selection(), fmt)


def test_the_page_is_written_as_bytes_or_as_text_alike(led: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    """`results.timeline_charted`: to the bytes under a UTF-8 stream (after what it holds), else decoded."""
    monkeypatch.setattr(marks.Spool, "CHUNK", 5)
    found = led.timeline_charted(query.Selection(), chains=True)
    expected = general(led, query.Selection(), "html")
    assert "é" in expected and "·" in expected
    for encoding in ("utf-8", "latin-1"):
        raw = io.BytesIO()
        stream = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="\n")
        stream.write("before «")
        results.timeline_charted(results.Screen(stream), "html", found)
        stream.write("» after")
        stream.flush()
        assert raw.getvalue() == f"before «{expected}» after".encode(encoding, "replace")
        found = led.timeline_charted(query.Selection(), chains=True)
    text = io.StringIO()
    results.timeline_charted(results.Screen(text), "html", found)
    assert text.getvalue() == expected


def test_the_chart_imports_neither_stats_nor_dupes(led: Ledger) -> None:
    """Start-up counts: `timeline --format svg|html` leaves `reports.stats` and `reports.dupes` unimported."""
    code = f"""
import contextlib, io, sys
from ledger.cli import main
for fmt in ("svg", "html"):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        main(["timeline", "--ledger", {str(led.root)!r}, "--format", fmt])
print(sorted({{"ledger.reports.dupes", "ledger.reports.stats"}} & set(sys.modules)), file=sys.stderr)
"""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stderr == "[]\n"


@pytest.mark.parametrize("fmt", ["svg", "html"])
def test_the_charts_rows_come_from_one_index_alone(led: Ledger, fmt: str) -> None:
    """The extent and the rows' order read `entries_drawn` only (no row of the table: its ~5 KB rows), the templates `chart`."""
    conn = led.index().conn()
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        found = led.timeline_charted(query.Selection(), chains=fmt == "html")
        assert found is not None
        page_text = "".join(page.charted_parts(fmt, found))
    finally:
        conn.set_trace_callback(None)
    assert page_text.count('class="mark"') == found.frame.incidents
    extent = [s for s in statements if "group_concat(DISTINCT" in s]
    main = [s for s in statements if "JOIN chart t" in s]
    assert len(extent) == 1 and len(main) in (1, 2)  # two: a stream drawn again from the plan (`led` links forward)
    for sql in (*extent, *main):
        plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
        assert "SCAN e USING COVERING INDEX entries_drawn" in plan, plan
    plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {main[0]}")]
    assert plan[1:] == ["SEARCH t USING INTEGER PRIMARY KEY (rowid=?)"], plan


@pytest.mark.parametrize(
    "ids",
    [[], ["2020-01-01-a", "2020-01-02-b"], ['q"uote', "back\\slash", "tab\there"], ["café", "\ud800 lone"], [""]],
)
def test_the_ids_of_a_temporary_table_are_the_ids_given(ids: list[str]) -> None:
    """`chrono_text.id_table` holds exactly the ids given, however they are written as JSON (`json_list`)."""
    conn = sqlite3.connect(":memory:")
    table = chrono_text.id_table(conn, "given", [*ids, *ids])
    held = sorted(b for (b,) in conn.execute(f"SELECT CAST(id AS BLOB) FROM {table}"))
    assert held == sorted(i.encode("utf-8", "surrogatepass") for i in set(ids))  # a lone surrogate as json_each has it
    conn.close()


def test_the_charts_text_is_made_by_the_first_chart_and_kept_in_step(tmp_path: Path) -> None:
    """`chart_text.CHART`: no build makes it; the first chart does, in the file; a refresh keeps it in step."""
    root = write_ledger(tmp_path / "l", random_specs(40, seed=9, days=12))

    def held() -> int | None:
        with contextlib.closing(sqlite3.connect(root / ".ledger" / "index.sqlite")) as conn:
            if not chart_text.CHART.ready(conn):
                return None
            return int(conn.execute("SELECT count(*) FROM chart").fetchone()[0])

    with Ledger(root) as opened:
        valid = len(opened.find(query.Selection(include_withdrawn=True)).index.ids())
        assert held() is None
        assert charted(opened, query.Selection(), "svg") == general(opened, query.Selection(), "svg")
    assert held() == valid
    files = sorted((root / "entries").rglob("*.toml"))
    files[0].unlink()
    edited = files[1].read_text("utf-8").replace('title = "', 'title = "Edited & 100% <new> ')
    files[1].write_text(edited, "utf-8")
    with Ledger(root) as opened:
        for fmt in ("svg", "html"):
            expected = general(opened, query.Selection(include_withdrawn=True), fmt)
            assert charted(opened, query.Selection(include_withdrawn=True), fmt) == expected
            assert "Edited &amp; 100% &lt;new&gt;" in expected
    assert held() == valid - 1


def test_the_charts_stored_paint_is_the_pictures() -> None:
    """The colours, rungs and parts of the day `chart_text` writes into the stored templates are `output.marks`'."""
    assert {str(category): colour for category, colour in marks.COLOURS.items()} == chart_text.COLOURS
    assert {level: f"{marks.rung_y(level):.1f}" for level in range(8)} == chart_text.RUNGS
    assert chart_text.DAY_PART == marks._DAY_PART


def test_a_ledger_whose_links_point_back_is_streamed_with_no_plan(tmp_path: Path) -> None:
    """`reports.streamed`: the chains worked out as the rows come are the plan's (chains of several, a missing cause)."""
    specs = random_specs(150, seed=12, days=15)
    answer = next(s for s in specs if s.responds_to and not s.withdrawn)
    answer.responds_to = [*answer.responds_to, "2020-01-01-gone"]  # a cause the ledger lacks: a root of its own
    with Ledger(write_ledger(tmp_path / "l", specs)) as opened:
        for fmt in ("svg", "html"):
            found = opened.timeline_charted(query.Selection(reverse=fmt == "html"), chains=fmt == "html")
            assert found is not None and found.stream is not None

            def unplanned() -> None:
                raise AssertionError("planned")

            text = "".join(page.charted_parts(fmt, dataclasses.replace(found, replan=unplanned)))
            assert text == general(opened, query.Selection(reverse=fmt == "html"), fmt)
            assert text.count('<path class="link"') > 10
        assert "2020-01-01-gone" in text and text.count(" -&gt; ") > 40  # chains of two links and more


def test_a_long_chain_is_cut_short_as_the_table_writes_it(tmp_path: Path) -> None:
    """A chain of up to five causes is written whole from the numbers; a longer one as `chain_text` cuts it."""
    specs = sorted((s for s in random_specs(12, seed=4, days=60) if not s.withdrawn), key=lambda s: (s.date, s.id))
    for cause, answer in itertools.pairwise(specs):
        answer.responds_to = [cause.id]
    with Ledger(write_ledger(tmp_path / "l", specs)) as opened:
        text = charted(opened, query.Selection(), "html")
        assert text == general(opened, query.Selection(), "html")
    assert (
        "<td>1 -&gt; 2 -&gt; 3 -&gt; 4 -&gt; 5 -&gt; 6</td>" in text
        and "<td>1 -&gt; … -&gt; 4 -&gt; 5 -&gt; 6 -&gt; 7</td>" in text
    )
