"""Crash figures: every intake path under load while the server is SIGKILLed, then checked.

For each backend a fresh database, then clients on every path at once (SMTP receiver,
IMAP poll, homepage form, REST API, app API, and agents' replies that the worker mails to
a recording SMTP server) while ``sangdam run`` is killed with SIGKILL ``--cycles`` times
at seeded random moments and started again (the IMAP poller, ``sangdam imap_idle``, with
it one time in three). Clients retry what was not acknowledged with the same Message-ID,
Idempotency-Key or form nonce, as real ones do. Afterwards every acknowledgement (SMTP
250, HTTP 201/302, IMAP \\Seen) is compared with the database.

    .venv/bin/python bench/crash.py --backend both --cycles 50 --seed 1

The run itself is ``tests/crash/run.py`` (also the slow suite's, with fewer cycles).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from common import ROOT, load_average

sys.path.insert(0, str(ROOT))
from tests.crash.rig import dovecot_answers
from tests.crash.run import PATHS, Report, crash_run

PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def show(report: Report) -> None:
    print(
        f"\n== {report.backend}: {report.cycles} kill cycles in {report.seconds:.0f} s "
        f"(seed {report.seed}); load average {load_average()}"
    )
    print(
        f"   {'path':<8} {'acknowledged':>12} {'retried':>8} {'lost':>5} {'doubled':>8} "
        f"{'unacked':>8} {'other':>6}"
    )
    for path in PATHS:
        f = report.paths[path]
        print(
            f"   {path:<8} {f.acknowledged:>12} {f.retried:>8} {len(f.lost):>5} "
            f"{len(f.doubled):>8} {len(f.unacknowledged):>8} {len(f.other):>6}"
        )
    reply = report.paths["reply"]
    print(
        f"   replies the mail server received twice (allowed: at least once): {reply.received_twice}"
    )
    problems = report.problems
    print(f"   check {'OK' if not problems else f'FAILED ({len(problems)} problems)'}")
    for problem in problems[:20]:
        print(f"     {problem}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--cycles", type=int, default=50, help="kill cycles per backend")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--minutes", type=float, default=0, help="stop killing after this long per backend"
    )
    args = parser.parse_args()
    if not dovecot_answers():
        sys.exit("Dovecot does not answer: run `bash .ci/dovecot.sh` first")
    print(f"{os.cpu_count()} CPUs, load average {load_average()} before the run")
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    failed = False
    for backend in backends:
        report = crash_run(
            backend,
            cycles=args.cycles,
            seed=args.seed,
            postgres_url=PG_URL,
            minutes=args.minutes,
            say=lambda text: print(f"{time.strftime('%H:%M:%S')} {text}", flush=True),
        )
        show(report)
        failed = failed or bool(report.problems)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
