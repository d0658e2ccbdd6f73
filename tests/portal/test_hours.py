"""Business hours as pure functions: no database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from sangdam.service.hours import (
    WeeklyHours,
    closes_at,
    is_open,
    next_opening,
    parse_intervals,
)

SEOUL = ZoneInfo("Asia/Seoul")
WEEKDAYS_9_TO_6 = parse_intervals({str(d): [["09:00", "18:00"]] for d in range(5)})


def at(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SEOUL)


def office(**kw: object) -> WeeklyHours:
    return WeeklyHours(time_zone="Asia/Seoul", week=WEEKDAYS_9_TO_6, **kw)  # type: ignore[arg-type]


def test_it_is_open_on_a_weekday_afternoon() -> None:
    assert is_open(office(), at(2026, 11, 24, 14, 0))  # a Tuesday


def test_it_is_closed_at_closing_time_and_opens_next_morning() -> None:
    hours = office()
    assert not is_open(hours, at(2026, 11, 24, 18, 0))
    assert next_opening(hours, at(2026, 11, 24, 18, 0)) == at(2026, 11, 25, 9, 0)


def test_a_friday_evening_opens_on_monday() -> None:
    assert next_opening(office(), at(2026, 11, 27, 19, 0)) == at(2026, 11, 30, 9, 0)


def test_it_answers_in_utc_too() -> None:
    utc_afternoon_in_seoul = dt.datetime(2026, 11, 24, 5, 0, tzinfo=dt.UTC)  # 14:00 KST
    assert is_open(office(), utc_afternoon_in_seoul)


def test_korean_public_holidays_are_closed() -> None:
    hours = office(holiday_country="KR")
    chuseok = at(2026, 9, 25, 10, 0)  # Chuseok (lunar), a Friday
    assert not is_open(hours, chuseok)
    assert hours.holiday_name(chuseok.date(), "ko") == "추석"
    assert next_opening(hours, chuseok) == at(2026, 9, 28, 9, 0)


def test_a_custom_closure_is_closed() -> None:
    hours = office(closures=frozenset({dt.date(2026, 11, 24)}))
    assert not is_open(hours, at(2026, 11, 24, 14, 0))
    assert next_opening(hours, at(2026, 11, 24, 14, 0)) == at(2026, 11, 25, 9, 0)


def test_weekend_hours_differ() -> None:
    week = parse_intervals({"5": [["10:00", "14:00"]]})
    hours = WeeklyHours(time_zone="Asia/Seoul", week=week)
    assert is_open(hours, at(2026, 11, 28, 13, 59))
    assert not is_open(hours, at(2026, 11, 28, 14, 0))


def test_a_span_to_midnight_is_open_late_and_says_when_it_closes() -> None:
    hours = WeeklyHours(time_zone="Asia/Seoul", week=parse_intervals({"1": [["18:00", "00:00"]]}))
    assert is_open(hours, at(2026, 11, 24, 23, 30))
    assert closes_at(hours, at(2026, 11, 24, 23, 30)) == at(2026, 11, 25, 0, 0)
    assert not is_open(hours, at(2026, 11, 25, 0, 0))


def test_a_schedule_with_no_hours_never_opens() -> None:
    assert next_opening(WeeklyHours(time_zone="UTC", week={}), at(2026, 1, 1, 0, 0)) is None


@pytest.mark.parametrize(
    "raw", [{"7": [["09:00", "18:00"]]}, {"0": [["18:00", "09:00"]]}, {"0": [["9am", "5pm"]]}]
)
def test_it_refuses_malformed_hours(raw: dict[str, list[list[str]]]) -> None:
    with pytest.raises(ValueError):
        parse_intervals(raw)
