"""Turning stored webhook events into messages and delivery receipts."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from sangdam.connectors import intake
from sangdam.connectors.base import (
    DeliveryReceipt,
    Ignored,
    InboundMessage,
    MalformedEvent,
    WebhookConnector,
)
from sangdam.connectors.models import EventStatus, InboundEvent
from sangdam.connectors.registry import get_connector
from sangdam.core import backoff
from sangdam.core.compiled import MARKER, CompiledQuery
from sangdam.core.updates import update
from sangdam.tickets import actions

log = logging.getLogger(__name__)


# Read for every provider event: compiled once (core/compiled.py).
_EVENT = CompiledQuery(
    InboundEvent, lambda pk: InboundEvent.objects.select_related("channel").filter(pk=pk), MARKER
)


@task(queue_name="webhooks")
def process_inbound_event(event_pk: int) -> None:
    """Parse one stored event and hand what it carries to the intake and the actions.

    A failure is kept on the event (attempts, last error) and retried with the one backoff
    policy; after ``WEBHOOK_MAX_ATTEMPTS`` the event is "failed" and waits for a replay.
    Each event is its own task, so a poison event never holds up the others.
    """
    event = next(iter(_EVENT.objects(event_pk)), None)
    if event is None or event.status != EventStatus.PENDING:
        return
    channel = event.channel
    connector = get_connector(channel.kind)
    event.attempts += 1
    if not isinstance(connector, WebhookConnector):
        _finish(event, EventStatus.FAILED, f"no webhook connector for {channel.kind}")
        return
    try:
        parsed = connector.parse(channel, event)
        handled = 0
        reasons: list[str] = []
        for item in parsed:
            if isinstance(item, InboundMessage):
                result = intake.receive(item)
                handled += 1
                if not result.duplicate and connector.capabilities.replies:
                    _after_intake(result)
            elif isinstance(item, DeliveryReceipt):
                actions.do_record_receipt(
                    channel=channel,
                    state=item.state,
                    external_id=item.external_id,
                    recipient=item.recipient,
                    watermark=item.watermark,
                    error=item.error,
                )
                handled += 1
            elif isinstance(item, Ignored):
                reasons.append(item.reason)
    except MalformedEvent as exc:
        _finish(event, EventStatus.IGNORED, str(exc))
        return
    except Exception as exc:
        log.warning("webhook event %s failed (attempt %s): %r", event.pk, event.attempts, exc)
        if backoff.gave_up(event.attempts, max_attempts=settings.WEBHOOK_MAX_ATTEMPTS):
            _finish(event, EventStatus.FAILED, _describe(exc))
            return
        event.last_error = _describe(exc)
        update(event, ["attempts", "last_error"])
        process_inbound_event.using(run_after=backoff.retry_at(event.attempts)).enqueue(event.pk)
        return
    if handled:
        _finish(event, EventStatus.PROCESSED, "")
    else:
        _finish(event, EventStatus.IGNORED, "; ".join(reasons) or "nothing in it for the inbox")


def _after_intake(result: intake.IntakeResult) -> None:
    """Follow-ups of a new message from a messenger (the outside-hours answer)."""
    from sangdam.connectors.webhooks.followups import after_intake

    after_intake(result)


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _finish(event: InboundEvent, status: str, error: str) -> None:
    event.status = status
    event.last_error = error[:2000]
    event.processed_at = timezone.now()
    update(event, ["status", "attempts", "last_error", "processed_at"])
