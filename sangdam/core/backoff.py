"""The one retry policy: exponential backoff, bounded, for every task that retries.

Delivery of replies, the portal's confirmation mail, webhook processing and provider HTTP
calls all wait ``base * 2 ** (attempt - 1)`` seconds (capped) after a failed attempt and
give up after ``max_attempts``. django-tasks has no retry policy of its own: tasks
re-enqueue themselves with ``run_after=retry_at(...)``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

# Nobody should wait more than an hour between two attempts of the same work.
MAX_DELAY_SECONDS = 3600.0


def delay_seconds(attempt: int, *, base: float | None = None) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1 = the first try)."""
    base = settings.DELIVERY_BACKOFF_SECONDS if base is None else base
    return float(min(base * 2 ** max(attempt - 1, 0), MAX_DELAY_SECONDS))


def retry_at(attempt: int, *, base: float | None = None) -> dt.datetime:
    """When to try again after failed attempt number ``attempt``."""
    return timezone.now() + dt.timedelta(seconds=delay_seconds(attempt, base=base))


def gave_up(attempt: int, *, max_attempts: int | None = None) -> bool:
    """Whether ``attempt`` failed attempts are all we make."""
    limit = settings.DELIVERY_MAX_ATTEMPTS if max_attempts is None else max_attempts
    return attempt >= limit
