"""The KakaoTalk chatbot desk: a Kakao i Open Builder skill server behind the webhook door.

Kakao's chatbot POSTs each turn to the skill URL (``/hooks/kakao/<channel key>``: the
unguessable key in the path is the skill's secret, as Open Builder can add no header or
signature) and waits up to 5 seconds for a version "2.0" skill answer. The door verifies
the caller (the bot id must be on the channel's allow-list: 403 and nothing stored
otherwise), stores the raw call, and :meth:`acknowledge` computes the answer synchronously
(:mod:`sangdam.connectors.kakao.desk`). There is nothing left for the event task to do.

The chatbot cannot message a user first (Kakao's Event API is for notices to many users,
not answers to one), so :meth:`send` refuses with the reason: the customer reads agents'
answers on the status page and under "내 문의".
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import ClassVar

from django.db import transaction
from django.utils import timezone

from sangdam.connectors.base import (
    Capabilities,
    DeliveryError,
    Ignored,
    OutboundMessage,
    Parsed,
    WebhookAnswer,
    WebhookConnector,
    WebhookRejected,
    WebhookRequest,
)
from sangdam.connectors.kakao import desk, skill
from sangdam.connectors.kakao.config import KakaoSkillConfig, skill_config
from sangdam.connectors.kakao.request import BadSkillRequest, parse_skill_request
from sangdam.connectors.models import Channel, EventStatus, InboundEvent
from sangdam.connectors.registry import register

log = logging.getLogger(__name__)


def _json(data: object, status: int = 200) -> WebhookAnswer:
    return WebhookAnswer(
        status=status,
        content_type="application/json; charset=utf-8",
        body=json.dumps(data, ensure_ascii=False).encode(),
    )


@register
class KakaoSkillConnector(WebhookConnector):
    kind = "kakao"
    identity_kind = "kakao"
    config_class = KakaoSkillConfig
    capabilities: ClassVar[Capabilities] = Capabilities(attachments=True)

    def verify(self, channel: Channel, request: WebhookRequest) -> None:
        try:
            payload = parse_skill_request(request.body)
        except BadSkillRequest as exc:
            raise WebhookRejected(str(exc), status=400) from exc
        if payload.bot_id not in skill_config(channel).allowed_bots():
            raise WebhookRejected(f"bot {payload.bot_id!r} is not allowed", status=403)

    def event_id(self, channel: Channel, request: WebhookRequest) -> str:
        # A skill call carries no id and Kakao does not retry one (the user sees an error
        # instead), so every call is its own event.
        return f"skill-{uuid.uuid4().hex}"

    def acknowledge(
        self, channel: Channel, request: WebhookRequest, event: InboundEvent
    ) -> WebhookAnswer:
        payload = parse_skill_request(request.body)
        answer = desk.answer(channel, payload)
        if problems := skill.problems(answer):
            # Never send Kakao an answer it would refuse: say something plain instead.
            log.error("kakao skill answer out of limits: %s", problems)
            answer = skill.response([skill.simple_text(str(answer)[:200])])
        with transaction.atomic():
            InboundEvent.objects.filter(pk=event.pk, status=EventStatus.PENDING).update(
                status=EventStatus.PROCESSED, processed_at=timezone.now()
            )
        return _json(answer)

    def parse(self, channel: Channel, event: InboundEvent) -> list[Parsed]:
        # Only reached when the synchronous answer failed: Kakao showed the user an error
        # and will not call again, so there is nothing to replay.
        return [Ignored("a chatbot turn is answered synchronously; this one failed")]

    def send(self, channel: Channel, message: OutboundMessage) -> str:
        raise DeliveryError(
            "A KakaoTalk chatbot cannot write to a customer first. The customer reads this "
            "reply on the status page and under “내 문의” in the chatbot; connect 상담톡 to "
            "reply inside KakaoTalk.",
            permanent=True,
        )

    def chat_link(self, channel: Channel) -> str:
        public_id = skill_config(channel).channel_public_id.strip()
        return f"https://pf.kakao.com/{public_id}/chat" if public_id else ""
