"""Authoring and interchange commands: new, fmt, import, export."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ledger.api.form import NEW_FIELDS, NewField
from ledger.cli.options import LEDGER, QUIET, Param, arg, command, formats, opt
from ledger.core.errors import ExitStatus
from ledger.core.model import ESCALATION_MAX
from ledger.terminal import editor
from ledger.terminal.call import Call
from ledger.terminal.errors import OutputCut


def _field(f: NewField, given: str | None = None) -> Param:
    """The option of a model field, typed, ranged, checked and completed as the field says.

    `new` takes each field as its own; `import` gives every entry some (`given`: the help; no short flag).
    """
    ranged: dict[str, Any] = {"min": f.spec.minimum, "max": f.spec.maximum} if f.kind is int else {}
    flags = f.flag if given else f"{f.flag} {f.short or ''}"  # choices are checked as they are parsed
    choices, complete, kind = f.choices or None, f.completed_by, f.kind | None
    return opt(
        flags, None, given or f.help, f.metavar, kind=kind, name=f.key, choices=choices, complete=complete, **ranged
    )


#: `new`'s field options (but TITLE, its argument), in the order of the form.
FIELDS = tuple(_field(f) for f in NEW_FIELDS if f.key != "title")
_FIELD = {f.key: f for f in NEW_FIELDS}


@command(
    *FIELDS,
    arg("title", "[TITLE]", "One factual line.", str | None, None),
    opt("--id", None, "The id, instead of date + title.", "ID", name="entry_id"),
    opt("--edit", False, "Open the new file in $EDITOR, then check it."),
    LEDGER,
    QUIET,
)
def new(c: Call) -> ExitStatus:
    """Write a new, valid entry at entries/YYYY/MM/ID.toml and print its path (never overwrites)."""
    fields = {f.key: c.values[f.key] for f in NEW_FIELDS}
    editor.fill_in(c.env, c.ledger, fields)
    created = c.ledger.new_entry(fields, c.entry_id)
    for problem in created.problems:
        c.say(problem.said())
    if not created.written:
        c.note("nothing written")
        return ExitStatus.TROUBLE
    c.out.write(created.rel + "\n")
    c.out.flush()
    return editor.edit_and_check(c.env, c.ledger, created.rel, c.quiet) if c.edit else ExitStatus.OK


@command(
    arg("paths", "[PATH]...", "Files or folders (default: every entry).", list[Path] | None, None),
    opt("--check", False, "Write nothing; list the files that would change (exit 1)."),
    opt("--diff", False, "Write nothing; show the changes as a unified diff."),
    LEDGER,
    QUIET,
)
def fmt(c: Call) -> ExitStatus:
    """Rewrite entry files in the one canonical layout; files whose data or comments would not survive are left alone."""
    from ledger.api.fmt import Tally
    from ledger.output import results

    tally = Tally(c.check, dry=c.check or c.diff)
    try:
        for result in c.ledger.format(c.paths or (), write=not (c.check or c.diff), keep_text=c.diff):
            tally.add(result.outcome)
            line = results.formatted(c.screen, result, check=c.check, diff=c.diff)
            if line is not None:
                c.say(line[0]) if line[1] else c.note(line[0])
    except BrokenPipeError:  # `fmt --check | head -1`: what was found so far still counts
        raise OutputCut(ExitStatus.FOUND if tally.found else ExitStatus.OK) from None
    c.note(tally.summary())
    return ExitStatus.FOUND if tally.found else ExitStatus.OK


@command(
    arg("file", "FILE", "The file to import.", Path),
    opt(
        "--from",
        None,
        "csv, json, acled or ucdp (default: told from the file's header).",
        "SOURCE",
        name="source",
        choices="ledger.interchange.importers:SOURCES",
    ),
    _field(_FIELD["type"], "Give every entry this type (instead of the rules)."),
    _field(_FIELD["escalation"], f"Give every entry this rung (0-{ESCALATION_MAX})."),
    _field(_FIELD["confidence"], "Give every entry this confidence."),
    _field(_FIELD["tags"], "Add this tag to every entry (repeat)."),
    opt("--strict", False, "Write nothing if any row is rejected."),
    opt("--dry-run -n", False, "Check and list what would be written; write nothing."),
    opt("--verbose -v", False, "Also say why each skipped row was skipped."),
    LEDGER,
    QUIET,
)
def import_(c: Call) -> ExitStatus:
    """Create one entry per row of a CSV or JSON file (ours, ACLED's or UCDP GED's); never overwrites."""
    from ledger.api.imports import Imported, overrides
    from ledger.output.render import clean

    given = overrides(c.type, c.escalation, c.confidence, c.tags or ())
    started = time.perf_counter()
    with c.phases() as progress:
        run = Imported(c.ledger.plan_import(c.file, c.source, given, progress=progress), c.dry_run, started)
        for line in run.said(c.verbose, c.quiet):
            c.say(clean(line))
        if c.strict and run.plan.rejected:
            c.say(run.refused())
            return ExitStatus.FOUND
        for rel, trouble in run.count(() if c.dry_run else c.ledger.write_import(run.plan, progress)):
            if trouble:
                c.say(clean(trouble))
            else:  # each path as soon as it is written: a stopped import is readable
                c.out.write(rel + "\n")
                c.out.flush()
    c.note(run.summary())
    return ExitStatus.FOUND if run.rejected else ExitStatus.OK


@command(
    formats("ledger.interchange.exporters:FORMATS", "json", "csv, json, jsonl, geojson, ics or acled."),
    LEDGER,
    QUIET,
    query="words",
)
def export(c: Call) -> ExitStatus:
    """Write the selected entries (every filter of `list`) as csv, json, jsonl, geojson, ics or acled."""
    from ledger.output.render import plural

    written = c.ledger.export(c.selection, c.fmt, c.out, is_tty=c.env.stdout_isatty)
    for warning in written.warnings():
        c.say(warning)
    c.note(f"{plural(written.count, 'entry', 'entries')} exported")
    return ExitStatus.OK
