"""Authoring and interchange commands: new, fmt, import, export."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from ledger.api.form import NEW_FIELDS, NewField
from ledger.cli.completion import among, for_field, from_index
from ledger.cli.env import Environment
from ledger.cli.errors import OutputCut
from ledger.cli.filters import filtered
from ledger.cli.options import LedgerDir, Param, Quiet, format_option, open_ledger, option, plural, say, with_params
from ledger.core.errors import ExitStatus, LedgerError, UsageError
from ledger.core.model import ESCALATION_MAX
from ledger.query import Selection

#: model path -> what the index completes for it
_COMPLETED = {"location.name": "places", "location.country": "countries", "responds_to": "ids", "tags": "tags"}


def _field_param(field: NewField) -> Param:
    """The option of one of `new`'s fields, typed, ranged and completed as its model field says."""
    shape, spec = field.shape, field.spec
    kw: dict[str, Any] = {}
    if field.choices:
        kw["autocompletion"] = among(field.choices)
    elif field.path.startswith("actors.") or field.path in _COMPLETED:
        kw["autocompletion"] = from_index(_COMPLETED.get(field.path, "actors"))
    if shape.inner is int or shape.kind == "count":
        kind: Any = int
        kw.update(min=spec.minimum, max=spec.maximum)
    else:
        kind = float if shape.inner is float else str
    names = (field.flag, field.short) if field.short else (field.flag,)
    typed = list[str] if shape.kind == "sequence" else kind
    return Param(field.key, Annotated[typed | None, option(*names, metavar=field.metavar, help=field.help, **kw)])


def _with_fields(func: Callable[..., Any]) -> Callable[..., Any]:
    """Give `new` an option per field of NEW_FIELDS (but TITLE, its argument); it receives them as `fields`."""
    extra = [_field_param(f) for f in NEW_FIELDS if f.key != "title"]

    def call(inner: Callable[..., Any], given: dict[str, Any], kwargs: dict[str, Any]) -> Any:
        return inner(fields={"title": kwargs.pop("title"), **given}, **kwargs)

    return with_params(func, extra, call, needs=("fields",), drops=("fields",), first=True)


# -- new --------------------------------------------------------------------------------------


@_with_fields
def new(
    env: Environment,
    title: Annotated[
        str | None, typer.Argument(help="One factual line.", show_default=False, metavar="[TITLE]")
    ] = None,
    entry_id: Annotated[str | None, option("--id", metavar="ID", help="The id, instead of date + title.")] = None,
    edit: Annotated[bool, option("--edit", help="Open the new file in $EDITOR, then check it.")] = False,
    ledger_dir: LedgerDir = None,
    quiet: Quiet = False,
    *,
    fields: dict[str, Any],
) -> ExitStatus:
    """Write a new, valid entry at entries/YYYY/MM/ID.toml and print its path (never overwrites)."""
    ledger = open_ledger(ledger_dir)
    missing = ledger.missing_fields(fields)
    if missing and not env.interactive:
        flags = ", ".join("TITLE" if key == "title" else f"--{key}" for key in missing)
        raise UsageError(f"missing {flags} (give them as options; on a terminal they are asked for)")
    while missing:  # a place of ledger.toml answers for its country
        fields[missing[0]] = _ask(env, missing[0])
        missing = ledger.missing_fields(fields)
    created = ledger.new_entry(fields, entry_id)
    for problem in created.problems:
        level = "warning" if problem.severity == "warning" else "error"
        field = f"{problem.field}: " if problem.field else ""
        say(env, f"ledger: {level}: {field}{problem.message}")
    if not created.written:
        say(env, "nothing written", quiet)
        return ExitStatus.TROUBLE
    env.stdout.write(created.rel + "\n")
    env.stdout.flush()
    if edit:
        return _edit_and_check(env, ledger, created.rel, quiet)
    return ExitStatus.OK


def _ask(env: Environment, key: str) -> Any:
    """Ask for one required value on the terminal, again until it is acceptable."""
    from ledger.api.form import parse_answer

    default = dt.date.today().isoformat() if key == "date" else ""
    # Not typer.prompt: it writes a space to stdout, and stdout is for data (the path).
    while True:
        question = next(f.question for f in NEW_FIELDS if f.key == key)
        env.stderr.write(f"{question}{f' [{default}]' if default else ''}: ")
        env.stderr.flush()
        line = env.stdin.readline()
        if not line:
            raise UsageError(f"no answer for {key} (end of input)")
        try:
            return parse_answer(key, line.strip() or default)
        except ValueError as err:
            say(env, f"  {err}")


def _edit_and_check(env: Environment, ledger: Any, rel: str, quiet: bool) -> ExitStatus:
    """Open the file in $VISUAL / $EDITOR, wait, then check it like `ledger validate` would."""
    import shlex
    import shutil

    argv = [*shlex.split(env.editor, posix=sys.platform != "win32"), str(ledger.root / rel)]
    program = shutil.which(argv[0]) or argv[0]
    if sys.platform == "win32":  # spawnv joins the arguments into one command line, unquoted
        argv = [f'"{arg}"' if " " in arg and not arg.startswith('"') else arg for arg in argv]
    try:
        status = os.spawnv(os.P_WAIT, program, argv)
    except OSError as err:
        raise LedgerError(f"cannot run the editor {argv[0]!r}: {err.strerror}") from None
    if status != 0:
        say(env, f"the editor exited with status {status}", quiet)
    report = ledger.validate([ledger.root / rel])
    from ledger.output.render import clean

    for problem in report.problems:
        say(env, clean(str(problem)))
    return ExitStatus.FOUND if report.errors else ExitStatus.OK


# -- fmt --------------------------------------------------------------------------------------


def fmt(
    env: Environment,
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders (default: every entry).", metavar="[PATH]...")
    ] = None,
    check: Annotated[bool, option("--check", help="Write nothing; list the files that would change (exit 1).")] = False,
    diff: Annotated[bool, option("--diff", help="Write nothing; show the changes as a unified diff.")] = False,
    ledger_dir: LedgerDir = None,
    quiet: Quiet = False,
) -> ExitStatus:
    """Rewrite entry files in the one canonical layout; files whose data or comments would not survive are left alone."""
    from ledger.api.fmt import LEFT_ALONE, REFORMATTED
    from ledger.output.diffrender import unified
    from ledger.output.render import clean

    ledger = open_ledger(ledger_dir)
    counts = {REFORMATTED: 0, LEFT_ALONE: 0, "unchanged": 0}

    def status() -> ExitStatus:
        found = counts[LEFT_ALONE] or (check and counts[REFORMATTED])
        return ExitStatus.FOUND if found else ExitStatus.OK

    try:
        for result in ledger.format(paths or (), write=not (check or diff), keep_text=diff):
            counts[result.outcome] = counts.get(result.outcome, 0) + 1
            if result.outcome == LEFT_ALONE:
                say(env, clean(f"{result.rel}: left alone: {result.reason}"))
            elif result.outcome == REFORMATTED:
                if diff:
                    env.stdout.write(unified(result.rel, result.old or "", result.new or ""))
                elif check:
                    env.stdout.write(clean(result.rel) + "\n")
                else:
                    say(env, clean(f"reformatted {result.rel}"), quiet)
    except BrokenPipeError:  # `fmt --check | head -1`: what was found so far still counts
        raise OutputCut(status()) from None
    verb = "would be reformatted" if check or diff else "reformatted"
    say(
        env,
        f"{plural(counts[REFORMATTED], 'file')} {verb}, {counts['unchanged']} unchanged, {counts[LEFT_ALONE]} left alone",
        quiet,
    )
    return status()


# -- import -----------------------------------------------------------------------------------


def import_(
    env: Environment,
    file: Annotated[Path, typer.Argument(help="The file to import.", show_default=False, metavar="FILE")],
    source: Annotated[
        str | None,
        option(
            "--from",
            help="csv, json, acled or ucdp (default: told from the file's header).",
            metavar="SOURCE",
            autocompletion=among("ledger.interchange.importers:SOURCES"),
        ),
    ] = None,
    event_type: Annotated[
        str | None,
        option(
            "--type",
            help="Give every entry this type (instead of the rules).",
            metavar="TYPE",
            autocompletion=for_field("type"),
        ),
    ] = None,
    escalation: Annotated[
        int | None,
        option(
            "--escalation",
            help=f"Give every entry this rung (0-{ESCALATION_MAX}).",
            min=0,
            max=ESCALATION_MAX,
            metavar="N",
        ),
    ] = None,
    confidence: Annotated[
        str | None,
        option(
            "--confidence",
            help="Give every entry this confidence.",
            metavar="GRADE",
            autocompletion=for_field("confidence"),
        ),
    ] = None,
    tag: Annotated[
        list[str] | None, option("--tag", help="Add this tag to every entry (repeat).", metavar="TAG")
    ] = None,
    strict: Annotated[bool, option("--strict", help="Write nothing if any row is rejected.")] = False,
    dry_run: Annotated[
        bool, option("--dry-run", "-n", help="Check and list what would be written; write nothing.")
    ] = False,
    verbose: Annotated[bool, option("--verbose", "-v", help="Also say why each skipped row was skipped.")] = False,
    ledger_dir: LedgerDir = None,
    quiet: Quiet = False,
) -> ExitStatus:
    """Create one entry per row of a CSV or JSON file (ours, ACLED's or UCDP GED's); never overwrites."""
    from ledger.api.imports import overrides
    from ledger.output.progress import Phases
    from ledger.output.render import clean

    given = overrides(event_type, escalation, confidence, tag or ())
    ledger = open_ledger(ledger_dir)
    progress = Phases(env.stderr) if env.stderr_isatty and not quiet else None
    started = time.perf_counter()
    try:
        plan = ledger.plan_import(file, source, given, progress=progress)
        for problem in plan.problems:
            say(env, clean(str(problem)))
        if not quiet:
            for note in plan.notes:
                say(env, clean(str(note)))
        if verbose:
            for row, why in plan.skipped:
                say(env, clean(f"{plan.file}: {row.where}: skipped: {why}"))
        rejected = len(plan.rejected)
        if strict and rejected:
            say(env, f"{plan.rows} rows: {rejected} rejected; nothing written (--strict)")
            return ExitStatus.FOUND
        created: list[str] = []
        existed: list[str] = []
        if dry_run:
            created = [item.rel for item in plan.create]
            env.stdout.write("".join(rel + "\n" for rel in created))
        else:
            for item, outcome in ledger.write_import(plan, progress):
                if outcome == "created":  # each path as soon as it is written: a stopped import is readable
                    created.append(item.rel)
                    env.stdout.write(item.rel + "\n")
                    env.stdout.flush()
                elif outcome == "existed":
                    existed.append(item.rel)
                else:
                    rejected += 1
                    where = f"{plan.file}:{item.row.line}" if item.row.line else f"{plan.file}: [{item.row.item}]"
                    message = f"{where}: id: {item.rel} was created by another command meanwhile; not overwritten"
                    say(env, clean(message))
    finally:
        if progress:
            progress.close()
    seconds = time.perf_counter() - started
    would = "would be created" if dry_run else "created"
    say(
        env,
        f"{plural(plan.rows, 'row')} ({plan.source}): {plural(len(created), 'entry', 'entries')} {would}, "
        f"{len(plan.skipped) + len(existed)} already in the ledger or repeated, {rejected} rejected "
        f"({seconds:.1f} s)",
        quiet,
    )
    return ExitStatus.FOUND if rejected else ExitStatus.OK


# -- export -----------------------------------------------------------------------------------


@filtered
def export(
    env: Environment,
    output_format: Annotated[
        str, format_option("ledger.interchange.exporters:FORMATS", "csv, json, jsonl, geojson, ics or acled.")
    ] = "json",
    ledger_dir: LedgerDir = None,
    quiet: Quiet = False,
    *,
    selection: Selection,
) -> ExitStatus:
    """Write the selected entries (every filter of `list`) as csv, json, jsonl, geojson, ics or acled."""
    ledger = open_ledger(ledger_dir)
    written, invalid = ledger.export(selection, output_format, env.stdout, is_tty=env.stdout_isatty)
    if written.left_out:
        say(env, f"{plural(written.left_out, 'entry', 'entries')} without coordinates left out of the GeoJSON")
    if invalid:
        say(env, f"{plural(invalid, 'invalid entry file')} left out (see `ledger validate`)")
    say(env, f"{plural(written.count, 'entry', 'entries')} exported", quiet)
    return ExitStatus.OK
