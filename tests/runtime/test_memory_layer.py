"""The embedded server's channel layer: pushes reach each member once, stale sockets drop out."""

from __future__ import annotations

from typing import Any

from sangdam.core.memory_layer import MemoryChannelLayer
from tests.runtime.scenarios import pending, run_apart

MESSAGE = {"type": "live.event", "payload": {"event": "message_added", "ticket_id": 7}}


def test_a_push_to_several_groups_reaches_each_member_once() -> None:
    async def scenario() -> tuple[list[Any], list[Any], list[Any]]:
        layer = MemoryChannelLayer()
        inbox_page, ticket_page, elsewhere = [await layer.new_channel() for _ in range(3)]
        await layer.group_add("inbox", inbox_page)
        await layer.group_add("inbox", ticket_page)
        await layer.group_add("ticket-7", ticket_page)
        await layer.group_add("ticket-8", elsewhere)
        await layer.group_send_many(["inbox", "ticket-7", "ticket-9"], MESSAGE)
        return (
            await pending(layer, inbox_page, 0.05),
            await pending(layer, ticket_page, 0.05),
            await pending(layer, elsewhere, 0.05),
        )

    inbox_page, ticket_page, elsewhere = run_apart(scenario())
    assert inbox_page == [MESSAGE]
    assert ticket_page == [MESSAGE]
    assert elsewhere == []


def test_a_socket_that_stops_reading_leaves_its_groups_when_its_messages_expire() -> None:
    async def scenario() -> tuple[bool, list[Any]]:
        layer = MemoryChannelLayer(expiry=0)  # every message is stale at once
        gone = await layer.new_channel()
        await layer.group_add("ticket-7", gone)
        await layer.send(gone, MESSAGE)  # never read
        await layer.group_send("ticket-7", MESSAGE)  # sweeps first
        return gone in layer.groups.get("ticket-7", {}), await pending(layer, gone, 0.05)

    still_member, left_for_gone = run_apart(scenario())
    assert still_member is False
    assert left_for_gone == []


def test_a_full_socket_misses_a_push_and_the_others_still_get_it() -> None:
    async def scenario() -> tuple[list[Any], list[Any]]:
        layer = MemoryChannelLayer(capacity=1)
        full, reading = await layer.new_channel(), await layer.new_channel()
        await layer.send(full, {"type": "live.event", "payload": {"first": True}})
        for channel in (full, reading):
            await layer.group_add("inbox", channel)
        await layer.group_send("inbox", MESSAGE)
        return await pending(layer, full, 0.05), await pending(layer, reading, 0.05)

    full, reading = run_apart(scenario())
    assert full == [{"type": "live.event", "payload": {"first": True}}]
    assert reading == [MESSAGE]
