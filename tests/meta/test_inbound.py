"""Each documented Messenger event, signed and posted, as the agent then sees it."""

from __future__ import annotations

import pytest

from sangdam.connectors.facebook import fake as meta_fake
from sangdam.connectors.models import EventStatus, InboundEvent
from sangdam.customers.models import Identity
from sangdam.tickets.models import Message, Ticket
from tests.meta.conftest import fixture, post_hook

pytestmark = pytest.mark.django_db

PSID = "6874123409876543"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _receive(channel, graph, run_tasks, name: str) -> InboundEvent:
    assert post_hook(channel, fixture(graph, name)).status_code == 200
    run_tasks()
    return InboundEvent.objects.get(channel=channel)


def test_a_text_message_opens_a_ticket_for_the_page_scoped_customer(messenger, graph, run_tasks):
    graph.profiles[PSID] = {"first_name": "지민", "last_name": "박"}

    event = _receive(messenger, graph, run_tasks, "text")

    assert event.status == EventStatus.PROCESSED
    ticket = Ticket.objects.get()
    message = ticket.messages.get()
    assert message.text == "안녕하세요, 주문한 상품이 아직 안 왔어요."
    assert (message.external_id or "").startswith("m_AG5Hz2Uq")
    assert ticket.customer.name == "지민 박"
    assert Identity.objects.get(customer=ticket.customer).kind == "facebook"
    assert message.metadata["profile"]["profile_pic"].endswith(f"avatar-{PSID}.png")


def test_the_message_time_is_the_one_meta_stamped(messenger, graph, run_tasks):
    _receive(messenger, graph, run_tasks, "text")

    assert Message.objects.get().created_at.timestamp() == pytest.approx(1764064799.870)


def test_a_quick_reply_reads_as_its_title_and_keeps_its_payload(messenger, graph, run_tasks):
    _receive(messenger, graph, run_tasks, "quick_reply")

    message = Message.objects.get()
    assert message.text == "Payment & refund"
    assert message.metadata["quick_reply_payload"] == "TOPIC_PAYMENT_REFUND"


def test_a_postback_button_reads_as_its_title(messenger, graph, run_tasks):
    _receive(messenger, graph, run_tasks, "postback")

    message = Message.objects.get()
    assert message.text == "상담원 연결"
    assert message.metadata["postback_payload"] == "TALK_TO_AGENT"


def test_an_image_is_downloaded_into_the_ticket(messenger, graph, run_tasks):
    _receive(messenger, graph, run_tasks, "image")

    attachment = Message.objects.get().attachments.get()
    assert attachment.content_type == "image/png"
    assert attachment.filename == "470155321_1234567890_n.jpg"


def test_a_sticker_is_one_labelled_image(messenger, graph, run_tasks):
    _receive(messenger, graph, run_tasks, "sticker")

    message = Message.objects.get()
    assert "[Sticker]" in message.text or "[스티커]" in message.text
    assert message.attachments.count() == 1


def test_a_file_keeps_its_name_and_type(messenger, graph, run_tasks):
    graph.add_media(
        "v/t59.2708-21/470219954_receipt_2026-11.pdf/receipt_2026-11.pdf", PDF, "application/pdf"
    )

    _receive(messenger, graph, run_tasks, "file")

    message = Message.objects.get()
    assert message.text.startswith("영수증입니다")
    attachment = message.attachments.get()
    assert (attachment.filename, attachment.content_type) == (
        "receipt_2026-11.pdf",
        "application/pdf",
    )


def test_a_location_becomes_coordinates_with_a_map_link(messenger, graph, run_tasks):
    _receive(messenger, graph, run_tasks, "location")

    text = Message.objects.get().text
    assert "37.5665, 126.978" in text
    assert "https://www.openstreetmap.org/?mlat=37.5665&mlon=126.978" in text


def test_a_shared_link_shows_its_title(messenger, graph, run_tasks):
    _receive(messenger, graph, run_tasks, "fallback")

    text = Message.objects.get().text
    assert text.startswith("https://example.com/order/12345")
    assert "주문 상세 - Example Shop" in text


def test_the_pages_own_echo_is_not_taken_in(messenger, graph, run_tasks):
    event = _receive(messenger, graph, run_tasks, "echo")

    assert event.status == EventStatus.IGNORED
    assert "echo" in event.last_error
    assert not Message.objects.exists()


def test_a_reaction_is_kept_as_ignored_with_the_reason(messenger, graph, run_tasks):
    event = _receive(messenger, graph, run_tasks, "reaction")

    assert event.status == EventStatus.IGNORED
    assert "reaction" in event.last_error


def test_standby_events_are_left_to_the_app_in_control(messenger, graph, run_tasks):
    event = _receive(messenger, graph, run_tasks, "standby")

    assert event.status == EventStatus.IGNORED
    assert not Message.objects.exists()


def test_a_batch_of_two_messages_joins_one_conversation(messenger, graph, run_tasks):
    _receive(messenger, graph, run_tasks, "batch")

    ticket = Ticket.objects.get()
    assert [m.text for m in ticket.messages.all()] == ["첫 번째 메시지", "두 번째 메시지"]


def test_malformed_json_is_acknowledged_and_kept_as_ignored(messenger, graph, run_tasks):
    response = post_hook(messenger, b'{"object": "page", "entry": [')
    run_tasks()

    assert response.status_code == 200
    event = InboundEvent.objects.get()
    assert event.status == EventStatus.IGNORED
    assert event.last_error


def test_an_event_for_another_page_of_the_app_is_ignored(messenger, graph, run_tasks):
    payload = fixture(graph, "text")
    payload["entry"][0]["id"] = "999999999"

    post_hook(messenger, payload)
    run_tasks()

    assert InboundEvent.objects.get().status == EventStatus.IGNORED
    assert not Message.objects.exists()


def test_a_customer_without_a_public_profile_still_gets_a_ticket(messenger, graph, run_tasks):
    payload = fixture(graph, "text")
    payload["entry"][0]["messaging"][0]["sender"]["id"] = "private-5551234"

    post_hook(messenger, payload)
    run_tasks()

    ticket = Ticket.objects.get()
    assert ticket.customer.name == ""
    assert ticket.messages.get().text.startswith("안녕하세요")


def test_an_oversized_image_is_refused_with_the_reason_on_the_message(
    messenger, graph, run_tasks, settings
):
    settings.ATTACHMENT_MAX_BYTES = 1024
    graph.add_media("big.jpg", b"\xff\xd8\xff\xe0" + b"0" * 4096, "image/jpeg")
    payload = fixture(graph, "image")
    payload["entry"][0]["messaging"][0]["message"]["attachments"][0]["payload"]["url"] = (
        f"{graph.base_url}/media/big.jpg"
    )

    post_hook(messenger, payload)
    run_tasks()

    message = Message.objects.get()
    assert not message.attachments.exists()
    assert "larger than" in " ".join(message.metadata["refused_attachments"])


def test_media_urls_pointing_inside_are_refused(messenger, graph, run_tasks, settings):
    settings.NETGUARD_ALLOW_LOCAL = False
    payload = fixture(graph, "image")
    payload["entry"][0]["messaging"][0]["message"]["attachments"][0]["payload"]["url"] = (
        "http://169.254.169.254/latest/meta-data/iam/"
    )

    post_hook(messenger, payload)
    run_tasks()

    message = Message.objects.get()
    assert not message.attachments.exists()
    assert message.metadata["refused_attachments"]
    assert not [r for r in graph.received if "meta-data" in r.path]


def test_the_identity_kind_is_per_platform(messenger, graph, run_tasks):
    _receive(messenger, graph, run_tasks, "text")

    assert Identity.objects.get().value == PSID
    assert meta_fake.PAGE_ID not in Identity.objects.values_list("value", flat=True)
