"""A call comes in: verified, stored once, answered with TwiML for open or closed hours."""

from __future__ import annotations

import datetime as dt

import pytest
from django_tasks_db.models import DBTaskResult
from twilio.request_validator import RequestValidator

from sangdam.connectors.models import EventStatus, InboundEvent
from sangdam.connectors.phone.fake import signature
from sangdam.customers.models import Customer, Identity
from sangdam.tickets.models import Ticket
from tests.phone.conftest import Caller, spoken, twiml

pytestmark = pytest.mark.django_db


def test_the_fakes_signature_is_the_one_twilios_validator_accepts(twilio):
    url = "https://help.example.com/hooks/phone/abc/status?lang=ko"
    params = {"CallSid": "CA1", "From": "+821012345678", "CallStatus": "completed"}

    given = signature(twilio.auth_token, url, params)

    validator = RequestValidator(twilio.auth_token)
    assert given == validator.compute_signature(url, params)
    assert validator.validate(url, params, given)


def test_a_call_in_opening_hours_hears_the_greeting_and_the_menu(caller, open_now):
    root = twiml(caller.post())

    gather = root.find("Gather")
    assert gather is not None
    assert gather.get("numDigits") == "1"
    assert gather.get("action", "").endswith(f"/hooks/phone/{caller.channel.key}/menu?lang=ko")
    says = [say.text or "" for say in gather.iter("Say")]
    assert "결제 및 환불" in says[1] and "1" in says[1]
    assert all(say.get("language") == "ko-KR" for say in gather.iter("Say"))


def test_a_menu_choice_puts_the_caller_in_the_queue_with_position_announcements(caller, open_now):
    caller.post()

    root = twiml(caller.post("menu", query="lang=ko", Digits="1"))

    enqueue = root.find("Enqueue")
    assert enqueue is not None and enqueue.text == "support"
    assert enqueue.get("waitUrl", "").split("?")[0].endswith("/wait")
    assert enqueue.get("action", "").split("?")[0].endswith("/rung")


def test_a_call_on_a_closed_day_hears_the_hours_and_the_next_opening(caller, closed_today):
    root = twiml(caller.post())

    text = spoken(root)
    assert "창립기념일" in text
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=9) + dt.timedelta(days=1)).date()
    assert f"{tomorrow.month}월 {tomorrow.day}일" in text
    assert "1번" in text or "1" in text
    gather = root.find("Gather")
    assert gather is not None and gather.get("action", "").split("?")[0].endswith("/closed")


def test_a_forged_signature_is_refused_and_nothing_is_stored(caller, open_now):
    response = caller.post(signature="bm90IGEgc2lnbmF0dXJl")

    assert response.status_code == 403
    assert not InboundEvent.objects.exists()


def test_a_call_without_a_signature_is_refused(phone_channel, client):
    response = client.post(
        f"/hooks/phone/{phone_channel.key}",
        "CallSid=CA1&From=%2B821012345678",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 403
    assert not InboundEvent.objects.exists()


def test_a_retry_hears_the_same_answer_even_after_the_hours_changed(caller, open_now, run_tasks):
    first = caller.post()
    open_now.week = {str(d): [] for d in range(7)}
    open_now.save()
    again = caller.post()
    run_tasks()

    assert again.content == first.content
    assert InboundEvent.objects.count() == 1


def test_a_known_english_speaking_caller_is_greeted_in_english(twilio, phone_channel, open_now):
    customer = Customer.objects.create(name="John Park", language="en")
    Identity.objects.create(customer=customer, kind="phone", value="+821055550000")

    root = twiml(Caller(twilio, phone_channel, "+821055550000").post())

    says = list(root.iter("Say"))
    assert says[0].get("language") == "en-US"
    assert "For payment and refunds, press 1." in spoken(root)


def test_a_blocked_number_is_rejected_without_a_word(twilio, phone_channel, open_now):
    phone_channel.config = {**phone_channel.config, "blocked_numbers": ["010-6666-0000"]}
    phone_channel.save()

    root = twiml(Caller(twilio, phone_channel, "+821066660000").post())

    assert root.find("Reject") is not None
    assert not Ticket.objects.exists()


def test_the_language_key_carries_the_rest_of_the_call_in_english(caller, open_now):
    caller.channel.config = {**caller.channel.config, "language_key": "9"}
    caller.channel.save()
    caller.post()

    switched = twiml(caller.post("menu", query="lang=ko", Digits="9"))
    gather = switched.find("Gather")
    assert gather is not None
    action = gather.get("action", "")
    queued = twiml(caller.post("menu", query=action.split("?")[1], Digits="1"))

    assert action.endswith("/menu?lang=en")
    assert "For payment and refunds, press 1." in spoken(switched)
    assert "Please hold, we are connecting you to an agent." in spoken(queued)
    enqueue = queued.find("Enqueue")
    assert enqueue is not None and enqueue.get("waitUrl", "").endswith("/wait?lang=en")


def test_steps_that_only_feed_the_calls_history_are_stored_done_without_a_task(caller, open_now):
    caller.post()  # the greeting and menu: rings nobody yet
    caller.post("menu", query="lang=ko", Digits="1")  # the queue: rings the agents
    caller.post("rung", query="lang=ko", QueueResult="hangup", QueueTime="30")
    caller.post("status", CallStatus="completed", CallDuration="40")

    status = {e.event_id.split(":", 1)[1]: e.status for e in InboundEvent.objects.all()}
    assert status == {
        "call": EventStatus.PROCESSED,
        "menu:1": EventStatus.PENDING,
        "rung": EventStatus.PROCESSED,
        "status:completed": EventStatus.PENDING,
    }
    assert DBTaskResult.objects.count() == 2
