"""Git: the only subprocess, the ledger's history, snapshots of a revision."""
