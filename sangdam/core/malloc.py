"""Fewer glibc malloc arenas: a threaded server's memory stays where it was used.

glibc gives a thread that allocates while another holds the main arena an arena of its
own, up to eight per core, and memory freed in one arena is not reused by the others.
A Sangdam process runs many threads that allocate outside Python's own allocator (the
HTTP and SMTP thread pools, the database drivers, the task worker): each arena grows to
its own high-water mark. Two arenas keep the embedded server's peak RSS about 12 MB
lower through `bench/form.py` at the same CPU (the interpreter lock already serialises
most allocation). An operator's own ``MALLOC_ARENA_MAX`` wins; other C libraries (musl)
have no arenas and nothing is done.
"""

from __future__ import annotations

import ctypes
import os
import sys

M_ARENA_MAX = -8  # mallopt's parameter number in glibc's malloc.h
ARENAS = 2


def limit_malloc_arenas() -> bool:
    """Set glibc's arena limit for this process (before it starts threads); done or not."""
    if "MALLOC_ARENA_MAX" in os.environ or not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_ARENA_MAX, ARENAS))
