"""The supervisor of ``sangdam web --workers N``: N web processes sharing one listening socket.

uvicorn's own ``--workers`` supervisor spawns its workers through ``multiprocessing``: a
30 MB process (uvicorn, click and multiprocessing imported) plus a 16 MB
``resource_tracker`` process, ~47 MB of the scaled mode's memory for watching two children
(peer harness, 2026-12-03). This one imports the standard library's ``os``, ``signal``,
``socket`` and ``subprocess`` only (~10 MB): it binds the socket, starts each worker
(``python -m sangdam.core.webworker FD``, which serves that socket), starts a worker again
when one dies, and on SIGTERM or SIGINT stops them all gracefully (uvicorn finishes the
requests in flight), killing those still running after ``STOP_SECONDS``.

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


class _Stop(Exception):
    pass


def _stop(signum: int, frame: object) -> None:
    raise _Stop


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
    pause = 0.0

    def start() -> None:
        child = subprocess.Popen(command, pass_fds=(sock.fileno(),), env=env)  # noqa: S603
        running[child.pid] = (child, time.monotonic())

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        for _ in range(workers):
            start()
        while True:
            pid, status = os.wait()
            child, started = running.pop(pid, (None, 0.0))
            if child is None:
                continue
            code = os.waitstatus_to_exitcode(status)
            _log(f"worker {pid} ended ({code}); starting another")
            quick = time.monotonic() - started < QUICK_DEATH_SECONDS
            pause = min(MAX_PAUSE, max(0.5, pause * 2)) if quick else 0.0
            time.sleep(pause)
            start()
    except _Stop:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    finally:
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
