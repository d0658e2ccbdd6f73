"""App API calls skip the browsers' middleware (core/machine_calls.py) yet answer as before."""

from __future__ import annotations

import httpx
import pytest
from django.core.handlers.wsgi import WSGIHandler

from examples.app_client import sign_user
from sangdam.connectors.app.models import App
from tests import factories
from tests.app.conftest import secret_of


@pytest.fixture
def http(app: App, _keep_test_connection: None) -> httpx.Client:
    return httpx.Client(
        base_url="http://testserver",
        transport=httpx.WSGITransport(app=WSGIHandler()),
        cookies={"sessionid": "not-a-session"},
        headers={
            "X-App-Key": app.key,
            "X-User-Id": "user-1",
            "X-User-Signature": sign_user(secret_of(app), "user-1"),
        },
    )


def test_an_app_call_answers_in_the_callers_language(http: httpx.Client) -> None:
    factories.make_topic("payment", ko="결제", en="Payment")

    korean = http.get("/api/app/v1/topics", headers={"Accept-Language": "ko"})
    english = http.get("/api/app/v1/topics", headers={"Accept-Language": "en-US,en;q=0.9"})

    assert (korean.json()[0]["name"], english.json()[0]["name"]) == ("결제", "Payment")
    assert (korean.headers["Content-Language"], english.headers["Content-Language"]) == (
        "ko",
        "en",
    )
    assert "Accept-Language" in korean.headers["Vary"]
    assert korean.headers["Content-Length"] == str(len(korean.content))


def test_an_app_call_gets_no_browser_cookies_or_page_headers(http: httpx.Client) -> None:
    answer = http.get("/api/app/v1/topics")

    assert answer.status_code == 200
    assert "set-cookie" not in answer.headers
    assert "Content-Security-Policy" not in answer.headers
    assert "X-Frame-Options" not in answer.headers
    assert answer.headers["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware's


def test_an_unknown_app_api_path_is_an_ordinary_404(http: httpx.Client) -> None:
    assert http.get("/api/app/v1/no-such-thing").status_code == 404
