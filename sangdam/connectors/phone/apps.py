from django.apps import AppConfig


class PhoneChannelConfig(AppConfig):
    """The phone channel: an app for its translations and templates (it has no tables:
    a call's history is its stored webhook events)."""

    name = "sangdam.connectors.phone"
    label = "phone_channel"
    verbose_name = "Phone channel"
