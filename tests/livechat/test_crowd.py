"""Many visitors writing at once: messages that wait for the database are stored together,
and each visitor hears back about their own."""

from __future__ import annotations

from asgiref.sync import async_to_sync, sync_to_async

from sangdam.connectors.models import Channel
from sangdam.tickets.models import Message
from tests.livechat.conftest import HeldMessages, Visitor


def test_visitors_whose_messages_waited_together_each_get_their_own_ack(
    chat_channel: Channel, held_messages: HeldMessages
) -> None:
    async def scenario() -> list[dict[str, object]]:
        visitors = [Visitor(chat_channel) for _ in range(4)]
        for visitor in visitors:
            await visitor.connect()
        held_messages.hold()
        await visitors[0].send(type="message", client_id="client-id-0000", text="First")
        await sync_to_async(held_messages.started.wait, thread_sensitive=False)(5)
        # The database thread is busy with the first: these three wait for it together.
        for number, visitor in enumerate(visitors[1:], start=1):
            await visitor.send(
                type="message", client_id=f"client-id-000{number}", text=f"Message {number}"
            )
        held_messages.release()
        acks = [await visitor.receive_type("ack") for visitor in visitors]
        for visitor in visitors:
            await visitor.close()
        return acks

    acks = async_to_sync(scenario)()
    assert [ack["client_id"] for ack in acks] == [f"client-id-000{n}" for n in range(4)]
    stored = {m.pk: m.text for m in Message.objects.all()}
    assert sorted(stored.values()) == ["First", "Message 1", "Message 2", "Message 3"]
    assert [stored[ack["message"]["id"]] for ack in acks] == [  # type: ignore[index]
        "First",
        "Message 1",
        "Message 2",
        "Message 3",
    ]
    # One conversation each: nobody's message landed in someone else's chat.
    assert len({m.ticket_id for m in Message.objects.all()}) == 4
