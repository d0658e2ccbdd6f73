"""Reads of schedules: which hours apply to a channel, a team, a ticket.

A team's own schedule wins for its tickets (the people who answer keep those hours),
then the channel's, then the company default. A schedule outside its effective dates
falls back to the default's hours.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from sangdam.core.memo import Memo
from sangdam.service.hours import WeeklyHours
from sangdam.service.models import Schedule, SlaClock
from sangdam.tickets.models import Ticket


@dataclass
class ScheduleBook:
    """Every schedule, loaded once, answering "which hours apply" without more queries."""

    default: Schedule | None = None
    by_channel: dict[int, Schedule] = field(default_factory=dict)
    by_team: dict[int, Schedule] = field(default_factory=dict)
    _hours: dict[int, WeeklyHours] = field(default_factory=dict)

    def hours_of(self, schedule: Schedule | None) -> WeeklyHours | None:
        if schedule is None:
            return None
        found = self._hours.get(schedule.pk)
        if found is None:
            fallback = None
            if self.default is not None and schedule.pk != self.default.pk:
                fallback = self.hours_of(self.default)
            found = self._hours[schedule.pk] = schedule.hours(fallback=fallback)
        return found

    def schedule_for(self, *, channel_id: int | None, team_id: int | None) -> Schedule | None:
        if team_id is not None and team_id in self.by_team:
            return self.by_team[team_id]
        if channel_id is not None and channel_id in self.by_channel:
            return self.by_channel[channel_id]
        return self.default

    def hours_for(
        self, *, channel_id: int | None, team_id: int | None = None
    ) -> WeeklyHours | None:
        return self.hours_of(self.schedule_for(channel_id=channel_id, team_id=team_id))


_books = Memo(Schedule)


def schedule_book() -> ScheduleBook:
    """Every schedule, kept per process for a few seconds (core/memo.py): every inquiry's
    SLA clock, confirmation and outside-hours answer asks which hours apply."""
    return _books.get("book", load_schedule_book)


def load_schedule_book() -> ScheduleBook:
    """Every schedule, read now (a recompute after a change must not see older rows)."""
    book = ScheduleBook()
    for schedule in Schedule.objects.order_by("id"):
        if schedule.team_id is not None:
            book.by_team[schedule.team_id] = schedule
        elif schedule.channel_id is not None:
            book.by_channel[schedule.channel_id] = schedule
        elif book.default is None:
            book.default = schedule
    return book


def warm_holiday_calendars() -> None:
    """Answer "is today a holiday?" for every schedule, before the first request does.

    A saved schedule answers from its own table (``Schedule.holiday_table``) and nothing
    more is loaded. One without (a row changed behind the model's back, or a date past
    its table) builds the calendar from the ``holidays`` package: the first loads it
    (~0.1–0.25 s, ~8 MB with one country's rules), which a process should do before its
    first request, not during it."""
    book = schedule_book()
    for schedule in [book.default, *book.by_channel.values(), *book.by_team.values()]:
        hours = book.hours_of(schedule) if schedule and schedule.holiday_country else None
        if hours is not None:
            hours.is_closed_day(hours.local_date(timezone.now()))


def schedules_by_channel() -> tuple[dict[int, Schedule], Schedule | None]:
    """({channel id: its own schedule}, the default schedule or None)."""
    book = schedule_book()
    return book.by_channel, book.default


def hours_for_channel(channel_id: int) -> WeeklyHours | None:
    """The hours customers of a channel see (its own, else the default)."""
    return schedule_book().hours_for(channel_id=channel_id)


def clock_of(ticket: Ticket) -> SlaClock | None:
    """The ticket's SLA clock row (due times, policy), or None when it has none.

    No query when the ticket was read with ``select_related("sla_clock")``.
    """
    try:
        return ticket.sla_clock
    except SlaClock.DoesNotExist:
        return None
