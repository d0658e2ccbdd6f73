"""Serve Sangdam over ASGI (uvicorn); ``--embedded`` adds the worker and scheduler."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any, NoReturn

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

import config
from sangdam.core import live
from sangdam.core.gc_tuning import freeze_loaded_objects
from sangdam.core.runtime import BackgroundServices
from sangdam.core.secret_file import require_real_secret
from sangdam.core.warmup import warm_up
from sangdam.core.webworker import UVICORN_OPTIONS


def _exec_supervisor(host: str, port: int, workers: int) -> NoReturn:
    """Become the supervisor of ``workers`` web processes (core/websupervisor.py).

    The supervisor only starts its workers and restarts one that dies; this process
    already holds Django and every app (~115 MB) that it would keep for nothing, so it
    replaces itself with a bare Python running the supervisor. Each worker loads the app.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    # The app's own ``config`` package first on sys.path, whatever the current directory
    # holds (the workers inherit it).
    app_dir = str(Path(config.__file__).resolve().parent.parent)
    path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = f"{app_dir}{os.pathsep}{path}" if path else app_dir
    os.execv(  # noqa: S606 (our interpreter, fixed arguments)
        sys.executable,
        [sys.executable, "-m", "sangdam.core.websupervisor", host, str(port), str(workers)],
    )


class Command(BaseCommand):
    help = "Serve the web app and websockets (and, with --embedded, the worker and scheduler)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--embedded", action="store_true", help="also run worker and scheduler")
        parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")

    def handle(self, *args: Any, **options: Any) -> None:
        require_real_secret()
        host, port = options["host"], options["port"]
        embedded = options["embedded"] or settings.EMBEDDED_WORKERS
        if embedded and options["workers"] > 1:
            # Several web processes would each need their own worker, scheduler and SMTP
            # receiver (a port only one can hold): that is the scaled mode's job.
            raise CommandError(
                "`sangdam run` is one process: web, task worker, scheduler and SMTP "
                "receiver. For more web processes use the scaled mode: "
                "`sangdam web --workers N` beside `sangdam worker`, `sangdam scheduler` and "
                "`sangdam smtpd` (docs/operations.md)."
            )
        if settings.DEMO:
            self.stdout.write(
                self.style.SUCCESS(
                    f"\nSangdam demo at http://{host}:{port}/\n"
                    "  log in as admin@example.com / sangdam-demo (demo mode only)\n"
                )
            )
        if options["workers"] > 1:
            _exec_supervisor(host, port, options["workers"])
        config = uvicorn.Config("config.asgi:application", host=host, port=port, **UVICORN_OPTIONS)
        config.load()  # the app and its imports, before the long-lived objects are frozen
        warm_up()
        freeze_loaded_objects()
        server = uvicorn.Server(config)
        services = BackgroundServices() if embedded else None
        # uvicorn handles SIGINT/SIGTERM while it serves, then restores the previous
        # handlers and raises the signal again. With the default SIGTERM handler that
        # second raise kills the process before the worker and scheduler are stopped
        # (a task cut off mid-send, the scheduler lease left to expire). Our handler
        # makes the re-raise harmless, so the ``finally`` below always runs.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: setattr(server, "should_exit", True))

        async def serve() -> None:
            live.MAIN_LOOP = asyncio.get_running_loop()
            if services:
                services.start()
            await server.serve()

        try:
            asyncio.run(serve())
        finally:
            if services:
                self.stdout.write("stopping worker and scheduler…")
                services.stop()
            live.MAIN_LOOP = None
