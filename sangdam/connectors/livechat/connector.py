"""The live chat connector: replies go to the visitor's open sockets through the channel layer.

In: the chat socket (:mod:`.consumer`) verifies the visitor's signed token and hands each
message to the intake. Out: ``send`` pushes the stored reply to the visitor's group
(every tab of that browser, on whichever web process it is connected); a visitor who is
not connected reads it on their next visit (the socket's catch-up). The widget then
reports it delivered and read (``do_record_receipt``). A conversation that went on by
email because nobody was online (the offline form) is answered by email.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from sangdam.connectors.base import Capabilities, Connector, DeliveryError, OutboundMessage
from sangdam.connectors.livechat import conversation
from sangdam.connectors.livechat.config import LivechatConfig, visitor_group
from sangdam.connectors.models import Channel
from sangdam.connectors.registry import register
from sangdam.core.live import publish
from sangdam.tickets.models import Message


@register
class LivechatConnector(Connector):
    kind = "livechat"
    identity_kind = "livechat"
    config_class = LivechatConfig
    capabilities: ClassVar[Capabilities] = Capabilities(
        attachments=True, typing=True, read_receipts=True
    )

    def sends_instantly(self, last_inbound: Message | None) -> bool:
        # A push to the visitor's sockets; an answer to an offline form goes by email.
        return not conversation.offline_email_in(last_inbound)

    def send(self, channel: Channel, message: OutboundMessage) -> str:
        stored = conversation.outbound_for_visitor(message.message_id)
        if stored is None:
            raise DeliveryError("the reply no longer exists", permanent=True)
        email = conversation.offline_email(stored)
        if email:
            from sangdam.connectors.email.connector import EmailConnector
            from sangdam.connectors.selectors import default_email_channel

            return EmailConnector().send(
                default_email_channel(),
                # Only real Message-IDs thread a mail; chat ids would be noise in headers.
                replace(
                    message,
                    recipient=email,
                    in_reply_to=tuple(i for i in message.in_reply_to if i.startswith("<")),
                ),
            )
        publish(
            [visitor_group(channel, message.recipient)],
            {
                "type": "message",
                "message": conversation.message_json(stored, conversation.files_of(stored)),
            },
        )
        # Unique per channel like any provider id; the widget's receipts name it.
        return f"out:{stored.pk}"
