"""Replies to inquiries that came through a channel that cannot answer itself.

A customer who wrote through the REST API (the company's backend on their behalf) or the
homepage form gets the answer by email, from the first enabled email channel (or the
server's default sender when there is none).
"""

from __future__ import annotations

from sangdam.connectors.base import Connector, OutboundMessage
from sangdam.connectors.email.connector import EmailConnector
from sangdam.connectors.models import Channel, ChannelKind
from sangdam.connectors.registry import register
from sangdam.connectors.selectors import default_email_channel


class ByEmailConnector(Connector):
    identity_kind = "email"

    def send(self, channel: Channel, message: OutboundMessage) -> str:
        return EmailConnector().send(default_email_channel(), message)


@register
class ApiConnector(ByEmailConnector):
    kind = ChannelKind.API


@register
class WebformConnector(ByEmailConnector):
    kind = ChannelKind.WEBFORM
