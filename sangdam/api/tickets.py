"""Tickets and their messages.

Creating an inquiry goes through the intake pipeline like every other channel (the
Idempotency-Key becomes the message's external id, so the pipeline itself refuses a
second ticket); changes go through the actions layer; reads through selectors.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.responses import NinjaJSONEncoder

from sangdam.accounts.models import Team, User
from sangdam.accounts.selectors import agent_by_id, team_by_id
from sangdam.api.auth import api_actor, api_user
from sangdam.api.errors import not_found, validation_error
from sangdam.api.idempotency import Outcome, idempotency_key, respond, run_idempotent
from sangdam.api.schemas import (
    ERRORS,
    MessageCreate,
    MessageOut,
    MessagePageOut,
    TicketCreate,
    TicketOut,
    TicketPageOut,
    TicketPatch,
    TicketQuery,
)
from sangdam.connectors.api_channel import default_api_channel, enabled_channel
from sangdam.connectors.base import InboundMessage, SenderIdentity
from sangdam.connectors.intake import receive
from sangdam.connectors.models import Channel, ChannelKind
from sangdam.core.html import sanitize_html
from sangdam.core.inserts import known_related
from sangdam.core.sentinels import UNCHANGED
from sangdam.search.selectors import filters_for_view, search_tickets
from sangdam.tickets import actions, selectors
from sangdam.tickets.models import Ticket, Topic

router = Router(tags=["tickets"])


def _ticket(key: str, *, shape: bool = True) -> Ticket:
    ticket = selectors.ticket_lookup(key=key, shape=shape)
    if ticket is None:
        raise not_found(_("Ticket"))
    return ticket


def _json(item: Schema) -> dict[str, Any]:
    """The body exactly as ninja renders GET responses (same date format everywhere)."""
    body: dict[str, Any] = json.loads(json.dumps(item.model_dump(), cls=NinjaJSONEncoder))
    return body


@router.get("/tickets", response={200: TicketPageOut, **ERRORS})
def list_tickets(request: HttpRequest, q: Query[TicketQuery]) -> dict[str, Any]:
    """Tickets, newest activity first (or soonest due with `sort=due`); follow `next_cursor`.

    With `q`: the tickets that match, best first (each with a `snippet`).
    """
    if q.q.strip():
        return _search(request, q)
    filters = selectors.TicketFilters(
        view=q.view,
        status=str(q.status or ""),
        channel=q.channel,
        topic=q.topic,
        priority=str(q.priority or ""),
        assignee=q.assignee,
        team=q.team,
        language=q.language,
        customer=q.customer,
        sort=q.sort,
    )
    page = selectors.ticket_page(
        user=api_user(request), filters=filters, cursor=q.cursor, limit=q.limit
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


def _search(request: HttpRequest, q: TicketQuery) -> dict[str, Any]:
    offset = 0
    if q.cursor:
        kind, offset = selectors.decode_cursor(q.cursor)
        if kind != "search" or not isinstance(offset, int) or offset < 0:
            raise selectors.InvalidQuery("cursor is not valid")
    user = api_user(request)
    filters = filters_for_view(
        view=q.view,
        user_id=user.pk if user else None,
        status=str(q.status or ""),
        channel=q.channel,
        assignee=q.assignee,
        topic=q.topic,
        priority=str(q.priority or ""),
        team=q.team,
        language=q.language,
        customer=q.customer,
    )
    result = search_tickets(q=q.q, filters=filters, limit=q.limit, offset=offset)
    items = []
    for hit in result.hits:
        hit.ticket.snippet = str(hit.snippet)  # type: ignore[attr-defined]
        items.append(hit.ticket)
    end = offset + len(items)
    more = len(items) == q.limit and (end < result.total or result.more)
    return {
        "items": items,
        "next_cursor": selectors.encode_cursor(["search", end]) if more else None,
        "total": result.total,
    }


# --- creating an inquiry --------------------------------------------------------------


def _channel(channel_id: int | None) -> Channel:
    if channel_id is None:
        return default_api_channel()
    channel = enabled_channel(channel_id)
    if channel is None:
        raise validation_error("channel_id", _("No enabled channel has this id."))
    return channel


def _identities(payload: TicketCreate, channel: Channel) -> tuple[SenderIdentity, ...]:
    """The customer's identities, the one this channel addresses them by first."""
    who = payload.customer
    found: list[SenderIdentity] = []
    if who.email:
        found.append(SenderIdentity("email", who.email))
    if who.phone and who.phone.strip():
        phone = SenderIdentity("phone", who.phone)
        found.insert(0, phone) if channel.kind == ChannelKind.PHONE else found.append(phone)
    if who.app_user_id and who.app_user_id.strip():
        app = SenderIdentity("app_user", who.app_user_id.strip())
        found.insert(0, app) if channel.kind == ChannelKind.APP else found.append(app)
    return tuple(found)


def _create(request: HttpRequest, payload: TicketCreate, key: str) -> Outcome:
    channel = _channel(payload.channel_id)
    if payload.topic and selectors.topic_by_slug(slug=payload.topic) is None:
        raise validation_error("topic", _("No topic has this slug."))
    result = receive(
        InboundMessage(
            channel_id=channel.pk,
            # Keys are per API user: two integrators reusing a key get two tickets.
            external_id=f"api:{api_user(request).pk}:{key}" if key else f"api:{uuid.uuid4().hex}",
            identities=_identities(payload, channel),
            text=payload.text,
            sender_name=payload.customer.name.strip(),
            subject=payload.subject.strip(),
            topic_slug=payload.topic or "",
            metadata=dict(payload.metadata or {}),
        )
    )
    ticket = result.ticket
    if result.created_ticket and payload.priority and payload.priority != ticket.priority:
        # The intake knows no priority (customers do not choose one); the integrator does.
        actions.do_update_fields(ticket=ticket, actor=api_actor(request), priority=payload.priority)
    if result.duplicate:
        ticket = _ticket(str(ticket.pk))
    return 201, _json(TicketOut.from_orm(ticket))


@router.post("/tickets", response={201: TicketOut, **ERRORS})
def create_ticket(request: HttpRequest, payload: TicketCreate) -> HttpResponse:
    """Open an inquiry on behalf of a customer, as if they wrote through the API channel.

    Send an `Idempotency-Key` header to retry safely: a replay returns the first answer.
    """
    key = idempotency_key(request)
    result = run_idempotent(
        request,
        user=api_user(request),
        key=key,
        payload=payload.model_dump(mode="json"),
        action=lambda: _create(request, payload, key),
        atomic=False,
    )
    return respond(result)


# --- one ticket -----------------------------------------------------------------------


@router.get("/tickets/{key}", response={200: TicketOut, **ERRORS})
def get_ticket(request: HttpRequest, key: str) -> Ticket:
    """A ticket by id or reference (e.g. `SD-240123`)."""
    return _ticket(key)


def _refs(payload: TicketPatch) -> dict[str, Any]:
    """Look up topic, assignee and team before changing anything, naming a bad field."""
    sent = payload.model_fields_set
    for name in ("status", "priority", "subject", "tags"):
        if name in sent and getattr(payload, name) is None:
            raise validation_error(name, _("This field cannot be null."))
    refs: dict[str, Any] = {}
    if "topic" in sent:
        topic: Topic | None = None
        if payload.topic is not None:
            topic = selectors.topic_by_slug(slug=payload.topic)
            if topic is None:
                raise validation_error("topic", _("No topic has this slug."))
        refs["topic"] = topic
    if "assignee_id" in sent:
        assignee: User | None = None
        if payload.assignee_id is not None:
            assignee = agent_by_id(user_id=payload.assignee_id)
            if assignee is None or not assignee.is_active:
                raise validation_error("assignee_id", _("No active agent has this id."))
        refs["assignee"] = assignee
    if "team_id" in sent:
        team: Team | None = None
        if payload.team_id is not None:
            team = team_by_id(team_id=payload.team_id)
            if team is None:
                raise validation_error("team_id", _("No team has this id."))
        refs["team"] = team
    return refs


@router.patch("/tickets/{key}", response={200: TicketOut, **ERRORS})
def update_ticket(request: HttpRequest, key: str, payload: TicketPatch) -> Ticket:
    """Change status, priority, topic, assignee, team, subject or tags: all or nothing.

    A status change the workflow does not allow answers 409 `invalid_status_transition`
    and leaves every field as it was.
    """
    ticket = _ticket(key, shape=False)
    refs = _refs(payload)
    actor = api_actor(request)
    sent = payload.model_fields_set
    with transaction.atomic():
        locked = selectors.ticket_for_update(ticket_id=ticket.pk)
        if payload.status is not None:
            actions.do_change_status(ticket=locked, actor=actor, status=payload.status)
        if sent & {"priority", "topic", "subject", "tags"}:
            actions.do_update_fields(
                ticket=locked,
                actor=actor,
                priority=payload.priority,
                topic=refs.get("topic", UNCHANGED),
                subject=payload.subject,
                tags=payload.tags,
            )
        if "assignee" in refs or "team" in refs:
            actions.do_assign(
                ticket=locked,
                actor=actor,
                assignee=refs.get("assignee", locked.assignee),
                team=refs.get("team", UNCHANGED),
            )
    return _ticket(str(ticket.pk))


# --- messages -------------------------------------------------------------------------


@router.get("/tickets/{key}/messages", response={200: MessagePageOut, **ERRORS})
def list_messages(
    request: HttpRequest, key: str, cursor: str = "", limit: int = 50
) -> dict[str, Any]:
    """The conversation oldest first, internal notes included; follow `next_cursor`."""
    ticket = _ticket(key, shape=False)
    items, next_cursor = selectors.message_page(ticket=ticket, cursor=cursor, limit=limit)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/tickets/{key}/messages", response={201: MessageOut, **ERRORS})
def add_message(request: HttpRequest, key: str, payload: MessageCreate) -> HttpResponse:
    """Reply to the customer (queued for delivery on their channel) or add an internal note.

    Supports `Idempotency-Key`; a replay returns the first answer and sends nothing again.
    """
    ticket = _ticket(key, shape=False)
    actor = api_actor(request)

    def reply() -> Outcome:
        message = actions.do_reply(
            ticket=ticket,
            actor=actor,
            text=payload.text,
            html=sanitize_html(payload.html) if payload.html else "",
            note=payload.kind == "note",
            status=payload.status,
        )
        # This endpoint takes no files: the answer lists none without reading them back
        # (one statement of the reply's twelve; bench/profile_livechat.py).
        known_related(message, "attachments", [])
        return 201, _json(MessageOut.from_orm(message))

    result = run_idempotent(
        request,
        user=api_user(request),
        key=idempotency_key(request),
        payload=payload.model_dump(mode="json"),
        action=reply,
        atomic=True,
    )
    return respond(result)
