"""The customer's status page: magic links, the public thread, replies, solve and reopen."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core import mail, signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sangdam.connectors.models import Channel
from sangdam.portal.links import SALT, make_token, status_path
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import Attachment, Direction, Message, Status, Ticket
from tests import factories
from tests.portal.conftest import PNG

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(webform: Channel) -> Ticket:
    return factories.customer_writes(
        webform,
        sender=("email", "minji@example.com"),
        sender_name="김민지",
        subject="결제가 두 번 되었어요",
        files=[("receipt.png", PNG)],
    ).ticket


def test_customer_sees_the_agent_reply_but_never_a_note(
    client: Client, ticket: Ticket, agent: Any
) -> None:
    actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="환불 처리했습니다.")
    actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="내부 메모: VIP", note=True)
    html = client.get(status_path(ticket)).content.decode()
    assert "환불 처리했습니다." in html
    assert "VIP" not in html
    assert ticket.reference in html


def test_an_expired_link_offers_a_new_one(client: Client, ticket: Ticket, settings: Any) -> None:
    token = make_token(ticket)
    settings.PORTAL_LINK_MAX_AGE = -1
    response = client.get(f"/s/{token}/")
    assert response.status_code == 410
    assert "/find/" in response.content.decode()


def test_a_tampered_link_is_refused(client: Client, ticket: Ticket) -> None:
    token = make_token(ticket)
    forged = signing.dumps({"t": ticket.pk, "c": ticket.customer_id}, salt=SALT, key="guess")
    for bad in (token[:-2] + "xx", forged, "nonsense"):
        response = client.get(f"/s/{bad}/")
        assert response.status_code == 404
        assert ticket.subject not in response.content.decode()


def test_a_link_naming_another_customers_ticket_is_refused(
    client: Client, ticket: Ticket, webform: Channel
) -> None:
    other = factories.customer_writes(webform, sender=("email", "john@example.net")).ticket
    token = signing.dumps({"t": other.pk, "c": ticket.customer_id}, salt=SALT, compress=True)
    assert client.get(f"/s/{token}/").status_code == 404


def test_customer_reply_threads_onto_the_ticket_with_its_file(
    client: Client, ticket: Ticket
) -> None:
    page = client.get(status_path(ticket)).content.decode()
    nonce = page.split('name="nonce" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        status_path(ticket),
        {
            "text": "카드 명세서 첨부합니다.",
            "nonce": nonce,
            "action": "reply",
            "attachments": [SimpleUploadedFile("statement.png", PNG, "image/png")],
        },
    )
    assert response.status_code == 302
    assert Ticket.objects.count() == 1
    reply = Message.objects.filter(ticket=ticket, direction=Direction.IN).last()
    assert reply is not None and reply.text == "카드 명세서 첨부합니다."
    assert reply.attachments.get().filename == "statement.png"
    assert reply.author_customer_id == ticket.customer_id


def test_an_empty_reply_is_refused_and_stores_nothing(client: Client, ticket: Ticket) -> None:
    before = Message.objects.count()
    response = client.post(status_path(ticket), {"text": "  ", "nonce": "a" * 32})
    assert response.status_code == 400
    assert Message.objects.count() == before


def test_customer_marks_the_inquiry_solved_and_reopens_it(client: Client, ticket: Ticket) -> None:
    client.post(status_path(ticket), {"action": "solve"})
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    assert ticket.events.filter(kind="status_changed", actor_label="customer").exists()
    client.post(status_path(ticket), {"action": "reopen"})
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_a_reply_to_a_closed_inquiry_opens_a_linked_new_one(
    client: Client, ticket: Ticket, agent: Any
) -> None:
    actions.do_change_status(ticket=ticket, actor=Actor.agent(agent), status=Status.CLOSED)
    response = client.post(status_path(ticket), {"text": "다시 문의드려요", "nonce": "b" * 32})
    assert response.status_code == 302
    follow_up = Ticket.objects.exclude(pk=ticket.pk).get()
    assert follow_up.links_out.get().to_ticket == ticket
    assert "done=followup" in response["Location"]


def test_reopening_a_closed_inquiry_explains_what_to_do(
    client: Client, ticket: Ticket, agent: Any
) -> None:
    actions.do_change_status(ticket=ticket, actor=Actor.agent(agent), status=Status.CLOSED)
    response = client.post(status_path(ticket), {"action": "reopen"})
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


def test_customer_downloads_an_attachment_with_the_link_only(
    client: Client, ticket: Ticket, webform: Channel
) -> None:
    item = Attachment.objects.get(message__ticket=ticket)
    response = client.get(f"{status_path(ticket)}files/{item.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]
    assert "attachment" in response["Content-Disposition"]
    other = factories.customer_writes(webform, sender=("email", "john@example.net")).ticket
    assert client.get(f"{status_path(other)}files/{item.pk}/").status_code == 404


def test_find_my_inquiry_emails_a_fresh_link_when_email_and_reference_match(
    client: Client, ticket: Ticket, run_tasks: Any
) -> None:
    response = client.post(
        "/find/", {"email": "Minji@Example.com", "reference": ticket.reference.lower()}
    )
    assert response.status_code == 200
    run_tasks()
    (message,) = mail.outbox
    assert message.to == ["minji@example.com"]
    assert ticket.reference in message.subject
    link = message.body.split("http://", 1)[1].split()[0]
    assert client.get(link[link.index("/") :]).status_code == 200


def test_find_gives_the_same_answer_for_another_customers_reference(
    client: Client, ticket: Ticket, webform: Channel, run_tasks: Any
) -> None:
    match = client.post("/find/", {"email": "minji@example.com", "reference": ticket.reference})
    mail.outbox.clear()
    other = factories.customer_writes(webform, sender=("email", "john@example.net")).ticket
    run_tasks()
    mail.outbox.clear()
    wrong = client.post("/find/", {"email": "minji@example.com", "reference": other.reference})
    unknown = client.post("/find/", {"email": "minji@example.com", "reference": "SD-999999"})
    run_tasks()
    assert match.content == wrong.content == unknown.content
    assert all(m.to == ["minji@example.com"] for m in mail.outbox)
    assert not any(other.reference in m.subject for m in mail.outbox)


def test_an_agent_reply_email_carries_a_link_to_the_status_page(
    ticket: Ticket, agent: Any, run_tasks: Any, email_channel: Channel
) -> None:
    actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="확인했습니다.")
    run_tasks()
    (message,) = [m for m in mail.outbox if "확인했습니다." in str(m.body)]
    assert "/s/" in str(message.body)


def link_made_days_ago(ticket: Ticket, days: int, monkeypatch: pytest.MonkeyPatch) -> str:
    now = time.time()
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: now - days * 86400)
        return make_token(ticket)


def test_a_29_day_old_link_still_works(
    client: Client, ticket: Ticket, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = link_made_days_ago(ticket, 29, monkeypatch)
    assert client.get(f"/s/{token}/").status_code == 200


def test_a_31_day_old_link_has_expired(
    client: Client, ticket: Ticket, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = link_made_days_ago(ticket, 31, monkeypatch)
    assert client.get(f"/s/{token}/").status_code == 410


def test_a_customer_known_only_by_telegram_replies_from_the_status_page(client: Client) -> None:
    telegram = factories.make_channel("telegram")
    factories.make_channel("webform")
    ticket = factories.customer_writes(telegram, sender=("telegram", "chat-77")).ticket
    response = client.post(status_path(ticket), {"text": "추가 문의입니다", "nonce": "c" * 32})
    assert response.status_code == 302
    assert ticket.messages.filter(text="추가 문의입니다").exists()


def test_status_links_keep_the_path_the_site_is_served_under(ticket: Ticket) -> None:
    from django.urls import get_script_prefix, set_script_prefix

    from sangdam.portal.links import read_token

    served_at = get_script_prefix()
    set_script_prefix("/support/")
    try:
        link = status_path(ticket)
    finally:
        set_script_prefix(served_at)

    assert link.startswith("/support/s/") and link.endswith("/")
    assert read_token(link.removeprefix("/support/s/")[:-1]) == (ticket.pk, ticket.customer_id)
    assert status_path(ticket).startswith(f"{served_at}s/")
