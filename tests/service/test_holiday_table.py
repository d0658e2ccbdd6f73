"""A saved schedule knows its public holidays ahead, so hours are answered without the
``holidays`` package; what the table does not hold is still answered by the package."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sangdam.service.hours import _calendar
from sangdam.service.models import HOLIDAY_YEARS_AHEAD, Schedule

CHUSEOK = dt.date(2026, 9, 25)  # 추석, a Friday
WEEK = {str(d): [["09:00", "18:00"]] for d in range(5)}


@pytest.mark.django_db
def test_a_saved_schedule_names_its_holidays_from_its_table_in_korean_and_english() -> None:
    schedule = Schedule.objects.create(name="Seoul", week=WEEK, holiday_country="KR")
    hours = Schedule.objects.get(pk=schedule.pk).hours()
    _calendar.cache_clear()
    assert hours.is_closed_day(CHUSEOK)
    assert hours.holiday_name(CHUSEOK, "ko") == "추석"
    assert hours.holiday_name(CHUSEOK, "en") == "Chuseok"
    assert hours.holiday_name(dt.date(2026, 9, 28), "ko") == ""
    assert _calendar.cache_info().misses == 0  # the package was not asked


@pytest.mark.django_db
def test_the_table_says_what_the_package_says_for_every_year_it_holds() -> None:
    schedule = Schedule.objects.create(name="Seoul", week=WEEK, holiday_country="KR")
    hours = schedule.hours()
    this_year = timezone.now().year
    for year in range(this_year - 1, this_year + HOLIDAY_YEARS_AHEAD + 1):
        for language in ("", "ko", "en"):
            expected = {day: str(name) for day, name in _calendar("KR", "", year, language).items()}
            assert dict(hours.holiday_table[year][language]) == expected


@pytest.mark.django_db
def test_a_year_beyond_the_table_is_answered_by_the_package() -> None:
    schedule = Schedule.objects.create(name="Seoul", week=WEEK, holiday_country="KR")
    later = timezone.now().year + HOLIDAY_YEARS_AHEAD + 3
    assert schedule.hours().is_closed_day(dt.date(later, 1, 1))  # 신정


@pytest.mark.django_db
def test_changing_the_country_works_out_the_new_countrys_holidays() -> None:
    schedule = Schedule.objects.create(name="Desk", week=WEEK, holiday_country="KR")
    schedule.holiday_country = "JP"
    schedule.save(update_fields=["holiday_country"])
    hours = Schedule.objects.get(pk=schedule.pk).hours()
    assert hours.holiday_name(dt.date(2026, 5, 3), "en") == "Constitution Day"
    assert not hours.is_closed_day(CHUSEOK)


@pytest.mark.django_db
def test_a_country_changed_behind_the_models_back_is_not_answered_from_the_old_table() -> None:
    schedule = Schedule.objects.create(name="Desk", week=WEEK, holiday_country="KR")
    Schedule.objects.filter(pk=schedule.pk).update(holiday_country="JP")
    hours = Schedule.objects.get(pk=schedule.pk).hours()
    assert not hours.is_closed_day(CHUSEOK)
    assert hours.is_closed_day(dt.date(2026, 5, 3))


@pytest.mark.django_db
def test_no_country_keeps_no_table() -> None:
    schedule = Schedule.objects.create(name="Open", week=WEEK, holiday_country="")
    assert schedule.holiday_table == {}
    assert not schedule.hours().is_closed_day(CHUSEOK)


@pytest.mark.django_db
def test_a_table_worked_out_by_another_holidays_release_is_not_used() -> None:
    schedule = Schedule.objects.create(name="Seoul", week=WEEK, holiday_country="KR")
    table = {**schedule.holiday_table, "version": "0.1"}
    Schedule.objects.filter(pk=schedule.pk).update(holiday_table=table)
    assert Schedule.objects.get(pk=schedule.pk).hours().holiday_table == {}


@pytest.mark.django_db
def test_saving_again_works_the_table_out_with_the_installed_release() -> None:
    schedule = Schedule.objects.create(name="Seoul", week=WEEK, holiday_country="KR")
    Schedule.objects.filter(pk=schedule.pk).update(holiday_table={"version": "0.1"})
    again = Schedule.objects.get(pk=schedule.pk)
    again.save()
    assert again.hours().holiday_name(CHUSEOK, "ko") == "추석"
    assert again.hours().holiday_table


@pytest.mark.django_db
def test_a_country_the_package_does_not_know_saves_without_a_table() -> None:
    # A row from an older release naming a country since dropped must not block the
    # migration or a save; the admin form refuses such a code before it gets here.
    schedule = Schedule.objects.create(name="Gone", week=WEEK, holiday_country="XX")
    assert schedule.holiday_table == {}
