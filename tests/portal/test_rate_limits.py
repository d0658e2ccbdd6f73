"""Per-IP and per-email limits: over them the customer gets a friendly 429, nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sangdam.tickets.models import Ticket, Topic
from tests.portal.conftest import form_data

pytestmark = pytest.mark.django_db


def test_it_answers_429_after_too_many_submissions_from_one_ip(
    client: Client, webform: Any, refund: Topic, settings: Any
) -> None:
    settings.PORTAL_RATE_LIMIT_PER_IP = 2
    for n in range(2):
        client.post("/contact/new", form_data(client, email=f"p{n}@example.com"))
    response = client.post("/contact/new", form_data(client, email="p9@example.com"))
    assert response.status_code == 429
    assert "Retry-After" in response
    assert Ticket.objects.count() == 2


def test_it_answers_429_after_too_many_submissions_for_one_email(
    client: Client, webform: Any, refund: Topic, settings: Any
) -> None:
    settings.PORTAL_RATE_LIMIT_PER_EMAIL = 1
    client.post("/contact/new", form_data(client))
    other_ip = Client(REMOTE_ADDR="10.0.0.9")
    response = other_ip.post("/contact/new", form_data(other_ip))
    assert response.status_code == 429
    assert Ticket.objects.count() == 1


def test_find_my_inquiry_is_rate_limited(client: Client, webform: Any, settings: Any) -> None:
    settings.PORTAL_RATE_LIMIT_PER_IP = 1
    client.post("/find/", {"email": "a@example.com", "reference": "SD-1"})
    assert client.post("/find/", {"email": "a@example.com", "reference": "SD-1"}).status_code == 429
