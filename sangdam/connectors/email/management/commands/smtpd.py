"""``sangdam smtpd``: the SMTP receiver on its own (scaled mode, or behind Postfix)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sangdam.connectors.email.smtpd import DEFAULT_THREADS, SmtpReceiver
from sangdam.core.env import env_int, env_str
from sangdam.core.secret_file import require_real_secret


class Command(BaseCommand):
    help = "Receive mail for the email channels over SMTP (250 only after the intake committed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=env_str("SMTP_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=env_int("SMTP_PORT", 2525))
        parser.add_argument(
            "--threads",
            type=int,
            default=env_int("SMTP_THREADS", DEFAULT_THREADS),
            help="intakes running at once",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        require_real_secret()
        from sangdam.core.warmup import warm_up_soon

        warm_up_soon()
        stop = threading.Event()
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        receiver = SmtpReceiver(
            host=options["host"], port=options["port"], threads=options["threads"]
        )
        receiver.start()
        self.stdout.write(f"smtpd listening on {options['host']}:{options['port']}")
        self.stdout.flush()
        try:
            stop.wait()
        finally:
            receiver.stop()
