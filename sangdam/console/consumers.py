"""Websocket pushes to agents' browsers: the inbox and the ticket they have open."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from sangdam.accounts import twofactor
from sangdam.core.live import INBOX_GROUP, ticket_group


class LiveConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: list[str]

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not await self._second_factor_done(user):
            await self.close(code=4401)
            return
        self.groups_joined = [INBOX_GROUP]
        ticket_id = self.scope["url_route"]["kwargs"].get("ticket_id")
        if ticket_id:
            self.groups_joined.append(ticket_group(int(ticket_id)))
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def _second_factor_done(self, user: Any) -> bool:
        if twofactor.session_verified(self.scope.get("session")):
            return True
        return not await database_sync_to_async(twofactor.is_enrolled)(user)

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def live_event(self, event: dict[str, Any]) -> None:
        await self.send_json(event["payload"])
