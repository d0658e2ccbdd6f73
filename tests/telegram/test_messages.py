"""What customers send on Telegram reads well on the ticket."""

from __future__ import annotations

import pytest

from sangdam.connectors.telegram.fake import FakeTelegram
from sangdam.tickets.models import Message, Ticket
from tests.factories import PNG, make_topic
from tests.telegram.conftest import fixture
from tests.telegram.test_webhook import post_update

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
OGG = b"OggS\x00\x02" + b"\x00" * 58
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40


def test_a_photo_arrives_as_an_image_with_its_caption(
    telegram_channel, telegram: FakeTelegram, run_tasks
):
    telegram.add_file("AgACphoto-large", PNG, "photos/file_7.png")
    post_update(telegram_channel, fixture("photo"))
    run_tasks()

    message = Message.objects.get()
    assert message.text == "The box was broken"
    attachment = message.attachments.get()
    assert attachment.file.read() == PNG
    assert telegram.sent("getFile") == [{"file_id": "AgACphoto-large"}]


def test_a_document_arrives_with_its_file_name(telegram_channel, telegram: FakeTelegram, run_tasks):
    telegram.add_file("BQACdoc-receipt", PDF, "documents/file_8.pdf")
    post_update(telegram_channel, fixture("document"))
    run_tasks()

    attachment = Message.objects.get().attachments.get()
    assert attachment.filename == "receipt.pdf"
    assert attachment.content_type == "application/pdf"


def test_a_voice_message_is_labelled_and_attached(
    telegram_channel, telegram: FakeTelegram, run_tasks
):
    telegram.add_file("AwACvoice", OGG, "voice/file_9.oga")
    post_update(telegram_channel, fixture("voice"))
    run_tasks()

    message = Message.objects.get()
    assert "Voice message (4 s)" in message.text
    assert message.attachments.count() == 1


def test_a_sticker_is_a_labelled_image(telegram_channel, telegram: FakeTelegram, run_tasks):
    telegram.add_file("CAACsticker", WEBP, "stickers/file_10.webp")
    post_update(telegram_channel, fixture("sticker"))
    run_tasks()

    message = Message.objects.get()
    assert message.text == "[Sticker 😢]"
    assert message.attachments.get().filename == "sticker-15.webp"


def test_a_location_reads_as_coordinates_with_a_map_link(telegram_channel, run_tasks):
    post_update(telegram_channel, fixture("location"))
    run_tasks()

    text = Message.objects.get().text
    assert "37.566535, 126.977969" in text
    assert "openstreetmap.org" in text


def test_an_edited_message_is_added_marked_as_edited(telegram_channel, run_tasks):
    post_update(telegram_channel, fixture("text"))
    post_update(telegram_channel, fixture("edited"))
    run_tasks()

    ticket = Ticket.objects.get()
    texts = list(ticket.messages.values_list("text", flat=True))
    assert texts == [
        "Hello, my order #5521 has not arrived.",
        "(edited) Hello, my order #5522 has not arrived.",
    ]


def test_a_file_too_large_to_fetch_is_named_on_the_message(
    telegram_channel, telegram: FakeTelegram, run_tasks, settings
):
    settings.ATTACHMENT_MAX_BYTES = 1024
    post_update(telegram_channel, fixture("document"))  # 2048 bytes
    run_tasks()

    message = Message.objects.get()
    assert message.attachments.count() == 0
    assert "receipt.pdf" in message.metadata["refused_attachments"][0]
    assert telegram.sent("getFile") == []


def test_start_greets_with_the_welcome_text_and_topics_and_opens_no_ticket(
    telegram_channel, telegram: FakeTelegram, run_tasks
):
    make_topic("payment", ko="결제", en="Payment & refund")
    telegram_channel.config = {**telegram_channel.config, "welcome_text": "Welcome to ACME!"}
    telegram_channel.save(update_fields=["config"])

    post_update(telegram_channel, fixture("start"))
    run_tasks()

    (greeting,) = telegram.sent("sendMessage")
    assert greeting["chat_id"] == 424242
    assert greeting["text"].startswith("Welcome to ACME!")
    assert "Payment & refund" in greeting["text"]
    assert not Ticket.objects.exists()
