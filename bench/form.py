"""Homepage-form throughput: inquiries/s through /contact/new, the way a browser sends them.

Each client is a browser of its own (a keep-alive httpx client with its own cookie jar):
GET /contact/new (the CSRF cookie, the hidden ``csrfmiddlewaretoken`` and the per-render
``nonce`` are read from the page), POST the form as multipart/form-data with the
``Referer`` a browser sends (an empty file input, the honeypot left empty, the consent box
ticked, a topic the bench created), then follow the redirect to the thank-you page and read
the reference from it. The server is the real ``sangdam run`` on a throw-away database,
with the per-IP and per-email rate limits set out of reach (every client is 127.0.0.1).
Afterwards every reference from a thank-you page must be stored exactly once, with one
message, and the web-form channel must hold no ticket that no page acknowledged.

    .venv/bin/python bench/form.py --backend both --count 1000 --concurrency 8
"""

from __future__ import annotations

import argparse
import html
import os
import re
import sys
import time
import uuid
from dataclasses import dataclass, field

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
from rawdb import Db, drain_tasks

TARGETS = {"rate_pg": 670.0, "p99_ms": 50.0, "rss_mb": 200.0}
TOPIC = "bench-billing"
FORM = "/contact/new"
SERVER_ENV = {
    "PORTAL_RATE_LIMIT_PER_IP": str(10**9),
    "PORTAL_RATE_LIMIT_PER_EMAIL": str(10**9),
    # The confirmation mail is rendered by the worker as in production, but goes nowhere.
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
}
TEXTS = [
    "결제가 두 번 되었어요. 환불 부탁드립니다.",
    "앱이 로그인 화면에서 계속 멈춥니다. 확인 부탁드려요.",
    "I was charged twice for my subscription this month, please refund one.",
    "구독을 해지했는데 이번 달에도 요금이 청구되었습니다.",
]
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NONCE_RE = re.compile(r'<input[^>]*name="nonce"[^>]*>')
VALUE_RE = re.compile(r'value="([^"]*)"')
REFERENCE_RE = re.compile(r'id="reference">\s*([^<\s]+)\s*<')


@dataclass
class FormRun(Run):
    """Whole GET+POST+redirect cycles in ``latencies``; the POST alone in ``posts``."""

    posts: list[float] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    thanks_url: str = ""


def setup(env: dict[str, str]) -> None:
    """The topic the form offers (a fresh database has none)."""
    manage(
        env,
        "shell",
        "-c",
        "from sangdam.tickets.models import Topic\n"
        f"Topic.objects.create(slug={TOPIC!r}, names={{'ko': '결제', 'en': 'Billing'}})",
    )


def multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    """The body a browser sends: the fields, then an empty file input (``filename=""``)."""
    boundary = "----SangdamBench" + uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n\r\n"
    )
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


def submit_forms(base: str, count: int, concurrency: int, tag: str) -> FormRun:
    run = FormRun()
    form_url = base + FORM

    def fail(what: str, text: str) -> None:
        run.error(what)
        run.first_error = run.first_error or text[:300]

    def one(i: int, client: httpx.Client) -> None:
        start = time.perf_counter()
        try:
            page = client.get(FORM)
            csrf, nonce_input = CSRF_RE.search(page.text), NONCE_RE.search(page.text)
            nonce = VALUE_RE.search(nonce_input.group(0)) if nonce_input else None
            if page.status_code != 200 or not csrf or not nonce or TOPIC not in page.text:
                return fail(f"GET {page.status_code}", page.text)
            body, content_type = multipart(
                {
                    "csrfmiddlewaretoken": csrf.group(1),
                    "nonce": html.unescape(nonce.group(1)),
                    "name": f"고객 {i}",
                    "email": f"{tag}-{i}@example.com",
                    "phone": "",
                    "topic": TOPIC,
                    "subject": f"문의 {tag} {i}",
                    "description": TEXTS[i % len(TEXTS)],
                    "website": "",  # the honeypot: people leave it empty
                    "consent": "on",
                }
            )
            headers = {"Content-Type": content_type, "Referer": form_url, "Origin": base}
            posted = time.perf_counter()
            resp = client.post(FORM, content=body, headers=headers)
            post_seconds = time.perf_counter() - posted
            if resp.status_code != 302 or "/contact/thanks/" not in resp.headers.get(
                "location", ""
            ):
                return fail(f"POST {resp.status_code}", resp.text)
            thanks = client.get(resp.headers["location"])
            reference = REFERENCE_RE.search(thanks.text)
            if thanks.status_code != 200 or not reference:
                return fail(f"thanks {thanks.status_code}", thanks.text)
        except httpx.HTTPError as exc:
            return run.error(type(exc).__name__)
        elapsed = time.perf_counter() - start
        with run.lock:
            run.latencies.append(elapsed)
            run.posts.append(post_seconds)
            run.refs.append(reference.group(1))
            run.thanks_url = run.thanks_url or resp.headers["location"]

    def make() -> httpx.Client:
        return httpx.Client(base_url=base, timeout=30)

    run.seconds = run_parallel(count, concurrency, one, make)
    return run


def phase_cpu(proc_pid: int, base: str, url: str, count: int, concurrency: int) -> float:
    """Server CPU ms per GET of ``url`` alone: splits the cycle's CPU into its requests."""

    def one(i: int, client: httpx.Client) -> None:
        client.get(url)

    def make() -> httpx.Client:
        return httpx.Client(base_url=base, timeout=30)

    cpu = cpu_seconds(proc_pid)
    run_parallel(count, concurrency, one, make)
    return (cpu_seconds(proc_pid) - cpu) * 1000 / count


def verify_refs(db: Db, refs: list[str], accepted: int) -> str:
    """Each reference stored once with one message; no unacknowledged web-form tickets."""
    conn = db.connect()
    rows = conn.execute(
        "SELECT t.reference, COUNT(m.id) FROM tickets_ticket t "
        "JOIN connectors_channel c ON c.id = t.channel_id "
        "LEFT JOIN tickets_message m ON m.ticket_id = t.id "
        "WHERE c.kind = 'webform' GROUP BY t.id, t.reference"
    ).fetchall()
    conn.close()
    stored: dict[str, list[int]] = {}
    for ref, messages in rows:
        stored.setdefault(ref, []).append(messages)
    missing = [r for r in refs if r not in stored]
    twice = [r for r, found in stored.items() if len(found) != 1]
    wrong = [r for r in refs if r in stored and stored[r] != [1]]
    dupes = len(refs) - len(set(refs))
    extra = len(rows) - accepted
    ok = not (missing or twice or wrong or dupes or extra)
    return (
        f"{'OK' if ok else 'FAILED'}: {len(refs)} acknowledged, {len(missing)} missing, "
        f"{dupes} references shown twice, {len(wrong)} without exactly one message, "
        f"{len(twice)} stored twice, {extra} web-form tickets beyond the acknowledged ones"
    )


QUERY_COUNT = f"""
import re
from django.db import connection
from sangdam.core.runtime import make_worker
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client()
counts = {{}}
for i in range(3):
    with CaptureQueriesContext(connection) as q:
        page = client.get("{FORM}")
    counts["GET form"] = len(q)
    nonce = re.search(r'name="nonce" value="([^"]+)"', page.content.decode()).group(1)
    data = dict(nonce=nonce, name="kim", email=f"count{{i}}@example.com", topic="{TOPIC}",
                subject="hi", description="{TEXTS[0]}", consent="on", website="")
    with CaptureQueriesContext(connection) as q:
        answer = client.post("{FORM}", data)
    counts["POST"] = len(q)
    with CaptureQueriesContext(connection) as q:
        client.get(answer["Location"])
    counts["GET thanks"] = len(q)
    # What the worker does for it: claim the task, SLA, routing, triggers, index, mail.
    with CaptureQueriesContext(connection) as q:
        make_worker(batch=True, interval=0).run()
    counts["its tasks"] = len(q)
print(", ".join(f"{{k}} {{v}}" for k, v in counts.items()))
"""


def query_counts(env: dict[str, str]) -> str:
    """Queries per request of each path (a warm process; BEGIN/COMMIT included)."""
    return manage(env, "shell", "-c", QUERY_COUNT).strip().splitlines()[-1]


def bench_backend(backend: str, count: int, concurrency: int) -> None:
    with backend_env(backend, SERVER_ENV) as be:
        setup(be.env)
        with server(be.env, be.tmp / "server.log") as (proc, base):
            print(f"\n== {backend} form: {count} submissions, {concurrency} clients; "
                  f"{os.cpu_count()} CPUs, load average {load_average()} before the run")  # fmt: skip
            warm = submit_forms(base, 200, concurrency, "warm")
            drain_tasks(Db(be.name, be.target))
            cpu = cpu_seconds(proc.pid)
            run = submit_forms(base, count, concurrency, "bench") if warm.latencies else warm
            waited, failed = drain_tasks(Db(be.name, be.target))
            cpu = cpu_seconds(proc.pid) - cpu
            print(
                f"   task queue drained {waited:.1f} s after the last answer; {failed} tasks failed"
            )
            split: dict[str, float] = {}
            if run.thanks_url:
                split["GET form"] = phase_cpu(proc.pid, base, FORM, 300, concurrency)
                split["GET thanks"] = phase_cpu(proc.pid, base, run.thanks_url, 300, concurrency)
            rss = peak_rss_mb(proc.pid)
        print(f"   load average {load_average()} after the run")
        summarize(be, run, warm, cpu, rss, split)
        print(f"  queries per request: {query_counts(be.env)}")


def summarize(
    be: Backend, run: FormRun, warm: FormRun, cpu: float, rss: float, split: dict[str, float]
) -> None:
    rate = report("cycle", run, "submissions/s")
    report("POST", run, "submissions/s", run.posts)
    cycle = cpu * 1000 / max(1, len(run.latencies))
    print(f"        server CPU {cycle:.1f} ms per submission")
    if split:
        parts = ", ".join(f"{k} {v:.1f}" for k, v in split.items())
        post = cycle - sum(split.values())
        print(f"          of which {parts}, POST + confirmation mail task {post:.1f} ms")
    if run.first_error:
        print(f"  first error answer: {run.first_error}")
    if not warm.latencies:
        print("  no submission got through during warm-up; server log tail:")
        print((be.tmp / "server.log").read_text()[-1500:])
        return
    accepted = len(warm.refs) + len(run.refs)
    print(f"  check {verify_refs(Db(be.name, be.target), warm.refs + run.refs, accepted)}")
    p99 = pct(run.latencies, 0.99)
    print("  vs targets:")
    if be.name == "postgres":
        verdict(f"throughput {rate:.0f}/s", "≥ 670/s", rate >= TARGETS["rate_pg"])
    verdict(f"p99 (cycle) {p99:.1f} ms", "< 50 ms", p99 < TARGETS["p99_ms"])
    verdict(f"server peak RSS {rss:.0f} MB", "< 200 MB", rss < TARGETS["rss_mb"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for backend in backends:
        bench_backend(backend, args.count, args.concurrency)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
