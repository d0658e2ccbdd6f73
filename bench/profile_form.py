"""In-process profile of homepage inquiries: CPU and statements of the request and the worker.

No server, no clients: the Django test client posts the form ``--count`` times into a
throw-away SQLite database (``SANGDAM_VAR_DIR`` in a temp dir), then the task worker drains
the queue in the same process. ``time.process_time()`` splits the CPU between the two
halves; one more inquiry is captured statement by statement. ``--profile DIR`` writes
cProfile files (request.prof, tasks.prof) for ``python -m pstats``. Compare two checkouts by
running it from each (the figures move with the machine's load: alternate the runs).

    .venv/bin/python bench/profile_form.py --count 300
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["SANGDAM_VAR_DIR"] = tempfile.mkdtemp(prefix="sangdam-profile-")
os.environ["PORTAL_RATE_LIMIT_PER_IP"] = str(10**9)
os.environ["PORTAL_RATE_LIMIT_PER_EMAIL"] = str(10**9)
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from sangdam.core import live  # noqa: E402
from sangdam.core.runtime import make_worker  # noqa: E402
from sangdam.tickets.models import Topic  # noqa: E402

TEXTS = [
    "결제가 두 번 되었어요. 환불 부탁드립니다.",
    "I was charged twice for my subscription this month, please refund one.",
]


def serve_live_pushes() -> None:
    """As in `sangdam run`: pushes go to the server's event loop, not a loop per push
    (async_to_sync would start a thread per push and count it against the request)."""
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    live.MAIN_LOOP = loop


def post(client: Client, i: int) -> None:
    answer = client.post(
        "/contact/new",
        {
            "nonce": uuid.uuid4().hex,
            "name": f"고객 {i}",
            "email": f"c{i}@example.com",
            "phone": "",
            "topic": "bench",
            "subject": f"문의 {i}",
            "description": TEXTS[i % len(TEXTS)],
            "website": "",
            "consent": "on",
        },
    )
    if answer.status_code != 302:
        raise SystemExit(f"the form answered {answer.status_code}")


def drain() -> None:
    make_worker(batch=True, interval=0).run()


def measure(name: str, work: Callable[[], None], count: int, profile: Path | None) -> None:
    # CPU time, not wall time: waits on the database or the GIL are not the code's cost.
    profiler = cProfile.Profile(time.process_time)
    start = time.process_time()
    if profile:
        profiler.enable()
    work()
    if profile:
        profiler.disable()
        profiler.dump_stats(profile / f"{name}.prof")
    cpu = (time.process_time() - start) * 1000 / count
    print(f"{name:8} {cpu:6.2f} ms CPU per inquiry")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--profile", type=Path, help="write cProfile files here")
    args = parser.parse_args()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0)
    serve_live_pushes()
    Topic.objects.create(slug="bench", names={"ko": "결제", "en": "Billing"})
    client = Client()
    client.get("/contact/new")  # the CSRF cookie, once, as the peer harness does
    for i in range(20):  # warm: imports, memos, the language detector
        post(client, i)
    drain()

    def requests() -> None:
        for i in range(args.count):
            post(client, 100 + i)

    measure("request", requests, args.count, args.profile)
    measure("worker", drain, args.count, args.profile)
    with CaptureQueriesContext(connection) as request:
        post(client, 99)
    with CaptureQueriesContext(connection) as worker:
        drain()
    print(f"statements for one inquiry: request {len(request)}, worker {len(worker)}")
    if os.environ.get("SHOW_SQL"):
        for label, captured in (("request", request), ("worker", worker)):
            for q in captured.captured_queries:
                print(label, q["sql"][:160])


if __name__ == "__main__":
    main()
