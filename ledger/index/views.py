"""SQL views of the index for people and tools (`sqlite3`, datasette), not for the ledger itself.

The tables hold what the queries need (folded text, `\\x1f`-joined lists); these views give one
plain row per valid entry and one row per (entry, actor | tag | link | source) pair. They read
the JSON record of each entry (`docs`: the shape `ledger list -f json` prints, pinned by
`ledger schema --output`), so they do not depend on how the query columns of `entries` are
encoded; only the columns that are indexed and hold the record's own values (`KEYED`: id,
path, date, type, country) come from `entries`, so that filters on them use its indexes.
docs/index-schema.md describes them.
"""

from __future__ import annotations

#: the views, in the order they are created
NAMES = ("entry", "entry_actor", "entry_tag", "entry_link", "entry_source")
ROLES = ("perpetrators", "targets", "associated")
LINKS = ("responds_to", "related")  # lists; duplicate_of is one id
KEYED = ("id", "path", "date", "type", "country")  # columns of `entries` equal to the record's, indexed
_FROM = "entries AS e JOIN docs AS d ON d.entry = e.rowid"  # docs: valid entries only


def _json(path: str, of: str = "d.json") -> str:
    return f"json_extract({of}, '$.{path}')"


def _pairs(paths: dict[str, str]) -> str:
    """One row per item of each JSON list: (id, kind, item)."""
    return "\n    UNION ALL ".join(
        f"SELECT e.id, '{kind}', item.value FROM {_FROM}, json_each(d.json, '$.{path}') AS item"
        for kind, path in paths.items()
    )


_ACTORS = " UNION ALL ".join(f"SELECT value FROM json_each(d.json, '$.actors.{role}')" for role in ROLES)
# the columns of `entry` and where each comes from in the JSON record
_RECORD = {
    "id": "id", "path": "path", "date": "date", "date_end": "date_end", "time": "time", "type": "type",
    "category": "category", "escalation": "escalation", "confidence": "confidence", "status": "status",
    "country": "location.country", "admin1": "location.admin1", "place": "location.name",
    "lat": "location.lat", "lon": "location.lon", "precision": "location.precision",
    **{f"{what}_{end}": f"casualties.{what}.{end}" for what in ("killed", "injured") for end in ("best", "low", "high")},
}  # fmt: skip
_ENTRY = {
    **{name: f"e.{name}" if name in KEYED else _json(path) for name, path in _RECORD.items()},
    "status": f"coalesce({_json('status')}, 'active')",
    "actors": f"(SELECT json_group_array(value) FROM (SELECT DISTINCT value FROM ({_ACTORS}) ORDER BY value))",
    "tags": f"coalesce({_json('tags')}, '[]')",
    "sources": f"(SELECT json_group_array({_json('name', 'value')}) FROM json_each(d.json, '$.sources'))",
    "title": _json("title"),
}
_COLUMNS = ",\n    ".join(_ENTRY.values())
_SOURCE = ("name", "url", "published", "reliability", "credibility")

VIEWS = f"""
CREATE VIEW IF NOT EXISTS entry ({", ".join(_ENTRY)}) AS SELECT
    {_COLUMNS}
FROM {_FROM};
CREATE VIEW IF NOT EXISTS entry_actor (id, role, actor) AS
    {_pairs({role: f"actors.{role}" for role in ROLES})};
CREATE VIEW IF NOT EXISTS entry_tag (id, tag) AS
    SELECT e.id, tag.value FROM {_FROM}, json_each(d.json, '$.tags') AS tag;
CREATE VIEW IF NOT EXISTS entry_link (id, kind, target) AS
    {_pairs({link: link for link in LINKS})}
    UNION ALL SELECT e.id, 'duplicate_of', {_json("duplicate_of")} FROM {_FROM} WHERE {_json("duplicate_of")} IS NOT NULL;
CREATE VIEW IF NOT EXISTS entry_source (id, position, {", ".join(_SOURCE)}) AS
    SELECT e.id, source.key + 1, {", ".join(_json(key, "source.value") for key in _SOURCE)}
    FROM {_FROM}, json_each(d.json, '$.sources') AS source;
"""
