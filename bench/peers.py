"""DuckDB over the JSONL export: the peer the chronology commands are measured against.

    python bench/peers.py timeline|stats-actor|dupes FILE.jsonl

Each query does what the ledger command does (in its default output), over one
`ledger export --format jsonl` of the same ledger, and writes its rows to stdout as TSV
(DuckDB's own COPY), so that both sides pay for reading, computing and writing. DuckDB is a
bench-only dependency (`pip install duckdb`); without it the rows are reported n/a.
"""

from __future__ import annotations

import sys

# The best estimate of a count that is a number in one record and {best, low, high} in another.
_BEST = "coalesce(TRY_CAST(casualties.{0}->>'best' AS BIGINT), TRY_CAST(casualties.{0}::VARCHAR AS BIGINT))"
_ACTIVE = "true"  # the export leaves withdrawn entries out already, as the ledger commands do

QUERIES = {
    # timeline: the order, number, change and days with window functions (lag), all rows out.
    "timeline": f"""
        SELECT row_number() OVER w AS number, id, path, date, date_end, date_precision, time, time_of_day,
               escalation, escalation - lag(escalation) OVER w AS change, date - lag(date) OVER w AS days,
               type, category, location.country, location.name, {_BEST.format("killed")} AS killed,
               {_BEST.format("injured")} AS injured, title, responds_to
        FROM read_json_auto('{{file}}') WHERE {_ACTIVE}
        WINDOW w AS (ORDER BY date, time IS NOT NULL, time, id)
    """,
    # stats --by actor: actors unnested, one count per incident and name, grouped.
    "stats-actor": f"""
        WITH t AS (SELECT id, escalation, {_BEST.format("killed")} AS killed, {_BEST.format("injured")} AS injured,
                          list_distinct(list_concat(coalesce(actors.perpetrators, []), coalesce(actors.targets, []),
                                                    coalesce(actors.associated, []))) AS names
                   FROM read_json_auto('{{file}}') WHERE {_ACTIVE}),
             u AS (SELECT id, escalation, killed, injured, unnest(names) AS actor FROM t)
        SELECT actor, count(*) AS count, sum(killed) AS killed, sum(injured) AS injured,
               max(escalation) AS max_escalation
        FROM u GROUP BY actor ORDER BY count DESC, actor
    """,
    # dupes: the candidate self-join (one category, spans at most a day apart, within 10 km).
    "dupes": f"""
        WITH t AS (SELECT id, category, date, coalesce(date_end, date) AS last_day, location.lat AS lat,
                          location.lon AS lon, location.name AS place, location.country AS country
                   FROM read_json_auto('{{file}}') WHERE {_ACTIVE})
        SELECT a.id, b.id FROM t a JOIN t b
          ON a.category = b.category AND a.id < b.id
         AND b.date <= a.last_day + 1 AND a.date <= b.last_day + 1
         AND ((a.lat IS NOT NULL AND b.lat IS NOT NULL
               AND 2 * 6371.0088 * asin(sqrt(pow(sin(radians(b.lat - a.lat) / 2), 2)
                   + cos(radians(a.lat)) * cos(radians(b.lat)) * pow(sin(radians(b.lon - a.lon) / 2), 2))) <= 10)
              OR ((a.lat IS NULL OR b.lat IS NULL) AND a.place = b.place AND a.country = b.country))
    """,
}


def main(argv: list[str]) -> int:
    """Run one named query over a JSONL file, rows to stdout."""
    if len(argv) != 2 or argv[0] not in QUERIES:
        print(f"usage: peers.py {'|'.join(QUERIES)} FILE.jsonl", file=sys.stderr)
        return 2
    import duckdb

    name, path = argv
    sql = QUERIES[name].replace("{file}", path.replace("'", "''"))
    duckdb.connect().execute(f"COPY ({sql}) TO '/dev/stdout' (FORMAT csv, DELIMITER '\t', HEADER)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
