"""The index: an SQLite cache of the entries in `.ledger/index.sqlite`, refreshed by stat.

One module per concern: `rows` (what a file becomes), `storage` (the file's schema, locks and
part files), `build` (refreshing and rebuilding: class `Index`), `sql` (filters compiled to
SQL), `found` (results streamed in order), `revision` (the rows of past git revisions). The file
is only a cache: nothing here is ever an error for the user.
"""

from __future__ import annotations

from ledger.index.build import Builder, Index, Progress
from ledger.index.found import Found, record_value
from ledger.index.rows import STORED, Row, Stat, chrono_key, row_of
from ledger.index.sql import COLUMNS, SQL_COLUMNS, compile_where, select_sql
from ledger.index.storage import DB_NAME, FOLDER, SCHEMA_VERSION, Status, Unusable, write_part

__all__ = [
    "COLUMNS", "DB_NAME", "FOLDER", "SCHEMA_VERSION", "SQL_COLUMNS", "STORED", "Builder", "Found",
    "Index", "Progress", "Row", "Stat", "Status", "Unusable", "chrono_key", "compile_where", "record_value",
    "row_of", "select_sql", "write_part",
]  # fmt: skip
