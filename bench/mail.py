"""Email intake: mixed mail in over SMTP and IMAP, messages/s and correct threading.

For each backend it builds a throw-away database (``common.backend_env``) with an email
channel for support@example.com, then:

- SMTP: ``sangdam run`` (the embedded receiver on a free ``SMTP_PORT``) gets ``--count``
  mails from ``--concurrency`` smtplib clients, each keeping its connection open like
  an MTA; the time of each SMTP transaction (MAIL, RCPT, DATA up to the 250, which comes
  only after the intake committed) is measured.
- IMAP: the mails are appended to a folder of their own on the private Dovecot of
  ``.ci/dovecot.sh`` (127.0.0.1:10143), a Mailbox row points at it, and ``sangdam
  poll_imap`` runs until it finds nothing new.

The mail (``mailgen.py``) is conversations of one to three messages, delivered in a
shuffled order so many replies arrive before their originals. Afterwards the database
must hold every mail exactly once and every conversation on exactly one ticket.

    .venv/bin/python bench/mail.py --backend both --count 2000 --path both

Not ``email.py``: a script's folder comes first on sys.path, so that name would shadow
the standard library's ``email`` package (smtplib imports it), and mypy would take the
file for that package too.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import smtplib
import subprocess
import sys
import time

from common import (
    ROOT,
    Backend,
    Run,
    backend_env,
    cpu_seconds,
    free_port,
    load_average,
    manage,
    peak_rss_mb,
    report,
    run_parallel,
    server,
    verdict,
)
from imap_tools import AND, MailBoxUnencrypted
from mailgen import SUPPORT, Mail, conversations, delivery_order, early_replies, large_mails
from rawdb import Db

TARGET_PG = 400.0
IMAP_HOST, IMAP_PORT, IMAP_PASSWORD = "127.0.0.1", 10143, "sangdam-imap-test"
EXTRA = {
    # The intake may answer or notify by mail: rendered by the worker, sent nowhere.
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
}


def setup(env: dict[str, str]) -> int:
    """The email channel for support@example.com; its id."""
    out = manage(
        env,
        "shell",
        "-c",
        "from sangdam.connectors.models import Channel\n"
        f"print(Channel.objects.create(kind='email', name='Bench mail', address={SUPPORT!r}).pk)",
    )
    return int(out.strip().splitlines()[-1])


# --- SMTP ------------------------------------------------------------------------------


def wait_for_smtp(port: int) -> None:
    for _ in range(100):
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=2) as probe:
                probe.noop()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the SMTP receiver did not answer on port {port}")


def send_smtp(port: int, mails: list[Mail], concurrency: int) -> tuple[Run, set[str]]:
    """Every mail once; (timings, Message-IDs answered with 250)."""
    run, accepted = Run(), set()

    def one(i: int, client: smtplib.SMTP) -> None:
        mail = mails[i]
        start = time.perf_counter()
        try:
            refused = client.sendmail(mail.sender, [SUPPORT], mail.raw)
        except smtplib.SMTPResponseException as exc:
            run.error(f"SMTP {exc.smtp_code}")
            run.first_error = run.first_error or str(exc)[:300]
            with contextlib.suppress(smtplib.SMTPException, OSError):
                client.rset()
            return
        except (smtplib.SMTPException, OSError) as exc:
            run.error(type(exc).__name__)
            return
        elapsed = time.perf_counter() - start
        if refused:
            run.error("refused")
            return
        with run.lock:
            run.latencies.append(elapsed)
            accepted.add(mail.message_id)

    def make() -> smtplib.SMTP:
        return smtplib.SMTP("127.0.0.1", port, timeout=60)

    run.seconds = run_parallel(len(mails), concurrency, one, make)
    return run, accepted


def smtp_path(be: Backend, count: int, concurrency: int, smtp_threads: int) -> None:
    port = free_port()
    env = {**be.env, "SMTP_PORT": str(port)}
    if smtp_threads:
        env["SMTP_THREADS"] = str(smtp_threads)
    convs = conversations(count, "smtp")
    order = delivery_order(convs)
    with server(env, be.tmp / "server.log") as (proc, _base):
        wait_for_smtp(port)
        print(f"  SMTP: {len(order)} mails in {len(convs)} conversations, "
              f"{early_replies(order)} replies sent before their conversation's first mail; "
              f"{concurrency} clients, SMTP_THREADS={env.get('SMTP_THREADS', 'default')}, "
              f"load average {load_average()}")  # fmt: skip
        warm = conversations(100, "warm", seed=9)
        warm_run, _ = send_smtp(port, delivery_order(warm), concurrency)
        if warm_run.errors:
            print(f"  warm-up errors {warm_run.errors}: {warm_run.first_error}")
        cpu = cpu_seconds(proc.pid)
        run, accepted = send_smtp(port, order, concurrency)
        cpu = cpu_seconds(proc.pid) - cpu
        rss = peak_rss_mb(proc.pid)
    rate = report("SMTP", run, unit="mails/s")
    print(f"        total {run.seconds:.1f} s; server CPU {cpu * 1000 / max(1, len(accepted)):.1f} "
          f"ms per mail; server peak RSS {rss:.0f} MB; load average {load_average()} after")  # fmt: skip
    if run.first_error:
        print(f"  first error answer: {run.first_error}")
    print(f"  check {check(Db(be.name, be.target), 'smtp', convs, accepted)}")
    if be.name == "postgres":
        verdict(f"SMTP {rate:.0f} mails/s", "≥ 400/s", rate >= TARGET_PG)


def send_retrying(port: int, mails: list[Mail], concurrency: int) -> tuple[Run, set[str], int]:
    """Like a sending mail server: a mail refused for now (4xx at MAIL) is sent again after
    a pause (an MTA waits minutes; here half a second). (timings, accepted, deferrals)."""
    run, accepted = Run(), set()
    deferred = 0

    def one(i: int, client: smtplib.SMTP) -> None:
        nonlocal deferred
        mail = mails[i]
        start = time.perf_counter()
        while True:
            try:
                client.sendmail(mail.sender, [SUPPORT], mail.raw)
                break
            except smtplib.SMTPSenderRefused as exc:
                if exc.smtp_code // 100 != 4:
                    run.error(f"SMTP {exc.smtp_code}")
                    return
                with run.lock:
                    deferred += 1
                client.rset()
                time.sleep(0.5)
            except (smtplib.SMTPException, OSError) as exc:
                run.error(type(exc).__name__)
                run.first_error = run.first_error or str(exc)[:300]
                return
        with run.lock:
            run.latencies.append(time.perf_counter() - start)
            accepted.add(mail.message_id)

    def make() -> smtplib.SMTP:
        return smtplib.SMTP("127.0.0.1", port, timeout=120)

    run.seconds = run_parallel(len(mails), concurrency, one, make)
    return run, accepted, deferred


def storm_path(be: Backend, count: int, megabytes: float, concurrency: int) -> None:
    """Large mails at once: the server's peak memory while it takes them in."""
    port = free_port()
    env = {**be.env, "SMTP_PORT": str(port)}
    mails = large_mails(count, megabytes)
    size = sum(len(mail.raw) for mail in mails) / len(mails) / 1024 / 1024
    with server(env, be.tmp / "storm.log") as (proc, _base):
        wait_for_smtp(port)
        send_smtp(port, delivery_order(conversations(20, "storm-warm", seed=11)), 4)
        before = peak_rss_mb(proc.pid)
        run, accepted, deferred = send_retrying(port, mails, concurrency)
        rss = peak_rss_mb(proc.pid)
    print(f"  storm: {count} mails of {size:.1f} MB from {concurrency} clients: "
          f"{len(accepted)} accepted in {run.seconds:.1f} s ({deferred} times told to retry "
          f"later, 452), errors {run.errors or 0}; server peak RSS {before:.0f} MB before, "
          f"{rss:.0f} MB through it")  # fmt: skip
    if run.first_error:
        print(f"  first error answer: {run.first_error}")
    print(f"  check {check(Db(be.name, be.target), 'large', [[m] for m in mails], accepted)}")
    verdict(f"storm peak RSS {rss:.0f} MB", "< 200 MB", rss < 200)


# --- IMAP ------------------------------------------------------------------------------


def imap_client() -> MailBoxUnencrypted:
    return MailBoxUnencrypted(IMAP_HOST, IMAP_PORT, timeout=30).login(SUPPORT, IMAP_PASSWORD)


def poll(env: dict[str, str]) -> tuple[float, int]:
    """One ``sangdam poll_imap``: (seconds, mails taken in)."""
    start = time.perf_counter()
    out = manage(env, "poll_imap")
    seconds = time.perf_counter() - start
    return seconds, sum(int(line.split(": ")[1].split()[0]) for line in out.splitlines() if ": " in line)  # fmt: skip


def imap_path(be: Backend, channel_id: int, count: int, batch: int) -> None:
    started = subprocess.run(["bash", str(ROOT / ".ci" / "dovecot.sh")], check=False)
    if started.returncode:
        print("  IMAP: skipped, Dovecot did not start (.ci/dovecot.sh)")
        return
    folder = f"bench-{os.getpid()}-{be.name}"
    convs = conversations(count, "imap")
    order = delivery_order(convs)
    client = imap_client()
    client.folder.create(folder)
    env = {**be.env, "IMAP_BATCH": str(batch)}
    try:
        manage(env, "shell", "-c",
               "from sangdam.connectors.email.models import Mailbox\n"
               f"Mailbox.objects.create(channel_id={channel_id}, host={IMAP_HOST!r}, "
               f"port={IMAP_PORT}, security='none', username={SUPPORT!r}, "
               f"secrets={{'password': {IMAP_PASSWORD!r}}}, folder={folder!r})")  # fmt: skip
        empty, _ = poll(env)  # start-up and a poll that finds nothing: the fixed cost
        start = time.perf_counter()
        for mail in order:
            client.append(mail.raw, folder)
        appended = time.perf_counter() - start
        print(f"  IMAP: {len(order)} mails in {len(convs)} conversations appended to {folder} "
              f"in {appended:.1f} s; poll batch {batch}; load average {load_average()}")  # fmt: skip
        polls, taken, seconds = 0, 0, 0.0
        while True:
            took, n = poll(env)
            if not n:
                break
            polls, taken, seconds = polls + 1, taken + n, seconds + took
        client.folder.set(folder)
        unseen = len(client.uids(AND(seen=False)))
    finally:
        client.folder.set("INBOX")
        client.folder.delete(folder)
        client.logout()
    rate = taken / seconds if seconds else 0.0
    work = seconds - polls * empty
    print(f"  IMAP  {rate:8.0f} mails/s   total {seconds:.1f} s in {polls} polls "
          f"(each `sangdam poll_imap` starts a process: {empty:.1f} s when empty; "
          f"without that {taken / work if work > 0 else 0:.0f} mails/s); "
          f"{unseen} left unseen; load average {load_average()} after")  # fmt: skip
    ids = {m.message_id for m in order}
    print(f"  check {check(Db(be.name, be.target), 'imap', convs, ids)}")
    if be.name == "postgres":
        verdict(f"IMAP {rate:.0f} mails/s", "≥ 400/s", rate >= TARGET_PG)


# --- the database's verdict -------------------------------------------------------------


def check(db: Db, tag: str, convs: list[list[Mail]], accepted: set[str]) -> str:
    """Every accepted mail stored once; every conversation on exactly one ticket of its own."""
    conn = db.connect()
    rows = conn.execute(
        db.sql("SELECT external_id, ticket_id FROM tickets_message WHERE direction = ? "
               "AND external_id LIKE ?"),
        ("in", f"<{tag}.%"),
    ).fetchall()  # fmt: skip
    conn.close()
    stored: dict[str, list[int]] = {}
    for external_id, ticket_id in rows:
        stored.setdefault(external_id, []).append(ticket_id)
    lost = [m for m in accepted if m not in stored]
    doubled = [m for m, tickets in stored.items() if len(tickets) > 1]
    owners: dict[int, set[int]] = {}  # ticket → conversations on it
    split: list[int] = []
    for n, conv in enumerate(convs):
        tickets = {t for m in conv for t in stored.get(m.message_id, [])}
        if len(tickets) > 1:
            split.append(n)
        for t in tickets:
            owners.setdefault(t, set()).add(n)
    merged = {c for convs_on in owners.values() if len(convs_on) > 1 for c in convs_on}
    ok = not (lost or doubled or split or merged) and len(accepted) == sum(map(len, convs))
    text = (
        f"{'OK' if ok else 'FAILED'}: {len(accepted)} accepted, {len(stored)} stored, "
        f"{len(lost)} lost, {len(doubled)} doubled; {len(convs)} conversations on "
        f"{len(owners)} tickets: {len(split)} split over several tickets, "
        f"{len(merged)} sharing a ticket with another conversation"
    )
    if split:
        sample = convs[split[0]]
        text += "\n    first split: " + ", ".join(
            f"{m.message_id} (reply {m.k}) → tickets {stored.get(m.message_id)}" for m in sample
        )
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--path", choices=["smtp", "imap", "both"], default="both")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8, help="SMTP clients")
    parser.add_argument("--smtp-threads", type=int, default=0, help="SMTP_THREADS; 0: default")
    parser.add_argument("--imap-batch", type=int, default=200, help="IMAP_BATCH per poll")
    parser.add_argument("--storm", type=int, default=0, help="then N large mails at once")
    parser.add_argument("--storm-mb", type=float, default=24.0, help="size of each, MB")
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for backend in backends:
        with backend_env(backend, EXTRA) as be:
            print(f"\n== {backend}: {os.cpu_count()} CPUs, load average {load_average()}")
            channel_id = setup(be.env)
            if args.path in ("smtp", "both"):
                smtp_path(be, args.count, args.concurrency, args.smtp_threads)
            if args.path in ("imap", "both"):
                imap_path(be, channel_id, args.count, args.imap_batch)
            if args.storm:
                storm_path(be, args.storm, args.storm_mb, args.concurrency)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
