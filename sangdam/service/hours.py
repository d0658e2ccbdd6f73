"""Business hours as pure functions: is a schedule open at an instant, and when does it open next.

Everything here works on plain values (no database), so the rules — weekly hours per
weekday, a local time zone, public holidays by country, custom closures — are tested
without Django. The :class:`~sangdam.service.models.Schedule` model turns its row into a
:class:`WeeklyHours` with ``hours()``; the SLA clocks will count business time on it too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays

Interval = tuple[dt.time, dt.time]
# How far ahead next_opening() looks: a schedule closed for a year is "closed".
HORIZON_DAYS = 400


def parse_intervals(raw: Mapping[str, Sequence[Sequence[str]]]) -> dict[int, list[Interval]]:
    """``{"0": [["09:00", "18:00"]], ...}`` (0 = Monday) → typed intervals; bad input raises."""
    week: dict[int, list[Interval]] = {}
    for day, spans in raw.items():
        weekday = int(day)
        if not 0 <= weekday <= 6:
            raise ValueError(f"weekday {day!r} is not 0 (Monday) to 6 (Sunday)")
        parsed: list[Interval] = []
        for start, end in spans:
            opens, closes = dt.time.fromisoformat(start), dt.time.fromisoformat(end)
            # "24:00" is not a time; an end at midnight is written "00:00".
            if closes != dt.time(0) and closes <= opens:
                raise ValueError(f"{start}-{end} ends before it starts")
            parsed.append((opens, closes))
        week[weekday] = sorted(parsed)
    return week


@dataclass(frozen=True)
class WeeklyHours:
    time_zone: str
    week: dict[int, list[Interval]]
    holiday_country: str = ""
    holiday_subdivision: str = ""
    closures: frozenset[dt.date] = field(default_factory=frozenset)
    closure_names: dict[dt.date, str] = field(default_factory=dict)

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_closed_day(self, day: dt.date) -> bool:
        if day in self.closures:
            return True
        return bool(self.holiday_country) and day in self._holidays(day.year)

    def holiday_name(self, day: dt.date, language: str = "") -> str:
        """The public holiday or closure on ``day`` ("" if none), in ``language`` if known."""
        if day in self.closures:
            return self.closure_names.get(day, "")
        if not self.holiday_country:
            return ""
        return str(self._holidays(day.year, language).get(day) or "")

    def _holidays(self, year: int, language: str = "") -> holidays.HolidayBase:
        calendar = holidays.country_holidays(
            self.holiday_country, subdiv=self.holiday_subdivision or None, years=year
        )
        known = getattr(calendar, "supported_languages", ()) or ()
        wanted = next((code for code in known if language and code.startswith(language)), None)
        if wanted:
            calendar = holidays.country_holidays(
                self.holiday_country,
                subdiv=self.holiday_subdivision or None,
                years=year,
                language=wanted,
            )
        return calendar

    def intervals_on(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The day's open spans as aware datetimes in the schedule's zone."""
        if self.is_closed_day(day):
            return []
        spans = []
        for opens, closes in self.week.get(day.weekday(), []):
            start = dt.datetime.combine(day, opens, self.zone)
            end_day = day + dt.timedelta(days=1) if closes == dt.time(0) else day
            spans.append((start, dt.datetime.combine(end_day, closes, self.zone)))
        return spans


def is_open(hours: WeeklyHours, now: dt.datetime) -> bool:
    """Whether the schedule is open at ``now`` (an aware datetime in any zone)."""
    local = now.astimezone(hours.zone)
    # Yesterday too: a span may run past midnight ("18:00"-"00:00" ends at 24:00).
    for day in (local.date() - dt.timedelta(days=1), local.date()):
        for start, end in hours.intervals_on(day):
            if start <= local < end:
                return True
    return False


def next_opening(hours: WeeklyHours, now: dt.datetime) -> dt.datetime | None:
    """The first instant after ``now`` when a closed schedule opens (None: not within a year)."""
    local = now.astimezone(hours.zone)
    for offset in range(HORIZON_DAYS):
        day = local.date() + dt.timedelta(days=offset)
        for start, _end in hours.intervals_on(day):
            if start > local:
                return start
    return None


def closes_at(hours: WeeklyHours, now: dt.datetime) -> dt.datetime | None:
    """When the span open at ``now`` ends (None when closed)."""
    local = now.astimezone(hours.zone)
    for day in (local.date() - dt.timedelta(days=1), local.date()):
        for start, end in hours.intervals_on(day):
            if start <= local < end:
                return end
    return None
