"""Creating, listing, reading and answering inquiries from the app."""

from __future__ import annotations

import pytest
from django.test import Client as DjangoClient

from examples.app_client import AppApiError, AppClient
from sangdam.tickets.models import Ticket
from tests import factories
from tests.app.conftest import Client

pytestmark = pytest.mark.django_db


def test_customer_opens_inquiry_with_screenshot_and_agent_sees_device_details(
    minji: AppClient,
) -> None:
    factories.make_topic("payment")
    created = minji.create_inquiry(
        "결제가 두 번 되었어요. 환불 부탁드립니다.",
        topic="payment",
        files=[("screen.png", factories.PNG)],
        device={
            "app_version": "5.2.0",
            "os": "iOS",
            "os_version": "18.1",
            "device_model": "iPhone16,1",
            "locale": "ko-KR",
            "time_zone": "Asia/Seoul",
        },
        metadata={"plan": "pro", "order": 1234},
    )
    ticket = Ticket.objects.get(pk=created["id"])
    assert created["reference"] == ticket.reference
    assert ticket.channel.kind == "app"
    assert ticket.topic is not None and ticket.topic.slug == "payment"
    assert ticket.metadata["app_version"] == "5.2.0"
    assert ticket.metadata["device_model"] == "iPhone16,1"
    assert ticket.metadata["plan"] == "pro" and ticket.metadata["order"] == "1234"
    message = ticket.messages.get()
    assert [a.content_type for a in message.attachments.all()] == ["image/png"]
    assert ticket.customer.identities.get().value == "user-42"


def _agent_replies(ticket_id: int, text: str = "확인해 보겠습니다.") -> None:
    from sangdam.tickets import actions
    from sangdam.tickets.actor import Actor

    agent = factories.make_agent("Seoyeon")
    actions.do_reply(ticket=Ticket.objects.get(pk=ticket_id), actor=Actor.agent(agent), text=text)


def _agent_notes(ticket_id: int) -> None:
    from sangdam.tickets import actions
    from sangdam.tickets.actor import Actor

    agent = factories.make_agent("Seoyeon")
    ticket = Ticket.objects.get(pk=ticket_id)
    actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="내부 메모", note=True)


def test_customer_sees_their_inquiries_with_status_and_unread_replies(minji: AppClient) -> None:
    first = minji.create_inquiry("첫 번째 문의")
    second = minji.create_inquiry("두 번째 문의")
    _agent_replies(first["id"])
    _agent_replies(first["id"], "추가 안내입니다.")
    items = minji.list_inquiries()["items"]
    assert [i["id"] for i in items] == [second["id"], first["id"]]
    assert items[1]["unread_count"] == 2 and items[1]["status"] == "open"
    assert items[0]["unread_count"] == 0 and items[0]["status"] == "new"


def test_marking_read_clears_the_unread_count(minji: AppClient) -> None:
    created = minji.create_inquiry("문의")
    _agent_replies(created["id"])
    assert minji.mark_read(created["id"]) == {"unread_count": 0}
    assert minji.list_inquiries()["items"][0]["unread_count"] == 0


def test_inquiry_list_pages_with_a_cursor(minji: AppClient) -> None:
    ids = [minji.create_inquiry(f"문의 {n}")["id"] for n in range(3)]
    first = minji.http.get("/inquiries", params={"limit": 2}).json()
    rest = minji.list_inquiries(cursor=first["next_cursor"])
    assert [i["id"] for i in first["items"] + rest["items"]] == ids[::-1]
    assert rest["next_cursor"] is None


def test_thread_shows_public_messages_only_in_pages(minji: AppClient) -> None:
    created = minji.create_inquiry("문의")
    _agent_notes(created["id"])
    _agent_replies(created["id"], "답변 1")
    minji.reply(created["id"], "감사합니다")
    page = minji.get_inquiry(created["id"], limit=2)
    rest = minji.get_inquiry(created["id"], cursor=page["next_cursor"])
    messages = page["messages"] + rest["messages"]
    assert [(m["author"], m["text"]) for m in messages] == [
        ("me", "문의"),
        ("agent", "답변 1"),
        ("me", "감사합니다"),
    ]
    assert messages[1]["author_name"] == "Seoyeon"
    assert page["inquiry"]["reference"] and rest["next_cursor"] is None


def test_another_users_inquiry_is_not_found(minji: AppClient, client_for: Client) -> None:
    created = minji.create_inquiry("내 문의")
    other = client_for("user-99")
    for call in (
        lambda: other.get_inquiry(created["id"]),
        lambda: other.reply(created["id"], "끼어들기"),
        lambda: other.close(created["id"]),
        lambda: other.mark_read(created["id"]),
    ):
        with pytest.raises(AppApiError) as caught:
            call()
        assert (caught.value.status, caught.value.code) == (404, "not_found")
    assert Ticket.objects.get(pk=created["id"]).messages.count() == 1


def test_reply_with_attachment_threads_onto_the_inquiry(minji: AppClient) -> None:
    created = minji.create_inquiry("문의")
    answer = minji.reply(created["id"], "스크린샷 첨부합니다", files=[("shot.png", factories.PNG)])
    assert answer["inquiry_id"] == created["id"]
    message = Ticket.objects.get(pk=created["id"]).messages.order_by("-id").first()
    assert message is not None and message.attachments.count() == 1
    thread = minji.get_inquiry(created["id"])
    shot = thread["messages"][-1]["attachments"][0]
    assert minji.download(created["id"], shot["id"]) == factories.PNG


def test_customer_closes_and_reopens_an_inquiry(minji: AppClient) -> None:
    created = minji.create_inquiry("문의")
    assert minji.close(created["id"])["status"] == "solved"
    assert minji.reopen(created["id"])["status"] == "open"
    events = Ticket.objects.get(pk=created["id"]).events.filter(kind="status_changed")
    assert {e.actor_label for e in events} == {"customer"}


def test_a_closed_inquiry_cannot_be_reopened(minji: AppClient) -> None:
    from sangdam.tickets import actions
    from sangdam.tickets.actor import SYSTEM

    created = minji.create_inquiry("문의")
    actions.do_change_status(
        ticket=Ticket.objects.get(pk=created["id"]), actor=SYSTEM, status="closed"
    )
    with pytest.raises(AppApiError) as caught:
        minji.reopen(created["id"])
    assert (caught.value.status, caught.value.code) == (409, "invalid_status_transition")


def test_topics_are_named_in_the_callers_language(client_for: Client) -> None:
    factories.make_topic("payment", ko="결제", en="Payment")
    assert client_for("user-1", language="ko").topics() == [
        {"slug": "payment", "name": "결제", "fields": []}
    ]
    assert client_for("user-1", language="en-US").topics()[0]["name"] == "Payment"


def test_topics_list_the_questions_admins_defined_for_them(client_for: Client) -> None:
    from sangdam.portal.models import TopicField

    refund = factories.make_topic("refund", ko="환불", en="Refund")
    TopicField.objects.create(
        topic=refund,
        key="order_number",
        label_ko="주문 번호",
        label_en="Order number",
        required=True,
    )
    (listed,) = client_for("user-1", language="ko").topics()
    assert listed["fields"] == [
        {
            "key": "order_number",
            "label": "주문 번호",
            "type": "text",
            "required": True,
            "options": [],
        }
    ]


def test_article_suggestions_are_an_empty_list_for_now(minji: AppClient) -> None:
    assert minji.suggest_articles("환불은 어떻게 하나요?") == []


def test_agent_sees_the_device_details_in_the_ticket_side_panel(
    minji: AppClient, agent_client: DjangoClient
) -> None:
    created = minji.create_inquiry(
        "앱이 멈춰요", device={"app_version": "5.2.0", "device_model": "Galaxy S24"}
    )
    page = agent_client.get(f"/tickets/{created['id']}/").content.decode()
    assert "Galaxy S24" in page and "5.2.0" in page


def test_customer_cannot_download_a_file_from_an_internal_note(minji: AppClient) -> None:
    from sangdam.tickets import actions
    from sangdam.tickets.actor import Actor
    from sangdam.tickets.attachments import check_attachment

    created = minji.create_inquiry("문의")
    note = actions.do_reply(
        ticket=Ticket.objects.get(pk=created["id"]),
        actor=Actor.agent(factories.make_agent("Seoyeon")),
        text="내부 메모",
        note=True,
        attachments=[check_attachment("internal.png", factories.PNG)],
    )
    attachment = note.attachments.get()
    response = minji.http.get(f"/inquiries/{created['id']}/attachments/{attachment.pk}")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
