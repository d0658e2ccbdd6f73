"""Settings of a KakaoTalk chatbot (Open Builder skill) channel."""

from __future__ import annotations

from django.utils.translation import gettext_noop
from pydantic import BaseModel, Field, model_validator

from sangdam.connectors.models import Channel


class KakaoSkillConfig(BaseModel):
    bot_ids: str = Field(
        "",
        description=gettext_noop(
            "Chatbot: bot ids allowed to call the skill (Open Builder: 설정 > 봇 ID), "
            "separated by commas. Calls from any other bot are refused. Empty: no chatbot."
        ),
    )
    channel_public_id: str = Field(
        "", description=gettext_noop("The KakaoTalk channel's id (e.g. _xkxkxk) for the chat link.")
    )
    welcome_text: str = Field(
        "",
        description=gettext_noop(
            "First answer of the chatbot; the topics follow as quick replies."
        ),
    )
    card_image_url: str = Field(
        "",
        description=gettext_noop(
            "Image (https) for card thumbnails; empty: text cards without an image."
        ),
    )

    dealer: str = Field(
        "",
        description=gettext_noop(
            "상담톡: the dealer's API (happytalk, happytalk_v3). Empty: no 상담톡; "
            "agents' replies then reach the customer only on the status page."
        ),
    )
    sender_key: str = Field(
        "", description=gettext_noop("상담톡 and 알림톡: the channel's 발신프로필 키 (sender key).")
    )
    status_button: bool = Field(
        False,
        description=gettext_noop(
            "상담톡: send the status-page link as a link button (an LI message) "
            "instead of a line of text under the reply."
        ),
    )
    alimtalk_path: str = Field(
        "/v2/send/kakao",
        description=gettext_noop("알림톡: the dealer's send path (ask your dealer)."),
    )

    @model_validator(mode="after")
    def _something_to_do(self) -> KakaoSkillConfig:
        from sangdam.connectors.kakao.dealers import DEALERS

        if not self.bot_ids.strip() and not self.dealer:
            raise ValueError("enter the chatbot's bot id, or a 상담톡 dealer, or both")
        if self.dealer and self.dealer not in DEALERS:
            raise ValueError(f"unknown dealer {self.dealer!r}; known: {', '.join(DEALERS)}")
        if self.dealer and not self.sender_key.strip():
            raise ValueError("상담톡 needs the sender key (발신프로필 키)")
        return self

    def allowed_bots(self) -> set[str]:
        return {b.strip() for b in self.bot_ids.split(",") if b.strip()}


def skill_config(channel: Channel) -> KakaoSkillConfig:
    config = channel.config if isinstance(channel.config, dict) else {}
    known = {k: v for k, v in config.items() if k in KakaoSkillConfig.model_fields}
    return KakaoSkillConfig.model_construct(**{**_DEFAULTS, **known})


_DEFAULTS = {name: f.default for name, f in KakaoSkillConfig.model_fields.items()}
