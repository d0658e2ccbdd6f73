"""Running the task worker and the scheduler in background threads (embedded mode)."""

from __future__ import annotations

import logging
import threading
import uuid

from django.conf import settings
from django.db import close_old_connections

from sangdam.core import taskloop
from sangdam.core.scheduler import run_scheduler
from sangdam.core.taskloop import Worker
from sangdam.core.workers import Heartbeat

log = logging.getLogger(__name__)


def make_worker(
    *,
    interval: float | None = None,
    batch: bool = False,
    queues: list[str] | None = None,
    give_way: float = 0.0,
) -> Worker:
    return Worker(
        give_way=give_way,
        queue_names=queues or ["*"],
        interval=settings.TASK_POLL_SECONDS if interval is None else interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"worker-{uuid.uuid4().hex[:10]}",
        excluded_queue_names=[],
    )


class BackgroundServices:
    """A task worker, the scheduler and the SMTP receiver (SMTP_PORT, 0 = off), stopped together."""

    def __init__(self) -> None:
        from sangdam.connectors.email.smtpd import receiver_from_env

        self.stop_event = threading.Event()
        self.smtp = receiver_from_env(embedded=True)
        # It shares this process with the web: requests first (core/inflight.py).
        self.worker = make_worker(give_way=settings.EMBEDDED_WORKER_GIVE_WAY_SECONDS)
        self.heartbeat = Heartbeat(self.worker.worker_id)
        self.threads = [
            threading.Thread(target=self._run_worker, name="sangdam-worker", daemon=True),
            threading.Thread(
                target=run_scheduler, args=(self.stop_event,), name="sangdam-scheduler", daemon=True
            ),
        ]

    def _run_worker(self) -> None:
        self.heartbeat.wait_ready()
        while not self.stop_event.is_set():
            try:
                self.worker.run()
            except Exception:
                # A database hiccup must not end the embedded worker for good.
                log.exception("worker crashed; restarting in 2 s")
                self.stop_event.wait(2)
        close_old_connections()
        log.info("worker %s stopped", self.worker.worker_id)

    def start(self) -> None:
        # The lease first: a task the worker claims is then never taken for orphaned.
        self.heartbeat.start()
        # Its claims are the ones the web's threads make for a task they run themselves.
        taskloop.set_local_worker(self.worker)
        for thread in self.threads:
            thread.start()
        if self.smtp:
            try:
                self.smtp.start()
            except (OSError, RuntimeError):
                # A taken port must not take the web console down with it; mail then
                # waits at the sender (or comes by IMAP) until the port is free.
                log.exception("SMTP receiver not started on port %s", self.smtp.port)
                self.smtp = None

    def stop(self, timeout: float = 10) -> bool:
        """Ask both threads to finish (a running task completes first); True if they did."""
        self.stop_event.set()
        self.worker.running = False
        taskloop.set_local_worker(None)
        if self.smtp:
            self.smtp.stop()
        for thread in self.threads:
            thread.join(timeout)
        if not self.threads[0].is_alive():
            self.heartbeat.stop()  # a worker still running its task keeps its lease
        alive = [thread.name for thread in self.threads if thread.is_alive()]
        if alive:
            log.warning("still running after %s s: %s", timeout, ", ".join(alive))
        return not alive
