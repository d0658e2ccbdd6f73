"""Reads of schedules for the contact page (and later the SLA clocks)."""

from __future__ import annotations

from sangdam.service.models import Schedule


def schedules_by_channel() -> tuple[dict[int, Schedule], Schedule | None]:
    """({channel id: its own schedule}, the default schedule or None)."""
    own: dict[int, Schedule] = {}
    default = None
    for schedule in Schedule.objects.all():
        if schedule.channel_id is None:
            default = default or schedule
        else:
            own[schedule.channel_id] = schedule
    return own, default
