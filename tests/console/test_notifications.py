"""Agents' notifications: assigned to me, a customer's reply on my ticket."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from sangdam.accounts.models import User
from sangdam.connectors.models import Channel
from sangdam.console.models import Notification
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from tests import factories
from tests.console.conftest import client_for
from tests.console.helpers import new_ticket


def test_a_colleague_assigning_me_a_ticket_notifies_me(
    agent: User, email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    minho = factories.make_agent("Minho", language="en")
    ticket = new_ticket(email_channel)
    actions.do_assign(ticket=ticket, actor=Actor.agent(agent), assignee=minho)
    run_tasks()
    page = client_for(minho).get("/notifications/").content.decode()
    assert "Assigned to you" in page and ticket.reference in page
    assert 'id="unread-count" data-count="1"' in page


def test_taking_a_ticket_myself_is_no_notification(
    agent: User, email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    ticket = new_ticket(email_channel)
    actions.do_assign(ticket=ticket, actor=Actor.agent(agent), assignee=agent)
    run_tasks()
    assert not Notification.objects.exists()


def test_a_customer_reply_on_my_ticket_notifies_me_once(
    agent: User, email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    ticket = new_ticket(email_channel)
    actions.do_assign(ticket=ticket, actor=Actor("routing"), assignee=agent)
    actions.do_add_inbound_message(
        ticket=ticket,
        actor=Actor("customer"),
        channel=email_channel,
        customer=ticket.customer,
        text="아직 답이 없네요",
    )
    run_tasks()
    run_tasks()
    kinds = sorted(Notification.objects.filter(user=agent).values_list("kind", flat=True))
    assert kinds == ["assigned", "customer_replied"]


def test_opening_the_ticket_marks_its_notifications_read(
    en_client: Client, agent: User, email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    ticket = new_ticket(email_channel)
    actions.do_assign(ticket=ticket, actor=Actor("routing"), assignee=agent)
    run_tasks()
    page = en_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert Notification.objects.get(user=agent).read_at is not None
    # The page that read it no longer counts it in its own header.
    assert 'id="unread-count" data-count="0"' in page


def _two_tickets_assigned(agent: User, channel: Channel) -> None:
    for who in ("a@example.com", "b@example.com"):
        ticket = new_ticket(channel, who=who)
        actions.do_assign(ticket=ticket, actor=Actor("routing"), assignee=agent)


def test_the_header_counts_what_is_unread_when_the_page_opens(
    en_client: Client, agent: User, email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    _two_tickets_assigned(agent, email_channel)
    run_tasks()
    assert 'id="unread-count" data-count="2"' in en_client.get("/").content.decode()
    Notification.objects.filter(user=agent).first().delete()  # type: ignore[union-attr]
    assert 'id="unread-count" data-count="1"' in en_client.get("/").content.decode()


def test_mark_all_as_read_empties_the_unread_count(
    en_client: Client, agent: User, email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    _two_tickets_assigned(agent, email_channel)
    run_tasks()
    en_client.post("/notifications/read/")
    assert 'data-count="0"' in en_client.get("/notifications/").content.decode()
