"""Imports every connector kind so that each registers itself (and its fake provider)."""

from sangdam.connectors.app import connector as app_connector
from sangdam.connectors.email import by_email, connector
from sangdam.connectors.facebook import connector as meta_connector
from sangdam.connectors.facebook import fake as meta_fake
from sangdam.connectors.fakes import register_fake
from sangdam.connectors.kakao import connector as kakao_connector
from sangdam.connectors.kakao import fake as kakao_fake
from sangdam.connectors.line import connector as line_connector
from sangdam.connectors.line import fake as line_fake
from sangdam.connectors.livechat import connector as livechat_connector
from sangdam.connectors.phone import connector as phone_connector
from sangdam.connectors.phone import fake as phone_fake
from sangdam.connectors.telegram import connector as telegram_connector
from sangdam.connectors.telegram.fake import FakeTelegram

register_fake("telegram", FakeTelegram)
register_fake("facebook", meta_fake.for_channels("facebook"))
register_fake("instagram", meta_fake.for_channels("instagram"))
register_fake("line", line_fake.for_demo)
register_fake("kakao", kakao_fake.for_demo)
register_fake("phone", phone_fake.for_demo)

__all__ = [
    "app_connector",
    "by_email",
    "connector",
    "kakao_connector",
    "line_connector",
    "livechat_connector",
    "meta_connector",
    "phone_connector",
    "telegram_connector",
]
