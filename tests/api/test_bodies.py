"""Bodies neither API ever parses are refused up front, before authentication (never a 500)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from sangdam.tickets.models import Ticket
from tests.api.conftest import ApiClient, new_inquiry

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000
JSON_ENDPOINTS = [
    "/api/v1/tickets",
    "/api/v1/customers",
    "/api/app/v1/inquiries",
    "/api/app/v1/push-tokens",
    "/api/app/v1/articles/suggest",
]


@pytest.mark.parametrize("path", JSON_ENDPOINTS)
def test_json_nested_100000_levels_is_a_clear_400_before_authentication(path: str) -> None:
    response = Client(raise_request_exception=False).post(
        path, DEEP, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "json_too_deep"


def test_json_nested_a_few_hundred_levels_is_refused_too(api: ApiClient) -> None:
    # Deep enough to pass the parser, still deep enough to reach recursive code further in.
    body = {"customer": {"email": "a@example.com"}, "text": "x", "metadata": {}}
    inner: dict[str, object] = {}
    body["metadata"] = inner
    for _ in range(500):
        inner["a"] = {}
        inner = inner["a"]  # type: ignore[assignment]
    response = api.client.post(
        "/api/v1/tickets", json.dumps(body), content_type="application/json", headers=api.headers
    )
    assert (response.status_code, response.json()["code"]) == (400, "json_too_deep")
    assert not Ticket.objects.exists()


def test_a_json_body_sent_as_text_plain_is_a_415(api: ApiClient) -> None:
    response = api.client.post(
        "/api/v1/tickets",
        json.dumps(new_inquiry()),
        content_type="text/plain",
        headers=api.headers,
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert not Ticket.objects.exists()


def test_the_same_body_as_application_json_is_accepted(api: ApiClient) -> None:
    response = api.post("/tickets", new_inquiry())
    assert response.status_code == 201
