"""Run a task worker; as many as you like may run against one database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sangdam.core.gc_tuning import freeze_loaded_objects
from sangdam.core.runtime import make_worker
from sangdam.core.secret_file import require_real_secret
from sangdam.core.workers import Heartbeat


class Command(BaseCommand):
    help = "Run background tasks (delivery, follow-ups, periodic jobs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue", action="append", dest="queues", help="queue(s); default all")
        parser.add_argument(
            "--interval", type=float, default=None, help="idle poll, s (TASK_POLL_SECONDS)"
        )
        parser.add_argument("--batch", action="store_true", help="exit when the queue is empty")

    def handle(self, *args: Any, **options: Any) -> None:
        require_real_secret()
        worker = make_worker(
            interval=options["interval"], batch=options["batch"], queues=options["queues"]
        )
        worker.configure_signals()
        freeze_loaded_objects()
        # A lease while it lives: if this process is killed mid-task, another worker
        # runs that task again once the lease has run out (sangdam.core.workers).
        heartbeat = Heartbeat(worker.worker_id)
        heartbeat.start()
        heartbeat.wait_ready()
        try:
            worker.run()
        finally:
            heartbeat.stop()
