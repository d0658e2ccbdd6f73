"""Every call becomes a timeline entry: answered calls a call log, missed ones a call-back
ticket, voicemail a ticket with the recording; provider retries change nothing."""

from __future__ import annotations

import pytest

from sangdam.accounts.models import User
from sangdam.connectors.models import Channel, EventStatus, InboundEvent
from sangdam.connectors.phone.fake import SILENT_MP3, new_sid
from sangdam.tickets.models import Message, Ticket
from tests import factories
from tests.phone.conftest import CALLER, Caller, twiml

pytestmark = pytest.mark.django_db


def _missed(caller: Caller) -> None:
    caller.post()
    caller.post("menu", query="lang=ko", Digits="1")
    caller.post("rung", query="lang=ko", QueueResult="hangup", QueueTime="95")
    caller.post("status", CallStatus="completed", CallDuration="110")


def test_an_answered_call_becomes_a_call_log_message_for_the_customer(caller, open_now, run_tasks):
    factories.make_topic("payment")
    caller.post()
    caller.post("menu", query="lang=ko", Digits="1")
    caller.post("rung", query="lang=ko", QueueResult="bridged", QueueTime="20")
    caller.post("status", CallStatus="completed", CallDuration="320")
    run_tasks()

    message = Message.objects.get()
    assert message.ticket.customer.identities.get(kind="phone").value == CALLER
    assert message.ticket.topic is not None and message.ticket.topic.slug == "payment"
    assert message.metadata["call"]["outcome"] == "answered"
    assert "5:20" in message.text


def test_a_caller_who_hangs_up_in_the_queue_gets_a_call_back_ticket(caller, open_now, run_tasks):
    _missed(caller)
    run_tasks()

    ticket = Ticket.objects.get()
    assert ticket.thread_key == f"callback:{CALLER}"
    assert CALLER in ticket.subject
    assert ticket.messages.get().metadata["call"]["outcome"] == "abandoned"


def test_a_second_missed_call_joins_the_open_call_back_ticket(
    twilio, phone_channel, open_now, run_tasks
):
    _missed(Caller(twilio, phone_channel))
    run_tasks()
    _missed(Caller(twilio, phone_channel))
    run_tasks()

    ticket = Ticket.objects.get()
    assert ticket.messages.count() == 2


def test_a_repeated_status_callback_changes_nothing(caller, open_now, run_tasks):
    _missed(caller)
    run_tasks()
    again = caller.post("status", CallStatus="completed", CallDuration="110")
    run_tasks()

    assert again.status_code == 200
    assert Message.objects.count() == 1
    assert InboundEvent.objects.filter(event_id__endswith=":status:completed").count() == 1


def test_nobody_answering_offers_voicemail(caller, open_now):
    caller.post()

    root = twiml(caller.post("rung", query="lang=ko", DialCallStatus="no-answer"))

    record = root.find("Record")
    assert record is not None
    assert record.get("recordingStatusCallback", "").split("?")[0].endswith("/recording")


def test_a_voicemail_becomes_a_ticket_with_the_recording_attached(
    twilio, caller, closed_today, run_tasks
):
    recording = new_sid("RE")
    twilio.recordings[recording] = SILENT_MP3
    caller.post()
    root = twiml(caller.post("closed", query="lang=ko", Digits="1"))
    assert root.find("Record") is not None
    caller.post("voicemail", query="lang=ko", RecordingSid=recording, RecordingDuration="42")
    caller.post(
        "recording", RecordingSid=recording, RecordingStatus="completed", RecordingDuration="42"
    )
    caller.post("status", CallStatus="completed", CallDuration="60")
    run_tasks()

    ticket = Ticket.objects.get()
    message = ticket.messages.get()
    attachment = message.attachments.get()
    assert attachment.content_type == "audio/mpeg"
    assert attachment.file.read() == SILENT_MP3
    assert "0:42" in message.text
    assert (
        twilio.calls_to(f"/Recordings/{recording}.mp3")[0]
        .headers["authorization"]
        .startswith("Basic ")
    )


def test_the_providers_transcription_joins_the_voicemail_ticket(
    twilio, caller, closed_today, run_tasks
):
    recording = new_sid("RE")
    twilio.recordings[recording] = SILENT_MP3
    caller.post()
    caller.post("closed", query="lang=ko", Digits="1")
    caller.post(
        "recording", RecordingSid=recording, RecordingStatus="completed", RecordingDuration="7"
    )
    caller.post(
        "transcription",
        RecordingSid=recording,
        TranscriptionStatus="completed",
        TranscriptionText="환불 문의 드립니다. 연락 부탁드려요.",
    )
    run_tasks()

    ticket = Ticket.objects.get()
    assert ticket.messages.count() == 2
    assert ticket.messages.filter(text__contains="환불 문의 드립니다").exists()


def test_a_recording_the_provider_cannot_give_is_retried_not_lost(
    twilio, caller, closed_today, run_tasks
):
    caller.post()
    caller.post("recording", RecordingSid=new_sid("RE"), RecordingStatus="completed")
    run_tasks()

    event = InboundEvent.objects.get(event_id__contains=":recording:")
    assert (event.status, event.attempts) == (EventStatus.PENDING, 1)
    assert "404" in event.last_error
    assert not Ticket.objects.exists()


def test_asking_for_a_call_back_while_closed_makes_a_call_back_ticket(
    caller, closed_today, run_tasks
):
    caller.post()
    root = twiml(caller.post("closed", query="lang=ko", Digits="2"))
    caller.post("status", CallStatus="completed", CallDuration="30")
    run_tasks()

    assert root.find("Hangup") is not None
    ticket = Ticket.objects.get()
    assert ticket.thread_key == f"callback:{CALLER}"
    assert ticket.messages.get().metadata["call"]["outcome"] == "callback_requested"


def test_a_phone_ticket_gets_no_written_outside_hours_answer(caller, closed_today, run_tasks):
    caller.post()
    caller.post("status", CallStatus="completed", CallDuration="12")
    run_tasks()

    ticket = Ticket.objects.get()
    assert ticket.messages.count() == 1


def test_the_voicemail_plays_in_the_agents_browser(
    twilio, caller, closed_today, run_tasks, agent_client
):
    recording = new_sid("RE")
    twilio.recordings[recording] = SILENT_MP3
    caller.post()
    caller.post("closed", query="lang=ko", Digits="1")
    caller.post("recording", RecordingSid=recording, RecordingStatus="completed")
    run_tasks()
    ticket = Ticket.objects.get()

    page = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()

    attachment = ticket.messages.get().attachments.get()
    assert (
        f'<audio class="attachment-audio" controls preload="none" src="/attachments/{attachment.pk}/"'
        in page
    )
    assert agent_client.get(f"/attachments/{attachment.pk}/")["Content-Type"] == "audio/mpeg"


def _dialled_to_agents(channel: Channel) -> tuple[User, User]:
    jihoon = factories.make_agent("김지훈", email="jihoon@example.com")
    mina = factories.make_agent("박민아", email="mina@example.com")
    channel.config = {
        **channel.config,
        "ring": "dial",
        "dial": ["+821011112222", "sip:mina@pbx.example.com"],
        "agent_lines": {
            "010-1111-2222": "jihoon@example.com",
            "sip:mina@pbx.example.com": "mina@example.com",
        },
    }
    channel.save()
    return jihoon, mina


def test_an_answered_dialled_call_names_the_agent_whose_phone_picked_up(
    twilio, caller, phone_channel, open_now, run_tasks
):
    _jihoon, mina = _dialled_to_agents(phone_channel)
    caller.post()
    root = twiml(caller.post("menu", query="lang=ko", Digits="1"))
    sip = root.find("Dial/Sip")
    assert sip is not None and sip.get("statusCallbackEvent") == "answered"
    # Mina's leg picks up: Twilio reports the child call with its parent's CallSid.
    leg = Caller(twilio, phone_channel)
    leg.post(
        "answered",
        ParentCallSid=caller.sid,
        To="sip:mina@pbx.example.com;transport=tls",
        CallStatus="in-progress",
        Direction="outbound-dial",
    )
    caller.post("rung", query="lang=ko", DialCallStatus="completed", DialCallDuration="200")
    caller.post("status", CallStatus="completed", CallDuration="215")
    run_tasks()

    message = Message.objects.get()
    assert "박민아" in message.text and "3:20" in message.text
    assert message.metadata["call"]["agent_id"] == mina.pk
    assert message.metadata["call"]["line"].startswith("sip:mina@pbx.example.com")


def test_a_queued_call_taken_by_an_agents_phone_names_that_agent(
    twilio, caller, phone_channel, open_now, run_tasks, agent_client
):
    jihoon, _mina = _dialled_to_agents(phone_channel)
    phone_channel.config = {**phone_channel.config, "ring": "queue"}
    phone_channel.save()
    caller.post()
    caller.post("menu", query="lang=ko", Digits="1")
    # Jihoon's phone calls the line's agent URL and is bridged to the first caller.
    agent_leg = Caller(twilio, phone_channel, "010-1111-2222")
    taken = twiml(agent_leg.post("agent"))
    queue = taken.find("Dial/Queue")
    assert queue is not None and queue.text == "support"
    assert queue.get("url", "").split("?")[0].endswith("/bridged")
    caller.post("bridged", query="lang=ko", QueueSid="QU1", DequeingCallSid=agent_leg.sid)
    caller.post("rung", query="lang=ko", QueueResult="bridged", QueueTime="20")
    caller.post("status", CallStatus="completed", CallDuration="95")
    agent_leg.post("status", CallStatus="completed", CallDuration="80")
    run_tasks()

    message = Message.objects.get()
    assert message.metadata["call"]["agent_id"] == jihoon.pk
    page = agent_client.get(f"/tickets/{message.ticket_id}/").content.decode()
    assert "김지훈" in page


def test_an_answered_call_from_an_unknown_line_is_logged_without_an_agent(
    caller, open_now, run_tasks
):
    caller.post()
    caller.post("rung", query="lang=ko", QueueResult="bridged", QueueTime="20")
    caller.post("status", CallStatus="completed", CallDuration="95")
    run_tasks()

    assert "agent_id" not in Message.objects.get().metadata["call"]


def test_a_blocked_callers_call_leaves_no_trace_in_the_timeline(
    twilio, phone_channel, open_now, run_tasks
):
    phone_channel.config = {**phone_channel.config, "blocked_numbers": ["010-6666-0000"]}
    phone_channel.save()
    blocked = Caller(twilio, phone_channel, "+821066660000")

    root = twiml(blocked.post())
    blocked.post("status", CallStatus="busy", CallDuration="0")
    run_tasks()

    assert [child.tag for child in root] == ["Reject"]
    assert not Ticket.objects.exists()
