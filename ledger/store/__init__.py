"""The filesystem: find the ledger, walk and read entries, write atomically, the TOML layout and comments."""
