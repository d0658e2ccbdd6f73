from django.apps import AppConfig


class AppChannelConfig(AppConfig):
    """In-app inquiry channel tables (registered apps, push tokens)."""

    name = "sangdam.connectors.app"
    label = "app_channel"
