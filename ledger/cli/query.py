"""Query commands: index, list, search, show."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ledger.cli.completion import from_index
from ledger.cli.env import Environment
from ledger.cli.filters import filtered
from ledger.cli.options import (
    AsOf,
    LedgerDir,
    NoHeader,
    Quiet,
    TableFormat,
    chosen_format,
    format_option,
    open_ledger,
    report_skipped,
    say,
    write_json,
    write_rows,
)
from ledger.core.errors import ExitStatus, NotFound
from ledger.query import Selection

DEFAULT_COLUMNS = ("id", "date", "type", "escalation", "country", "title")

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
    output: TableFormat = None,
    columns: Columns = None,
    no_header: NoHeader = False,
    quiet: Quiet = False,
    as_of: AsOf = None,
    *,
    selection: Selection,
) -> ExitStatus:
    """List the incidents that match a query, in chronological order."""
    fmt, chosen = chosen_format(env, output), _columns(columns)
    found = open_ledger(ledger_dir).at(as_of).find(selection, progress=_progress(env, quiet))
    return _write(env, found, fmt, chosen, no_header, quiet)


@filtered(search=True)
def search(
    env: Environment,
    ledger_dir: LedgerDir = None,
    output: TableFormat = None,
    columns: Columns = None,
    no_header: NoHeader = False,
    quiet: Quiet = False,
    *,
    text: str,
    explain: bool,
    selection: Selection,
) -> ExitStatus:
    """Search titles, summaries, places, actors, sources and quotes, best match first, in any spelling."""
    fmt, chosen = chosen_format(env, output), _columns(columns)
    ledger = open_ledger(ledger_dir)
    found = ledger.search(text, selection, progress=_progress(env, quiet))
    if explain:
        from ledger.query.search import explain_search

        say(env, "\n".join(explain_search(found.plan, found.close(), selection, ledger.vocabulary)))
        return ExitStatus.OK
    return _write(env, found, fmt, chosen, no_header, quiet)


def _write(
    env: Environment, found: Any, fmt: str, chosen: list[str] | None, no_header: bool, quiet: bool
) -> ExitStatus:
    """Write a result in a list format, then say how many invalid files were left out."""
    from ledger.output import render

    if fmt in ("json", "jsonl") and chosen is None:
        render.write_json_texts(found.json_texts(), fmt, env.stdout, env.stdout_isatty)
    else:
        columns = chosen or DEFAULT_COLUMNS
        write_rows(env, fmt, lambda: found.rows(columns), columns, ids=found.ids, header=not no_header)
    env.stdout.flush()
    report_skipped(env, found.skipped, quiet)
    return ExitStatus.OK


def show(
    env: Environment,
    ids: Annotated[
        list[str],
        typer.Argument(metavar="ID...", help="Entry ids (or entry file paths).", autocompletion=from_index("ids")),
    ],
    ledger_dir: LedgerDir = None,
    output: Annotated[
        str, format_option(("text", "toml", "json"), "text (laid out for reading), toml (the file) or json.")
    ] = "text",
    quiet: Quiet = False,
    as_of: AsOf = None,
) -> ExitStatus:
    """Show whole entries: laid out for reading, as their TOML file, or as JSON."""
    from ledger.api import lookup
    from ledger.output import render

    ledger = open_ledger(ledger_dir).at(as_of)
    records = lookup.records(ledger, ids)
    is_tty, out = env.stdout_isatty, env.stdout
    if output == "json":
        write_json(env, records[0] if len(records) == 1 else records)
    elif output == "toml":
        for number, record in enumerate(records):
            source, problem = ledger.source_text(record["path"])
            if source is None:
                raise NotFound(str(problem))
            head = f"# {record['path']}\n" if len(records) > 1 else ""
            out.write(("\n" if number else "") + head + (render.clean(source) if is_tty else source))
    else:
        for number, record in enumerate(records):
            out.write("\n" if number else "")
            render.render_entry(record, ledger.vocabulary.labels, out, env.width if is_tty else 100)
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
