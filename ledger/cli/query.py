"""Query commands: index, list, search, show."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from ledger.cli.env import Environment
from ledger.cli.filters import filtered
from ledger.cli.options import (
    AsOf,
    LedgerDir,
    NoHeader,
    Quiet,
    choice,
    missing_message,
    open_ledger,
    report_skipped,
    say,
)
from ledger.core.errors import ExitStatus, LedgerError, NotFound
from ledger.query import Selection

DEFAULT_COLUMNS = ("id", "date", "type", "escalation", "country", "title")

Format = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help="table, tsv, csv, json, jsonl, markdown or ids (default: table on a terminal, tsv when piped).",
        show_default=False,
    ),
]


def _progress(env: Environment, quiet: bool) -> Any:
    """Return a progress callback drawing on stderr when it is a terminal, else None."""
    if quiet or not env.stderr_isatty:
        return None
    from ledger.output.render import ProgressBar

    return ProgressBar(env.stderr, "indexing")


def _columns(text: str | None) -> list[str] | None:
    if text is None:
        return None
    from ledger.index import COLUMNS

    names = [choice(c.strip(), COLUMNS, "--columns") for c in text.split(",") if c.strip()]
    if not names:
        from ledger.core.errors import UsageError

        raise UsageError("--columns needs at least one column name")
    return names


@filtered
def list_(
    env: Environment,
    ledger_dir: LedgerDir = None,
    output: Format = None,
    columns: Annotated[
        str | None,
        typer.Option("--columns", help="Comma-separated columns, e.g. id,date,title,killed.", show_default=False),
    ] = None,
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
    columns: Annotated[
        str | None,
        typer.Option("--columns", help="Comma-separated columns, e.g. id,date,title,killed.", show_default=False),
    ] = None,
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
        rows = _complete(found.rows(chosen or DEFAULT_COLUMNS), chosen or DEFAULT_COLUMNS, ledger.vocabulary)
        render.render_rows(rows, chosen or DEFAULT_COLUMNS, fmt, out, is_tty, header=not no_header, width=width)
    out.flush()
    report_skipped(env, found, quiet)
    return ExitStatus.OK


def _complete(rows: Iterator[dict[str, Any]], columns: Sequence[str], vocabulary: Any) -> Iterator[dict[str, Any]]:
    """Fill in columns a result left in its `_record` (the older `rows` contract of snapshots)."""
    from ledger.index import record_value

    for row in rows:
        record = row.pop("_record", None)
        if len(row) < len(columns):
            for column in columns:
                if column not in row:
                    level = row.get("escalation", (record or {}).get("escalation"))
                    row[column] = vocabulary.label(level) if column == "label" else record_value(record or {}, column)
        yield row


def show(
    env: Environment,
    ids: Annotated[list[str], typer.Argument(metavar="ID...", help="Entry ids (or entry file paths).")],
    ledger_dir: LedgerDir = None,
    output: Annotated[
        str, typer.Option("--format", "-f", help="text (laid out for reading), toml (the file) or json.")
    ] = "text",
    quiet: Quiet = False,
    as_of: AsOf = None,
) -> ExitStatus:
    """Show whole entries: laid out for reading, as their TOML file, or as JSON."""
    from ledger.output import render
    from ledger.store import files

    fmt = render.check_format(output, ("text", "toml", "json"))
    ledger = open_ledger(ledger_dir).at(as_of)
    for given in ids:  # a path must be an entry file of this ledger, not a look-alike elsewhere
        rel = files.rel_of(ledger.root, given)
        inside = rel is not None and rel.startswith(f"{files.ENTRIES}/")
        if given.endswith(".toml") and Path(given).exists() and not inside:
            raise NotFound(f"{given} is not an entry file of this ledger ({ledger.root})")
    wanted = [Path(i).name[: -len(".toml")] if i.endswith(".toml") else i for i in ids]
    found = ledger.lookup(wanted)
    missing = [i for i in wanted if i not in found]
    if missing:
        raise NotFound(missing_message(ledger, missing[0]))
    is_tty = env.stdout_isatty
    out = env.stdout
    records = [found[i] for i in wanted]
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
    ledger = open_ledger(ledger_dir)
    started = time.perf_counter()
    idx = ledger.index(_progress(env, quiet))
    with contextlib.closing(idx.connect(rebuild=rebuild)) as conn:
        skipped = conn.execute("SELECT count(*) FROM entries WHERE ok = 0").fetchone()[0]
    status = idx.status
    took = time.perf_counter() - started
    if status.how == "memory":
        raise LedgerError(f"cannot write the index in {idx.folder.as_posix()} ({status.reason})")
    what = {
        "fresh": "up to date",
        "refreshed": f"refreshed: {status.reparsed} read, {status.removed} removed",
        "rebuilt": "rebuilt",
    }[status.how]
    invalid = f", {skipped} invalid (see `ledger validate`)" if skipped else ""
    say(env, f"index: {status.files} entry files{invalid}; {what} in {took:.2f} s", quiet)
    return ExitStatus.OK
