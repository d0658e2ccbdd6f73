"""``sangdam imap_idle``: pick up IMAP mail within seconds instead of within the minute."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from sangdam.connectors.email.idle import watch_all


class Command(BaseCommand):
    help = "Keep an IMAP IDLE connection per mailbox and poll it as soon as mail arrives."

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        watch_all(stop)
