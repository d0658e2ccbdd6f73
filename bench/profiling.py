"""What the in-process profiles (``profile_*.py``) share: CPU per item, optional cProfile."""

from __future__ import annotations

import argparse
import cProfile
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def setup_django(**env: str) -> None:
    """Django on a throw-away var dir (its SQLite database and files), mail to nowhere,
    with ``env`` on top (e.g. rate limits out of reach)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["SANGDAM_VAR_DIR"] = tempfile.mkdtemp(prefix="sangdam-profile-")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    os.environ.update(env)
    import django

    django.setup()


def serve_live_pushes() -> None:
    """As in `sangdam run`: pushes go to the server's event loop, not a loop per push
    (async_to_sync would start a thread per push and count it against the request)."""
    import asyncio
    import threading

    from sangdam.core import live

    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    live.MAIN_LOOP = loop


def measure(name: str, work: Callable[[], None], per: int, unit: str, profile: Path | None) -> None:
    """Run ``work`` and print its CPU time per ``unit`` (``per`` of them); with ``profile``,
    write ``<name>.prof`` there (cProfile in CPU time, not wall time: waits on the database
    or the GIL are not the code's cost)."""
    profiler = cProfile.Profile(time.process_time)
    start = time.process_time()
    thread_start = time.thread_time()
    if profile:
        profiler.enable()
    work()
    if profile:
        profiler.disable()
        profiler.dump_stats(profile / f"{name}.prof")
    print(
        f"{name:9} {(time.process_time() - start) * 1000 / per:6.2f} ms CPU per {unit}"
        f" ({(time.thread_time() - thread_start) * 1000 / per:.2f} ms in the calling thread)"
    )


def count_statements(unit: str, halves: list[tuple[str, Callable[[], None]]]) -> None:
    """Run each half once (one more item) and print its SQL statement count; with
    ``SHOW_SQL=1`` the statements too."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    captured = []
    for label, work in halves:
        with CaptureQueriesContext(connection) as queries:
            work()
        captured.append((label, queries))
    print(f"statements for one {unit}: " + ", ".join(f"{n} {len(q)}" for n, q in captured))
    if os.environ.get("SHOW_SQL"):
        for label, queries in captured:
            for query in queries.captured_queries:
                print(label, query["time"], query["sql"][:300])


def arguments(doc: str | None, **numbers: int) -> argparse.Namespace:
    """``--count`` items timed and ``--profile DIR`` (created) for cProfile files; each of
    ``numbers`` an integer option with that default."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    for name, default in numbers.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--profile", type=Path, help="write cProfile files here")
    args = parser.parse_args()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    return args
