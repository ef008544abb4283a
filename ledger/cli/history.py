"""Commands over git: diff, log, git-setup, and the hidden textconv used by git's diff driver."""

from __future__ import annotations

from ledger.cli.options import COLOR, LEDGER, QUIET, TEXT_FORMAT, arg, command, formats, opt
from ledger.core.errors import ExitStatus
from ledger.terminal.call import Call
from ledger.terminal.errors import findings


@command(
    arg(
        "args",
        "[REV | A B | A..B | DIR_A DIR_B] [QUERY]...",
        "What to compare (default: HEAD against the working tree), then query terms like country:SY.",
        list[str] | None,
        None,
    ),
    LEDGER,
    formats(("text", "json", "markdown"), "text"),
    opt("--stat", False, "Print only the counts."),
    COLOR,
    QUIET,
    query="options",
)
def diff(c: Call) -> ExitStatus:
    """Show which incidents were added, removed or changed, field by field. Exit 1 when they differ."""
    from ledger.api.diffing import compare
    from ledger.output import diffrender, results

    compared = compare(c.args or [], c.selection.where, c.ledger_dir)
    result, label = compared.result, compared.vocabulary.label
    status = ExitStatus.OK if result.equal else ExitStatus.FOUND
    with findings(status):
        results.diff(c.screen, c.fmt, result, stat=c.stat, color=c.colored, label=label)
    if c.output == "text" and not c.stat:
        c.note(diffrender.summary(result))
    return status


@command(
    arg("incident", "ID", "The incident's id (or its file's path).", complete="id"),
    opt("--rev", None, "Start from this revision instead of HEAD.", "REV"),
    LEDGER,
    TEXT_FORMAT,
    COLOR,
    QUIET,
)
def log(c: Call) -> ExitStatus:
    """List the commits that changed an incident, newest first, with the fields they changed."""
    from ledger.output import results

    found = c.ledger.log(c.incident, c.rev)
    if found.shallow:
        c.note("warning: this is a shallow clone: commits before its cut are not shown")
    results.log(c.screen, c.fmt, found, color=c.colored, label=c.ledger.vocabulary.label)
    return ExitStatus.OK


@command(
    LEDGER,
    opt("--command", None, "The textconv command git runs (default: this Python with -m ledger textconv).", "CMD"),
    QUIET,
)
def git_setup(c: Call) -> ExitStatus:
    """Make `git diff` and `git log -p` show entries in the canonical layout (a textconv driver)."""
    done = c.ledger.git_setup(c.command)
    for line in done:
        c.out.write(line + "\n")
    c.note("git diff driver already set up" if not done else "git diff driver set up")
    return ExitStatus.OK


@command(
    arg("path", "FILE", "The file git hands over."),
    opt("--ledger-version", None, "Ignored: the version in git's command drops git's cache on upgrade.", "VERSION"),
)
def textconv(c: Call) -> ExitStatus:
    """Print an entry in the canonical layout for git's diff (exits 0 whatever the input)."""
    from ledger.api.gitsetup import textconv as canonical_text

    c.write_raw(canonical_text(c.path))
    return ExitStatus.OK
