"""Imports every connector kind so that each registers itself (and its fake provider).

A fake is registered by its import path: only ``sangdam fake-providers`` loads the fakes,
not every server process (~1 MB of code each would carry for nothing).
"""

from sangdam.connectors.app import connector as app_connector
from sangdam.connectors.email import by_email, connector
from sangdam.connectors.facebook import connector as meta_connector
from sangdam.connectors.fakes import register_fake
from sangdam.connectors.kakao import connector as kakao_connector
from sangdam.connectors.line import connector as line_connector
from sangdam.connectors.livechat import connector as livechat_connector
from sangdam.connectors.phone import connector as phone_connector
from sangdam.connectors.telegram import connector as telegram_connector

register_fake("telegram", "sangdam.connectors.telegram.fake.FakeTelegram")
register_fake("facebook", "sangdam.connectors.facebook.fake.for_facebook")
register_fake("instagram", "sangdam.connectors.facebook.fake.for_instagram")
register_fake("line", "sangdam.connectors.line.fake.for_demo")
register_fake("kakao", "sangdam.connectors.kakao.fake.for_demo")
register_fake("phone", "sangdam.connectors.phone.fake.for_demo")

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
