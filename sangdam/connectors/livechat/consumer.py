"""The visitor's websocket (``/ws/chat/<channel key>/``): the live chat channel's door.

Protocol (JSON frames; docs/channels/live-chat.md lists them):

- ``hello`` {token?, after?, visit?} → ``welcome`` {token, messages, availability}: the
  signed visitor token is checked (a forged, expired or foreign one closes the socket
  with 4403), a visitor without one gets a new one, and the messages after ``after``
  (the catch-up) come back.
- ``message`` {client_id, text, contact?, offline?} → ``ack`` {client_id, message} once
  the intake has committed it; a repeated client id gets the same ack and nothing new is
  stored. ``contact`` (name, email, topic: the pre-chat form) goes with the first one;
  ``offline`` (nobody available: the answer goes by email) requires an email.
- ``typing`` {on} → the agent's ticket page hears it; ``receipt`` {state, ids} marks
  agent messages delivered or read; ``rating`` {score 1-5, comment?} → ``rated`` (the
  CSAT answer once the chat ``ended``); ``transcript`` {email?} → ``transcript_sent``
  (mailed by a worker, a few an hour); ``ping`` → ``pong``.

The server pushes ``message`` (an agent's reply, or the visitor's own from another tab),
``typing`` (the agent) and ``ended`` (the agent solved the ticket). Errors are ``error`` {code, detail}; the socket stays open.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from dataclasses import replace
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from sangdam.connectors.livechat import conversation
from sangdam.connectors.livechat.config import (
    CLIENT_ID_PATTERN,
    MAX_TEXT,
    BadToken,
    new_visitor,
    verified_user,
    visitor_from_token,
    visitor_group,
    visitor_token,
)
from sangdam.connectors.models import Channel
from sangdam.core import ratelimit
from sangdam.core.group_commit import GroupCommit
from sangdam.core.live import ticket_group
from sangdam.core.sockets import JsonSocket

CLIENT_ID = re.compile(CLIENT_ID_PATTERN)
CLOSE_FORBIDDEN = 4403
TRANSCRIPTS_PER_HOUR = 3
CLOSE_UNKNOWN_CHANNEL = 4404
CLOSE_INTERNAL_ERROR = 1011
# Frames a socket takes ahead of the one being handled before it stops reading.
MAX_WAITING_FRAMES = 32

log = logging.getLogger(__name__)
# The visitors' messages of this process: those that wait for the database together are
# stored in one transaction.
_MESSAGES = GroupCommit()


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return ""


def _valid_email(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def _text(value: object, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


class ChatConsumer(JsonSocket):
    channel: Channel | None = None
    visitor: str = ""
    visit: conversation.Visit = conversation.Visit()
    ticket_id: int | None = None
    watching: int | None = None  # the ticket whose group this socket is in (agent typing)
    told_ended = False  # "ended" went out for the current chat (said once per chat)
    _last_frame: asyncio.Future[None] | None = None  # the visitor's latest frame, handled in turn
    _waiting = 0  # frames taken and not yet handled
    _gone = False  # the socket closed

    async def connect(self) -> None:
        key = self.scope["url_route"]["kwargs"]["key"]
        self.channel = await database_sync_to_async(conversation.find_channel)(key)
        if self.channel is None:
            await self.close(code=CLOSE_UNKNOWN_CHANNEL)
            return
        await self.accept()

    async def disconnect(self, code: int) -> None:
        self._gone = True
        if self._last_frame is not None:
            # The frames taken before the close are handled before the socket ends (a
            # message is stored; what it would say back goes nowhere).
            await asyncio.wait([self._last_frame])
        if self.channel is not None and self.visitor:
            await self.channel_layer.group_discard(
                visitor_group(self.channel, self.visitor), self.channel_name
            )
        if self.watching is not None:
            await self.channel_layer.group_discard(ticket_group(self.watching), self.channel_name)

    async def _watch(self) -> None:
        """Join the group of the visitor's ticket, to hear its agent typing."""
        if self.ticket_id == self.watching or self._gone:
            return
        if self.watching is not None:
            await self.channel_layer.group_discard(ticket_group(self.watching), self.channel_name)
        self.watching = self.ticket_id
        if self.watching is not None:
            await self.channel_layer.group_add(ticket_group(self.watching), self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """Each frame is handled after the visitor's frame before it (their order is the
        visitor's), but off the socket's own turn: while a message waits for the database
        (the sockets share one database thread, and on a saturated process its queue was
        seconds long), the pushes to this socket (the agent's answer, typing) still go out.
        Past ``MAX_WAITING_FRAMES`` the socket waits as before (a flood gets no further)."""
        before = self._last_frame
        if before is not None and self._waiting >= MAX_WAITING_FRAMES:
            await asyncio.wait([before])
        self._waiting += 1
        self._last_frame = asyncio.ensure_future(self._in_turn(before, content))

    async def _in_turn(self, before: asyncio.Future[None] | None, content: Any) -> None:
        try:
            if before is not None:
                await asyncio.wait([before])  # its own failure was dealt with there
            # Handled even when the socket has closed meanwhile: a message the visitor sent
            # before closing the tab is stored, as it was when frames were handled in line.
            await self._frame(content)
        except Exception:
            log.exception("live chat frame failed; closing the socket")
            await self.close(code=CLOSE_INTERNAL_ERROR)
        finally:
            self._waiting -= 1

    async def send(
        self, text_data: str | None = None, bytes_data: bytes | None = None, close: bool = False
    ) -> None:
        if not self._gone:  # a frame handled after the socket closed answers nobody
            await super().send(text_data, bytes_data, close)

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
        if not self._gone:
            await super().close(code, reason)

    async def _frame(self, content: Any) -> None:
        if not isinstance(content, dict):
            await self._error("bad_frame", "a frame is a JSON object")
            return
        kind = content.get("type")
        if kind == "hello":
            await self._hello(content)
        elif kind == "ping":
            await self.send_json({"type": "pong"})
        elif not self.visitor:
            await self._error("no_hello", "say hello first")
        elif kind == "message":
            await self._message(content)
        elif kind == "typing":
            await self._typing(bool(content.get("on")))
        elif kind == "receipt":
            await self._receipt(content)
        elif kind == "rating":
            await self._rating(content)
        elif kind == "transcript":
            await self._transcript(content)
        elif kind == "end":
            await self._end()
        else:
            await self._error("unknown_type", f"unknown frame type: {kind!r}")

    async def _error(self, code: str, detail: str, **extra: Any) -> None:
        await self.send_json({"type": "error", "code": code, "detail": detail, **extra})

    async def _hello(self, content: dict[str, Any]) -> None:
        assert self.channel is not None
        token = content.get("token")
        if token:
            try:
                visitor = visitor_from_token(self.channel, str(token))
            except BadToken:
                await self._error("bad_token", "the visitor token is not valid")
                await self.close(code=CLOSE_FORBIDDEN)
                return
        else:
            visitor = new_visitor()
        if self.visitor and visitor != self.visitor:
            await self._error("bad_hello", "one visitor per socket")
            return
        visit = content.get("visit")
        raw: dict[str, Any] = visit if isinstance(visit, dict) else {}
        user_id = _text(raw.get("user_id"), 200)
        if user_id and not verified_user(self.channel, user_id, _text(raw.get("user_hash"), 128)):
            # Chat goes on anonymously; the site's developer sees why in the console.
            await self._error("bad_identity", "the user id's signature does not match")
            user_id = ""
        self.visit = conversation.Visit(
            page_url=_text(raw.get("page_url"), 500),
            browser=_header(self.scope, b"user-agent")[:300],
            language=_text(raw.get("language"), 16),
            name=_text(raw.get("name"), 120),
            email=_text(raw.get("email"), 254),
            topic=_text(raw.get("topic"), 60),
            user_id=user_id,
        )
        if not self.visitor:
            self.visitor = visitor
            await self.channel_layer.group_add(
                visitor_group(self.channel, visitor), self.channel_name
            )
        after = content.get("after")
        welcome = await database_sync_to_async(self._welcome)(
            after if isinstance(after, int) else 0, fresh=not token
        )
        await self.send_json(welcome)
        await self._watch()

    def _welcome(self, after: int, *, fresh: bool) -> dict[str, Any]:
        """``fresh``: a visitor made just now, who has no chat (most page views: no query)."""
        assert self.channel is not None
        chat = (
            conversation.Chat()
            if fresh
            else conversation.latest_chat(channel=self.channel, visitor=self.visitor)
        )
        self.ticket_id = chat.ticket_id
        return {
            "type": "welcome",
            # A fresh token at each visit: the expiry counts from the last visit.
            "token": visitor_token(self.channel, self.visitor),
            "messages": conversation.history(
                channel=self.channel, visitor=self.visitor, after=after
            )
            if chat.ticket_id is not None
            else [],
            "availability": conversation.availability(self.channel).as_json(),
            "ended": chat.ended,
            # A chat goes on: the page offers "End chat".
            "open": chat.going_on,
        }

    async def _message(self, content: dict[str, Any]) -> None:
        client_id = content.get("client_id")
        if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
            await self._error("bad_client_id", "client_id: 8-64 letters, digits, - or _")
            return
        text = content.get("text")
        if not isinstance(text, str) or not text.strip():
            await self._error("empty", "a message needs text", client_id=client_id)
            return
        if len(text) > MAX_TEXT:
            await self._error("too_long", f"at most {MAX_TEXT} characters", client_id=client_id)
            return
        contact = content.get("contact")
        if isinstance(contact, dict):
            address = _text(contact.get("email"), 254)
            if address and not _valid_email(address):
                await self._error("email_needed", "not an email address", client_id=client_id)
                return
            self.visit = replace(
                self.visit,
                name=_text(contact.get("name"), 120) or self.visit.name,
                email=address or self.visit.email,
                topic=_text(contact.get("topic"), 60) or self.visit.topic,
            )
        offline = content.get("offline") is True
        if offline and not self.visit.email:
            # Nobody is online: the answer goes by email, so an address is required.
            await self._error("email_needed", "an offline message needs an email address")
            return
        # Stored with the other visitors' messages that wait beside it (core/group_commit.py).
        answer = await _MESSAGES.call(functools.partial(self._take, client_id, text, offline))
        await self.send_json(answer)
        await self._watch()
        if answer["type"] == "ack":
            assert self.channel is not None
            # The visitor's other tabs show it too; this one has the ack.
            await self.channel_layer.group_send(
                visitor_group(self.channel, self.visitor),
                {
                    "type": "live.event",
                    "payload": {"type": "message", "message": answer["message"]},
                    "origin": self.channel_name,
                },
            )

    def _take(self, client_id: str, text: str, offline: bool) -> dict[str, Any]:
        assert self.channel is not None
        ip = str((self.scope.get("client") or ("",))[0])
        for scope, key, limit in (
            ("livechat-visitor", self.visitor, settings.LIVECHAT_RATE_PER_VISITOR),
            ("livechat-ip", ip, settings.LIVECHAT_RATE_PER_IP),
        ):
            verdict = ratelimit.hit(scope, key, limit=limit, window=60)
            if not verdict:
                return {
                    "type": "error",
                    "code": "rate_limited",
                    "detail": "too many messages; wait a moment",
                    "client_id": client_id,
                    "retry_after": verdict.retry_after,
                }
        result = conversation.take_message(
            channel=self.channel,
            visitor=self.visitor,
            client_id=client_id,
            text=text,
            visit=self.visit,
            offline=offline,
        )
        self.ticket_id = result.ticket.pk
        self.told_ended = False  # a message after the end reopens (or starts) a chat
        return {
            "type": "ack",
            "client_id": client_id,
            # A socket's message is text only (files come by upload, files.py).
            "message": conversation.message_json(result.message, files=()),
            "offline": offline,
        }

    async def _typing(self, on: bool) -> None:
        if self.ticket_id is None:
            return
        await self.channel_layer.group_send(
            ticket_group(self.ticket_id),
            {
                "type": "live.event",
                "payload": {"event": "typing", "ticket_id": self.ticket_id, "on": on},
            },
        )

    async def _receipt(self, content: dict[str, Any]) -> None:
        ids = [i for i in content.get("ids") or [] if isinstance(i, int)]
        state = content.get("state")
        if ids and state in ("delivered", "read"):
            assert self.channel is not None
            await database_sync_to_async(conversation.record_seen)(
                channel=self.channel, visitor=self.visitor, ids=ids, state=str(state)
            )

    async def _rating(self, content: dict[str, Any]) -> None:
        score = content.get("score")
        if not isinstance(score, int) or not 1 <= score <= 5:
            await self._error("bad_score", "score: 1 to 5")
            return
        assert self.channel is not None
        stored = await database_sync_to_async(conversation.rate)(
            channel=self.channel,
            visitor=self.visitor,
            score=score,
            comment=_text(content.get("comment"), 2000),
        )
        if stored:
            await self.send_json({"type": "rated", "score": score})
        else:
            await self._error("no_chat", "there is no chat to rate")

    async def _end(self) -> None:
        """The visitor ends the chat: solved by the customer (an audited domain action);
        the agent's page hears it, and this and the visitor's other tabs get ``ended``."""
        assert self.channel is not None
        done = await database_sync_to_async(conversation.end_chat)(
            channel=self.channel, visitor=self.visitor
        )
        if not done:
            await self._error("no_chat", "there is no open chat to end")
            return
        await self._say_ended()

    async def _say_ended(self) -> None:
        if not self.told_ended:
            self.told_ended = True
            await self.send_json({"type": "ended"})

    async def _transcript(self, content: dict[str, Any]) -> None:
        address = _text(content.get("email"), 254) or self.visit.email
        if not address or not _valid_email(address):
            await self._error("email_needed", "an email address is needed")
            return
        answer = await database_sync_to_async(self._queue_transcript)(address)
        await self.send_json(answer)

    def _queue_transcript(self, address: str) -> dict[str, Any]:
        from sangdam.connectors.livechat.tasks import send_transcript

        assert self.channel is not None
        ip = str((self.scope.get("client") or ("",))[0])
        # Mail to an address the visitor types: a few an hour, so it cannot be a spam relay.
        for scope, key in (("livechat-transcript", self.visitor), ("livechat-transcript-ip", ip)):
            if not ratelimit.hit(scope, key, limit=TRANSCRIPTS_PER_HOUR, window=3600):
                return {"type": "error", "code": "rate_limited", "detail": "try again later"}
        send_transcript.enqueue(self.channel.pk, self.visitor, address, self.visit.language[:2])
        return {"type": "transcript_sent", "email": address}

    async def live_event(self, event: dict[str, Any]) -> None:
        if event.get("origin") == self.channel_name:
            return  # this socket's own message, already acked
        payload = event["payload"]
        if payload.get("event") in ("ticket_updated", "message_added"):
            # Solved by the agent: the chat has ended (the widget asks for a rating). The
            # push names the status only when the action changed it.
            assert self.channel is not None
            if payload.get("status") in conversation.ENDED and await database_sync_to_async(
                conversation.ended
            )(channel=self.channel, visitor=self.visitor):
                await self._say_ended()
            if payload["event"] == "ticket_updated":
                return
        if "event" in payload:
            # From the ticket's group: only whether an agent is typing (the console's
            # presence roster) is the visitor's business.
            if payload["event"] == "presence":
                # An internal note being typed is the agents' business only.
                typing = [
                    a for a in payload.get("agents", []) if a.get("typing") and not a.get("note")
                ]
                # The roster names an agent without a display name by email: not shown.
                name = str(typing[0]["name"]) if typing else ""
                await self.send_json(
                    {
                        "type": "typing",
                        "on": bool(typing),
                        "author": "" if "@" in name else name,
                    }
                )
            return
        await self.send_json(payload)
