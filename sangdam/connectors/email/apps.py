from django.apps import AppConfig


class EmailChannelConfig(AppConfig):
    """Email channel tables (mailboxes, inbound receipts); the connector code sits beside it."""

    name = "sangdam.connectors.email"
    label = "email_channel"
