"""Honest wait times: the estimate's error on a generated day, and what customers see."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from django.test import Client

from sangdam.accounts.models import Presence
from sangdam.routing.waits import estimate_minutes
from sangdam.routing.waitsim import naive, simulate_day
from sangdam.service.models import Schedule
from tests import factories
from tests.console.helpers import new_ticket


def test_the_model_waits_for_the_queue_ahead_then_for_its_own_answer():
    own = math.log(2) * 4  # the median of an exponential handle time of 4 minutes
    assert estimate_minutes(waiting=0, agents=2, handle_minutes=4) == own
    assert estimate_minutes(waiting=1, agents=2, handle_minutes=4) == own
    assert estimate_minutes(waiting=5, agents=2, handle_minutes=4) == own + 4 * 4 / 2
    assert estimate_minutes(waiting=3, agents=0, handle_minutes=4) is None


def test_on_a_generated_day_the_estimate_beats_saying_the_average(capsys):
    days = [simulate_day(seed=seed) for seed in range(1, 6)]
    simple = [simulate_day(seed=seed, estimator=naive) for seed in range(1, 6)]

    mae = sum(d.mae for d in days) / len(days)
    baseline = sum(d.mae_constant for d in days) / len(days)
    mean_wait = sum(d.mean_wait for d in days) / len(days)
    with capsys.disabled():
        print(
            f"\nwait estimate over 5 generated days ({sum(d.inquiries for d in days)} chats):"
            f" mean wait {mean_wait:.1f} min, MAE {mae:.2f} min"
            f" (queue×handle÷agents: {sum(d.mae for d in simple) / 5:.2f};"
            f" always the day's mean: {baseline:.2f};"
            f" floor, queue known exactly: {sum(d.mae_floor for d in days) / 5:.2f})"
        )
    assert mae < baseline


@pytest.mark.django_db
def test_the_public_endpoint_counts_the_queue_and_the_agents_online(email_channel):
    telegram = factories.make_channel("telegram")
    agent = factories.make_agent("Seoyeon", presence=Presence.ONLINE)
    factories.make_agent("Alex", presence=Presence.OFFLINE)
    for who in ("a@example.com", "b@example.com", "c@example.com"):
        new_ticket(email_channel, who=who)

    answer = Client().get("/contact/wait-times.json")

    assert answer.status_code == 200
    by_kind = {c["channel"]: c for c in answer.json()["channels"]}
    email = by_kind["email"]
    assert (email["waiting"], email["agents_available"], email["reason"]) == (3, 1, "")
    # 3 waiting, one agent, 20 minutes each by default: three ahead, then ours.
    assert email["minutes"] == round(math.log(2) * 20 + 3 * 20)
    assert by_kind["telegram"]["waiting"] == 0
    assert by_kind["telegram"]["minutes"] == round(math.log(2) * 4)
    assert agent.pk and telegram.pk


@pytest.mark.django_db
def test_nobody_online_is_said_plainly(email_channel):
    answer = Client().get("/contact/wait-times.json").json()

    (email,) = answer["channels"]
    assert (email["minutes"], email["reason"]) == (None, "nobody_online")


@pytest.mark.django_db
def test_a_closed_channel_says_when_it_opens_and_when_to_expect_the_answer(email_channel):
    Schedule.objects.create(name="weekdays", week={"0": [["09:00", "18:00"]]}, holiday_country="")
    factories.make_agent("Seoyeon", presence=Presence.ONLINE)

    (email,) = Client().get("/contact/wait-times.json").json()["channels"]

    if email["open"]:  # Monday 09:00-18:00 Seoul time: the test ran in the open hours
        assert email["reason"] == ""
    else:
        assert email["reason"] == "closed" and email["opens_at"]
        assert email["reply_by"] > email["opens_at"]


@pytest.mark.django_db
def test_the_contact_page_shows_the_wait(email_channel):
    factories.make_agent("Seoyeon", presence=Presence.ONLINE)

    page = Client().get("/contact", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'class="wait-estimate" data-channel="email"' in page
    assert "Wait now: about 14 minutes" in page


@pytest.mark.django_db
def test_the_contact_page_says_the_wait_in_korean(email_channel):
    factories.make_agent("Seoyeon", presence=Presence.ONLINE)

    page = Client().get("/contact", HTTP_ACCEPT_LANGUAGE="ko").content.decode()

    assert "현재 대기: 약 14분" in page


@pytest.mark.django_db
def test_the_handle_time_is_the_gap_between_an_agents_first_answers(email_channel):
    from django.utils import timezone

    from sangdam.routing.waits import handle_minutes
    from sangdam.tickets.models import Ticket

    agent = factories.make_agent("Seoyeon")
    start = timezone.now() - dt.timedelta(hours=2)
    # Six answers five minutes apart, then one after a lunch break (not a handle time).
    for i, minutes in enumerate([0, 5, 10, 15, 20, 25, 145]):
        ticket = new_ticket(email_channel, who=f"c{i}@example.com")
        Ticket.objects.filter(pk=ticket.pk).update(
            assignee=agent, first_responded_at=start + dt.timedelta(minutes=minutes)
        )

    assert handle_minutes(chat=False, now=timezone.now()) == 5
    assert handle_minutes(chat=True, now=timezone.now()) == 4  # no chats yet: the default
