"""The chronology and history rows of the benchmark (issue 11), each paired in one run with its peer.

Peers: DuckDB over one `ledger export --format jsonl` of the same ledger (bench/peers.py;
skipped as n/a when duckdb is not installed), `export --format jsonl` for the CSV export, the
live `list` for time travel, the cold index for `--as-of` cold, start-up + warm list for a
mistyped `show`, and the same ledger intact for `validate` with broken links.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from harness import Figures, Measurement, Target, log, measure, measure_peak, total
from workspace import prepare_ledger

BENCH = Path(__file__).resolve().parent
PEAK_RUNS = 1


def _has_duckdb(python: str) -> bool:
    return subprocess.run([python, "-c", "import duckdb"], capture_output=True).returncode == 0


def _heavy(s: Any, key: str, name: str, *args: str, codes: tuple[int, ...] = (0,)) -> None:
    """A whole-ledger command (one discarded run first unless --quick)."""
    warm = 0 if s.quick else 1
    argv = s.ledger(*args)
    s.once(key, lambda: measure(name, argv, s.reps.heavy, cwd=s.root, env=s.lenv, ok_codes=codes, warmup=warm))


def _peak(s: Any, key: str, name: str, *args: str) -> None:
    argv = s.ledger(*args)
    s.once(key, lambda: measure_peak(name, s.py, argv, PEAK_RUNS, cwd=s.root, env=s.lenv, ok_codes=(0, 1)))


def _exported(s: Any) -> Path:
    """One `export --format jsonl` of the ledger, DuckDB's input (written once per run)."""
    path = Path(s.tmp) / "export.jsonl"
    if not path.exists():
        with open(path, "wb") as out:
            subprocess.run(s.ledger("export", "--format", "jsonl"), cwd=s.root, env=s.lenv, stdout=out, check=False)
    return path


DUCK = {
    "duck_timeline": ("timeline", "DuckDB: timeline (window, lag)"),
    "duck_stats": ("stats-actor", "DuckDB: stats by actor (unnest, group by)"),
    "duck_dupes": ("dupes", "DuckDB: dupes candidate self-join"),
}


def duck(s: Any, key: str) -> None:
    """DuckDB's query over the JSONL export (n/a without duckdb)."""
    query, name = DUCK[key]

    def run() -> Measurement:
        if not _has_duckdb(s.py):
            return Measurement(name, error="duckdb not installed (pip install duckdb)")
        argv = [s.py, str(BENCH / "peers.py"), query, str(_exported(s))]
        return measure(name, argv, s.reps.heavy, env=s.cli.env, warmup=0 if s.quick else 1)

    s.once(key, run)


def measure_timeline(s: Any) -> None:
    """timeline (all) and its peak memory against DuckDB's window query."""
    duck(s, "duck_timeline")
    _heavy(s, "timeline", "ledger timeline", "timeline", codes=(0, 1))
    _peak(s, "peak_timeline", "peak memory: timeline", "timeline")


def measure_svg(s: Any) -> None:
    """timeline --format svg against DuckDB's timeline."""
    duck(s, "duck_timeline")
    _heavy(s, "svg", "ledger timeline --format svg", "timeline", "--format", "svg")
    _peak(s, "peak_svg", "peak memory: timeline --format svg", "timeline", "--format", "svg")


def measure_html(s: Any) -> None:
    """timeline --format html against DuckDB's timeline."""
    duck(s, "duck_timeline")
    _heavy(s, "html", "ledger timeline --format html", "timeline", "--format", "html")
    _peak(s, "peak_html", "peak memory: timeline --format html", "timeline", "--format", "html")


def measure_stats(s: Any) -> None:
    """stats --by actor against DuckDB's unnest + group by."""
    duck(s, "duck_stats")
    _heavy(s, "stats", "ledger stats --by actor", "stats", "--by", "actor", codes=(0, 1))
    _peak(s, "peak_stats", "peak memory: stats --by actor", "stats", "--by", "actor")


def measure_dupes(s: Any) -> None:
    """dupes against DuckDB's candidate self-join."""
    duck(s, "duck_dupes")
    _heavy(s, "dupes", "ledger dupes", "dupes", codes=(0, 1))
    _peak(s, "peak_dupes", "peak memory: dupes", "dupes")


def measure_export(s: Any) -> None:
    """export --format csv against export --format jsonl."""
    _heavy(s, "jsonl", "ledger export --format jsonl", "export", "--format", "jsonl")
    _heavy(s, "csv", "ledger export --format csv", "export", "--format", "csv")


def measure_show(s: Any) -> None:
    """show of a mistyped id against start-up + the warm list."""
    s.measure_warm()
    _heavy(s, "show", "ledger show of an unknown id", "show", "2020-01-05-no-such-incidnt", codes=(1, 2))


def measure_live_list(s: Any) -> None:
    """The live list of every entry (the --as-of peer)."""
    _heavy(s, "list_all", "ledger list (warm, all)", "list", "--format", "ids")


def measure_as_of(s: Any) -> dict[str, Measurement]:
    """list/timeline --as-of HEAD~1 (the ledger is a git repo with a 10-entry commit on top)."""
    s.measure_index()  # peer of the cold --as-of
    measure_live_list(s)  # peer of the warm --as-of
    duck(s, "duck_timeline")  # peer of timeline --as-of (the table: the live timeline)
    _heavy(s, "timeline", "ledger timeline", "timeline", codes=(0, 1))
    lenv, heavy = s.lenv, s.reps.heavy
    m: dict[str, Measurement] = {}
    revisions = s.root / ".ledger" / "revisions.sqlite"

    def forget(_: int) -> None:  # cold: no row of any revision cached yet
        revisions.unlink(missing_ok=True)

    m["asof_cold"] = measure(
        "ledger list --as-of HEAD~1 (cold)", s.ledger("list", "--as-of", "HEAD~1", "--format", "ids"), heavy,
        cwd=s.root, env=lenv, before=forget,
    )  # fmt: skip
    m["asof_warm"] = measure(
        "ledger list --as-of HEAD~1 (warm)", s.ledger("list", "--as-of", "HEAD~1", "--format", "ids"), heavy,
        cwd=s.root, env=lenv, warmup=1,
    )  # fmt: skip
    m["asof_timeline"] = measure(
        "ledger timeline --as-of HEAD~1", s.ledger("timeline", "--as-of", "HEAD~1"), heavy, cwd=s.root, env=lenv
    )
    m["peak_asof"] = measure_peak(
        "peak memory: list --as-of HEAD~1", s.py, s.ledger("list", "--as-of", "HEAD~1"), PEAK_RUNS, cwd=s.root, env=lenv
    )
    return m


def measure_broken_links(s: Any, tmp: Path, n: int = 20_000, broken: int = 2_000) -> dict[str, Measurement]:
    """validate on an n-entry ledger intact, then with `broken` responds_to links to missing ids."""
    sys.path.insert(0, str(BENCH))
    import synth

    root = tmp / "links"
    log(f"generating {n} entries for the broken-links validate")
    synth.generate(root, n, 7)
    env, heavy = s.cli.env_for(root), s.reps.heavy
    argv = s.cli.cmd("validate", ledger=root)
    m = {"links_intact": measure(f"validate, {n} entries intact", argv, heavy, cwd=root, env=env, ok_codes=(0, 1))}
    files = sorted((root / "entries").rglob("*.toml"))
    step = max(1, len(files) // broken)
    for path in files[::step][:broken]:
        text = path.read_text(encoding="utf-8")
        # a link to a mistyped id: same date, one letter off (a "did you mean" for every one)
        link = f'responds_to = ["{path.stem[:-1]}x"]\n'
        text = re.sub(r"^responds_to = .*\n", "", text, flags=re.M)
        path.write_text(
            re.sub(r"^(type = .*\n)", lambda g, link=link: g.group(1) + link, text, count=1, flags=re.M), "utf-8"
        )
    m["links_broken"] = measure(
        f"validate, {n} entries, {broken} broken links", argv, heavy, cwd=root, env=env, ok_codes=(1,)
    )
    return m


def chrono_targets(m: dict[str, Measurement]) -> list[Target]:
    """The targets of issue 11 (100,000 entries, in one run); a row whose group was not run is left out."""
    get, value = Figures(m).get, Figures(m).value
    floors = total(get("typer"), get("warm"))
    duck_timeline = value("duck_timeline")
    return [
        Target("timeline", get("timeline"), duck_timeline, "DuckDB timeline", "<=", 2),
        Target("timeline --format svg", get("svg"), duck_timeline, "DuckDB timeline", "<=", 2),
        Target("timeline --format html", get("html"), duck_timeline, "DuckDB timeline", "<=", 2),
        Target("stats --by actor", get("stats"), value("duck_stats"), "DuckDB unnest + group by", "<=", 2),
        Target("dupes", get("dupes"), value("duck_dupes"), "DuckDB candidate self-join", "<=", 3),
        Target("peak memory: timeline", get("peak_timeline"), None, "", "<", 150),
        Target("peak memory: timeline svg", get("peak_svg"), None, "", "<", 150),
        Target("peak memory: timeline html", get("peak_html"), None, "", "<", 150),
        Target("peak memory: stats --by actor", get("peak_stats"), None, "", "<", 150),
        Target("peak memory: dupes", get("peak_dupes"), None, "", "<", 250),
        Target("export --format csv", get("csv"), value("jsonl"), "export jsonl", "<=", 1.5),
        Target("show of an unknown id", get("show"), floors, "(start-up + warm list)", "<=", 1.5),
        Target("--as-of warm", get("asof_warm"), value("list_all"), "live list (all)", "<=", 2),
        Target("--as-of cold", get("asof_cold"), value("index"), "cold index", "<=", 1.5),
        Target("--as-of cold (the issue's table)", get("asof_cold"), value("list_all"), "live list (all)", "info", 0),
        Target("peak memory: --as-of", get("peak_asof"), None, "", "<", 150),
        Target("timeline --as-of", get("asof_timeline"), duck_timeline, "DuckDB timeline", "<=", 2.5),
        Target(
            "timeline --as-of (the issue's table)", get("asof_timeline"), value("timeline"), "live timeline", "info", 0
        ),
        Target("validate, broken links", get("links_broken"), value("links_intact"), "intact", "<=", 2),
        Target("validate", get("validate"), value("allcores"), "tomllib all cores", "<=", 1),
    ]


#: the rows whose cost per entry is compared across sizes: key -> (label, arguments)
SCALING = {
    "scale_list": ("list", ("list", "--format", "ids")),
    "scale_month": ("timeline --by month", ("timeline", "--by", "month", "--format", "tsv")),
    "scale_stats": ("stats", ("stats", "--format", "tsv")),
}


def measure_scaling(s: Any, n: int, small_n: int, small_keep: Path | None, seed: int) -> list[Target]:
    """list, timeline --by month and stats on the ledger, on a small_n-entry one and on an empty one.

    The sizes alternate run by run (the load of a shared machine drifts); the targets compare
    the cost per entry at n with the small run's, as measured and with the empty ledger's
    time (start-up) taken off both.
    """
    sides = [("", n, s.root)]
    if small_n and small_n < n:
        small = prepare_ledger(small_keep, small_n, seed, Path(s.tmp) / "small")
        s.sync_index(small)
        sides.append(("_small", small_n, small))
    sides.append(("_empty", 0, s.empty))
    targets: list[Target] = []
    for key, (label, args) in SCALING.items():
        got: dict[str, Measurement] = {}
        for r in range(s.reps.heavy):
            for suffix, count, root in sides:
                one = measure(f"ledger {' '.join(args)} ({count:,} entries)", s.cli.cmd(*args, ledger=root), 1,
                              cwd=root, env=s.cli.env_for(root), warmup=1 if r == 0 else 0)  # fmt: skip
                got[suffix] = _merged(got.get(suffix), one)
        for suffix, m in got.items():
            s.m[key + suffix] = m
        if "_small" in got:
            targets += _per_entry(label, got, n, small_n)
    return targets


def _merged(a: Measurement | None, b: Measurement) -> Measurement:
    if a is None or a.error is not None:
        return b if a is None else a
    if b.error is not None:
        return b
    return Measurement(a.name, a.argv, a.runs + b.runs, stdout=b.stdout)


def _per_entry(label: str, got: dict[str, Measurement], n: int, small_n: int) -> list[Target]:
    """Cost per entry at n within 1.3x of the small run: as measured, and start-up taken off."""
    big, small, empty = got[""], got["_small"], got["_empty"]
    scale = n / small_n
    out = [Target(f"{label}: cost per entry, {n:,} vs {small_n:,}", big,
                  None if small.value is None else small.value * scale,
                  f"{small_n:,}-entry run x{scale:g}", "<=", 1.3)]  # fmt: skip
    bare = Measurement(f"{label} less start-up", error=big.error or empty.error or small.error or None)
    if big.value is not None and empty.value is not None:
        bare.runs = [big.value - empty.value]
    ref = None if small.value is None or empty.value is None else (small.value - empty.value) * scale
    out.append(Target(f"{label}: cost per entry less start-up (empty ledger's time)", bare, ref,
                      f"{small_n:,}-entry run less start-up x{scale:g}", "<=", 1.3))  # fmt: skip
    return out
