"""An agent's answer reaches the visitor through the normal delivery pipeline."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from django.core import mail
from django.db import connection

from sangdam.accounts.models import User
from sangdam.connectors.models import Channel
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import DeliveryState, Message, Ticket
from tests import factories
from tests.livechat.conftest import HeldMessages, Visitor


def _reply(agent: User, text: str) -> Message:
    ticket = Ticket.objects.get()
    return actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text=text)


def _leave_offline_message(channel: Channel, text: str, **contact: str) -> None:
    """A visitor who found nobody online writes through the offline form and leaves."""

    async def scenario() -> None:
        visitor = Visitor(channel)
        await visitor.connect()
        await visitor.say(text, "client-id-0001", offline=True, contact=contact)
        await visitor.close()

    async_to_sync(scenario)()


def test_an_agent_reply_is_pushed_to_the_visitor_and_marked_read(
    chat_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    agent = factories.make_agent("Minji")

    async def scenario() -> tuple[dict[str, Any], int]:
        visitor = Visitor(chat_channel)
        await visitor.connect()
        await visitor.say("Is the store open on Sunday?", "client-id-0001")
        reply = await sync_to_async(_reply)(agent, "Yes, from 10 to 18.")
        await sync_to_async(run_tasks)()
        pushed = await visitor.receive_type("message")
        await visitor.send(type="receipt", state="read", ids=[pushed["message"]["id"]])
        await visitor.send(type="ping")
        await visitor.receive_type("pong")  # the receipt was handled before the pong
        await visitor.close()
        return pushed["message"], reply.pk

    pushed, reply_id = async_to_sync(scenario)()
    assert pushed["id"] == reply_id
    assert pushed["text"] == "Yes, from 10 to 18."
    assert pushed["author"] == "Minji"
    assert Message.objects.get(pk=reply_id).delivery_state == DeliveryState.READ


def test_a_reply_written_while_the_visitor_was_away_comes_with_the_catch_up(
    chat_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    agent = factories.make_agent("Minji")

    async def scenario() -> dict[str, Any]:
        visitor = Visitor(chat_channel)
        await visitor.connect()
        asked = await visitor.say("Can I change my order?", "client-id-0001")
        await visitor.close()
        await sync_to_async(_reply)(agent, "Yes, until it ships.")
        await sync_to_async(run_tasks)()
        back = Visitor(chat_channel, token=visitor.token)
        welcome = await back.connect(after=asked["message"]["id"])
        await back.close()
        return welcome

    welcome = async_to_sync(scenario)()
    assert [(m["from"], m["text"]) for m in welcome["messages"]] == [
        ("agent", "Yes, until it ships.")
    ]


def test_an_offline_message_needs_an_email_and_is_answered_by_email(
    chat_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    factories.make_channel("email")
    agent = factories.make_agent("Minji")

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        visitor = Visitor(chat_channel)
        await visitor.connect()
        await visitor.send(type="message", client_id="client-id-0001", text="Hi", offline=True)
        refused = await visitor.receive_type("error")
        ack = await visitor.say(
            "My coupon does not work.",
            "client-id-0002",
            offline=True,
            contact={"name": "Jisoo Park", "email": "jisoo@example.net"},
        )
        await visitor.close()
        return refused, ack

    refused, ack = async_to_sync(scenario)()
    assert refused["code"] == "email_needed"
    assert ack["offline"] is True
    ticket = Ticket.objects.select_related("customer").get()
    assert ticket.customer.name == "Jisoo Park"
    assert ticket.customer.identities.filter(kind="email", value="jisoo@example.net").exists()
    _reply(agent, "Here is a new coupon code.")
    run_tasks()
    assert [m.to for m in mail.outbox] == [["jisoo@example.net"]]
    assert "Here is a new coupon code." in mail.outbox[0].body


def test_the_email_reply_to_an_offline_answer_joins_the_chat_ticket(
    chat_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    from sangdam.connectors.base import InboundMessage, SenderIdentity
    from sangdam.connectors.intake import receive

    email_channel = factories.make_channel("email")
    agent = factories.make_agent("Minji")

    _leave_offline_message(chat_channel, "Where is my refund?", email="jisoo@example.net")
    answer = _reply(agent, "It was sent yesterday.")
    run_tasks()
    answer.refresh_from_db()
    result = receive(
        InboundMessage(
            channel_id=email_channel.pk,
            external_id="<reply-1@example.net>",
            identities=(SenderIdentity("email", "jisoo@example.net"),),
            text="Thank you!",
            in_reply_to=(str(answer.external_id),),
        )
    )
    assert result.ticket.pk == answer.ticket_id


def test_when_the_agent_solves_the_chat_the_visitor_rates_it(
    chat_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    from sangdam.connectors.models import ChatRating
    from sangdam.tickets.models import Status

    agent = factories.make_agent("Minji")

    def solve() -> None:
        ticket = Ticket.objects.get()
        actions.do_reply(
            ticket=ticket, actor=Actor.agent(agent), text="Glad to help!", status=Status.SOLVED
        )

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        visitor = Visitor(chat_channel)
        await visitor.connect()
        await visitor.say("Thanks, that was all.", "client-id-0001")
        await sync_to_async(solve)()
        ended = await visitor.receive_type("ended")
        await visitor.send(type="rating", score=5, comment="빠르고 친절했어요")
        rated = await visitor.receive_type("rated")
        await visitor.close()
        back = Visitor(chat_channel, token=visitor.token)
        welcome = await back.connect()
        await back.close()
        return ended, rated, welcome

    ended, rated, welcome = async_to_sync(scenario)()
    assert ended == {"type": "ended"}
    assert rated["score"] == 5
    rating = ChatRating.objects.get()
    assert (rating.score, rating.comment) == (5, "빠르고 친절했어요")
    assert welcome["ended"] is False  # rated: not asked again


def test_the_visitor_gets_the_conversation_by_email(
    chat_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    agent = factories.make_agent("Minji")

    async def scenario() -> dict[str, Any]:
        visitor = Visitor(chat_channel)
        await visitor.connect()
        await visitor.say("What are your opening hours?", "client-id-0001")
        await sync_to_async(_reply)(agent, "Every day from 9 to 22.")
        await visitor.send(type="transcript", email="jisoo@example.net")
        sent = await visitor.receive_type("transcript_sent")
        await visitor.close()
        return sent

    sent = async_to_sync(scenario)()
    run_tasks()
    assert sent["email"] == "jisoo@example.net"
    transcript = next(m for m in mail.outbox if m.to == ["jisoo@example.net"])
    assert "What are your opening hours?" in transcript.body
    assert "Minji: Every day from 9 to 22." in transcript.body


def test_with_the_embedded_worker_busy_an_answer_reaches_the_visitor_as_it_commits(
    chat_channel: Channel,
) -> None:
    """A saturated process's worker has a backlog; the visitor does not wait behind it."""
    from sangdam.core import taskloop
    from sangdam.core.runtime import make_worker

    agent = factories.make_agent("Minji")
    worker = make_worker()  # not waiting for work: busy
    taskloop.set_local_worker(worker)

    async def scenario() -> tuple[dict[str, Any], int]:
        visitor = Visitor(chat_channel)
        await visitor.connect()
        await visitor.say("Do you ship to Jeju?", "client-id-0001")
        reply = await sync_to_async(_reply)(agent, "Yes, in two days.")
        pushed = await visitor.receive_type("message")  # no worker ran
        await visitor.close()
        return pushed["message"], reply.pk

    try:
        pushed, reply_id = async_to_sync(scenario)()
    finally:
        taskloop.set_local_worker(None)
    assert pushed["id"] == reply_id
    sent = Message.objects.get(pk=reply_id)
    assert sent.delivery_state == DeliveryState.SENT
    assert sent.external_id == f"out:{reply_id}"


def test_an_answer_to_an_offline_form_is_mailed_by_the_worker_not_by_the_agents_request(
    chat_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    from sangdam.core import taskloop
    from sangdam.core.runtime import make_worker

    factories.make_channel("email")
    agent = factories.make_agent("Minji")

    _leave_offline_message(
        chat_channel, "My coupon does not work.", name="Jisoo Park", email="jisoo@example.net"
    )
    taskloop.set_local_worker(make_worker())  # busy
    try:
        reply = _reply(agent, "Here is a new coupon code.")
    finally:
        taskloop.set_local_worker(None)
    assert mail.outbox == []  # the request did not wait on the mail server
    assert Message.objects.get(pk=reply.pk).delivery_state == DeliveryState.QUEUED
    run_tasks()
    assert [m.to for m in mail.outbox] == [["jisoo@example.net"]]


def test_an_answer_reaches_the_visitor_while_their_own_message_waits_for_the_database(
    chat_channel: Channel, held_messages: HeldMessages
) -> None:
    """On a saturated process a message may wait seconds for the sockets' database thread;
    the agent's answer (and typing) must not wait behind it."""
    from sangdam.core import taskloop
    from sangdam.core.runtime import make_worker

    agent = factories.make_agent("Minji")

    def answer() -> Message:
        taskloop.set_local_worker(make_worker())  # busy: the answer is pushed at its commit
        try:
            return _reply(agent, "Yes, in two days.")
        finally:
            taskloop.set_local_worker(None)
            connection.close()  # this thread's own, not left open on the test database

    async def scenario() -> tuple[list[str], int]:
        visitor = Visitor(chat_channel)
        await visitor.connect()
        await visitor.say("Do you ship to Jeju?", "client-id-0001")
        held_messages.hold()
        await visitor.send(type="message", client_id="client-id-0002", text="And to Ulleungdo?")
        reply = await sync_to_async(answer, thread_sensitive=False)()
        seen = [(await visitor.receive())["type"]]  # before the second message's ack
        held_messages.release()
        seen.append((await visitor.receive_type("ack"))["type"])
        await visitor.close()
        return seen, reply.pk

    seen, reply_id = async_to_sync(scenario)()
    assert seen == ["message", "ack"]
    assert Message.objects.get(pk=reply_id).delivery_state == DeliveryState.SENT


def test_messages_sent_just_before_the_tab_closed_are_still_stored(
    chat_channel: Channel, held_messages: HeldMessages
) -> None:
    def stored() -> list[str]:
        try:
            return list(Message.objects.order_by("id").values_list("text", flat=True))
        finally:
            connection.close()  # this thread's own, not left open on the test database

    async def scenario() -> list[str]:
        visitor = Visitor(chat_channel)
        await visitor.connect()
        held_messages.hold()
        await visitor.send(type="message", client_id="client-id-0001", text="Are you there?")
        await visitor.send(type="message", client_id="client-id-0002", text="Hello?")
        # The socket closes before either is stored (the database thread is let go just
        # after: the consumer's own ending waits for that thread).
        threading.Timer(0.3, held_messages.release).start()
        await visitor.close()
        for _ in range(100):
            texts = await sync_to_async(stored, thread_sensitive=False)()
            if len(texts) == 2:
                return texts
            await asyncio.sleep(0.05)
        return []

    texts = async_to_sync(scenario)()
    assert texts == ["Are you there?", "Hello?"]
