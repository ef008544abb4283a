"""The version of incident-ledger, and the names it goes by where its work is recorded.

Here in the core, not only at the package's door (`ledger.__version__`), so that the library
can name itself (a WARC file's capturer, a fetch's user agent, git's textconv command)
without importing the door, which would close an import cycle.
"""

VERSION = "0.1.0"
#: the capturer each WARC file names (`ledger archive`)
SOFTWARE = f"incident-ledger {VERSION}"
#: the User-Agent of each fetch (`ledger archive`)
USER_AGENT = f"incident-ledger/{VERSION} (evidence capture)"
