"""Business hours and business time as pure functions (no database).

One module answers every question about a schedule: is it open at an instant, when does
it open next, when does the current span close, how much business time lies between two
instants, and what instant is N business minutes after another. The contact page, the
outside-hours replies and the SLA clocks all ask here; nothing else computes hours.

A schedule (:class:`WeeklyHours`) is weekly open spans per weekday (several a day, e.g.
a lunch break), a local time zone, public holidays of a country (the ``holidays``
package: Seollal and Chuseok with their substitute days for Korea), custom closures,
special hours for single dates (year-end: 09:00-13:00), and optional effective dates
outside which another schedule (the company default) applies.

Arithmetic is done on UTC instants: a local day's spans are turned into aware instants
first, so a business hour across a DST change is sixty real minutes, and comparisons
never depend on Python's wall-clock comparison of datetimes that share a tzinfo.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sangdam.core.lean import load_holiday_countries_one_by_one

if TYPE_CHECKING:
    import holidays

Interval = tuple[dt.time, dt.time]
# How far ahead we look: a schedule closed for this long counts as "never opens".
HORIZON_DAYS = 400
# A timeline grows by this many days at a time when a question reaches past its end.
_CHUNK_DAYS = 42


def parse_intervals(raw: Mapping[str, Sequence[Sequence[str]]]) -> dict[int, list[Interval]]:
    """``{"0": [["09:00", "18:00"]], ...}`` (0 = Monday) → typed intervals; bad input raises."""
    week: dict[int, list[Interval]] = {}
    for day, spans in raw.items():
        weekday = int(day)
        if not 0 <= weekday <= 6:
            raise ValueError(f"weekday {day!r} is not 0 (Monday) to 6 (Sunday)")
        week[weekday] = parse_spans(spans)
    return week


def parse_spans(spans: Sequence[Sequence[str]]) -> list[Interval]:
    """``[["09:00", "12:00"], ["13:00", "18:00"]]`` → sorted intervals; bad or overlapping raises."""
    parsed: list[Interval] = []
    for start, end in spans:
        opens, closes = dt.time.fromisoformat(start), dt.time.fromisoformat(end)
        # "24:00" is not a time; an end at midnight is written "00:00".
        if closes != dt.time(0) and closes <= opens:
            raise ValueError(f"{start}-{end} ends before it starts")
        parsed.append((opens, closes))
    parsed.sort()
    for (_s1, e1), (s2, _e2) in itertools.pairwise(parsed):
        if e1 == dt.time(0) or s2 < e1:
            raise ValueError(f"spans overlap at {s2.isoformat('minutes')}")
    return parsed


@lru_cache(maxsize=256)
def _calendar(country: str, subdivision: str, year: int, language: str) -> holidays.HolidayBase:
    # Building a country's calendar costs ~1 ms; the SLA recompute asks thousands of times.
    # The package (~7 MB with one country) is loaded here, not by every process: a saved
    # schedule answers from its holiday table; what that misses loads it (core/warmup.py
    # does so before a serving process listens, when a schedule needs it).
    load_holiday_countries_one_by_one()
    import holidays

    calendar = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    known = getattr(calendar, "supported_languages", ()) or ()
    wanted = next((code for code in known if language and code.startswith(language)), None)
    if wanted:
        calendar = holidays.country_holidays(
            country, subdiv=subdivision or None, years=year, language=wanted
        )
    return calendar


# A schedule's public holidays worked out ahead (``Schedule.holiday_table``): year ->
# language ("" for the country's own) -> {date: name}. Read from it, no process loads the
# ``holidays`` package (~8 MB with one country's rules) to answer "is it a holiday?".
HolidayTable = Mapping[int, Mapping[str, Mapping[dt.date, str]]]


def holiday_table(
    country: str, subdivision: str, years: Sequence[int], languages: Sequence[str]
) -> dict[str, dict[str, dict[str, str]]]:
    """The JSON of a country's holidays in ``years``, named in each of ``languages``."""
    return {
        str(year): {
            language: {
                day.isoformat(): str(name)
                for day, name in sorted(_calendar(country, subdivision, year, language).items())
            }
            for language in ("", *languages)
        }
        for year in years
    }


def read_holiday_table(raw: Mapping[str, Mapping[str, Mapping[str, str]]]) -> HolidayTable:
    """``holiday_table``'s JSON as dates (rows written by another version: what parses)."""
    table: dict[int, dict[str, dict[dt.date, str]]] = {}
    for year, languages in (raw or {}).items():
        try:
            table[int(year)] = {
                language: {dt.date.fromisoformat(day): name for day, name in names.items()}
                for language, names in languages.items()
            }
        except (TypeError, ValueError, AttributeError):
            continue  # that year comes from the package instead
    return table


@dataclass(frozen=True)
class WeeklyHours:
    time_zone: str
    week: dict[int, list[Interval]]
    holiday_country: str = ""
    holiday_subdivision: str = ""
    # The holidays worked out ahead; a year or language not in it asks the package.
    holiday_table: HolidayTable = field(default_factory=dict)
    closures: frozenset[dt.date] = field(default_factory=frozenset)
    closure_names: dict[dt.date, str] = field(default_factory=dict)
    # Dates with their own hours instead of the weekday's ([] is closed), e.g. year-end.
    special_hours: dict[dt.date, list[Interval]] = field(default_factory=dict)
    special_names: dict[dt.date, str] = field(default_factory=dict)
    # Outside [effective_from, effective_until] the ``fallback`` schedule applies (or none:
    # closed). A summer schedule for one channel falls back to the company default.
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    fallback: WeeklyHours | None = None

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def in_effect(self, day: dt.date) -> bool:
        if self.effective_from and day < self.effective_from:
            return False
        return not (self.effective_until and day > self.effective_until)

    def is_closed_day(self, day: dt.date) -> bool:
        """Closed all day by a holiday or closure (not merely a day without hours)."""
        if not self.in_effect(day):
            return self.fallback.is_closed_day(day) if self.fallback else True
        if day in self.closures:
            return True
        if day in self.special_hours:
            return not self.special_hours[day]
        return bool(self.holiday_country) and day in self._holidays(day.year)

    def holiday_name(self, day: dt.date, language: str = "") -> str:
        """The public holiday, closure or special day on ``day`` ("" if none)."""
        if not self.in_effect(day):
            return self.fallback.holiday_name(day, language) if self.fallback else ""
        if day in self.closures:
            return self.closure_names.get(day, "")
        if day in self.special_hours:
            return self.special_names.get(day, "")
        if not self.holiday_country:
            return ""
        return str(self._holidays(day.year, language).get(day) or "")

    def _holidays(self, year: int, language: str = "") -> Mapping[dt.date, str]:
        names = self.holiday_table.get(year, {}).get(language)
        if names is not None:
            return names
        return _calendar(self.holiday_country, self.holiday_subdivision, year, language)

    def local_spans(self, day: dt.date) -> list[Interval]:
        """The day's open spans as local times ([] when closed)."""
        if not self.in_effect(day):
            return self.fallback.local_spans(day) if self.fallback else []
        if day in self.closures:
            return []
        if day in self.special_hours:
            return list(self.special_hours[day])
        if self.holiday_country and day in self._holidays(day.year):
            return []
        return list(self.week.get(day.weekday(), []))

    def intervals_on(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The day's open spans as aware datetimes in the schedule's zone."""
        zone = self.fallback.zone if (self.fallback and not self.in_effect(day)) else self.zone
        spans = []
        for opens, closes in self.local_spans(day):
            start = dt.datetime.combine(day, opens, zone)
            end_day = day + dt.timedelta(days=1) if closes == dt.time(0) else day
            end = dt.datetime.combine(end_day, closes, zone)
            # A span inside a DST gap can come out empty or reversed: it has no real time.
            if end.timestamp() > start.timestamp():
                spans.append((start, end))
        return spans

    def local_date(self, when: dt.datetime) -> dt.date:
        return when.astimezone(self.zone).date()


def _ts(when: dt.datetime) -> float:
    if when.tzinfo is None:
        raise ValueError("business time needs aware datetimes")
    return when.timestamp()


class Timeline:
    """A schedule's open spans as sorted UTC instants, with running business seconds.

    Questions are answered by bisection, so the SLA recompute of many tickets on one
    schedule costs microseconds each. The timeline starts at the day before ``start``
    (a span may run past midnight) and grows forward on demand; asking about an instant
    before its start rebuilds it from there.
    """

    def __init__(self, hours: WeeklyHours, start: dt.datetime) -> None:
        self.hours = hours
        self._reset(hours.local_date(start) - dt.timedelta(days=1))

    def _reset(self, first_day: dt.date) -> None:
        self._first_day = first_day
        self._next_day = first_day
        self._origin = self._midnight(first_day)
        self._covered = self._origin
        self._starts: list[float] = []
        self._ends: list[float] = []
        # _done[i]: business seconds from the timeline's start to the end of span i.
        self._done: list[float] = []
        self._extend(_CHUNK_DAYS)

    def _midnight(self, day: dt.date) -> float:
        return dt.datetime.combine(day, dt.time(0), self.hours.zone).timestamp()

    def _extend(self, days: int) -> None:
        for offset in range(days):
            day = self._next_day + dt.timedelta(days=offset)
            for start, end in self.hours.intervals_on(day):
                s, e = start.timestamp(), end.timestamp()
                if self._ends and s <= self._ends[-1]:
                    # Touching spans ("18:00-00:00" then "00:00-02:00") are one span.
                    if e > self._ends[-1]:
                        self._done[-1] += e - self._ends[-1]
                        self._ends[-1] = e
                    continue
                before = self._done[-1] if self._done else 0.0
                self._starts.append(s)
                self._ends.append(e)
                self._done.append(before + (e - s))
        self._next_day += dt.timedelta(days=days)
        self._covered = self._midnight(self._next_day)

    def _covered_until(self) -> float:
        return self._covered

    def _cover(self, ts: float) -> None:
        if ts < self._origin:
            day = dt.datetime.fromtimestamp(ts, self.hours.zone).date() - dt.timedelta(days=1)
            self._reset(day)
        while self._covered <= ts + 86400:
            self._extend(_CHUNK_DAYS)

    def _elapsed(self, ts: float) -> float:
        """Business seconds from the timeline's start to ``ts``."""
        self._cover(ts)
        i = bisect.bisect_right(self._starts, ts) - 1
        if i < 0:
            return 0.0
        before = self._done[i - 1] if i else 0.0
        return before + min(ts, self._ends[i]) - self._starts[i]

    def seconds_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Business seconds in [start, end) (0 when end is not after start)."""
        a, b = _ts(start), _ts(end)
        if b <= a:
            return 0.0
        self._cover(a)
        return self._elapsed(b) - self._elapsed(a)

    def add_seconds(self, start: dt.datetime, seconds: float) -> dt.datetime | None:
        """The instant ``seconds`` of business time after ``start`` (None: not within the horizon)."""
        a = _ts(start)
        if seconds <= 0:
            return start
        self._cover(a)
        target = self._elapsed(a) + seconds
        limit = a + HORIZON_DAYS * 86400
        while not self._done or self._done[-1] < target:
            if self._covered_until() > limit:
                return None
            self._extend(_CHUNK_DAYS)
        i = bisect.bisect_left(self._done, target)
        before = self._done[i - 1] if i else 0.0
        return dt.datetime.fromtimestamp(self._starts[i] + (target - before), dt.UTC)

    def span_at(self, when: dt.datetime) -> tuple[float, float] | None:
        ts = _ts(when)
        self._cover(ts)
        i = bisect.bisect_right(self._starts, ts) - 1
        if i >= 0 and ts < self._ends[i]:
            return self._starts[i], self._ends[i]
        return None

    def next_start(self, when: dt.datetime) -> dt.datetime | None:
        """The first span start strictly after ``when``."""
        ts = _ts(when)
        self._cover(ts)
        limit = ts + HORIZON_DAYS * 86400
        while True:
            i = bisect.bisect_right(self._starts, ts)
            if i < len(self._starts):
                return dt.datetime.fromtimestamp(self._starts[i], dt.UTC)
            if self._covered_until() > limit:
                return None
            self._extend(_CHUNK_DAYS)


def is_open(hours: WeeklyHours, now: dt.datetime) -> bool:
    """Whether the schedule is open at ``now`` (an aware datetime in any zone).

    Only the days around ``now`` are looked at (a span starts the day before at the
    earliest): a :class:`Timeline` would lay out six weeks for one question, a
    millisecond on every phone call and form."""
    ts = _ts(now)
    day = hours.local_date(now)
    return any(
        start.timestamp() <= ts < end.timestamp()
        for offset in (-1, 0, 1)
        for start, end in hours.intervals_on(day + dt.timedelta(days=offset))
    )


def next_opening(hours: WeeklyHours, now: dt.datetime) -> dt.datetime | None:
    """The first instant after ``now`` when the schedule opens (None: not within the horizon),
    in the schedule's zone."""
    found = Timeline(hours, now).next_start(now)
    return found.astimezone(hours.zone) if found else None


def closes_at(hours: WeeklyHours, now: dt.datetime) -> dt.datetime | None:
    """When the span open at ``now`` ends (None when closed), in the schedule's zone."""
    span = Timeline(hours, now).span_at(now)
    return dt.datetime.fromtimestamp(span[1], hours.zone) if span else None


def business_minutes_between(hours: WeeklyHours, start: dt.datetime, end: dt.datetime) -> float:
    """Open minutes in [start, end): 0 when ``end`` is not after ``start``."""
    return Timeline(hours, start).seconds_between(start, end) / 60


def add_business_minutes(
    hours: WeeklyHours, start: dt.datetime, minutes: float
) -> dt.datetime | None:
    """The instant ``minutes`` of open time after ``start`` (None: the schedule never gets
    there within the horizon). Counting from a closed instant starts at the next opening;
    a result that ends a day's span is that span's closing time."""
    found = Timeline(hours, start).add_seconds(start, minutes * 60)
    return found.astimezone(hours.zone) if found else None
