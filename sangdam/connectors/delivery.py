"""Delivery glue: the task that sends an agent's reply through its channel's connector.

It sits between the domain (the message, its ticket, the actions that record what
happened) and the connectors, so the domain never imports a face: the customer's
status-page link (made by the portal) is added to the outbound message here.
"""

from __future__ import annotations

import logging

from django_tasks import task

from sangdam.connectors.base import DeliveryError, InboundAttachment, OutboundMessage
from sangdam.connectors.registry import get_connector
from sangdam.core import backoff
from sangdam.core.wakeup import URGENT_PRIORITY
from sangdam.customers.models import Identity
from sangdam.portal.links import attachment_url, status_link
from sangdam.tickets import actions
from sangdam.tickets.models import DeliveryState, Direction, Message

log = logging.getLogger(__name__)


# A reply someone waits for (a chat above all) goes before the bookkeeping queued with
# each inquiry (search index, SLA clocks, routing): a worker busy with a burst of
# inquiries would otherwise send it only after all of theirs (django-tasks: -100..100).
DELIVERY_PRIORITY = 10
# An agent's answer goes before the acknowledgements too, and wakes an idle worker at
# commit instead of waiting for its next look (core/wakeup.py).
ANSWER_PRIORITY = URGENT_PRIORITY


@task(queue_name="delivery", priority=DELIVERY_PRIORITY)
def deliver_message(message_id: int) -> None:
    """Send one outbound message through its channel's connector, retrying with backoff."""
    message = (
        Message.objects.select_related("ticket", "ticket__customer", "channel")
        .filter(pk=message_id)
        .first()
    )
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
    for metadata in (
        Message.objects.filter(
            ticket=message.ticket_id, direction=Direction.IN, channel=message.channel_id
        )
        .order_by("-created_at", "-id")
        .values_list("metadata", flat=True)[:20]
    ):
        sender = (metadata or {}).get("sender") or {}
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
        ext
        for ext in Message.objects.filter(
            ticket=ticket, channel=message.channel, external_id__isnull=False
        )
        .exclude(pk=message.pk)
        .order_by("created_at", "id")
        .values_list("external_id", flat=True)
        if ext
    )
    status_label, status_url = status_link(ticket)
    attachments = tuple(
        InboundAttachment(
            filename=a.filename,
            content_type=a.content_type,
            content=a.file.read(),
            url=attachment_url(ticket, a.pk),
        )
        for a in message.attachments.all()
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
