"""incident-ledger: a chronology of armed-conflict incidents, one TOML file each.

The library's front door is `Ledger` (`from ledger import Ledger`), loaded on first use so that
`ledger --version` and the command line's start-up do not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ledger.core.version import VERSION as __version__

__all__ = ["Ledger", "__version__"]

if TYPE_CHECKING:
    from ledger.api import Ledger


def __getattr__(name: str) -> object:
    if name == "Ledger":
        from ledger.api import Ledger

        return Ledger
    raise AttributeError(f"module 'ledger' has no attribute {name!r}")
