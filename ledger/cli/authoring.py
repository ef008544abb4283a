"""Authoring and interchange commands: new, fmt, import, export."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from ledger.cli.env import Environment
from ledger.cli.errors import OutputCut
from ledger.cli.filters import filtered
from ledger.cli.options import LedgerDir, Quiet, open_ledger, plural, say
from ledger.core.errors import ExitStatus, LedgerError, UsageError
from ledger.core.model import ESCALATION_MAX, EventType
from ledger.query import Selection

_TYPES = ", ".join(EventType)


def _opt(*names: str, help: str, **kw: Any) -> Any:
    return typer.Option(*names, help=help, show_default=False, **kw)


#: The keys of `Ledger.new_entry`'s fields, in the order `new` passes its options.
_NEW_FIELDS = [
    "title",
    "date",
    "type",
    "escalation",
    "confidence",
    "place",
    "country",
    "source",
    "url",
    "date_end",
    "admin1",
    "lat",
    "lon",
    "precision",
    "perpetrators",
    "targets",
    "killed",
    "injured",
    "tags",
    "summary",
    "responds_to",
    "reliability",
    "credibility",
]

# -- new --------------------------------------------------------------------------------------


def new(
    env: Environment,
    title: Annotated[
        str | None, typer.Argument(help="One factual line.", show_default=False, metavar="[TITLE]")
    ] = None,
    date: Annotated[
        str | None, _opt("--date", "-d", metavar="DATE", help="First day it may have happened (YYYY-MM-DD).")
    ] = None,
    date_end: Annotated[str | None, _opt("--date-end", metavar="DATE", help="Last possible day, for spans.")] = None,
    event_type: Annotated[str | None, _opt("--type", "-t", metavar="TYPE", help=f"Event type: {_TYPES}")] = None,
    escalation: Annotated[
        int | None,
        _opt("--escalation", "-e", metavar="N", help=f"Ladder rung 0-{ESCALATION_MAX}.", min=0, max=ESCALATION_MAX),
    ] = None,
    confidence: Annotated[
        str | None,
        _opt("--confidence", "-c", metavar="GRADE", help="confirmed, reported, claimed, unverified or disputed."),
    ] = None,
    place: Annotated[
        str | None, _opt("--place", "-p", metavar="NAME", help="Place name (ledger.toml places fill the rest).")
    ] = None,
    country: Annotated[
        str | None, _opt("--country", metavar="CC", help="ISO 3166 alpha-2 code (or a country name).")
    ] = None,
    source: Annotated[
        str | None, _opt("--source", "-s", metavar="NAME", help="The outlet or organisation reporting it.")
    ] = None,
    url: Annotated[str | None, _opt("--url", metavar="URL", help="Link to the report.")] = None,
    reliability: Annotated[
        str | None, _opt("--reliability", metavar="GRADE", help="The source's grade, A-F (Admiralty).")
    ] = None,
    credibility: Annotated[
        str | None, _opt("--credibility", metavar="GRADE", help="The report's grade, 1-6 (Admiralty).")
    ] = None,
    admin1: Annotated[str | None, _opt("--admin1", metavar="NAME", help="Province or governorate.")] = None,
    lat: Annotated[float | None, _opt("--lat", metavar="DEG", help="Latitude (WGS84).")] = None,
    lon: Annotated[float | None, _opt("--lon", metavar="DEG", help="Longitude (WGS84).")] = None,
    precision: Annotated[
        str | None, _opt("--precision", metavar="PRECISION", help="exact, near, town, admin2, admin1, region, country.")
    ] = None,
    perpetrator: Annotated[
        list[str] | None, _opt("--perpetrator", metavar="NAME", help="Who did it (repeat for several).")
    ] = None,
    target: Annotated[
        list[str] | None, _opt("--target", metavar="NAME", help="Who or what was targeted (repeat).")
    ] = None,
    killed: Annotated[
        int | None, _opt("--killed", metavar="N", help="People killed (leave out if unknown).", min=0)
    ] = None,
    injured: Annotated[int | None, _opt("--injured", metavar="N", help="People injured.", min=0)] = None,
    tag: Annotated[list[str] | None, _opt("--tag", metavar="TAG", help="A tag (repeat).")] = None,
    summary: Annotated[str | None, _opt("--summary", metavar="TEXT", help="Notes.")] = None,
    responds_to: Annotated[
        list[str] | None, _opt("--responds-to", metavar="ID", help="Id this answers (repeat).")
    ] = None,
    entry_id: Annotated[str | None, _opt("--id", metavar="ID", help="The id, instead of date + title.")] = None,
    edit: Annotated[bool, _opt("--edit", help="Open the new file in $EDITOR, then check it.")] = False,
    ledger_dir: LedgerDir = None,
    quiet: Quiet = False,
) -> ExitStatus:
    """Write a new, valid entry at entries/YYYY/MM/ID.toml and print its path (never overwrites)."""
    values: list[Any] = [title, date, event_type, escalation, confidence, place, country, source, url, date_end]
    values += [admin1, lat, lon, precision, perpetrator, target, killed, injured, tag, summary, responds_to]
    values += [reliability, credibility]
    fields: dict[str, Any] = dict(zip(_NEW_FIELDS, values, strict=True))
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
    from ledger.api.authoring import QUESTIONS, parse_answer

    default = dt.date.today().isoformat() if key == "date" else ""
    # Not typer.prompt: it writes a space to stdout, and stdout is for data (the path).
    while True:
        env.stderr.write(f"{QUESTIONS[key]}{f' [{default}]' if default else ''}: ")
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
    check: Annotated[bool, _opt("--check", help="Write nothing; list the files that would change (exit 1).")] = False,
    diff: Annotated[bool, _opt("--diff", help="Write nothing; show the changes as a unified diff.")] = False,
    ledger_dir: LedgerDir = None,
    quiet: Quiet = False,
) -> ExitStatus:
    """Rewrite entry files in the one canonical layout; files whose data or comments would not survive are left alone."""
    import difflib

    from ledger.api.fmt import LEFT_ALONE, REFORMATTED
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
                    lines = difflib.unified_diff(
                        (result.old or "").splitlines(keepends=True),
                        (result.new or "").splitlines(keepends=True),
                        f"a/{result.rel}",
                        f"b/{result.rel}",
                    )
                    env.stdout.write(clean("".join(lines)))
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


class _Progress:
    """Draw a bar on stderr for each phase of a long import (only on a terminal): checking, writing."""

    MIN_ROWS = 500

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.bar: Any = None
        self.phase = ""
        self.unfinished = False

    def __call__(self, phase: str, done: int, total: int) -> None:
        if total < self.MIN_ROWS:
            return
        if phase != self.phase:
            from ledger.output.render import ProgressBar

            self.bar, self.phase = ProgressBar(self.stream, phase.ljust(8)), phase
        self.bar(done, total)
        self.unfinished = done < total

    def close(self) -> None:
        """End a bar's line if the import stopped before the bar was full."""
        if self.unfinished:
            self.stream.write("\n")
            self.unfinished = False


def import_(
    env: Environment,
    file: Annotated[Path, typer.Argument(help="The file to import.", show_default=False, metavar="FILE")],
    source: Annotated[
        str | None,
        _opt("--from", help="csv, json, acled or ucdp (default: told from the file's header).", metavar="SOURCE"),
    ] = None,
    event_type: Annotated[
        str | None, _opt("--type", help="Give every entry this type (instead of the rules).", metavar="TYPE")
    ] = None,
    escalation: Annotated[
        int | None,
        _opt(
            "--escalation",
            help=f"Give every entry this rung (0-{ESCALATION_MAX}).",
            min=0,
            max=ESCALATION_MAX,
            metavar="N",
        ),
    ] = None,
    confidence: Annotated[
        str | None, _opt("--confidence", help="Give every entry this confidence.", metavar="GRADE")
    ] = None,
    tag: Annotated[list[str] | None, _opt("--tag", help="Add this tag to every entry (repeat).", metavar="TAG")] = None,
    strict: Annotated[bool, _opt("--strict", help="Write nothing if any row is rejected.")] = False,
    dry_run: Annotated[
        bool, _opt("--dry-run", "-n", help="Check and list what would be written; write nothing.")
    ] = False,
    verbose: Annotated[bool, _opt("--verbose", "-v", help="Also say why each skipped row was skipped.")] = False,
    ledger_dir: LedgerDir = None,
    quiet: Quiet = False,
) -> ExitStatus:
    """Create one entry per row of a CSV or JSON file (ours, ACLED's or UCDP GED's); never overwrites."""
    from ledger.api.imports import overrides
    from ledger.output.render import clean

    given = overrides(event_type, escalation, confidence, tag or ())
    ledger = open_ledger(ledger_dir)
    progress = _Progress(env.stderr) if env.stderr_isatty and not quiet else None
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
        str, typer.Option("--format", "-f", help="csv, json, jsonl, geojson, ics or acled.", metavar="FORMAT")
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
