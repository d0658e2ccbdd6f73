"""In-process profile of homepage inquiries: CPU and statements of the request and the worker.

No server, no clients: the Django test client posts the form ``--count`` times into a
throw-away SQLite database (``SANGDAM_VAR_DIR`` in a temp dir), then the task worker drains
the queue in the same process. ``time.process_time()`` splits the CPU between the two
halves; one more inquiry is captured statement by statement. ``--profile DIR`` writes
cProfile files (request.prof, tasks.prof) for ``python -m pstats``. Compare two checkouts by
running it from each (the figures move with the machine's load: alternate the runs).

    .venv/bin/python bench/profile_form.py --count 300

The worker drains a backlog, so it runs the dispatch tasks together (core/taskloop.py
``runs_together``); ``ONE_BY_ONE=1`` makes it run them one at a time, as it does when
inquiries arrive slower than it works.
"""

from __future__ import annotations

import os
import uuid

from profiling import arguments, count_statements, measure, serve_live_pushes, setup_django

setup_django(PORTAL_RATE_LIMIT_PER_IP=str(10**9), PORTAL_RATE_LIMIT_PER_EMAIL=str(10**9))

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from sangdam.core import taskloop  # noqa: E402
from sangdam.core.runtime import make_worker  # noqa: E402
from sangdam.tickets.models import Topic  # noqa: E402

TEXTS = [
    "결제가 두 번 되었어요. 환불 부탁드립니다.",
    "I was charged twice for my subscription this month, please refund one.",
]


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
    if os.environ.get("ONE_BY_ONE") == "1":
        taskloop.TOGETHER_MAX = 1
    make_worker(batch=True, interval=0).run()


def main() -> None:
    args = arguments(__doc__)
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

    measure("request", requests, args.count, "inquiry", args.profile)
    measure("worker", drain, args.count, "inquiry", args.profile)
    count_statements("inquiry", [("request", lambda: post(client, 99)), ("worker", drain)])


if __name__ == "__main__":
    main()
