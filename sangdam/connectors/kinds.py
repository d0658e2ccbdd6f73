"""Offers every connector kind by the module that defines it, and its fake provider.

Neither is imported here: a kind's module loads when the kind is first asked for
(``registry.get_connector``) or when a serving process starts (``registry.load_all``),
and only ``sangdam fake-providers`` loads the fakes (~1 MB of code each would carry for
nothing).
"""

from sangdam.connectors.fakes import register_fake
from sangdam.connectors.registry import register_module

for _kind, _module in (
    ("app", "sangdam.connectors.app.connector"),
    ("api", "sangdam.connectors.email.by_email"),
    ("webform", "sangdam.connectors.email.by_email"),
    ("email", "sangdam.connectors.email.connector"),
    ("facebook", "sangdam.connectors.facebook.connector"),
    ("instagram", "sangdam.connectors.facebook.connector"),
    ("kakao", "sangdam.connectors.kakao.connector"),
    ("line", "sangdam.connectors.line.connector"),
    ("livechat", "sangdam.connectors.livechat.connector"),
    ("phone", "sangdam.connectors.phone.connector"),
    ("telegram", "sangdam.connectors.telegram.connector"),
):
    register_module(_kind, _module)

register_fake("telegram", "sangdam.connectors.telegram.fake.FakeTelegram")
register_fake("facebook", "sangdam.connectors.facebook.fake.for_facebook")
register_fake("instagram", "sangdam.connectors.facebook.fake.for_instagram")
register_fake("line", "sangdam.connectors.line.fake.for_demo")
register_fake("kakao", "sangdam.connectors.kakao.fake.for_demo")
register_fake("phone", "sangdam.connectors.phone.fake.for_demo")
