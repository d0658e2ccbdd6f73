"""Run a task worker; as many as you like may run against one database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sangdam.core.runtime import make_worker
from sangdam.core.secret_file import require_real_secret


class Command(BaseCommand):
    help = "Run background tasks (delivery, follow-ups, periodic jobs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue", action="append", dest="queues", help="queue(s); default all")
        parser.add_argument("--interval", type=float, default=0.5)
        parser.add_argument("--batch", action="store_true", help="exit when the queue is empty")

    def handle(self, *args: Any, **options: Any) -> None:
        require_real_secret()
        worker = make_worker(
            interval=options["interval"], batch=options["batch"], queues=options["queues"]
        )
        worker.configure_signals()
        worker.run()
