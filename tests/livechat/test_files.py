"""Pictures and files in the chat: uploaded by the visitor, checked, shown to its owner only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sangdam.connectors.livechat.config import visitor_token
from sangdam.connectors.models import Channel
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.attachments import check_attachment
from sangdam.tickets.models import Attachment, Message, Ticket
from tests import factories


def send_file(
    channel: Channel, token: str, content: bytes, client_id: str = "client-id-0001"
) -> Any:
    return Client().post(
        f"/chat/{channel.key}/upload",
        {
            "token": token,
            "client_id": client_id,
            "file": SimpleUploadedFile("receipt.png", content, "image/png"),
        },
    )


def test_a_picture_is_taken_in_once_and_acked_as_an_image(chat_channel: Channel) -> None:
    token = visitor_token(chat_channel, "visitor-1")
    first = send_file(chat_channel, token, factories.PNG)
    again = send_file(chat_channel, token, factories.PNG)  # the widget retried
    assert first.status_code == 200
    assert first.json()["message"]["attachments"][0]["image"] is True
    assert again.json()["message"]["id"] == first.json()["message"]["id"]
    assert Attachment.objects.get().content_type == "image/png"


def test_a_file_that_lies_about_its_type_is_refused(chat_channel: Channel) -> None:
    token = visitor_token(chat_channel, "visitor-1")
    response = send_file(chat_channel, token, b"MZ\x90\x00" + b"\x00" * 64)
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_an_upload_with_a_forged_token_is_refused(chat_channel: Channel) -> None:
    response = send_file(chat_channel, "forged:token", factories.PNG)
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_only_the_visitor_of_the_conversation_can_open_its_files(chat_channel: Channel) -> None:
    token = visitor_token(chat_channel, "visitor-1")
    item_id = send_file(chat_channel, token, factories.PNG).json()["message"]["attachments"][0][
        "id"
    ]
    url = f"/chat/{chat_channel.key}/files/{item_id}"
    other = visitor_token(chat_channel, "visitor-2")
    assert Client().get(url, {"t": token}).status_code == 200
    assert Client().get(url, {"t": other}).status_code == 404
    assert Client().get(url).status_code == 404


def test_an_agents_picture_reaches_the_visitor(
    chat_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    token = visitor_token(chat_channel, "visitor-1")
    send_file(chat_channel, token, factories.PNG)
    ticket = Ticket.objects.get()
    reply = actions.do_reply(
        ticket=ticket,
        actor=Actor.agent(factories.make_agent("Minji")),
        text="Here is how it should look.",
        attachments=[check_attachment("how.png", factories.PNG)],
    )
    run_tasks()
    item = reply.attachments.get()
    response = Client().get(f"/chat/{chat_channel.key}/files/{item.pk}", {"t": token})
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
