"""Intake throughput: inquiries/s through the real REST API, against a raw-INSERT ceiling.

For each backend it builds a throw-away database (SQLite in a temp dir, or PostgreSQL
database ``bench_<pid>`` that it creates and drops), migrates it, creates an agent and
an API token, starts ``sangdam run`` (embedded: uvicorn + worker + scheduler, the way
production runs on one machine) and posts inquiries from concurrent keep-alive clients.
Then it checks that every acknowledged reference is stored exactly once with one
message, and writes the same five rows per inquiry with plain INSERTs (one transaction
each, same concurrency) to show how close the API gets to what the database allows.

    .venv/bin/python bench/intake.py --backend both --count 2000 --concurrency 8
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
from common import Run, pct, report, run_parallel
from rawdb import Db, raw_ceiling, verify

ROOT = Path(__file__).resolve().parent.parent
SANGDAM = str(ROOT / ".venv" / "bin" / "sangdam")
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
TARGETS = {"rate_pg": 670.0, "p99_ms": 50.0, "raw_share": 0.40, "rss_mb": 200.0}
EMAIL, PASSWORD = "bench-agent@example.com", "bench-agent-password-1"
TEXTS = [
    "결제가 두 번 되었어요. 환불 부탁드립니다.",
    "앱이 로그인 화면에서 계속 멈춥니다. 확인 부탁드려요.",
    "I was charged twice for my subscription this month, please refund one.",
    "구독을 해지했는데 이번 달에도 요금이 청구되었습니다.",
]


# --- the server ------------------------------------------------------------------------


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([SANGDAM, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"sangdam {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def setup(env: dict[str, str]) -> tuple[str, int]:
    """Create the agent and its token; return (raw token, id of a channel for raw rows)."""
    out = manage(
        env,
        "shell",
        "-c",
        "from sangdam.accounts.models import User\n"
        "from sangdam.connectors.models import Channel\n"
        f"User.objects.create_user({EMAIL!r}, {PASSWORD!r}, display_name='Bench')\n"
        "print(Channel.objects.create(kind='api', name='bench raw inserts').pk)",
    )
    return make_token(env), int(out.strip().splitlines()[-1])


def make_token(env: dict[str, str]) -> str:
    return manage(env, "create_api_token", EMAIL, "bench").strip().splitlines()[-1].strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [SANGDAM, "run", "--port", str(port)],
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


def post_inquiries(base: str, token: str, count: int, concurrency: int, tag: str) -> Run:
    run = Run()
    headers = {"Authorization": f"Bearer {token}"}

    def one(i: int, client: httpx.Client) -> None:
        body = {
            "customer": {"email": f"{tag}-{i}@example.com", "name": f"고객 {i}"},
            "subject": f"문의 {tag} {i}",
            "text": TEXTS[i % len(TEXTS)],
        }
        start = time.perf_counter()
        try:
            resp = client.post("/api/v1/tickets", json=body, headers=headers)
        except httpx.HTTPError as exc:
            run.error(type(exc).__name__)
            return
        elapsed = time.perf_counter() - start
        if resp.status_code != 201:
            run.error(f"HTTP {resp.status_code}")
            run.first_error = run.first_error or resp.text[:300]
            return
        data = resp.json()
        with run.lock:
            run.latencies.append(elapsed)
            run.references.append((data["reference"], data["id"]))

    def make() -> httpx.Client:
        return httpx.Client(base_url=base, timeout=30)

    run.seconds = run_parallel(count, concurrency, one, make)
    return run


# --- one backend, end to end -----------------------------------------------------------


def verdict(figure: str, target: str, met: bool) -> None:
    print(f"    {figure:<28} target {target:<9} {'met' if met else 'MISSED'}")


def bench_backend(backend: str, count: int, concurrency: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="sangdam-bench-"))
    env = {**os.environ, "SANGDAM_VAR_DIR": str(tmp), "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING"}
    env.pop("SANGDAM_DEMO", None)
    dbname = f"bench_{os.getpid()}"
    if backend == "postgres":
        env["DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + dbname
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{dbname}"')
        db = Db(backend, env["DATABASE_URL"])
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(tmp / "bench.sqlite3")
        db = Db(backend, env["SQLITE_PATH"])
    proc = None
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        token, channel_id = setup(env)
        proc, base = start_server(env, tmp / "server.log")
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"\n== {backend}: {count} inquiries, {concurrency} clients; {os.cpu_count()} CPUs, "
              f"load average {load} before the run")  # fmt: skip
        warm = post_inquiries(base, token, 200, concurrency, "warm")
        cpu = cpu_seconds(proc.pid)
        run = post_inquiries(base, token, count, concurrency, "bench") if warm.latencies else warm
        cpu = cpu_seconds(proc.pid) - cpu
        rss = peak_rss_mb(proc.pid)
        stop(proc)
        api_rate = report("API", run)
        print(f"        server CPU {cpu * 1000 / max(1, len(run.latencies)):.1f} ms per inquiry")
        if run.first_error:
            print(f"  first error answer: {run.first_error}")
        if warm.latencies:
            print(f"  check {verify(db, run)}")
        else:
            print("  the API answered no 201 during warm-up: is POST /api/v1/tickets there?")
            print("  server log tail:\n" + (tmp / "server.log").read_text()[-1500:])
        raw_rate = report("raw", raw_ceiling(db, count, concurrency, channel_id))
        p99, share = pct(run.latencies, 0.99), api_rate / raw_rate if raw_rate else 0.0
        print("  vs targets:")
        if backend == "postgres":
            verdict(f"throughput {api_rate:.0f}/s", "≥ 670/s", api_rate >= TARGETS["rate_pg"])
        verdict(f"p99 {p99:.1f} ms", "< 50 ms", p99 < TARGETS["p99_ms"])
        verdict(f"API/raw {share:.0%}", "≥ 40%", share >= TARGETS["raw_share"])
        verdict(f"server peak RSS {rss:.0f} MB", "< 200 MB", rss < TARGETS["rss_mb"])
    finally:
        if proc is not None:
            stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)
        if backend == "postgres":
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for backend in backends:
        bench_backend(backend, args.count, args.concurrency)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
