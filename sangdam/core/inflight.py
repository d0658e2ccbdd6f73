"""The requests this process is answering right now, so that its task worker can give way.

In the embedded process (``sangdam run``) the task worker shares one interpreter lock with
the threads that answer HTTP requests. Running a backlog is CPU work (1-5 ms a task, up
to twenty together), and every request in flight meanwhile waits for the lock at each of
its hand-offs: under a webhook storm that was the acknowledgement's p99 (20-28 ms against
15 ms with the worker in another process, bench/webhooks.py). The worker calls
:func:`wait_until_quiet` before it claims: it runs when no request is in flight, or after
the wait anyway (one task at a time then), so a steady stream of requests slows the
backlog but never stops it, and an idle web costs it nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_quiet = threading.Condition()
_serving = 0


@contextmanager
def serving() -> Iterator[None]:
    """Around the answering of one request."""
    global _serving
    with _quiet:
        _serving += 1
    try:
        yield
    finally:
        with _quiet:
            _serving -= 1
            if not _serving:
                _quiet.notify_all()


def wait_until_quiet(timeout: float) -> bool:
    """Wait until no request is in flight, at most ``timeout`` seconds; True if quiet."""
    with _quiet:
        return _quiet.wait_for(lambda: not _serving, timeout)
