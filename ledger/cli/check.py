"""Foundation commands: validate, schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.env import Environment
from ledger.cli.errors import findings
from ledger.cli.options import LedgerDir, Quiet, TextFormat, format_option, open_ledger, plural, say, write_json
from ledger.core.errors import ExitStatus


def validate(
    env: Environment,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(metavar="[PATH]...", help="Files or folders to check (default: the whole ledger)."),
    ] = None,
    ledger_dir: LedgerDir = None,
    output: TextFormat = "text",
    quiet: Quiet = False,
    staged: Annotated[
        bool, typer.Option("--staged", help="Check what the next commit will contain (git's index), not the files.")
    ] = False,
) -> ExitStatus:
    """Check every entry and report all problems as path:line: field: message."""
    ledger = open_ledger(ledger_dir)
    if staged and paths:
        from ledger.core.errors import UsageError

        raise UsageError("--staged checks the whole staged ledger: give no paths with it")
    report = ledger.validate_staged() if staged else ledger.validate(paths or ())
    status = ExitStatus.FOUND if report.errors else ExitStatus.OK
    with findings(status):
        if output == "json":
            write_json(env, [p.as_json() for p in report.problems])
        else:
            from ledger.output.render import clean

            for problem in report.problems:
                env.stdout.write(clean(str(problem)) + "\n")
    checked = plural(report.files, "file") + " checked: " + plural(report.errors, "error")
    say(env, f"{checked}, {plural(report.warnings, 'warning')}", quiet)
    return status


def schema(
    env: Environment,
    output: Annotated[
        str, format_option("ledger.api.schemas:FORMATS", "json (JSON Schema) or markdown (field table).")
    ] = "json",
    records: Annotated[
        bool, typer.Option("--output", help="The JSON Schema of output records (list, show, export as JSON).")
    ] = False,
) -> ExitStatus:
    """Print the JSON Schema of an entry file (for Taplo / Tombi) or of output records, or the field table."""
    from ledger.api.schemas import schema_text

    env.stdout.write(schema_text(output, records=records))
    return ExitStatus.OK
