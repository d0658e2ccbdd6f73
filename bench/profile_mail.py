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

from profiling import arguments, count_statements, measure, setup_django

setup_django(EMAIL_SENDER_RATE_LIMIT=str(10**9))

import mailgen  # noqa: E402
from django.core.management import call_command  # noqa: E402

from sangdam.connectors.email.smtpd import _deliver, _in_request  # noqa: E402
from sangdam.connectors.models import Channel  # noqa: E402
from sangdam.core.runtime import make_worker  # noqa: E402


def deliver(mail: mailgen.Mail) -> None:
    _in_request(_deliver, mail.raw, mail.sender, [mailgen.SUPPORT])


def drain() -> None:
    make_worker(batch=True, interval=0).run()


def main() -> None:
    args = arguments(__doc__)
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

    measure("intake", intake, timed, "mail", args.profile)
    measure("worker", drain, timed, "mail", args.profile)
    count_statements("mail", [("intake", lambda: deliver(mails[warm + timed])), ("worker", drain)])


if __name__ == "__main__":
    main()
