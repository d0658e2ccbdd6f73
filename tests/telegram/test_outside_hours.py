"""Outside opening hours, a messenger customer is told when we open again, once."""

from __future__ import annotations

import pytest

from sangdam.connectors.telegram.fake import FakeTelegram
from sangdam.service.models import Schedule
from sangdam.tickets.models import Ticket
from tests.telegram.conftest import fixture
from tests.telegram.test_webhook import post_update

pytestmark = pytest.mark.django_db

NEVER_OPEN_TODAY: dict[str, list[list[str]]] = {str(d): [] for d in range(7)}


def _closed_until_next_week(channel) -> None:
    # Open only on a weekday that is not today: closed now, with a known next opening.
    import datetime as dt
    from zoneinfo import ZoneInfo

    today = dt.datetime.now(ZoneInfo("Asia/Seoul")).weekday()
    other = (today + 3) % 7
    Schedule.objects.create(
        name="messengers",
        channel=channel,
        week={**NEVER_OPEN_TODAY, str(other): [["09:00", "18:00"]]},
        holiday_country="",
    )


def test_a_message_outside_hours_gets_the_next_opening_time_once(
    telegram_channel, telegram: FakeTelegram, run_tasks
):
    _closed_until_next_week(telegram_channel)

    post_update(telegram_channel, fixture("text"))
    run_tasks()
    post_update(telegram_channel, fixture("location"))
    run_tasks()

    answers = telegram.sent("sendMessage")
    assert len(answers) == 1
    assert "open again" in answers[0]["text"]
    ticket = Ticket.objects.get()
    assert ticket.first_responded_at is None  # no agent has answered yet


def test_no_automatic_answer_while_open(telegram_channel, telegram: FakeTelegram, run_tasks):
    Schedule.objects.create(
        name="always",
        channel=telegram_channel,
        week={str(d): [["00:00", "00:00"]] for d in range(7)},
        holiday_country="",
    )

    post_update(telegram_channel, fixture("text"))
    run_tasks()

    assert telegram.sent("sendMessage") == []


def test_in_hours_a_new_conversation_hears_when_to_expect_a_reply_once(
    telegram_channel, telegram: FakeTelegram, run_tasks
):
    from sangdam.service.models import SlaPolicy

    Schedule.objects.create(
        name="always",
        channel=telegram_channel,
        week={str(d): [["00:00", "00:00"]] for d in range(7)},
        holiday_country="",
    )
    SlaPolicy.objects.create(name="Messengers", first_response_minutes=120)

    post_update(telegram_channel, fixture("text"))
    run_tasks()
    post_update(telegram_channel, fixture("location"))
    run_tasks()

    answers = telegram.sent("sendMessage")
    assert len(answers) == 1
    assert "2" in answers[0]["text"]
    assert Ticket.objects.get().first_responded_at is None  # a promise is no answer


def test_outside_hours_the_answer_also_says_how_soon_we_reply(
    telegram_channel, telegram: FakeTelegram, run_tasks
):
    from sangdam.service.models import SlaPolicy

    _closed_until_next_week(telegram_channel)
    SlaPolicy.objects.create(name="Messengers", first_response_minutes=120)

    post_update(telegram_channel, fixture("text"))
    run_tasks()

    (answer,) = telegram.sent("sendMessage")
    assert "open again" in answer["text"] and "2 business hours" in answer["text"]
