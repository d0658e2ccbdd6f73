"""The endpoints the company's apps call: topics, inquiries, replies, push tokens.

Views are thin: the caller is verified by :mod:`.auth`, new inquiries and replies go
through the intake like every other channel (so they thread, dedupe and notify agents
the same way), status changes through the actions layer, reads through selectors.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from sangdam.api.errors import ApiError, not_found, validation_error
from sangdam.api.idempotency import Keep, Outcome, idempotency_key
from sangdam.appapi import inputs
from sangdam.appapi.schemas import (
    ERRORS,
    ArticleOut,
    CallbackCreated,
    CallbackIn,
    InquiryCreated,
    InquiryForm,
    InquiryOut,
    InquiryPageOut,
    PushTokenIn,
    PushTokenOut,
    ReplyCreated,
    ReplyForm,
    SuggestIn,
    ThreadOut,
    TopicOut,
    UnreadOut,
    web_push_subscription,
)
from sangdam.connectors.app import selectors, services
from sangdam.connectors.app.auth import AppCaller, app_caller
from sangdam.connectors.base import InboundMessage
from sangdam.connectors.intake import IntakeResult, receive
from sangdam.core import netguard
from sangdam.core.downloads import attachment_response
from sangdam.customers.actions import resolve_customer
from sangdam.tickets import actions
from sangdam.tickets import selectors as ticket_selectors
from sangdam.tickets.actor import CUSTOMER
from sangdam.tickets.models import Status as TicketStatus
from sangdam.tickets.models import Ticket

router = Router(tags=["app"])

DEVICE_FIELDS = ("app_version", "os", "os_version", "device_model", "locale", "time_zone")


def _inquiry(caller: AppCaller, inquiry_id: int) -> Ticket:
    ticket = selectors.inquiry_of(customer=caller.customer(), ticket_id=inquiry_id)
    if ticket is None:
        raise not_found(_("Inquiry"))
    return ticket


# --- call backs --------------------------------------------------------------------------


@router.post("/callbacks", response={201: CallbackCreated, **ERRORS})
def request_callback(request: HttpRequest, payload: CallbackIn) -> Status[dict[str, Any]]:
    """Ask to be called back between ``start`` and ``end``: one opening span of the phone
    line, in the future (422 ``outside_hours`` / ``bad_window`` otherwise). The request
    joins the number's call back ticket, which agents work by promised time."""
    from sangdam.connectors.phone import callbacks
    from sangdam.connectors.phone.connector import hours_for_channel
    from sangdam.connectors.phone.services import phone_channel

    caller = app_caller(request)
    channel = phone_channel()
    if channel is None:
        raise ApiError(409, "no_phone_channel", _("Call backs are not offered at the moment."))
    ticket = callbacks.request_callback(
        channel=channel,
        hours=hours_for_channel(channel.pk),
        number=payload.number,
        name=payload.name or caller.name,
        start=payload.start,
        end=payload.end,
        language=(translation.get_language() or "ko")[:2],
        source="app",
        also=caller.identities(),
    )
    return Status(201, {"reference": ticket.reference, "start": payload.start, "end": payload.end})


# --- reference data ---------------------------------------------------------------------


@router.get("/topics", response={200: list[TopicOut], **ERRORS})
def topics(request: HttpRequest) -> list[dict[str, Any]]:
    """Active topics, named in the language of `Accept-Language`."""
    app_caller(request)
    language = translation.get_language_from_request(request)
    # The questions admins defined per topic (order number for refunds, ...) are the web
    # form's; the app asks the same ones and sends the answers in `metadata`.
    from sangdam.portal.models import TopicField

    questions: dict[int, list[dict[str, Any]]] = {}
    for field in TopicField.objects.order_by("topic_id", "position", "id"):
        questions.setdefault(field.topic_id, []).append(
            {
                "key": field.key,
                "label": field.label(language),
                "type": "text",
                "required": field.required,
                "options": [],
            }
        )
    return [
        {"slug": t.slug, "name": t.name(language), "fields": questions.get(t.pk, [])}
        for t in ticket_selectors.topic_list()
    ]


@router.post("/articles/suggest", response={200: list[ArticleOut], **ERRORS})
def suggest_articles(request: HttpRequest, payload: SuggestIn) -> list[dict[str, Any]]:
    """Help-center articles matching a draft; an empty list until the knowledge base exists."""
    app_caller(request)
    return []


# --- inquiries --------------------------------------------------------------------------


@router.post("/inquiries", response={201: InquiryCreated, **ERRORS})
def create_inquiry(
    request: HttpRequest,
    form: Form[InquiryForm],
    files: File[list[UploadedFile]] | None = None,
) -> HttpResponse:
    """Open an inquiry (multipart): text, topic, device details, up to 5 files.

    Send an `Idempotency-Key` header: a retry after a dropped connection returns the
    first answer and never opens a second inquiry.
    """
    caller = app_caller(request)
    inputs.only_fields(request, {"files", *InquiryForm.model_fields})
    uploads = inputs.files(request)
    metadata = inputs.metadata(form.metadata)
    if form.topic and ticket_selectors.topic_by_slug(slug=form.topic) is None:
        raise validation_error("topic", _("No topic has this slug."))
    key = idempotency_key(request)
    device = {name: getattr(form, name) for name in DEVICE_FIELDS if getattr(form, name)}

    def create(keep: Keep) -> Outcome:
        result = receive(
            InboundMessage(
                channel_id=caller.app.channel_id,
                external_id=inputs.external_id(caller, key),
                identities=caller.identities(),
                text=form.text,
                sender_name=caller.name,
                topic_slug=form.topic,
                attachments=inputs.attachments(uploads),
                # Custom keys first: the app's own device details win on a clash.
                metadata={**metadata, "app": caller.app.name, **device},
            ),
            then=lambda result: keep(*created(result)),
        )
        return created(result)

    return inputs.idempotent_intake(
        request, caller, inputs.payload(form.model_dump(), uploads), create
    )


def created(result: IntakeResult) -> Outcome:
    return 201, {"id": result.ticket.pk, "reference": result.ticket.reference}


@router.get("/inquiries", response={200: InquiryPageOut, **ERRORS})
def list_inquiries(request: HttpRequest, cursor: str = "", limit: int = 20) -> dict[str, Any]:
    """My inquiries, newest first, with status and unread replies; follow `next_cursor`."""
    caller = app_caller(request)
    items, next_cursor = selectors.inquiry_page(
        customer=caller.customer(), cursor=cursor, limit=limit
    )
    return {"items": items, "next_cursor": next_cursor}


@router.get("/inquiries/{inquiry_id}", response={200: ThreadOut, **ERRORS})
def get_inquiry(
    request: HttpRequest, inquiry_id: int, cursor: str = "", limit: int = 50
) -> dict[str, Any]:
    """One inquiry and its conversation, oldest first (public messages only)."""
    ticket = _inquiry(app_caller(request), inquiry_id)
    messages, next_cursor = selectors.thread_page(ticket=ticket, cursor=cursor, limit=limit)
    return {"inquiry": ticket, "messages": messages, "next_cursor": next_cursor}


@router.post("/inquiries/{inquiry_id}/messages", response={201: ReplyCreated, **ERRORS})
def reply(
    request: HttpRequest,
    inquiry_id: int,
    form: Form[ReplyForm],
    files: File[list[UploadedFile]] | None = None,
) -> HttpResponse:
    """Add to the conversation (multipart: text, up to 5 files); supports Idempotency-Key.

    Writing to a closed inquiry opens a follow-up one; the answer names it.
    """
    caller = app_caller(request)
    ticket = _inquiry(caller, inquiry_id)
    inputs.only_fields(request, {"files", "text"})
    uploads = inputs.files(request)
    key = idempotency_key(request)

    def add(keep: Keep) -> Outcome:
        result = receive(
            InboundMessage(
                channel_id=caller.app.channel_id,
                external_id=inputs.external_id(caller, key),
                identities=caller.identities(),
                text=form.text,
                sender_name=caller.name,
                ticket_reference=ticket.reference,
                attachments=inputs.attachments(uploads),
            ),
            then=lambda result: keep(*added(result)),
        )
        return added(result)

    payload = inputs.payload({"inquiry": inquiry_id, **form.model_dump()}, uploads)
    return inputs.idempotent_intake(request, caller, payload, add)


def added(result: IntakeResult) -> Outcome:
    return 201, {
        "id": result.message.pk,
        "inquiry_id": result.ticket.pk,
        "reference": result.ticket.reference,
    }


@router.post("/inquiries/{inquiry_id}/read", response={200: UnreadOut, **ERRORS})
def mark_read(request: HttpRequest, inquiry_id: int) -> dict[str, int]:
    """Everything up to now is read: the unread count (and the badge) drops to zero."""
    ticket = _inquiry(app_caller(request), inquiry_id)
    services.mark_read(ticket=ticket)
    return {"unread_count": selectors.unread_count(ticket=ticket)}


@router.post("/inquiries/{inquiry_id}/close", response={200: InquiryOut, **ERRORS})
def close(request: HttpRequest, inquiry_id: int) -> Ticket | None:
    """The customer's problem is solved (they can reopen it within the reopen window)."""
    caller = app_caller(request)
    ticket = _inquiry(caller, inquiry_id)
    if ticket.status != TicketStatus.CLOSED:
        actions.do_change_status(ticket=ticket, actor=CUSTOMER, status=TicketStatus.SOLVED)
    return selectors.inquiry_of(customer=caller.customer(), ticket_id=inquiry_id)


@router.post("/inquiries/{inquiry_id}/reopen", response={200: InquiryOut, **ERRORS})
def reopen(request: HttpRequest, inquiry_id: int) -> Ticket | None:
    """Not solved after all; a closed inquiry cannot be reopened (409): write a new one."""
    caller = app_caller(request)
    ticket = _inquiry(caller, inquiry_id)
    if ticket.status in (TicketStatus.SOLVED, TicketStatus.CLOSED):
        actions.do_change_status(ticket=ticket, actor=CUSTOMER, status=TicketStatus.OPEN)
    return selectors.inquiry_of(customer=caller.customer(), ticket_id=inquiry_id)


@router.get(
    "/inquiries/{inquiry_id}/attachments/{attachment_id}",
    response={200: None, **ERRORS},
    openapi_extra={
        "responses": {200: {"description": "the file", "content": {"application/octet-stream": {}}}}
    },
)
def attachment(request: HttpRequest, inquiry_id: int, attachment_id: int) -> FileResponse:
    """Download a file of a public message in the conversation."""
    ticket = _inquiry(app_caller(request), inquiry_id)
    found = ticket_selectors.attachment_detail(attachment_id=attachment_id)
    if found is None or found.message.ticket_id != ticket.pk or found.message.is_note:
        raise not_found(_("Attachment"))
    return attachment_response(found, content_type="application/octet-stream")


# --- push tokens ------------------------------------------------------------------------


def _check_push_endpoint(endpoint: str) -> None:
    """The server posts to this URL on every reply: it must be on the public internet."""
    try:
        netguard.check_url(endpoint)
    except netguard.NetguardError as exc:
        raise ApiError(
            400,
            "push_endpoint_refused",
            _("The push subscription's endpoint is not a public internet address: %(reason)s")
            % {"reason": exc},
        ) from exc


@router.post("/push-tokens", response={201: PushTokenOut, **ERRORS})
def add_push_token(request: HttpRequest, payload: PushTokenIn) -> HttpResponse:
    """Where to notify this user when an agent replies (FCM, APNs or a Web Push subscription)."""
    caller = app_caller(request)
    if payload.kind == "webpush":
        _check_push_endpoint(str((payload.subscription or {}).get("endpoint", "")))

    def add() -> Outcome:
        customer = resolve_customer(
            identities=[(i.kind, i.value) for i in caller.identities()], name=caller.name
        )
        web = payload.kind == "webpush"
        sub = web_push_subscription(payload.subscription or {}) if web else {}
        token = services.register_push_token(
            app=caller.app,
            customer=customer,
            kind=payload.kind,
            token=str(sub["endpoint"]) if web else payload.token.strip(),
            subscription=sub,
            locale=payload.locale,
        )
        return 201, {"id": token.pk, "kind": token.kind}

    return inputs.idempotent(request, caller, payload.model_dump(mode="json"), add)


@router.delete("/push-tokens", response={204: None, **ERRORS})
def delete_push_token(request: HttpRequest, token: str) -> Status:
    """Stop notifying this device (on logout); `token` is the device token or endpoint."""
    caller = app_caller(request)
    customer = caller.customer()
    if customer is not None:
        services.unregister_push_token(app=caller.app, customer=customer, token=token)
    return Status(204, None)
