"""Imports every connector kind so that each registers itself."""

from sangdam.connectors.app import connector as app_connector
from sangdam.connectors.email import by_email, connector
from sangdam.connectors.facebook import connector as meta_connector
from sangdam.connectors.fakes import register_fake
from sangdam.connectors.telegram import connector as telegram_connector
from sangdam.connectors.telegram.fake import FakeTelegram

register_fake("telegram", FakeTelegram)

__all__ = ["app_connector", "by_email", "connector", "meta_connector", "telegram_connector"]
