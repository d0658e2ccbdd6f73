"""In-process profile of inbound mail: CPU and statements of the intake and the worker.

No server, no SMTP dialogue: ``--count`` mails of ``mailgen`` (the mix of ``mail.py``:
English and Korean, HTML-only, attachments, replies before their originals) go through the
SMTP receiver's DATA handling (``_deliver``: recipients, parsing, filters, the intake) into
a throw-away SQLite database (``SANGDAM_VAR_DIR`` in a temp dir; set ``DATABASE_URL`` for
PostgreSQL), then the task worker drains the queue in the same process.
``time.process_time()`` splits the CPU between the two halves; one more mail is captured
statement by statement (``SHOW_SQL=1`` prints them). ``--profile DIR`` writes cProfile
files (intake.prof, worker.prof; CPU time) for ``python -m pstats``.

    .venv/bin/python bench/profile_mail.py --count 300
"""

from __future__ import annotations

import argparse
import cProfile
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["SANGDAM_VAR_DIR"] = tempfile.mkdtemp(prefix="sangdam-profile-mail-")
os.environ["EMAIL_SENDER_RATE_LIMIT"] = str(10**9)
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"

import django

django.setup()

import mailgen  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from sangdam.connectors.email.smtpd import _deliver, _in_request  # noqa: E402
from sangdam.connectors.models import Channel  # noqa: E402
from sangdam.core.runtime import make_worker  # noqa: E402


def deliver(mail: mailgen.Mail) -> None:
    _in_request(_deliver, mail.raw, mail.sender, [mailgen.SUPPORT])


def drain() -> None:
    make_worker(batch=True, interval=0).run()


def measure(name: str, work: Callable[[], None], count: int, profile: Path | None) -> None:
    profiler = cProfile.Profile(time.process_time)
    start = time.process_time()
    if profile:
        profiler.enable()
    work()
    if profile:
        profiler.disable()
        profiler.dump_stats(profile / f"{name}.prof")
    cpu = (time.process_time() - start) * 1000 / count
    print(f"{name:8} {cpu:6.2f} ms CPU per mail")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--profile", type=Path, help="write cProfile files here")
    args = parser.parse_args()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0)
    Channel.objects.create(kind="email", name="Support", address=mailgen.SUPPORT)
    warm, timed, last = 20, args.count, 1
    mails = mailgen.delivery_order(mailgen.conversations(warm + timed + last, "profile"))
    for mail in mails[:warm]:  # imports, memos, the language detector, the Korean analyser
        deliver(mail)
    drain()

    def intake() -> None:
        for mail in mails[warm : warm + timed]:
            deliver(mail)

    measure("intake", intake, timed, args.profile)
    measure("worker", drain, timed, args.profile)
    with CaptureQueriesContext(connection) as taken:
        deliver(mails[warm + timed])
    with CaptureQueriesContext(connection) as worked:
        drain()
    print(f"statements for one mail: intake {len(taken)}, worker {len(worked)}")
    if os.environ.get("SHOW_SQL"):
        for label, captured in (("intake", taken), ("worker", worked)):
            for query in captured.captured_queries:
                print(label, query["sql"][:160])


if __name__ == "__main__":
    main()
