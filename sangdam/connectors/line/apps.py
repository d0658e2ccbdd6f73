from django.apps import AppConfig


class LineChannelConfig(AppConfig):
    """The LINE channel: an app only for its translations (it has no tables)."""

    name = "sangdam.connectors.line"
    label = "line_channel"
    verbose_name = "LINE channel"
