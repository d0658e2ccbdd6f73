from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sangdam.accounts.models import User
from sangdam.connectors.models import Channel
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import Attachment, DeliveryState, Message
from tests import factories
from tests.console.helpers import new_ticket


def test_agent_sees_the_conversation_with_distinct_message_kinds(
    agent_client: Client, agent: User, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel, text="결제가 두 번 되었어요.")
    actor = Actor.agent(agent)
    actions.do_reply(ticket=ticket, actor=actor, text="확인해 보겠습니다.")
    actions.do_reply(ticket=ticket, actor=actor, text="PG사에 문의 중", note=True)
    body = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert body.count('class="message message-in"') == 1
    assert body.count('class="message message-out"') == 1
    assert body.count('class="message message-note"') == 1
    assert "결제가 두 번 되었어요." in body
    assert "PG사에 문의 중" in body


def test_html_messages_are_shown_sanitized(agent_client: Client, email_channel: Channel) -> None:
    ticket = new_ticket(
        email_channel, text="", html="<p>Hello <b>there</b><script>alert(1)</script></p>"
    )
    body = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "<b>there</b>" in body
    assert "alert(1)" not in body


def test_plain_text_keeps_its_line_breaks_and_is_escaped(
    agent_client: Client, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel, text="first line\nsecond <i>line</i>")
    body = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "first line<br>second &lt;i&gt;line&lt;/i&gt;" in body


def test_attachments_download_with_content_disposition(
    agent_client: Client, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel, files=[("screenshot.png", factories.PNG)])
    attachment = Attachment.objects.get(message__ticket=ticket)
    body = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert f'href="/attachments/{attachment.pk}/"' in body
    response = agent_client.get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "screenshot.png" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == factories.PNG  # type: ignore[attr-defined]


def test_failed_delivery_shows_its_reason(
    agent_client: Client, agent: User, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    reply = actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="답변입니다")
    actions.do_record_delivery(
        message=reply, state=DeliveryState.FAILED, error="550 mailbox unavailable"
    )
    body = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "delivery-failed" in body
    assert "550 mailbox unavailable" in body


def test_customer_panel_shows_identities_and_tickets_on_other_channels(
    agent_client: Client, email_channel: Channel
) -> None:
    telegram = factories.make_channel("telegram")
    first = new_ticket(email_channel, who="minji@example.com", subject="첫 문의")
    second = factories.customer_writes(
        telegram,
        sender=("telegram", "777"),
        also=[("email", "minji@example.com")],
        language="ko",
    ).ticket
    assert second.customer_id == first.customer_id
    body = agent_client.get(f"/tickets/{second.pk}/").content.decode()
    assert "minji@example.com" in body
    assert "777" in body
    assert f'href="/tickets/{first.pk}/"' in body


def test_ticket_metadata_is_shown(agent_client: Client, email_channel: Channel) -> None:
    ticket = new_ticket(email_channel, metadata={"app_version": "3.2.1"})
    body = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "app_version" in body
    assert "3.2.1" in body


def test_thread_partial_has_the_new_message_for_the_live_refresh(
    agent_client: Client, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel, who="minji@example.com", thread_key="t-1")
    factories.customer_writes(
        email_channel,
        sender=("email", "minji@example.com"),
        thread_key="t-1",
        text="추가로 질문이 있어요",
        language="ko",
    )
    response = agent_client.get(f"/tickets/{ticket.pk}/thread/")
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="thread"')
    assert "추가로 질문이 있어요" in body
    assert Message.objects.filter(ticket=ticket).count() == 2


def test_ticket_page_opens_the_ticket_socket(agent_client: Client, email_channel: Channel) -> None:
    ticket = new_ticket(email_channel)
    body = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert f'data-live-socket="/ws/live/ticket/{ticket.pk}/"' in body


def test_an_unknown_ticket_is_not_found(agent_client: Client) -> None:
    assert agent_client.get("/tickets/999999/").status_code == 404


def test_upload_field_accepts_several_files(en_client: Client, email_channel: Channel) -> None:
    ticket = new_ticket(email_channel)
    files = [
        SimpleUploadedFile("a.png", factories.PNG, "image/png"),
        SimpleUploadedFile("b.txt", b"log line", "text/plain"),
    ]
    en_client.post(
        f"/tickets/{ticket.pk}/reply/",
        {"kind": "note", "text": "two files", "attachments": files},
    )
    note = Message.objects.get(ticket=ticket, text="two files")
    assert sorted(a.filename for a in note.attachments.all()) == ["a.png", "b.txt"]


def test_an_image_attachment_is_shown_inline_and_served_inline_on_request(
    agent_client: Client, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel, files=[("screenshot.png", factories.PNG)])
    attachment = Attachment.objects.get(message__ticket=ticket)
    body = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert f'<img src="/attachments/{attachment.pk}/?inline=1" alt="screenshot.png"' in body
    response = agent_client.get(f"/attachments/{attachment.pk}/?inline=1")
    assert response["Content-Type"] == "image/png"
    assert not response.get("Content-Disposition", "").startswith("attachment")


def test_a_non_image_is_never_served_inline(agent_client: Client, email_channel: Channel) -> None:
    ticket = new_ticket(email_channel, files=[("notes.txt", b"plain text")])
    attachment = Attachment.objects.get(message__ticket=ticket)
    response = agent_client.get(f"/attachments/{attachment.pk}/?inline=1")
    assert response["Content-Disposition"].startswith("attachment")


def test_the_customer_card_shows_language_and_local_time_from_a_phone_number(
    en_client: Client, email_channel: Channel
) -> None:
    phone = factories.make_channel("phone")
    ticket = factories.customer_writes(
        phone, sender=("phone", "+821012345678"), text="전화 문의", language="ko"
    ).ticket
    body = en_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'id="customer-local-time"' in body and "(Asia/Seoul)" in body
    assert "한국어" in body
