"""The KakaoTalk channel reacts to the tickets domain's events (as tasks, after commit)."""

from __future__ import annotations

from sangdam.tickets.dispatch import listener
from sangdam.tickets.events import DeliveryChanged


@listener(DeliveryChanged)
def answer_by_alimtalk_when_a_reply_fails(event: DeliveryChanged) -> None:
    """A public reply that failed for good is announced by 알림톡 where the customer agreed:
    refused when sent, or reported failed later (a bounced mail of a web-form inquiry)."""
    if event.state != "failed":
        return
    from sangdam.connectors.kakao.alimtalk import notify_answer
    from sangdam.tickets.models import Direction, Message, MessageKind

    message = (
        Message.objects.select_related("ticket", "ticket__customer")
        .filter(pk=event.message_id, direction=Direction.OUT, kind=MessageKind.PUBLIC)
        .first()
    )
    if message is not None:
        notify_answer(message)
