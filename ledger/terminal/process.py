"""The process itself, set up once by `main` before a command runs: its text streams and its signals."""

from __future__ import annotations

import io


def utf8_streams(*streams: object) -> None:
    """Write UTF-8 with LF line ends on these text streams, whatever the console's code page.

    A Windows console piped or redirected writes the ANSI code page (cp1252 cannot hold an
    Arabic title) and turns every LF into CRLF (an ICS's own CRLF into CR CR LF); a
    PYTHONIOENCODING or an old locale can do the same elsewhere. Other streams (a test's
    StringIO) are left alone.
    """
    for stream in streams:
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors=stream.errors, newline="\n")


def terminate_like_interrupt() -> None:
    """Make SIGTERM (`kill`, a CI timeout, systemd) stop a command as Ctrl-C does: clean-up runs.

    Without it the process dies at once and leaves a half-built index file and scratch folder
    behind. Forked workers keep the default: they die, and their parent cleans up.
    """
    import os
    import signal

    main_pid = os.getpid()

    def stop(signum: int, _frame: object) -> None:
        if os.getpid() != main_pid:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (an embedding program): leave its signals alone
        pass
