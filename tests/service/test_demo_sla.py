"""`make run`'s demo comes with SLA policies, so the inbox shows due times at once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from sangdam.core.demo import load_demo
from sangdam.tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db


def test_the_demos_open_tickets_have_due_times_in_the_inbox(run_tasks: Any) -> None:
    load_demo()
    run_tasks()
    working = Ticket.objects.filter(status__in=[Status.NEW, Status.OPEN])
    assert working.exists()
    assert not working.filter(sla_clock__sla_due_at__isnull=True).exists()
    client = Client()
    assigned = Ticket.objects.exclude(assignee=None).select_related("assignee").first()
    assert assigned is not None and assigned.assignee is not None
    client.force_login(assigned.assignee)
    body = client.get("/?view=all&sort=due").content.decode()
    assert re.search(r'<td class="due sla-[a-z_]+"[^>]*><time datetime="', body)
