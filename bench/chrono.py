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

from harness import Measurement, Target, log, measure, measure_peak, total

BENCH = Path(__file__).resolve().parent
PEAK_RUNS = 1


def _has_duckdb(python: str) -> bool:
    return subprocess.run([python, "-c", "import duckdb"], capture_output=True).returncode == 0


def measure_chrono(s: Any, tmp: Path) -> dict[str, Measurement]:
    """timeline (all, svg, html), stats --by actor, dupes, export csv/jsonl, show of an unknown id."""
    env, lenv, heavy = s.cli.env, s.cli.env_for(s.root), s.reps.heavy
    warm = 0 if s.quick else 1
    m: dict[str, Measurement] = {}

    def ledger(key: str, name: str, *args: str, codes: tuple[int, ...] = (0,)) -> None:
        m[key] = measure(name, s.ledger(*args), heavy, cwd=s.root, env=lenv, ok_codes=codes, warmup=warm)

    def peak(key: str, name: str, *args: str) -> None:
        m[key] = measure_peak(name, s.py, s.ledger(*args), PEAK_RUNS, cwd=s.root, env=lenv, ok_codes=(0, 1))

    exported = tmp / "export.jsonl"
    with open(exported, "wb") as out:
        subprocess.run(s.ledger("export", "--format", "jsonl"), cwd=s.root, env=lenv, stdout=out, check=False)
    duck = _has_duckdb(s.py)
    for key, query, name, args in (
        ("timeline", "timeline", "DuckDB: timeline (window, lag)", ("timeline",)),
        ("stats", "stats-actor", "DuckDB: stats by actor (unnest, group by)", ("stats", "--by", "actor")),
        ("dupes", "dupes", "DuckDB: dupes candidate self-join", ("dupes",)),
    ):
        if duck:
            argv = [s.py, str(BENCH / "peers.py"), query, str(exported)]
            m[f"duck_{key}"] = measure(name, argv, heavy, env=env, warmup=warm)
        else:
            m[f"duck_{key}"] = Measurement(name, error="duckdb not installed (pip install duckdb)")
        ledger(key, f"ledger {' '.join(args)}", *args, codes=(0, 1))
    ledger("svg", "ledger timeline --format svg", "timeline", "--format", "svg")
    ledger("html", "ledger timeline --format html", "timeline", "--format", "html")
    ledger("csv", "ledger export --format csv", "export", "--format", "csv")
    ledger("jsonl", "ledger export --format jsonl", "export", "--format", "jsonl")
    ledger("list_all", "ledger list (warm, all)", "list", "--format", "ids")
    ledger("show", "ledger show of an unknown id", "show", "2020-01-05-no-such-incidnt", codes=(1, 2))
    for key, name, args in (
        ("peak_timeline", "peak memory: timeline", ("timeline",)),
        ("peak_svg", "peak memory: timeline --format svg", ("timeline", "--format", "svg")),
        ("peak_html", "peak memory: timeline --format html", ("timeline", "--format", "html")),
        ("peak_stats", "peak memory: stats --by actor", ("stats", "--by", "actor")),
        ("peak_dupes", "peak memory: dupes", ("dupes",)),
    ):
        peak(key, name, *args)
    return m


def measure_as_of(s: Any) -> dict[str, Measurement]:
    """list/timeline --as-of HEAD~1 (the ledger is a git repo with a 10-entry commit on top)."""
    lenv, heavy = s.cli.env_for(s.root), s.reps.heavy
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
    """The targets of issue 11 (100,000 entries, in one run)."""
    none = Measurement("not run", error="skipped")
    get = m.get

    def value(key: str) -> float | None:
        return (get(key) or none).value

    floors = total(get("typer", none), get("warm", none))
    return [
        Target("timeline", get("timeline", none), value("duck_timeline"), "DuckDB timeline", "<=", 2),
        Target("timeline --format svg", get("svg", none), value("duck_timeline"), "DuckDB timeline", "<=", 2),
        Target("timeline --format html", get("html", none), value("duck_timeline"), "DuckDB timeline", "<=", 2),
        Target("stats --by actor", get("stats", none), value("duck_stats"), "DuckDB unnest + group by", "<=", 2),
        Target("dupes", get("dupes", none), value("duck_dupes"), "DuckDB candidate self-join", "<=", 3),
        Target("peak memory: timeline", get("peak_timeline", none), None, "", "<", 150),
        Target("peak memory: timeline svg", get("peak_svg", none), None, "", "<", 150),
        Target("peak memory: timeline html", get("peak_html", none), None, "", "<", 150),
        Target("peak memory: stats --by actor", get("peak_stats", none), None, "", "<", 150),
        Target("peak memory: dupes", get("peak_dupes", none), None, "", "<", 250),
        Target("export --format csv", get("csv", none), value("jsonl"), "export jsonl", "<=", 1.5),
        Target("show of an unknown id", get("show", none), floors, "(start-up + warm list)", "<=", 1.5),
        Target("--as-of warm", get("asof_warm", none), value("list_all"), "live list (all)", "<=", 2),
        Target("--as-of cold", get("asof_cold", none), value("index"), "cold index", "<=", 1.5),
        Target("peak memory: --as-of", get("peak_asof", none), None, "", "<", 150),
        Target("timeline --as-of", get("asof_timeline", none), value("duck_timeline"), "DuckDB timeline", "<=", 2.5),
        Target("validate, broken links", get("links_broken", none), value("links_intact"), "intact", "<=", 2),
        Target("validate", get("validate", none), value("allcores"), "tomllib all cores", "<=", 1),
    ]


def per_entry(m10: dict[str, Measurement], m: dict[str, Measurement], small: int, n: int) -> list[Target]:
    """Cost per entry at n against the small run: within 1.3x."""
    out = []
    for key, label in (("list_all", "list"), ("by_month", "timeline --by month"), ("stats_type", "stats")):
        a, b = m10.get(key), m.get(key)
        ref = a.value / small * n if a is not None and a.value is not None else None
        out.append(Target(f"{label}: cost per entry, {n:,} vs {small:,}", b or Measurement(label), ref,
                          f"{small:,}-entry run scaled", "<=", 1.3))  # fmt: skip
    return out


def measure_scaling(s: Any) -> dict[str, Measurement]:
    """list, timeline --by month and stats: the rows whose cost per entry is compared across sizes."""
    lenv, heavy = s.cli.env_for(s.root), s.reps.heavy
    rows = {
        "list_all": ("list", "--format", "ids"),
        "by_month": ("timeline", "--by", "month", "--format", "tsv"),
        "stats_type": ("stats", "--format", "tsv"),
    }
    return {
        key: measure(f"ledger {' '.join(args)}", s.ledger(*args), heavy, cwd=s.root, env=lenv, warmup=1)
        for key, args in rows.items()
    }
