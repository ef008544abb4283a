"""Problems (bad user data, as values) and the few exceptions that stop a command."""

from __future__ import annotations

import enum
from collections.abc import Sequence
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

    def said(self) -> str:
        """`ledger: error: field: message`, for a file not (yet) written: no path, no line."""
        return f"ledger: {self.severity}: {self.field + ': ' if self.field else ''}{self.message}"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        label = "warning: " if self.severity is Severity.WARNING else ""
        field = f"{self.field}: " if self.field else ""
        return f"{where}: {field}{label}{self.message}"


class LedgerError(Exception):
    """A condition that stops the command: one line on stderr and an exit status."""

    status = ExitStatus.TROUBLE

    def context(self) -> list[str]:
        """Return lines that show where the trouble is (printed indented under the error line)."""
        return []


class UsageError(LedgerError):
    """The user asked for something that cannot be done as asked."""


def not_one_of(option: str, value: str, choices: Sequence[str]) -> UsageError:
    """Return the one error for a value outside its choices: `--format "xml" is not one of: text, json`."""
    import difflib

    close = difflib.get_close_matches(value.lower(), list(choices), n=1, cutoff=0.6)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    return UsageError(f'{option} "{value}" is not one of: {", ".join(choices)}{hint}')


def one_of(option: str, value: str, choices: Sequence[str]) -> str:
    """Return `value` if it is one of `choices`, else raise the one usage error for it (`not_one_of`)."""
    if value in choices:
        return value
    raise not_one_of(option, value, choices)


def a_number(option: str, value: float) -> float:
    """Return `value` unless it is not a number (nan), which no range or comparison can check."""
    if value != value:
        raise UsageError(f"{option} needs a number, not {value}")
    return value


class NotFound(LedgerError):
    """An id, path or revision the user named does not exist."""

    status = ExitStatus.FOUND


#: The widest query a caret is drawn under; a longer one is shown as a window around the column.
CARET_WIDTH = 76


class QuerySyntaxError(UsageError):
    """A query that cannot be understood: its text, and `position`, the 0-based column of the trouble.

    It draws its own caret (httpie's nested-JSON errors are the model); the shell prints
    `str(err)` as the error line and `err.context()` indented under it.
    """

    def __init__(self, message: str, position: int, text: str = "") -> None:
        super().__init__(f"query: {message} (column {position + 1})")
        self.message = message
        self.position = position
        self.text = text

    def caret(self, text: str | None = None) -> str:
        """Return the query and a caret under the column at fault (two lines)."""
        # One column per character, nothing a terminal would act on.
        given = self.text if text is None else text
        shown = "".join(" " if c.isspace() else c if c.isprintable() else "?" for c in given)
        at = min(self.position, len(shown))
        if len(shown) > CARET_WIDTH:  # a window around the column, "…" where the query goes on
            start = max(0, min(at - CARET_WIDTH // 2, len(shown) - CARET_WIDTH))
            end = start + CARET_WIDTH
            shown = ("…" if start else "") + shown[start:end] + ("…" if end < len(shown) else "")
            at = at - start + (1 if start else 0)
        return f"{shown}\n{' ' * at}^"

    def context(self) -> list[str]:
        return self.caret().splitlines()
