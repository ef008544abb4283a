"""SQL views of the index for people and tools (`sqlite3`, datasette), not for the ledger itself.

The tables hold what the queries need (folded text, `\\x1f`-joined lists); these views give one
plain row per valid entry and one row per (entry, actor | tag | link | source) pair. They read
the JSON record of each entry (`docs`: the shape `ledger list -f json` prints, pinned by
`ledger schema --output`), so they do not depend on how the query columns of `entries` are
encoded. docs/index-schema.md describes them.
"""

from __future__ import annotations

#: the views, in the order they are created
NAMES = ("entry", "entry_actor", "entry_tag", "entry_link", "entry_source")
ROLES = ("perpetrators", "targets", "associated")
LINKS = ("responds_to", "related")  # lists; duplicate_of is one id


def _json(path: str, of: str = "d.json") -> str:
    return f"json_extract({of}, '$.{path}')"


def _pairs(paths: dict[str, str]) -> str:
    """One row per item of each JSON list: (id, kind, item)."""
    return "\n    UNION ALL ".join(
        f"SELECT {_json('id')}, '{kind}', item.value FROM docs AS d, json_each(d.json, '$.{path}') AS item"
        for kind, path in paths.items()
    )


_ACTORS = " UNION ALL ".join(f"SELECT value FROM json_each(d.json, '$.actors.{role}')" for role in ROLES)
_ENTRY = {
    **{name: _json(name) for name in ("id", "path", "date", "date_end", "time", "type", "category", "escalation")},
    "confidence": _json("confidence"),
    "status": f"coalesce({_json('status')}, 'active')",
    **{name: _json(f"location.{key}") for name, key in (("country", "country"), ("admin1", "admin1"), ("place", "name"))},
    **{name: _json(f"location.{name}") for name in ("lat", "lon", "precision")},
    **{f"{what}_{end}": _json(f"casualties.{what}.{end}") for what in ("killed", "injured") for end in ("best", "low", "high")},
    "actors": f"(SELECT json_group_array(value) FROM (SELECT DISTINCT value FROM ({_ACTORS}) ORDER BY value))",
    "tags": f"coalesce({_json('tags')}, '[]')",
    "sources": f"(SELECT json_group_array({_json('name', 'value')}) FROM json_each(d.json, '$.sources'))",
    "title": _json("title"),
}  # fmt: skip
_COLUMNS = ",\n    ".join(_ENTRY.values())
_SOURCE = ("name", "url", "published", "reliability", "credibility")

VIEWS = f"""
CREATE VIEW IF NOT EXISTS entry ({", ".join(_ENTRY)}) AS SELECT
    {_COLUMNS}
FROM docs AS d;
CREATE VIEW IF NOT EXISTS entry_actor (id, role, actor) AS
    {_pairs({role: f"actors.{role}" for role in ROLES})};
CREATE VIEW IF NOT EXISTS entry_tag (id, tag) AS
    SELECT json_extract(d.json, '$.id'), tag.value FROM docs AS d, json_each(d.json, '$.tags') AS tag;
CREATE VIEW IF NOT EXISTS entry_link (id, kind, target) AS
    {_pairs({link: link for link in LINKS})}
    UNION ALL SELECT json_extract(d.json, '$.id'), 'duplicate_of', json_extract(d.json, '$.duplicate_of')
    FROM docs AS d WHERE json_extract(d.json, '$.duplicate_of') IS NOT NULL;
CREATE VIEW IF NOT EXISTS entry_source (id, position, {", ".join(_SOURCE)}) AS
    SELECT {_json("id")}, source.key + 1, {", ".join(_json(key, "source.value") for key in _SOURCE)}
    FROM docs AS d, json_each(d.json, '$.sources') AS source;
"""
