"""Foundation commands: validate, schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.env import Environment
from ledger.cli.errors import findings
from ledger.cli.options import LedgerDir, Quiet, choice, open_ledger, say
from ledger.core.errors import ExitStatus


def validate(
    env: Environment,
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders to check (default: the whole ledger).")
    ] = None,
    ledger_dir: LedgerDir = None,
    output: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    quiet: Quiet = False,
) -> ExitStatus:
    """Check every entry and report all problems as path:line: field: message."""
    choice(output, ("text", "json"), "--format")
    ledger = open_ledger(ledger_dir)
    report = ledger.validate(paths or ())
    status = ExitStatus.FOUND if report.errors else ExitStatus.OK
    with findings(status):
        if output == "json":
            env.stdout.write(json.dumps([p.as_json() for p in report.problems], indent=2, ensure_ascii=False) + "\n")
        else:
            from ledger.output.render import clean

            for problem in report.problems:
                env.stdout.write(clean(str(problem)) + "\n")
    say(env, f"{report.files} files checked: {report.errors} errors, {report.warnings} warnings", quiet)
    return status


def schema(
    env: Environment,
    output: Annotated[
        str, typer.Option("--format", "-f", help="json (JSON Schema) or markdown (field table).")
    ] = "json",
) -> ExitStatus:
    """Print the JSON Schema of an entry file (for Taplo / Even Better TOML) or the field table."""
    from ledger.core import schema as schema_module

    choice(output, ("json", "markdown"), "--format")
    if output == "markdown":
        env.stdout.write(schema_module.field_table() + "\n")
    else:
        env.stdout.write(json.dumps(schema_module.json_schema(), indent=2, ensure_ascii=False) + "\n")
    return ExitStatus.OK
