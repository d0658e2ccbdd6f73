"""In-process profile of the voice webhooks: CPU and SQL statements per TwiML request.

No server, no clients: the Django test client plays ``--count`` calls of four signed
Twilio requests each (the call comes in, the menu key, the queue given up, the final
status) into a throw-away database (SQLite in a temp dir, or ``--postgres URL``: a
``profile_voice_<pid>`` database created and dropped), then the task worker drains the
queue in the same process. ``time.process_time()`` gives the CPU of the requests and of
the worker; one more call is captured statement by statement, per step. ``--profile DIR``
writes cProfile files (requests.prof, worker.prof) for ``python -m pstats``. Compare two
checkouts by running this file with ``SANGDAM_SRC`` pointing at each (alternate the runs:
the figures move with the machine's load).

    .venv/bin/python bench/profile_voice.py --count 200
    .venv/bin/python bench/profile_voice.py --count 200 --postgres postgres://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["SANGDAM_VAR_DIR"] = tempfile.mkdtemp(prefix="sangdam-profile-")
os.environ.setdefault("LOG_LEVEL", "WARNING")
_pg = sys.argv[sys.argv.index("--postgres") + 1] if "--postgres" in sys.argv else ""
if _pg:
    import psycopg

    _DB = f"profile_voice_{os.getpid()}"
    with psycopg.connect(_pg, autocommit=True) as _admin:
        _admin.execute(f'CREATE DATABASE "{_DB}"')
    os.environ["DATABASE_URL"] = _pg.rsplit("/", 1)[0] + "/" + _DB
else:
    os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402 (after the environment above)

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from profiling import measure  # noqa: E402

import sangdam  # noqa: E402
from sangdam.connectors.models import Channel  # noqa: E402
from sangdam.connectors.phone.fake import signature  # noqa: E402
from sangdam.core.runtime import make_worker  # noqa: E402
from sangdam.service.models import Schedule  # noqa: E402
from sangdam.tickets.models import Topic  # noqa: E402

TOKEN = "profile-twilio-auth-token"
ACCOUNT = "AC" + "0" * 32
MENU = [
    {"digit": "1", "topic": "payment", "label_ko": "결제", "label_en": "payment"},
    {"digit": "2", "topic": "account", "label_ko": "계정", "label_en": "account"},
]
STEPS = (
    ("call", "", {"CallStatus": "ringing"}),
    ("menu", "/menu?lang=ko", {"Digits": "1"}),
    ("rung", "/rung?lang=ko", {"QueueResult": "hangup", "QueueTime": "42"}),
    ("status", "/status", {"CallStatus": "completed", "CallDuration": "61"}),
)


def call(client: Client, hook: str, n: int, only: str = "") -> None:
    """One call's four requests as Twilio signs them (``only``: just that step)."""
    base = {
        "CallSid": "CA" + secrets.token_hex(16),
        "AccountSid": ACCOUNT,
        "From": f"+8210{n:08d}",
        "To": "+8215880000",
        "Direction": "inbound",
    }
    for step, tail, extra in STEPS:
        if only and step != only:
            continue
        params = {**base, **extra}
        url = f"http://testserver{hook}{tail}"
        answer = client.post(
            hook + tail,
            urlencode(params),
            content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": signature(TOKEN, url, params)},
        )
        if answer.status_code != 200 or b"<Response" not in answer.content:
            raise SystemExit(f"{step} answered {answer.status_code}: {answer.content[:200]!r}")


def drain() -> None:
    make_worker(batch=True, interval=0).run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="calls (4 requests each)")
    parser.add_argument("--postgres", default="", help="admin URL: run on PostgreSQL")
    parser.add_argument("--profile", type=Path, help="write cProfile files here")
    args = parser.parse_args()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    try:
        run(args)
    finally:
        if _pg:
            connection.close()
            with psycopg.connect(_pg, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{_DB}" WITH (FORCE)')


def run(args: argparse.Namespace) -> None:
    call_command("migrate", verbosity=0)
    Topic.objects.create(slug="payment", names={"ko": "결제", "en": "Payment"})
    channel = Channel(kind="phone", name="Profile line", config={"menu": MENU})
    channel.secrets = {"account_sid": ACCOUNT, "auth_token": TOKEN}
    channel.save()
    Schedule.objects.create(
        name="open",
        channel=channel,
        holiday_country="",
        week={str(d): [["00:00", "00:00"]] for d in range(7)},
    )
    hook = f"/hooks/phone/{channel.key}"
    client = Client()
    for i in range(20):  # warm: imports, memos, the translation catalogs
        call(client, hook, 90_000 + i)
    drain()

    def requests() -> None:
        for i in range(args.count):
            call(client, hook, i)

    measure("requests", requests, args.count * len(STEPS), "request", args.profile)
    measure("worker", drain, args.count, "call", args.profile)
    counts = []
    for step, _tail, _extra in STEPS:
        with CaptureQueriesContext(connection) as queries:
            call(client, hook, 99_999, only=step)
        counts.append(f"{step} {len(queries)}")
    print(f"statements per request: {', '.join(counts)} ({connection.vendor})")
    with CaptureQueriesContext(connection) as queries:
        drain()
    print(f"statements of the worker for that call: {len(queries)}")
    if os.environ.get("SHOW_SQL"):
        for query in queries.captured_queries:
            print("   ", query["sql"][:200])
    print(f"code: {Path(sangdam.__file__).parent.parent}")


if __name__ == "__main__":
    main()
