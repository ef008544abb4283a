"""The schemas the ledger publishes: the JSON Schema of an entry file and of output records, and the field table."""

from __future__ import annotations

import json

#: What `schema_text` can print: a JSON Schema, or the field reference as a Markdown table.
FORMATS = ("json", "markdown")


def schema_text(fmt: str = "json", *, records: bool = False) -> str:
    """Return the JSON Schema of an entry file (`records`: of an output record), or the entries' field table.

    All derive from `ledger.core.model`; `fmt="markdown"` of output records is their JSON Schema too.
    """
    from ledger.core import json_schema, schema
    from ledger.core.errors import not_one_of

    if fmt not in FORMATS:
        raise not_one_of("--format", fmt, FORMATS)
    if fmt == "markdown" and not records:
        return schema.field_table() + "\n"
    document = json_schema.output_schema() if records else json_schema.entry_schema()
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
