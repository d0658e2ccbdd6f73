"""Saved inbox views and the unread / updated markers."""

from __future__ import annotations

import re

from django.test import Client

from sangdam.accounts.models import User
from sangdam.connectors.models import Channel
from sangdam.console.models import SavedView
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from tests import factories
from tests.console.conftest import client_for
from tests.console.helpers import new_ticket


def test_a_saved_view_is_listed_and_keeps_its_filters(en_client: Client) -> None:
    response = en_client.post(
        "/inbox/views/", {"name": "Urgent refunds", "query": "view=open&priority=urgent"}
    )
    assert response["Location"] == "/?view=open&priority=urgent"
    body = en_client.get("/?view=open&priority=urgent").content.decode()
    assert '<a href="?view=open&amp;priority=urgent" aria-current="page">Urgent refunds</a>' in body


def test_a_personal_view_stays_personal_and_a_shared_one_is_everyones(
    en_client: Client,
) -> None:
    en_client.post("/inbox/views/", {"name": "Mine only", "query": "view=mine"})
    en_client.post("/inbox/views/", {"name": "Team board", "query": "view=open", "shared": "1"})
    colleague = client_for(factories.make_agent("Minho", language="en"))
    body = colleague.get("/").content.decode()
    assert "Team board" in body and "Mine only" not in body


def test_only_the_owner_deletes_a_view(en_client: Client) -> None:
    en_client.post("/inbox/views/", {"name": "Team board", "query": "view=open", "shared": "1"})
    colleague = client_for(factories.make_agent("Minho", language="en"))
    view = SavedView.objects.get()
    assert colleague.post(f"/inbox/views/{view.pk}/delete/").status_code == 404
    en_client.post(f"/inbox/views/{view.pk}/delete/")
    assert not SavedView.objects.exists()


def test_a_ticket_never_opened_is_unread_and_one_with_news_is_updated(
    en_client: Client, agent: User, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel)
    assert "is-unread" in en_client.get("/").content.decode()
    en_client.get(f"/tickets/{ticket.pk}/")
    assert "is-unread" not in en_client.get("/").content.decode()
    assert "is-updated" not in en_client.get("/").content.decode()
    actions.do_add_inbound_message(
        ticket=ticket,
        actor=Actor("customer"),
        channel=email_channel,
        customer=ticket.customer,
        text="추가 문의",
    )
    assert "is-updated" in en_client.get("/").content.decode()


def test_only_the_tickets_i_opened_lose_their_unread_mark(
    en_client: Client, agent: User, email_channel: Channel
) -> None:
    opened, other = new_ticket(email_channel), new_ticket(email_channel, who="b@example.com")
    colleague = client_for(factories.make_agent("Minho", language="en"))
    en_client.get(f"/tickets/{opened.pk}/")
    colleague.get(f"/tickets/{other.pk}/")
    page = en_client.get("/").content.decode()
    rows = re.findall(r'<tr class="ticket-row ([^"]*)" data-reference="([^"]+)"', page)
    marks = {reference: classes for classes, reference in rows}
    assert "is-unread" not in marks[opened.reference]
    assert "is-unread" in marks[other.reference]
