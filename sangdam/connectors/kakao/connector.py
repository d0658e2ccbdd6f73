"""A KakaoTalk channel: the chatbot desk (Open Builder skill) and 상담톡 through a dealer.

Kakao's chatbot POSTs each turn to the skill URL (``/hooks/kakao/<channel key>``: the
unguessable key in the path is the skill's secret, as Open Builder can add no header or
signature) and waits up to 5 seconds for a version "2.0" skill answer. The door verifies
the caller (the bot id must be on the channel's allow-list: 403 and nothing stored
otherwise), stores the raw call, and :meth:`acknowledge` computes the answer synchronously
(:mod:`sangdam.connectors.kakao.desk`). There is nothing left for the event task to do.

상담톡: the dealer posts consultation events under ``/hooks/kakao/<key>/counsel/…``
(:mod:`sangdam.connectors.kakao.counsel`), and :meth:`send` writes agents' replies through
the dealer's API (:mod:`sangdam.connectors.kakao.dealers`) while the session is open.

Without a dealer the chatbot cannot message a user first (Kakao's Event API is for notices
to many users, not answers to one), so :meth:`send` refuses with the reason: the customer
reads agents' answers on the status page and under "내 문의".
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from typing import ClassVar

from sangdam.connectors.base import (
    Capabilities,
    DeliveryError,
    Ignored,
    MalformedEvent,
    OutboundMessage,
    Parsed,
    WebhookAnswer,
    WebhookConnector,
    WebhookRejected,
    WebhookRequest,
    json_body,
)
from sangdam.connectors.http import ProviderError
from sangdam.connectors.kakao import alimtalk, counsel, desk, skill
from sangdam.connectors.kakao.config import KakaoSkillConfig, skill_config
from sangdam.connectors.kakao.dealers import DEALERS, Dealer, DealerSecrets
from sangdam.connectors.kakao.request import BadSkillRequest, parse_skill_request
from sangdam.connectors.models import Channel, InboundEvent
from sangdam.connectors.registry import register

log = logging.getLogger(__name__)

# Where the dealer posts 알림톡 delivery results: /hooks/kakao/<key>/alimtalk/result.
ALIMTALK_RESULT = "alimtalk/result"


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
    secrets_class = DealerSecrets
    accepts_subpaths = True
    capabilities: ClassVar[Capabilities] = Capabilities(
        attachments=True, reply_window=counsel.SESSION_LIFETIME
    )
    text_limit = 1000  # a 상담톡 message

    @staticmethod
    def _counsel(request: WebhookRequest) -> bool:
        return request.subpath.startswith("counsel/")

    @staticmethod
    def _result(request: WebhookRequest) -> bool:
        return request.subpath.rstrip("/") == ALIMTALK_RESULT

    def verify(self, channel: Channel, request: WebhookRequest) -> None:
        if request.subpath and not (self._counsel(request) or self._result(request)):
            raise WebhookRejected(f"unknown path {request.subpath!r}", status=404)
        if self._result(request):
            if not skill_config(channel).dealer:
                raise WebhookRejected("this channel has no 알림톡 dealer", status=403)
            try:
                alimtalk.read_result(json.loads(request.body), channel_id=channel.pk)
            except (ValueError, UnicodeDecodeError, MalformedEvent) as exc:
                raise WebhookRejected(f"not an 알림톡 result: {exc}", status=400) from exc
            return
        if self._counsel(request):
            # The dealer signs nothing: the channel key in its receiving address is the
            # secret, and only a channel with a dealer takes its calls.
            if not skill_config(channel).dealer:
                raise WebhookRejected("this channel has no 상담톡 dealer", status=403)
            try:
                counsel.read_event(request.subpath, json.loads(request.body))
            except (ValueError, UnicodeDecodeError) as exc:
                raise WebhookRejected(f"not a 상담톡 event: {exc}", status=400) from exc
            return
        try:
            payload = parse_skill_request(request.body)
        except BadSkillRequest as exc:
            raise WebhookRejected(str(exc), status=400) from exc
        if payload.bot_id not in skill_config(channel).allowed_bots():
            raise WebhookRejected(f"bot {payload.bot_id!r} is not allowed", status=403)

    def event_id(self, channel: Channel, request: WebhookRequest) -> str:
        if self._result(request):
            # A dealer repeating the same result is one event.
            return alimtalk.result_event_id(json.loads(request.body))
        if self._counsel(request):
            # The serial number: a dealer's retry (or a storm) of a message is one event.
            return counsel.event_id(counsel.read_event(request.subpath, json.loads(request.body)))
        # A skill call carries no id and Kakao does not retry one (the user sees an error
        # instead), so every call is its own event.
        return f"skill-{uuid.uuid4().hex}"

    def acknowledge(
        self, channel: Channel, request: WebhookRequest, event: InboundEvent
    ) -> WebhookAnswer:
        if self._counsel(request) or self._result(request):
            return _json({"code": "0000", "message": ""})
        payload = parse_skill_request(request.body)
        answer = desk.answer(channel, payload)
        if problems := skill.problems(answer):
            # Never send Kakao an answer it would refuse: say something plain instead.
            log.error("kakao skill answer out of limits: %s", problems)
            answer = skill.response([skill.simple_text(str(answer)[:200])])
        return _json(answer)

    def answers_in_door(self, request: WebhookRequest) -> bool:
        # A skill turn is answered (and done) in the door; 상담톡 events and 알림톡
        # results go to the task.
        return not (self._counsel(request) or self._result(request))

    def parse(self, channel: Channel, event: InboundEvent) -> list[Parsed]:
        subpath = str((event.headers or {}).get(WebhookRequest.SUBPATH_HEADER, ""))
        if subpath.startswith("counsel/"):
            return counsel.parse(channel, counsel.read_event(subpath, json_body(event)))
        if subpath.rstrip("/") == ALIMTALK_RESULT:
            return [alimtalk.read_result(json_body(event), channel_id=channel.pk)]
        # A chatbot turn is answered in the door; only a replay from the admin gets here,
        # and Kakao will not show a late answer.
        return [Ignored("a chatbot turn is answered in the door, not replayed")]

    # --- 상담톡 out ------------------------------------------------------------------------

    def dealer(self, channel: Channel) -> Dealer | None:
        config = skill_config(channel)
        dealer_class = DEALERS.get(config.dealer)
        if dealer_class is None:
            return None
        secrets_ = DealerSecrets.model_validate(channel.secrets or {})
        return dealer_class(
            sender_key=config.sender_key,
            client_id=secrets_.dealer_client_id,
            client_secret=secrets_.dealer_client_secret,
            config=channel.config if isinstance(channel.config, dict) else {},
        )

    def reply_window_limits(self, channel: Channel) -> tuple[dt.timedelta, None] | None:
        """30 days after the customer's last message, with 상담톡; no window without it."""
        return (counsel.SESSION_LIFETIME, None) if skill_config(channel).dealer else None

    def conversation_ended_at(self, channel: Channel, customer_id: int) -> dt.datetime | None:
        """When the customer's 상담톡 session was ended, if it is ended now."""
        from sangdam.customers.models import Identity

        keys = list(
            Identity.objects.filter(customer_id=customer_id, kind="kakao").values_list(
                "value", flat=True
            )
        )
        return counsel.session_ended_at(channel, keys)

    def send(self, channel: Channel, message: OutboundMessage) -> str:
        dealer = self.dealer(channel)
        if dealer is None:
            raise DeliveryError(
                "A KakaoTalk chatbot cannot write to a customer first. The customer reads this "
                "reply on the status page and under “내 문의” in the chatbot; connect 상담톡 to "
                "reply inside KakaoTalk.",
                permanent=True,
            )
        if message.recipient.startswith("bot:"):
            raise DeliveryError(
                "Kakao gave this customer no channel user key, so 상담톡 cannot reach them; "
                "they read the reply on the status page.",
                permanent=True,
            )
        self._refuse_outside_session(channel, message)
        serial = f"sd{message.message_id}"
        first = ""
        n = 0
        try:
            for item in message.attachments:
                kind = "image" if item.content_type.startswith("image/") else "file"
                uploaded = dealer.upload(kind, item.filename, item.content, item.content_type)
                n += 1
                if kind == "image":
                    dealer.write_image(message.recipient, f"{serial}-{n}", uploaded["url"])
                else:
                    dealer.write_file(
                        message.recipient, f"{serial}-{n}", uploaded["url"], uploaded["name"], uploaded["size"]
                    )  # fmt: skip
                first = first or f"{serial}-{n}"
            text = message.text.strip()
            buttons: list[dict[str, str]] = []
            if message.status_url and text:
                if skill_config(channel).status_button:
                    buttons = [{"name": message.status_label[:14], "url": message.status_url}]
                else:
                    text = f"{text}\n\n{message.status_label}\n{message.status_url}"
            chunks = skill.split_text(text, self.text_limit)
            for i, chunk in enumerate(chunks, start=1):
                n += 1
                if buttons and i == len(chunks):
                    dealer.write_links(message.recipient, f"{serial}-{n}", chunk, buttons)
                else:
                    dealer.write_text(message.recipient, f"{serial}-{n}", chunk)
                first = first or f"{serial}-{n}"
        except ProviderError as exc:
            raise DeliveryError(str(exc), permanent=exc.permanent) from exc
        if not first:
            raise DeliveryError("The reply has neither text nor attachments.", permanent=True)
        return first

    def _refuse_outside_session(self, channel: Channel, message: OutboundMessage) -> None:
        from sangdam.connectors.reply_window import window_for_reply

        window = window_for_reply(channel, message_id=message.message_id)
        if window is not None and not window.can_send:
            raise DeliveryError(
                "The customer's 상담톡 session is closed (ended, or 30 days passed since their "
                "last message): nothing can be sent in KakaoTalk until they write again. They "
                "can read the reply on the status page.",
                permanent=True,
            )

    def end_session(self, channel: Channel, user_key: str) -> None:
        """End the customer's 상담톡 session (the agent closed the conversation)."""
        dealer = self.dealer(channel)
        if dealer is None:
            return
        try:
            dealer.end_session(user_key)
        except ProviderError as exc:
            raise DeliveryError(str(exc), permanent=exc.permanent) from exc
        counsel.note_session(
            channel,
            counsel.CounselEvent("expired_session", user_key, "", {}),
        )

    def chat_link(self, channel: Channel) -> str:
        public_id = skill_config(channel).channel_public_id.strip()
        return f"https://pf.kakao.com/{public_id}/chat" if public_id else ""
