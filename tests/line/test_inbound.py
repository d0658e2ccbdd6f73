"""Each kind of LINE event, as the agent sees it in the inbox."""

from __future__ import annotations

from typing import Any

from sangdam.connectors.line.fake import PNG, FakeLine
from sangdam.connectors.models import Channel, EventStatus, InboundEvent
from sangdam.customers.models import Identity
from sangdam.tickets.models import Message, Ticket
from tests import factories
from tests.line.conftest import USER, post_webhook


def receive(channel: Channel, fake: FakeLine, run_tasks: Any, fixture: str, **kw: Any) -> Message:
    assert post_webhook(channel, fake.webhook(fixture, **kw)).status_code == 200
    run_tasks()
    return Message.objects.select_related("ticket__customer").get()


def test_a_text_message_opens_a_ticket_for_the_line_user(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any
) -> None:
    message = receive(line_channel, fake_line, run_tasks, "text", message_id="531245617890123001")
    assert message.text == "안녕하세요, 결제가 두 번 되었어요."
    assert message.external_id == "531245617890123001"
    assert message.ticket.channel == line_channel


def test_the_customer_gets_the_line_display_name_and_one_identity(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any
) -> None:
    message = receive(line_channel, fake_line, run_tasks, "text")
    assert message.ticket.customer.name == "Yuki Tanaka"
    identity = Identity.objects.get(kind="line")
    assert identity.value == USER
    assert identity.customer == message.ticket.customer
    assert message.metadata["line"]["picture_url"].endswith(f"/_fake/picture/{USER}")


def test_two_messages_of_one_user_join_one_ticket(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any
) -> None:
    post_webhook(line_channel, fake_line.webhook("text", text="첫 번째"))
    post_webhook(line_channel, fake_line.webhook("text", text="두 번째"))
    run_tasks()
    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 2


def test_a_photo_is_downloaded_through_the_content_api(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any
) -> None:
    fake_line.add_content("531245617890123002", PNG, "image/png")
    message = receive(line_channel, fake_line, run_tasks, "image", message_id="531245617890123002")
    attachment = message.attachments.get()
    assert attachment.content_type == "image/png"
    assert attachment.file.read() == PNG
    assert message.text == "(photo)"
    content_call = fake_line.calls_under("/v2/bot/message/531245617890123002/content")[0]
    assert content_call.headers["authorization"] == f"Bearer {fake_line.access_token}"


def test_labels_are_in_the_centers_language(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "ko"
    message = receive(line_channel, fake_line, run_tasks, "sticker")
    assert message.text == "(스티커: Please, Pleading, Request)"


def test_a_video_and_a_voice_message_arrive_as_attachments_with_their_length(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any
) -> None:
    mp4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
    fake_line.add_content("7001", mp4, "video/mp4")
    fake_line.add_content("7002", b"\x00\x00\x00\x1cftypM4A " + b"\x00" * 64, "audio/x-m4a")
    post_webhook(line_channel, fake_line.webhook("video", message_id="7001"))
    post_webhook(line_channel, fake_line.webhook("audio", message_id="7002"))
    run_tasks()
    video, audio = Message.objects.order_by("id")
    assert video.text == "(video, 60 s)"
    assert video.attachments.get().filename == "line-7001.mp4"
    assert audio.text == "(voice message, 60 s)"
    assert audio.attachments.get().filename == "line-7002.m4a"


def test_a_file_keeps_its_name(line_channel: Channel, fake_line: FakeLine, run_tasks: Any) -> None:
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    fake_line.add_content("7003", pdf, "application/pdf")
    message = receive(line_channel, fake_line, run_tasks, "file", message_id="7003")
    assert message.text == "(file: receipt.pdf)"
    assert message.attachments.get().filename == "receipt.pdf"


def test_an_oversized_file_is_refused_with_the_reason_on_the_ticket(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any, settings: Any
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024  # the fixture's file is 2,138 bytes
    message = receive(line_channel, fake_line, run_tasks, "file", message_id="7004")
    assert not message.attachments.exists()
    assert message.metadata["refused_attachments"] == ["receipt.pdf is larger than 1.0\xa0KB."]
    assert not fake_line.calls_under("/v2/bot/message/7004/content")


def test_an_oversized_photo_is_refused_after_download(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any, settings: Any
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 16
    fake_line.add_content("7005", PNG, "image/png")
    message = receive(line_channel, fake_line, run_tasks, "image", message_id="7005")
    assert not message.attachments.exists()
    assert "line-7005" in message.metadata["refused_attachments"][0]


def test_a_sticker_reads_as_a_labelled_text(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any
) -> None:
    message = receive(line_channel, fake_line, run_tasks, "sticker")
    assert message.text == "(sticker: Please, Pleading, Request)"
    assert message.metadata["line"]["sticker_id"] == "52002734"


def test_a_location_reads_as_an_address_with_a_map_link(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any
) -> None:
    message = receive(line_channel, fake_line, run_tasks, "location")
    lines = message.text.splitlines()
    assert lines[1:3] == ["강남역", "서울특별시 강남구 강남대로 396"]
    assert "mlat=37.497942&mlon=127.027621" in lines[3]


def test_a_topic_button_becomes_a_message_and_sets_the_topic(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any
) -> None:
    factories.make_topic("payment-refund", ko="결제 및 환불", en="Payment & refund", ja="支払い")
    message = receive(line_channel, fake_line, run_tasks, "postback")
    assert message.text == "(chose the topic: 支払い)"  # in Yuki's language, as on the button
    assert message.ticket.topic is not None
    assert message.ticket.topic.slug == "payment-refund"


def test_a_new_friend_is_greeted_with_the_topics_and_no_ticket_is_opened(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any
) -> None:
    factories.make_topic("payment-refund", ko="결제 및 환불", en="Payment & refund")
    line_channel.config["welcome_text"] = "Welcome to Example support!"
    line_channel.save(update_fields=["config"])
    post_webhook(line_channel, fake_line.webhook("follow"))
    run_tasks()
    assert not Ticket.objects.exists()
    (reply,) = fake_line.replies
    (greeting,) = reply["messages"]
    assert greeting["text"].startswith("Welcome to Example support!")
    (item,) = greeting["quickReply"]["items"]
    assert item["action"]["data"] == "topic=payment-refund"
    assert InboundEvent.objects.get().status == EventStatus.IGNORED


def test_a_follow_parsed_twice_greets_once(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any
) -> None:
    from sangdam.connectors.webhooks.store import replay_events

    post_webhook(line_channel, fake_line.webhook("follow"))
    run_tasks()
    replay_events(InboundEvent.objects.all())
    run_tasks()
    assert len(fake_line.replies) + len(fake_line.pushes) == 1


def test_an_unfollow_is_recorded_without_a_ticket(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any
) -> None:
    post_webhook(line_channel, fake_line.webhook("unfollow"))
    run_tasks()
    event = InboundEvent.objects.get()
    assert event.status == EventStatus.IGNORED
    assert "unfollow" in event.last_error
    assert not Ticket.objects.exists()


def test_a_video_still_being_prepared_is_fetched_again_later(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any
) -> None:
    fake_line.fail_next("/v2/bot/message/7006/content", 503)
    fake_line.fail_next("/v2/bot/message/7006/content", 503)
    fake_line.fail_next("/v2/bot/message/7006/content", 503)
    fake_line.add_content("7006", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64, "video/mp4")
    post_webhook(line_channel, fake_line.webhook("video", message_id="7006"))
    run_tasks()
    assert not Message.objects.exists()  # LINE kept failing: the event waits for its retry
    event = InboundEvent.objects.get()
    assert event.attempts == 1
    assert "503" in event.last_error
