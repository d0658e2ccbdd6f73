"""Setting up a LINE channel: the connection test, the add-friend link, unknown users."""

from __future__ import annotations

from typing import Any

import pytest

from sangdam.connectors.base import DeliveryError
from sangdam.connectors.line.connector import LineConnector
from sangdam.connectors.line.fake import FakeLine
from sangdam.connectors.models import Channel
from sangdam.tickets.models import Message
from tests.line.conftest import post_webhook


def test_test_connection_names_the_account_from_bot_info(
    line_channel: Channel, fake_line: FakeLine
) -> None:
    summary = LineConnector().test_connection(line_channel)
    assert summary == "Connected to LINE as Sangdam (@sangdam)."
    assert fake_line.calls_under("/v2/bot/info")


def test_test_connection_with_a_wrong_token_says_what_line_said(
    line_channel: Channel, fake_line: FakeLine
) -> None:
    line_channel.secrets = {**line_channel.secrets, "channel_access_token": "wrong"}
    with pytest.raises(DeliveryError, match="Authentication failed"):
        LineConnector().test_connection(line_channel)


def test_the_chat_link_adds_the_account_as_a_friend(line_channel: Channel) -> None:
    assert LineConnector().chat_link(line_channel) == "https://line.me/R/ti/p/%40sangdam"


def test_a_channel_without_a_basic_id_has_no_chat_link(line_channel: Channel) -> None:
    line_channel.config = {}
    line_channel.address = ""
    assert LineConnector().chat_link(line_channel) == ""


def test_a_user_without_a_profile_is_still_taken_in(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any
) -> None:
    post_webhook(line_channel, fake_line.webhook("text", user_id="U" + "f" * 32))
    run_tasks()
    message = Message.objects.select_related("ticket__customer").get()
    assert message.ticket.customer.name == ""
