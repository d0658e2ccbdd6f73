"""Changing the service levels: schedules and SLA policies.

The console's admin pages and the REST API both save through here: the row is validated
with the model's own rules (weekly spans, time zone, holiday country, special hours), saved,
and every open ticket's due times are recomputed by a task queued in the same transaction.
A refused change raises Django's ``ValidationError`` and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import get_language

from sangdam.service.hours import WeeklyHours
from sangdam.service.models import Schedule, SlaPolicy

PREVIEW_DAYS = 14


def service_levels_changed() -> None:
    """Due times follow the hours and the targets: recompute open tickets (a task)."""
    from sangdam.service.tasks import recompute_due_times

    recompute_due_times.enqueue()


def do_save_schedule(schedule: Schedule) -> Schedule:
    schedule.full_clean()
    with transaction.atomic():
        schedule.save()
        service_levels_changed()
    return schedule


def do_delete_schedule(schedule: Schedule) -> None:
    with transaction.atomic():
        schedule.delete()
        service_levels_changed()


def do_save_policy(
    policy: SlaPolicy,
    *,
    topic_ids: Iterable[int] | None = None,
    channel_ids: Iterable[int] | None = None,
) -> SlaPolicy:
    """Save ``policy``; ``topic_ids``/``channel_ids`` replace its conditions when given."""
    policy.full_clean()
    with transaction.atomic():
        policy.save()
        if topic_ids is not None:
            policy.topics.set(list(topic_ids))
        if channel_ids is not None:
            policy.channels.set(list(channel_ids))
        service_levels_changed()
    return policy


def do_delete_policy(policy: SlaPolicy) -> None:
    with transaction.atomic():
        policy.delete()
        service_levels_changed()


@dataclass
class PreviewDay:
    day: dt.date
    spans: list[str]
    note: str  # the holiday, closure or special day's name


def preview(hours: WeeklyHours, today: dt.date, days: int = PREVIEW_DAYS) -> list[PreviewDay]:
    """What the schedule does on each of the next ``days`` days, as an admin reads it."""
    lang = (get_language() or "ko")[:2]
    rows = []
    for offset in range(days):
        day = today + dt.timedelta(days=offset)
        spans = [
            f"{s.isoformat('minutes')}–{'24:00' if e == dt.time(0) else e.isoformat('minutes')}"
            for s, e in hours.local_spans(day)
        ]
        rows.append(PreviewDay(day=day, spans=spans, note=hours.holiday_name(day, lang)))
    return rows
