"""What an import passes around: a row read from a file, the user's overrides, a mapped row.

Shared by the readers and mappers (`importers`) and the dataset rules (`datasets`), so
neither needs the other's module for its types.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Row:
    """One record of an input file: its position (CSV line or JSON item) and its values."""

    line: int  # the CSV or JSON Lines line it starts on (0 for an item of a JSON array)
    item: int  # 1-based record number
    values: Mapping[str, Any]

    @property
    def where(self) -> str:
        return f"line {self.line}" if self.line else f"item {self.item}"


@dataclass(frozen=True, slots=True)
class Overrides:
    """Values the user gives on the command line for every imported row."""

    type: str | None = None
    escalation: int | None = None
    confidence: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(slots=True)
class Mapped:
    """A row as entry data, with the id it must have (own format) or its source id."""

    data: dict[str, Any]
    entry_id: str | None = None  # own format: the id is the identity
    alias: str | None = None  # "UCDP:114064", "ACLED:IRQ1234"
    path: str | None = None  # own format: where the export found the file (kept when safe)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (field, what was repaired)


Mapper = Callable[[Mapping[str, Any], Overrides], Mapped]
