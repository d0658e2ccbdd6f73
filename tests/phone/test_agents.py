"""For agents: the screen pop when a call comes in, calls logged by hand, call backs."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from sangdam.connectors.models import InboundEvent
from sangdam.core.live import INBOX_GROUP, user_group
from sangdam.tickets.models import Message, Ticket
from tests import factories
from tests.phone.conftest import CALLER, Caller, parse_twiml

pytestmark = pytest.mark.django_db


def _pushes(groups: list[str], run: Any) -> dict[str, list[dict[str, Any]]]:
    """What each of ``groups`` (an agent's console, the inbox) was pushed while ``run`` ran."""
    layer = get_channel_layer()
    assert layer is not None
    async_to_sync(layer.flush)()
    channels = {group: async_to_sync(layer.new_channel)() for group in groups}
    for group, channel in channels.items():
        async_to_sync(layer.group_add)(group, channel)
    run()

    async def drain(channel: str) -> list[dict[str, Any]]:
        got: list[dict[str, Any]] = []
        while True:
            try:
                message = await asyncio.wait_for(layer.receive(channel), 0.05)
            except TimeoutError:
                return got
            got.append(message["payload"])

    return {group: async_to_sync(drain)(channel) for group, channel in channels.items()}


def _rings(pushes: list[dict[str, Any]]) -> list[str]:
    return [p["call_sid"] for p in pushes if p.get("event") == "call_ringing"]


def _ticket_of_known_caller(channel: Any, subject: str) -> Ticket:
    return factories.customer_writes(
        channel, sender=("phone", CALLER), sender_name="김민지", subject=subject
    ).ticket


def _line(channel: Any, **config: Any) -> None:
    channel.config = {**channel.config, **config}
    channel.save()


def test_a_call_dialled_to_an_agents_phone_pops_up_only_for_that_agent(
    caller, phone_channel, open_now, run_tasks
):
    jihoon = factories.make_agent("지훈", email="jihoon@example.com")
    mina = factories.make_agent("민아", email="mina@example.com")
    _line(
        phone_channel,
        ring="dial",
        dial=["010-1111-2222", "sip:desk@pbx.example.com"],
        agent_lines={
            "+821011112222": "jihoon@example.com",
            "sip:front@pbx.example.com": "mina@example.com",
        },
    )
    groups = [user_group(jihoon.pk), user_group(mina.pk), INBOX_GROUP]

    def greeting_then_menu() -> None:
        caller.post()
        run_tasks()
        caller.post("menu", query="lang=ko", Digits="1")
        run_tasks()

    pushes = _pushes(groups, greeting_then_menu)

    assert _rings(pushes[user_group(jihoon.pk)]) == [caller.sid]
    assert pushes[user_group(jihoon.pk)][0]["number"] == CALLER
    assert _rings(pushes[user_group(mina.pk)]) == []
    assert _rings(pushes[INBOX_GROUP]) == []


def test_a_queued_call_pops_up_for_the_online_agents_of_the_lines_team(
    caller, phone_channel, open_now, run_tasks
):
    care = factories.make_team("Care")
    online = factories.make_agent("온라인", presence="online")
    away = factories.make_agent("자리비움", presence="away")
    elsewhere = factories.make_agent("다른팀", presence="online")
    care.members.add(online, away)
    _line(phone_channel, team=care.name)

    def call_in() -> None:
        caller.post()
        caller.post("menu", query="lang=ko", Digits="2")
        run_tasks()

    pushes = _pushes([user_group(a.pk) for a in (online, away, elsewhere)], call_in)

    assert _rings(pushes[user_group(online.pk)]) == [caller.sid]
    assert _rings(pushes[user_group(away.pk)]) == []
    assert _rings(pushes[user_group(elsewhere.pk)]) == []


def test_a_queued_call_on_a_line_without_a_team_pops_up_for_every_online_agent(
    caller, open_now, run_tasks
):
    first = factories.make_agent("하나", presence="online")
    second = factories.make_agent("둘", presence="online")
    offline = factories.make_agent("셋")

    def call_in() -> None:
        caller.post()
        caller.post("menu", query="lang=ko", Digits="1")
        run_tasks()

    pushes = _pushes([user_group(a.pk) for a in (first, second, offline)], call_in)

    assert _rings(pushes[user_group(first.pk)]) == [caller.sid]
    assert _rings(pushes[user_group(second.pk)]) == [caller.sid]
    assert _rings(pushes[user_group(offline.pk)]) == []


def test_the_screen_pop_shows_the_customer_and_their_open_tickets(phone_channel, agent_client):
    ticket = _ticket_of_known_caller(phone_channel, "환불 요청")

    page = agent_client.get("/calls/pop/", {"number": "010-1234-5678"}).content.decode()

    assert "김민지" in page
    assert ticket.reference in page and "환불 요청" in page
    assert "/calls/?number=%2B821012345678" in page


def test_an_unknown_caller_pops_up_as_unknown(phone_channel, agent_client):
    page = agent_client.get("/calls/pop/", {"number": "+821099998888"}).content.decode()

    assert "+821099998888" in page
    assert "SD-" not in page


def test_a_call_logged_on_a_ticket_is_an_internal_note(phone_channel, agent_client):
    ticket = _ticket_of_known_caller(phone_channel, "배송 문의")

    response = agent_client.post(
        "/calls/log/",
        {
            "number": CALLER,
            "direction": "out",
            "minutes": "4",
            "outcome": "answered",
            "notes": "배송일 안내함",
            "ticket": ticket.pk,
        },
    )

    assert response.status_code == 302
    note = Message.objects.get(ticket=ticket, kind="note")
    assert note.kind == "note"
    assert "배송일 안내함" in note.text
    assert note.metadata["call"] == {
        "direction": "out",
        "duration": 240,
        "outcome": "answered",
        "number": CALLER,
        "manual": True,
    }


def test_a_call_logged_without_a_ticket_opens_one_for_the_caller(phone_channel, agent_client):
    agent_client.post(
        "/calls/log/",
        {"number": "010-2222-3333", "direction": "in", "minutes": "2", "outcome": "answered"},
    )

    ticket = Ticket.objects.get()
    assert ticket.customer.identities.get(kind="phone").value == "+821022223333"
    assert ticket.messages.get().metadata["call"]["manual"] is True


def test_a_call_back_rings_the_agent_first_then_connects_the_customer(
    twilio, phone_channel, agent_client
):
    response = agent_client.post(
        "/calls/back/", {"number": CALLER, "agent_number": "010-7777-8888"}
    )

    assert response.status_code == 302
    placed = twilio.placed[0]
    assert placed["To"] == "+821077778888"
    assert placed["From"] == phone_channel.address
    connect_url = placed["Url"]
    assert "/connect?" in connect_url
    # The provider fetches the connect step once the agent answers: it dials the customer.
    leg = Caller(twilio, phone_channel, "+821077778888")
    path = connect_url.split(f"/hooks/phone/{phone_channel.key}/", 1)[1]
    root = parse_twiml(leg.post(path.split("?")[0], query=path.split("?")[1]).content)
    dial = root.find("Dial")
    assert dial is not None
    assert [n.text for n in dial.iter("Number")] == [CALLER]
    assert dial.get("callerId") == phone_channel.address


def test_the_outbound_legs_status_makes_no_ticket(twilio, phone_channel, run_tasks):
    leg = Caller(twilio, phone_channel, "+821077778888")
    leg.post("status", CallStatus="completed", CallDuration="60", Direction="outbound-api")
    run_tasks()

    assert InboundEvent.objects.count() == 1
    assert not Ticket.objects.exists()


def test_a_read_only_user_cannot_log_calls(phone_channel, client):
    viewer = factories.make_agent("Viewer", role="readonly")
    client.force_login(viewer)

    response = client.post(
        "/calls/log/", {"number": CALLER, "direction": "in", "minutes": "1", "outcome": "busy"}
    )

    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_a_korean_agent_sees_the_screen_pop_in_korean(phone_channel, client):
    agent = factories.make_agent("지훈", language="ko")
    client.force_login(agent)

    page = client.get("/calls/pop/", {"number": "+821099998888"}).content.decode()

    assert "걸려 온 전화: +821099998888" in page
    assert "이 통화 기록하기" in page


def test_a_customers_phone_number_on_the_ticket_page_leads_to_call_back_and_call_log(
    phone_channel, agent_client
):
    ticket = _ticket_of_known_caller(phone_channel, "환불 요청")

    page = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()
    calls = agent_client.get(f"/calls/?ticket={ticket.pk}").content.decode()

    assert f"/calls/?ticket={ticket.pk}&amp;number=%2B821012345678" in page
    assert 'id="log-number"' in calls and CALLER in calls
    assert 'action="/calls/back/"' in calls


def test_a_phone_ticket_offers_notes_only_and_refuses_a_written_reply(phone_channel, agent_client):
    ticket = _ticket_of_known_caller(phone_channel, "전화 문의")

    page = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'value="note"' in page and 'value="public"' not in page

    agent_client.post(f"/tickets/{ticket.pk}/reply/", {"kind": "public", "text": "답장"})
    assert not ticket.messages.filter(text="답장").exists()
