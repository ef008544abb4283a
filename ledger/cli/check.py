"""Foundation commands: validate, schema."""

from __future__ import annotations

from pathlib import Path

from ledger.cli.options import LEDGER, QUIET, TEXT_FORMAT, arg, command, formats, opt
from ledger.core.errors import ExitStatus, UsageError
from ledger.terminal.call import Call
from ledger.terminal.errors import findings


@command(
    arg("paths", "[PATH]...", "Files or folders to check (default: the whole ledger).", list[Path] | None, None),
    LEDGER,
    TEXT_FORMAT,
    QUIET,
    opt("--staged", False, "Check what the next commit will contain (git's index), not the files."),
)
def validate(c: Call) -> ExitStatus:
    """Check every entry and report all problems as path:line: field: message."""
    from ledger.output import results

    if c.staged and c.paths:  # said before the ledger is looked for
        raise UsageError("--staged checks the whole staged ledger: give no paths with it")
    report = c.ledger.validate_staged() if c.staged else c.ledger.validate(c.paths or ())
    status = ExitStatus.FOUND if report.errors else ExitStatus.OK
    with findings(status):
        results.problems(c.screen, c.fmt, report.problems)
    c.note(report.summary)
    return status


@command(
    formats("ledger.api.schemas:FORMATS", "json", "json (JSON Schema) or markdown (field table)."),
    opt("--output", False, "The JSON Schema of output records (list, show, export as JSON).", name="records"),
)
def schema(c: Call) -> ExitStatus:
    """Print the JSON Schema of an entry file (for Taplo / Tombi) or of output records, or the field table."""
    from ledger.api.schemas import schema_text

    c.out.write(schema_text(c.fmt, records=c.records))
    return ExitStatus.OK
