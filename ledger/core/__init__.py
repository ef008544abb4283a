"""The core: the entry model (THE schema), errors, derived schema, checks, vocabulary, ids, places."""
