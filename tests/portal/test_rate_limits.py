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


def test_an_office_of_customers_behind_one_address_is_not_refused(
    client: Client, webform: Any, refund: Topic
) -> None:
    for n in range(35):
        response = client.post("/contact/new", form_data(client, email=f"staff{n}@office.example"))
        assert response.status_code == 302, n
    assert Ticket.objects.count() == 35


def test_a_refused_customer_is_told_in_their_language_when_to_retry(
    client: Client, webform: Any, refund: Topic, settings: Any
) -> None:
    settings.PORTAL_RATE_LIMIT_PER_EMAIL = 1
    client.post("/contact/new?lang=ko", form_data(client))
    response = client.post("/contact/new?lang=ko", form_data(client))
    assert response.status_code == 429
    minutes = -(-int(response["Retry-After"]) // 60)
    assert 0 < int(response["Retry-After"]) <= settings.PORTAL_RATE_LIMIT_WINDOW
    assert f"{minutes}분 뒤에 다시 시도" in response.content.decode()
