"""Websocket pushes to agents' browsers: the inbox and the ticket they have open."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from sangdam.core.live import INBOX_GROUP, ticket_group


class LiveConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: list[str]

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.groups_joined = [INBOX_GROUP]
        ticket_id = self.scope["url_route"]["kwargs"].get("ticket_id")
        if ticket_id:
            self.groups_joined.append(ticket_group(int(ticket_id)))
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def live_event(self, event: dict[str, Any]) -> None:
        await self.send_json(event["payload"])
