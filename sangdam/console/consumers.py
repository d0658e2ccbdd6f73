"""Websocket pushes to agents' browsers: the inbox and the ticket they have open.

On a ticket's socket the browser also reports presence (``{"type": "presence",
"typing": bool, "note": bool}``,
:mod:`sangdam.console.presence`; ``note``: the agent types an internal note); every change of the roster is sent
to everyone on that ticket as ``{"event": "presence", "ticket_id", "agents": [...]}``.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from sangdam.accounts import twofactor
from sangdam.console import presence
from sangdam.console.notifications import user_group
from sangdam.core.live import INBOX_GROUP, ticket_group
from sangdam.core.sockets import JsonSocket


class LiveConsumer(JsonSocket):
    groups_joined: list[str]
    ticket_id: int | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not await self._second_factor_done(user):
            await self.close(code=4401)
            return
        self.groups_joined = [INBOX_GROUP, user_group(user.pk)]
        ticket_id = self.scope["url_route"]["kwargs"].get("ticket_id")
        if ticket_id:
            self.ticket_id = int(ticket_id)
            self.groups_joined.append(ticket_group(self.ticket_id))
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
        user = self.scope.get("user")
        if self.ticket_id is not None and user is not None and user.is_authenticated:
            roster = await presence.leave(ticket_id=self.ticket_id, user_id=user.pk)
            await self._announce(roster)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """Presence reports from a ticket page; anything else is ignored."""
        if self.ticket_id is None or not isinstance(content, dict):
            return
        if content.get("type") != "presence":
            return
        user = self.scope["user"]
        roster = await presence.touch(
            ticket_id=self.ticket_id,
            user_id=user.pk,
            name=str(user.name),
            typing=bool(content.get("typing")),
            note=bool(content.get("note")),
        )
        await self._announce(roster)

    async def _announce(self, roster: dict[str, Any]) -> None:
        assert self.ticket_id is not None
        payload = {
            "event": "presence",
            "ticket_id": self.ticket_id,
            "agents": presence.roster_list(roster),
        }
        await self.channel_layer.group_send(
            ticket_group(self.ticket_id), {"type": "live.event", "payload": payload}
        )

    async def live_event(self, event: dict[str, Any]) -> None:
        await self.send_json(event["payload"])
