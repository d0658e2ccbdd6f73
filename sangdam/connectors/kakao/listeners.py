"""The KakaoTalk channel reacts to the tickets domain's events (as tasks, after commit)."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from django.conf import settings

from sangdam.tickets.dispatch import listener
from sangdam.tickets.events import CustomerReplied, DeliveryChanged

log = logging.getLogger(__name__)


# Only failures: every reply sent, delivered and read is a DeliveryChanged, and each would
# otherwise queue a dispatch task that does nothing.
@listener(DeliveryChanged, when=lambda event: event.state == "failed")
def answer_by_alimtalk_when_a_reply_fails(event: DeliveryChanged) -> None:
    """A public reply that failed for good is announced by 알림톡 where the customer agreed:
    refused when sent, or reported failed later (a bounced mail of a web-form inquiry)."""
    from sangdam.connectors.kakao.alimtalk import notify_answer
    from sangdam.tickets.models import Direction, Message, MessageKind

    message = (
        Message.objects.select_related("ticket", "ticket__customer")
        .filter(pk=event.message_id, direction=Direction.OUT, kind=MessageKind.PUBLIC)
        .first()
    )
    if message is not None:
        notify_answer(message)


@listener(CustomerReplied)
def tell_the_call_back_time_by_alimtalk(event: CustomerReplied) -> None:
    """A call-back request (the phone channel's message carrying its window) is confirmed
    by the "callback" 알림톡 to a customer who agreed to 알림톡 at a Korean mobile."""
    from sangdam.connectors.kakao import alimtalk
    from sangdam.connectors.kakao.consent import offered
    from sangdam.connectors.kakao.models import Purpose
    from sangdam.connectors.phone.callbacks import REQUEST
    from sangdam.tickets.models import Message

    if not offered(Purpose.CALLBACK):
        return  # most installations: no query at all
    message = (
        Message.objects.select_related("ticket", "ticket__customer")
        .filter(pk=event.message_id, metadata__has_key=REQUEST)
        .first()
    )
    if message is None or not isinstance(message.metadata.get(REQUEST), dict):
        return
    window = message.metadata[REQUEST]
    ticket = message.ticket
    try:
        when = call_back_time(
            dt.datetime.fromisoformat(window["start"]),
            dt.datetime.fromisoformat(window["end"]),
            ticket.language or settings.LANGUAGE_CODE,
        )
        alimtalk.notify_callback(ticket=ticket, when=when)
    except (alimtalk.NoConsent, alimtalk.NotKoreanMobile):
        return  # no consent, no 알림톡: the call itself is the answer
    except (alimtalk.TemplateMismatch, KeyError, ValueError) as exc:
        log.warning("call-back 알림톡 for %s not sent: %s", ticket.reference, exc)


def call_back_time(start: dt.datetime, end: dt.datetime, language: str) -> str:
    """ "12월 3일 14:00~15:00" (Korean) or "Dec 3, 14:00–15:00", in the center's time zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start, end = start.astimezone(zone), end.astimezone(zone)
    if language.startswith("ko"):
        return f"{start.month}월 {start.day}일 {start:%H:%M}~{end:%H:%M}"
    return f"{start:%b} {start.day}, {start:%H:%M}–{end:%H:%M}"
