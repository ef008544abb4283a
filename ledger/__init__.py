"""incident-ledger: a chronology of armed-conflict incidents, one TOML file each."""

__version__ = "0.1.0"
