"""The supervisor of ``sangdam web --workers N``: N web processes sharing one listening socket.

uvicorn's own ``--workers`` supervisor spawns its workers through ``multiprocessing``: a
30 MB process (uvicorn, click and multiprocessing imported) plus a 16 MB
``resource_tracker`` process, ~47 MB of the scaled mode's memory for watching two children
(peer harness, 2026-12-03). This one imports the standard library's ``os``, ``signal``,
``socket`` and ``subprocess`` only (~10 MB): it binds the socket, starts each worker
(``python -m sangdam.core.webworker FD``, which serves that socket), starts a worker again
when one dies, on SIGHUP replaces every worker (new code or settings: requests in flight
finish, new connections wait in the socket's backlog until a new worker takes them; a
connection an old worker accepted in the very instant it stops, its request not yet read,
is closed, as in any restart), and on SIGTERM or SIGINT stops them all gracefully (uvicorn
finishes the requests in flight), killing those still running after ``STOP_SECONDS``.

Run by ``sangdam web`` (core/management/commands/serve.py) through ``exec``; nothing here
may import Django or the app.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

STOP_SECONDS = 30
# A worker that dies sooner than this after its start is started again only after a pause,
# growing up to MAX_PAUSE: a broken configuration must not become a busy loop.
QUICK_DEATH_SECONDS = 5
MAX_PAUSE = 10.0
TICK = 0.2  # how often the supervisor looks at its workers and at the signals it got


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _log(text: str) -> None:
    print(f"sangdam web supervisor: {text}", file=sys.stderr, flush=True)


def serve(host: str, port: int, workers: int) -> int:
    sock = _listen(host, port)
    command = [sys.executable, "-m", "sangdam.core.webworker", str(sock.fileno())]
    # Two glibc malloc arenas, as every `sangdam` command sets for itself (core/malloc.py:
    # ~15 MB less per web worker at peak in the peer harness); an operator's value wins.
    env = {"MALLOC_ARENA_MAX": "2", **os.environ, "SANGDAM_WEB_WORKER": "1"}
    running: dict[int, tuple[subprocess.Popen[bytes], float]] = {}
    retiring: set[int] = set()  # told to stop by a reload: replaced at once when they end
    due: list[float] = [0.0] * workers  # when each worker still to start may start
    pause = 0.0
    # The handlers only take note; the loop below acts (nothing is interrupted halfway).
    received: list[int] = []
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda signum, frame: received.append(signum))

    try:
        while not any(signum != signal.SIGHUP for signum in received):
            if received:
                received.clear()
                _log("SIGHUP: replacing the workers")
                for worker, _started in running.values():
                    retiring.add(worker.pid)
                    worker.terminate()
            now = time.monotonic()
            for when in [when for when in due if when <= now]:
                due.remove(when)
                child = subprocess.Popen(command, pass_fds=(sock.fileno(),), env=env)  # noqa: S603
                running[child.pid] = (child, now)
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:  # none running (all waiting to start again)
                pid, status = 0, 0
            if pid == 0:
                time.sleep(TICK)
                continue
            _ended, started = running.pop(pid, (None, 0.0))
            if pid in retiring:
                retiring.discard(pid)
                due.append(0.0)
                continue
            _log(f"worker {pid} ended ({os.waitstatus_to_exitcode(status)}); starting another")
            quick = time.monotonic() - started < QUICK_DEATH_SECONDS
            pause = min(MAX_PAUSE, max(0.5, pause * 2)) if quick else 0.0
            due.append(time.monotonic() + pause)
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        sock.close()
        for child, _started in running.values():
            child.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for child, _started in running.values():
            try:
                child.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    return 0


if __name__ == "__main__":
    host, port, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    sys.exit(serve(host, port, workers))
