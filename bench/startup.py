"""Start-up: how long a ``sangdam`` command takes to start, and whether the first requests
of a freshly started ``sangdam run`` wait for something the later ones do not.

Commands are timed as installed (bytecode compiled by ``make install``) and, as the
baseline in the same run, without compiled bytecode (an empty ``PYTHONPYCACHEPREFIX`` and
``PYTHONDONTWRITEBYTECODE``: what a read-only install that was not compiled pays on every
start). Then ``sangdam run`` starts on a fresh SQLite database with a default schedule
(public holidays of KR) and a topic; the moment it answers, one browser opens the contact
page (opening hours: the holiday calendar) and sends the form in English (the language
detector), then does both again 20 times. The stall is the first time minus the median.

    .venv/bin/python bench/startup.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time

import form
import httpx
from common import SANGDAM, backend_env, load_average, manage, start_server, stop, verdict

COMMANDS = (["--help"], ["help"], ["check"])
RUNS = 5
AGAIN = 20
TARGETS = {"start_s": 1.0, "stall_ms": 50.0}
SCHEDULE = (
    "from sangdam.service.models import Schedule\n"
    "Schedule.objects.create(name='hours', holiday_country='KR', "
    "week={str(d): [['00:00', '00:00']] for d in range(7)})"
)
ENGLISH = "I was charged twice for my subscription this month, please refund one."


def command_seconds(args: list[str], env: dict[str, str]) -> float:
    """Median wall time of ``sangdam <args>`` over RUNS runs."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([SANGDAM, *args], env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def contact_page_seconds(client: httpx.Client) -> float:
    start = time.perf_counter()
    page = client.get("/contact")
    if page.status_code != 200:
        sys.exit(f"GET /contact answered {page.status_code}")
    return time.perf_counter() - start


def form_cycle_seconds(base: str, tag: str) -> float:
    run = form.submit_forms(base, 1, 1, tag)
    if run.errors:
        sys.exit(f"form failed: {run.errors} {run.first_error}")
    return run.latencies[0]


def main() -> None:
    print(f"start-up (load {load_average()})")
    with backend_env("sqlite") as backend, tempfile.TemporaryDirectory() as empty:
        uncompiled = {**backend.env, "PYTHONPYCACHEPREFIX": empty, "PYTHONDONTWRITEBYTECODE": "1"}
        print(f"  {'command':<16} {'compiled':>9} {'not compiled':>13}")
        slowest = 0.0
        for args in COMMANDS:
            compiled = command_seconds(args, backend.env)
            slowest = max(slowest, compiled)
            baseline = command_seconds(args, uncompiled)
            print(f"  sangdam {' '.join(args):<8} {compiled:8.2f}s {baseline:12.2f}s")
        verdict("slowest command", f"< {TARGETS['start_s']:.0f} s", slowest < TARGETS["start_s"])

        manage(backend.env, "shell", "-c", SCHEDULE)
        form.setup(backend.env)
        form.TEXTS[:] = [ENGLISH]
        env = {**backend.env, **form.SERVER_ENV}
        started = time.perf_counter()
        proc, base = start_server(env, backend.tmp / "server.log")
        ready = time.perf_counter() - started
        try:
            with httpx.Client(base_url=base, timeout=30) as client:
                first_page = contact_page_seconds(client)
                first_form = form_cycle_seconds(base, "first")
                pages = [contact_page_seconds(client) for _ in range(AGAIN)]
            forms = [form_cycle_seconds(base, f"again{i}") for i in range(AGAIN)]
        finally:
            stop(proc)
    page_stall = (first_page - statistics.median(pages)) * 1000
    form_stall = (first_form - statistics.median(forms)) * 1000
    print(f"  `sangdam run` answers after {ready:.2f} s")
    print(
        f"  contact page: first {first_page * 1000:.0f} ms, then median "
        f"{statistics.median(pages) * 1000:.0f} ms (stall {page_stall:.0f} ms)"
    )
    print(
        f"  form (GET, POST, thank-you): first {first_form * 1000:.0f} ms, then median "
        f"{statistics.median(forms) * 1000:.0f} ms (stall {form_stall:.0f} ms)"
    )
    limit = TARGETS["stall_ms"]
    verdict("first-request stall", f"< {limit:.0f} ms", max(page_stall, form_stall) < limit)


if __name__ == "__main__":
    main()
