"""Work spread over processes (cold index build, validate, fmt, time travel), on every platform.

The work is a top-level function given chunks of small picklable items (paths, blobs) and
keyword context (the root, a date), so it runs under any start method. The start method is
chosen per platform: `fork` only on Linux and only while this process has no other thread
(forking a threaded process can deadlock the child, and Python 3.12+ warns); `spawn`
everywhere else, which is the platform default on macOS and the only method on Windows.
`LEDGER_START_METHOD=spawn|fork|forkserver` overrides the choice (the tests force spawn).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ledger.core.errors import UsageError

PARALLEL_THRESHOLD = 2000  # below this, starting worker processes costs more than it saves
ENV = "LEDGER_START_METHOD"


def start_method() -> str:
    """Return the start method for worker processes on this platform, now."""
    import multiprocessing
    import threading

    available = multiprocessing.get_all_start_methods()
    forced = os.environ.get(ENV, "")
    if forced:
        if forced not in available:
            raise UsageError(f"{ENV}={forced!r} is not a start method here (use one of: {', '.join(available)})")
        return forced
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "spawn"


def map_chunks(
    func: Callable[..., Any], items: Sequence[Any], jobs: int | None = None, **context: Any
) -> Iterator[Any]:
    """Apply func to chunks of items across processes (results in order), or inline when small.

    `func` must be a module-level function and items and context picklable: under spawn each
    worker imports func's module afresh and receives its arguments by pickle.
    """
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(items) < PARALLEL_THRESHOLD:
        yield func(items, **context)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = max(200, min(2000, len(items) // (jobs * 8) or 1))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(start_method())) as pool:
        futures = [pool.submit(func, chunk, **context) for chunk in chunks]
        try:
            for future in futures:
                yield future.result()
        except BaseException:  # Ctrl-C, SIGTERM, a failure: do not wait for the chunks not started
            pool.shutdown(wait=False, cancel_futures=True)
            raise
