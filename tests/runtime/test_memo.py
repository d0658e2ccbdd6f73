"""The per-process memory of rarely changed rows (core/memo.py), seen by an admin."""

from __future__ import annotations

import pytest
from django.test import override_settings

from sangdam.core.memo import Memo
from sangdam.service.models import Schedule
from sangdam.service.selectors import schedule_book

pytestmark = pytest.mark.django_db

WEEKDAYS = {str(day): [["09:00", "18:00"]] for day in range(5)}


def test_an_admin_change_of_hours_in_this_process_is_seen_at_once() -> None:
    schedule = Schedule.objects.create(name="Support", week=WEEKDAYS, holiday_country="")
    assert schedule_book().default is not None
    schedule.week = {}
    schedule.save()
    book = schedule_book()
    assert book.default is not None and book.default.week == {}


@override_settings(MEMO_SECONDS=3600)
def test_a_change_made_by_another_process_waits_for_the_memo_to_expire() -> None:
    schedule = Schedule.objects.create(name="Support", week=WEEKDAYS, holiday_country="")
    assert schedule_book().default is not None
    # As another process would: an UPDATE that sends no signal to this one.
    Schedule.objects.filter(pk=schedule.pk).update(week={})
    book = schedule_book()
    assert book.default is not None and book.default.week == WEEKDAYS


@override_settings(MEMO_SECONDS=0)
def test_with_no_memo_seconds_every_read_sees_the_rows_of_now() -> None:
    schedule = Schedule.objects.create(name="Support", week=WEEKDAYS, holiday_country="")
    assert schedule_book().default is not None
    Schedule.objects.filter(pk=schedule.pk).update(week={})
    book = schedule_book()
    assert book.default is not None and book.default.week == {}


def test_a_peek_never_loads_and_sees_what_a_read_kept() -> None:
    memo = Memo(Schedule)
    assert memo.peek("book") is None
    assert memo.get("book", lambda: "loaded") == "loaded"
    assert memo.peek("book") == "loaded"
    Schedule.objects.create(name="Support", week=WEEKDAYS, holiday_country="")
    assert memo.peek("book") is None  # a change in this process forgets it
