"""In-process profile of in-app inquiries: CPU and statements of the request and the worker.

As ``profile_form.py``, for the app API: the reference client (``examples/app_client.py``)
sends each inquiry through httpx's WSGI transport straight into Django, a new signed user
each time, with one screenshot (``--side`` pixels square, random: ~200 KB at 260). Then the
task worker drains the queue in the same process. ``--profile DIR`` writes cProfile files.

    .venv/bin/python bench/profile_inapp.py --count 300
"""

from __future__ import annotations

import io
from contextlib import redirect_stdout

from profiling import arguments, count_statements, measure, serve_live_pushes, setup_django

setup_django(APP_API_RATE_PER_APP=str(10**9), APP_API_RATE_PER_USER=str(10**9))

import httpx  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from inapp import DEVICES, TEXTS, screenshot  # noqa: E402

from examples.app_client import AppClient, sign_user  # noqa: E402  (on the path: inapp)
from sangdam.core.runtime import make_worker  # noqa: E402
from sangdam.tickets.models import Topic  # noqa: E402


def main() -> None:
    args = arguments(__doc__, side=260)
    call_command("migrate", verbosity=0)
    serve_live_pushes()
    Topic.objects.create(slug="bench-app", names={"ko": "앱 오류", "en": "App problem"})
    out = io.StringIO()
    with redirect_stdout(out):
        call_command("app_channel", "register", "Bench app", "ios")
    found = dict(line.split(":", 1) for line in out.getvalue().splitlines() if ":" in line)
    key, secret = found["app key"].strip(), found["app secret"].split()[0]
    transport = httpx.WSGITransport(app=WSGIHandler())
    png = screenshot(args.side)

    def post(i: int) -> None:
        user = f"user-{i}"
        client = AppClient(
            "http://testserver", key, user, sign_user(secret, user), transport=transport
        )
        client.create_inquiry(
            TEXTS[i % len(TEXTS)],
            topic="bench-app",
            files=[(f"screenshot-{i}.png", png)],
            device=DEVICES[i % len(DEVICES)] | {"locale": "ko-KR"},
        )

    def drain() -> None:
        make_worker(batch=True, interval=0).run()

    for i in range(20):  # warm: imports, memos, the language detector
        post(i)
    drain()

    def requests() -> None:
        for i in range(args.count):
            post(100 + i)

    measure("request", requests, args.count, "inquiry", args.profile)
    measure("worker", drain, args.count, "inquiry", args.profile)
    count_statements("inquiry", [("request", lambda: post(99)), ("worker", drain)])


if __name__ == "__main__":
    main()
