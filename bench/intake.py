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
import sys
import time

import httpx
from common import (
    Backend,
    Run,
    backend_env,
    cpu_seconds,
    load_average,
    manage,
    pct,
    peak_rss_mb,
    report,
    run_parallel,
    server,
    verdict,
)
from rawdb import Db, drain_tasks, raw_ceiling, verify

TARGETS = {"rate_pg": 670.0, "p99_ms": 50.0, "raw_share": 0.40, "rss_mb": 200.0}
EMAIL, PASSWORD = "bench-agent@example.com", "bench-agent-password-1"
TEXTS = [
    "결제가 두 번 되었어요. 환불 부탁드립니다.",
    "앱이 로그인 화면에서 계속 멈춥니다. 확인 부탁드려요.",
    "I was charged twice for my subscription this month, please refund one.",
    "구독을 해지했는데 이번 달에도 요금이 청구되었습니다.",
]


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
    token = manage(env, "create_api_token", EMAIL, "bench").strip().splitlines()[-1].strip()
    return token, int(out.strip().splitlines()[-1])


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


def bench_backend(backend: str, count: int, concurrency: int) -> None:
    with backend_env(backend) as be:
        token, channel_id = setup(be.env)
        with server(be.env, be.tmp / "server.log") as (proc, base):
            print(f"\n== {backend}: {count} inquiries, {concurrency} clients; {os.cpu_count()} CPUs, "
                  f"load average {load_average()} before the run")  # fmt: skip
            warm = post_inquiries(base, token, 200, concurrency, "warm")
            drain_tasks(Db(be.name, be.target))
            cpu = cpu_seconds(proc.pid)
            run = (
                post_inquiries(base, token, count, concurrency, "bench") if warm.latencies else warm
            )
            # The CPU of each inquiry's task (SLA clocks, routing, search index) too.
            waited, failed = drain_tasks(Db(be.name, be.target))
            cpu = cpu_seconds(proc.pid) - cpu
            rss = peak_rss_mb(proc.pid)
        print(f"   task queue drained {waited:.1f} s after the last answer; {failed} tasks failed")
        summarize(be, run, warm, cpu, rss, channel_id, concurrency)


def summarize(
    be: Backend, run: Run, warm: Run, cpu: float, rss: float, channel_id: int, concurrency: int
) -> None:
    db = Db(be.name, be.target)
    api_rate = report("API", run)
    print(
        f"        server CPU {cpu * 1000 / max(1, len(run.latencies)):.1f} ms per inquiry (its task included)"
    )
    if run.first_error:
        print(f"  first error answer: {run.first_error}")
    if warm.latencies:
        print(f"  check {verify(db, run)}")
    else:
        print("  the API answered no 201 during warm-up: is POST /api/v1/tickets there?")
        print("  server log tail:\n" + (be.tmp / "server.log").read_text()[-1500:])
    count = len(run.latencies) + sum(run.errors.values())
    raw_rate = report("raw", raw_ceiling(db, count, concurrency, channel_id))
    p99, share = pct(run.latencies, 0.99), api_rate / raw_rate if raw_rate else 0.0
    print("  vs targets:")
    if be.name == "postgres":
        verdict(f"throughput {api_rate:.0f}/s", "≥ 670/s", api_rate >= TARGETS["rate_pg"])
    verdict(f"p99 {p99:.1f} ms", "< 50 ms", p99 < TARGETS["p99_ms"])
    verdict(f"API/raw {share:.0%}", "≥ 40%", share >= TARGETS["raw_share"])
    verdict(f"server peak RSS {rss:.0f} MB", "< 200 MB", rss < TARGETS["rss_mb"])


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
