"""A line that records calls: the answered call's recording is downloaded and kept beside
its call log, playable in the ticket page; a line that does not record asks for nothing."""

from __future__ import annotations

import pytest

from sangdam.accounts.models import User
from sangdam.connectors.models import Channel
from sangdam.connectors.phone.fake import SILENT_MP3, FakeTwilio, new_sid
from sangdam.tickets.models import Message, Ticket
from tests import factories
from tests.phone.conftest import Caller, twiml

pytestmark = pytest.mark.django_db


def _records(channel: Channel, **config: object) -> User:
    agent = factories.make_agent("김지훈", email="jihoon@example.com")
    channel.config = {
        **channel.config,
        "record_calls": True,
        "agent_lines": {"010-1111-2222": agent.email},
        **config,
    }
    channel.save()
    return agent


def _recorded(twilio: FakeTwilio, call: Caller, url: str, seconds: str = "95") -> str:
    recording = new_sid("RE")
    twilio.recordings[recording] = SILENT_MP3
    assert url.split("?")[0].endswith("/recorded")
    call.post(
        "recorded",
        RecordingSid=recording,
        RecordingStatus="completed",
        RecordingDuration=seconds,
        RecordingSource="DialVerb",
    )
    return recording


def test_a_dialled_call_is_recorded_from_the_answer_and_kept_beside_its_call_log(
    twilio, caller, phone_channel, open_now, run_tasks, agent_client
):
    jihoon = _records(phone_channel, ring="dial", dial=["+821011112222"])
    caller.post()
    dial = twiml(caller.post("menu", query="lang=ko", Digits="1")).find("Dial")
    assert dial is not None and dial.get("record") == "record-from-answer-dual"
    leg = Caller(twilio, phone_channel)
    leg.post("answered", ParentCallSid=caller.sid, To="+821011112222", CallStatus="in-progress")
    caller.post("rung", query="lang=ko", DialCallStatus="completed", DialCallDuration="95")
    caller.post("status", CallStatus="completed", CallDuration="110")
    recording = _recorded(twilio, caller, dial.get("recordingStatusCallback", ""))
    run_tasks()

    ticket = Ticket.objects.get()
    log, recorded = ticket.messages.order_by("created_at", "pk")
    assert log.metadata["call"]["outcome"] == "answered"
    assert recorded.metadata["call"] | {"sid": caller.sid} == {
        "sid": caller.sid,
        "outcome": "recorded",
        "duration": 95,
        "recording": recording,
        "agent_id": jihoon.pk,
        "agent": "김지훈",
    }
    attachment = recorded.attachments.get()
    assert attachment.file.read() == SILENT_MP3
    page = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert f'src="/attachments/{attachment.pk}/"' in page
    assert "1:35" in recorded.text


def test_a_call_taken_from_the_queue_is_recorded_on_the_agents_call_and_kept_with_the_caller(
    twilio, caller, phone_channel, open_now, run_tasks
):
    _records(phone_channel)
    caller.post()
    caller.post("menu", query="lang=ko", Digits="1")
    agent_leg = Caller(twilio, phone_channel, "010-1111-2222")
    dial = twiml(agent_leg.post("agent")).find("Dial")
    assert dial is not None and dial.get("record") == "record-from-answer-dual"
    caller.post("bridged", query="lang=ko", QueueSid="QU1", DequeingCallSid=agent_leg.sid)
    caller.post("rung", query="lang=ko", QueueResult="bridged", QueueTime="20")
    # The recording is reported before the caller's final status: order does not matter.
    _recorded(twilio, agent_leg, dial.get("recordingStatusCallback", ""), seconds="61")
    caller.post("status", CallStatus="completed", CallDuration="95")
    agent_leg.post("status", CallStatus="completed", CallDuration="80")
    run_tasks()

    ticket = Ticket.objects.get()
    assert ticket.thread_key == f"phone:{caller.number}"
    recorded = Message.objects.get(metadata__call__outcome="recorded")
    assert recorded.ticket_id == ticket.pk
    assert recorded.metadata["call"]["sid"] == caller.sid
    assert "김지훈" in recorded.text and "1:01" in recorded.text
    assert ticket.messages.count() == 2


def test_a_repeated_recording_callback_keeps_one_recording(
    twilio, caller, phone_channel, open_now, run_tasks
):
    _records(phone_channel, ring="dial", dial=["+821011112222"])
    caller.post()
    caller.post("rung", query="lang=ko", DialCallStatus="completed", DialCallDuration="30")
    recording = new_sid("RE")
    twilio.recordings[recording] = SILENT_MP3
    for _ in range(2):
        caller.post("recorded", RecordingSid=recording, RecordingStatus="completed")
    run_tasks()

    assert Message.objects.filter(metadata__call__outcome="recorded").count() == 1
    assert len(twilio.calls_to(f"/Recordings/{recording}.mp3")) == 1


def test_a_line_that_does_not_record_asks_for_no_recording(twilio, caller, phone_channel, open_now):
    phone_channel.config = {**phone_channel.config, "ring": "dial", "dial": ["+821011112222"]}
    phone_channel.save()
    caller.post()
    dial = twiml(caller.post("menu", query="lang=ko", Digits="1")).find("Dial")
    taken = twiml(Caller(twilio, phone_channel, "010-1111-2222").post("agent")).find("Dial")

    assert dial is not None and taken is not None
    assert dial.get("record") is None and taken.get("record") is None
