"""Settings of a KakaoTalk chatbot (Open Builder skill) channel."""

from __future__ import annotations

from pydantic import BaseModel, Field

from sangdam.connectors.models import Channel


class KakaoSkillConfig(BaseModel):
    bot_ids: str = Field(
        ...,
        description="Bot ids allowed to call this skill (Open Builder: 봇 설정 > 봇 ID), "
        "separated by commas. Calls from any other bot are refused.",
    )
    channel_public_id: str = Field(
        "", description="The KakaoTalk channel's id (e.g. _xkxkxk) for the chat link."
    )
    welcome_text: str = Field(
        "", description="First answer of the chatbot; the topics follow as quick replies."
    )
    card_image_url: str = Field(
        "",
        description="Image (https) for card thumbnails; empty: text cards without an image.",
    )

    def allowed_bots(self) -> set[str]:
        return {b.strip() for b in self.bot_ids.split(",") if b.strip()}


def skill_config(channel: Channel) -> KakaoSkillConfig:
    config = channel.config if isinstance(channel.config, dict) else {}
    known = {k: v for k, v in config.items() if k in KakaoSkillConfig.model_fields}
    known.setdefault("bot_ids", "")
    return KakaoSkillConfig.model_validate(known)
