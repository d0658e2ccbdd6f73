"""Bad input gets a 4xx problem naming the field, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from examples.app_client import AppApiError, AppClient
from sangdam.tickets.models import Ticket
from tests import factories

pytestmark = pytest.mark.django_db


def _problem(minji: AppClient, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    response = minji.http.request(method, path, **kwargs)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def _fields(body: dict[str, Any]) -> list[str]:
    return [e["field"] for e in body.get("errors", [])]


def test_it_refuses_an_unknown_form_field(minji: AppClient) -> None:
    body = _problem(minji, "POST", "/inquiries", data={"text": "hi", "txt": "oops"})
    assert body["code"] == "validation_error" and _fields(body) == ["txt"]
    assert not Ticket.objects.exists()


def test_it_refuses_an_unknown_json_field(minji: AppClient) -> None:
    body = _problem(minji, "POST", "/articles/suggest", json={"text": "hi", "query": "x"})
    assert _fields(body) == ["query"]


def test_it_refuses_oversized_text(minji: AppClient) -> None:
    body = _problem(minji, "POST", "/inquiries", data={"text": "가" * 20_001})
    assert _fields(body) == ["text"]


def test_it_refuses_a_missing_text(minji: AppClient) -> None:
    body = _problem(minji, "POST", "/inquiries", data={"topic": ""})
    assert _fields(body) == ["text"]


def test_it_refuses_more_than_five_files(minji: AppClient) -> None:
    files = [("files", (f"s{n}.png", factories.PNG)) for n in range(6)]
    body = _problem(minji, "POST", "/inquiries", data={"text": "hi"}, files=files)
    assert body["code"] == "too_many_attachments" and _fields(body) == ["files"]
    assert not Ticket.objects.exists()


def test_it_sniffs_the_file_type_instead_of_trusting_the_name(minji: AppClient) -> None:
    fake_png = ("files", ("screen.png", b"MZ\x90\x00" + b"\x00" * 200, "image/png"))
    body = _problem(minji, "POST", "/inquiries", data={"text": "hi"}, files=[fake_png])
    assert body["code"] == "attachment_type_not_allowed"
    assert not Ticket.objects.exists()


def test_it_refuses_an_unknown_topic(minji: AppClient) -> None:
    body = _problem(minji, "POST", "/inquiries", data={"text": "hi", "topic": "nope"})
    assert _fields(body) == ["topic"]


def test_it_refuses_metadata_that_is_not_a_flat_object(minji: AppClient) -> None:
    body = _problem(
        minji, "POST", "/inquiries", data={"text": "hi", "metadata": '{"cart": {"items": 3}}'}
    )
    assert _fields(body) == ["metadata.cart"]
    body = _problem(minji, "POST", "/inquiries", data={"text": "hi", "metadata": "[1, 2]"})
    assert _fields(body) == ["metadata"]


def test_it_refuses_wrong_types(minji: AppClient) -> None:
    body = _problem(minji, "POST", "/articles/suggest", json={"text": ["a", "b"]})
    assert _fields(body) == ["text"]
    body = _problem(minji, "GET", "/inquiries", params={"limit": "many"})
    assert _fields(body) == ["limit"]


def test_it_refuses_a_web_push_subscription_without_keys(minji: AppClient) -> None:
    body = {"kind": "webpush", "subscription": {"endpoint": "https://push.example/1"}}
    problem = _problem(minji, "POST", "/push-tokens", json=body)
    assert problem["code"] == "validation_error"


def test_a_bad_cursor_is_a_422_not_a_crash(minji: AppClient) -> None:
    body = _problem(minji, "GET", "/inquiries", params={"cursor": "bm9wZQ"})
    assert body["code"] == "invalid_query"


def test_unknown_paths_and_methods_answer_problems(minji: AppClient) -> None:
    assert minji.http.get("/nope").json()["code"] == "not_found"
    response = minji.http.put("/inquiries")
    assert (response.status_code, response.json()["code"]) == (405, "method_not_allowed")


def test_unknown_inquiry_is_not_found(minji: AppClient) -> None:
    with pytest.raises(AppApiError) as caught:
        minji.get_inquiry(999_999)
    assert caught.value.status == 404


def test_it_refuses_nul_characters_instead_of_failing_in_the_database(minji: AppClient) -> None:
    body = _problem(minji, "POST", "/push-tokens", json={"kind": "fcm", "token": "a\u0000b"})
    assert _fields(body) == ["body"]
    body = _problem(minji, "POST", "/inquiries", data={"text": "a\u0000b"})
    assert _fields(body) == ["text"]
    assert not Ticket.objects.exists()


def test_it_refuses_nul_characters_hidden_in_metadata_json(minji: AppClient) -> None:
    body = _problem(
        minji, "POST", "/inquiries", data={"text": "hi", "metadata": '{"plan": "a\\u0000b"}'}
    )
    assert _fields(body) == ["metadata.plan"]


def test_the_openapi_schema_is_published_with_every_endpoint(minji: AppClient) -> None:
    schema = minji.http.get("/openapi.json").json()
    assert set(schema["paths"]) == {
        "/api/app/v1/topics",
        "/api/app/v1/articles/suggest",
        "/api/app/v1/inquiries",
        "/api/app/v1/inquiries/{inquiry_id}",
        "/api/app/v1/inquiries/{inquiry_id}/messages",
        "/api/app/v1/inquiries/{inquiry_id}/read",
        "/api/app/v1/inquiries/{inquiry_id}/close",
        "/api/app/v1/inquiries/{inquiry_id}/reopen",
        "/api/app/v1/inquiries/{inquiry_id}/attachments/{attachment_id}",
        "/api/app/v1/push-tokens",
        "/api/app/v1/callbacks",
    }
    assert schema["components"]["securitySchemes"]["AppAuth"]["name"] == "X-App-Key"


def test_it_refuses_a_file_over_the_size_limit(minji: AppClient, settings: Any) -> None:
    settings.ATTACHMENT_MAX_BYTES = 50
    files = [("files", ("big.png", factories.PNG + b"\x00" * 100))]
    body = _problem(minji, "POST", "/inquiries", data={"text": "hi"}, files=files)
    assert body["code"] == "attachment_too_large" and _fields(body) == ["files"]


def test_a_number_beyond_64_bits_is_a_422_not_a_crash(minji: AppClient) -> None:
    from sangdam.accounts.tokens import create_api_token
    from tests.api.conftest import ApiClient  # the core API has the same guard

    response = minji.http.get(f"/inquiries/{'9' * 25}")
    assert response.status_code in (404, 422)
    # (Django's test Client last: it re-arms the signal that closes the test's connection.)
    issued = create_api_token(user=factories.make_agent("Jiho"), name="t")
    response = ApiClient(issued.raw).get("/tickets", {"team": "9" * 25})
    assert response.status_code in (200, 422)  # PostgreSQL finds none, SQLite refuses
