"""Live pushes through Redis reach every channel of every group they name, once each."""

from __future__ import annotations

import asyncio
import os
import uuid
from typing import Any

import pytest

from sangdam.core.redis_layer import RedisChannelLayer
from tests.runtime.scenarios import pending, run_apart

REDIS_URL = os.environ.get("SANGDAM_TEST_REDIS", "redis://127.0.0.1:6379") + "/11"


def _layer() -> RedisChannelLayer:
    return RedisChannelLayer(hosts=[REDIS_URL], prefix=f"test-{uuid.uuid4().hex[:8]}")


@pytest.mark.once
def test_a_push_to_several_groups_reaches_each_member_once() -> None:
    async def scenario() -> tuple[list[Any], list[Any], list[Any]]:
        layer = _layer()
        inbox_page, ticket_page, elsewhere = [await layer.new_channel() for _ in range(3)]
        await layer.group_add("inbox", inbox_page)
        await layer.group_add("inbox", ticket_page)
        await layer.group_add("ticket-7", ticket_page)
        await layer.group_add("ticket-8", elsewhere)
        message = {"type": "live.event", "payload": {"event": "message_added", "ticket_id": 7}}
        await layer.group_send_many(["inbox", "ticket-7", "ticket-9"], message)
        got = (
            await pending(layer, inbox_page, 0.5),
            await pending(layer, ticket_page, 0.5),
            await pending(layer, elsewhere, 0.5),
        )
        await layer.flush()
        return got

    inbox_page, ticket_page, elsewhere = run_apart(scenario())
    assert [m["payload"]["ticket_id"] for m in inbox_page] == [7]
    assert [m["payload"]["ticket_id"] for m in ticket_page] == [7]
    assert elsewhere == []


@pytest.mark.once
def test_a_push_to_groups_nobody_listens_to_sends_nothing() -> None:
    async def scenario() -> list[Any]:
        layer = _layer()
        listener = await layer.new_channel()
        await layer.group_add("inbox", listener)
        await layer.group_send_many(["ticket-1", "ticket-2"], {"type": "live.event"})
        got = await pending(layer, listener, 0.5)
        await layer.flush()
        return got

    assert run_apart(scenario()) == []


@pytest.mark.once
def test_a_push_from_a_thread_reaches_each_member_once_without_an_event_loop() -> None:
    async def scenario() -> tuple[list[Any], list[Any]]:
        layer = _layer()
        inbox_page, elsewhere = await layer.new_channel(), await layer.new_channel()
        await layer.group_add("inbox", inbox_page)
        await layer.group_add("ticket-7", inbox_page)
        await layer.group_add("ticket-8", elsewhere)
        message = {"type": "live.event", "payload": {"event": "message_added", "ticket_id": 7}}
        await asyncio.to_thread(layer.group_send_many_now, ["inbox", "ticket-7"], message)
        got = await pending(layer, inbox_page, 0.5), await pending(layer, elsewhere, 0.5)
        await layer.flush()
        return got

    inbox_page, elsewhere = run_apart(scenario())
    assert [m["payload"]["ticket_id"] for m in inbox_page] == [7]
    assert elsewhere == []
