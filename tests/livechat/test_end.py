"""The visitor ends the chat from the widget: solved by the customer, heard by the agent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.core import mail
from django.utils import translation

from sangdam.connectors.models import Channel, ChatRating
from sangdam.console.activity import ticket_activity
from sangdam.core.live import ticket_group
from sangdam.tickets.models import Event, Status, Ticket
from tests.livechat.conftest import Visitor


def _ticket_id() -> int:
    return Ticket.objects.get().pk


def test_the_visitor_ends_the_chat_and_the_agents_page_hears_it(chat_channel: Channel) -> None:
    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        layer = get_channel_layer()
        visitor = Visitor(chat_channel)
        await visitor.connect()
        await visitor.say("That was all, thanks.", "client-id-0001")
        console = await layer.new_channel()  # the agent's ticket page
        await layer.group_add(ticket_group(await sync_to_async(_ticket_id)()), console)
        await visitor.send(type="end")
        ended = await visitor.receive_type("ended")
        heard = await layer.receive(console)
        await visitor.close()
        return ended, heard["payload"]

    ended, heard = async_to_sync(scenario)()
    ticket = Ticket.objects.get()
    assert ended == {"type": "ended"}
    assert heard == {"event": "ticket_updated", "ticket_id": ticket.pk, "status": "solved"}
    assert ticket.status == Status.SOLVED
    event = Event.objects.get(ticket=ticket, kind="chat_ended")
    assert (event.actor_label, event.data) == ("customer", {"status": "new"})
    with translation.override("en"):
        lines = [line.text for line in ticket_activity(ticket_id=ticket.pk)]
    assert "The customer ended the chat" in lines


def test_after_ending_the_visitor_rates_and_gets_the_transcript(
    chat_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    async def scenario() -> tuple[int, dict[str, Any], dict[str, Any]]:
        visitor = Visitor(chat_channel)
        await visitor.connect()
        await visitor.say("Where is my parcel?", "client-id-0001")
        await visitor.send(type="end")
        await visitor.receive_type("ended")
        # Another tab, or a reload before answering: still asked.
        back = Visitor(chat_channel, token=visitor.token)
        welcome = await back.connect()
        assert welcome["open"] is False
        await back.send(type="rating", score=4)
        rated = await back.receive_type("rated")
        await back.send(type="transcript", email="jisoo@example.net")
        sent = await back.receive_type("transcript_sent")
        await back.close()
        await visitor.close()
        return welcome["ended"], rated, sent

    was_ended, rated, sent = async_to_sync(scenario)()
    run_tasks()
    assert was_ended is True  # asked for a rating, and no "End chat" any more
    assert rated["score"] == 4
    assert ChatRating.objects.get().score == 4
    assert sent["email"] == "jisoo@example.net"
    assert any("Where is my parcel?" in m.body for m in mail.outbox)


def test_ending_twice_or_without_a_chat_is_refused(chat_channel: Channel) -> None:
    async def scenario() -> list[str]:
        visitor = Visitor(chat_channel)
        await visitor.connect()
        await visitor.send(type="end")
        first = (await visitor.receive())["code"]
        await visitor.say("Hello", "client-id-0001")
        await visitor.send(type="end")
        await visitor.receive_type("ended")
        await visitor.send(type="end")
        second = (await visitor.receive_type("error"))["code"]
        await visitor.close()
        return [first, second]

    assert async_to_sync(scenario)() == ["no_chat", "no_chat"]
    assert Event.objects.filter(kind="chat_ended").count() == 1


def test_a_message_after_the_end_reopens_the_chat(chat_channel: Channel) -> None:
    async def scenario() -> None:
        visitor = Visitor(chat_channel)
        await visitor.connect()
        await visitor.say("Hello", "client-id-0001")
        await visitor.send(type="end")
        await visitor.receive_type("ended")
        await visitor.say("Oh, one more thing", "client-id-0002")
        await visitor.close()

    async_to_sync(scenario)()
    assert Ticket.objects.get().status in (Status.OPEN, Status.NEW)
