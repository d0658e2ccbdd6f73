"""Agents and integrators see the SLA: inbox badges and due sort, the API's SLA state."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from sangdam.accounts.models import User
from sangdam.connectors.models import Channel
from sangdam.service.models import SlaPolicy
from sangdam.tickets.models import Ticket
from tests import factories
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(db: None) -> SlaPolicy:
    # No schedule: every hour counts, so the due times follow the test's real clock.
    return SlaPolicy.objects.create(name="Standard", first_response_minutes=120)


def inquiry(channel: Channel, ago: dt.timedelta, run_tasks: Callable[[], None], who: str) -> Ticket:
    result = factories.customer_writes(
        channel, received_at=timezone.now() - ago, sender=("email", who)
    )
    run_tasks()
    return Ticket.objects.get(pk=result.ticket.pk)


def test_the_inbox_sorts_by_due_time_and_badges_overdue_and_due_soon(
    agent_client: Client, email_channel: Channel, policy: SlaPolicy, run_tasks: Callable[[], None]
) -> None:
    fresh = inquiry(email_channel, dt.timedelta(minutes=5), run_tasks, "fresh@example.com")
    late = inquiry(email_channel, dt.timedelta(hours=3), run_tasks, "late@example.com")
    soon = inquiry(email_channel, dt.timedelta(minutes=90), run_tasks, "soon@example.com")

    html = agent_client.get("/?sort=due&view=open").content.decode()

    shown = re.findall(r'data-reference="([^"]+)"', html)
    assert shown == [late.reference, soon.reference, fresh.reference]
    rows = dict(re.findall(r'data-reference="([^"]+)".*?<td class="due sla-(\w+)"', html, re.S))
    assert rows == {late.reference: "breached", soon.reference: "due_soon", fresh.reference: "ok"}


def test_the_api_shows_due_times_and_the_sla_state(
    agent: User, email_channel: Channel, policy: SlaPolicy, run_tasks: Callable[[], None]
) -> None:
    late = inquiry(email_channel, dt.timedelta(hours=3), run_tasks, "late@example.com")
    body = client_for(agent).get(f"/tickets/{late.reference}").json()
    assert body["sla"] == {
        "policy": "Standard",
        "state": "breached",
        "due_at": body["first_response_due_at"],
    }
    assert body["next_response_due_at"] == body["first_response_due_at"]


def test_tickets_without_a_policy_have_no_sla(
    agent: User, email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    ticket = inquiry(email_channel, dt.timedelta(hours=3), run_tasks, "any@example.com")
    body = client_for(agent).get(f"/tickets/{ticket.reference}").json()
    assert body["sla"] == {"policy": None, "state": "none", "due_at": None}
