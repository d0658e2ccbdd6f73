"""A generated day of inquiries and agent work, to measure the wait estimate's error.

First-come-first-served with ``agents`` agents; an inquiry's first answer comes when an
agent finishes handling it (handle times exponential). At each arrival the estimate of
:func:`sangdam.routing.waits.estimate_minutes` is taken from what the system could know
then — inquiries not yet answered, agents on shift, the mean of the last 20 handle times —
and compared with the wait that followed. Pure Python, seeded: the same seed gives the
same day.
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from sangdam.routing.waits import estimate_minutes

Estimator = Callable[[int, int, float], float | None]


def proposed(waiting: int, agents: int, handle: float) -> float | None:
    return estimate_minutes(waiting=waiting, agents=agents, handle_minutes=handle)


def naive(waiting: int, agents: int, handle: float) -> float | None:
    """The issue's first sketch: queue length × handle time ÷ agents."""
    return waiting * handle / agents if agents else None


@dataclass(frozen=True)
class DayResult:
    inquiries: int
    mean_wait: float
    mae: float  # mean absolute error of the estimate, minutes
    mae_constant: float  # error of always saying the day's mean wait (a baseline)
    # The error left even when the queue ahead is known exactly: each answer's own
    # handling time is random (an oracle's error, the floor for any estimate).
    mae_floor: float


def simulate_day(
    *,
    seed: int = 1,
    agents_by_hour: tuple[int, ...] = (2, 3, 4, 4, 3, 4, 4, 3, 2),  # 09:00-18:00
    arrivals_per_hour: tuple[float, ...] = (20, 35, 50, 55, 40, 50, 55, 40, 25),
    mean_handle: float = 4.0,
    estimator: Estimator = proposed,
) -> DayResult:
    rng = random.Random(seed)
    # Arrivals (minutes from opening), hour by hour: a Poisson process per hour.
    arrivals: list[float] = []
    for hour, rate in enumerate(arrivals_per_hour):
        t = hour * 60.0
        while True:
            t += rng.expovariate(rate / 60.0)
            if t >= (hour + 1) * 60.0:
                break
            arrivals.append(t)
    # Agents: each is free at some time; the shift size follows agents_by_hour (an agent
    # who leaves finishes what they hold; one who arrives starts at the hour).
    free_at: list[tuple[float, int]] = []  # heap of (time free, agent id)
    on_shift_from: dict[int, float] = {}
    next_agent = 0
    recent: deque[float] = deque(maxlen=20)
    estimates: list[float] = []
    waits: list[float] = []
    floor: list[float] = []
    pending_answers: list[float] = []  # heap of answer times of inquiries not yet answered

    def shift(t: float) -> int:
        return agents_by_hour[min(int(t // 60), len(agents_by_hour) - 1)]

    for t in arrivals:
        # Bring the shift to its size for this hour.
        size = shift(t)
        while len(free_at) < size:
            heapq.heappush(free_at, (t if t < 60 else (t // 60) * 60, next_agent))
            on_shift_from[next_agent] = t
            next_agent += 1
        while len(free_at) > size:
            free_at.remove(max(free_at))
            heapq.heapify(free_at)
        while pending_answers and pending_answers[0] <= t:
            heapq.heappop(pending_answers)
        waiting = len(pending_answers)
        handle_now = sum(recent) / len(recent) if recent else mean_handle
        guess = estimator(waiting, len(free_at), handle_now)
        # FCFS: the agent free soonest takes it.
        start_free, agent = heapq.heappop(free_at)
        start = max(t, start_free)
        handle = rng.expovariate(1 / mean_handle)
        answered = start + handle
        heapq.heappush(free_at, (answered, agent))
        heapq.heappush(pending_answers, answered)
        recent.append(handle)
        waits.append(answered - t)
        floor.append(abs(handle - mean_handle))
        estimates.append(guess if guess is not None else 0.0)
    mean_wait = sum(waits) / len(waits)
    mae = sum(abs(e - w) for e, w in zip(estimates, waits, strict=True)) / len(waits)
    mae_constant = sum(abs(mean_wait - w) for w in waits) / len(waits)
    return DayResult(len(waits), mean_wait, mae, mae_constant, sum(floor) / len(floor))
