from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from sangdam.connectors.kakao.fake import FakeKakao, SkillReply, secure_image_param, skill_payload
from sangdam.connectors.kakao.skill import problems
from sangdam.connectors.models import Channel
from tests import factories

FIXTURES = Path(__file__).parents[2] / "sangdam/connectors/kakao/fixtures"
BOT_ID = "5f2a9c0e3b1d7a0001c0ffee"
USER = "Xj1bW5wlE5SR"  # plusfriendUserKey


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def post_skill(channel: Channel, payload: dict[str, Any], key: str | None = None) -> Any:
    return Client().post(
        f"/hooks/kakao/{key or channel.key}",
        json.dumps(payload, ensure_ascii=False),
        content_type="application/json;charset=UTF-8",
    )


class Talk:
    """One KakaoTalk user talking to the chatbot desk (in-process, each answer checked)."""

    def __init__(self, channel: Channel, user: str = USER, lang: str = "ko") -> None:
        self.channel = channel
        self.user = user
        self.lang = lang

    def __call__(
        self, utterance: str, *, photos: tuple[str, ...] = (), callback_url: str = ""
    ) -> SkillReply:
        payload = skill_payload(
            bot_id=BOT_ID,
            utterance=utterance,
            user=f"bot-{self.user}",
            plusfriend_user_key=self.user,
            params=secure_image_param(*photos) if photos else None,
            callback_url=callback_url,
            lang=self.lang,
        )
        response = post_skill(self.channel, payload)
        assert response.status_code == 200, response.content
        data = response.json()
        assert problems(data) == []
        return SkillReply(response.status_code, 0.0, data)


@pytest.fixture
def kakao() -> Iterator[FakeKakao]:
    with FakeKakao() as fake:
        fake.bot_id = BOT_ID
        yield fake


@pytest.fixture
def kakao_channel(db) -> Channel:
    factories.make_topic("payment", ko="결제", en="Payment")
    factories.make_topic("account", ko="계정", en="Account")
    return factories.make_channel("kakao", name="카카오톡 채널", config={"bot_ids": BOT_ID})


@pytest.fixture
def talk(kakao_channel: Channel) -> Talk:
    return Talk(kakao_channel)
