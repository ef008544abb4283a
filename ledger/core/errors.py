"""Problems (bad user data, as values) and the few exceptions that stop a command."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ExitStatus(enum.IntEnum):
    """The process exit codes every command keeps to."""

    OK = 0
    FOUND = 1  # validation errors, differences, files that would be reformatted
    TROUBLE = 2  # usage or runtime trouble
    INTERRUPTED = 130


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about one file: printed as `path:line: field: message`."""

    path: str
    line: int
    field: str
    message: str
    severity: Severity = Severity.ERROR

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.path, self.line, self.field, self.message)

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "severity": str(self.severity),
        }

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        label = "warning: " if self.severity is Severity.WARNING else ""
        field = f"{self.field}: " if self.field else ""
        return f"{where}: {field}{label}{self.message}"


class LedgerError(Exception):
    """A condition that stops the command: one line on stderr and an exit status."""

    status = ExitStatus.TROUBLE


class UsageError(LedgerError):
    """The user asked for something that cannot be done as asked."""


class NotFound(LedgerError):
    """An id, path or revision the user named does not exist."""

    status = ExitStatus.FOUND
