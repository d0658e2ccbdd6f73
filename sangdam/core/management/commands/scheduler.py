"""Run the periodic-job scheduler; only the process holding the lease enqueues jobs."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from sangdam.core.scheduler import run_scheduler
from sangdam.core.secret_file import require_real_secret


class Command(BaseCommand):
    help = "Enqueue periodic jobs (one active scheduler however many run)."

    def handle(self, *args: Any, **options: Any) -> None:
        require_real_secret()
        stop = threading.Event()
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        run_scheduler(stop)
