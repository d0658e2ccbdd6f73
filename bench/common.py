"""Bits the benches share: a run's figures, a thread pool, and a throw-away server.

``backend_env`` builds a fresh database (SQLite in a temp dir, or PostgreSQL database
``bench_<pid>``, created and dropped) and ``start_server`` runs ``sangdam run`` against it
(embedded: uvicorn + task worker + scheduler, the production way on one machine).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
SANGDAM = str(ROOT / ".venv" / "bin" / "sangdam")
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    references: list[tuple[str, int]] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    first_error: str = ""
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors[what] = self.errors.get(what, 0) + 1


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def run_parallel(
    count: int, concurrency: int, one: Callable[[int, Any], None], make: Callable[[], Any]
) -> float:
    """Run ``one(i, client)`` for i in range(count) over ``concurrency`` threads."""
    counter = iter(range(count))
    lock = threading.Lock()

    def worker() -> None:
        client = make()
        try:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                one(i, client)
        finally:
            client.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def report(label: str, run: Run, unit: str = "inquiries/s", latencies: list[float] | None = None) -> float:  # fmt: skip
    """Print rate, p50/p95/p99 (of ``latencies``, default the run's) and errors; return the rate."""
    lat = run.latencies if latencies is None else latencies
    rate = len(run.latencies) / run.seconds if run.seconds else 0.0
    print(
        f"  {label:<5} {rate:8.0f} {unit}   p50 {pct(lat, 0.50):6.1f} ms   "
        f"p95 {pct(lat, 0.95):6.1f} ms   p99 {pct(lat, 0.99):6.1f} ms   "
        f"errors {sum(run.errors.values())} {json.dumps(run.errors) if run.errors else ''}"
    )
    return rate


def verdict(figure: str, target: str, met: bool) -> None:
    print(f"    {figure:<28} target {target:<9} {'met' if met else 'MISSED'}")


def load_average() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


# --- a throw-away database and server ----------------------------------------------------


@dataclass
class Backend:
    name: str  # "sqlite" or "postgres"
    env: dict[str, str]
    tmp: Path
    target: str  # the DATABASE_URL or the SQLite path, for straight-to-the-database checks


@contextmanager
def backend_env(name: str, extra: dict[str, str] | None = None) -> Iterator[Backend]:
    """A fresh, migrated database and the environment to run ``sangdam`` against it."""
    tmp = Path(tempfile.mkdtemp(prefix="sangdam-bench-"))
    env = {
        **os.environ,
        "SANGDAM_VAR_DIR": str(tmp),
        "SECRET_KEY": "bench-signing-key-not-for-production-use",
        "LOG_LEVEL": "WARNING",
        "API_RATE_PER_MINUTE": "0",  # benches measure throughput, not the per-token limit
    }
    env.pop("SANGDAM_DEMO", None)
    env.update(extra or {})
    dbname = f"bench_{os.getpid()}"
    if name == "postgres":
        env["DATABASE_URL"] = target = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + dbname
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{dbname}"')
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = target = str(tmp / "bench.sqlite3")
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        yield Backend(name, env, tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if name == "postgres":
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([SANGDAM, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"sangdam {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(
    env: dict[str, str], log: Path, command: str = "run"
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``sangdam run`` (or ``web``: no worker) on a free port; yields (process, base URL)
    and stops it afterwards."""
    proc, base = start_server(env, log, command)
    try:
        yield proc, base
    finally:
        stop(proc)


@contextmanager
def scaled_server(
    env: dict[str, str], tmp: Path, redis_db: int = 7
) -> Iterator[tuple[list[subprocess.Popen[bytes]], str]]:
    """The scaled setup on one machine: ``sangdam web`` and ``sangdam worker`` as separate
    processes sharing Redis (db ``redis_db``, emptied first); yields both processes (their
    CPU is the server's) and the web's base URL. The worker's listeners then run off the
    web process's GIL, as they would on another machine."""
    import redis

    url = f"redis://127.0.0.1:6379/{redis_db}"
    redis.Redis.from_url(url).flushdb()
    env = {**env, "REDIS_URL": url}
    web, base = start_server(env, tmp / "web.log", "web")
    worker = subprocess.Popen(
        [SANGDAM, "worker"],
        env=env,
        stdout=(tmp / "worker.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        yield [web, worker], base
    finally:
        stop(web)
        stop(worker)


def start_server(
    env: dict[str, str], log: Path, command: str = "run"
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [SANGDAM, command, "--port", str(port)],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/login/", timeout=1).status_code < 500:
                return proc, base
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    stop(proc)
    raise RuntimeError("server did not start in 30 s")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used: robust when other work shares the machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- one channel under concurrent load (bench/voice.py, bench/kakao_skill.py) -------------


def create_channel(env: dict[str, str], script: str) -> tuple[int, str]:
    """Run ``script`` in ``sangdam shell`` (it must end by printing the channel's pk and
    key) and return (pk, key)."""
    pk, key = manage(env, "shell", "-c", script).split()[-2:]
    return int(pk), key


def drive(
    proc: subprocess.Popen[bytes] | list[subprocess.Popen[bytes]],
    *,
    count: int,
    concurrency: int,
    one: Callable[[int, httpx.Client], None],
    run: Run,
    reset: Callable[[], None],
    warm: int = 10,
    warm_from: int = 90_000_000,
    then: Callable[[], None] | None = None,
) -> float:
    """Warm the server with ``warm`` items (numbered from ``warm_from``), ``reset`` what
    they recorded, then run ``count`` items over ``concurrency`` threads, each with its
    own httpx client; ``run.seconds`` is set. Returns the server's CPU seconds for the
    measured items (and ``then``, such as draining the worker)."""

    def client() -> httpx.Client:
        return httpx.Client(timeout=10)

    procs = proc if isinstance(proc, list) else [proc]
    run_parallel(warm, min(concurrency, warm), lambda n, c: one(warm_from + n, c), client)
    reset()
    cpu = sum(cpu_seconds(p.pid) for p in procs)
    run.seconds = run_parallel(count, concurrency, one, client)
    if then is not None:
        then()
    return sum(cpu_seconds(p.pid) for p in procs) - cpu
