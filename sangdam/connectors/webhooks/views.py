"""The one endpoint every webhook provider calls.

The answer comes only after the event row (and its processing task) is committed, so an
acknowledged event is never lost; a provider's retry finds the row and gets the same
answer without a second one being stored (connectors that compute content for the
provider, such as a call's TwiML, keep it with the event and a retry gets it again). Forged or unsigned calls store nothing.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from sangdam.connectors.base import WebhookAnswer, WebhookConnector, WebhookRejected, WebhookRequest
from sangdam.connectors.models import Channel, EventStatus, InboundEvent
from sangdam.connectors.registry import get_connector
from sangdam.connectors.webhooks.store import kept_answer, store_event
from sangdam.core.memo import Memo

log = logging.getLogger(__name__)
# Every call names its channel: kept per process for a few seconds (core/memo.py), so the
# acknowledgement reads no channel row and decrypts no secrets.
_channels = Memo(Channel)

# Kept with the event for parsing and for the admin's eye; cookies and credentials are not.
_DROPPED_HEADERS = frozenset({"cookie", "authorization", "proxy-authorization"})


def _answer(answer: WebhookAnswer) -> HttpResponse:
    return HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)


def plain(status: int, text: str) -> WebhookAnswer:
    return WebhookAnswer(status=status, content_type="text/plain", body=text.encode())


def _channel(kind: str, key: str) -> Channel | None:
    """The enabled channel of that kind and webhook key.

    Enabled channels are remembered all together (a handful of rows), so the memory stays
    bounded whatever keys callers try; a key not among them is looked up in the database
    (a channel another process created a moment ago is found at once).
    """
    enabled = _channels.get(
        "enabled", lambda: {(c.kind, c.key): c for c in Channel.objects.filter(enabled=True)}
    )
    found = enabled.get((kind, key))
    if found is not None:
        return found
    return Channel.objects.filter(kind=kind, key=key, enabled=True).first()


def find(kind: str, key: str, subpath: str) -> tuple[WebhookConnector, Channel] | WebhookAnswer:
    """The connector and enabled channel a call names, or the 404 to answer."""
    connector = get_connector(kind)
    if not isinstance(connector, WebhookConnector):
        return plain(404, "unknown channel")
    if subpath and not connector.accepts_subpaths:
        return plain(404, "unknown channel")
    channel = _channel(kind, key)
    if channel is None:
        return plain(404, "unknown channel")
    return connector, channel


@csrf_exempt
def hook(request: HttpRequest, kind: str, key: str, subpath: str = "") -> HttpResponse:
    if request.method not in ("GET", "POST"):
        return _answer(plain(405, "method not allowed"))
    found = find(kind, key, subpath)
    if isinstance(found, WebhookAnswer):
        return _answer(found)
    connector, channel = found
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > settings.WEBHOOK_MAX_BODY_BYTES:
        return _answer(plain(413, "too large"))
    call = WebhookRequest(
        method=request.method or "POST",
        url=request.build_absolute_uri(),
        headers=dict(request.headers),
        query={k: str(v) for k, v in request.GET.items()},
        body=request.body,
        form=(
            {k: str(v) for k, v in request.POST.items()}
            if request.content_type == "application/x-www-form-urlencoded"
            else {}
        ),
        subpath=subpath,
    )
    return _answer(take(connector, channel, call))


def take(connector: WebhookConnector, channel: Channel, call: WebhookRequest) -> WebhookAnswer:
    """Everything the door does with a call once its channel is known: the handshake, or
    verify, store (with its task) and answer. Django's view and the lean lane
    (webhooks/lane.py) both end here."""
    handshake = connector.handshake(channel, call)
    if handshake is not None:
        return handshake
    if call.method != "POST":
        return plain(405, "method not allowed")
    try:
        connector.verify(channel, call)
    except WebhookRejected as exc:
        log.info("webhook %s/%s rejected: %s", connector.kind, channel.pk, exc)
        return plain(exc.status, "rejected")
    try:
        event_id = connector.event_id(channel, call)
    except Exception:
        # A body the connector cannot read still gets stored (and then ignored, with the
        # reason): the provider must not retry it forever.
        event_id = WebhookConnector.event_id(connector, channel, call)
    headers = {
        name.lower(): value
        for name, value in call.headers.items()
        if name.lower() not in _DROPPED_HEADERS and name.lower() != WebhookRequest.SUBPATH_HEADER
    }
    if call.subpath:
        headers[WebhookRequest.SUBPATH_HEADER] = call.subpath
    body = call.body
    if connector.keeps_answer:
        # Computed before the insert (only reads), so the write transaction stays short;
        # a retry is answered with what the first call got, not with a new computation.
        answer = connector.answer(channel, call)
        process = connector.needs_task(call, answer)
        event, created = store_event(
            channel=channel,
            event_id=event_id,
            body=body,
            headers=headers,
            answer=answer,
            process=process,
            kept_only=not process,
        )
        return answer if created else (kept_answer(event) or answer)
    in_door = connector.answers_in_door(call)
    event, _created = store_event(
        channel=channel, event_id=event_id, body=body, headers=headers, process=not in_door
    )
    if not in_door:
        return connector.acknowledge(channel, call, event)
    try:
        answer = connector.acknowledge(channel, call, event)
    except Exception as exc:
        InboundEvent.objects.filter(pk=event.pk).update(
            status=EventStatus.FAILED,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            processed_at=timezone.now(),
        )
        raise
    InboundEvent.objects.filter(pk=event.pk, status=EventStatus.PENDING).update(
        status=EventStatus.PROCESSED, processed_at=timezone.now()
    )
    return answer
