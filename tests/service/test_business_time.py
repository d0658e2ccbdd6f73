"""Business time as pure functions: open at t, next opening, minutes between, add minutes.

Properties hold across weekends, public holidays (Seollal, Chuseok and their substitute
days), DST zones and year boundaries; a few worked examples pin the exact answers.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sangdam.service.hours import (
    Timeline,
    WeeklyHours,
    add_business_minutes,
    business_minutes_between,
    closes_at,
    is_open,
    next_opening,
    parse_intervals,
)

# Pure functions, no database: the SQLite pass only (scripts/test.sh).
pytestmark = pytest.mark.once

SEOUL = ZoneInfo("Asia/Seoul")
WEEKDAYS_9_TO_6 = parse_intervals({str(d): [["09:00", "18:00"]] for d in range(5)})
WITH_LUNCH = parse_intervals(
    {
        **{str(d): [["09:00", "12:00"], ["13:00", "18:00"]] for d in range(5)},
        "5": [["10:00", "14:00"]],
    }
)
LATE = parse_intervals({str(d): [["20:00", "00:00"], ["00:00", "02:00"]] for d in range(7)})

SCHEDULES = [
    WeeklyHours(time_zone="Asia/Seoul", week=WEEKDAYS_9_TO_6, holiday_country="KR"),
    WeeklyHours(time_zone="Asia/Seoul", week=WITH_LUNCH, holiday_country="KR"),
    WeeklyHours(time_zone="America/New_York", week=WITH_LUNCH, holiday_country="US"),
    WeeklyHours(time_zone="Europe/Berlin", week=WEEKDAYS_9_TO_6, holiday_country="DE"),
    # Open across midnight and through the 02:00-03:00 DST changes of New York.
    WeeklyHours(time_zone="America/New_York", week=LATE),
]

# Instants from late 2025 to early 2028: four year boundaries, DST both ways, Chuseok.
instants = st.datetimes(
    min_value=dt.datetime(2025, 12, 1),
    max_value=dt.datetime(2028, 1, 31),
    timezones=st.just(dt.UTC),
)
schedules = st.sampled_from(SCHEDULES)
minutes = st.integers(min_value=0, max_value=60 * 24 * 10)


def at(
    year: int, month: int, day: int, hour: int, minute: int = 0, zone: str = "Asia/Seoul"
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


def office(**kw: object) -> WeeklyHours:
    return WeeklyHours(time_zone="Asia/Seoul", week=WEEKDAYS_9_TO_6, holiday_country="KR", **kw)  # type: ignore[arg-type]


# --- properties ----------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(schedules, instants, minutes)
def test_adding_minutes_then_measuring_gives_the_same_minutes(
    hours: WeeklyHours, start: dt.datetime, n: int
) -> None:
    due = add_business_minutes(hours, start, n)
    assert due is not None
    assert due >= start
    assert round(business_minutes_between(hours, start, due), 6) == n


@settings(max_examples=200, deadline=None)
@given(schedules, instants, minutes, minutes)
def test_more_minutes_are_never_due_earlier(
    hours: WeeklyHours, start: dt.datetime, a: int, b: int
) -> None:
    small, large = sorted((a, b))
    first, second = (
        add_business_minutes(hours, start, small),
        add_business_minutes(hours, start, large),
    )
    assert first is not None and second is not None
    assert first <= second


@settings(max_examples=200, deadline=None)
@given(schedules, instants, st.integers(0, 60 * 24 * 20), st.integers(0, 60 * 24 * 20))
def test_business_time_adds_up_and_never_exceeds_wall_time(
    hours: WeeklyHours, start: dt.datetime, m1: int, m2: int
) -> None:
    middle = start + dt.timedelta(minutes=m1)
    end = middle + dt.timedelta(minutes=m2)
    whole = business_minutes_between(hours, start, end)
    parts = business_minutes_between(hours, start, middle) + business_minutes_between(
        hours, middle, end
    )
    assert abs(whole - parts) < 1e-6
    assert whole <= (end - start).total_seconds() / 60 + 1e-6


@settings(max_examples=200, deadline=None)
@given(schedules, instants)
def test_a_closed_schedule_gains_no_minutes_until_it_opens(
    hours: WeeklyHours, now: dt.datetime
) -> None:
    if is_open(hours, now):
        end = closes_at(hours, now)
        assert end is not None and end > now
        assert not is_open(hours, end) or business_minutes_between(hours, now, end) > 0
        return
    opening = next_opening(hours, now)
    assert opening is not None
    assert business_minutes_between(hours, now, opening) == 0
    assert is_open(hours, opening)


@settings(max_examples=200, deadline=None)
@given(schedules, instants, st.integers(1, 60 * 24 * 10))
def test_a_due_time_falls_inside_open_hours(hours: WeeklyHours, start: dt.datetime, n: int) -> None:
    due = add_business_minutes(hours, start, n)
    assert due is not None
    # The second before the due time was business time (the due time may be a closing time),
    # or, when the start's microseconds left less than a second for the next day, the
    # microsecond before it.
    assert is_open(hours, due - dt.timedelta(seconds=1)) or is_open(
        hours, due - dt.timedelta(microseconds=1)
    )


def test_a_start_with_microseconds_carries_them_past_a_closing_time() -> None:
    hours = WeeklyHours(
        time_zone="Europe/Berlin", week={day: [(dt.time(9), dt.time(18))] for day in range(5)}
    )
    start = dt.datetime(2025, 12, 1, 11, 0, 0, 1, tzinfo=dt.UTC)  # Monday 12:00:00.000001
    # 60 hours end a microsecond after Tuesday's close: that microsecond is Wednesday's.
    due = add_business_minutes(hours, start, 3600)
    assert due == dt.datetime(2025, 12, 10, 9, 0, 0, 1, tzinfo=ZoneInfo("Europe/Berlin"))


@settings(max_examples=100, deadline=None)
@given(schedules, st.lists(instants, min_size=2, max_size=20), minutes)
def test_one_timeline_answers_like_the_single_questions(
    hours: WeeklyHours, starts: list[dt.datetime], n: int
) -> None:
    timeline = Timeline(hours, min(starts))
    for start in starts:  # in any order: the timeline rebuilds for an earlier start
        expected = add_business_minutes(hours, start, n)
        found = timeline.add_seconds(start, n * 60)
        assert found is not None and expected is not None
        assert abs(found.timestamp() - expected.timestamp()) < 1e-3


# --- worked examples --------------------------------------------------------------------


def test_two_hours_from_friday_five_pm_are_due_monday_ten() -> None:
    assert add_business_minutes(office(), at(2026, 11, 27, 17, 0), 120) == at(2026, 11, 30, 10, 0)


def test_friday_evening_to_monday_morning_holds_no_business_time() -> None:
    assert business_minutes_between(office(), at(2026, 11, 27, 18, 0), at(2026, 11, 30, 9, 0)) == 0


def test_chuseok_and_its_weekend_are_skipped() -> None:
    # Chuseok 2026: Thu 24 - Sat 26 September; no substitute day as none fell on a Sunday.
    due = add_business_minutes(office(), at(2026, 9, 23, 17, 0), 120)
    assert due == at(2026, 9, 25 + 3, 10, 0)  # Monday 28th, 10:00


def test_the_chuseok_substitute_day_is_closed() -> None:
    # Chuseok 2025 fell on a Sunday-Tuesday: Wednesday 8 October was its substitute day,
    # and Thursday 9 October is Hangul Day.
    due = add_business_minutes(office(), at(2025, 10, 2, 17, 0), 120)
    assert due == at(2025, 10, 10, 10, 0)


def test_seollal_and_the_new_year_are_skipped() -> None:
    assert next_opening(office(), at(2025, 12, 31, 18, 0)) == at(2026, 1, 2, 9, 0)
    assert next_opening(office(), at(2026, 2, 13, 18, 0)) == at(2026, 2, 19, 9, 0)


def test_a_lunch_break_is_not_business_time() -> None:
    hours = WeeklyHours(time_zone="Asia/Seoul", week=WITH_LUNCH)
    assert add_business_minutes(hours, at(2026, 11, 24, 11, 30), 60) == at(2026, 11, 24, 13, 30)
    assert not is_open(hours, at(2026, 11, 24, 12, 30))


def test_an_hour_across_the_new_york_spring_change_is_sixty_real_minutes() -> None:
    hours = WeeklyHours(time_zone="America/New_York", week=LATE)
    # 8 March 2026, 01:30 EST: 30 minutes to 02:00 which is not a time that day...
    start = at(2026, 3, 8, 1, 30, "America/New_York")
    assert business_minutes_between(hours, start, start + dt.timedelta(hours=1)) == 30


def test_berlin_office_hours_stay_nine_to_six_across_the_autumn_change() -> None:
    hours = WeeklyHours(time_zone="Europe/Berlin", week=WEEKDAYS_9_TO_6)
    friday = at(2026, 10, 23, 17, 0, "Europe/Berlin")  # DST ends Sunday 25 October
    assert add_business_minutes(hours, friday, 120) == at(2026, 10, 26, 10, 0, "Europe/Berlin")


def test_special_hours_replace_the_weekday() -> None:
    hours = office(
        special_hours={dt.date(2026, 12, 31): parse_intervals({"0": [["09:00", "13:00"]]})[0]}
    )
    assert closes_at(hours, at(2026, 12, 31, 10, 0)) == at(2026, 12, 31, 13, 0)
    assert add_business_minutes(hours, at(2026, 12, 31, 12, 0), 120) == at(2027, 1, 4, 10, 0)


def test_outside_its_dates_a_schedule_uses_the_default() -> None:
    default = office()
    summer = WeeklyHours(
        time_zone="Asia/Seoul",
        week=parse_intervals({str(d): [["07:00", "22:00"]] for d in range(7)}),
        effective_from=dt.date(2026, 7, 1),
        effective_until=dt.date(2026, 8, 31),
        fallback=default,
    )
    assert is_open(summer, at(2026, 8, 1, 21, 0))  # a Saturday evening in summer
    assert not is_open(summer, at(2026, 9, 5, 21, 0))
    assert next_opening(summer, at(2026, 8, 31, 22, 0)) == at(2026, 9, 1, 9, 0)


def test_a_schedule_that_never_opens_has_no_due_time() -> None:
    assert add_business_minutes(WeeklyHours(time_zone="UTC", week={}), at(2026, 1, 1, 0), 1) is None
