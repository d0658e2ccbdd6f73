"""Bits both halves of the intake bench share: a run's figures and a thread pool."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


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


def report(label: str, run: Run) -> float:
    rate = len(run.latencies) / run.seconds if run.seconds else 0.0
    print(
        f"  {label:<5} {rate:8.0f} inquiries/s   p50 {pct(run.latencies, 0.50):6.1f} ms   "
        f"p95 {pct(run.latencies, 0.95):6.1f} ms   p99 {pct(run.latencies, 0.99):6.1f} ms   "
        f"errors {sum(run.errors.values())} {json.dumps(run.errors) if run.errors else ''}"
    )
    return rate
