"""The ticket page as a workspace: properties in place, undo, the timeline, collisions."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from sangdam.accounts.models import User
from sangdam.connectors.models import Channel
from sangdam.tickets import actions
from sangdam.tickets.actor import SYSTEM, Actor
from sangdam.tickets.dispatch import record
from sangdam.tickets.events import SlaBreached
from sangdam.tickets.models import Event, Message, Status, Ticket
from tests import factories
from tests.console.helpers import new_ticket

HTMX = {"HX-Request": "true"}


def test_a_property_changed_in_place_is_saved_at_once_and_offers_undo(
    en_client: Client, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    response = en_client.post(
        f"/tickets/{ticket.pk}/property/", {"field": "priority", "value": "urgent"}, headers=HTMX
    )
    body = response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).priority == "urgent"
    assert 'id="properties"' in body and "Priority set to Urgent." in body
    assert 'name="value" value="normal"' in body and "Undo" in body
    assert Event.objects.filter(ticket=ticket, kind="fields_changed").count() == 1


def test_undo_puts_the_old_value_back_through_the_action(
    en_client: Client, agent: User, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    url = f"/tickets/{ticket.pk}/property/"
    en_client.post(url, {"field": "assignee", "value": str(agent.pk)}, headers=HTMX)
    body = en_client.post(url, {"field": "assignee", "value": "", "undo": "1"}, headers=HTMX)
    assert Ticket.objects.get(pk=ticket.pk).assignee is None
    assert "Undo" not in body.content.decode()
    assert Event.objects.filter(ticket=ticket, kind="assigned").count() == 2


def test_team_topic_and_tags_are_edited_in_place(en_client: Client, email_channel: Channel) -> None:
    ticket = new_ticket(email_channel)
    team = factories.make_team("Billing")
    topic = factories.make_topic("payment-refund")
    url = f"/tickets/{ticket.pk}/property/"
    en_client.post(url, {"field": "team", "value": str(team.pk)}, headers=HTMX)
    en_client.post(url, {"field": "topic", "value": str(topic.pk)}, headers=HTMX)
    en_client.post(url, {"field": "tags", "value": "vip, refund ,"}, headers=HTMX)
    ticket.refresh_from_db()
    assert (ticket.team, ticket.topic, ticket.tags) == (team, topic, ["refund", "vip"])


def test_a_refused_property_change_shows_the_reason_and_changes_nothing(
    en_client: Client, agent: User, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    actions.do_change_status(ticket=ticket, actor=Actor.agent(agent), status=Status.CLOSED)
    response = en_client.post(
        f"/tickets/{ticket.pk}/property/", {"field": "status", "value": "open"}, headers=HTMX
    )
    assert 'role="alert"' in response.content.decode()
    assert "cannot become" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED


def test_without_javascript_a_property_change_reloads_the_page(
    en_client: Client, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    response = en_client.post(
        f"/tickets/{ticket.pk}/property/", {"field": "status", "value": "pending"}
    )
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == Status.PENDING


def test_the_status_control_offers_only_the_moves_the_ticket_allows(
    en_client: Client, agent: User, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    actions.do_change_status(ticket=ticket, actor=Actor.agent(agent), status=Status.SOLVED)
    body = en_client.get(f"/tickets/{ticket.pk}/properties/").content.decode()
    status_select = body[body.index('id="prop-status-value"') : body.index("</select>")]
    assert 'value="open"' in status_select and 'value="new"' not in status_select


def test_the_timeline_interleaves_messages_with_changes(
    en_client: Client, agent: User, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel, text="첫 문의")
    actor = Actor.agent(agent)
    actions.do_assign(ticket=ticket, actor=actor, assignee=agent)
    actions.do_reply(ticket=ticket, actor=actor, text="답변드립니다", status=Status.SOLVED)
    body = en_client.get(f"/tickets/{ticket.pk}/").content.decode()
    order = [body.index(s) for s in ("첫 문의", "Assigned to Seoyeon", "답변드립니다", "→ Solved")]
    assert order == sorted(order)
    assert 'name="timeline-filter" value="changes"' in body


def test_the_timeline_names_the_channel_that_opened_the_ticket(
    en_client: Client, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    body = en_client.get(f"/tickets/{ticket.pk}/thread/").content.decode()
    assert "<strong>Email</strong> Ticket opened" in body
    assert "connector:email" not in body


def test_a_failed_delivery_is_on_the_timeline(
    en_client: Client, agent: User, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    message = actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="답변")
    actions.do_record_delivery(message=message, state="failed", error="mailbox full")
    body = en_client.get(f"/tickets/{ticket.pk}/thread/").content.decode()
    assert "change-delivery_failed" in body and "Delivery failed: mailbox full" in body


def _last_seen(client: Client, ticket: Ticket) -> str:
    body = client.get(f"/tickets/{ticket.pk}/").content.decode()
    start = body.index('name="last_seen" value="') + len('name="last_seen" value="')
    return body[start : body.index('"', start)]


def test_a_reply_after_a_colleague_replied_asks_first_and_shows_the_new_reply(
    en_client: Client, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    seen = _last_seen(en_client, ticket)
    minho = factories.make_agent("Minho")
    actions.do_reply(ticket=ticket, actor=Actor.agent(minho), text="제가 답변했습니다")

    response = en_client.post(
        f"/tickets/{ticket.pk}/reply/", {"kind": "public", "text": "내 답변", "last_seen": seen}
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert 'id="collision"' in body and "제가 답변했습니다" in body[body.index('id="collision"') :]
    assert "내 답변" in body and "Send anyway" in body
    assert not Message.objects.filter(ticket=ticket, text="내 답변").exists()


def test_confirming_the_collision_prompt_sends_the_reply(
    en_client: Client, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    seen = _last_seen(en_client, ticket)
    actions.do_add_inbound_message(
        ticket=ticket,
        actor=Actor("customer"),
        channel=email_channel,
        customer=ticket.customer,
        text="또 문의",
    )
    url = f"/tickets/{ticket.pk}/reply/"
    first = en_client.post(url, {"kind": "public", "text": "답변", "last_seen": seen})
    assert first.status_code == 409
    newer = _last_seen(en_client, ticket)
    second = en_client.post(url, {"kind": "public", "text": "답변", "last_seen": newer})
    assert second.status_code == 302
    assert Message.objects.filter(ticket=ticket, text="답변").exists()


def _collide(client: Client, ticket: Ticket, channel: Channel) -> Any:
    """The agent opens the ticket, the customer writes, the agent sends text and a file."""
    seen = _last_seen(client, ticket)
    actions.do_add_inbound_message(
        ticket=ticket, actor=Actor("customer"), channel=channel, customer=ticket.customer, text="또"
    )
    upload = SimpleUploadedFile("receipt.txt", b"paid 12,000 won", content_type="text/plain")
    return client.post(
        f"/tickets/{ticket.pk}/reply/",
        {"kind": "public", "text": "답변", "last_seen": seen, "attachments": [upload]},
    )


def _staged_token(body: str) -> str:
    match = re.search(r'name="staged" value="([^"]+)"', body)
    assert match, "no kept files in the form"
    return match.group(1)


def test_send_anyway_sends_the_files_chosen_before_the_prompt(
    en_client: Client, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    first = _collide(en_client, ticket, email_channel)
    body = first.content.decode()
    assert first.status_code == 409
    assert "receipt.txt" in body[body.index('id="staged-files"') :]
    second = en_client.post(
        f"/tickets/{ticket.pk}/reply/",
        {
            "kind": "public",
            "text": "답변",
            "last_seen": _last_seen(en_client, ticket),
            "staged": _staged_token(body),
        },
    )
    assert second.status_code == 302
    reply = Message.objects.get(ticket=ticket, text="답변")
    assert [(a.filename, a.size) for a in reply.attachments.all()] == [("receipt.txt", 15)]


def test_kept_files_belong_to_the_agent_who_chose_them(
    en_client: Client, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    token = _staged_token(_collide(en_client, ticket, email_channel).content.decode())
    other = Client()
    other.force_login(factories.make_agent("Minho", language="en"))
    response = other.post(
        f"/tickets/{ticket.pk}/reply/",
        {
            "kind": "public",
            "text": "가로채기",
            "last_seen": _last_seen(other, ticket),
            "staged": token,
        },
    )
    assert response.status_code == 200
    assert "no longer kept" in response.content.decode()
    assert not Message.objects.filter(ticket=ticket, text="가로채기").exists()


def test_my_own_earlier_reply_is_no_collision(
    en_client: Client, agent: User, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    seen = _last_seen(en_client, ticket)
    actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="먼저 보낸 답변", note=True)
    response = en_client.post(
        f"/tickets/{ticket.pk}/reply/", {"kind": "public", "text": "다음 답변", "last_seen": seen}
    )
    assert response.status_code == 302


def test_an_sla_breach_is_on_the_timeline(en_client: Client, email_channel: Channel) -> None:
    ticket = new_ticket(email_channel)
    with transaction.atomic():
        record(
            [SlaBreached(ticket_id=ticket.pk, metric="first_response", due_at="2026-01-01")],
            actor=SYSTEM,
        )
    body = en_client.get(f"/tickets/{ticket.pk}/thread/").content.decode()
    assert "change-sla_breached" in body and "SLA breached: First response" in body


def test_timeline_dates_are_zero_padded_in_korean(
    agent_client: Client, agent: User, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    actions.do_update_fields(ticket=ticket, actor=Actor.agent(agent), priority="high")
    # Early in March, early in the morning (Seoul): one-digit month, day and hour.
    march = dt.datetime(2026, 3, 5, 0, 7, tzinfo=dt.UTC)
    Event.objects.filter(ticket=ticket).update(created_at=march)
    Message.objects.filter(ticket=ticket).update(created_at=march)
    body = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()
    shown = re.findall(r'<time datetime="2026-03-05T09:07:00\+09:00">([^<]+)</time>', body)
    assert shown and set(shown) == {"2026-03-05 09:07"}
