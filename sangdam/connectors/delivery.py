"""Delivery glue: the task that sends an agent's reply through its channel's connector.

It sits between the domain (the message, its ticket, the actions that record what
happened) and the connectors, so the domain never imports a face: the customer's
status-page link (made by the portal) is added to the outbound message here.
"""

from __future__ import annotations

import logging

from django_tasks import task

from sangdam.connectors.base import DeliveryError, InboundAttachment, OutboundMessage
from sangdam.connectors.models import Channel
from sangdam.connectors.registry import get_connector
from sangdam.core import backoff
from sangdam.core.compiled import MARKER, MARKER_2, CompiledQuery
from sangdam.core.wakeup import RUN_HERE_PRIORITY, URGENT_PRIORITY
from sangdam.customers.models import Identity
from sangdam.portal.links import attachment_url, status_link
from sangdam.tickets import actions
from sangdam.tickets.models import Attachment, DeliveryState, Direction, Message

log = logging.getLogger(__name__)


# A reply someone waits for (a chat above all) goes before the bookkeeping queued with
# each inquiry (search index, SLA clocks, routing): a worker busy with a burst of
# inquiries would otherwise send it only after all of theirs (django-tasks: -100..100).
DELIVERY_PRIORITY = 10
# An agent's answer goes before the acknowledgements too, and wakes an idle worker at
# commit instead of waiting for its next look (core/wakeup.py).
ANSWER_PRIORITY = URGENT_PRIORITY


def answer_priority(channel: Channel | None, last_inbound: Message | None) -> int:
    """An agent's answer on ``channel`` after the customer's ``last_inbound`` message: when
    its connector sends it without waiting on a network (a live chat's push), the embedded
    process sends it itself if its worker is busy (core/taskloop.py ``run_committed``)."""
    connector = get_connector(channel.kind) if channel is not None else None
    if connector is not None and connector.sends_instantly(last_inbound):
        return RUN_HERE_PRIORITY
    return ANSWER_PRIORITY


# Every reply on every channel reads these: compiled once (core/compiled.py); compiling
# them was about a third of a chat answer's delivery.
_MESSAGE = CompiledQuery(
    Message,
    lambda pk: Message.objects.select_related("ticket", "ticket__customer", "channel").filter(
        pk=pk
    ),
    MARKER,
)
_SENDERS = CompiledQuery(
    Message,
    lambda ticket, channel: (
        Message.objects.filter(ticket=ticket, direction=Direction.IN, channel=channel)
        .order_by("-created_at", "-id")
        .only("metadata")[:20]
    ),
    MARKER,
    MARKER_2,
)
_THREAD_IDS = CompiledQuery(
    Message,
    lambda ticket, channel, pk: (
        Message.objects.filter(ticket=ticket, channel=channel, external_id__isnull=False)
        .exclude(pk=pk)
        .order_by("created_at", "id")
        .values_list("external_id")
    ),
    MARKER,
    MARKER_2,
    MARKER - 3,
)
_ATTACHMENTS = CompiledQuery(
    Attachment, lambda message: Attachment.objects.filter(message=message), MARKER
)


@task(queue_name="delivery", priority=DELIVERY_PRIORITY)
def deliver_message(message_id: int) -> None:
    """Send one outbound message through its channel's connector, retrying with backoff."""
    message = next(iter(_MESSAGE.objects(message_id)), None)
    if message is None or message.delivery_state != DeliveryState.QUEUED or message.channel is None:
        return
    channel = message.channel
    connector = get_connector(channel.kind)
    message.delivery_attempts += 1
    if connector is None:
        actions.do_record_delivery(
            message=message,
            state=DeliveryState.FAILED,
            error=f"No connector is installed for {channel.get_kind_display()} channels.",
        )
        return
    recipient = _recipient(message, connector.identity_kind)
    if not recipient:
        actions.do_record_delivery(
            message=message,
            state=DeliveryState.FAILED,
            error=f"The customer has no {connector.identity_kind} address to reply to.",
        )
        return
    try:
        external_id = connector.send(channel, _outbound(message, recipient))
    except DeliveryError as exc:
        _failed(message, exc)
        return
    except Exception as exc:
        # A bug or an unforeseen provider answer: the reply must not sit "queued" with no
        # reason shown, so it takes the transient path (error shown, retried, then failed).
        log.exception("delivery of message %s raised unexpectedly", message.pk)
        _failed(message, DeliveryError(f"unexpected error: {exc!r}"))
        return
    actions.do_record_delivery(
        message=message, state=DeliveryState.SENT, external_id=external_id, recipient=recipient
    )


def _recipient(message: Message, identity_kind: str) -> str:
    """The address the customer last wrote from on this channel; else their newest one."""
    for inbound in _SENDERS.objects(message.ticket_id, message.channel_id):
        sender = (inbound.metadata or {}).get("sender") or {}
        if sender.get("kind") == identity_kind and sender.get("value"):
            return str(sender["value"])
    identity = (
        Identity.objects.filter(customer=message.ticket.customer, kind=identity_kind)
        .order_by("-created_at")
        .first()
    )
    return identity.value if identity else ""


def _failed(message: Message, exc: DeliveryError) -> None:
    if exc.permanent or backoff.gave_up(message.delivery_attempts):
        actions.do_record_delivery(message=message, state=DeliveryState.FAILED, error=str(exc))
        return
    retry_at = backoff.retry_at(message.delivery_attempts)
    actions.do_record_delivery(
        message=message,
        state=DeliveryState.QUEUED,
        error=f"{exc} (attempt {message.delivery_attempts}; retrying at {retry_at:%H:%M:%S} UTC)",
    )
    deliver_message.using(run_after=retry_at).enqueue(message.pk)


def _outbound(message: Message, recipient: str) -> OutboundMessage:
    ticket = message.ticket
    thread_ids = tuple(
        ext for (ext,) in _THREAD_IDS.rows(ticket.pk, message.channel_id, message.pk) if ext
    )
    status_label, status_url = status_link(ticket)
    attachments = tuple(
        InboundAttachment(
            filename=a.filename,
            content_type=a.content_type,
            content=a.file.read(),
            url=attachment_url(ticket, a.pk),
        )
        for a in _ATTACHMENTS.objects(message.pk)
    )
    return OutboundMessage(
        message_id=message.pk,
        ticket_reference=ticket.reference,
        subject=ticket.subject,
        text=message.text,
        html=message.html,
        recipient=recipient,
        recipient_name=ticket.customer.name,
        in_reply_to=thread_ids,
        attachments=attachments,
        status_label=status_label,
        status_url=status_url,
        # Set by whatever wrote the message without an agent (an acknowledgement).
        automatic=bool((message.metadata or {}).get("automatic")),
    )
