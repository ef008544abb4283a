"""Query commands: index, list, search, show."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ledger.cli.env import Environment
from ledger.cli.filters import filtered
from ledger.cli.options import (
    AsOf,
    LedgerDir,
    NoHeader,
    Quiet,
    open_ledger,
    report_skipped,
    say,
)
from ledger.core.errors import ExitStatus, NotFound
from ledger.query import Selection

DEFAULT_COLUMNS = ("id", "date", "type", "escalation", "country", "title")

Format = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help="table, tsv, csv, json, jsonl, markdown or ids (default: table on a terminal, tsv when piped).",
        show_default=False,
    ),
]


Columns = Annotated[
    str | None,
    typer.Option(
        "--columns", metavar="COLUMNS", help="Comma-separated columns, e.g. id,date,title,killed.", show_default=False
    ),
]


def _progress(env: Environment, quiet: bool) -> Any:
    """Return a progress callback drawing on stderr when it is a terminal, else None."""
    if quiet or not env.stderr_isatty:
        return None
    from ledger.output.render import ProgressBar

    return ProgressBar(env.stderr, "indexing")


def _columns(text: str | None) -> list[str] | None:
    from ledger.api.lookup import columns

    return None if text is None else columns(text)


@filtered
def list_(
    env: Environment,
    ledger_dir: LedgerDir = None,
    output: Format = None,
    columns: Columns = None,
    no_header: NoHeader = False,
    quiet: Quiet = False,
    as_of: AsOf = None,
    *,
    selection: Selection,
) -> ExitStatus:
    """List the incidents that match a query, in chronological order."""
    from ledger.output import render

    fmt = render.check_format(render.default_format(env.stdout_isatty) if output is None else output)
    chosen = _columns(columns)
    ledger = open_ledger(ledger_dir).at(as_of)
    found = ledger.find(selection, progress=_progress(env, quiet))
    return _write(env, ledger, found, fmt, chosen, no_header, quiet)


@filtered(search=True)
def search(
    env: Environment,
    ledger_dir: LedgerDir = None,
    output: Format = None,
    columns: Columns = None,
    no_header: NoHeader = False,
    quiet: Quiet = False,
    *,
    text: str,
    explain: bool,
    selection: Selection,
) -> ExitStatus:
    """Search titles, summaries, places, actors, sources and quotes, best match first, in any spelling."""
    from ledger.output import render

    fmt = render.check_format(render.default_format(env.stdout_isatty) if output is None else output)
    chosen = _columns(columns)
    ledger = open_ledger(ledger_dir)
    found = ledger.search(text, selection, progress=_progress(env, quiet))
    if explain:
        from ledger.cli.filters import explain as explain_filters
        from ledger.query.search import describe

        lines = describe(found.plan, found.close(), ranked=selection.sort is None)
        filters = explain_filters(selection, ledger.vocabulary).splitlines()
        if selection.where is None:
            filters = ["filters: none", *filters[3:]]  # not "query: (none)", "matches:", "every entry"
        else:
            filters[0] = filters[0].replace("query:", "filters:", 1)
        lines += [line for line in filters if selection.sort is not None or not line.startswith("order: date")]
        say(env, "\n".join(lines))
        return ExitStatus.OK
    return _write(env, ledger, found, fmt, chosen, no_header, quiet)


def _write(
    env: Environment, ledger: Any, found: Any, fmt: str, chosen: list[str] | None, no_header: bool, quiet: bool
) -> ExitStatus:
    """Write a result in a list format, then say how many invalid files were left out."""
    from ledger.output import render

    is_tty = env.stdout_isatty
    out = env.stdout
    if fmt == "ids":
        for entry_id in found.ids():
            out.write(entry_id + "\n")
    elif fmt in ("json", "jsonl") and chosen is None:
        render.write_json_texts(found.json_texts(), fmt, out, is_tty)
    else:
        width = env.width if is_tty else None
        render.render_rows(
            found.rows(chosen or DEFAULT_COLUMNS),
            chosen or DEFAULT_COLUMNS,
            fmt,
            out,
            is_tty,
            header=not no_header,
            width=width,
        )
    out.flush()
    report_skipped(env, found.skipped, quiet)
    return ExitStatus.OK


def show(
    env: Environment,
    ids: Annotated[list[str], typer.Argument(metavar="ID...", help="Entry ids (or entry file paths).")],
    ledger_dir: LedgerDir = None,
    output: Annotated[
        str,
        typer.Option("--format", "-f", metavar="FORMAT", help="text (laid out for reading), toml (the file) or json."),
    ] = "text",
    quiet: Quiet = False,
    as_of: AsOf = None,
) -> ExitStatus:
    """Show whole entries: laid out for reading, as their TOML file, or as JSON."""
    from ledger.api import lookup
    from ledger.output import render

    fmt = render.check_format(output, ("text", "toml", "json"))
    ledger = open_ledger(ledger_dir).at(as_of)
    records = lookup.records(ledger, ids)
    is_tty, out = env.stdout_isatty, env.stdout
    if fmt == "json":
        import json

        data = records[0] if len(records) == 1 else records
        text = json.dumps(data, indent=2, ensure_ascii=False)
        out.write((render.json_safe(text) if is_tty else text) + "\n")
    elif fmt == "toml":
        for number, record in enumerate(records):
            source, problem = ledger.source_text(record["path"])
            if source is None:
                raise NotFound(str(problem))
            head = f"# {record['path']}\n" if len(records) > 1 else ""
            out.write(("\n" if number else "") + head + (render.clean(source) if is_tty else source))
    else:
        width = env.width if is_tty else 100
        for number, record in enumerate(records):
            if number:
                out.write("\n")
            render.render_entry(record, ledger.vocabulary.labels, out, width)
    return ExitStatus.OK


def index(
    env: Environment,
    ledger_dir: LedgerDir = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Rebuild from scratch instead of refreshing.")] = False,
    quiet: Quiet = False,
) -> ExitStatus:
    """Refresh the index in .ledger/ (queries do this by themselves; --rebuild starts afresh)."""
    done = open_ledger(ledger_dir).refresh_index(rebuild=rebuild, progress=_progress(env, quiet))
    what = {
        "fresh": "up to date",
        "refreshed": f"refreshed: {done.reparsed} read, {done.removed} removed",
        "rebuilt": "rebuilt",
    }[done.how]
    invalid = f", {done.invalid} invalid (see `ledger validate`)" if done.invalid else ""
    say(env, f"index: {done.files} entry files{invalid}; {what} in {done.seconds:.2f} s", quiet)
    return ExitStatus.OK
