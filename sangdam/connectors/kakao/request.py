"""The skill request Kakao's chatbot POSTs (SkillPayload), read into what the desk needs.

Fields as documented in "응답 타입별 JSON 포맷" > SkillPayload
(https://kakaobusiness.gitbook.io/main/tool/chatbot/skill_guide/answer_json_format):
``bot.id``, ``userRequest.utterance``, ``userRequest.user.id`` (the botUserKey) with
``properties.plusfriendUserKey``, ``userRequest.lang``, ``userRequest.callbackUrl`` (only
when the block has callback enabled), ``action.params`` / ``action.detailParams``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic")
_URL = re.compile(r"^https?://\S+$")


class BadSkillRequest(ValueError):
    """Not a skill payload (no bot id, no user)."""


@dataclass(frozen=True)
class SkillRequest:
    bot_id: str
    utterance: str
    bot_user_key: str
    plusfriend_user_key: str
    callback_url: str
    language: str  # "ko" | "en"
    photo_urls: tuple[str, ...]

    @property
    def user_key(self) -> str:
        """The identity of the user on this channel: the channel-wide plusfriendUserKey
        (상담톡's user_key is the same key) when Kakao sends it, else the bot's key."""
        if self.plusfriend_user_key:
            return self.plusfriend_user_key
        return f"bot:{self.bot_user_key}"


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _secure_image_urls(value: Any) -> list[str]:
    """URLs of the photos the 보안 이미지 plugin (``sys.plugin.secureimage``) received: its
    value is JSON whose ``secureUrls`` reads "List(url1, url2)"."""
    if isinstance(value, dict):
        value = value.get("origin") or value.get("value") or ""
    if not isinstance(value, str) or not value:
        return []
    try:
        data = json.loads(value)
    except ValueError:
        return []
    urls = str(_dict(data).get("secureUrls", ""))
    urls = urls.removeprefix("List(").removesuffix(")")
    return [u.strip() for u in urls.split(",") if _URL.match(u.strip())]


def _looks_like_photo(utterance: str) -> bool:
    """A photo sent to the bot reaches the skill as its URL on Kakao's servers."""
    if not _URL.match(utterance):
        return False
    parts = urlsplit(utterance)
    host = (parts.hostname or "").lower()
    return host.endswith(("kakaocdn.net", "kakao.com")) or parts.path.lower().endswith(
        IMAGE_SUFFIXES
    )


def parse_skill_request(body: bytes) -> SkillRequest:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadSkillRequest("the body is not JSON") from exc
    data = _dict(data)
    user_request = _dict(data.get("userRequest"))
    user = _dict(user_request.get("user"))
    properties = _dict(user.get("properties"))
    bot_id = str(_dict(data.get("bot")).get("id") or "")
    bot_user_key = str(user.get("id") or properties.get("botUserKey") or "")
    if not bot_id or not bot_user_key:
        raise BadSkillRequest("no bot id or user id")
    plusfriend = str(
        properties.get("plusfriendUserKey") or properties.get("plusfriend_user_key") or ""
    )
    utterance = str(user_request.get("utterance") or "").strip()
    action = _dict(data.get("action"))
    photos = _secure_image_urls(_dict(action.get("params")).get("secureimage"))
    if not photos:
        photos = _secure_image_urls(_dict(action.get("detailParams")).get("secureimage"))
    if not photos and _looks_like_photo(utterance):
        photos = [utterance]
    lang = str(user_request.get("lang") or "").lower()
    return SkillRequest(
        bot_id=bot_id,
        utterance=utterance,
        bot_user_key=bot_user_key,
        plusfriend_user_key=plusfriend,
        callback_url=str(user_request.get("callbackUrl") or ""),
        language="en" if lang.startswith("en") else "ko",
        photo_urls=tuple(photos),
    )
